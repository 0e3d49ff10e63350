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

/* Kept-alive connections written and parked out of libsoup
 * (ext/soup/fluhttpkeep.c): fluhlssink in-process with raw sockets
 * (playlist, segment, part, HEAD, Range, 416, 400, a blocking reload
 * and the held hinted part, all on one connection; "Connection: close"
 * and HTTP/1.0 close; an idle connection closed after the header
 * timeout; body bytes counted as sent, a session's too), and the
 * epoll set itself on socket pairs (a peer that closes while parked is
 * freed, the idle bound, the next request handed back, a stalled
 * answer closed; a fast request answered later: written and parked
 * again, a pipelined one after it, the peer closing and the set freed
 * while pending cancel it). */

#include "fluhttptest.h"
#include "fluhttpkeep.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

/* ---- a raw client connection ---- */



static void
client_send (Client * c, const gchar * method, const gchar * path,
    const gchar * protocol, const gchar * headers)
{
  gchar *req = g_strdup_printf ("%s %s %s\r\nHost: x\r\n%s\r\n", method, path,
      protocol, headers ? headers : "");
  gsize len = strlen (req);

  fail_unless (send (c->fd, req, len, MSG_NOSIGNAL) == (gssize) len);
  g_free (req);
}

static Answer *
client_get (Client * c, const gchar * path, const gchar * headers)
{
  client_send (c, "GET", path, "HTTP/1.1", headers);
  return client_read (c, FALSE);
}

/* ---- fluhlssink on it ---- */

static GstElement *
start_hls (const gchar * props, GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! "
      "mpegtsmux ! fluhlssink name=sink port=0 mount-point=/tv/ "
      "target-duration=1 part-target=250000000 %s", props);
  GstElement *p = start_pipeline (desc, NULL, sink);

  g_free (desc);
  return p;
}

static gchar *
body_str (Answer * a)
{
  return g_strndup ((gchar *) a->body->data, a->body->len);
}

/* a playlist with two segments, asked on @c */
static gchar *
wait_playlist (Client * c, guint64 * sum)
{
  for (;;) {
    Answer *a = client_get (c, "/tv/index.m3u8", NULL);
    gchar *pl;

    fail_unless_equals_int (a->status, 200);
    *sum += a->body->len;
    pl = body_str (a);
    answer_free (a);
    if (strstr (strstr (pl, "#EXTINF") ? strstr (pl, "#EXTINF") + 1 : pl,
            "#EXTINF"))
      return pl;
    g_free (pl);
    g_usleep (200 * 1000);
  }
}

GST_START_TEST (test_one_connection)
{
  GstElement *sink, *p = start_hls ("", &sink);
  Client *c = client_new (sink_port (sink));
  guint64 sum = 0, before = stats_u64 (sink, "bytes-sent");
  gchar *pl, *seg, *part, *path, *v, *want, *hint;
  Answer *a, *whole;
  guint len;
  gint i;

  pl = wait_playlist (c, &sum);
  seg = last_uri (pl, "seg");
  part = last_uri (pl, "#EXT-X-PART:");
  hint = last_uri (pl, "#EXT-X-PRELOAD-HINT:");
  fail_unless (seg && part && hint, "%s", pl);

  /* a segment, a part */
  path = g_strconcat ("/tv/", seg, NULL);
  whole = client_get (c, path, NULL);
  fail_unless_equals_int (whole->status, 200);
  len = whole->body->len;
  fail_unless (len > 376 && len % 188 == 0);
  fail_unless_equals_int (whole->body->data[0], 0x47);
  v = answer_header (whole, "Content-Type");
  fail_unless_equals_string (v, "video/mp2t");
  g_free (v);
  v = answer_header (whole, "Connection");
  fail_unless (v == NULL, "Connection: %s", v);
  sum += len;
  g_free (path);
  path = g_strconcat ("/tv/", part, NULL);
  a = client_get (c, path, NULL);
  fail_unless_equals_int (a->status, 200);
  fail_unless_equals_int (a->body->data[0], 0x47);
  sum += a->body->len;
  answer_free (a);
  g_free (path);

  /* HEAD: the length, no body */
  path = g_strconcat ("/tv/", seg, NULL);
  client_send (c, "HEAD", path, "HTTP/1.1", NULL);
  a = client_read (c, TRUE);
  fail_unless_equals_int (a->status, 200);
  v = answer_header (a, "Content-Length");
  fail_unless_equals_int (atoi (v), len);
  g_free (v);
  answer_free (a);

  /* a Range, an unsatisfiable one, two disjoint ones (the whole) */
  a = client_get (c, path, "Range: bytes=188-375\r\n");
  fail_unless_equals_int (a->status, 206);
  fail_unless_equals_int (a->body->len, 188);
  fail_unless (memcmp (a->body->data, whole->body->data + 188, 188) == 0);
  v = answer_header (a, "Content-Range");
  want = g_strdup_printf ("bytes 188-375/%u", len);
  fail_unless_equals_string (v, want);
  g_free (want);
  g_free (v);
  sum += a->body->len;
  answer_free (a);
  want = g_strdup_printf ("Range: bytes=%u-\r\n", len + 10);
  a = client_get (c, path, want);
  g_free (want);
  fail_unless_equals_int (a->status, 416);
  fail_unless_equals_int (a->body->len, 0);
  v = answer_header (a, "Content-Range");
  want = g_strdup_printf ("bytes */%u", len);
  fail_unless_equals_string (v, want);
  g_free (want);
  g_free (v);
  answer_free (a);
  a = client_get (c, path, "Range: bytes=0-9,400-409\r\n");
  fail_unless_equals_int (a->status, 200);
  fail_unless_equals_int (a->body->len, len);
  sum += len;
  answer_free (a);
  g_free (path);

  /* fluhlssink's refusals keep the connection */
  a = client_get (c, "/tv/index.m3u8?_HLS_part=1", NULL);
  fail_unless_equals_int (a->status, 400);
  sum += a->body->len;
  answer_free (a);

  /* held: the hinted part, then a blocking reload for the part after it
   * (answered when made, through the same path) */
  path = g_strconcat ("/tv/", hint, NULL);
  a = client_get (c, path, NULL);
  fail_unless_equals_int (a->status, 200);
  fail_unless_equals_int (a->body->data[0], 0x47);
  sum += a->body->len;
  answer_free (a);
  g_free (path);
  {
    guint64 msn;
    guint pi;

    fail_unless (sscanf (hint, "part%" G_GUINT64_FORMAT ".%u.ts", &msn,
            &pi) == 2, "%s", hint);
    path = g_strdup_printf ("/tv/index.m3u8?_HLS_msn=%" G_GUINT64_FORMAT
        "&_HLS_part=%u", msn, pi + 1);
  }
  a = client_get (c, path, NULL);
  fail_unless_equals_int (a->status, 200);
  fail_unless (g_str_has_prefix ((gchar *) a->body->data, "#EXTM3U"));
  sum += a->body->len;
  answer_free (a);
  g_free (path);

  /* several more on the same connection */
  for (i = 0; i < 5; i++) {
    a = client_get (c, "/tv/index.m3u8", NULL);
    fail_unless_equals_int (a->status, 200);
    sum += a->body->len;
    answer_free (a);
  }

  /* every body byte counted, as libsoup's "wrote-body-data" did (told
   * once written: maybe a moment after the client has them) */
  for (i = 0; i < 100 && stats_u64 (sink, "bytes-sent") - before != sum; i++)
    g_usleep (50 * 1000);
  fail_unless_equals_uint64 (stats_u64 (sink, "bytes-sent") - before, sum);

  answer_free (whole);
  g_free (pl);
  g_free (seg);
  g_free (part);
  g_free (hint);
  /* parked while the server stops: closed, nothing leaks */
  stop_pipeline (p);
  wait_closed (c);
  client_free (c);
}

GST_END_TEST;

/* "Connection: close" and HTTP/1.0 end the connection after their
 * answer; HTTP/1.0 with "Connection: keep-alive" keeps it */
GST_START_TEST (test_close)
{
  GstElement *sink, *p = start_hls ("", &sink);
  guint port = sink_port (sink);
  guint64 sum = 0;
  Client *c = client_new (port);
  gchar *pl = wait_playlist (c, &sum), *v;
  Answer *a;

  a = client_get (c, "/tv/index.m3u8", "Connection: close\r\n");
  fail_unless_equals_int (a->status, 200);
  answer_free (a);
  wait_closed (c);
  client_free (c);

  c = client_new (port);
  client_send (c, "GET", "/tv/index.m3u8", "HTTP/1.0", NULL);
  a = client_read (c, FALSE);
  fail_unless_equals_int (a->status, 200);
  fail_unless (g_str_has_prefix (a->head, "HTTP/1.0 200"), "%s", a->head);
  answer_free (a);
  wait_closed (c);
  client_free (c);

  c = client_new (port);
  client_send (c, "GET", "/tv/index.m3u8", "HTTP/1.0",
      "Connection: keep-alive\r\n");
  a = client_read (c, FALSE);
  fail_unless_equals_int (a->status, 200);
  v = answer_header (a, "Connection");
  fail_unless_equals_string (v, "keep-alive");
  g_free (v);
  answer_free (a);
  client_send (c, "GET", "/tv/index.m3u8", "HTTP/1.0",
      "Connection: keep-alive\r\n");
  a = client_read (c, FALSE);
  fail_unless_equals_int (a->status, 200);
  answer_free (a);
  client_free (c);

  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

/* idle after an answer: closed after the header timeout */
GST_START_TEST (test_idle_closed)
{
  GstElement *sink, *p = start_hls ("header-timeout=1", &sink);
  guint64 sum = 0;
  Client *c = client_new (sink_port (sink));
  gchar *pl = wait_playlist (c, &sum);

  wait_closed (c);
  client_free (c);
  g_free (pl);
  stop_pipeline (p);
}

GST_END_TEST;

/* one session on one kept connection: the bytes of its end message are
 * the body bytes the client got */
GST_START_TEST (test_session_bytes)
{
  GstElement *sink, *p = start_hls ("session-mode=query session-timeout=4",
      &sink);
  guint64 sum = 0, bytes = 0, requests = 0;
  GstStructure *ended;
  gchar *pl, *seg, *part, *path;
  Client *c;
  Answer *a;
  gint i;

  /* two segments before the only playlist request (a session each) */
  for (i = 0; i < 300 && stats_u64 (sink, "segments") < 2; i++)
    g_usleep (50 * 1000);
  c = client_new (sink_port (sink));
  a = client_get (c, "/tv/index.m3u8", NULL);
  fail_unless_equals_int (a->status, 200);
  sum += a->body->len;
  pl = body_str (a);
  answer_free (a);
  seg = last_uri (pl, "seg");
  part = last_uri (pl, "#EXT-X-PART:");
  fail_unless (seg && part && strstr (seg, "?s=") != NULL, "%s", pl);
  path = g_strconcat ("/tv/", seg, NULL);
  a = client_get (c, path, NULL);
  fail_unless_equals_int (a->status, 200);
  sum += a->body->len;
  answer_free (a);
  client_send (c, "HEAD", path, "HTTP/1.1", NULL);
  a = client_read (c, TRUE);
  fail_unless_equals_int (a->status, 200);
  answer_free (a);
  g_free (path);
  path = g_strconcat ("/tv/", part, NULL);
  a = client_get (c, path, "Range: bytes=0-187\r\n");
  fail_unless_equals_int (a->status, 206);
  sum += a->body->len;
  answer_free (a);
  g_free (path);
  client_free (c);

  ended = wait_element_message (p, "fluhlssink-session-ended", 20000);
  fail_unless (ended != NULL);
  fail_unless (gst_structure_get_uint64 (ended, "bytes", &bytes));
  fail_unless (gst_structure_get_uint64 (ended, "requests", &requests));
  gst_structure_free (ended);
  fail_unless_equals_uint64 (requests, 4);
  fail_unless_equals_uint64 (bytes, sum);
  g_free (pl);
  g_free (seg);
  g_free (part);
  stop_pipeline (p);
}

GST_END_TEST;

/* ---- the epoll set alone, on socket pairs ---- */

typedef struct
{
  guint resumed;
  guint done;
  guint64 body;
  gboolean ok;
  GString *given;               /* bytes given back before a resume */
} Seen;

/* the read-once mode (flu_http_keep_set_unread ()): what was read off
 * before a resume */
static void
given_back (gpointer data, GIOStream * conn, const gchar * bytes, gsize len)
{
  Seen *s = data;

  g_string_append_len (s->given, bytes, len);
}

static void
resumed (gpointer data, GIOStream * conn, gboolean whole)
{
  Seen *s = data;

  s->resumed++;
  g_io_stream_close (conn, NULL, NULL);
}

static void
done (gpointer data, guint64 body, gboolean ok)
{
  Seen *s = data;

  s->done++;
  s->body = body;
  s->ok = ok;
}

/* a connection over one end of a socket pair; the other in @peer */
static GIOStream *
pair_conn (gint * peer, gint * fd)
{
  gint fds[2];
  GSocket *sock;
  GIOStream *conn;

  fail_unless (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  sock = g_socket_new_from_fd (fds[0], NULL);
  fail_unless (sock != NULL);
  conn = G_IO_STREAM (g_socket_connection_factory_create_connection (sock));
  g_object_unref (sock);
  *peer = fds[1];
  *fd = fds[0];
  return conn;
}

static void
iterate_until (GMainContext * ctx, FluHttpKeep * k, guint want)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (flu_http_keep_count (k, NULL) != want && g_get_monotonic_time () < end)
    g_main_context_iteration (ctx, TRUE);
  fail_unless_equals_int (flu_http_keep_count (k, NULL), want);
}

static GBytes *
pattern (gsize size)
{
  guint8 *d = g_malloc (size);
  gsize i;

  for (i = 0; i < size; i++)
    d[i] = i % 251;
  return g_bytes_new_take (d, size);
}

GST_START_TEST (test_epoll_set)
{
  GMainContext *ctx = g_main_context_new ();
  Seen s = { 0 };
  FluHttpKeep *k = flu_http_keep_new (ctx, 300, 300, 50, resumed, &s);
  GBytes *chunks[2] = { pattern (1000), pattern (3000) };
  gint peer, fd, big_peer;
  guint parked = 0;
  guint8 buf[8192];
  gsize got = 0;
  gssize n;
  GIOStream *conn;

  /* written at once, parked; the peer leaves: freed */
  conn = pair_conn (&peer, &fd);
  flu_http_keep_send (k, conn, fd, g_strdup ("HEAD\r\n\r\n"), chunks, 2,
      TRUE, done, &s, NULL);
  fail_unless_equals_int (s.done, 1);
  fail_unless (s.ok);
  fail_unless_equals_uint64 (s.body, 4000);
  fail_unless_equals_int (flu_http_keep_count (k, &parked), 1);
  fail_unless_equals_int (parked, 1);
  while (got < 8 + 4000 && (n = recv (peer, buf, sizeof (buf), 0)) > 0)
    got += n;
  fail_unless_equals_int (got, 4008);
  close (peer);
  iterate_until (ctx, k, 0);
  fail_unless_equals_int (s.resumed, 0);

  /* the next request: handed back */
  conn = pair_conn (&peer, &fd);
  flu_http_keep_send (k, conn, fd, g_strdup ("X"), NULL, 0, TRUE, NULL, NULL,
      NULL);
  fail_unless (send (peer, "GET", 3, 0) == 3);
  iterate_until (ctx, k, 0);
  fail_unless_equals_int (s.resumed, 1);
  close (peer);

  /* idle: closed after the bound */
  conn = pair_conn (&peer, &fd);
  flu_http_keep_send (k, conn, fd, g_strdup ("X"), NULL, 0, TRUE, NULL, NULL,
      NULL);
  iterate_until (ctx, k, 0);
  fail_unless (recv (peer, buf, sizeof (buf), 0) == 1);
  fail_unless (recv (peer, buf, sizeof (buf), 0) == 0);
  close (peer);

  /* an answer the peer never reads: stalled, closed, not ok */
  g_bytes_unref (chunks[1]);
  chunks[1] = pattern (8 << 20);
  conn = pair_conn (&big_peer, &fd);
  s.done = 0;
  flu_http_keep_send (k, conn, fd, g_strdup ("X"), chunks, 2, TRUE, done, &s,
      NULL);
  fail_unless_equals_int (s.done, 0);
  fail_unless_equals_int (flu_http_keep_count (k, &parked), 1);
  fail_unless_equals_int (parked, 0);
  iterate_until (ctx, k, 0);
  fail_unless_equals_int (s.done, 1);
  fail_unless (!s.ok);
  fail_unless (s.body < (8 << 20) + 1000);
  close (big_peer);

  /* not kept: closed once written */
  conn = pair_conn (&peer, &fd);
  flu_http_keep_send (k, conn, fd, g_strdup ("X"), NULL, 0, FALSE, NULL, NULL,
      NULL);
  fail_unless_equals_int (flu_http_keep_count (k, NULL), 0);
  fail_unless (recv (peer, buf, sizeof (buf), 0) == 1);
  fail_unless (recv (peer, buf, sizeof (buf), 0) == 0);
  close (peer);

  /* parked when freed: closed */
  conn = pair_conn (&peer, &fd);
  flu_http_keep_send (k, conn, fd, g_strdup ("X"), NULL, 0, TRUE, NULL, NULL,
      NULL);
  flu_http_keep_free (k);
  fail_unless (recv (peer, buf, sizeof (buf), 0) == 1);
  fail_unless (recv (peer, buf, sizeof (buf), 0) == 0);
  close (peer);

  g_bytes_unref (chunks[0]);
  g_bytes_unref (chunks[1]);
  g_main_context_unref (ctx);
}

GST_END_TEST;

/* a fast handler that answers everything later */
typedef struct
{
  FluHttpKeepPending *pending;
  guint asked;
  guint cancelled;
} Later;

static void
later_cancelled (gpointer data)
{
  Later *l = data;

  l->cancelled++;
  l->pending = NULL;
}

static gboolean
later_fast (gpointer user_data, const gchar * method, const gchar * path,
    GHashTable * query, SoupMessageHeaders * request,
    FluHttpFastAnswer * answer)
{
  Later *l = user_data;

  fail_unless (answer->pending != NULL);
  fail_unless (l->pending == NULL);
  l->asked++;
  l->pending = answer->pending;
  answer->cancel = later_cancelled;
  answer->cancel_data = l;
  return TRUE;
}

static void
iterate_pending (GMainContext * ctx, FluHttpKeep * k, guint want)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (flu_http_keep_pending_count (k) != want &&
      g_get_monotonic_time () < end)
    g_main_context_iteration (ctx, TRUE);
  fail_unless_equals_int (flu_http_keep_pending_count (k), want);
}

/* what @peer has, up to its end or @len */
static gchar *
peer_read (gint peer, gsize len)
{
  GString *s = g_string_new (NULL);
  gchar buf[4096];
  gssize n;

  while (s->len < len && (n = recv (peer, buf, sizeof (buf), 0)) > 0)
    g_string_append_len (s, buf, n);
  return g_string_free (s, FALSE);
}

static void
answer_later (Later * l, const gchar * body)
{
  SoupMessageHeaders *h =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  GBytes *b = g_bytes_new_static (body, strlen (body));
  Seen s = { 0 };
  FluHttpKeepPending *p = l->pending;

  soup_message_headers_replace (h, "X-Later", "yes");
  l->pending = NULL;
  flu_http_keep_answer_pending (p, 200, h, &b, 1, TRUE, done, &s, NULL);
  fail_unless_equals_int (s.done, 1);
  fail_unless (s.ok);
  g_bytes_unref (b);
  soup_message_headers_unref (h);
}

/* _i 0: peeked (the head read off when answered); 1: read once, the
 * bytes after a head kept, what goes to libsoup given back */
GST_START_TEST (test_pending)
{
  GMainContext *ctx = g_main_context_new ();
  Seen s = { 0 };
  Later l = { 0 };
  FluHttpKeep *k = flu_http_keep_new (ctx, 5000, 5000, 50, resumed, &s);
  const gchar *req = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  gint peer, fd;
  guint parked;
  GIOStream *conn;
  gchar *got, *want;
  gchar c;

  s.given = g_string_new (NULL);
  if (__i__)
    flu_http_keep_set_unread (k, given_back);
  flu_http_keep_set_fast (k, later_fast, &l);
  conn = pair_conn (&peer, &fd);
  flu_http_keep_send (k, conn, fd, g_strdup ("X"), NULL, 0, TRUE, NULL, NULL,
      NULL);
  g_free (peer_read (peer, 1));
  /* two pipelined: the first held, the second waits in the socket */
  want = g_strconcat (req, req, NULL);
  fail_unless (send (peer, want, strlen (want), 0) == (gssize) strlen (want));
  g_free (want);
  iterate_pending (ctx, k, 1);
  fail_unless_equals_int (l.asked, 1);
  fail_unless_equals_int (flu_http_keep_count (k, &parked), 1);
  fail_unless_equals_int (parked, 0);
  /* answered: written, parked, the second read and held in its turn */
  answer_later (&l, "hello");
  got = peer_read (peer, 1);
  fail_unless (g_str_has_prefix (got, "HTTP/1.1 200 OK\r\n"), "%s", got);
  fail_unless (strstr (got, "\r\nX-Later: yes\r\n") != NULL, "%s", got);
  fail_unless (strstr (got, "\r\nContent-Length: 5\r\n") != NULL, "%s", got);
  fail_unless (g_str_has_suffix (got, "\r\n\r\nhello"), "%s", got);
  g_free (got);
  iterate_pending (ctx, k, 1);
  fail_unless_equals_int (l.asked, 2);
  fail_unless_equals_int (s.resumed, 0);
  /* read once: nothing left in the socket */
  if (__i__)
    fail_unless (recv (fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0);
  /* the peer closes: cancelled, freed */
  close (peer);
  iterate_until (ctx, k, 0);
  fail_unless_equals_int (l.cancelled, 1);
  fail_unless (l.pending == NULL);

  /* not for the fast handler (a half head): handed back with every byte
   * it sent (read once: given back, else still in the socket) */
  conn = pair_conn (&peer, &fd);
  flu_http_keep_send (k, conn, fd, g_strdup ("X"), NULL, 0, TRUE, NULL, NULL,
      NULL);
  g_free (peer_read (peer, 1));
  fail_unless (send (peer, "GET /b HT", 9, 0) == 9);
  iterate_until (ctx, k, 0);
  fail_unless_equals_int (s.resumed, 1);
  fail_unless_equals_string (s.given->str, __i__ ? "GET /b HT" : "");
  close (peer);

  /* pending when the set is freed: cancelled, closed */
  conn = pair_conn (&peer, &fd);
  flu_http_keep_send (k, conn, fd, g_strdup ("X"), NULL, 0, TRUE, NULL, NULL,
      NULL);
  g_free (peer_read (peer, 1));
  fail_unless (send (peer, req, strlen (req), 0) == (gssize) strlen (req));
  iterate_pending (ctx, k, 1);
  flu_http_keep_free (k);
  fail_unless_equals_int (l.cancelled, 2);
  got = peer_read (peer, 1);
  fail_unless_equals_string (got, "");
  g_free (got);
  close (peer);
  g_string_free (s.given, TRUE);
  g_main_context_unref (ctx);
}

GST_END_TEST;

static Suite *
fluhttpkeep_suite (void)
{
  Suite *s = suite_create ("fluhttpkeep");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_epoll_set);
  tcase_add_loop_test (tc, test_pending, 0, 2);
  tcase_add_test (tc, test_one_connection);
  tcase_add_test (tc, test_session_bytes);
  tcase_add_test (tc, test_close);
  tcase_add_test (tc, test_idle_closed);
  return s;
}

GST_CHECK_MAIN (fluhttpkeep);
