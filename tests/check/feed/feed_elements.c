/* gst-flumotion
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Library General Public License for more details.
 *
 * You should have received a copy of the GNU Library General Public
 * License along with this library; if not, write to the
 * Free Software Foundation, Inc., 51 Franklin St, Fifth Floor,
 * Boston, MA 02110-1301, USA.
 */

/* In-process tests of flufeedsink and flufeedsrc: interoperability with
 * the stock GDP elements, keyframe start for late readers, the secret,
 * backoff, reconnection, failover, fill and the push direction.  All on
 * loopback ports chosen at run time; every wait is bounded. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>

#include "feedtest.h"

#define SEC GST_SECOND
#define JPEG_PRODUCER "videotestsrc is-live=true ! video/x-raw,width=64," \
  "height=48,framerate=25/1 ! jpegenc ! "

static GstElement *
producer (guint port, const gchar * extra)
{
  GstElement *p = feed_pipeline (TRUE, JPEG_PRODUCER
      "flufeedsink name=s host=127.0.0.1 port=%u %s", port, extra);

  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  return p;
}

static void
assert_jpeg_flows (GstElement * consumer, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    GstCaps *caps = NULL;
    GstBuffer *buf = feed_pull (consumer, "a", 5 * SEC, &caps);

    fail_unless (buf != NULL, "no buffer %u from the feed", i);
    fail_unless (gst_structure_has_name (gst_caps_get_structure (caps, 0),
            "image/jpeg"));
    gst_caps_unref (caps);
    gst_buffer_unref (buf);
  }
}

GST_START_TEST (test_stock_reader_reads_flufeedsink)
{
  GstElement *p = producer (0, "");
  GstElement *c = feed_pipeline (FALSE, "tcpclientsrc host=127.0.0.1 "
      "port=%u ! gdpdepay ! appsink name=a sync=false",
      feed_current_port (p, "s"));

  assert_jpeg_flows (c, 10);
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

/* A feed is a direct connection: a proxy in the environment (http_proxy,
 * as on many servers) is not used; flufeedsrc used to ask GIO's proxy
 * resolver first and went to the proxy, here a closed port. */
GST_START_TEST (test_no_proxy)
{
  GstElement *p = producer (0, ""), *c;

  g_setenv ("http_proxy", "http://127.0.0.1:9", TRUE);
  g_setenv ("all_proxy", "socks5://127.0.0.1:9", TRUE);
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u max-retries=2 "
      "! appsink name=a sync=false", feed_current_port (p, "s"));
  assert_jpeg_flows (c, 5);
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
  g_unsetenv ("http_proxy");
  g_unsetenv ("all_proxy");
}

GST_END_TEST;

GST_START_TEST (test_flufeedsrc_reads_stock_writer)
{
  GstElement *p = feed_pipeline (FALSE, JPEG_PRODUCER
      "gdppay ! tcpserversink name=s host=127.0.0.1 port=0");
  GstElement *c;
  GstBuffer *buf;

  /* tcpserversink binds when it starts */
  fail_unless (gst_element_get_state (p, NULL, NULL, 5 * SEC) !=
      GST_STATE_CHANGE_FAILURE);
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u ! "
      "appsink name=a sync=false", feed_current_port (p, "s"));
  buf = feed_pull (c, "a", 5 * SEC, NULL);
  fail_unless (buf != NULL);
  gst_buffer_unref (buf);
  assert_jpeg_flows (c, 10);
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

GST_START_TEST (test_feed_to_feed)
{
  GstElement *p = producer (0, "");
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc name=src host=127.0.0.1 "
      "port=%u ! jpegdec ! appsink name=a sync=false",
      feed_current_port (p, "s"));
  GstMessage *msg;
  GstStructure *stats;
  guint64 buffers = 0, connects = 0;
  GstCaps *caps;
  GstBuffer *buf;
  GstElement *src;

  msg = feed_wait_message (c, "flufeedsrc-connected", 0, 5 * SEC);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  buf = feed_pull (c, "a", 5 * SEC, &caps);
  fail_unless (buf != NULL);
  fail_unless (gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "video/x-raw"));
  gst_caps_unref (caps);
  gst_buffer_unref (buf);

  src = gst_bin_get_by_name (GST_BIN (c), "src");
  g_object_get (src, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "buffers", &buffers);
  gst_structure_get_uint64 (stats, "connects", &connects);
  fail_unless (buffers >= 1 && connects == 1);
  fail_unless (g_str_has_prefix (gst_structure_get_string (stats,
              "current-upstream"), "127.0.0.1:"));
  gst_structure_free (stats);
  /* live, with the latency property as minimum */
  {
    GstQuery *q = gst_query_new_latency ();
    gboolean live = FALSE;
    GstClockTime min = 0;

    fail_unless (gst_element_query (src, q));
    gst_query_parse_latency (q, &live, &min, NULL);
    fail_unless (live);
    fail_unless (min >= 200 * GST_MSECOND);
    gst_query_unref (q);
  }
  gst_object_unref (src);

  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

/* ---- late readers start at a keyframe, headers first ---- */

static void
push_numbered (GstElement * appsrc, guint from, guint to)
{
  guint i;

  for (i = from; i < to; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 4, NULL);
    GstFlowReturn ret;

    gst_buffer_fill (buf, 0, &i, 4);
    if (i % 10)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
    GST_BUFFER_DURATION (buf) = 20 * GST_MSECOND;
    g_signal_emit_by_name (appsrc, "push-buffer", buf, &ret);
    gst_buffer_unref (buf);
    g_usleep (20000);
  }
}

static guint
buffer_number (GstBuffer * buf)
{
  guint n = 0;

  gst_buffer_extract (buf, 0, &n, 4);
  return n;
}

static void
late_reader (const gchar * sink_props, guint min_start, guint max_start)
{
  GstElement *p = feed_pipeline (FALSE, "appsrc name=src is-live=true "
      "do-timestamp=true format=time caps=application/x-flutest,v=(int)1 ! "
      "flufeedsink name=s host=127.0.0.1 port=0 %s", sink_props);
  GstElement *appsrc = gst_bin_get_by_name (GST_BIN (p), "src");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "s");
  guint port = feed_current_port (p, "s"), readers = 0;
  gint64 end;
  GstElement *c1, *c2;
  GstBuffer *buf;
  GstCaps *caps;
  guint n;

  push_numbered (appsrc, 0, 15);
  c1 = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u ! "
      "appsink name=a sync=false", port);
  c2 = feed_pipeline (FALSE, "tcpclientsrc host=127.0.0.1 port=%u ! "
      "gdpdepay ! appsink name=a sync=false", port);
  /* both readers are in before the stream goes on */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do {
    g_usleep (10000);
    g_object_get (sink, "num-readers", &readers, NULL);
  } while (readers < 2 && g_get_monotonic_time () < end);
  fail_unless_equals_int (readers, 2);
  push_numbered (appsrc, 15, 60);

  buf = feed_pull (c1, "a", 5 * SEC, &caps);
  fail_unless (buf != NULL);
  n = buffer_number (buf);
  fail_unless (n % 10 == 0 && n >= min_start && n <= max_start,
      "flufeedsrc started at %u", n);
  fail_if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT));
  fail_unless (gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "application/x-flutest"));
  gst_caps_unref (caps);
  gst_buffer_unref (buf);

  buf = feed_pull (c2, "a", 5 * SEC, &caps);
  fail_unless (buf != NULL);
  n = buffer_number (buf);
  fail_unless (n % 10 == 0 && n >= min_start && n <= max_start,
      "gdpdepay reader started at %u", n);
  fail_if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT));
  fail_unless (gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "application/x-flutest"));
  gst_caps_unref (caps);
  gst_buffer_unref (buf);

  feed_pipeline_stop (c1);
  feed_pipeline_stop (c2);
  gst_object_unref (appsrc);
  gst_object_unref (sink);
  feed_pipeline_stop (p);
}

/* 15 buffers of 20 ms are out, keyframes every 10: a late reader starts
 * at buffer 10, the latest keyframe */
GST_START_TEST (test_late_reader_starts_at_keyframe)
{
  late_reader ("", 10, 10);
}

GST_END_TEST;

/* with a 250 ms burst it starts further back, at buffer 0 */
GST_START_TEST (test_late_reader_burst)
{
  late_reader ("burst-time=250000000", 0, 0);
}

GST_END_TEST;

/* ---- secret ---- */

GST_START_TEST (test_secret_accepted)
{
  GstElement *p = producer (0, "secret=s3cret");
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "secret=s3cret ! appsink name=a sync=false",
      feed_current_port (p, "s"));

  assert_jpeg_flows (c, 5);
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

static void
assert_refused (const gchar * reader_secret)
{
  GstElement *p = producer (0, "secret=s3cret");
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "%s retry-initial=200 ! appsink name=a sync=false",
      feed_current_port (p, "s"), reader_secret);
  GstMessage *msg;
  GstBuffer *buf;

  /* the reader says why on its bus */
  msg = feed_wait_message (c, NULL, GST_MESSAGE_WARNING, 10 * SEC);
  fail_unless (msg != NULL, "no warning from the refused reader");
  gst_message_unref (msg);
  /* and gets nothing */
  buf = feed_pull (c, "a", SEC / 2, NULL);
  fail_unless (buf == NULL, "a reader without the secret got data");
  /* the server logs the refusal too (a reader without a secret never
   * answers the challenge: the server says so after its 5 s timeout) */
  msg = feed_wait_message (p, NULL, GST_MESSAGE_WARNING, 15 * SEC);
  fail_unless (msg != NULL, "no warning from the server");
  gst_message_unref (msg);
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_START_TEST (test_secret_wrong)
{
  assert_refused ("secret=guess");
}

GST_END_TEST;

GST_START_TEST (test_secret_missing)
{
  assert_refused ("");
}

GST_END_TEST;

/* ---- reconnection ---- */

GST_START_TEST (test_backoff_then_give_up)
{
  guint port = feed_free_port ();
  gint64 start = g_get_monotonic_time ();
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc name=src host=127.0.0.1 "
      "port=%u retry-initial=100 retry-max=400 max-retries=4 ! fakesink",
      port);
  GstMessage *msg = feed_wait_message (c, NULL, GST_MESSAGE_ERROR, 20 * SEC);
  gdouble took = (g_get_monotonic_time () - start) / 1e6;

  fail_unless (msg != NULL, "no error after max-retries");
  gst_message_unref (msg);
  /* 5 attempts with 100 + 200 + 400 + 400 ms between them: loosely */
  fail_unless (took >= 0.8 && took < 15.0, "gave up after %.2f s", took);
  feed_pipeline_stop (c);
}

GST_END_TEST;

static void
collect (GstElement * c, GArray * pts, guint * disconts, GstClockTime wait)
{
  GstBuffer *buf;

  while ((buf = feed_pull (c, "a", wait, NULL))) {
    GstClockTime t = GST_BUFFER_PTS (buf);

    fail_unless (GST_CLOCK_TIME_IS_VALID (t));
    if (pts->len)
      fail_unless (t >= g_array_index (pts, GstClockTime, pts->len - 1),
          "timestamps went back: %" GST_TIME_FORMAT " after %"
          GST_TIME_FORMAT, GST_TIME_ARGS (t),
          GST_TIME_ARGS (g_array_index (pts, GstClockTime, pts->len - 1)));
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
      (*disconts)++;
    g_array_append_val (pts, t);
    gst_buffer_unref (buf);
    wait = 0;
  }
}

GST_START_TEST (test_reconnect_after_restart)
{
  guint port = feed_free_port (), disconts = 0, i;
  GstElement *p = producer (port, "");
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc name=src "
      "host=127.0.0.1 port=%u retry-initial=50 retry-max=200 ! "
      "appsink name=a sync=false", port);
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  GstMessage *msg;
  guint64 outage = 0;

  for (i = 0; i < 3; i++) {
    collect (c, pts, &disconts, 5 * SEC);
    fail_unless (pts->len > 0);
    feed_pipeline_stop (p);
    msg = feed_wait_message (c, "flufeedsrc-disconnected", 0, 5 * SEC);
    fail_unless (msg != NULL);
    fail_unless (gst_structure_get_string (gst_message_get_structure (msg),
            "reason") != NULL);
    gst_message_unref (msg);
    g_usleep (300000);
    /* the new producer's timestamps start from zero again */
    p = producer (port, "");
    msg = feed_wait_message (c, "flufeedsrc-reconnected", 0, 10 * SEC);
    fail_unless (msg != NULL, "no reconnection after restart %u", i);
    gst_structure_get_uint64 (gst_message_get_structure (msg),
        "outage-duration", &outage);
    fail_unless (outage >= 200 * GST_MSECOND && outage < 10 * SEC);
    gst_message_unref (msg);
    g_usleep (300000);
  }
  collect (c, pts, &disconts, 5 * SEC);
  fail_unless (disconts >= 3, "%u DISCONT buffers", disconts);
  g_array_unref (pts);
  {
    GstElement *src = gst_bin_get_by_name (GST_BIN (c), "src");
    GstStructure *stats;
    guint64 losses = 0, connects = 0, total = 0, bytes = 0;

    g_object_get (src, "stats", &stats, NULL);
    gst_structure_get (stats, "losses", G_TYPE_UINT64, &losses,
        "connects", G_TYPE_UINT64, &connects, "outage-time-total",
        G_TYPE_UINT64, &total, "bytes", G_TYPE_UINT64, &bytes, NULL);
    fail_unless_equals_uint64 (losses, 3);
    fail_unless_equals_uint64 (connects, 4);
    fail_unless (total >= 3 * 200 * GST_MSECOND && total < 60 * SEC);
    fail_unless (bytes > 0);
    fail_unless (gst_structure_get_string (stats, "last-error") != NULL);
    gst_structure_free (stats);
    gst_object_unref (src);
  }
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

/* Pulls @n buffers: their timestamps strictly increase from *last on
 * (a timestamp twice is a non-monotonic DTS in WebM), none is empty. */
static void
pull_increasing (GstElement * c, guint n, GstClockTime * last)
{
  guint i;

  for (i = 0; i < n; i++) {
    GstBuffer *buf = feed_pull (c, "a", 10 * SEC, NULL);

    fail_unless (buf != NULL, "buffer %u missing", i);
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_HEADER)) {
      gst_buffer_unref (buf);   /* the Vorbis headers */
      i--;
      continue;
    }
    fail_unless (GST_BUFFER_PTS_IS_VALID (buf));
    fail_unless (!GST_CLOCK_TIME_IS_VALID (*last) ||
        GST_BUFFER_PTS (buf) > *last, "buffer %u: %" GST_TIME_FORMAT
        " after %" GST_TIME_FORMAT, i, GST_TIME_ARGS (GST_BUFFER_PTS (buf)),
        GST_TIME_ARGS (*last));
    fail_unless (GST_BUFFER_DURATION (buf) != 0, "empty buffer %u", i);
    *last = GST_BUFFER_PTS (buf);
    gst_buffer_unref (buf);
  }
}

/* A restarted Vorbis encoder's first packet covers no time and has the
 * timestamp of the next one: flufeedsrc drops it, the output's
 * timestamps keep increasing across the restart (e2e/encoder-restart
 * saw the same WebM block timestamp twice at each restart). */
GST_START_TEST (test_restart_empty_leading_buffer)
{
  guint port = feed_free_port (), i;
  const gchar *fmt = "audiotestsrc is-live=true wave=silence ! "
      "audio/x-raw,rate=48000,channels=2 ! audioconvert ! vorbisenc ! "
      "flufeedsink host=127.0.0.1 port=%u";
  GstElement *p = feed_pipeline (FALSE, fmt, port);
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "retry-initial=50 retry-max=200 ! appsink name=a sync=false", port);
  GstClockTime last = GST_CLOCK_TIME_NONE;
  GstMessage *msg;

  pull_increasing (c, 20, &last);
  for (i = 0; i < 2; i++) {
    feed_pipeline_stop (p);
    msg = feed_wait_message (c, "flufeedsrc-disconnected", 0, 5 * SEC);
    fail_unless (msg != NULL);
    gst_message_unref (msg);
    p = feed_pipeline (FALSE, fmt, port);
    pull_increasing (c, 60, &last);
  }
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

/* The upstream restarts with other caps: they reach downstream. */
GST_START_TEST (test_caps_change_across_restart)
{
  guint port = feed_free_port ();
  const gchar *fmt = "videotestsrc is-live=true ! video/x-raw,format=I420,"
      "width=%d,height=24,framerate=25/1 ! flufeedsink host=127.0.0.1 "
      "port=%u";
  GstElement *p = feed_pipeline (FALSE, fmt, 32, port);
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "retry-initial=50 retry-max=200 ! appsink name=a sync=false", port);
  GstBuffer *buf;
  GstCaps *caps = NULL;
  gint width = 0, i;

  buf = feed_pull (c, "a", 5 * SEC, &caps);
  fail_unless (buf != NULL);
  gst_structure_get_int (gst_caps_get_structure (caps, 0), "width", &width);
  fail_unless_equals_int (width, 32);
  gst_buffer_unref (buf);
  gst_caps_unref (caps);
  feed_pipeline_stop (p);
  p = feed_pipeline (FALSE, fmt, 48, port);
  /* drain what was queued before the restart, then see the new caps */
  for (i = 0; i < 500 && width != 48; i++) {
    buf = feed_pull (c, "a", 5 * SEC, &caps);
    fail_unless (buf != NULL);
    gst_structure_get_int (gst_caps_get_structure (caps, 0), "width", &width);
    fail_unless_equals_int (gst_buffer_get_size (buf), width * 24 * 3 / 2);
    gst_buffer_unref (buf);
    gst_caps_unref (caps);
  }
  fail_unless_equals_int (width, 48);
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

static gboolean
message_upstream_is (GstMessage * msg, guint port)
{
  gchar *want = g_strdup_printf ("127.0.0.1:%u", port);
  gboolean ok = !g_strcmp0 (gst_structure_get_string
      (gst_message_get_structure (msg), "upstream"), want);

  g_free (want);
  return ok;
}

GST_START_TEST (test_failover_and_prefer_first)
{
  guint port_a = feed_free_port ();
  GstElement *a = producer (port_a, ""), *b = producer (0, "");
  guint port_b = feed_current_port (b, "s");
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc hosts=127.0.0.1:%u,"
      "127.0.0.1:%u data-timeout=1000 retry-initial=100 retry-max=500 "
      "prefer-first=true ! appsink name=a sync=false", port_a, port_b);
  GstMessage *msg;
  gint64 t0;
  gdouble took;

  msg = feed_wait_message (c, "flufeedsrc-connected", 0, 5 * SEC);
  fail_unless (msg && message_upstream_is (msg, port_a));
  gst_message_unref (msg);
  assert_jpeg_flows (c, 3);

  t0 = g_get_monotonic_time ();
  feed_pipeline_stop (a);
  msg = feed_wait_message (c, "flufeedsrc-reconnected", 0, 10 * SEC);
  took = (g_get_monotonic_time () - t0) / 1e6;
  fail_unless (msg && message_upstream_is (msg, port_b));
  gst_message_unref (msg);
  /* within data-timeout + one retry, loosely */
  fail_unless (took < 1.0 + 0.1 + 1.0, "failover took %.2f s", took);
  assert_jpeg_flows (c, 3);

  /* the first comes back: prefer-first moves back to it */
  a = producer (port_a, "");
  msg = feed_wait_message (c, "flufeedsrc-reconnected", 0, 10 * SEC);
  fail_unless (msg && message_upstream_is (msg, port_a));
  gst_message_unref (msg);
  assert_jpeg_flows (c, 3);

  feed_pipeline_stop (c);
  feed_pipeline_stop (a);
  feed_pipeline_stop (b);
}

GST_END_TEST;

/* ---- fill ---- */

static GstPadProbeReturn
count_gaps (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_GAP)
    g_atomic_int_inc ((gint *) user_data);
  return GST_PAD_PROBE_OK;
}

GST_START_TEST (test_fill_gap)
{
  guint port = feed_free_port ();
  GstElement *p = producer (port, "");
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "fill=gap retry-initial=100 retry-max=200 ! appsink name=a sync=false",
      port);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (c), "a");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gint gaps = 0;

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, count_gaps,
      &gaps, NULL);
  assert_jpeg_flows (c, 3);
  feed_pipeline_stop (p);
  g_usleep (G_USEC_PER_SEC);
  fail_unless (g_atomic_int_get (&gaps) >= 3, "%d GAP events in 1 s",
      g_atomic_int_get (&gaps));
  gst_object_unref (pad);
  gst_object_unref (sink);
  feed_pipeline_stop (c);
}

GST_END_TEST;

GST_START_TEST (test_fill_repeat_video)
{
  guint port = feed_free_port (), disconts = 0, before;
  GstElement *p = feed_pipeline (TRUE, "videotestsrc is-live=true ! "
      "video/x-raw,format=I420,width=32,height=24,framerate=25/1 ! "
      "flufeedsink name=s host=127.0.0.1 port=%u", port);
  GstElement *c;
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));

  gst_element_set_state (p, GST_STATE_PLAYING);
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u fill=repeat "
      "retry-initial=100 retry-max=200 ! appsink name=a sync=false", port);
  collect (c, pts, &disconts, 5 * SEC);
  feed_pipeline_stop (p);
  g_usleep (100000);
  before = pts->len;
  g_usleep (G_USEC_PER_SEC);
  collect (c, pts, &disconts, SEC);
  /* about 25 repeated frames a second: loosely */
  fail_unless (pts->len - before >= 10, "%u frames during the outage",
      pts->len - before);
  g_array_unref (pts);
  feed_pipeline_stop (c);
}

GST_END_TEST;

/* A listener whose accept queue is full: connect() to it hangs (the
 * kernel drops the SYNs) until the connecting side's timeout. */
static gint
black_hole (guint port, gint stuffing[3])
{
  struct sockaddr_in sa = { 0 };
  gint one = 1, fd = -1, i, attempt, err = 0;
  socklen_t len = sizeof (err);

  sa.sin_family = AF_INET;
  sa.sin_port = g_htons (port);
  sa.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  for (attempt = 0; attempt < 10; attempt++) {
    struct pollfd pfd = { 0 };

    fd = socket (AF_INET, SOCK_STREAM, 0);
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
    fail_unless (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) == 0);
    fail_unless (listen (fd, 0) == 0);
    /* the first one completes its handshake and holds the only place of
     * the accept queue.  The source retries every 100-200 ms: when its
     * SYN came first and took that place (its connect() succeeds, and no
     * fill is due while it waits for the stream), ours is dropped and
     * never completes: start again (the source's connection is reset
     * with the listener) */
    stuffing[0] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect (stuffing[0], (struct sockaddr *) &sa, sizeof (sa));
    pfd.fd = stuffing[0];
    pfd.events = POLLOUT;
    if (poll (&pfd, 1, 1000) == 1 && getsockopt (stuffing[0], SOL_SOCKET,
            SO_ERROR, &err, &len) == 0 && err == 0)
      break;
    close (stuffing[0]);
    close (fd);
    fd = -1;
  }
  fail_unless (fd >= 0, "the source kept taking the black hole's place");
  for (i = 1; i < 3; i++) {
    stuffing[i] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect (stuffing[i], (struct sockaddr *) &sa, sizeof (sa));
  }
  return fd;
}

/* The fill goes on while a reconnection attempt hangs in connect(). */
GST_START_TEST (test_fill_repeat_while_connect_hangs)
{
  guint port = feed_free_port (), disconts = 0, before, i;
  GstElement *p = feed_pipeline (TRUE, "videotestsrc is-live=true ! "
      "video/x-raw,format=I420,width=32,height=24,framerate=25/1 ! "
      "flufeedsink name=s host=127.0.0.1 port=%u", port);
  GstElement *c;
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  gint hole, stuffing[3];

  gst_element_set_state (p, GST_STATE_PLAYING);
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u fill=repeat "
      "retry-initial=100 retry-max=200 ! appsink name=a sync=false", port);
  collect (c, pts, &disconts, 3 * SEC);
  feed_pipeline_stop (p);
  hole = black_hole (port, stuffing);
  /* by now the reconnection attempt hangs in connect(): take what came
   * before, then count what comes during 1.5 s of it */
  g_usleep (400000);
  collect (c, pts, &disconts, 0);
  before = pts->len;
  g_usleep (3 * G_USEC_PER_SEC / 2);
  collect (c, pts, &disconts, SEC);
  /* about 25 repeated frames a second even though connect() hangs */
  fail_unless (pts->len - before >= 15, "%u frames while connect() hung",
      pts->len - before);
  g_array_unref (pts);
  feed_pipeline_stop (c);
  for (i = 0; i < 3; i++)
    close (stuffing[i]);
  close (hole);
}

GST_END_TEST;

/* An upstream that accepts the connection and sends nothing (a hung
 * producer's listener, here a socket whose accept queue takes it): the
 * fill goes on while the new connection stays silent, well before
 * data-timeout (4 s here) ends it. */
GST_START_TEST (test_fill_repeat_while_upstream_silent)
{
  guint port = feed_free_port (), disconts = 0, before;
  GstElement *p = feed_pipeline (TRUE, "videotestsrc is-live=true ! "
      "video/x-raw,format=I420,width=32,height=24,framerate=25/1 ! "
      "flufeedsink name=s host=127.0.0.1 port=%u", port);
  GstElement *c;
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  struct sockaddr_in sa = { 0 };
  gint one = 1, silent = socket (AF_INET, SOCK_STREAM, 0);

  gst_element_set_state (p, GST_STATE_PLAYING);
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u fill=repeat "
      "retry-initial=100 retry-max=200 data-timeout=4000 ! "
      "appsink name=a sync=false", port);
  collect (c, pts, &disconts, 3 * SEC);
  feed_pipeline_stop (p);
  sa.sin_family = AF_INET;
  sa.sin_port = g_htons (port);
  sa.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  setsockopt (silent, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
  fail_unless (bind (silent, (struct sockaddr *) &sa, sizeof (sa)) == 0);
  fail_unless (listen (silent, 16) == 0);
  /* the source reconnects within its retry delay and then hears nothing */
  g_usleep (400000);
  collect (c, pts, &disconts, 0);
  before = pts->len;
  g_usleep (SEC / GST_USECOND);
  collect (c, pts, &disconts, SEC);
  fail_unless (pts->len - before >= 15, "%u frames from a silent upstream",
      pts->len - before);
  g_array_unref (pts);
  feed_pipeline_stop (c);
  close (silent);
}

GST_END_TEST;

GST_START_TEST (test_fill_repeat_audio_silence)
{
  guint port = feed_free_port ();
  GstElement *p = feed_pipeline (FALSE, "audiotestsrc is-live=true "
      "samplesperbuffer=160 volume=0.8 ! audio/x-raw,format=S16LE,rate=8000,"
      "channels=1 ! flufeedsink name=s host=127.0.0.1 port=%u", port);
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "fill=repeat retry-initial=100 retry-max=200 ! appsink name=a "
      "sync=false", port);
  GstBuffer *buf;
  guint silent = 0, i;

  buf = feed_pull (c, "a", 5 * SEC, NULL);
  fail_unless (buf != NULL);
  gst_buffer_unref (buf);
  feed_pipeline_stop (p);
  g_usleep (G_USEC_PER_SEC);
  for (i = 0; i < 200 && (buf = feed_pull (c, "a", SEC, NULL)); i++) {
    GstMapInfo map;
    gsize j;
    gboolean zero = TRUE;

    gst_buffer_map (buf, &map, GST_MAP_READ);
    for (j = 0; j < map.size; j++)
      zero &= map.data[j] == 0;
    gst_buffer_unmap (buf, &map);
    silent += zero && map.size > 0;
    gst_buffer_unref (buf);
  }
  fail_unless (silent >= 10, "%u silent buffers", silent);
  feed_pipeline_stop (c);
}

GST_END_TEST;

/* ---- push direction ---- */

GST_START_TEST (test_push_mode_reconnects)
{
  guint port = feed_free_port (), i;
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc mode=server "
      "host=127.0.0.1 port=%u secret=venue ! appsink name=a sync=false",
      port);
  GstElement *p = feed_pipeline (FALSE, JPEG_PRODUCER "flufeedsink "
      "mode=client host=127.0.0.1 port=%u secret=venue retry-initial=100 "
      "retry-max=300", port);
  GstMessage *msg;

  assert_jpeg_flows (c, 5);
  /* the receiver restarts: the pusher reconnects by itself */
  for (i = 0; i < 2; i++) {
    feed_pipeline_stop (c);
    g_usleep (300000);
    c = feed_pipeline (FALSE, "flufeedsrc mode=server host=127.0.0.1 "
        "port=%u secret=venue ! appsink name=a sync=false", port);
    assert_jpeg_flows (c, 5);
  }
  /* the pusher restarts: the receiver takes it back */
  feed_pipeline_stop (p);
  p = feed_pipeline (FALSE, JPEG_PRODUCER "flufeedsink mode=client "
      "host=127.0.0.1 port=%u secret=venue", port);
  msg = feed_wait_message (c, "flufeedsrc-reconnected", 0, 10 * SEC);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  assert_jpeg_flows (c, 5);
  feed_pipeline_stop (p);
  feed_pipeline_stop (c);
}

GST_END_TEST;

/* The link properties set and read from other threads while both
 * elements run (push mode): reads take the object lock, the running
 * threads their own copy, so nothing is freed under a reader (ASan) and
 * the stream goes on with the settings it started with. */
typedef struct
{
  GstElement *sink, *src;
  gint stop;
} Hammer;

static gpointer
hammer_get (gpointer data)
{
  Hammer *h = data;

  while (!g_atomic_int_get (&h->stop)) {
    gchar *a = NULL, *b = NULL;

    g_object_get (h->sink, "host", &a, NULL);
    g_object_get (h->src, "host", &b, NULL);
    fail_unless (a != NULL && b != NULL);
    fail_unless (g_str_has_prefix (a, "127.0.0.") && g_str_has_prefix (b,
            "127.0.0."));
    g_free (a);
    g_free (b);
  }
  return NULL;
}

GST_START_TEST (test_settings_while_running)
{
  guint port = feed_free_port (), i;
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc name=src mode=server "
      "host=127.0.0.1 port=%u ! appsink name=a sync=false", port);
  GstElement *p = feed_pipeline (FALSE, JPEG_PRODUCER "flufeedsink "
      "name=sink mode=client host=127.0.0.1 port=%u", port);
  Hammer h = { NULL, NULL, 0 };
  GThread *getter;
  gint64 end;

  h.sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  h.src = gst_bin_get_by_name (GST_BIN (c), "src");
  assert_jpeg_flows (c, 3);
  getter = g_thread_new ("getter", hammer_get, &h);
  /* 1.5 s: long enough for an unlocked read to meet a free (ASan) */
  end = g_get_monotonic_time () + 1500 * G_TIME_SPAN_MILLISECOND;
  for (i = 0; g_get_monotonic_time () < end; i++) {
    gchar *host = g_strdup_printf ("127.0.0.%u", 1 + i % 200);

    g_object_set (h.sink, "host", host, "secret", host, "retry-max", 1000 + i,
        NULL);
    g_object_set (h.src, "host", host, "secret", host, "hosts", host, NULL);
    g_free (host);
  }
  g_atomic_int_set (&h.stop, 1);
  g_thread_join (getter);
  /* the running link keeps the settings it started with */
  assert_jpeg_flows (c, 5);
  gst_object_unref (h.sink);
  gst_object_unref (h.src);
  feed_pipeline_stop (p);
  feed_pipeline_stop (c);
}

GST_END_TEST;

GST_START_TEST (test_push_mode_wrong_secret)
{
  guint port = feed_free_port ();
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc mode=server "
      "host=127.0.0.1 port=%u secret=venue ! appsink name=a sync=false",
      port);
  GstElement *p = feed_pipeline (FALSE, JPEG_PRODUCER "flufeedsink "
      "mode=client host=127.0.0.1 port=%u secret=intruder retry-initial=200",
      port);
  GstMessage *msg;
  GstBuffer *buf;

  /* refused and logged on both ends, nothing injected */
  msg = feed_wait_message (c, NULL, GST_MESSAGE_WARNING, 10 * SEC);
  fail_unless (msg != NULL, "the receiver did not log the refusal");
  gst_message_unref (msg);
  msg = feed_wait_message (p, NULL, GST_MESSAGE_WARNING, 10 * SEC);
  fail_unless (msg != NULL, "the pusher did not log the refusal");
  gst_message_unref (msg);
  buf = feed_pull (c, "a", SEC / 2, NULL);
  fail_unless (buf == NULL, "a pusher with a wrong secret got data in");
  feed_pipeline_stop (p);
  feed_pipeline_stop (c);
}

GST_END_TEST;

static void
assert_bad_settings (const gchar * desc)
{
  GstElement *p = gst_parse_launch (desc, NULL);
  GstMessage *msg;
  GstBus *bus;
  GError *err = NULL;
  gchar *dbg = NULL;

  fail_unless (p != NULL);
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE, "%s started", desc);
  bus = gst_element_get_bus (p);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error for %s", desc);
  gst_message_parse_error (msg, &err, &dbg);
  /* the debug text says what to fix */
  fail_unless (dbg && (strstr (dbg, "host") || strstr (dbg, "port")),
      "unhelpful error: %s / %s", err->message, dbg);
  g_clear_error (&err);
  g_free (dbg);
  gst_message_unref (msg);
  gst_object_unref (bus);
  feed_pipeline_stop (p);
}

GST_START_TEST (test_bad_settings)
{
  assert_bad_settings ("flufeedsrc hosts=127.0.0.1:notaport ! fakesink");
  assert_bad_settings ("flufeedsrc ! fakesink");
  assert_bad_settings ("fakesrc ! flufeedsink mode=client");
}

GST_END_TEST;

static Suite *
feed_elements_suite (void)
{
  Suite *s = suite_create ("feed_elements");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_stock_reader_reads_flufeedsink);
  tcase_add_test (tc, test_flufeedsrc_reads_stock_writer);
  tcase_add_test (tc, test_no_proxy);
  tcase_add_test (tc, test_feed_to_feed);
  tcase_add_test (tc, test_late_reader_starts_at_keyframe);
  tcase_add_test (tc, test_late_reader_burst);
  tcase_add_test (tc, test_secret_accepted);
  tcase_add_test (tc, test_secret_wrong);
  tcase_add_test (tc, test_secret_missing);
  tcase_add_test (tc, test_backoff_then_give_up);
  tcase_add_test (tc, test_reconnect_after_restart);
  tcase_add_test (tc, test_caps_change_across_restart);
  tcase_add_test (tc, test_restart_empty_leading_buffer);
  tcase_add_test (tc, test_failover_and_prefer_first);
  tcase_add_test (tc, test_fill_gap);
  tcase_add_test (tc, test_fill_repeat_video);
  tcase_add_test (tc, test_fill_repeat_while_connect_hangs);
  tcase_add_test (tc, test_fill_repeat_while_upstream_silent);
  tcase_add_test (tc, test_fill_repeat_audio_silence);
  tcase_add_test (tc, test_push_mode_reconnects);
  tcase_add_test (tc, test_push_mode_wrong_secret);
  tcase_add_test (tc, test_settings_while_running);
  tcase_add_test (tc, test_bad_settings);
  return s;
}

GST_CHECK_MAIN (feed_elements);
