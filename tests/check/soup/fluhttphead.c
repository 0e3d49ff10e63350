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

/* What fluhttpsink answers from the request head alone: requests with a
 * body (413 at once, not after libsoup buffered it or waited for it),
 * heads too large for libsoup (431) and targets too long (414), CORS
 * preflights, and the reason phrases libsoup does not know (429). */

#include "fluhttptest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* Sends @len bytes of @req (never SIGPIPE, stops at the first error) and
 * reads the answer until the server closes or @timeout_ms pass; the
 * answer's first line in @line. */
static guint
raw_request (guint port, const gchar * req, gsize len, guint timeout_ms,
    gboolean * closed, gchar ** line)
{
  gint fd = tcp_connect ("127.0.0.1", port);
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  GString *got = g_string_new (NULL);
  gsize sent = 0;
  guint status = 0;

  fail_unless (fd >= 0);
  *closed = FALSE;
  while (sent < len) {
    ssize_t n = send (fd, req + sent, len - sent, MSG_NOSIGNAL);

    if (n <= 0)
      break;
    sent += n;
  }
  while (TRUE) {
    struct pollfd p = { fd, POLLIN, 0 };
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    gchar buf[4096];
    ssize_t n;

    if (left <= 0 || poll (&p, 1, left) <= 0)
      break;
    n = recv (fd, buf, sizeof (buf), 0);
    if (n <= 0) {
      *closed = TRUE;
      break;
    }
    g_string_append_len (got, buf, n);
  }
  close (fd);
  if (g_str_has_prefix (got->str, "HTTP/1.1 "))
    status = atoi (got->str + 9);
  if (line)
    *line = g_strndup (got->str, strcspn (got->str, "\r\n"));
  g_string_free (got, TRUE);
  return status;
}

static guint
raw_status (guint port, const gchar * req, gboolean * closed)
{
  return raw_request (port, req, strlen (req), 20000, closed, NULL);
}

/* libsoup reads a request body into memory before any handler runs, and
 * waited for ever for a body that never came: a body is refused as soon
 * as the head is in, wherever the request goes */
GST_START_TEST (test_body_refused)
{
  gchar *dir = g_dir_make_tmp ("fluheadXXXXXX", NULL);
  gchar *log = g_build_filename (dir, "access.log", NULL);
  gchar *props = g_strdup_printf ("header-timeout=600 stats-path=/stats.json "
      "deny=10.9.9.9 access-log=%s", log);
  GstElement *sink, *p = start_webm_pipeline (props, &sink);
  guint port = sink_port (sink);
  gchar *contents;
  const gchar *paths[] = { "/", "/nowhere", "/stats.json" };
  gboolean closed;
  gchar *req, *line;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++) {
    /* a gigabyte announced, nothing sent: answered at once, closed */
    req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: t\r\n"
        "Content-Length: 1073741825\r\n\r\n", paths[i]);
    fail_unless_equals_int (raw_request (port, req, strlen (req), 20000,
            &closed, &line), 413);
    fail_unless (closed, "%s: still open", paths[i]);
    fail_unless_equals_string (line, "HTTP/1.1 413 Content Too Large");
    g_free (line);
    g_free (req);
    /* a body that never comes (the header timeout had stopped) */
    req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: t\r\n"
        "Content-Length: 10\r\n\r\n", paths[i]);
    fail_unless_equals_int (raw_status (port, req, &closed), 413);
    fail_unless (closed);
    g_free (req);
    /* chunked */
    req = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: t\r\n"
        "Transfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n",
        paths[i]);
    fail_unless_equals_int (raw_status (port, req, &closed), 413);
    fail_unless (closed);
    g_free (req);
  }
  /* a body sent with its head is refused too, not handed to a handler */
  fail_unless_equals_int (raw_status (port, "GET / HTTP/1.1\r\nHost: t\r\n"
          "Content-Length: 4\r\n\r\nabcd", &closed), 413);
  /* Content-Length: 0 is no body */
  {
    HttpResponse *r = http_get (port, "/stats.json", "Content-Length: 0\r\n",
        1, 10000);

    fail_unless_equals_int (r->status, 200);
    http_response_free (r);
  }
  /* nobody got to the stream; the refusals on the element's paths are
   * counted and logged (4 on "/", 3 on /stats.json) */
  fail_unless (wait_stats_uint (sink, "clients", 0, 1000));
  {
    GstStructure *st = NULL;
    guint64 refused = 0;

    g_object_get (sink, "stats", &st, NULL);
    fail_unless (gst_structure_get_uint64 (st, "refused", &refused));
    fail_unless_equals_uint64 (refused, 7);
    gst_structure_free (st);
  }
  stop_pipeline (p);
  fail_unless (g_file_get_contents (log, &contents, NULL, NULL));
  fail_unless (strstr (contents, "\"GET / HTTP/1.1\" 413 0") != NULL,
      "%s", contents);
  fail_unless (strstr (contents, "\"POST /stats.json HTTP/1.1\" 413 0") !=
      NULL, "%s", contents);
  fail_if (strstr (contents, "/nowhere") != NULL);
  g_free (contents);
  g_remove (log);
  g_rmdir (dir);
  g_free (log);
  g_free (dir);
  g_free (props);
}

GST_END_TEST;

/* libsoup closes a head over 64 KB without an answer (curl: exit 52) */
GST_START_TEST (test_oversized_head)
{
  GstElement *sink, *p = start_webm_pipeline ("header-timeout=600", &sink);
  guint port = sink_port (sink);
  GString *req = g_string_new ("GET / HTTP/1.1\r\nHost: t\r\n");
  gboolean closed;
  gchar *line;
  HttpResponse *r;

  while (req->len < 70 * 1024)
    g_string_append (req, "X-Padding: 0123456789012345678901234567890123\r\n");
  g_string_append (req, "\r\n");
  fail_unless_equals_int (raw_request (port, req->str, req->len, 20000,
          &closed, &line), 431);
  fail_unless (closed);
  fail_unless_equals_string (line,
      "HTTP/1.1 431 Request Header Fields Too Large");
  g_free (line);
  /* a request line over 64 KB, too */
  g_string_assign (req, "GET /");
  while (req->len < 70 * 1024)
    g_string_append (req, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_string_append (req, " HTTP/1.1\r\nHost: t\r\n\r\n");
  fail_unless_equals_int (raw_request (port, req->str, req->len, 20000,
          &closed, NULL), 431);
  /* a target over 8 KB, in a head libsoup takes */
  g_string_assign (req, "GET /?q=");
  while (req->len < 10 * 1024)
    g_string_append (req, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_string_append (req, " HTTP/1.1\r\nHost: t\r\n\r\n");
  fail_unless_equals_int (raw_request (port, req->str, req->len, 20000,
          &closed, &line), 414);
  fail_unless (closed);
  fail_unless_equals_string (line, "HTTP/1.1 414 URI Too Long");
  g_free (line);
  g_string_free (req, TRUE);
  /* a client that leaves mid-head gets nothing, others are served */
  {
    gint fd = tcp_connect ("127.0.0.1", port);

    fail_unless (write (fd, "GET / HTTP/1.1\r\nHo", 18) == 18);
    close (fd);
  }
  r = http_get (port, "/", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  /* the server stops under a client in the middle of its head: closed,
   * no 431 */
  {
    gint fd = tcp_connect ("127.0.0.1", port);
    gchar buf[64];
    ssize_t n;

    fail_unless (write (fd, "GET / HTTP/1.1\r\nHo", 18) == 18);
    fail_unless (wait_stats_uint (sink, "clients", 0, 1000));
    g_usleep (100000);
    stop_pipeline (p);
    n = read (fd, buf, sizeof (buf));
    fail_unless (n <= 0, "got %.*s", (gint) MAX (n, 0), buf);
    close (fd);
  }
}

GST_END_TEST;

/* a web player on another origin asks first (CORS preflight) */
GST_START_TEST (test_cors_preflight)
{
  GstElement *sink, *p = start_webm_pipeline ("cors-origin=https://a.example",
      &sink);
  guint port = sink_port (sink);
  HttpResponse *r;
  gchar *v;

  r = http_request ("127.0.0.1", port, "OPTIONS / HTTP/1.1\r\nHost: t\r\n"
      "Origin: https://a.example\r\nAccess-Control-Request-Method: GET\r\n"
      "Access-Control-Request-Headers: range\r\n\r\n", 1, 10000);
  fail_unless_equals_int (r->status, 204);
  v = http_header (r, "Access-Control-Allow-Origin");
  fail_unless_equals_string (v, "https://a.example");
  g_free (v);
  v = http_header (r, "Access-Control-Allow-Methods");
  fail_unless_equals_string (v, "GET, HEAD, OPTIONS");
  g_free (v);
  v = http_header (r, "Access-Control-Allow-Headers");
  fail_unless_equals_string (v, "range");
  g_free (v);
  v = http_header (r, "Access-Control-Max-Age");
  fail_unless (v != NULL);
  g_free (v);
  http_response_free (r);
  /* what is not a list of header names is not echoed */
  r = http_request ("127.0.0.1", port, "OPTIONS / HTTP/1.1\r\nHost: t\r\n"
      "Origin: https://a.example\r\nAccess-Control-Request-Method: GET\r\n"
      "Access-Control-Request-Headers: x\x01y\r\n\r\n", 1, 10000);
  fail_unless_equals_int (r->status, 204);
  v = http_header (r, "Access-Control-Allow-Headers");
  fail_unless (v == NULL, "echoed %s", v);
  http_response_free (r);
  /* a plain OPTIONS says what is allowed */
  r = http_request ("127.0.0.1", port, "OPTIONS / HTTP/1.1\r\nHost: t\r\n\r\n",
      1, 10000);
  fail_unless_equals_int (r->status, 204);
  v = http_header (r, "Allow");
  fail_unless_equals_string (v, "GET, HEAD, OPTIONS");
  g_free (v);
  http_response_free (r);
  /* without CORS there is no preflight to answer */
  g_object_set (sink, "cors-origin", "", NULL);
  r = http_request ("127.0.0.1", port, "OPTIONS / HTTP/1.1\r\nHost: t\r\n"
      "Origin: https://a.example\r\nAccess-Control-Request-Method: GET\r\n"
      "\r\n", 1, 10000);
  fail_unless_equals_int (r->status, 204);
  v = http_header (r, "Access-Control-Allow-Origin");
  fail_unless (v == NULL);
  http_response_free (r);
  /* other methods still get 405 */
  r = http_request ("127.0.0.1", port, "DELETE / HTTP/1.1\r\nHost: t\r\n\r\n",
      1, 10000);
  fail_unless_equals_int (r->status, 405);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

/* libsoup 3.2 calls 429 "Unknown Error" */
GST_START_TEST (test_reason_phrases)
{
  GstElement *sink, *p = start_webm_pipeline ("max-clients-per-ip=1", &sink);
  guint port = sink_port (sink);
  HttpResponse *a = http_get (port, "/", NULL, 4, 10000), *r;

  /* the first viewer has closed when http_get returns, but the sink frees
   * its seat when the engine sees the close: wait for that, then keep one
   * viewer open */
  http_response_free (a);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    guint clients = 1;

    while (g_get_monotonic_time () < deadline) {
      g_object_get (sink, "clients", &clients, NULL);
      if (clients == 0)
        break;
      g_usleep (10000);
    }
    fail_unless_equals_int (clients, 0);
  }
  {
    gint fd = tcp_connect ("127.0.0.1", port);
    gchar buf[12];
    gboolean closed;
    gchar *line;

    fail_unless (write (fd, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 27) == 27);
    fail_unless (read (fd, buf, sizeof (buf)) == sizeof (buf));
    fail_unless (memcmp (buf, "HTTP/1.1 200", sizeof (buf)) == 0);
    fail_unless (raw_request (port, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 27,
            10000, &closed, &line) == 429);
    fail_unless_equals_string (line, "HTTP/1.1 429 Too Many Requests");
    g_free (line);
    close (fd);
  }
  r = http_get (port, "/nowhere", NULL, 1, 10000);
  fail_unless (g_str_has_prefix (r->head, "HTTP/1.1 404 Not Found"));
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

static Suite *
fluhttphead_suite (void)
{
  Suite *s = suite_create ("fluhttphead");
  TCase *tc = tcase_create ("head");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_body_refused);
  tcase_add_test (tc, test_oversized_head);
  tcase_add_test (tc, test_cors_preflight);
  tcase_add_test (tc, test_reason_phrases);
  return s;
}

GST_CHECK_MAIN (fluhttphead);
