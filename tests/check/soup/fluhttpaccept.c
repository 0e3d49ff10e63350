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

/* A fresh connection's first request without libsoup (fluhttpserver.c's
 * serve (), fluhttpkeep.c, fluhttpfaststream.c): fluhttpsink's stream
 * GET on a public mount, taken on the fast path ("fast-answers" moves)
 * and the same GET sent through libsoup (an "Icy-MetaData: 0" header,
 * which the fast path leaves to libsoup and which changes nothing in the
 * answer), get the same status line, headers (but Date) and first
 * bytes, the same client-added message and access-log line; a refusal
 * by client-limit the same on both; fluhlssink's first request on a
 * fresh connection answered on the fast path, and with "Connection:
 * close" the same answer (a segment) as libsoup's (a Host the fast path
 * leaves to libsoup: "x_y"), closed after it; a connection that sends
 * nothing, or half a head, closed by the header timeout without a
 * word. */

#include "fluhttptest.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib/gstdio.h>

#define FIRST_BYTES 100
#define UA "accept-test"

static void
client_write (Client * c, const gchar * bytes)
{
  gsize len = strlen (bytes);

  fail_unless (send (c->fd, bytes, len, MSG_NOSIGNAL) == (gssize) len);
}

/* a stream's answer on @c: its head without the Date line (which must
 * be there), and, for a 200, at least FIRST_BYTES of its body in @body */
static gchar *
read_stream_head (Client * c, GByteArray * body)
{
  gchar *end, *head, *undated_head;
  gsize head_len;

  while (!(end = c->buf->len ? g_strstr_len ((gchar *) c->buf->data,
              c->buf->len, "\r\n\r\n") : NULL))
    fail_unless (client_fill (c), "no answer head");
  head_len = end - (gchar *) c->buf->data + 4;
  head = g_strndup ((gchar *) c->buf->data, head_len);
  g_byte_array_remove_range (c->buf, 0, head_len);
  undated_head = head_undated (head);
  if (body && g_str_has_prefix (head, "HTTP/1.1 200 ")) {
    while (c->buf->len < FIRST_BYTES)
      fail_unless (client_fill (c), "stream cut at %u", c->buf->len);
    g_byte_array_append (body, c->buf->data, FIRST_BYTES);
  }
  g_free (head);
  return undated_head;
}

static Client *
stream_get (GstElement * sink, const gchar * extra)
{
  Client *c = client_new (sink_port (sink));
  gchar *req = g_strdup_printf ("GET /live HTTP/1.1\r\nHost: localhost\r\n"
      "User-Agent: " UA "\r\n%s\r\n", extra ? extra : "");

  client_write (c, req);
  g_free (req);
  return c;
}

/* the fields of a client-added message that do not depend on the fd */
static gchar *
added_text (GstElement * p)
{
  GstStructure *s = wait_element_message (p, "fluhttpsink-client-added",
      10000);
  gchar *t;

  fail_unless (s != NULL, "no client-added");
  fail_unless (gst_structure_has_field (s, "fd"));
  gst_structure_remove_field (s, "fd");
  t = gst_structure_to_string (s);
  gst_structure_free (s);
  return t;
}

/* an access-log line without its time and byte / duration figures */
static gchar *
log_shape (const gchar * line)
{
  const gchar *open = strchr (line, '['), *close = strchr (line, ']');
  const gchar *q = strstr (line, "\" 200 ");
  const gchar *ref;

  fail_unless (open && close && q, "odd log line: %s", line);
  ref = strchr (q + 6, ' ');
  fail_unless (ref != NULL, "odd log line: %s", line);
  return g_strdup_printf ("%.*s%.*s %.*s", (gint) (open - line), line,
      (gint) (q + 5 - close - 1), close + 1,
      (gint) (strrchr (line, ' ') - ref - 1), ref + 1);
}

GST_START_TEST (test_stream_same)
{
  gchar *dir = g_dir_make_tmp ("fluhttpaccept-XXXXXX", NULL);
  gchar *log = g_build_filename (dir, "access.log", NULL);
  gchar *props = g_strdup_printf ("mount-point=/live access-log=%s", log);
  GstElement *sink, *p = start_webm_pipeline (props, &sink);
  GByteArray *fb = g_byte_array_new (), *sb = g_byte_array_new ();
  gchar *fh, *sh, *fa, *sa, *text, **lines, *l0, *l1;
  guint64 fast0;
  Client *f, *s;

  fast0 = stats_u64 (sink, "fast-answers");
  /* the fast path */
  f = stream_get (sink, NULL);
  fh = read_stream_head (f, fb);
  fa = added_text (p);
  fail_unless_equals_uint64 (stats_u64 (sink, "fast-answers"), fast0 + 1);
  /* libsoup's */
  s = stream_get (sink, "Icy-MetaData: 0\r\n");
  sh = read_stream_head (s, sb);
  sa = added_text (p);
  fail_unless_equals_uint64 (stats_u64 (sink, "fast-answers"), fast0 + 1);

  fail_unless (g_str_has_prefix (fh, "HTTP/1.1 200 OK\r\n"), "%s", fh);
  fail_unless_equals_string (fh, sh);
  fail_unless (memcmp (fb->data, sb->data, FIRST_BYTES) == 0,
      "first bytes differ");
  fail_unless_equals_string (fa, sa);
  fail_unless (wait_stats_uint (sink, "clients", 2, 5000));

  client_free (f);
  client_free (s);
  fail_unless (wait_stats_uint (sink, "clients", 0, 10000));
  /* both lines written once the viewers are gone */
  g_free (wait_file_contains (log, "\n", 10000));
  for (;;) {
    gsize n = 0;

    fail_unless (g_file_get_contents (log, &text, &n, NULL));
    if (strstr (text, "\n") && strstr (strstr (text, "\n") + 1, "\n"))
      break;
    g_free (text);
    g_usleep (50 * 1000);
  }
  lines = g_strsplit (text, "\n", -1);
  fail_unless (strstr (lines[0], "\"GET /live HTTP/1.1\" 200 ") != NULL,
      "%s", lines[0]);
  fail_unless (strstr (lines[0], "\"" UA "\"") != NULL, "%s", lines[0]);
  l0 = log_shape (lines[0]);
  l1 = log_shape (lines[1]);
  fail_unless_equals_string (l0, l1);
  g_free (l0);
  g_free (l1);
  g_strfreev (lines);
  g_free (text);

  g_free (fh);
  g_free (sh);
  g_free (fa);
  g_free (sa);
  g_byte_array_unref (fb);
  g_byte_array_unref (sb);
  stop_pipeline (p);
  g_unlink (log);
  g_rmdir (dir);
  g_free (log);
  g_free (props);
  g_free (dir);
}

GST_END_TEST;

/* client-limit=1: the second viewer refused the same whichever path it
 * came by (the fast path leaves it to libsoup) */
GST_START_TEST (test_limit_same)
{
  GstElement *sink, *p = start_webm_pipeline ("mount-point=/live "
      "client-limit=1", &sink);
  gchar *fh, *sh, *h0;
  guint64 fast0 = stats_u64 (sink, "fast-answers"), refused0;
  Client *first, *f, *s;

  first = stream_get (sink, NULL);
  h0 = read_stream_head (first, NULL);
  fail_unless (g_str_has_prefix (h0, "HTTP/1.1 200 "), "%s", h0);
  fail_unless_equals_uint64 (stats_u64 (sink, "fast-answers"), fast0 + 1);
  refused0 = stats_u64 (sink, "refused");

  f = stream_get (sink, NULL);
  fh = read_stream_head (f, NULL);
  s = stream_get (sink, "Icy-MetaData: 0\r\n");
  sh = read_stream_head (s, NULL);
  fail_unless (g_str_has_prefix (fh, "HTTP/1.1 503 "), "%s", fh);
  fail_unless_equals_string (fh, sh);
  fail_unless_equals_uint64 (stats_u64 (sink, "fast-answers"), fast0 + 1);
  fail_unless_equals_uint64 (stats_u64 (sink, "refused"), refused0 + 2);

  g_free (h0);
  g_free (fh);
  g_free (sh);
  client_free (first);
  client_free (f);
  client_free (s);
  stop_pipeline (p);
}

GST_END_TEST;

static GstElement *
start_hls (GstElement ** sink)
{
  GstElement *p = gst_parse_launch ("videotestsrc is-live=true ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! "
      "mpegtsmux ! fluhlssink name=sink port=0 mount-point=/tv/ "
      "target-duration=1", NULL);

  fail_unless (p != NULL);
  *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  gst_object_unref (*sink);
  fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  return p;
}

/* fluhlssink: the first request of a fresh connection on the fast path */
GST_START_TEST (test_hls_first)
{
  GstElement *sink, *p = start_hls (&sink);
  guint64 fast0;
  Answer *a = NULL;
  Client *c;
  guint i;

  /* until a segment is there (503 before) */
  for (i = 0; i < 200; i++) {
    fast0 = stats_u64 (sink, "fast-answers");
    c = client_new (sink_port (sink));
    client_write (c, "GET /tv/index.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n");
    a = client_read (c, FALSE);
    client_free (c);
    if (a->status == 200)
      break;
    answer_free (a);
    a = NULL;
    g_usleep (100 * 1000);
  }
  fail_unless (a != NULL, "no playlist");
  fail_unless (g_strstr_len ((gchar *) a->body->data, a->body->len,
          "#EXTM3U") != NULL);
  fail_unless_equals_uint64 (stats_u64 (sink, "fast-answers"), fast0 + 1);
  answer_free (a);
  stop_pipeline (p);
}

GST_END_TEST;

/* @a's head without its Date line (which must be there) */
static gchar *
undated (Answer * a)
{
  return head_undated (a->head);
}

/* @path on a fresh connection with "Connection: close" (@host "x_y":
 * a Host the fast path leaves to libsoup), the connection closed after
 * the answer */
static Answer *
closing_get (GstElement * sink, const gchar * path, const gchar * host)
{
  Client *c = client_new (sink_port (sink));
  gchar *req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s\r\n"
      "Connection: close\r\n\r\n", path, host);
  Answer *a;

  client_write (c, req);
  g_free (req);
  a = client_read (c, FALSE);
  wait_closed (c);
  client_free (c);
  return a;
}

/* fluhlssink: "Connection: close" on a fresh connection (one connection
 * per request) answered on the fast path as libsoup answers it */
GST_START_TEST (test_hls_close)
{
  GstElement *sink, *p = start_hls (&sink);
  gchar *pl = NULL, *seg, *path, *hf, *hs;
  guint64 fast0;
  Answer *a = NULL, *b;
  guint i;

  for (i = 0; i < 200; i++) {
    a = closing_get (sink, "/tv/index.m3u8", "x");
    if (a->status == 200) {
      pl = g_strndup ((gchar *) a->body->data, a->body->len);
      if (strstr (pl, "#EXTINF"))
        break;
      g_clear_pointer (&pl, g_free);
    }
    answer_free (a);
    a = NULL;
    g_usleep (100 * 1000);
  }
  fail_unless (pl != NULL, "no segment");
  answer_free (a);
  seg = last_uri (pl, "seg");
  fail_unless (seg != NULL, "%s", pl);
  path = g_strconcat ("/tv/", seg, NULL);

  fast0 = stats_u64 (sink, "fast-answers");
  a = closing_get (sink, path, "x");
  fail_unless_equals_uint64 (stats_u64 (sink, "fast-answers"), fast0 + 1);
  b = closing_get (sink, path, "x_y");
  fail_unless_equals_uint64 (stats_u64 (sink, "fast-answers"), fast0 + 1);
  fail_unless_equals_int (a->status, 200);
  hf = undated (a);
  hs = undated (b);
  fail_unless_equals_string (hf, hs);
  fail_unless (strstr (hf, "Connection") == NULL, "%s", hf);
  fail_unless_equals_int (a->body->len, b->body->len);
  fail_unless (memcmp (a->body->data, b->body->data, a->body->len) == 0);

  g_free (hf);
  g_free (hs);
  answer_free (a);
  answer_free (b);
  g_free (path);
  g_free (seg);
  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

/* header-timeout=1: a connection that sends nothing, and one that sends
 * half a head, are closed with no answer (no 431, nothing) */
GST_START_TEST (test_idle_closed)
{
  GstElement *sink, *p = start_webm_pipeline ("mount-point=/live "
      "header-timeout=1", &sink);
  Client *idle = client_new (sink_port (sink));
  Client *half = client_new (sink_port (sink));

  client_write (half, "GET /live HTTP/1.1\r\nHost: x\r\n");
  wait_closed (idle);
  wait_closed (half);
  client_free (idle);
  client_free (half);
  stop_pipeline (p);
}

GST_END_TEST;

static Suite *
fluhttpaccept_suite (void)
{
  Suite *s = suite_create ("fluhttpaccept");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_stream_same);
  tcase_add_test (tc, test_limit_same);
  tcase_add_test (tc, test_hls_first);
  tcase_add_test (tc, test_hls_close);
  tcase_add_test (tc, test_idle_closed);
  return s;
}

GST_CHECK_MAIN (fluhttpaccept);
