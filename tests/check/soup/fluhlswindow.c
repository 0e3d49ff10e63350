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
 * mounts, blocking-reload decisions and the preload hint; delta
 * playlists; the multivariant playlist, rendition reports and the TS /
 * SPS probe behind them (fluhlsvariant.c). */

#include <gst/check/gstcheck.h>
#include <string.h>

#include "fluhlswindow.h"
#include "fluhlsvariant.h"

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

static gchar *
delta (FluHlsWindow * w)
{
  GBytes *b = flu_hls_window_delta_playlist (w);
  gchar *s;

  if (b == NULL)
    return NULL;
  s = g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_bytes_unref (b);
  return s;
}

/* Playlist Delta Updates (4.4.3.8, 4.4.5.2, 6.2.5.1) */
GST_START_TEST (test_window_skip)
{
  FluHlsWindowConfig cfg = { 1, 0, 10, 12 };
  FluHlsWindow *w;
  gchar *full, *d;
  guint i;

  w = flu_hls_window_new (&cfg, 100, NULL, NULL);
  fail_unless (flu_hls_window_delta_playlist (w) == NULL);
  for (i = 0; i < 12; i++)
    add (w, GST_SECOND, TRUE, TRUE, FALSE, 10);
  /* ten listed (102..111), a Skip Boundary of six target durations */
  fail_unless_equals_uint64 (flu_hls_window_skip_until (w), 6 * GST_SECOND);
  full = playlist (w);
  d = delta (w);
  fail_unless (strstr (full, "#EXT-X-VERSION:6\n") != NULL, "%s", full);
  fail_unless (strstr (full, "CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=6.00000,"
          "HOLD-BACK=3.00000\n") != NULL, "%s", full);
  fail_unless (strstr (full, "EXT-X-SKIP") == NULL);
  fail_unless (strstr (full, "\nseg102.ts\n") != NULL);
  /* segments ending at least 6 s before the end: 102..105 */
  fail_unless (strstr (d, "#EXT-X-VERSION:9\n") != NULL, "%s", d);
  fail_unless (strstr (d, "#EXT-X-MEDIA-SEQUENCE:102\n"
          "#EXT-X-DISCONTINUITY-SEQUENCE:0\n"
          "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n#EXT-X-PROGRAM-DATE-TIME:") != NULL,
      "%s", d);
  fail_unless (strstr (d, "seg105.ts") == NULL, "%s", d);
  fail_unless (strstr (d, "\nseg106.ts\n") != NULL, "%s", d);
  fail_unless (g_str_has_suffix (d, "\nseg111.ts\n"), "%s", d);
  /* the tail is the full playlist's, as it is (6.2.5.1: all tags that
   * were not skipped remain) */
  fail_unless (g_str_has_suffix (full, strstr (d, "#EXT-X-PROGRAM-DATE")));
  g_free (d);
  g_free (full);
  /* ended: _HLS_skip is ignored, the full playlist answers; so are
   * _HLS_msn and _HLS_part, however far ahead */
  fail_unless_equals_int (flu_hls_window_check_block (w, 1000, -1),
      FLU_HLS_TOO_FAR);
  flu_hls_window_end (w);
  fail_unless_equals_int (flu_hls_window_check_block (w, 1000, -1),
      FLU_HLS_READY);
  d = delta (w);
  full = playlist (w);
  fail_unless_equals_string (d, full);
  g_free (d);
  g_free (full);
  flu_hls_window_free (w);

  /* a window too short to skip anything offers no delta */
  cfg.playlist_length = 6;
  w = flu_hls_window_new (&cfg, 0, NULL, NULL);
  for (i = 0; i < 8; i++)
    add (w, GST_SECOND, TRUE, TRUE, FALSE, 10);
  fail_unless_equals_uint64 (flu_hls_window_skip_until (w), 0);
  full = playlist (w);
  d = delta (w);
  fail_unless (strstr (full, "CAN-SKIP-UNTIL") == NULL, "%s", full);
  fail_unless_equals_string (d, full);
  g_free (d);
  g_free (full);
  flu_hls_window_free (w);
}

GST_END_TEST;

/* a live playlist lasts at least three target durations (6.2.2); the
 * figures a multivariant playlist and the rendition reports need */
GST_START_TEST (test_window_min_duration_and_stats)
{
  FluHlsWindowConfig cfg = { 2, 400 * MS, 1, 10 };
  FluHlsWindowStats st;
  FluHlsWindow *w;
  gchar *pl;
  guint i;

  mounted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w = flu_hls_window_new (&cfg, 0, record_mount, NULL);
  for (i = 0; i < 8; i++)
    add_segment (w, FALSE);
  /* playlist-length 1, but 6 s of 1 s segments are listed */
  pl = playlist (w);
  fail_unless (strstr (pl, "#EXT-X-MEDIA-SEQUENCE:2\n") != NULL, "%s", pl);
  g_free (pl);
  flu_hls_window_get_stats (w, &st);
  fail_unless_equals_uint64 (st.media_sequence, 2);
  /* 3000 bytes a second; the last complete segment's last part */
  fail_unless_equals_uint64 (st.peak_bps, 24000);
  fail_unless_equals_uint64 (st.avg_bps, 24000);
  fail_unless_equals_uint64 (st.report_msn, 7);
  fail_unless_equals_int (st.report_part, 2);
  add (w, 300 * MS, TRUE, FALSE, FALSE, 9000);
  flu_hls_window_get_stats (w, &st);
  fail_unless_equals_uint64 (st.report_msn, 8);
  fail_unless_equals_int (st.report_part, 0);
  /* the open segment counts for no bandwidth */
  fail_unless_equals_uint64 (st.peak_bps, 24000);
  flu_hls_window_free (w);
  g_hash_table_unref (mounted);
}

GST_END_TEST;

GST_START_TEST (test_relative)
{
  const gchar *cases[][3] = {
    {"/", "/room1/hi/", "room1/hi/index.m3u8"},
    {"/room1/lo/", "/room1/hi/", "../hi/index.m3u8"},
    {"/a/", "/b/c/", "../b/c/index.m3u8"},
    {"/a/b/", "/a/b/c/", "c/index.m3u8"},
    {"/lo/", "/hi/", "../hi/index.m3u8"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *r = flu_hls_relative_playlist (cases[i][0], cases[i][1]);

    fail_unless_equals_string (r, cases[i][2]);
    g_free (r);
  }
}

GST_END_TEST;

static FluHlsRendition *
rendition (const gchar * mount, guint64 peak, const gchar * codecs,
    guint64 msn, gint64 part)
{
  FluHlsRendition *r = g_new0 (FluHlsRendition, 1);

  r->mount_point = g_strdup (mount);
  r->ready = peak > 0;
  r->peak_bps = peak;
  r->avg_bps = peak * 9 / 10;
  r->codecs = g_strdup (codecs);
  r->last_msn = msn;
  r->last_part = part;
  return r;
}

static void
rendition_free (FluHlsRendition * r)
{
  g_free (r->mount_point);
  g_free (r->codecs);
  g_free (r);
}

/* EXT-X-STREAM-INF (4.4.6.2), EXT-X-RENDITION-REPORT (4.4.5.4) */
GST_START_TEST (test_multivariant_and_reports)
{
  FluHlsRendition *r[3];
  gchar *s;

  r[0] = rendition ("/room1/hi/", 2000000, "avc1.64001f,mp4a.40.2", 50, 3);
  r[0]->width = 1280;
  r[0]->height = 720;
  r[0]->fps = 30000.0 / 1001;
  r[1] = rendition ("/room1/lo/", 500000, NULL, 48, 1);
  r[2] = rendition ("/room1/mid/", 0, NULL, G_MAXUINT64, -1);
  s = flu_hls_multivariant_render ("/", r, 3);
  /* by bandwidth; a rendition without a segment is left out */
  fail_unless_equals_string (s, "#EXTM3U\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=500000,AVERAGE-BANDWIDTH=450000\n"
      "room1/lo/index.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1800000,"
      "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,"
      "FRAME-RATE=29.970\nroom1/hi/index.m3u8\n");
  g_free (s);
  s = flu_hls_reports_render (r[1], r, 3);
  fail_unless_equals_string (s, "#EXT-X-RENDITION-REPORT:"
      "URI=\"../hi/index.m3u8\",LAST-MSN=50,LAST-PART=3\n");
  g_free (s);
  /* plain HLS: no LAST-PART */
  r[1]->last_part = -1;
  s = flu_hls_reports_render (r[0], r, 3);
  fail_unless_equals_string (s, "#EXT-X-RENDITION-REPORT:"
      "URI=\"../lo/index.m3u8\",LAST-MSN=48\n");
  g_free (s);
  r[0]->ready = r[1]->ready = FALSE;
  fail_unless (flu_hls_multivariant_render ("/", r, 3) == NULL);
  s = flu_hls_reports_render (r[0], r, 3);
  fail_unless_equals_string (s, "");
  g_free (s);
  rendition_free (r[0]);
  rendition_free (r[1]);
  rendition_free (r[2]);
}

GST_END_TEST;

/* x264's SPS for 320x240 at 30 fps, High profile, level 2.0 */
static const guint8 sps_high[] = {
  0x67, 0x64, 0x00, 0x14, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x6a, 0x0c,
  0x0c, 0x0d, 0x4a, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00,
  0x79, 0x1e, 0x28, 0x53, 0x2c, 0x00
};

GST_START_TEST (test_sps)
{
  FluHlsH264Info info;

  fail_unless (flu_hls_h264_parse_sps (sps_high, sizeof (sps_high), &info));
  fail_unless_equals_int (info.profile, 100);
  fail_unless_equals_int (info.constraints, 0);
  fail_unless_equals_int (info.level, 20);
  fail_unless_equals_int (info.width, 320);
  fail_unless_equals_int (info.height, 240);
  fail_unless (info.fps > 29.99 && info.fps < 30.01, "fps %f", info.fps);
  /* not an SPS; cut short */
  fail_if (flu_hls_h264_parse_sps (sps_high + 1, sizeof (sps_high) - 1, &info));
  fail_if (flu_hls_h264_parse_sps (sps_high, 6, &info));
}

GST_END_TEST;

static void
ts_packet (GByteArray * out, guint pid, gboolean pusi, const guint8 * payload,
    gsize len)
{
  guint8 pkt[188];

  memset (pkt, 0xff, sizeof (pkt));
  pkt[0] = 0x47;
  pkt[1] = (pusi ? 0x40 : 0) | (pid >> 8);
  pkt[2] = pid & 0xff;
  pkt[3] = 0x10;
  memcpy (pkt + 4, payload, MIN (len, 184));
  g_byte_array_append (out, pkt, 188);
}

/* PAT -> PMT (H.264 on 0x101, AAC on 0x102), a video PES with the SPS,
 * an audio PES with an ADTS header (AAC-LC) */
GST_START_TEST (test_probe)
{
  static const guint8 pat[] = { 0, 0x00, 0xb0, 13, 0, 1, 0xc1, 0, 0,
    0, 1, 0xe1, 0x00, 0, 0, 0, 0
  };
  static const guint8 pmt[] = { 0, 0x02, 0xb0, 23, 0, 1, 0xc1, 0, 0,
    0xe1, 0x01, 0xf0, 0x00, 0x1b, 0xe1, 0x01, 0xf0, 0x00,
    0x0f, 0xe1, 0x02, 0xf0, 0x00, 0, 0, 0, 0
  };
  static const guint8 adts[] = { 0, 0, 1, 0xc0, 0, 0, 0x80, 0, 0,
    0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc
  };
  GByteArray *ts = g_byte_array_new (), *pes = g_byte_array_new ();
  static const guint8 pes_head[] = { 0, 0, 1, 0xe0, 0, 0, 0x80, 0, 0,
    0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1
  };
  static const guint8 idr[] = { 0, 0, 0, 1, 0x65, 0x88 };
  FluHlsProbe p;
  gchar *codecs;

  g_byte_array_append (pes, pes_head, sizeof (pes_head));
  g_byte_array_append (pes, sps_high, sizeof (sps_high));
  g_byte_array_append (pes, idr, sizeof (idr));
  ts_packet (ts, 0, TRUE, pat, sizeof (pat));
  ts_packet (ts, 0x100, TRUE, pmt, sizeof (pmt));
  ts_packet (ts, 0x101, TRUE, pes->data, pes->len);
  ts_packet (ts, 0x102, TRUE, adts, sizeof (adts));

  flu_hls_probe_init (&p);
  /* packet by packet: not done before the audio */
  fail_if (flu_hls_probe_feed (&p, ts->data, 3 * 188));
  fail_unless (flu_hls_probe_feed (&p, ts->data + 3 * 188, 188));
  codecs = flu_hls_probe_codecs (&p);
  fail_unless_equals_string (codecs, "avc1.640014,mp4a.40.2");
  fail_unless_equals_int (p.video.width, 320);
  g_free (codecs);
  flu_hls_probe_clear (&p);
  /* nothing found: no CODECS */
  fail_if (flu_hls_probe_feed (&p, ts->data, 188));
  fail_unless (flu_hls_probe_codecs (&p) == NULL);
  flu_hls_probe_clear (&p);
  g_byte_array_unref (pes);
  g_byte_array_unref (ts);
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
  tcase_add_test (tc, test_window_skip);
  tcase_add_test (tc, test_window_min_duration_and_stats);
  tcase_add_test (tc, test_relative);
  tcase_add_test (tc, test_multivariant_and_reports);
  tcase_add_test (tc, test_sps);
  tcase_add_test (tc, test_probe);
  return s;
}

GST_CHECK_MAIN (fluhlswindow);
