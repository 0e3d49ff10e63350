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

/* fluhlssink's policy without sockets or GStreamer elements: the cutter's
 * part and segment boundaries, the window's bound, names, playlist text,
 * mounts, blocking-reload decisions and the preload hint. */

#include <gst/check/gstcheck.h>
#include <string.h>

#include "fluhlswindow.h"

#define MS (G_GUINT64_CONSTANT (1000000))
#define FRAME (G_GUINT64_CONSTANT (1000000000) / 30)

/* mounted names, as the element would see them */
static GHashTable *mounted;

static void
record_mount (const gchar * name, gboolean add, gpointer data)
{
  if (add) {
    fail_if (g_hash_table_contains (mounted, name), "%s mounted twice", name);
    g_hash_table_add (mounted, g_strdup (name));
  } else {
    fail_unless (g_hash_table_remove (mounted, name), "%s not mounted", name);
  }
}

GST_START_TEST (test_cutter)
{
  FluHlsCutter c;
  guint64 d, part_sum = 0;
  guint i, parts = 0, segs = 0;
  FluHlsCut cut;

  /* 30 fps, keyframe every second, 2 s segments, 333 ms parts */
  flu_hls_cutter_init (&c, 2 * GST_SECOND, 333 * MS);
  for (i = 0; i <= 120; i++) {
    cut = flu_hls_cutter_push (&c, i * FRAME, i % 30 == 0, FALSE, &d);
    if (i == 0) {
      fail_unless_equals_int (cut, FLU_HLS_CUT_SEGMENT);
      continue;
    }
    if (cut != FLU_HLS_CUT_NONE) {
      fail_unless (d <= 333 * MS, "part of %" G_GUINT64_FORMAT " ns", d);
      part_sum += d;
      parts++;
    }
    if (cut == FLU_HLS_CUT_SEGMENT) {
      /* at keyframes once 2 s are reached */
      fail_unless_equals_int (i % 60, 0);
      segs++;
    } else if (cut == FLU_HLS_CUT_PART) {
      /* 9 frames = 300 ms: 10 would be 333.3 ms > 333 ms */
      fail_unless (d >= 300 * MS - 10 && d <= 300 * MS + 10);
    }
    /* several packets of the same frame: never a cut in between */
    fail_unless_equals_int (flu_hls_cutter_push (&c, i * FRAME, FALSE, FALSE,
            &d), FLU_HLS_CUT_NONE);
  }
  fail_unless_equals_int (segs, 2);
  fail_unless (part_sum == 120 * FRAME);
  /* no timestamp: no cut */
  fail_unless_equals_int (flu_hls_cutter_push (&c, FLU_HLS_NONE, TRUE, FALSE,
          &d), FLU_HLS_CUT_NONE);
  /* a discontinuity (or a jump back) cuts a segment at once */
  fail_unless_equals_int (flu_hls_cutter_push (&c, 121 * FRAME, FALSE, TRUE,
          &d), FLU_HLS_CUT_SEGMENT);
  fail_unless_equals_int (flu_hls_cutter_push (&c, 10 * FRAME, FALSE, FALSE,
          &d), FLU_HLS_CUT_SEGMENT);
  /* no keyframe for 3 targets: cut anyway (memory bound) */
  for (i = 11; i <= 190; i++)
    fail_unless (flu_hls_cutter_push (&c, i * FRAME, FALSE, FALSE, &d) !=
        FLU_HLS_CUT_SEGMENT);
  fail_unless_equals_int (flu_hls_cutter_push (&c, 191 * FRAME, FALSE, FALSE,
          &d), FLU_HLS_CUT_SEGMENT);
  d = flu_hls_cutter_finish (&c);
  fail_unless_equals_uint64 (d, FRAME);

  /* plain HLS: segments only */
  flu_hls_cutter_init (&c, GST_SECOND, 0);
  parts = 0;
  for (i = 0; i <= 90; i++)
    if (flu_hls_cutter_push (&c, i * FRAME, i % 15 == 0, FALSE, &d) ==
        FLU_HLS_CUT_PART)
      parts++;
  fail_unless_equals_int (parts, 0);
}

GST_END_TEST;

GST_START_TEST (test_names)
{
  guint64 msn;
  guint part;
  gchar *s;

  fail_unless_equals_int (flu_hls_parse_name ("index.m3u8", &msn, &part),
      FLU_HLS_NAME_PLAYLIST);
  fail_unless_equals_int (flu_hls_parse_name ("seg12.ts", &msn, &part),
      FLU_HLS_NAME_SEGMENT);
  fail_unless_equals_uint64 (msn, 12);
  fail_unless_equals_int (flu_hls_parse_name ("part7.3.ts", &msn, &part),
      FLU_HLS_NAME_PART);
  fail_unless_equals_uint64 (msn, 7);
  fail_unless_equals_int (part, 3);
  fail_unless_equals_int (flu_hls_parse_name ("seg.ts", &msn, &part),
      FLU_HLS_NAME_UNKNOWN);
  fail_unless_equals_int (flu_hls_parse_name ("seg1.tsx", &msn, &part),
      FLU_HLS_NAME_UNKNOWN);
  fail_unless_equals_int (flu_hls_parse_name ("part1.ts", &msn, &part),
      FLU_HLS_NAME_UNKNOWN);
  fail_unless_equals_int (flu_hls_parse_name
      ("seg99999999999999999999999.ts", &msn, &part), FLU_HLS_NAME_UNKNOWN);
  s = flu_hls_part_name (7, 3);
  fail_unless_equals_string (s, "part7.3.ts");
  g_free (s);
}

GST_END_TEST;

static void
add (FluHlsWindow * w, guint64 dur, gboolean new_seg, gboolean ends,
    gboolean discont, gsize size)
{
  FluHlsPartInfo info = { dur, new_seg, new_seg, discont,
    G_GINT64_CONSTANT (1796169600) * G_USEC_PER_SEC, ends
  };

  g_assert (size > 0);
  flu_hls_window_add_part (w, &info, g_bytes_new_take (g_malloc0 (size), size));
}

static gchar *
playlist (FluHlsWindow * w)
{
  GBytes *b = flu_hls_window_playlist (w);
  gchar *s;

  if (b == NULL)
    return NULL;
  s = g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_bytes_unref (b);
  return s;
}

/* one 1 s segment of three parts (300, 300, 400 ms... all <= 400) */
static void
add_segment (FluHlsWindow * w, gboolean discont)
{
  add (w, 300 * MS, TRUE, FALSE, discont, 1000);
  add (w, 300 * MS, FALSE, FALSE, FALSE, 1000);
  add (w, 400 * MS, FALSE, TRUE, FALSE, 1000);
}

GST_START_TEST (test_window_ll)
{
  FluHlsWindowConfig cfg = { 1, 400 * MS, 3, 4 };
  FluHlsWindow *w;
  FluHlsWindowStats st;
  GBytes *data;
  GPtrArray *seg;
  gchar *pl;
  guint i;

  mounted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w = flu_hls_window_new (&cfg, 100, record_mount, NULL);
  /* nothing yet: no playlist, the first part is hinted */
  fail_unless (flu_hls_window_playlist (w) == NULL);
  fail_unless_equals_int (flu_hls_window_check_block (w, 100, -1),
      FLU_HLS_WAIT);
  add (w, 300 * MS, TRUE, FALSE, FALSE, 1000);
  fail_unless (flu_hls_window_playlist (w) == NULL);
  fail_unless (g_hash_table_contains (mounted, "part100.0.ts"));
  fail_unless (g_hash_table_contains (mounted, "part100.1.ts"));
  fail_unless_equals_int (flu_hls_window_get_part (w, 100, 1, &data),
      FLU_HLS_WAIT);
  fail_unless_equals_int (flu_hls_window_get_part (w, 100, 2, &data),
      FLU_HLS_GONE);
  fail_unless_equals_int (flu_hls_window_get_part (w, 100, 0, &data),
      FLU_HLS_READY);
  fail_unless_equals_int (g_bytes_get_size (data), 1000);
  g_bytes_unref (data);
  add (w, 300 * MS, FALSE, FALSE, FALSE, 1000);
  add (w, 400 * MS, FALSE, TRUE, FALSE, 1000);
  fail_unless (g_hash_table_contains (mounted, "seg100.ts"));
  /* the hint moved to the next segment's first part */
  fail_unless (!g_hash_table_contains (mounted, "part100.3.ts"));
  fail_unless (g_hash_table_contains (mounted, "part101.0.ts"));

  pl = playlist (w);
  fail_unless (pl != NULL);
  fail_unless (g_str_has_prefix (pl, "#EXTM3U\n#EXT-X-VERSION:6\n"
          "#EXT-X-TARGETDURATION:1\n"
          "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,"
          "PART-HOLD-BACK=1.20000,HOLD-BACK=3.00000\n"
          "#EXT-X-PART-INF:PART-TARGET=0.40000\n"
          "#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
          "#EXT-X-PROGRAM-DATE-TIME:2026-12-02T00:00:00.000Z\n"
          "#EXT-X-PART:DURATION=0.30000,URI=\"part100.0.ts\",INDEPENDENT=YES\n"
          "#EXT-X-PART:DURATION=0.30000,URI=\"part100.1.ts\"\n"
          "#EXT-X-PART:DURATION=0.40000,URI=\"part100.2.ts\"\n"
          "#EXTINF:1.00000,\nseg100.ts\n"
          "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part101.0.ts\"\n"), "%s", pl);
  g_free (pl);

  /* blocking: segment 100 is there, 101 not yet; 103 is too far */
  fail_unless_equals_int (flu_hls_window_check_block (w, 100, -1),
      FLU_HLS_READY);
  fail_unless_equals_int (flu_hls_window_check_block (w, 100, 2),
      FLU_HLS_READY);
  fail_unless_equals_int (flu_hls_window_check_block (w, 100, 5), FLU_HLS_WAIT);
  fail_unless_equals_int (flu_hls_window_check_block (w, 101, 0), FLU_HLS_WAIT);
  fail_unless_equals_int (flu_hls_window_check_block (w, 102, -1),
      FLU_HLS_WAIT);
  fail_unless_equals_int (flu_hls_window_check_block (w, 103, -1),
      FLU_HLS_TOO_FAR);
  /* Advance Part Limit: 3 / 0.4 s = 7 parts past the latest (100.2),
   * 3 parts a segment */
  fail_unless_equals_int (flu_hls_window_check_block (w, 101, 4), FLU_HLS_WAIT);
  fail_unless_equals_int (flu_hls_window_check_block (w, 102, 3), FLU_HLS_WAIT);
  fail_unless_equals_int (flu_hls_window_check_block (w, 102, 4),
      FLU_HLS_TOO_FAR);
  add (w, 300 * MS, TRUE, FALSE, FALSE, 1000);
  fail_unless_equals_int (flu_hls_window_check_block (w, 101, 0),
      FLU_HLS_READY);
  fail_unless_equals_int (flu_hls_window_check_block (w, 100, 5),
      FLU_HLS_READY);
  add (w, 300 * MS, FALSE, FALSE, FALSE, 1000);
  add (w, 400 * MS, FALSE, TRUE, FALSE, 1000);

  /* bound: 4 segments kept, 3 listed, whatever the run length */
  for (i = 0; i < 20; i++)
    add_segment (w, i == 10);
  flu_hls_window_get_stats (w, &st);
  fail_unless_equals_uint64 (st.segments, 4);
  fail_unless_equals_uint64 (st.parts, 12);
  fail_unless_equals_uint64 (st.bytes, 12000);
  fail_unless_equals_uint64 (st.segments_total, 22);
  fail_unless_equals_uint64 (st.last_msn, 121);
  fail_unless_equals_uint64 (st.discontinuities, 1);
  /* 4 segments x (1 + 3 parts) + the hint */
  fail_unless_equals_int (g_hash_table_size (mounted), 17);
  fail_unless (flu_hls_window_get_segment (w, 117) == NULL);
  fail_unless_equals_int (flu_hls_window_get_part (w, 117, 0, &data),
      FLU_HLS_GONE);
  seg = flu_hls_window_get_segment (w, 118);
  fail_unless (seg != NULL);
  fail_unless_equals_int (seg->len, 3);
  g_ptr_array_unref (seg);
  pl = playlist (w);
  fail_unless (strstr (pl, "#EXT-X-MEDIA-SEQUENCE:119\n") != NULL, "%s", pl);
  /* the discontinuity (segment 112) left the playlist: counted */
  fail_unless (strstr (pl, "#EXT-X-DISCONTINUITY-SEQUENCE:1\n") != NULL);
  fail_unless (strstr (pl, "#EXT-X-DISCONTINUITY\n") == NULL);
  fail_unless (strstr (pl, "seg118.ts") == NULL);
  fail_unless (strstr (pl, "#EXT-X-ENDLIST") == NULL);
  g_free (pl);

  /* a discontinuity in the listed window */
  add_segment (w, TRUE);
  pl = playlist (w);
  fail_unless (strstr (pl, "#EXT-X-DISCONTINUITY-SEQUENCE:1\n") != NULL);
  fail_unless (strstr (pl, "#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:"
          "2026-12-02T00:00:00.000Z\n#EXT-X-PART:DURATION=0.30000,"
          "URI=\"part122.0.ts\"") != NULL, "%s", pl);
  g_free (pl);

  /* the end: ENDLIST, no hint, every blocking request answered */
  add (w, 300 * MS, TRUE, FALSE, FALSE, 1000);
  flu_hls_window_end (w);
  pl = playlist (w);
  fail_unless (g_str_has_suffix (pl, "#EXTINF:0.30000,\nseg123.ts\n"
          "#EXT-X-ENDLIST\n"), "%s", pl);
  fail_unless (strstr (pl, "PRELOAD-HINT") == NULL);
  g_free (pl);
  fail_unless_equals_int (flu_hls_window_check_block (w, 124, 0),
      FLU_HLS_READY);
  fail_unless_equals_int (flu_hls_window_get_part (w, 124, 0, &data),
      FLU_HLS_GONE);
  /* a new stream after the end: no ENDLIST, a discontinuity, a hint */
  add (w, 300 * MS, TRUE, FALSE, FALSE, 1000);
  add (w, 300 * MS, FALSE, TRUE, FALSE, 1000);
  pl = playlist (w);
  fail_unless (strstr (pl, "#EXT-X-ENDLIST") == NULL, "%s", pl);
  fail_unless (strstr (pl, "#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:"
          "2026-12-02T00:00:00.000Z\n#EXT-X-PART:DURATION=0.30000,"
          "URI=\"part124.0.ts\"") != NULL, "%s", pl);
  fail_unless (strstr (pl, "PRELOAD-HINT:TYPE=PART,URI=\"part125.0.ts\"")
      != NULL, "%s", pl);
  g_free (pl);
  flu_hls_window_free (w);
  fail_unless_equals_int (g_hash_table_size (mounted), 0);
  g_hash_table_unref (mounted);
}

GST_END_TEST;

GST_START_TEST (test_window_plain)
{
  FluHlsWindowConfig cfg = { 2, 0, 2, 1 };
  FluHlsWindow *w;
  GBytes *data;
  gchar *pl;

  mounted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w = flu_hls_window_new (&cfg, 5, record_mount, NULL);
  add (w, 2 * GST_SECOND, TRUE, TRUE, FALSE, 10);
  add (w, 2 * GST_SECOND, TRUE, TRUE, FALSE, 10);
  add (w, 1 * GST_SECOND, TRUE, FALSE, FALSE, 10);
  /* max-segments below playlist-length: raised to it */
  pl = playlist (w);
  fail_unless (strstr (pl, "PART") == NULL, "%s", pl);
  fail_unless (strstr (pl, "PRELOAD-HINT") == NULL);
  fail_unless (strstr (pl, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,"
          "HOLD-BACK=6.00000\n") != NULL);
  fail_unless (strstr (pl, "#EXT-X-MEDIA-SEQUENCE:5\n") != NULL);
  fail_unless (strstr (pl, "#EXTINF:2.00000,\nseg5.ts\n#EXT-X-PROGRAM-DATE-"
          "TIME:2026-12-02T00:00:00.000Z\n#EXTINF:2.00000,\nseg6.ts\n")
      != NULL, "%s", pl);
  g_free (pl);
  fail_unless_equals_int (flu_hls_window_get_part (w, 7, 0, &data),
      FLU_HLS_GONE);
  /* segments only: seg5, seg6 */
  fail_unless_equals_int (g_hash_table_size (mounted), 2);
  fail_unless_equals_int (flu_hls_window_check_block (w, 7, 3), FLU_HLS_WAIT);
  flu_hls_window_free (w);
  g_hash_table_unref (mounted);
}

GST_END_TEST;

GST_START_TEST (test_format_seconds)
{
  GString *s = g_string_new (NULL);

  flu_hls_format_seconds (s, 333333333, FALSE);
  fail_unless_equals_string (s->str, "0.33333");
  g_string_truncate (s, 0);
  flu_hls_format_seconds (s, 333333333, TRUE);
  fail_unless_equals_string (s->str, "0.33334");
  g_string_truncate (s, 0);
  flu_hls_format_seconds (s, 2 * GST_SECOND, TRUE);
  fail_unless_equals_string (s->str, "2.00000");
  g_string_free (s, TRUE);
}

GST_END_TEST;

static Suite *
fluhlswindow_suite (void)
{
  Suite *s = suite_create ("fluhlswindow");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_cutter);
  tcase_add_test (tc, test_names);
  tcase_add_test (tc, test_window_ll);
  tcase_add_test (tc, test_window_plain);
  tcase_add_test (tc, test_format_seconds);
  return s;
}

GST_CHECK_MAIN (fluhlswindow);
