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


/* Kept-alive requests answered without libsoup (the fast path of
 * ext/soup/fluhttpkeep.c and fluhlssink.c): on a public mount, the same
 * requests asked on a kept connection (the fast path, its "fast-answers"
 * stat counting them) and on fresh connections (libsoup's path, with
 * FLU_HTTP_FIRST_FAST=0) get the
 * same status, headers (but Date) and body, MPEG-TS and fMP4 (its init
 * segment too); what the fast path leaves to
 * libsoup (404, 400, a held part) still answered there; a head split
 * over two writes, two pipelined requests in one write, "Connection:
 * close"; requests and bytes counted as libsoup's path counts them, in
 * the element's stats and the stats-path JSON.  On a session mount
 * (htpasswd, access log, tokens bound to the address): the viewer's
 * first request through libsoup, its next ones (token in the query or
 * the cookie) by the fast path with the answer libsoup gives the same
 * token, a forged token's 403 left to libsoup, one credential check, the
 * session's bytes and requests in its end message and log line as
 * read. */

#include "fluhttptest.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib/gstdio.h>



/* body bytes read by every client */
static guint64 body_read;

static void
client_write (Client * c, const gchar * bytes)
{
  gsize len = strlen (bytes);

  fail_unless (send (c->fd, bytes, len, MSG_NOSIGNAL) == (gssize) len);
}

static gchar *
request_text (const gchar * method, const gchar * path, const gchar * headers)
{
  return g_strdup_printf ("%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n", method, path,
      headers ? headers : "");
}

/* one answer (client_read ()), its head kept without the Date line
 * (which must be there); its body counted in body_read */
static Answer *
client_read_dated (Client * c, gboolean head_only)
{
  Answer *a = client_read (c, head_only);
  gchar *h = head_undated (a->head);

  g_free (a->head);
  a->head = h;
  body_read += a->body->len;
  return a;
}

static guint64
stat_uint (GstElement * sink, const gchar * field)
{
  GstStructure *s;
  guint64 v = 0;

  g_object_get (sink, "stats", &s, NULL);
  fail_unless (gst_structure_get_uint64 (s, field, &v), "no %s", field);
  gst_structure_free (s);
  return v;
}

/* "field": N of the stats-path JSON */
static guint64
json_uint (guint port, const gchar * field)
{
  HttpResponse *r = http_get (port, "/tv-stats.json", NULL, 65536, 5000);
  gchar *key = g_strdup_printf ("\"%s\"", field), *body, *at;
  guint64 v;

  fail_unless_equals_int (r->status, 200);
  body = g_strndup ((gchar *) r->body->data, r->body->len);
  at = strstr (body, key);
  fail_unless (at != NULL, "no %s in %s", field, body);
  at = strchr (at + strlen (key), ':');
  fail_unless (at != NULL);
  v = g_ascii_strtoull (at + 1, NULL, 10);
  g_free (body);
  g_free (key);
  http_response_free (r);
  return v;
}

/* MPEG-TS, or with @fmp4 CMAF on the video pad; a valve "v" before the
 * sink (open) */
static GstElement *
start_hls_with (const gchar * src, gboolean fmp4, const gchar * props,
    GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true %s ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! "
      "%s fluhlssink name=sink port=0 mount-point=/tv/ "
      "target-duration=1 part-target=250000000 stats-path=/tv-stats.json "
      "cors-origin=* %s", src, fmp4 ? "h264parse ! valve name=v ! sink.video" :
      "mpegtsmux ! valve name=v !", props);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);

  g_free (desc);
  fail_unless (p != NULL, "parse: %s", err ? err->message : "?");
  *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  gst_object_unref (*sink);
  fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  return p;
}

static GstElement *
start_hls (const gchar * src, gboolean fmp4, GstElement ** sink)
{
  return start_hls_with (src, fmp4, "", sink);
}

/* @req on the kept connection @k (fast or not, as @fast says: the
 * fast-answers stat) and on a fresh connection: the same answer */
static void
same_answer (GstElement * sink, Client * k, const gchar * method,
    const gchar * path, const gchar * headers, gboolean fast, guint status)
{
  gboolean head = strcmp (method, "HEAD") == 0;
  gchar *req = request_text (method, path, headers);
  guint64 before = stat_uint (sink, "fast-answers");
  Client *f;
  Answer *a, *b;

  client_write (k, req);
  a = client_read_dated (k, head);
  fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - before,
      fast ? 1 : 0);
  f = client_new (sink_port (sink));
  client_write (f, req);
  b = client_read_dated (f, head);
  client_free (f);
  fail_unless_equals_int (a->status, status);
  fail_unless_equals_string (a->head, b->head);
  fail_unless_equals_int (a->body->len, b->body->len);
  fail_unless (a->body->len == 0 ||
      memcmp (a->body->data, b->body->data, a->body->len) == 0,
      "%s %s: bodies differ", method, path);
  answer_free (a);
  answer_free (b);
  g_free (req);
}

/* a finished stream (its window no longer moves): every answerable
 * request the same on both paths */
static void
same_answers (gboolean fmp4)
{
  GstElement *sink, *p = start_hls ("num-buffers=75", fmp4, &sink);
  GstBus *bus = gst_element_get_bus (p);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  Client *k;
  Answer *a;
  gchar *req, *pl, *seg, *part, *path, *range;
  guint len;

  fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_object_unref (bus);
  k = client_new (sink_port (sink));
  /* the first request of a connection goes through libsoup */
  req = request_text ("GET", "/tv/index.m3u8", NULL);
  client_write (k, req);
  g_free (req);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 200);
  pl = g_strndup ((gchar *) a->body->data, a->body->len);
  answer_free (a);
  seg = last_uri (pl, "seg");
  part = last_uri (pl, "#EXT-X-PART:");
  fail_unless (seg && part, "%s", pl);
  if (fmp4) {
    gchar *init = last_uri (pl, "#EXT-X-MAP:");

    fail_unless (init != NULL, "%s", pl);
    path = g_strconcat ("/tv/", init, NULL);
    same_answer (sink, k, "GET", path, NULL, TRUE, 200);
    g_free (path);
    g_free (init);
  }

  same_answer (sink, k, "GET", "/tv/index.m3u8", NULL, TRUE, 200);
  same_answer (sink, k, "GET", "/tv/index.m3u8?_HLS_skip=YES", NULL, TRUE, 200);
  same_answer (sink, k, "GET", "/tv/index.m3u8?_HLS_msn=1&_HLS_part=0",
      NULL, TRUE, 200);
  path = g_strconcat ("/tv/", seg, NULL);
  same_answer (sink, k, "GET", path, NULL, TRUE, 200);
  same_answer (sink, k, "HEAD", path, NULL, TRUE, 200);
  same_answer (sink, k, "GET", path, "Range: bytes=188-375\r\n", TRUE, 206);
  same_answer (sink, k, "GET", path, "Range: bytes=0-9,400-409\r\n", TRUE, 200);
  req = request_text ("HEAD", path, NULL);
  client_write (k, req);
  g_free (req);
  a = client_read_dated (k, TRUE);
  {
    gchar *v = answer_header (a, "Content-Length");

    len = atoi (v);
    g_free (v);
  }
  answer_free (a);
  range = g_strdup_printf ("Range: bytes=%u-\r\n", len + 10);
  same_answer (sink, k, "GET", path, range, TRUE, 416);
  g_free (range);
  g_free (path);
  path = g_strconcat ("/tv/", part, NULL);
  same_answer (sink, k, "GET", path, NULL, TRUE, 200);
  g_free (path);
  /* left to libsoup */
  same_answer (sink, k, "GET", "/tv/index.m3u8?_HLS_part=1", NULL, FALSE, 400);
  same_answer (sink, k, "POST", "/tv/index.m3u8", "Content-Length: 0\r\n",
      FALSE, 405);
  /* no mount there: libsoup's 404 (that closes the connection) */
  same_answer (sink, k, "GET", "/tv/seg999999.ts", NULL, FALSE, 404);

  client_free (k);
  g_free (pl);
  g_free (seg);
  g_free (part);
  stop_pipeline (p);
}

GST_START_TEST (test_same_answers)
{
  same_answers (FALSE);
}

GST_END_TEST;

/* the same with CMAF, its init segment too */
GST_START_TEST (test_same_answers_fmp4)
{
  same_answers (TRUE);
}

GST_END_TEST;

/* a live stream: a held part through libsoup, a split head, pipelined
 * requests, "Connection: close", the counts */
GST_START_TEST (test_live)
{
  GstElement *sink, *p = start_hls ("", FALSE, &sink);
  guint port = sink_port (sink);
  guint64 fast0, req0, json0, sent0, sum = 0;
  Client *k = client_new (port);
  gchar *req, *pl = NULL, *hint, *path;
  Answer *a;
  guint i, n = 0;

  /* a playlist with two segments (first through libsoup, then fast) */
  for (;;) {
    req = request_text ("GET", "/tv/index.m3u8", NULL);
    client_write (k, req);
    g_free (req);
    a = client_read_dated (k, FALSE);
    fail_unless_equals_int (a->status, 200);
    g_free (pl);
    pl = g_strndup ((gchar *) a->body->data, a->body->len);
    answer_free (a);
    if (strstr (pl, "seg") && strstr (strstr (pl, "#EXTINF") + 1, "#EXTINF"))
      break;
    g_usleep (100 * 1000);
  }
  fail_unless (stat_uint (sink, "fast-answers") > 0);
  /* counted from here: everything is answered before the next */
  fast0 = stat_uint (sink, "fast-answers");
  req0 = stat_uint (sink, "requests");
  json0 = json_uint (port, "requests");
  sent0 = stat_uint (sink, "bytes-sent");

  /* the hinted part: held, so libsoup's; answered when made */
  hint = last_uri (pl, "#EXT-X-PRELOAD-HINT:");
  fail_unless (hint != NULL, "%s", pl);
  path = g_strconcat ("/tv/", hint, NULL);
  req = request_text ("GET", path, NULL);
  client_write (k, req);
  g_free (req);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 200);
  fail_unless_equals_int (a->body->data[0], 0x47);
  sum += a->body->len;
  n++;
  answer_free (a);
  g_free (path);
  g_free (hint);

  /* half a head, then the rest */
  client_write (k, "GET /tv/index.m3u8 HTTP/1.1\r\nHo");
  g_usleep (200 * 1000);
  client_write (k, "st: x\r\n\r\n");
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 200);
  fail_unless (g_str_has_prefix ((gchar *) a->body->data, "#EXTM3U"));
  sum += a->body->len;
  n++;
  answer_free (a);

  /* two in one write: both answered, in order */
  req = g_strconcat ("GET /tv/index.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n",
      "HEAD /tv/index.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n", NULL);
  client_write (k, req);
  g_free (req);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 200);
  fail_unless (a->body->len > 0);
  sum += a->body->len;
  answer_free (a);
  a = client_read_dated (k, TRUE);
  fail_unless_equals_int (a->status, 200);
  answer_free (a);
  n += 2;

  /* a few more fast ones */
  for (i = 0; i < 5; i++) {
    req = request_text ("GET", "/tv/index.m3u8", NULL);
    client_write (k, req);
    g_free (req);
    a = client_read_dated (k, FALSE);
    fail_unless_equals_int (a->status, 200);
    sum += a->body->len;
    n++;
    answer_free (a);
  }
  fail_unless (stat_uint (sink, "fast-answers") - fast0 >= 5);

  /* "Connection: close": answered, closed */
  req = request_text ("GET", "/tv/index.m3u8", "Connection: close\r\n");
  client_write (k, req);
  g_free (req);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 200);
  sum += a->body->len;
  n++;
  answer_free (a);
  wait_closed (k);
  client_free (k);

  /* every request and body byte counted once, whichever path (bytes are
   * told once written: maybe a moment after the client has them) */
  fail_unless_equals_uint64 (stat_uint (sink, "requests") - req0, n);
  fail_unless_equals_uint64 (json_uint (port, "requests") - json0, n);
  for (i = 0; i < 100 && stat_uint (sink, "bytes-sent") - sent0 != sum; i++)
    g_usleep (50 * 1000);
  fail_unless_equals_uint64 (stat_uint (sink, "bytes-sent") - sent0, sum);

  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

/* "viewer:secret" (htpasswd -s) */
#define HTPASSWD "viewer:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"

/* @req asked on the kept connection @k (by the fast path: fast-answers
 * counts it) and on a fresh connection: the same answer.  A playlist's
 * tokens and cookie that are not a segment's last session-timeout from
 * the second they are made: asked again when the two straddle one
 * (@asked: the requests made). */
static void
same_session_answer (GstElement * sink, Client * k, const gchar * path,
    const gchar * headers, guint * asked)
{
  gchar *req = request_text ("GET", path, headers);
  gboolean same = FALSE;
  guint tries;

  for (tries = 0; tries < 3 && !same; tries++) {
    guint64 before = stat_uint (sink, "fast-answers");
    Client *f;
    Answer *a, *b;

    client_write (k, req);
    a = client_read_dated (k, FALSE);
    fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - before, 1);
    f = client_new (sink_port (sink));
    client_write (f, req);
    b = client_read_dated (f, FALSE);
    client_free (f);
    *asked += 2;
    fail_unless_equals_int (a->status, 200);
    fail_unless_equals_int (b->status, 200);
    same = strcmp (a->head, b->head) == 0 && a->body->len == b->body->len &&
        memcmp (a->body->data, b->body->data, a->body->len) == 0;
    if (!same && tries == 2) {
      fail_unless_equals_string (a->head, b->head);
      fail_unless (FALSE, "%s: bodies differ", path);
    }
    answer_free (a);
    answer_free (b);
  }
  g_free (req);
}

/* a session mount (htpasswd, access log): the first request, with
 * credentials, through libsoup; the session's next ones on the kept
 * connection by the fast path, answered as libsoup answers the same
 * token (query or cookie); a forged token left to libsoup (403); one
 * credential check; the session's bytes and requests in its end message
 * and log line as sent */
GST_START_TEST (test_sessions)
{
  gchar *dir = g_dir_make_tmp ("fluhttpfast-XXXXXX", NULL);
  gchar *users = g_build_filename (dir, "users", NULL);
  gchar *log = g_build_filename (dir, "access.log", NULL);
  gchar *props, *auth, *req, *pl, *seg, *path, *cookie, *tok, *text, *want;
  GstElement *sink, *p;
  GstBus *bus;
  GstMessage *m;
  GstStructure *ended;
  guint64 bytes = 0, requests = 0, sent;
  guint asked = 0, i, lines = 0;
  gchar **line;
  Client *k;
  Answer *a;

  fail_unless (g_file_set_contents (users, HTPASSWD, -1, NULL));
  props = g_strdup_printf ("htpasswd=%s access-log=%s session-timeout=4 "
      "session-bind-address=true", users, log);
  p = start_hls_with ("num-buffers=75", FALSE, props, &sink);
  bus = gst_element_get_bus (p);
  m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_object_unref (bus);
  body_read = 0;

  /* the first request: libsoup's, the credentials checked */
  k = client_new (sink_port (sink));
  auth = http_basic_header ("viewer", "secret");
  req = request_text ("GET", "/tv/index.m3u8", auth);
  client_write (k, req);
  g_free (req);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 200);
  fail_unless_equals_uint64 (stat_uint (sink, "fast-answers"), 0);
  asked++;
  pl = g_strndup ((gchar *) a->body->data, a->body->len);
  cookie = answer_header (a, "Set-Cookie");
  fail_unless (cookie != NULL, "%s", a->head);
  *strchr (cookie, ';') = '\0';
  answer_free (a);
  seg = last_uri (pl, "seg");
  fail_unless (seg && strstr (seg, "?s="), "%s", pl);
  tok = g_strdup (strstr (seg, "?s=") + 3);

  /* the session's next requests: fast, as libsoup answers them */
  path = g_strconcat ("/tv/", seg, NULL);
  same_session_answer (sink, k, path, NULL, &asked);
  g_free (path);
  path = g_strdup_printf ("/tv/index.m3u8?s=%s", tok);
  same_session_answer (sink, k, path, NULL, &asked);
  g_free (path);
  req = g_strdup_printf ("Cookie: %s\r\n", cookie);
  same_session_answer (sink, k, "/tv/index.m3u8", req, &asked);
  *strstr (seg, "?s=") = '\0';
  path = g_strconcat ("/tv/", seg, NULL);
  same_session_answer (sink, k, path, req, &asked);
  g_free (path);
  g_free (req);
  path = g_strdup_printf ("/tv/index.m3u8?_HLS_skip=YES&s=%s", tok);
  same_session_answer (sink, k, path, NULL, &asked);
  g_free (path);
  sent = body_read;

  /* a forged token: libsoup's 403, on the kept connection and off it */
  i = strlen (tok) / 2;
  tok[i] = tok[i] == 'A' ? 'B' : 'A';
  path = g_strdup_printf ("/tv/%s?s=%s", seg, tok);
  same_answer (sink, k, "GET", path, NULL, FALSE, 403);
  g_free (path);
  client_free (k);

  fail_unless_equals_uint64 (stat_uint (sink, "credential-checks"), 1);
  fail_unless_equals_uint64 (stat_uint (sink, "sessions-total"), 1);
  /* idle for session-timeout: the session ends, with what it was sent */
  ended = wait_element_message (p, "fluhlssink-session-ended", 15000);
  fail_unless (ended != NULL);
  fail_unless (gst_structure_get_uint64 (ended, "bytes", &bytes));
  fail_unless (gst_structure_get_uint64 (ended, "requests", &requests));
  gst_structure_free (ended);
  fail_unless_equals_uint64 (requests, asked);
  fail_unless_equals_uint64 (bytes, sent);
  fail_unless (g_file_get_contents (log, &text, NULL, NULL));
  want = g_strdup_printf (" 200 %" G_GUINT64_FORMAT " ", sent);
  line = g_strsplit (text, "\n", -1);
  for (i = 0; line[i]; i++) {
    gchar *n;

    if (strstr (line[i], "\" 200 ") == NULL)
      continue;
    lines++;
    n = g_strdup_printf (" %u", asked);
    fail_unless (strstr (line[i], want) != NULL, "%s", line[i]);
    fail_unless (g_str_has_suffix (line[i], n), "%s", line[i]);
    g_free (n);
  }
  fail_unless_equals_int (lines, 1);
  fail_unless (strstr (text, tok) == NULL);
  g_strfreev (line);
  g_free (want);
  g_free (text);

  stop_pipeline (p);
  g_free (tok);
  g_free (seg);
  g_free (cookie);
  g_free (pl);
  g_free (auth);
  g_free (props);
  g_unlink (log);
  g_unlink (users);
  g_rmdir (dir);
  g_free (log);
  g_free (users);
  g_free (dir);
}

GST_END_TEST;

static guint
stat_held (GstElement * sink)
{
  GstStructure *s;
  guint v = 0;

  g_object_get (sink, "stats", &s, NULL);
  fail_unless (gst_structure_get_uint (s, "held", &v));
  gst_structure_free (s);
  return v;
}

static void
wait_held (GstElement * sink, guint n)
{
  guint i;

  for (i = 0; i < 300 && stat_held (sink) != n; i++)
    g_usleep (20 * 1000);
  fail_unless_equals_int (stat_held (sink), n);
}

/* GET @path on @k, the answer */
static Answer *
get (Client * k, const gchar * path)
{
  gchar *req = request_text ("GET", path, NULL);

  client_write (k, req);
  g_free (req);
  return client_read_dated (k, FALSE);
}

/* a playlist of @k with a preload hint (the first request of @k goes
 * through libsoup): its hint's msn and part */
static gchar *
live_hint (Client * k, guint64 * msn, guint * part)
{
  gchar *pl = NULL, *hint = NULL;
  Answer *a;
  guint i;

  for (i = 0; i < 200 && hint == NULL; i++) {
    a = get (k, "/tv/index.m3u8");
    fail_unless_equals_int (a->status, 200);
    pl = g_strndup ((gchar *) a->body->data, a->body->len);
    answer_free (a);
    if (strstr (pl, "#EXTINF"))
      hint = last_uri (pl, "#EXT-X-PRELOAD-HINT:");
    g_free (pl);
    if (hint == NULL)
      g_usleep (50 * 1000);
  }
  fail_unless (hint != NULL);
  fail_unless (sscanf (hint, "part%" G_GUINT64_FORMAT ".%u", msn, part) == 2,
      "%s", hint);
  return hint;
}

/* @a without its Content-Length (a live playlist's may differ) */
static gchar *
head_sans_length (Answer * a)
{
  gchar **lines = g_strsplit (a->head, "\r\n", -1);
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; lines[i]; i++)
    if (!g_str_has_prefix (lines[i], "Content-Length:"))
      g_string_append_printf (s, "%s\r\n", lines[i]);
  g_strfreev (lines);
  return g_string_free (s, FALSE);
}

/* @path on @k, held on the fast path (retried with the next hint when
 * it was ready already): the answer, counted once as held and once as
 * fast; with @reload the blocking reload of the hint, else the hinted
 * part */
static Answer *
held_fast (GstElement * sink, Client * k, gboolean reload, gchar ** path)
{
  guint64 fast0, ha0, req0, msn;
  guint part, i;
  gchar *hint;
  Answer *a = NULL;

  for (i = 0; i < 10; i++) {
    hint = live_hint (k, &msn, &part);
    *path = reload ? g_strdup_printf ("/tv/index.m3u8?_HLS_msn=%"
        G_GUINT64_FORMAT "&_HLS_part=%u", msn, part) :
        g_strconcat ("/tv/", hint, NULL);
    g_free (hint);
    fast0 = stat_uint (sink, "fast-answers");
    ha0 = stat_uint (sink, "held-answered");
    req0 = stat_uint (sink, "requests");
    a = get (k, *path);
    fail_unless_equals_int (a->status, 200);
    fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - fast0, 1);
    fail_unless_equals_uint64 (stat_uint (sink, "requests") - req0, 1);
    if (stat_uint (sink, "held-answered") - ha0 == 1)
      break;
    /* ready already: fast, not held; again */
    answer_free (a);
    a = NULL;
    g_free (*path);
  }
  fail_unless (a != NULL, "never held");
  fail_unless_equals_int (stat_held (sink), 0);
  return a;
}

/* a blocking reload and the hinted part held on the fast path, answered
 * when the part comes as libsoup answers them then; their bytes
 * counted */
GST_START_TEST (test_held)
{
  GstElement *sink, *p = start_hls ("", FALSE, &sink);
  Client *k = client_new (sink_port (sink)), *f;
  guint64 sent0;
  Answer *a, *b;
  gchar *path, *ha, *hb;
  guint i;

  a = held_fast (sink, k, TRUE, &path);
  fail_unless (g_str_has_prefix ((gchar *) a->body->data, "#EXTM3U"));
  f = client_new (sink_port (sink));
  b = get (f, path);
  client_free (f);
  fail_unless_equals_int (b->status, 200);
  ha = head_sans_length (a);
  hb = head_sans_length (b);
  fail_unless_equals_string (ha, hb);
  g_free (ha);
  g_free (hb);
  answer_free (a);
  answer_free (b);
  g_free (path);

  sent0 = stat_uint (sink, "bytes-sent");
  a = held_fast (sink, k, FALSE, &path);
  fail_unless_equals_int (a->body->data[0], 0x47);
  for (i = 0; i < 100 && stat_uint (sink, "bytes-sent") - sent0 <
      a->body->len; i++)
    g_usleep (50 * 1000);
  /* and the playlists of live_hint () */
  fail_unless (stat_uint (sink, "bytes-sent") - sent0 >= a->body->len);
  f = client_new (sink_port (sink));
  b = get (f, path);
  client_free (f);
  fail_unless_equals_string (a->head, b->head);
  fail_unless_equals_int (a->body->len, b->body->len);
  fail_unless (memcmp (a->body->data, b->body->data, a->body->len) == 0);
  answer_free (a);
  answer_free (b);
  g_free (path);

  /* still kept: the next one fast */
  a = get (k, "/tv/index.m3u8");
  fail_unless_equals_int (a->status, 200);
  answer_free (a);
  client_free (k);
  stop_pipeline (p);
}

GST_END_TEST;

/* CMAF: a held part is video/mp4, held on the fast path and on
 * libsoup's */
GST_START_TEST (test_held_fmp4)
{
  GstElement *sink, *p = start_hls ("", TRUE, &sink);
  Client *k = client_new (sink_port (sink)), *f;
  guint64 msn, ha0, fast0;
  guint part, i;
  gboolean held = FALSE;
  gchar *path, *hint, *ct;
  Answer *a;

  a = held_fast (sink, k, FALSE, &path);
  ct = answer_header (a, "Content-Type");
  fail_unless_equals_string (ct, "video/mp4");
  g_free (ct);
  answer_free (a);
  g_free (path);

  /* a fresh connection's first request: libsoup's (again while it was
   * ready already) */
  for (i = 0; i < 10 && !held; i++) {
    hint = live_hint (k, &msn, &part);
    path = g_strconcat ("/tv/", hint, NULL);
    ha0 = stat_uint (sink, "held-answered");
    fast0 = stat_uint (sink, "fast-answers");
    f = client_new (sink_port (sink));
    a = get (f, path);
    client_free (f);
    fail_unless_equals_int (a->status, 200);
    ct = answer_header (a, "Content-Type");
    fail_unless_equals_string (ct, "video/mp4");
    g_free (ct);
    fail_unless_equals_uint64 (stat_uint (sink, "fast-answers"), fast0);
    held = stat_uint (sink, "held-answered") - ha0 == 1;
    answer_free (a);
    g_free (path);
    g_free (hint);
  }
  fail_unless (held, "never held");
  client_free (k);
  stop_pipeline (p);
}

GST_END_TEST;

/* the stream stops coming (the valve): requests held on the fast path
 * and a msn/part that then never comes */
static gchar *
stalled_reload (GstElement * p, GstElement * sink, Client * k)
{
  GstElement *v = gst_bin_get_by_name (GST_BIN (p), "v");
  guint64 msn;
  guint part;
  gchar *hint, *path;

  g_free (live_hint (k, &msn, &part));
  g_object_set (v, "drop", TRUE, NULL);
  gst_object_unref (v);
  /* whatever was on its way */
  g_usleep (300 * 1000);
  hint = live_hint (k, &msn, &part);
  g_free (hint);
  path = g_strdup_printf ("/tv/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT
      "&_HLS_part=%u", msn, part);
  return path;
}

/* a held request whose client closes is freed */
GST_START_TEST (test_held_close)
{
  GstElement *sink, *p = start_hls ("", FALSE, &sink);
  Client *k = client_new (sink_port (sink));
  guint64 fast0, ha0;
  gchar *path = stalled_reload (p, sink, k), *req;

  fast0 = stat_uint (sink, "fast-answers");
  ha0 = stat_uint (sink, "held-answered");
  req = request_text ("GET", path, NULL);
  client_write (k, req);
  g_free (req);
  wait_held (sink, 1);
  fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - fast0, 1);
  client_free (k);
  wait_held (sink, 0);
  fail_unless_equals_uint64 (stat_uint (sink, "held-answered"), ha0);
  fail_unless_equals_uint64 (stat_uint (sink, "timeouts"), 0);
  g_free (path);
  stop_pipeline (p);
}

GST_END_TEST;

/* clients that do not wait for an answer: a request sent right behind
 * a held one (in the same write: answered after it, in order, both on
 * the fast path), a fast request and one for libsoup in one write (the
 * second, read off with the first, given back to libsoup: its 400, the
 * connection kept), the next request sent while a held one waits and
 * then the client closing (the held one freed) */
GST_START_TEST (test_early)
{
  GstElement *sink, *p = start_hls ("", FALSE, &sink);
  Client *k = client_new (sink_port (sink)), *k2;
  gchar *path = stalled_reload (p, sink, k), *req, *r1, *r2;
  guint64 fast0, ha0, to0;
  Answer *a;

  /* held (the part never comes: 503 after its deadline), then the
   * playlist behind it */
  fast0 = stat_uint (sink, "fast-answers");
  r1 = request_text ("GET", path, NULL);
  r2 = request_text ("GET", "/tv/index.m3u8", NULL);
  req = g_strconcat (r1, r2, NULL);
  client_write (k, req);
  g_free (req);
  wait_held (sink, 1);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 503);
  answer_free (a);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 200);
  fail_unless (g_str_has_prefix ((gchar *) a->body->data, "#EXTM3U"));
  answer_free (a);
  fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - fast0, 2);

  /* fast, then libsoup's 404, in one write; still kept */
  fast0 = stat_uint (sink, "fast-answers");
  req = g_strconcat (r2, "GET /tv/index.m3u8?_HLS_part=1 HTTP/1.1\r\n"
      "Host: x\r\n\r\n", NULL);
  client_write (k, req);
  g_free (req);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 200);
  fail_unless (g_str_has_prefix ((gchar *) a->body->data, "#EXTM3U"));
  answer_free (a);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 400);
  fail_unless (strstr (a->head, "Connection: close") == NULL, "%s", a->head);
  answer_free (a);
  fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - fast0, 1);
  a = get (k, "/tv/index.m3u8");
  fail_unless_equals_int (a->status, 200);
  answer_free (a);
  fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - fast0, 2);
  client_free (k);

  /* held with the next request behind it, then the client goes */
  k2 = client_new (sink_port (sink));
  a = get (k2, "/tv/index.m3u8");
  fail_unless_equals_int (a->status, 200);
  answer_free (a);
  ha0 = stat_uint (sink, "held-answered");
  to0 = stat_uint (sink, "timeouts");
  client_write (k2, r1);
  wait_held (sink, 1);
  client_write (k2, r2);
  g_usleep (100 * 1000);
  fail_unless_equals_int (stat_held (sink), 1);
  client_free (k2);
  wait_held (sink, 0);
  fail_unless_equals_uint64 (stat_uint (sink, "held-answered"), ha0);
  fail_unless_equals_uint64 (stat_uint (sink, "timeouts"), to0);
  g_free (r1);
  g_free (r2);
  g_free (path);
  stop_pipeline (p);
}

GST_END_TEST;

/* past its deadline: 503 with Retry-After, the connection still kept */
GST_START_TEST (test_held_timeout)
{
  GstElement *sink, *p = start_hls ("", FALSE, &sink);
  Client *k = client_new (sink_port (sink));
  gchar *path = stalled_reload (p, sink, k), *v;
  guint64 fast0 = stat_uint (sink, "fast-answers");
  Answer *a;

  a = get (k, path);
  fail_unless_equals_int (a->status, 503);
  v = answer_header (a, "Retry-After");
  fail_unless_equals_string (v, "1");
  g_free (v);
  fail_unless (g_str_has_prefix ((gchar *) a->body->data, "503 "));
  answer_free (a);
  fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - fast0, 1);
  fail_unless_equals_uint64 (stat_uint (sink, "timeouts"), 1);
  fail_unless_equals_int (stat_held (sink), 0);
  a = get (k, "/tv/index.m3u8");
  fail_unless_equals_int (a->status, 200);
  answer_free (a);
  fail_unless_equals_uint64 (stat_uint (sink, "fast-answers") - fast0, 2);
  g_free (path);
  client_free (k);
  stop_pipeline (p);
}

GST_END_TEST;

/* stopping the element: the held fast requests answered 503, closed */
GST_START_TEST (test_held_stop)
{
  GstElement *sink, *p = start_hls ("", FALSE, &sink);
  Client *k = client_new (sink_port (sink));
  Client *k2 = client_new (sink_port (sink));
  gchar *path = stalled_reload (p, sink, k), *req, *hint;
  guint64 msn;
  guint part;
  Answer *a;

  req = request_text ("GET", path, NULL);
  client_write (k, req);
  g_free (req);
  wait_held (sink, 1);
  hint = live_hint (k2, &msn, &part);
  g_free (path);
  path = g_strconcat ("/tv/", hint, NULL);
  g_free (hint);
  req = request_text ("GET", path, NULL);
  client_write (k2, req);
  g_free (req);
  wait_held (sink, 2);
  gst_object_ref (sink);
  stop_pipeline (p);
  fail_unless_equals_int (stat_held (sink), 0);
  gst_object_unref (sink);
  a = client_read_dated (k, FALSE);
  fail_unless_equals_int (a->status, 503);
  answer_free (a);
  wait_closed (k);
  a = client_read_dated (k2, FALSE);
  fail_unless_equals_int (a->status, 503);
  answer_free (a);
  wait_closed (k2);
  client_free (k);
  client_free (k2);
  g_free (path);
}

GST_END_TEST;

static Suite *
fluhttpfast_suite (void)
{
  Suite *s = suite_create ("fluhttpfast");
  TCase *tc = tcase_create ("general");

  /* a fresh connection's first request through libsoup, as these tests
   * compare it with the kept ones' (the first request on the fast path:
   * fluhttpaccept) */
  g_setenv ("FLU_HTTP_FIRST_FAST", "0", TRUE);

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_same_answers);
  tcase_add_test (tc, test_same_answers_fmp4);
  tcase_add_test (tc, test_live);
  tcase_add_test (tc, test_sessions);
  tcase_add_test (tc, test_held);
  tcase_add_test (tc, test_held_fmp4);
  tcase_add_test (tc, test_held_close);
  tcase_add_test (tc, test_early);
  tcase_add_test (tc, test_held_timeout);
  tcase_add_test (tc, test_held_stop);
  return s;
}

GST_CHECK_MAIN (fluhttpfast);
