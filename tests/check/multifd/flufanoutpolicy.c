/* gst-flumotion
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests of the fan-out engine's policy (flufanoutpolicy.c): the
 * ring, header sets, find_limits, decide_position, lag and recovery and
 * what the ring keeps.  No element, no thread, no socket. */

#include <gst/check/gstcheck.h>

#include "flufanoutpolicy.h"
#include "flufanout.h"
#include "flufanoutmerge.h"

#define MS (GST_MSECOND)

/* Queue @n buffers of 100 bytes, 40 ms apart from 0, a keyframe every
 * @kf_every buffers starting with the first. */
static void
fill (FluRing * r, guint n, guint kf_every)
{
  guint i;

  for (i = 0; i < n; i++) {
    GstBuffer *b = gst_buffer_new_allocate (NULL, 100, NULL);

    gst_buffer_memset (b, 0, (guint8) i, 100);
    GST_BUFFER_PTS (b) = i * 40 * MS;
    if (i % kf_every != 0)
      GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DELTA_UNIT);
    fail_unless_equals_int (flu_ring_append (r, b, NULL), FLU_RING_APPEND_OK);
    gst_buffer_unref (b);
  }
}

static FluLimits
limits (gint64 bytes, gint64 buffers, gint64 time)
{
  FluLimits l = { bytes, buffers, time };

  return l;
}

GST_START_TEST (test_ring_append_trim)
{
  FluRing r;
  GstBuffer *empty = gst_buffer_new ();
  guint64 bytes, time;

  flu_ring_init (&r);
  fail_unless_equals_int (flu_ring_append (&r, empty, NULL),
      FLU_RING_APPEND_EMPTY);
  gst_buffer_unref (empty);
  fail_unless_equals_uint64 (r.head, 0);
  flu_ring_queued (&r, &bytes, &time);
  fail_unless_equals_uint64 (bytes, 0);

  /* more than the first allocation: the ring grows */
  fill (&r, 300, 4);
  fail_unless_equals_uint64 (r.tail, 0);
  fail_unless_equals_uint64 (r.head, 300);
  fail_unless_equals_uint64 (r.stream_bytes, 30000);
  fail_unless_equals_uint64 (r.last_kf, 296);
  fail_unless (flu_ring_entry (&r, 296)->keyframe);
  fail_if (flu_ring_entry (&r, 297)->keyframe);
  fail_unless_equals_uint64 (flu_ring_entry (&r, 5)->offset, 500);
  flu_ring_queued (&r, &bytes, &time);
  fail_unless_equals_uint64 (bytes, 30000);
  fail_unless_equals_uint64 (time, 299 * 40 * MS);

  flu_ring_trim_to (&r, 290);
  fail_unless_equals_uint64 (r.tail, 290);
  flu_ring_queued (&r, &bytes, &time);
  fail_unless_equals_uint64 (bytes, 1000);
  fail_unless_equals_uint64 (time, 9 * 40 * MS);
  fail_unless_equals_uint64 (flu_ring_seq_of_idx (&r, 0), 299);

  flu_ring_clear (&r);
  fail_unless_equals_uint64 (r.tail, r.head);
  fail_unless_equals_uint64 (r.stream_bytes, 0);
  fail_unless_equals_uint64 (r.last_kf, FLU_NO_SEQ);
  flu_ring_free (&r);
}

GST_END_TEST;

GST_START_TEST (test_find_limits)
{
  FluRing r;
  FluLimits min, max;
  gint64 min_idx, max_idx;

  flu_ring_init (&r);
  min = limits (-1, -1, -1);
  max = limits (-1, -1, -1);
  fail_if (flu_ring_find_limits (&r, &min, &max, &min_idx, &max_idx));
  fail_unless_equals_int64 (min_idx, -1);
  fill (&r, 10, 4);

  /* nothing asked: the newest entry, and the whole ring as the max */
  fail_unless (flu_ring_find_limits (&r, &min, &max, &min_idx, &max_idx));
  fail_unless_equals_int64 (min_idx, 0);
  fail_unless_equals_int64 (max_idx, 9);

  /* 3 buffers at least, 5 at most */
  min = limits (-1, 3, -1);
  max = limits (-1, 5, -1);
  fail_unless (flu_ring_find_limits (&r, &min, &max, &min_idx, &max_idx));
  fail_unless_equals_int64 (min_idx, 2);
  fail_unless_equals_int64 (max_idx, 4);

  /* 250 bytes: 3 buffers of 100 */
  min = limits (250, -1, -1);
  max = limits (-1, -1, -1);
  fail_unless (flu_ring_find_limits (&r, &min, &max, &min_idx, &max_idx));
  fail_unless_equals_int64 (min_idx, 2);

  /* 100 ms: 360 ms is the newest, 240 ms the first 100 ms back */
  min = limits (-1, -1, 100 * MS);
  fail_unless (flu_ring_find_limits (&r, &min, &max, &min_idx, &max_idx));
  fail_unless_equals_int64 (min_idx, 3);

  /* a max in time: 80 ms back reached at index 2 */
  min = limits (-1, -1, -1);
  max = limits (-1, -1, 80 * MS);
  fail_unless (flu_ring_find_limits (&r, &min, &max, &min_idx, &max_idx));
  fail_unless_equals_int64 (max_idx, 2);

  /* more than the ring holds: not met, min at the max */
  min = limits (2000, -1, -1);
  max = limits (-1, -1, -1);
  fail_if (flu_ring_find_limits (&r, &min, &max, &min_idx, &max_idx));
  fail_unless_equals_int64 (min_idx, 9);
  fail_unless_equals_int64 (max_idx, 9);
  flu_ring_free (&r);
}

GST_END_TEST;

static gint64
decide (FluRing * r, FluSyncMethod m, GstFormat minf, guint64 minv,
    GstFormat maxf, guint64 maxv, FluWait * wait)
{
  FluStartSpec spec = { m, minf, maxf, minv, maxv };

  *wait = FLU_WAIT_NEW;
  return flu_ring_decide_position (r, &spec, wait);
}

GST_START_TEST (test_decide_position)
{
  FluRing r;
  FluWait wait;
  const GstFormat B = GST_FORMAT_BUFFERS, U = GST_FORMAT_UNDEFINED;

  flu_ring_init (&r);
  /* seq 0..9, keyframes at 0, 4 and 8; index 0 is seq 9 (a delta) */
  fill (&r, 10, 4);

  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_LATEST, U, 0, U, 0,
          &wait), 0);
  fail_unless_equals_int (wait, FLU_WAIT_NEW);

  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_NEXT_KEYFRAME, U, 0,
          U, 0, &wait), -1);
  fail_unless_equals_int (wait, FLU_WAIT_KEYFRAME);

  /* the newest keyframe, seq 8 */
  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_LATEST_KEYFRAME, U,
          0, U, 0, &wait), 1);

  /* burst of 3 buffers: seq 7 */
  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_BURST, B, 3, U, 0,
          &wait), 2);
  /* burst of 3 with a max of 2: min beyond the max, one newer than it */
  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_BURST, B, 3, B, 2,
          &wait), 0);

  /* burst-keyframe: the keyframe before the burst, seq 4 */
  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_BURST_KEYFRAME, B, 3,
          U, 0, &wait), 5);
  /* ... unless past the max: then the keyframe after, seq 8 */
  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_BURST_KEYFRAME, B, 3,
          B, 4, &wait), 1);

  /* burst-with-keyframe: past the max, the plain burst */
  fail_unless_equals_int64 (decide (&r,
          FLU_SYNC_METHOD_BURST_WITH_KEYFRAME, B, 3, B, 4, &wait), 2);
  fail_unless_equals_int64 (decide (&r,
          FLU_SYNC_METHOD_BURST_WITH_KEYFRAME, B, 3, U, 0, &wait), 5);
  fail_unless_equals_int (wait, FLU_WAIT_NEW);
  flu_ring_free (&r);

  /* no keyframe at all: the keyframe methods wait */
  flu_ring_init (&r);
  fill (&r, 1, 1);
  fill (&r, 5, 100);
  flu_ring_trim_to (&r, 2);     /* seq 2..5, all deltas */
  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_LATEST_KEYFRAME, U,
          0, U, 0, &wait), -1);
  fail_unless_equals_int (wait, FLU_WAIT_KEYFRAME);
  fail_unless_equals_int64 (decide (&r, FLU_SYNC_METHOD_BURST_KEYFRAME, B, 2,
          U, 0, &wait), -1);
  fail_unless_equals_int (wait, FLU_WAIT_KEYFRAME);
  flu_ring_free (&r);
}

GST_END_TEST;

GST_START_TEST (test_lag_and_recovery)
{
  FluRing r;
  FluFanoutConfig cfg;
  guint64 b, by, t, seq;
  FluWait wait;

  flu_ring_init (&r);
  flu_fanout_config_init (&cfg);
  fill (&r, 10, 4);

  flu_ring_lag (&r, 6, &b, &by, &t);
  fail_unless_equals_uint64 (b, 4);
  fail_unless_equals_uint64 (by, 400);
  fail_unless_equals_uint64 (t, 120 * MS);
  flu_ring_lag (&r, 10, &b, &by, &t);
  fail_unless_equals_uint64 (b + by + t, 0);

  fail_unless (flu_lag_exceeds (GST_FORMAT_BUFFERS, 4, 400, 0, 3));
  fail_if (flu_lag_exceeds (GST_FORMAT_BUFFERS, 4, 400, 0, 4));
  fail_if (flu_lag_exceeds (GST_FORMAT_BUFFERS, 4, 400, 0, 0));
  fail_unless (flu_lag_exceeds (GST_FORMAT_BYTES, 4, 400, 0, 399));
  fail_unless (flu_lag_exceeds (GST_FORMAT_TIME, 4, 400, 120 * MS, 100 * MS));

  fail_unless_equals_uint64 (flu_ring_soft_limit_seq (&r, GST_FORMAT_BUFFERS,
          3), 7);
  fail_unless_equals_uint64 (flu_ring_soft_limit_seq (&r, GST_FORMAT_BYTES,
          250), 8);

  cfg.units_soft_max = 3;
  cfg.recover_policy = FLU_RECOVER_POLICY_NONE;
  fail_if (flu_ring_recover_target (&r, &cfg, 2, &seq, &wait));
  cfg.recover_policy = FLU_RECOVER_POLICY_RESYNC_LATEST;
  fail_unless (flu_ring_recover_target (&r, &cfg, 2, &seq, &wait));
  fail_unless_equals_uint64 (seq, 10);
  fail_unless_equals_int (wait, FLU_WAIT_NONE);
  cfg.recover_policy = FLU_RECOVER_POLICY_RESYNC_SOFT_LIMIT;
  fail_unless (flu_ring_recover_target (&r, &cfg, 2, &seq, &wait));
  fail_unless_equals_uint64 (seq, 7);
  cfg.recover_policy = FLU_RECOVER_POLICY_RESYNC_KEYFRAME;
  fail_unless (flu_ring_recover_target (&r, &cfg, 2, &seq, &wait));
  fail_unless_equals_uint64 (seq, 8);
  fail_unless_equals_int (wait, FLU_WAIT_NONE);
  /* no keyframe from there on: wait for the next one */
  fail_unless (flu_ring_recover_target (&r, &cfg, 9, &seq, &wait));
  fail_unless_equals_uint64 (seq, 10);
  fail_unless_equals_int (wait, FLU_WAIT_KEYFRAME);
  flu_ring_free (&r);
}

GST_END_TEST;

static guint64
keep_from (FluFanoutConfig * cfg, guint64 clients_keep)
{
  FluRing r;
  guint64 keep;

  flu_ring_init (&r);
  fill (&r, 10, 4);
  keep = flu_ring_keep_from (&r, cfg, clients_keep);
  flu_ring_trim_to (&r, keep);
  fail_unless_equals_uint64 (r.tail, keep);
  flu_ring_free (&r);
  return keep;
}

GST_START_TEST (test_keep_from)
{
  FluFanoutConfig cfg;
  FluRing r;

  flu_fanout_config_init (&cfg);
  /* nothing asked: the newest buffer */
  fail_unless_equals_uint64 (keep_from (&cfg, FLU_NO_SEQ), 9);
  /* the slowest client */
  fail_unless_equals_uint64 (keep_from (&cfg, 3), 3);
  /* buffers-min, bytes-min, time-min */
  cfg.buffers_min = 4;
  fail_unless_equals_uint64 (keep_from (&cfg, FLU_NO_SEQ), 6);
  cfg.buffers_min = -1;
  cfg.bytes_min = 250;
  fail_unless_equals_uint64 (keep_from (&cfg, FLU_NO_SEQ), 7);
  cfg.bytes_min = -1;
  cfg.time_min = 100 * MS;
  fail_unless_equals_uint64 (keep_from (&cfg, FLU_NO_SEQ), 6);
  cfg.time_min = -1;
  /* more than the ring holds: all of it */
  cfg.buffers_min = 50;
  fail_unless_equals_uint64 (keep_from (&cfg, FLU_NO_SEQ), 0);
  cfg.buffers_min = -1;

  /* the default sync method's needs */
  cfg.sync_method = FLU_SYNC_METHOD_LATEST_KEYFRAME;
  fail_unless_equals_uint64 (keep_from (&cfg, FLU_NO_SEQ), 8);
  cfg.sync_method = FLU_SYNC_METHOD_BURST;
  cfg.burst_format = GST_FORMAT_BUFFERS;
  cfg.burst_value = 3;
  fail_unless_equals_uint64 (keep_from (&cfg, FLU_NO_SEQ), 7);
  /* back to the keyframe before the burst */
  cfg.sync_method = FLU_SYNC_METHOD_BURST_KEYFRAME;
  fail_unless_equals_uint64 (keep_from (&cfg, FLU_NO_SEQ), 4);

  /* the scans follow the stream as it goes */
  flu_ring_init (&r);
  fill (&r, 10, 4);
  flu_ring_trim_to (&r, flu_ring_keep_from (&r, &cfg, FLU_NO_SEQ));
  fail_unless_equals_uint64 (r.tail, 4);
  fill (&r, 4, 4);              /* seq 10..13, keyframes at 10 */
  flu_ring_trim_to (&r, flu_ring_keep_from (&r, &cfg, FLU_NO_SEQ));
  /* burst from seq 11, the keyframe before it is seq 10 */
  fail_unless_equals_uint64 (r.tail, 10);
  flu_ring_free (&r);
}

GST_END_TEST;

static GstCaps *
caps_with_headers (const gchar * a, const gchar * b)
{
  GstCaps *caps = gst_caps_new_empty_simple ("application/x-test");
  GValue arr = G_VALUE_INIT, v = G_VALUE_INIT;
  const gchar *parts[2] = { a, b };
  guint i;

  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; i < 2; i++) {
    GstBuffer *buf = gst_buffer_new_memdup (parts[i], strlen (parts[i]));

    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_HEADER);
    g_value_init (&v, GST_TYPE_BUFFER);
    gst_value_set_buffer (&v, buf);
    gst_value_array_append_value (&arr, &v);
    g_value_unset (&v);
    gst_buffer_unref (buf);
  }
  gst_caps_set_value (caps, "streamheader", &arr);
  g_value_unset (&arr);
  return caps;
}

GST_START_TEST (test_headers)
{
  GstCaps *c1 = caps_with_headers ("head", "er"), *c2, *c3, *none;
  FluHeaders *h1, *h2, *h3;
  FluRing r;
  GstBuffer *same, *other;

  c2 = caps_with_headers ("head", "er");
  c3 = caps_with_headers ("HEAD", "er");
  none = gst_caps_new_empty_simple ("application/x-test");
  h1 = flu_headers_from_caps (c1);
  h2 = flu_headers_from_caps (c2);
  h3 = flu_headers_from_caps (c3);
  fail_unless (h1 != NULL);
  fail_unless (flu_headers_from_caps (none) == NULL);
  fail_unless (flu_headers_from_caps (NULL) == NULL);
  fail_unless_equals_int (h1->n_buffers, 2);
  fail_unless_equals_int (h1->size, 6);
  fail_unless (flu_headers_equal (h1, h2));
  fail_if (flu_headers_equal (h1, h3));
  fail_if (flu_headers_equal (h1, NULL));
  fail_unless (flu_headers_equal (NULL, NULL));

  /* entries point at the header set current when they arrived */
  flu_ring_init (&r);
  r.headers = h1;
  fill (&r, 1, 1);
  fail_unless (flu_ring_entry (&r, 0)->headers == h1);
  same = gst_buffer_new_memdup ("er", 2);
  other = gst_buffer_new_memdup ("xx", 2);
  fail_unless (flu_ring_is_header (&r, same));
  fail_if (flu_ring_is_header (&r, other));
  gst_buffer_unref (same);
  gst_buffer_unref (other);
  flu_ring_free (&r);           /* drops the ring's ref to h1 */

  flu_headers_unref (h2);
  flu_headers_unref (h3);
  gst_caps_unref (c1);
  gst_caps_unref (c2);
  gst_caps_unref (c3);
  gst_caps_unref (none);
}

GST_END_TEST;

GST_START_TEST (test_timestamps_back)
{
  FluRing r;
  FluFanoutConfig cfg;
  GstBuffer *b;

  flu_ring_init (&r);
  flu_fanout_config_init (&cfg);
  cfg.time_min = 100 * MS;
  fill (&r, 10, 4);
  /* a restarted source: timestamps from 0 again */
  b = gst_buffer_new_allocate (NULL, 100, NULL);
  GST_BUFFER_PTS (b) = 0;
  flu_ring_append (&r, b, NULL);
  gst_buffer_unref (b);
  fail_unless_equals_uint64 (r.ts_run_start, 10);
  /* what came before holds any time: the old run is kept from its last
   * 100 ms on, not until the new timestamps catch up */
  fail_unless (flu_ring_keep_from (&r, &cfg, FLU_NO_SEQ) >= 9);
  flu_ring_free (&r);
}

GST_END_TEST;

/* Two setters copy their config under the element's lock (seq 1, then
 * seq 2: the second copy holds both changes) and apply it after releasing
 * it; the first is preempted and applies last.  The engine keeps the
 * later copy.  Done by order: the copies are applied in the wrong order
 * on purpose, which plain flu_fanout_set_config () would take as is. */
GST_START_TEST (test_config_seq_out_of_order)
{
  FluFanout *f = flu_fanout_new (NULL, NULL, NULL);
  FluFanoutConfig a, b, got;

  flu_fanout_config_init (&a);
  a.buffers_min = 5;            /* setter A's change */
  b = a;
  b.time_min = 2 * GST_SECOND;  /* setter B's, made after A's */

  fail_unless (flu_fanout_set_config_seq (f, &b, 2));
  fail_if (flu_fanout_set_config_seq (f, &a, 1));
  flu_fanout_get_config (f, &got);
  fail_unless_equals_int (got.buffers_min, 5);
  fail_unless_equals_int64 (got.time_min, 2 * GST_SECOND);

  /* in order, each applies */
  a.buffers_min = 7;
  fail_unless (flu_fanout_set_config_seq (f, &a, 3));
  flu_fanout_get_config (f, &got);
  fail_unless_equals_int (got.buffers_min, 7);
  flu_fanout_free (f);
}

GST_END_TEST;

static GstBuffer *
frame (guint8 byte, gsize size, gboolean key, GstClockTime pts)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, size, NULL);

  gst_buffer_memset (b, 0, byte, size);
  GST_BUFFER_PTS (b) = pts;
  if (!key)
    GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DELTA_UNIT);
  return b;
}

/* The open chunk: a small keyframe opens it, small deltas follow in
 * order, a keyframe, a large buffer, a DISCONT or a full chunk does not
 * go in; the sealed chunk has the first buffer's timestamp and flag. */
GST_START_TEST (test_merge_chunk)
{
  FluMerge m = { 0 };
  GstBuffer *k = frame ('k', 1000, TRUE, GST_SECOND);
  GstBuffer *d1 = frame ('a', 2000, FALSE, 2 * GST_SECOND);
  GstBuffer *d2 = frame ('b', 3000, FALSE, 3 * GST_SECOND);
  GstBuffer *big = frame ('x', FLU_MERGE_SMALL, FALSE, 4 * GST_SECOND);
  GstBuffer *disc = frame ('y', 10, FALSE, 5 * GST_SECOND);
  GstBuffer *chunk;
  guint8 out[6000];
  guint i;

  GST_BUFFER_FLAG_SET (disc, GST_BUFFER_FLAG_DISCONT);
  fail_if (flu_merge_append (&m, d1));  /* nothing open */
  fail_unless (flu_merge_seal (&m) == NULL);
  fail_unless (flu_merge_start (&m, k));
  fail_unless (flu_merge_append (&m, d1));
  fail_unless (flu_merge_append (&m, d2));
  fail_if (flu_merge_append (&m, k));   /* a keyframe starts anew */
  fail_if (flu_merge_append (&m, big));
  fail_if (flu_merge_append (&m, disc));
  chunk = flu_merge_seal (&m);
  fail_unless (chunk != NULL);
  fail_unless_equals_int (gst_buffer_get_size (chunk), 6000);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (chunk), GST_SECOND);
  fail_if (GST_BUFFER_FLAG_IS_SET (chunk, GST_BUFFER_FLAG_DELTA_UNIT));
  gst_buffer_extract (chunk, 0, out, sizeof (out));
  fail_unless (out[0] == 'k' && out[999] == 'k' && out[1000] == 'a' &&
      out[2999] == 'a' && out[3000] == 'b' && out[5999] == 'b');
  gst_buffer_unref (chunk);
  fail_unless (flu_merge_seal (&m) == NULL);

  /* a delta opens a delta chunk; a full chunk refuses more */
  fail_if (flu_merge_start (&m, big));
  fail_unless (flu_merge_start (&m, d1));
  for (i = 0; flu_merge_append (&m, d2); i++);
  fail_unless_equals_int (i, (FLU_MERGE_CHUNK - 2000) / 3000);
  chunk = flu_merge_seal (&m);
  fail_unless (GST_BUFFER_FLAG_IS_SET (chunk, GST_BUFFER_FLAG_DELTA_UNIT));
  fail_unless_equals_int (gst_buffer_get_size (chunk), 2000 + i * 3000);
  gst_buffer_unref (chunk);
  fail_unless (flu_merge_start (&m, d1));
  flu_merge_clear (&m);
  fail_unless (flu_merge_seal (&m) == NULL);
  gst_buffer_unref (k);
  gst_buffer_unref (d1);
  gst_buffer_unref (d2);
  gst_buffer_unref (big);
  gst_buffer_unref (disc);
}

GST_END_TEST;

static Suite *
flufanoutpolicy_suite (void)
{
  Suite *s = suite_create ("flufanoutpolicy");
  TCase *tc = tcase_create ("policy");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_ring_append_trim);
  tcase_add_test (tc, test_find_limits);
  tcase_add_test (tc, test_decide_position);
  tcase_add_test (tc, test_lag_and_recovery);
  tcase_add_test (tc, test_keep_from);
  tcase_add_test (tc, test_headers);
  tcase_add_test (tc, test_timestamps_back);
  tcase_add_test (tc, test_config_seq_out_of_order);
  tcase_add_test (tc, test_merge_chunk);
  return s;
}

GST_CHECK_MAIN (flufanoutpolicy);
