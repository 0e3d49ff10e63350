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

/* fluhlssink's video/audio request pads in-process (x264enc ! h264parse
 * and voaacenc ! aacparse, on a port chosen at run time): the playlist's
 * EXT-X-MAP, the init segment (ftyp + moov with two tracks), segments and
 * parts as moof + mdat (video/mp4, cacheable forever), INDEPENDENT parts
 * starting on a sync sample, EOS (ENDLIST; the element posts EOS itself),
 * audio-only and video-only streams, and pads refused when they cannot
 * be. */

#include "fluhttptest.h"

#include <stdio.h>
#include <string.h>

#define VIDEO "videotestsrc %s ! video/x-raw,format=I420,width=160,height=120," \
  "framerate=30/1 ! x264enc tune=zerolatency speed-preset=ultrafast " \
  "key-int-max=15 ! h264parse ! sink.video "
#define AUDIO "audiotestsrc %s ! audio/x-raw,rate=48000 ! voaacenc ! " \
  "aacparse ! sink.audio "

static guint32
rd32 (const guint8 * p)
{
  return ((guint32) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* the boxes in [d, d + n) tile it; how many are of @type */
static guint
count_boxes (const guint8 * d, gsize n, const gchar * type)
{
  gsize off = 0;
  guint c = 0;

  while (off < n) {
    guint32 size;

    fail_unless (n - off >= 8);
    size = rd32 (d + off);
    fail_unless (size >= 8 && size <= n - off, "bad box size %u", size);
    if (memcmp (d + off + 4, type, 4) == 0)
      c++;
    off += size;
  }
  return c;
}

/* the payload of the first @type box in [d, d + n) */
static const guint8 *
child (const guint8 * d, gsize n, const gchar * type, gsize * len)
{
  gsize off = 0;

  while (off + 8 <= n) {
    guint32 size = rd32 (d + off);

    if (size < 8 || size > n - off)
      return NULL;
    if (memcmp (d + off + 4, type, 4) == 0) {
      *len = size - 8;
      return d + off + 8;
    }
    off += size;
  }
  return NULL;
}

static HttpResponse *
get_media (guint port, const gchar * mount, const gchar * name)
{
  gchar *path = g_strconcat (mount, name, NULL);
  HttpResponse *r = http_get (port, path, NULL, 1 << 24, 10000);
  gchar *v;

  g_free (path);
  fail_unless_equals_int (r->status, 200);
  v = http_header (r, "Content-Type");
  fail_unless_equals_string (v, "video/mp4");
  g_free (v);
  v = http_header (r, "Cache-Control");
  fail_unless_equals_string (v, "public, max-age=31536000, immutable");
  g_free (v);
  return r;
}

/* the text between @open and the next @close after it */
static gchar *
between (const gchar * s, const gchar * open, const gchar * close)
{
  const gchar *p = strstr (s, open), *e;

  if (p == NULL)
    return NULL;
  p += strlen (open);
  e = strstr (p, close);
  return e ? g_strndup (p, e - p) : NULL;
}

/* the first trun's first sample flags of a moof + mdat, and its trafs */
static guint32
first_sample_flags (const guint8 * d, gsize n, guint * trafs)
{
  gsize len, tl, rl;
  const guint8 *moof = child (d, n, "moof", &len), *traf, *trun;

  fail_unless (moof != NULL);
  *trafs = count_boxes (moof, len, "traf");
  traf = child (moof, len, "traf", &tl);
  fail_unless (traf != NULL);
  trun = child (traf, tl, "trun", &rl);
  fail_unless (trun != NULL && rl >= 24);
  /* version/flags, count, data offset, then duration, size, flags */
  return rd32 (trun + 12 + 8);
}

GST_START_TEST (test_fmp4_av)
{
  GstElement *sink, *p;
  gchar *desc, *pl, *name, **lines;
  HttpResponse *r;
  const guint8 *moov;
  gsize len;
  guint port, i, trafs, parts = 0, independent = 0;

  desc = g_strdup_printf (VIDEO AUDIO "fluhlssink name=sink port=0 "
      "mount-point=/f/ target-duration=1 part-target=250000000",
      "is-live=true", "is-live=true");
  p = start_pipeline (desc, NULL, &sink);
  g_free (desc);
  port = sink_port (sink);

  pl = http_get_text (port, "/f/index.m3u8", 15000);
  fail_unless (strstr (pl, "#EXT-X-VERSION:6\n") != NULL, "%s", pl);
  name = between (pl, "#EXT-X-MAP:URI=\"", "\"");
  fail_unless (name != NULL, "no EXT-X-MAP in %s", pl);
  fail_unless (g_str_has_prefix (name, "init") &&
      g_str_has_suffix (name, ".mp4"), "%s", name);
  /* the map comes before the first segment */
  fail_unless (strstr (pl, "#EXT-X-MAP") < strstr (pl, "#EXTINF"));

  /* the init segment: ftyp, then moov with a video and an audio track */
  r = get_media (port, "/f/", name);
  fail_unless (memcmp (r->body->data + 4, "ftyp", 4) == 0);
  fail_unless_equals_int (count_boxes (r->body->data, r->body->len, "moov"), 1);
  moov = child (r->body->data, r->body->len, "moov", &len);
  fail_unless_equals_int (count_boxes (moov, len, "trak"), 2);
  fail_unless (child (moov, len, "mvex", &len) != NULL);
  http_response_free (r);
  g_free (name);

  /* segments and parts: moof + mdat, video/mp4; the parts of a segment
   * make up the segment */
  lines = g_strsplit (pl, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gchar *part = between (lines[i], "#EXT-X-PART:", "\0");

    if (g_str_has_prefix (lines[i], "seg")) {
      r = get_media (port, "/f/", lines[i]);
      /* a styp (media segment, CMAF), then moof + mdat pairs */
      fail_unless (memcmp (r->body->data + 4, "styp", 4) == 0);
      fail_unless (memcmp (r->body->data + 8, "msdh", 4) == 0);
      fail_unless_equals_int (count_boxes (r->body->data, r->body->len,
              "styp"), 1);
      fail_unless (count_boxes (r->body->data, r->body->len, "moof") >= 2);
      fail_unless_equals_int (count_boxes (r->body->data, r->body->len,
              "moof"), count_boxes (r->body->data, r->body->len, "mdat"));
      /* a segment starts on a video keyframe */
      fail_unless_equals_int (first_sample_flags (r->body->data,
              r->body->len, &trafs), 0x02000000);
      http_response_free (r);
    }
    if (g_str_has_prefix (lines[i], "#EXT-X-PART:")) {
      gchar *uri = between (lines[i], "URI=\"", "\"");
      gboolean indep = strstr (lines[i], "INDEPENDENT=YES") != NULL;
      guint32 flags;

      fail_unless (uri && g_str_has_suffix (uri, ".m4s"), "%s", lines[i]);
      r = get_media (port, "/f/", uri);
      fail_unless_equals_int (count_boxes (r->body->data, r->body->len,
              "moof"), 1);
      flags = first_sample_flags (r->body->data, r->body->len, &trafs);
      /* video first: sync exactly on INDEPENDENT parts */
      fail_unless_equals_int (flags == 0x02000000, indep);
      /* video and audio in every part */
      fail_unless_equals_int (trafs, 2);
      http_response_free (r);
      g_free (uri);
      parts++;
      independent += indep;
    }
    g_free (part);
  }
  g_strfreev (lines);
  fail_unless (parts >= 4 && independent >= 1, "%u parts, %u independent",
      parts, independent);
  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

/* the pipeline gets EOS from the element (its base class pad is unused);
 * the playlist ends; video only and audio only each work */
static void
check_eos (const gchar * desc, const gchar * last_extinf)
{
  GstElement *sink, *p = start_pipeline (desc, NULL, &sink);
  guint port = sink_port (sink);
  gchar *pl;

  fail_unless (wait_eos (p, 40), "no EOS for %s", desc);
  g_usleep (G_USEC_PER_SEC / 5);
  pl = http_get_text (port, "/e/index.m3u8", 15000);
  fail_unless (g_str_has_suffix (pl, "#EXT-X-ENDLIST\n"), "%s", pl);
  fail_unless (strstr (pl, "#EXT-X-MAP:URI=\"init") != NULL, "%s", pl);
  fail_unless (strstr (pl, last_extinf) != NULL, "%s", pl);
  g_free (pl);
  stop_pipeline (p);
}

GST_START_TEST (test_fmp4_eos)
{
  gchar *desc;

  /* 100 frames, a keyframe each 15: 0.5 s segments, 0.33 s at the end */
  desc = g_strdup_printf (VIDEO "fluhlssink name=sink port=0 mount-point=/e/ "
      "target-duration=1", "num-buffers=100");
  check_eos (desc, "#EXTINF:0.33333,\n");
  g_free (desc);
  /* 94 AAC frames of 1024 samples: 1 s segments, 2.005 s in all */
  desc = g_strdup_printf (AUDIO "fluhlssink name=sink port=0 mount-point=/e/ "
      "target-duration=1", "num-buffers=94 samplesperbuffer=1024");
  check_eos (desc, "#EXTINF:");
  g_free (desc);
}

GST_END_TEST;

/* an "audio" pad requested and never linked holds neither the parts
 * nor the end: the video's EOS ends the playlist and the pipeline */
GST_START_TEST (test_fmp4_unlinked_pad)
{
  GstElement *sink, *p;
  GstPad *audio;
  GError *err = NULL;
  gchar *desc, *pl;
  guint port;

  desc = g_strdup_printf (VIDEO "fluhlssink name=sink port=0 mount-point=/u/ "
      "target-duration=1 part-target=250000000", "is-live=true num-buffers=60");
  p = gst_parse_launch (desc, &err);
  g_free (desc);
  fail_unless (p != NULL, "parse: %s", err ? err->message : "?");
  sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  audio = gst_element_request_pad_simple (sink, "audio");
  fail_unless (audio != NULL);
  fail_if (gst_pad_is_linked (audio));
  fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  port = sink_port (sink);
  /* 2 s of live video: EOS well within 20 s */
  fail_unless (wait_eos (p, 20), "no EOS with an unlinked " "audio pad");
  g_usleep (G_USEC_PER_SEC / 5);
  pl = http_get_text (port, "/u/index.m3u8", 15000);
  fail_unless (g_str_has_suffix (pl, "#EXT-X-ENDLIST\n"), "%s", pl);
  fail_unless (strstr (pl, "#EXT-X-PART:") != NULL, "%s", pl);
  g_free (pl);
  stop_pipeline (p);
  gst_element_release_request_pad (sink, audio);
  gst_object_unref (audio);
  gst_object_unref (sink);
}

GST_END_TEST;

/* the muxer's INFO lines that say a silent track was skipped */
static gint skip_lines;

static void
count_skips (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text;

  if (level != GST_LEVEL_INFO ||
      g_strcmp0 (gst_debug_category_get_name (category), "fluhlsfmp4") != 0)
    return;
  text = gst_debug_message_get (message);
  if (text && strstr (text, "silent track skipped"))
    g_atomic_int_inc (&skip_lines);
}

/* 2 s of live video and an audio branch through a valve: with
 * drop-mode=transform-to-gap the audio pad gets GAP events, which are
 * its progress (never skipped as silent), and holds the end until its
 * own EOS; with drop-all it gets nothing at all (not even caps), is
 * skipped once, and does not hold the end.  Parts of 1 s: a track is
 * skipped after that long without a gap (a loaded machine's audio
 * thread is not starved that long) */
static void
check_valve (const gchar * mode, gint skips)
{
  GstElement *sink, *p;
  gchar *desc, *pl;
  guint port;

  desc = g_strdup_printf (VIDEO "audiotestsrc is-live=true num-buffers=100 ! "
      "audio/x-raw,rate=48000 ! voaacenc ! aacparse ! valve drop=true "
      "drop-mode=%s ! sink.audio fluhlssink name=sink port=0 mount-point=/g/ "
      "target-duration=2 part-target=1000000000", "is-live=true "
      "num-buffers=60", mode);
  g_atomic_int_set (&skip_lines, 0);
  p = start_pipeline (desc, NULL, &sink);
  g_free (desc);
  port = sink_port (sink);
  fail_unless (wait_eos (p, 20), "no EOS (%s)", mode);
  g_usleep (G_USEC_PER_SEC / 5);
  pl = http_get_text (port, "/g/index.m3u8", 15000);
  fail_unless (g_str_has_suffix (pl, "#EXT-X-ENDLIST\n"), "%s", pl);
  fail_unless (strstr (pl, "#EXT-X-PART:") != NULL, "%s", pl);
  g_free (pl);
  stop_pipeline (p);
  fail_unless_equals_int (g_atomic_int_get (&skip_lines), skips);
}

GST_START_TEST (test_fmp4_audio_gaps)
{
  gst_debug_set_threshold_for_name ("fluhlsfmp4", GST_LEVEL_INFO);
  gst_debug_add_log_function (count_skips, NULL, NULL);
  check_valve ("transform-to-gap", 0);
  check_valve ("drop-all", 1);
  gst_debug_remove_log_function (count_skips);
}

GST_END_TEST;

/* Opus: the init segment's audio trak has an edit list that cuts the
 * pre-skip (media_time 312 at 48 kHz, opusenc's), and the first packet,
 * which opusenc stamps after its priming samples, lasts its 960 samples
 * like the others (its media time is where the priming starts) */
GST_START_TEST (test_fmp4_opus_edit_list)
{
  GstElement *sink, *p;
  gchar *pl, *init, *seg, **lines;
  HttpResponse *r;
  const guint8 *d, *q;
  gsize len, n;
  guint port, i, flags, step;

  p = start_pipeline ("audiotestsrc num-buffers=60 ! audio/x-raw,rate=48000 ! "
      "opusenc ! opusparse ! sink.audio fluhlssink name=sink port=0 "
      "mount-point=/o/ target-duration=1", NULL, &sink);
  port = sink_port (sink);
  fail_unless (wait_eos (p, 40));
  g_usleep (G_USEC_PER_SEC / 5);
  pl = http_get_text (port, "/o/index.m3u8", 15000);
  init = between (pl, "#EXT-X-MAP:URI=\"", "\"");
  fail_unless (init != NULL, "%s", pl);
  r = get_media (port, "/o/", init);
  d = child (r->body->data, r->body->len, "moov", &n);
  fail_unless (d != NULL);
  d = child (d, n, "trak", &n);
  fail_unless (d != NULL);
  d = child (d, n, "edts", &n);
  fail_unless (d != NULL, "no edit list in the Opus trak");
  q = child (d, n, "elst", &len);
  fail_unless (q != NULL && len == 20);
  fail_unless_equals_int (rd32 (q + 4), 1);
  fail_unless_equals_int (rd32 (q + 12), 312);
  http_response_free (r);

  lines = g_strsplit (pl, "\n", -1);
  seg = NULL;
  for (i = 0; lines[i] && seg == NULL; i++)
    if (g_str_has_prefix (lines[i], "seg"))
      seg = g_strdup (lines[i]);
  g_strfreev (lines);
  fail_unless (seg != NULL, "%s", pl);
  r = get_media (port, "/o/", seg);
  d = child (r->body->data, r->body->len, "moof", &n);
  fail_unless (d != NULL);
  d = child (d, n, "traf", &n);
  fail_unless (d != NULL);
  q = child (d, n, "trun", &len);
  fail_unless (q != NULL && len >= 12 + 2 * 12);
  flags = rd32 (q) & 0xffffff;
  fail_unless ((flags & 0x701) == 0x701);
  step = flags & 0x800 ? 16 : 12;
  /* durations: the first packet as long as the second */
  fail_unless_equals_int (rd32 (q + 12), 960);
  fail_unless_equals_int (rd32 (q + 12 + step), 960);
  http_response_free (r);
  g_free (seg);
  g_free (init);
  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

/* the picture size changes: x264enc makes new codec_data, the element a
 * new init segment (its own name, EXT-X-MAP after EXT-X-DISCONTINUITY) */
GST_START_TEST (test_fmp4_caps_change)
{
  GstElement *sink, *p, *cf;
  gchar *pl = NULL, *first, *second, *after, *before;
  HttpResponse *r1, *r2;
  GstCaps *caps;
  guint port, i;

  p = start_pipeline
      ("videotestsrc is-live=true ! videoscale ! capsfilter name=cf "
      "caps=video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! "
      "h264parse ! sink.video fluhlssink name=sink port=0 mount-point=/c/ "
      "target-duration=1 part-target=250000000", NULL, &sink);
  port = sink_port (sink);
  pl = http_get_text (port, "/c/index.m3u8", 15000);
  g_free (pl);
  cf = gst_bin_get_by_name (GST_BIN (p), "cf");
  caps = gst_caps_from_string ("video/x-raw,format=I420,width=320,"
      "height=240,framerate=30/1");
  g_object_set (cf, "caps", caps, NULL);
  gst_caps_unref (caps);
  gst_object_unref (cf);
  /* wait (at most 20 s) for the second init segment to be listed */
  for (i = 0; i < 100; i++) {
    pl = http_get_text (port, "/c/index.m3u8", 15000);
    after = strstr (pl, "#EXT-X-MAP");
    if (after && strstr (after + 1, "#EXT-X-MAP"))
      break;
    g_free (pl);
    pl = NULL;
    g_usleep (G_USEC_PER_SEC / 5);
  }
  fail_unless (pl != NULL, "no second EXT-X-MAP");
  after = strstr (strstr (pl, "#EXT-X-MAP") + 1, "#EXT-X-MAP");
  before = g_strndup (pl, after - pl);
  fail_unless (g_str_has_suffix (before, "#EXT-X-DISCONTINUITY\n"), "%s", pl);
  g_free (before);
  first = between (pl, "#EXT-X-MAP:URI=\"", "\"");
  second = between (after, "#EXT-X-MAP:URI=\"", "\"");
  fail_if (g_str_equal (first, second));
  r1 = get_media (port, "/c/", first);
  r2 = get_media (port, "/c/", second);
  fail_if (r1->body->len == r2->body->len &&
      memcmp (r1->body->data, r2->body->data, r1->body->len) == 0);
  http_response_free (r1);
  http_response_free (r2);
  g_free (first);
  g_free (second);
  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_fmp4_pads)
{
  GstElement *sink = gst_element_factory_make ("fluhlssink", NULL);
  GstElement *src = gst_element_factory_make ("fakesrc", NULL);
  GstElement *bin = gst_pipeline_new (NULL);
  GstPad *v, *a;

  fail_unless (sink != NULL);
  v = gst_element_request_pad_simple (sink, "video");
  fail_unless (v != NULL);
  fail_unless_equals_string (GST_PAD_NAME (v), "video");
  a = gst_element_request_pad_simple (sink, "audio");
  fail_unless (a != NULL);
  gst_element_release_request_pad (sink, v);
  gst_element_release_request_pad (sink, a);
  gst_object_unref (v);
  gst_object_unref (a);

  /* the MPEG-TS pad in use: no request pads */
  gst_bin_add_many (GST_BIN (bin), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  fail_unless (gst_element_request_pad_simple (sink, "video") == NULL);
  gst_object_unref (bin);

  /* out of NULL: none either */
  sink = gst_element_factory_make ("fluhlssink", NULL);
  g_object_set (sink, "port", 0, NULL);
  fail_unless_equals_int (gst_element_set_state (sink, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (gst_element_request_pad_simple (sink, "audio") == NULL);
  gst_element_set_state (sink, GST_STATE_NULL);
  gst_object_unref (sink);
}

GST_END_TEST;

static Suite *
fluhlssinkfmp4_suite (void)
{
  Suite *s = suite_create ("fluhlssinkfmp4");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_fmp4_av);
  tcase_add_test (tc, test_fmp4_eos);
  tcase_add_test (tc, test_fmp4_unlinked_pad);
  tcase_add_test (tc, test_fmp4_opus_edit_list);
  tcase_add_test (tc, test_fmp4_audio_gaps);
  tcase_add_test (tc, test_fmp4_caps_change);
  tcase_add_test (tc, test_fmp4_pads);
  return s;
}

GST_CHECK_MAIN (fluhlssinkfmp4);
