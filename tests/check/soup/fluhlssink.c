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

/* fluhlssink in-process, on ports chosen at run time: playlist, segment
 * and part answers (types, caching, CORS, HEAD, Range, 404, 405),
 * blocking reloads and the held preload-hinted part, 400 and 503, the
 * port shared with fluhttpsink, EOS (ENDLIST), a restart
 * (DISCONTINUITY) and memory bounded with no viewer; two renditions in
 * a group (multivariant playlist, rendition reports, delta playlists). */

#include "fluhttptest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <gst/app/gstappsrc.h>

static gboolean
have_h264 (void)
{
  GstElementFactory *f = gst_element_factory_find ("x264enc");
  GstElementFactory *m = gst_element_factory_find ("mpegtsmux");
  gboolean ok = f && m;

  if (f)
    gst_object_unref (f);
  if (m)
    gst_object_unref (m);
  if (!ok)
    GST_WARNING ("x264enc or mpegtsmux missing: skipped");
  return ok;
}

/* videotestsrc ! x264enc ! mpegtsmux ! fluhlssink name=sink port=0 */
static GstElement *
start_hls (const gchar * src, const gchar * props, GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("videotestsrc %s ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "
      "mpegtsmux ! fluhlssink name=sink port=0 %s", src, props);
  GstElement *p = start_pipeline (desc, NULL, sink);

  g_free (desc);
  return p;
}

/* the value after @tag in @pl (to the end of the line), or NULL */
static gchar *
tag_value (const gchar * pl, const gchar * tag)
{
  const gchar *p = strstr (pl, tag), *e;

  if (p == NULL)
    return NULL;
  p += strlen (tag);
  e = strchr (p, '\n');
  return g_strndup (p, e ? e - p : (gssize) strlen (p));
}

/* the last line starting with @prefix */
static gchar *
last_line (const gchar * pl, const gchar * prefix)
{
  gchar **lines = g_strsplit (pl, "\n", -1), *found = NULL;
  guint i;

  for (i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix)) {
      g_free (found);
      found = g_strdup (lines[i]);
    }
  g_strfreev (lines);
  return found;
}

static gchar *
get_playlist (guint port, const gchar * path)
{
  HttpResponse *r = http_get (port, path, NULL, 1 << 20, 15000);
  gchar *pl;

  fail_unless_equals_int (r->status, 200);
  pl = http_body_text (r);
  http_response_free (r);
  return pl;
}

/* parses the hint part<msn>.<i>.ts */
static void
hint_of (const gchar * pl, guint64 * msn, guint * part)
{
  gchar *h = tag_value (pl, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part");

  fail_unless (h != NULL, "no preload hint in %s", pl);
  fail_unless (sscanf (h, "%" G_GUINT64_FORMAT ".%u.ts", msn, part) == 2);
  g_free (h);
}

GST_START_TEST (test_serve)
{
  GstElement *sink, *p, *web, *websink;
  HttpResponse *r, *r2;
  guint port, part;
  guint64 msn, first;
  gchar *pl, *v, *seg, *path, *range;
  gint64 t0;

  if (!have_h264 ())
    return;
  p = start_hls ("is-live=true", "mount-point=/room1/ target-duration=1 "
      "part-target=250000000 cors-origin=https://example.org", &sink);
  port = sink_port (sink);

  /* the first playlist waits for the first segment */
  r = http_get (port, "/room1/index.m3u8", NULL, 1 << 20, 15000);
  fail_unless_equals_int (r->status, 200);
  v = http_header (r, "Content-Type");
  fail_unless_equals_string (v, "application/vnd.apple.mpegurl");
  g_free (v);
  v = http_header (r, "Cache-Control");
  fail_unless_equals_string (v, "public, max-age=1");
  g_free (v);
  v = http_header (r, "Access-Control-Allow-Origin");
  fail_unless_equals_string (v, "https://example.org");
  g_free (v);
  pl = http_body_text (r);
  http_response_free (r);
  fail_unless (g_str_has_prefix (pl, "#EXTM3U\n"));
  fail_unless (strstr (pl, "#EXT-X-PART-INF:PART-TARGET=0.25000\n") != NULL);
  fail_unless (strstr (pl, "PART-HOLD-BACK=0.75000") != NULL);
  v = tag_value (pl, "#EXT-X-MEDIA-SEQUENCE:");
  first = g_ascii_strtoull (v, NULL, 10);
  g_free (v);

  /* a segment: cacheable forever, TS packets, HEAD, Range */
  seg = last_line (pl, "seg");
  fail_unless (seg != NULL);
  path = g_strconcat ("/room1/", seg, NULL);
  r = http_get (port, path, NULL, 1 << 24, 10000);
  fail_unless_equals_int (r->status, 200);
  fail_unless (r->body->len > 376 && r->body->len % 188 == 0);
  fail_unless_equals_int (r->body->data[0], 0x47);
  /* PAT first */
  fail_unless_equals_int (r->body->data[1] & 0x1f, 0);
  fail_unless_equals_int (r->body->data[2], 0);
  v = http_header (r, "Content-Type");
  fail_unless_equals_string (v, "video/mp2t");
  g_free (v);
  v = http_header (r, "Cache-Control");
  fail_unless_equals_string (v, "public, max-age=31536000, immutable");
  g_free (v);
  r2 = http_get (port, path, "Range: bytes=188-375\r\n", 1 << 20, 10000);
  fail_unless_equals_int (r2->status, 206);
  fail_unless_equals_int (r2->body->len, 188);
  fail_unless (memcmp (r2->body->data, r->body->data + 188, 188) == 0);
  v = http_header (r2, "Content-Range");
  range = g_strdup_printf ("bytes 188-375/%u", r->body->len);
  fail_unless_equals_string (v, range);
  g_free (range);
  g_free (v);
  http_response_free (r2);
  range = g_strdup_printf ("HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
  r2 = http_request ("127.0.0.1", port, range, 1 << 20, 10000);
  g_free (range);
  fail_unless_equals_int (r2->status, 200);
  fail_unless_equals_int (r2->body->len, 0);
  v = http_header (r2, "Content-Length");
  fail_unless_equals_int (atoi (v), r->body->len);
  g_free (v);
  http_response_free (r2);
  http_response_free (r);
  g_free (path);
  g_free (seg);

  /* unknown and never-made names (no mount: the server answers), methods */
  fail_unless_equals_int (http_status (port, "/room1/seg1.ts", NULL), 404);
  fail_unless_equals_int (http_status (port, "/room1/part1.0.ts", NULL), 404);
  fail_unless_equals_int (http_status (port, "/room1/other", NULL), 404);
  r = http_request ("127.0.0.1", port, "POST /room1/index.m3u8 HTTP/1.1\r\n"
      "Host: x\r\nContent-Length: 0\r\n\r\n", 4096, 10000);
  fail_unless_equals_int (r->status, 405);
  http_response_free (r);

  /* 400: too far ahead, _HLS_part alone, not a number */
  v = last_line (pl, "seg");
  msn = g_ascii_strtoull (v + 3, NULL, 10);
  g_free (v);
  path = g_strdup_printf ("/room1/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT,
      msn + 3);
  fail_unless_equals_int (http_status (port, path, NULL), 400);
  g_free (path);
  fail_unless_equals_int (http_status (port, "/room1/index.m3u8?_HLS_part=1",
          NULL), 400);
  fail_unless_equals_int (http_status (port, "/room1/index.m3u8?_HLS_msn=x",
          NULL), 400);
  /* a past msn answers at once */
  path = g_strdup_printf ("/room1/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT,
      first);
  fail_unless_equals_int (http_status (port, path, NULL), 200);
  g_free (path);

  /* a blocking reload for the hinted part: answered once it exists */
  g_free (pl);
  pl = get_playlist (port, "/room1/index.m3u8");
  hint_of (pl, &msn, &part);
  path = g_strdup_printf ("/room1/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT
      "&_HLS_part=%u", msn, part);
  t0 = g_get_monotonic_time ();
  r = http_get (port, path, NULL, 1 << 20, 10000);
  fail_unless_equals_int (r->status, 200);
  /* a part lasts 250 ms at most; generous for loaded machines */
  fail_unless (g_get_monotonic_time () - t0 < 2 * G_USEC_PER_SEC);
  g_free (path);
  g_free (pl);
  pl = http_body_text (r);
  path = g_strdup_printf ("part%" G_GUINT64_FORMAT ".%u.ts\"", msn, part);
  range = g_strdup_printf ("part%" G_GUINT64_FORMAT ".0.ts\"", msn + 1);
  fail_unless (strstr (pl, path) || strstr (pl, range), "%s not in %s", path,
      pl);
  g_free (range);
  g_free (path);
  v = http_header (r, "Cache-Control");
  fail_unless (g_str_has_prefix (v, "public, max-age="));
  g_free (v);
  http_response_free (r);

  /* the hinted part itself is held until it exists (or the segment ends
   * before it: 404) */
  hint_of (pl, &msn, &part);
  path = g_strdup_printf ("/room1/part%" G_GUINT64_FORMAT ".%u.ts", msn, part);
  r = http_get (port, path, NULL, 1 << 22, 10000);
  fail_unless (r->status == 200 || r->status == 404, "%u", r->status);
  if (r->status == 200)
    fail_unless_equals_int (r->body->data[0], 0x47);
  http_response_free (r);
  g_free (path);
  g_free (pl);

  /* fluhttpsink on the same port */
  path = g_strdup_printf ("mount-point=/live.webm port=%u", port);
  web = start_webm_pipeline (path, &websink);
  g_free (path);
  fail_unless_equals_int (sink_port (websink), port);
  r = http_get (port, "/live.webm", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  fail_unless_equals_int (http_status (port, "/room1/index.m3u8", NULL), 200);
  stop_pipeline (web);

  /* a second fluhlssink on the same path and port fails to start */
  expect_ready_failure ("fluhlssink", port, "/room1/");

  fail_unless (stats_u64 (sink, "requests") >= 10);
  fail_unless (stats_u64 (sink, "bad-requests") >= 3);
  fail_unless (stats_u64 (sink, "held-answered") >= 2);
  stop_pipeline (p);
}

GST_END_TEST;

/* no new data: held requests get 503 after 3 target durations */
GST_START_TEST (test_timeout)
{
  GstElement *sink, *p;
  guint port, part;
  guint64 msn;
  gchar *pl, *path;
  HttpResponse *r;
  gint64 t0;

  if (!have_h264 ())
    return;
  p = start_hls ("is-live=true", "mount-point=/t/ target-duration=1", &sink);
  port = sink_port (sink);
  pl = get_playlist (port, "/t/index.m3u8");
  /* a live source sends nothing in PAUSED */
  gst_element_set_state (p, GST_STATE_PAUSED);
  g_usleep (G_USEC_PER_SEC / 2);
  g_free (pl);
  pl = get_playlist (port, "/t/index.m3u8");
  hint_of (pl, &msn, &part);
  path = g_strdup_printf ("/t/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT
      "&_HLS_part=%u", msn, part);
  t0 = g_get_monotonic_time ();
  r = http_get (port, path, NULL, 4096, 10000);
  fail_unless_equals_int (r->status, 503);
  fail_unless (g_get_monotonic_time () - t0 >= 2 * G_USEC_PER_SEC);
  http_response_free (r);
  g_free (path);
  path = g_strdup_printf ("/t/part%" G_GUINT64_FORMAT ".%u.ts", msn, part);
  fail_unless_equals_int (http_status (port, path, NULL), 503);
  g_free (path);
  g_free (pl);
  fail_unless_equals_uint64 (stats_u64 (sink, "timeouts"), 2);
  stop_pipeline (p);
}

GST_END_TEST;

/* EOS: ENDLIST, no hint, blocking requests answered at once */
GST_START_TEST (test_eos)
{
  GstElement *sink, *p;
  guint port;
  gchar *pl, *v, *path;
  guint64 last;

  if (!have_h264 ())
    return;
  p = start_hls ("num-buffers=100", "mount-point=/e/ target-duration=1", &sink);
  port = sink_port (sink);
  fail_unless (wait_eos (p, 60));
  /* the server thread has the last part soon after EOS */
  g_usleep (G_USEC_PER_SEC / 5);
  pl = get_playlist (port, "/e/index.m3u8");
  fail_unless (g_str_has_suffix (pl, "#EXT-X-ENDLIST\n"), "%s", pl);
  fail_unless (strstr (pl, "PRELOAD-HINT") == NULL);
  /* 100 frames at 30/s, a keyframe each 30: 1, 1, 1 and 0.33 s */
  fail_unless (strstr (pl, "#EXTINF:0.33333,\n") != NULL, "%s", pl);
  v = last_line (pl, "seg");
  last = g_ascii_strtoull (v + 3, NULL, 10);
  g_free (v);
  path = g_strdup_printf ("/e/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT
      "&_HLS_part=0", last + 2);
  g_free (pl);
  pl = get_playlist (port, path);
  fail_unless (g_str_has_suffix (pl, "#EXT-X-ENDLIST\n"));
  g_free (path);
  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

/* a restart of the stream: EXT-X-DISCONTINUITY, sequence numbers go on */
GST_START_TEST (test_restart)
{
  GstElement *sink, *p;
  guint port;
  gchar *pl, *v;
  guint64 msn, msn2;
  gint i;

  if (!have_h264 ())
    return;
  p = start_hls ("is-live=true", "mount-point=/r/ target-duration=1 "
      "playlist-length=10", &sink);
  port = sink_port (sink);
  pl = get_playlist (port, "/r/index.m3u8");
  v = tag_value (pl, "#EXT-X-MEDIA-SEQUENCE:");
  msn = g_ascii_strtoull (v, NULL, 10);
  g_free (v);
  g_free (pl);
  fail_unless (strstr (pl = get_playlist (port, "/r/index.m3u8"),
          "#EXT-X-DISCONTINUITY\n") == NULL);
  g_free (pl);
  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  pl = NULL;
  for (i = 0; i < 100; i++) {
    g_free (pl);
    pl = get_playlist (port, "/r/index.m3u8");
    if (strstr (pl, "#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:") &&
        strstr (strstr (pl, "#EXT-X-DISCONTINUITY\n"), "#EXTINF"))
      break;
    g_usleep (G_USEC_PER_SEC / 10);
  }
  fail_unless (i < 100, "no discontinuity: %s", pl);
  v = tag_value (pl, "#EXT-X-MEDIA-SEQUENCE:");
  msn2 = g_ascii_strtoull (v, NULL, 10);
  g_free (v);
  fail_unless (msn2 == msn, "%" G_GUINT64_FORMAT " then %" G_GUINT64_FORMAT,
      msn, msn2);
  fail_unless (strstr (pl, "#EXT-X-DISCONTINUITY-SEQUENCE:0\n") != NULL);
  fail_unless_equals_uint64 (stats_u64 (sink, "discontinuities"), 1);
  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

/* No viewer, a long stream: what the sink holds stays within
 * max-segments (its own counters, sampled while it runs). */
GST_START_TEST (test_memory_bounded)
{
  GstElement *sink, *p;
  guint64 held, max_held = 0, segs, max_segs = 0, total, n;
  GstBus *bus;
  GstMessage *m = NULL;

  if (!have_h264 ())
    return;
  /* 60 s of stream, as fast as it encodes */
  p = start_hls ("num-buffers=1800", "mount-point=/m/ target-duration=1 "
      "max-segments=3 playlist-length=2", &sink);
  bus = gst_element_get_bus (p);
  while (m == NULL) {
    held = stats_u64 (sink, "bytes-held");
    segs = stats_u64 (sink, "segments");
    max_held = MAX (max_held, held);
    max_segs = MAX (max_segs, segs);
    m = gst_bus_timed_pop_filtered (bus, 2 * GST_MSECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  }
  fail_unless_equals_int (GST_MESSAGE_TYPE (m), GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_object_unref (bus);
  g_usleep (G_USEC_PER_SEC / 5);
  total = stats_u64 (sink, "bytes-total");
  n = stats_u64 (sink, "segments-total");
  GST_INFO ("%" G_GUINT64_FORMAT " segments, %" G_GUINT64_FORMAT " bytes; "
      "held at most %" G_GUINT64_FORMAT " segments, %" G_GUINT64_FORMAT
      " bytes", n, total, max_segs, max_held);
  fail_unless (n >= 59, "%" G_GUINT64_FORMAT " segments", n);
  fail_unless (max_segs <= 3);
  fail_unless_equals_uint64 (stats_u64 (sink, "segments"), 3);
  /* 3 complete segments and one in progress, segments of about the
   * mean size: twice that is a generous bound */
  fail_unless (max_held <= 2 * 4 * (total / n), "held %" G_GUINT64_FORMAT
      " of %" G_GUINT64_FORMAT, max_held, total);
  stop_pipeline (p);
}

GST_END_TEST;

static GstCaps *
ts_caps (guint8 header_byte)
{
  GstCaps *caps = gst_caps_from_string ("video/mpegts, systemstream=true, "
      "packetsize=188");

  if (header_byte) {
    GValue array = G_VALUE_INIT, v = G_VALUE_INIT;
    GstBuffer *b = gst_buffer_new_allocate (NULL, 188, NULL);

    gst_buffer_memset (b, 0, header_byte, 188);
    gst_buffer_memset (b, 0, 0x47, 1);
    g_value_init (&array, GST_TYPE_ARRAY);
    g_value_init (&v, GST_TYPE_BUFFER);
    gst_value_set_buffer (&v, b);
    gst_value_array_append_and_take_value (&array, &v);
    gst_caps_set_value (caps, "streamheader", &array);
    g_value_unset (&array);
    gst_buffer_unref (b);
  }
  return caps;
}

static void
set_caps (GstElement * src, GstCaps * caps)
{
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_caps_unref (caps);
}

/* one "frame" a buffer of 188 bytes, 30 a second, a keyframe every 30 */
static void
push_frames (GstElement * src, guint from, guint n, gboolean discont)
{
  guint i;

  for (i = from; i < from + n; i++) {
    GstBuffer *b = gst_buffer_new_allocate (NULL, 188, NULL);

    gst_buffer_memset (b, 0, 0x47, 188);
    GST_BUFFER_PTS (b) = gst_util_uint64_scale (i, GST_SECOND, 30);
    if (i % 30)
      GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DELTA_UNIT);
    if (discont && i == from)
      GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src), b),
        GST_FLOW_OK);
  }
}

static guint
count_str (const gchar * s, const gchar * what)
{
  guint n = 0;

  while ((s = strstr (s, what))) {
    n++;
    s += strlen (what);
  }
  return n;
}

/* Discontinuities: the first streamheader is none; another streamheader
 * (new streams), other caps and a DISCONT buffer are; the stream's
 * first segment never is. */
GST_START_TEST (test_discontinuities)
{
  GstElement *p, *src, *sink;
  gchar *pl;
  guint port;

  p = start_pipeline ("appsrc name=src format=time ! fluhlssink name=sink "
      "port=0 mount-point=/d/ target-duration=1 playlist-length=10", &src,
      &sink);
  port = sink_port (sink);
  set_caps (src, ts_caps (0));
  push_frames (src, 0, 30, TRUE);
  /* the muxer's first streamheader: no discontinuity */
  set_caps (src, ts_caps (1));
  push_frames (src, 30, 30, FALSE);
  /* a new streamheader: segment 2 is discontinuous */
  set_caps (src, ts_caps (2));
  push_frames (src, 60, 30, FALSE);
  /* a DISCONT buffer (timestamps start again): segment 3 */
  push_frames (src, 0, 30, TRUE);
  /* other caps: segment 4 */
  {
    GstCaps *c = ts_caps (2);

    gst_caps_set_simple (c, "extra", G_TYPE_INT, 1, NULL);
    set_caps (src, c);
  }
  push_frames (src, 30, 30, FALSE);
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  fail_unless (wait_eos (p, 60));
  g_usleep (G_USEC_PER_SEC / 5);
  pl = get_playlist (port, "/d/index.m3u8");
  fail_unless_equals_int (count_str (pl, "#EXTINF:"), 5);
  fail_unless_equals_int (count_str (pl, "#EXT-X-DISCONTINUITY\n"), 3);
  fail_unless (strstr (pl, "#EXT-X-DISCONTINUITY-SEQUENCE:0\n"));
  /* segment 1 starts with the first streamheader */
  fail_unless (strstr (pl, "#EXTINF:1.00000,\nseg") != NULL, "%s", pl);
  fail_unless_equals_uint64 (stats_u64 (sink, "discontinuities"), 3);
  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

static gint
n_threads (void)
{
  gchar *status = NULL, *p;
  gint n = -1;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (p = strstr (status, "\nThreads:")))
    n = atoi (p + 9);
  g_free (status);
  return n;
}

#define N_HELD 200

/* Held requests cost no thread: N_HELD blocking reloads wait together
 * (the process's thread count does not move) and all get the playlist
 * with the part they asked for. */
GST_START_TEST (test_many_held)
{
  GstElement *sink, *p;
  guint port, part, i, answered = 0;
  guint64 msn, held = 0;
  gint fds[N_HELD], threads0, threads1;
  gchar *pl, *req, *want, *next;
  GString *got[N_HELD];
  gint64 deadline;

  if (!have_h264 ())
    return;
  p = start_hls ("is-live=true", "mount-point=/h/ target-duration=1 "
      "part-target=250000000", &sink);
  port = sink_port (sink);
  pl = get_playlist (port, "/h/index.m3u8");
  hint_of (pl, &msn, &part);
  g_free (pl);
  /* three parts ahead (about 700 ms), within the Advance Part Limit (12
   * parts); past the end of the segment, part 0 of the next one answers */
  part += 3;
  req = g_strdup_printf ("GET /h/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT
      "&_HLS_part=%u HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      msn, part);
  threads0 = n_threads ();
  for (i = 0; i < N_HELD; i++) {
    fds[i] = tcp_connect ("127.0.0.1", port);
    fail_unless (fds[i] >= 0);
    fail_unless (write (fds[i], req, strlen (req)) == (gssize) strlen (req));
    got[i] = g_string_new (NULL);
  }
  g_free (req);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline) {
    GstStructure *s;
    guint h;

    g_object_get (sink, "stats", &s, NULL);
    gst_structure_get_uint (s, "held", &h);
    gst_structure_free (s);
    held = MAX (held, h);
    if (h == 0 && held)
      break;
    if (h >= N_HELD / 2) {
      threads1 = n_threads ();
      fail_unless (threads1 <= threads0 + 2, "%d threads, %d before",
          threads1, threads0);
    }
    g_usleep (1000);
  }
  GST_INFO ("%" G_GUINT64_FORMAT " requests held at once", held);
  fail_unless (held >= N_HELD / 2, "only %" G_GUINT64_FORMAT " held", held);
  /* every one answered, with the part it waited for */
  want = g_strdup_printf ("part%" G_GUINT64_FORMAT ".%u.ts\"", msn, part);
  next = g_strdup_printf ("part%" G_GUINT64_FORMAT ".0.ts\"", msn + 1);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (answered < N_HELD && g_get_monotonic_time () < deadline) {
    struct pollfd pfd[N_HELD];
    guint n = 0;

    for (i = 0; i < N_HELD; i++)
      if (fds[i] >= 0) {
        pfd[n].fd = fds[i];
        pfd[n++].events = POLLIN;
      }
    if (poll (pfd, n, 100) <= 0)
      continue;
    for (i = 0; i < n; i++) {
      gchar buf[8192];
      gssize r;
      guint j;

      if (!(pfd[i].revents & (POLLIN | POLLHUP)))
        continue;
      for (j = 0; fds[j] != pfd[i].fd; j++);
      r = read (fds[j], buf, sizeof (buf));
      if (r > 0) {
        g_string_append_len (got[j], buf, r);
        continue;
      }
      close (fds[j]);
      fds[j] = -1;
      answered++;
    }
  }
  for (i = 0; i < N_HELD; i++) {
    fail_unless (g_str_has_prefix (got[i]->str, "HTTP/1.1 200"), "%u: %s",
        i, got[i]->str);
    fail_unless (strstr (got[i]->str, want) || strstr (got[i]->str, next),
        "%u: no %s", i, want);
    g_string_free (got[i], TRUE);
    if (fds[i] >= 0)
      close (fds[i]);
  }
  fail_unless_equals_int (answered, N_HELD);
  g_free (want);
  g_free (next);
  stop_pipeline (p);
}

GST_END_TEST;

/* Reads every fd to EOF (10 s at most); the answers in @got. */
static void
read_all (gint * fds, GString ** got, guint n_fds)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint open = n_fds, i;

  while (open && g_get_monotonic_time () < deadline) {
    for (i = 0; i < n_fds; i++) {
      struct pollfd pfd = { fds[i], POLLIN, 0 };
      gchar buf[8192];
      gssize r;

      if (fds[i] < 0 || poll (&pfd, 1, 10) <= 0)
        continue;
      r = read (fds[i], buf, sizeof (buf));
      if (r > 0) {
        g_string_append_len (got[i], buf, r);
      } else {
        close (fds[i]);
        fds[i] = -1;
        open--;
      }
    }
  }
}

/* past max-held, requests that would wait get 503 at once */
GST_START_TEST (test_max_held)
{
  GstElement *sink, *p;
  guint port, part, i, ok = 0, busy = 0;
  guint64 msn;
  gint fds[10];
  GString *got[10];
  gchar *pl, *req;

  if (!have_h264 ())
    return;
  p = start_hls ("is-live=true", "mount-point=/x/ target-duration=1 "
      "part-target=250000000 max-held=5", &sink);
  port = sink_port (sink);
  pl = get_playlist (port, "/x/index.m3u8");
  hint_of (pl, &msn, &part);
  g_free (pl);
  req = g_strdup_printf ("GET /x/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT
      "&_HLS_part=%u HTTP/1.1\r\nHost: x\r\n\r\n", msn, part + 3);
  for (i = 0; i < 10; i++) {
    fds[i] = tcp_connect ("127.0.0.1", port);
    fail_unless (fds[i] >= 0);
    fail_unless (write (fds[i], req, strlen (req)) == (gssize) strlen (req));
    got[i] = g_string_new (NULL);
  }
  g_free (req);
  read_all (fds, got, 10);
  for (i = 0; i < 10; i++) {
    if (g_str_has_prefix (got[i]->str, "HTTP/1.1 200"))
      ok++;
    else if (g_str_has_prefix (got[i]->str, "HTTP/1.1 503"))
      busy++;
    g_string_free (got[i], TRUE);
  }
  fail_unless_equals_int (ok, 5);
  fail_unless_equals_int (busy, 5);
  fail_unless_equals_uint64 (stats_u64 (sink, "held-refused"), 5);
  stop_pipeline (p);
}

GST_END_TEST;

/* two renditions at two bitrates (x264enc ! mpegtsmux) in one group on
 * one port: the multivariant playlist, the rendition reports, delta
 * playlists (also with blocking reloads), 400 for a bad _HLS_skip */
static GstElement *
start_rendition (guint port, const gchar * name, guint kbps, GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 "
      "bitrate=%u ! mpegtsmux ! fluhlssink name=sink port=%u group=grp "
      "mount-point=/grp/%s/ target-duration=1 playlist-length=7", kbps, port,
      name);
  GstElement *p = start_pipeline (desc, NULL, sink);

  g_free (desc);
  return p;
}

GST_START_TEST (test_group)
{
  GstElement *lo_sink, *hi_sink, *lo, *hi, *bad;
  HttpResponse *r;
  gchar *pl = NULL, *v, *path;
  guint port, i, part;
  guint64 lo_bw, hi_bw, msn;

  lo = start_rendition (0, "lo", 100, &lo_sink);
  port = sink_port (lo_sink);
  hi = start_rendition (port, "hi", 2000, &hi_sink);
  g_free (get_playlist (port, "/grp/lo/index.m3u8"));
  g_free (get_playlist (port, "/grp/hi/index.m3u8"));

  /* both listed once both have a segment */
  for (i = 0; i < 100; i++) {
    r = http_get (port, "/grp.m3u8", NULL, 1 << 20, 5000);
    g_free (pl);
    pl = http_body_text (r);
    if (r->status == 200 && strstr (pl, "grp/lo/") && strstr (pl, "grp/hi/"))
      break;
    fail_unless (r->status == 200 || r->status == 503);
    http_response_free (r);
    r = NULL;
    g_usleep (G_USEC_PER_SEC / 10);
  }
  fail_unless (r != NULL, "not both renditions: %s", pl);
  v = http_header (r, "Content-Type");
  fail_unless_equals_string (v, "application/vnd.apple.mpegurl");
  g_free (v);
  http_response_free (r);
  /* by bandwidth: lo, then hi */
  fail_unless (g_str_has_prefix (pl, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH="),
      "%s", pl);
  fail_unless (strstr (pl, "grp/lo/index.m3u8") <
      strstr (pl, "grp/hi/index.m3u8"), "%s", pl);
  fail_unless (sscanf (strstr (pl, "BANDWIDTH="), "BANDWIDTH=%"
          G_GUINT64_FORMAT, &lo_bw) == 1);
  fail_unless (sscanf (strstr (strstr (pl, "grp/lo/"), "BANDWIDTH="),
          "BANDWIDTH=%" G_GUINT64_FORMAT, &hi_bw) == 1);
  fail_unless (lo_bw < hi_bw, "%s", pl);
  fail_unless (strstr (pl, ",AVERAGE-BANDWIDTH=") != NULL, "%s", pl);
  /* CODECS from the SPS, RESOLUTION and FRAME-RATE from its VUI */
  fail_unless (strstr (pl, ",CODECS=\"avc1.") != NULL, "%s", pl);
  fail_unless (strstr (pl, ",RESOLUTION=160x120,FRAME-RATE=30.000\n")
      != NULL, "%s", pl);
  g_free (pl);

  /* each media playlist reports the other */
  pl = get_playlist (port, "/grp/lo/index.m3u8");
  fail_unless (strstr (pl, "\n#EXT-X-RENDITION-REPORT:URI=\"../hi/index.m3u8\""
          ",LAST-MSN=") != NULL, "%s", pl);
  fail_unless (strstr (pl, ",LAST-PART=") != NULL, "%s", pl);
  fail_unless (strstr (pl, "URI=\"../lo/") == NULL, "%s", pl);
  g_free (pl);
  pl = get_playlist (port, "/grp/hi/index.m3u8");
  fail_unless (strstr (pl, "#EXT-X-RENDITION-REPORT:URI=\"../lo/index.m3u8\"")
      != NULL, "%s", pl);
  fail_unless (strstr (pl, "CAN-SKIP-UNTIL=6.00000") != NULL, "%s", pl);
  g_free (pl);

  /* a bad _HLS_skip: 400 */
  fail_unless_equals_int (http_status (port,
          "/grp/hi/index.m3u8?_HLS_skip=NO", NULL), 400);
  /* a delta once seven segments are listed */
  pl = NULL;
  for (i = 0; i < 150; i++) {
    g_free (pl);
    pl = get_playlist (port, "/grp/hi/index.m3u8?_HLS_skip=YES");
    if (strstr (pl, "#EXT-X-SKIP:SKIPPED-SEGMENTS="))
      break;
    g_usleep (G_USEC_PER_SEC / 10);
  }
  fail_unless (strstr (pl, "#EXT-X-VERSION:9\n") != NULL, "%s", pl);
  fail_unless (strstr (pl, "#EXT-X-RENDITION-REPORT:") != NULL, "%s", pl);
  /* and with a blocking reload: the hinted part, skipped */
  hint_of (pl, &msn, &part);
  g_free (pl);
  path = g_strdup_printf ("/grp/hi/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT
      "&_HLS_part=%u&_HLS_skip=YES", msn, part);
  r = http_get (port, path, NULL, 1 << 20, 10000);
  g_free (path);
  fail_unless_equals_int (r->status, 200);
  v = http_header (r, "Cache-Control");
  fail_unless (g_str_has_prefix (v, "public, max-age="), "%s", v);
  g_free (v);
  pl = http_body_text (r);
  http_response_free (r);
  path = g_strdup_printf ("part%" G_GUINT64_FORMAT ".%u.ts\"", msn, part);
  fail_unless (strstr (pl, path) != NULL, "%s not in %s", path, pl);
  fail_unless (strstr (pl, "#EXT-X-SKIP:SKIPPED-SEGMENTS=") != NULL, "%s", pl);
  g_free (path);
  g_free (pl);

  /* a member gone, the multivariant playlist lists the others */
  stop_pipeline (hi);
  pl = get_playlist (port, "/grp.m3u8");
  fail_unless (strstr (pl, "grp/hi/") == NULL, "%s", pl);
  g_free (pl);
  /* a member with another target duration (6.2.4: the same in every
   * media playlist of a multivariant playlist) */
  bad = gst_element_factory_make ("fluhlssink", NULL);
  g_object_set (bad, "port", port, "group", "grp", "mount-point", "/grp/x/",
      "target-duration", 2, NULL);
  fail_unless_equals_int (gst_element_set_state (bad, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  gst_element_set_state (bad, GST_STATE_NULL);
  gst_object_unref (bad);
  /* a group name that is no name */
  bad = gst_element_factory_make ("fluhlssink", NULL);
  g_object_set (bad, "port", port, "group", "a/b", "mount-point", "/bad/",
      NULL);
  fail_unless_equals_int (gst_element_set_state (bad, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  gst_element_set_state (bad, GST_STATE_NULL);
  gst_object_unref (bad);
  stop_pipeline (lo);
}

GST_END_TEST;

static Suite *
fluhlssink_suite (void)
{
  Suite *s = suite_create ("fluhlssink");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_serve);
  tcase_add_test (tc, test_timeout);
  tcase_add_test (tc, test_eos);
  tcase_add_test (tc, test_restart);
  tcase_add_test (tc, test_memory_bounded);
  tcase_add_test (tc, test_many_held);
  tcase_add_test (tc, test_discontinuities);
  tcase_add_test (tc, test_max_held);
  tcase_add_test (tc, test_group);
  return s;
}

GST_CHECK_MAIN (fluhlssink);
