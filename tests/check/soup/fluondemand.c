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


/* fluondemand over real sockets: GET and HEAD, ranges byte-exact, 416,
 * If-Range, ETag / Last-Modified and 304, the listing, path safety as a
 * client sends it, credentials, the access log, the per-viewer rate
 * limit (measured loosely: a lower bound the token bucket guarantees),
 * a stop in the middle of a download, and fluhttpsink on the same port. */

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include "fluhttptest.h"
#include "fluhttpauth.h"

#define BIG_SIZE (600 * 1024)

static gchar *dir;
static gchar *outside;
static GByteArray *big;

static void
setup (void)
{
  gchar *p;
  guint i;

  dir = g_dir_make_tmp ("flu-od-XXXXXX", NULL);
  outside = g_dir_make_tmp ("flu-od-out-XXXXXX", NULL);
  fail_unless (dir && outside);
  big = g_byte_array_sized_new (BIG_SIZE);
  for (i = 0; i < BIG_SIZE; i++) {
    guint8 b = (guint8) (i * 7 + i / 251);

    g_byte_array_append (big, &b, 1);
  }
  p = g_build_filename (dir, "talk.webm", NULL);
  fail_unless (g_file_set_contents (p, (gchar *) big->data, big->len, NULL));
  g_free (p);
  p = g_build_filename (dir, "day 1", NULL);
  fail_unless (g_mkdir (p, 0755) == 0);
  g_free (p);
  p = g_build_filename (dir, "day 1", "b.mp4", NULL);
  fail_unless (g_file_set_contents (p, "mp4", -1, NULL));
  g_free (p);
  p = g_build_filename (dir, "empty.ts", NULL);
  fail_unless (g_file_set_contents (p, "", 0, NULL));
  g_free (p);
  p = g_build_filename (dir, ".secret", NULL);
  fail_unless (g_file_set_contents (p, "TOPSECRET", -1, NULL));
  g_free (p);
  p = g_build_filename (outside, "secret", NULL);
  fail_unless (g_file_set_contents (p, "TOPSECRET", -1, NULL));
  g_free (p);
  p = g_build_filename (dir, "link", NULL);
  {
    gchar *target = g_build_filename (outside, "secret", NULL);

    fail_unless (symlink (target, p) == 0);
    g_free (target);
  }
  g_free (p);
}

static void
teardown (void)
{
  remove_tree (dir);
  remove_tree (outside);
  g_free (dir);
  g_free (outside);
  g_byte_array_unref (big);
}

/* "fluondemand name=od port=@port directory=dir @props" PLAYING */
static GstElement *
start_ondemand (guint port, const gchar * props, GstElement ** od)
{
  gchar *desc = g_strdup_printf ("fluondemand name=od port=%u directory=\"%s\""
      " %s", port, dir, props ? props : "");
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);

  g_free (desc);
  fail_unless (p != NULL, "parse: %s", err ? err->message : "?");
  if (!GST_IS_PIPELINE (p)) {
    GstElement *pipe = gst_pipeline_new (NULL);

    gst_bin_add (GST_BIN (pipe), p);
    p = pipe;
  }
  *od = gst_bin_get_by_name (GST_BIN (p), "od");
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (p, NULL, NULL, 5 * GST_SECOND) ==
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (*od);
  return p;
}

static HttpResponse *
request (guint port, const gchar * method, const gchar * path,
    const gchar * headers)
{
  gchar *req = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: localhost\r\n"
      "User-Agent: flucheck\r\n%s\r\n", method, path, headers ? headers : "");
  HttpResponse *r = http_request ("127.0.0.1", port, req, G_MAXSIZE, 20000);

  g_free (req);
  return r;
}

static gboolean
body_is (HttpResponse * r, guint offset, guint len)
{
  return r->body->len == len &&
      memcmp (r->body->data, big->data + offset, len) == 0;
}

static void
assert_header (HttpResponse * r, const gchar * name, const gchar * value)
{
  gchar *v = http_header (r, name);

  fail_unless (v != NULL, "no %s in %s", name, r->head);
  fail_unless_equals_string (v, value);
  g_free (v);
}

GST_START_TEST (test_get_head_range)
{
  GstElement *od, *p = start_ondemand (0, NULL, &od);
  guint port = sink_port (od);
  HttpResponse *r;
  gchar *etag, *modified, *len = g_strdup_printf ("%u", BIG_SIZE), *h;

  r = request (port, "GET", "/recordings/talk.webm", NULL);
  fail_unless_equals_int (r->status, 200);
  assert_header (r, "Content-Type", "video/webm");
  assert_header (r, "Content-Length", len);
  assert_header (r, "Accept-Ranges", "bytes");
  fail_unless (body_is (r, 0, BIG_SIZE));
  etag = http_header (r, "ETag");
  modified = http_header (r, "Last-Modified");
  fail_unless (etag && etag[0] == '"' && modified);
  http_response_free (r);

  r = request (port, "HEAD", "/recordings/talk.webm", NULL);
  fail_unless_equals_int (r->status, 200);
  assert_header (r, "Content-Length", len);
  assert_header (r, "ETag", etag);
  fail_unless_equals_int (r->body->len, 0);
  http_response_free (r);

  r = request (port, "GET", "/recordings/talk.webm",
      "Range: bytes=1000-70999\r\n");
  fail_unless_equals_int (r->status, 206);
  h = g_strdup_printf ("bytes 1000-70999/%u", BIG_SIZE);
  assert_header (r, "Content-Range", h);
  g_free (h);
  assert_header (r, "Content-Length", "70000");
  fail_unless (body_is (r, 1000, 70000));
  http_response_free (r);

  r = request (port, "GET", "/recordings/talk.webm", "Range: bytes=-10\r\n");
  fail_unless_equals_int (r->status, 206);
  fail_unless (body_is (r, BIG_SIZE - 10, 10));
  http_response_free (r);

  r = request (port, "HEAD", "/recordings/talk.webm", "Range: bytes=5-9\r\n");
  fail_unless_equals_int (r->status, 206);
  assert_header (r, "Content-Length", "5");
  http_response_free (r);

  r = request (port, "GET", "/recordings/talk.webm",
      "Range: bytes=900000-\r\n");
  fail_unless_equals_int (r->status, 416);
  h = g_strdup_printf ("bytes */%u", BIG_SIZE);
  assert_header (r, "Content-Range", h);
  g_free (h);
  http_response_free (r);

  /* If-Range: the current tag honours the range, an old one gets all */
  h = g_strdup_printf ("Range: bytes=0-9\r\nIf-Range: %s\r\n", etag);
  r = request (port, "GET", "/recordings/talk.webm", h);
  g_free (h);
  fail_unless_equals_int (r->status, 206);
  fail_unless (body_is (r, 0, 10));
  http_response_free (r);
  r = request (port, "GET", "/recordings/talk.webm",
      "Range: bytes=0-9\r\nIf-Range: \"old\"\r\n");
  fail_unless_equals_int (r->status, 200);
  fail_unless (body_is (r, 0, BIG_SIZE));
  http_response_free (r);

  /* validators */
  h = g_strdup_printf ("If-None-Match: %s\r\n", etag);
  r = request (port, "GET", "/recordings/talk.webm", h);
  g_free (h);
  fail_unless_equals_int (r->status, 304);
  assert_header (r, "ETag", etag);
  fail_unless_equals_int (r->body->len, 0);
  http_response_free (r);
  h = g_strdup_printf ("If-Modified-Since: %s\r\n", modified);
  r = request (port, "GET", "/recordings/talk.webm", h);
  g_free (h);
  fail_unless_equals_int (r->status, 304);
  http_response_free (r);
  r = request (port, "GET", "/recordings/talk.webm",
      "If-None-Match: \"other\"\r\n");
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);

  /* an empty file: 200 with nothing, and no range in it */
  r = request (port, "GET", "/recordings/empty.ts", NULL);
  fail_unless_equals_int (r->status, 200);
  assert_header (r, "Content-Length", "0");
  assert_header (r, "Content-Type", "video/mp2t");
  fail_unless_equals_int (r->body->len, 0);
  http_response_free (r);
  r = request (port, "GET", "/recordings/empty.ts", "Range: bytes=0-\r\n");
  fail_unless_equals_int (r->status, 416);
  assert_header (r, "Content-Range", "bytes */0");
  http_response_free (r);

  r = request (port, "POST", "/recordings/talk.webm", NULL);
  fail_unless_equals_int (r->status, 405);
  http_response_free (r);

  {
    GstStructure *s;
    guint64 ok = 0, partial = 0, nm = 0, bytes = 0;

    g_object_get (od, "stats", &s, NULL);
    fail_unless (gst_structure_get_uint64 (s, "ok", &ok));
    fail_unless (gst_structure_get_uint64 (s, "partial", &partial));
    fail_unless (gst_structure_get_uint64 (s, "not-modified", &nm));
    fail_unless (gst_structure_get_uint64 (s, "bytes-sent", &bytes));
    fail_unless_equals_uint64 (ok, 5);
    fail_unless_equals_uint64 (partial, 4);
    fail_unless_equals_uint64 (nm, 2);
    fail_unless (bytes >= 2 * (guint64) BIG_SIZE + 70000);
    gst_structure_free (s);
  }

  g_free (etag);
  g_free (modified);
  g_free (len);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_listing)
{
  GstElement *od, *p = start_ondemand (0, "mount-point=/rec/", &od);
  guint port = sink_port (od);
  HttpResponse *r;
  const gchar *body;

  r = request (port, "GET", "/rec/", NULL);
  fail_unless_equals_int (r->status, 200);
  g_byte_array_append (r->body, (const guint8 *) "", 1);
  body = (const gchar *) r->body->data;
  fail_unless (strstr (body, "href=\"day%201/\"") != NULL, "%s", body);
  fail_unless (strstr (body, "href=\"talk.webm\"") != NULL, "%s", body);
  fail_if (strstr (body, "secret") != NULL, "%s", body);
  fail_if (strstr (body, "link") != NULL, "%s", body);
  http_response_free (r);

  r = request (port, "GET", "/rec/day%201/", NULL);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  r = request (port, "GET", "/rec/day%201/b.mp4", NULL);
  fail_unless_equals_int (r->status, 200);
  assert_header (r, "Content-Type", "video/mp4");
  http_response_free (r);
  /* a directory without its '/', the prefix without its '/' */
  r = request (port, "GET", "/rec/day%201", NULL);
  fail_unless_equals_int (r->status, 301);
  assert_header (r, "Location", "/rec/day%201/");
  http_response_free (r);
  r = request (port, "GET", "/rec", NULL);
  fail_unless_equals_int (r->status, 301);
  assert_header (r, "Location", "/rec/");
  http_response_free (r);
  stop_pipeline (p);

  p = start_ondemand (0, "listing=false", &od);
  port = sink_port (od);
  fail_unless_equals_int (http_status (port, "/recordings/", NULL), 403);
  fail_unless_equals_int (http_status (port, "/recordings/talk.webm", NULL),
      200);
  stop_pipeline (p);
}

GST_END_TEST;

/* 20,000 entries (twice what a listing once held at most), streamed
 * in chunks of FLU_ON_DEMAND_LISTING_PIECE: every one listed, once, in
 * order, in one whole page */
#define MANY_FILES 20000

GST_START_TEST (test_listing_large)
{
  gchar *many = g_build_filename (dir, "many", NULL);
  GstElement *od, *p;
  HttpResponse *r;
  const gchar *body, *at;
  guint port, i;

  fail_unless (g_mkdir (many, 0755) == 0);
  for (i = 0; i < MANY_FILES; i++) {
    gchar *f = g_strdup_printf ("%s/f%05u.ts", many, i);
    gint fd = open (f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    fail_unless (fd >= 0, "%s: %s", f, g_strerror (errno));
    close (fd);
    g_free (f);
  }
  p = start_ondemand (0, NULL, &od);
  port = sink_port (od);
  r = request (port, "GET", "/recordings/many/", NULL);
  fail_unless_equals_int (r->status, 200);
  fail_unless (r->chunked, "%s", r->head);
  assert_header (r, "Content-Type", "text/html; charset=utf-8");
  g_byte_array_append (r->body, (const guint8 *) "", 1);
  body = (const gchar *) r->body->data;
  fail_unless (g_str_has_prefix (body, "<!DOCTYPE html>\n<html><head>"));
  fail_unless (g_str_has_suffix (body, "</table>\n</body></html>\n"));
  fail_unless (strstr (body, "Index of /recordings/many/") != NULL);
  fail_if (strstr (body, "not shown") != NULL);
  at = body;
  for (i = 0; i < MANY_FILES; i++) {
    gchar *row = g_strdup_printf ("<tr><td><a href=\"f%05u.ts\">f%05u.ts"
        "</a></td><td>0</td><td>", i, i);
    const gchar *next = strstr (at, row);

    /* in order, and nothing between two rows but a row */
    fail_unless (next != NULL, "no %s after %.200s", row, at);
    fail_unless (i == 0 || next == strchr (at, '\n') + 1, "%.200s", at);
    at = next + strlen (row);
    g_free (row);
  }
  fail_unless (strstr (at, "<tr>") == NULL);
  /* HTTP/1.0 knows no chunks: the same page, ended by the close */
  {
    HttpResponse *r10 = http_request ("127.0.0.1", port,
        "GET /recordings/many/ HTTP/1.0\r\n\r\n", G_MAXSIZE, 20000);

    fail_unless_equals_int (r10->status, 200);
    fail_unless (r10->closed && !r10->chunked, "%s", r10->head);
    fail_unless_equals_int (r10->body->len + 1, r->body->len);
    fail_unless (memcmp (r10->body->data, body, r10->body->len) == 0);
    http_response_free (r10);
  }
  http_response_free (r);
  /* HEAD: the same head, no body */
  r = request (port, "HEAD", "/recordings/many/", NULL);
  fail_unless_equals_int (r->status, 200);
  fail_unless_equals_int (r->body->len, 0);
  http_response_free (r);
  stop_pipeline (p);
  g_free (many);
}

GST_END_TEST;

GST_START_TEST (test_path_safety)
{
  GstElement *od, *p = start_ondemand (0, NULL, &od);
  guint port = sink_port (od);
  const gchar *paths[] = {
    "/recordings/../recordings/.secret",
    "/recordings/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/recordings/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/recordings/..%2f..%2f..%2fetc%2fpasswd",
    "/recordings/..%5c..%5cetc%5cpasswd",
    "/recordings/talk.webm%00.txt",
    "/recordings/%00",
    "/recordings/.secret",
    "/recordings/%2esecret",
    "/recordings/link",
    "/recordings//etc/passwd",
    "/recordings/day%201/%2e%2e/.secret",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++) {
    HttpResponse *r = request (port, "GET", paths[i], NULL);

    fail_unless (r->status >= 400 && r->status < 500, "%s: %u", paths[i],
        r->status);
    g_byte_array_append (r->body, (const guint8 *) "", 1);
    fail_if (strstr ((gchar *) r->body->data, "TOPSECRET") != NULL ||
        strstr ((gchar *) r->body->data, "root:") != NULL, "%s served",
        paths[i]);
    http_response_free (r);
  }
  /* a very long path: refused, the server still answers */
  {
    GString *s = g_string_new ("/recordings/");
    HttpResponse *r;

    for (i = 0; i < 1500; i++)
      g_string_append (s, "%2e%2e/");
    r = request (port, "GET", s->str, NULL);
    fail_unless (r->status >= 400 && r->status < 500, "%u", r->status);
    http_response_free (r);
    g_string_free (s, TRUE);
  }
  fail_unless_equals_int (http_status (port, "/recordings/talk.webm", NULL),
      200);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_auth_and_log)
{
  gchar *pw = g_build_filename (outside, "htpasswd", NULL);
  gchar *log = g_build_filename (outside, "access.log", NULL);
  gchar *rotated = g_build_filename (outside, "access.log.1", NULL);
  gchar *props, *auth, *text = NULL;
  GstElement *od, *p;
  guint port;
  HttpResponse *r;

  fail_unless (g_file_set_contents (pw,
          "viewer:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n", -1, NULL));
  props = g_strdup_printf ("htpasswd=\"%s\" realm=Talks access-log=\"%s\"",
      pw, log);
  p = start_ondemand (0, props, &od);
  port = sink_port (od);
  r = request (port, "GET", "/recordings/talk.webm", NULL);
  fail_unless_equals_int (r->status, 401);
  assert_header (r, "WWW-Authenticate",
      "Basic realm=\"Talks\", charset=\"UTF-8\"");
  http_response_free (r);
  auth = http_basic_header ("viewer", "wrong");
  fail_unless_equals_int (http_status (port, "/recordings/talk.webm", auth),
      401);
  g_free (auth);
  auth = http_basic_header ("viewer", "secret");
  r = request (port, "GET", "/recordings/talk.webm", auth);
  fail_unless_equals_int (r->status, 200);
  fail_unless (body_is (r, 0, BIG_SIZE));
  http_response_free (r);
  g_free (auth);
  /* rotation: moved away, reopened on SIGHUP; the next line goes to the
   * new file */
  rotate_log_on_sighup (log, rotated);
  fail_unless_equals_int (http_status (port, "/recordings/talk.webm", NULL),
      401);
  g_free (wait_file_contains (log,
          "\"GET /recordings/talk.webm HTTP/1.1\" 401", 5000));
  stop_pipeline (p);

  fail_unless (g_file_get_contents (rotated, &text, NULL, NULL));
  /* three lines; the served one names the user, the status and the
   * bytes; no password in it */
  fail_unless (strstr (text, "\"GET /recordings/talk.webm HTTP/1.1\" 401")
      != NULL, "%s", text);
  {
    gchar *line = g_strdup_printf (" viewer [");
    gchar *ok = g_strdup_printf ("\"GET /recordings/talk.webm HTTP/1.1\" 200 "
        "%u", BIG_SIZE);

    fail_unless (strstr (text, line) != NULL, "%s", text);
    fail_unless (strstr (text, ok) != NULL, "%s", text);
    g_free (line);
    g_free (ok);
  }
  fail_if (strstr (text, "secret") != NULL, "%s", text);
  g_free (text);
  g_free (props);

  /* address lists */
  p = start_ondemand (0, "deny=127.0.0.0/8", &od);
  fail_unless_equals_int (http_status (sink_port (od),
          "/recordings/talk.webm", NULL), 403);
  stop_pipeline (p);
  p = start_ondemand (0, "allow=10.0.0.0/8", &od);
  fail_unless_equals_int (http_status (sink_port (od),
          "/recordings/talk.webm", NULL), 403);
  stop_pipeline (p);
  p = start_ondemand (0, "allow=127.0.0.1", &od);
  fail_unless_equals_int (http_status (sink_port (od),
          "/recordings/talk.webm", NULL), 200);
  stop_pipeline (p);
  /* signed URLs, for the path as requested */
  {
    gint64 expires = g_get_real_time () / G_USEC_PER_SEC + 600;
    gchar *token = flu_http_token_make ("s3", "/recordings/day%201/b.mp4",
        expires);
    gchar *url = g_strdup_printf ("/recordings/day%%201/b.mp4?expires=%"
        G_GINT64_FORMAT "&token=%s", expires, token);
    gchar *other = g_strdup_printf ("/recordings/talk.webm?expires=%"
        G_GINT64_FORMAT "&token=%s", expires, token);

    p = start_ondemand (0, "token-secret=s3", &od);
    port = sink_port (od);
    fail_unless_equals_int (http_status (port, url, NULL), 200);
    fail_unless_equals_int (http_status (port, other, NULL), 403);
    fail_unless_equals_int (http_status (port, "/recordings/day%201/b.mp4",
            NULL), 403);
    stop_pipeline (p);
    g_free (url);
    g_free (other);
    g_free (token);
  }
  g_unlink (pw);
  g_unlink (log);
  g_unlink (rotated);
  g_free (pw);
  g_free (log);
  g_free (rotated);
}

GST_END_TEST;

GST_START_TEST (test_rate_limit)
{
  /* 200 KB/s, a 100 KB bucket: 600 KB cannot arrive in under 2.5 s */
  GstElement *od, *p = start_ondemand (0, "rate-limit=204800 burst=102400",
      &od);
  guint port = sink_port (od);
  gint64 t0 = g_get_monotonic_time ();
  HttpResponse *r = request (port, "GET", "/recordings/talk.webm", NULL);
  gdouble secs = (g_get_monotonic_time () - t0) / 1e6;
  GstStructure *s;
  guint64 waits = 0;

  fail_unless_equals_int (r->status, 200);
  fail_unless (body_is (r, 0, BIG_SIZE));
  GST_INFO ("600 KB at 200 KB/s in %.2f s", secs);
  fail_unless (secs >= 2.0, "600 KB in %.2f s despite the rate limit", secs);
  http_response_free (r);
  g_object_get (od, "stats", &s, NULL);
  fail_unless (gst_structure_get_uint64 (s, "rate-waits", &waits));
  fail_unless (waits > 0);
  gst_structure_free (s);

  /* client-limit: a second download while the first runs gets 503 */
  stop_pipeline (p);
  p = start_ondemand (0, "rate-limit=100000 client-limit=1", &od);
  port = sink_port (od);
  {
    gint fd = tcp_connect ("127.0.0.1", port);
    const gchar *req = "GET /recordings/talk.webm HTTP/1.1\r\n"
        "Host: x\r\n\r\n";
    gchar buf[4096];

    fail_unless (fd >= 0);
    fail_unless (write (fd, req, strlen (req)) == (gssize) strlen (req));
    fail_unless (read (fd, buf, sizeof buf) > 0);
    r = request (port, "GET", "/recordings/talk.webm", NULL);
    fail_unless_equals_int (r->status, 503);
    assert_header (r, "Retry-After", "5");
    http_response_free (r);
    /* HEAD is no download */
    r = request (port, "HEAD", "/recordings/talk.webm", NULL);
    fail_unless_equals_int (r->status, 200);
    http_response_free (r);
    close (fd);
  }

  /* a viewer cut off by a stop in the middle of its download */
  {
    gint fd = tcp_connect ("127.0.0.1", port);
    const gchar *req = "GET /recordings/talk.webm HTTP/1.1\r\n"
        "Host: x\r\n\r\n";
    gchar buf[4096];

    fail_unless (fd >= 0);
    fail_unless (write (fd, req, strlen (req)) == (gssize) strlen (req));
    fail_unless (read (fd, buf, sizeof buf) > 0);
    stop_pipeline (p);
    close (fd);
  }
}

GST_END_TEST;

GST_START_TEST (test_beside_httpsink)
{
  GstElement *sink, *live = start_webm_pipeline ("mount-point=/live.webm",
      &sink);
  guint port = sink_port (sink);
  GstElement *od, *p = start_ondemand (port, NULL, &od);
  HttpResponse *r;

  fail_unless_equals_int (sink_port (od), port);
  r = http_get (port, "/live.webm", NULL, 4096, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  r = request (port, "GET", "/recordings/talk.webm", "Range: bytes=0-99\r\n");
  fail_unless_equals_int (r->status, 206);
  fail_unless (body_is (r, 0, 100));
  http_response_free (r);
  fail_unless_equals_int (http_status (port, "/nothing", NULL), 404);
  /* the files go with their element, the stream stays */
  stop_pipeline (p);
  fail_unless_equals_int (http_status (port, "/recordings/talk.webm", NULL),
      404);
  r = http_get (port, "/live.webm", NULL, 4096, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);

  /* a rate-limited viewer when the files go but the server stays: its
   * connection is closed, it does not hang */
  p = start_ondemand (port, "rate-limit=50000", &od);
  {
    gint fd = tcp_connect ("127.0.0.1", port);
    const gchar *req = "GET /recordings/talk.webm HTTP/1.1\r\n"
        "Host: x\r\n\r\n";
    gint64 deadline;
    gboolean eof = FALSE;
    gchar buf[65536];

    fail_unless (fd >= 0);
    fail_unless (write (fd, req, strlen (req)) == (gssize) strlen (req));
    fail_unless (read (fd, buf, sizeof buf) > 0);
    stop_pipeline (p);
    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (!eof && g_get_monotonic_time () < deadline) {
      struct pollfd pfd = { fd, POLLIN, 0 };

      if (poll (&pfd, 1, 500) > 0)
        eof = read (fd, buf, sizeof buf) <= 0;
    }
    fail_unless (eof, "the viewer's connection stayed open");
    close (fd);
  }
  r = http_get (port, "/live.webm", NULL, 4096, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  stop_pipeline (live);
}

GST_END_TEST;

GST_START_TEST (test_stats_paths)
{
  GstElement *od, *p = start_ondemand (0, "stats-path=/od.json "
      "metrics-path=/od-metrics token-secret=s3", &od);
  guint port = sink_port (od);
  HttpResponse *r;
  const gchar *body;

  /* one refused file request (no token), then the counters */
  fail_unless_equals_int (http_status (port, "/recordings/talk.webm", NULL),
      403);
  r = request (port, "GET", "/od.json", NULL);
  fail_unless_equals_int (r->status, 200);
  assert_header (r, "Content-Type", "application/json");
  g_byte_array_append (r->body, (const guint8 *) "", 1);
  body = (const gchar *) r->body->data;
  fail_unless (g_str_has_prefix (body, "{\"mount\": \"/recordings/\", "
          "\"requests\": 1, "), "%s", body);
  fail_unless (strstr (body, "\"refused\": 1") != NULL, "%s", body);
  http_response_free (r);
  r = request (port, "GET", "/od-metrics", NULL);
  fail_unless_equals_int (r->status, 200);
  g_byte_array_append (r->body, (const guint8 *) "", 1);
  body = (const gchar *) r->body->data;
  fail_unless (strstr (body, "# TYPE fluondemand_requests_total counter\n"
          "fluondemand_requests_total{mount=\"/recordings/\"} 1\n") != NULL,
      "%s", body);
  fail_unless (strstr (body, "# TYPE fluondemand_viewers gauge\n") != NULL,
      "%s", body);
  http_response_free (r);
  stop_pipeline (p);

  /* a path another element has: refused at start; a longer prefix on
   * the same port wins over the shorter one */
  p = start_ondemand (0, "stats-path=/s.json", &od);
  {
    GstElement *other = gst_element_factory_make ("fluondemand", NULL);
    gchar *sub = g_build_filename (dir, "day 1", NULL);

    g_object_set (other, "port", sink_port (od), "directory", sub,
        "mount-point", "/recordings/in/", "stats-path", "/s.json", NULL);
    fail_unless (gst_element_set_state (other, GST_STATE_READY) ==
        GST_STATE_CHANGE_FAILURE);
    g_object_set (other, "stats-path", "/t.json", NULL);
    fail_unless (gst_element_set_state (other, GST_STATE_READY) ==
        GST_STATE_CHANGE_SUCCESS);
    fail_unless_equals_int (http_status (sink_port (od),
            "/recordings/in/b.mp4", NULL), 200);
    fail_unless_equals_int (http_status (sink_port (od),
            "/recordings/talk.webm", NULL), 200);
    gst_element_set_state (other, GST_STATE_NULL);
    fail_unless_equals_int (http_status (sink_port (od),
            "/recordings/in/b.mp4", NULL), 404);
    gst_object_unref (other);
    g_free (sub);
  }
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_bad_settings)
{
  GstElement *od = gst_element_factory_make ("fluondemand", NULL);

  g_object_set (od, "port", 0, "directory", "/nonexistent/flu", NULL);
  fail_unless (gst_element_set_state (od, GST_STATE_READY) ==
      GST_STATE_CHANGE_FAILURE);
  g_object_set (od, "directory", dir, "mount-point", "/no-slash", NULL);
  fail_unless (gst_element_set_state (od, GST_STATE_READY) ==
      GST_STATE_CHANGE_FAILURE);
  g_object_set (od, "mount-point", "/ok/", NULL);
  fail_unless (gst_element_set_state (od, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state (od, GST_STATE_NULL);
  gst_object_unref (od);
}

GST_END_TEST;

/* what an attacker sends besides plain dot segments: absolute URIs in the
 * request line, overlong UTF-8 and double-encoded dots, path parameters,
 * fragments and queries, trailing dots, backslashes; never a byte from
 * outside, and the status each gets */
GST_START_TEST (test_hostile_requests)
{
  GstElement *od, *p = start_ondemand (0, NULL, &od);
  guint port = sink_port (od);
  const struct
  {
    const gchar *target;
    guint status;
  } cases[] = {
    /* GUri removes the dot segments, encoded ones too: a path of no
     * mount */
    {"http://localhost/recordings/../../etc/passwd", 404},
    {"http://localhost/recordings/%2e%2e/%2e%2e/etc/passwd", 404},
    {"http://other.example/recordings/link", 403},
    {"/recordings/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", 404},
    {"/recordings/%e0%80%ae%e0%80%ae/etc/passwd", 404},
    {"/recordings/%252e%252e/%252e%252e/etc/passwd", 404},
    {"/recordings/%252e%252e%252f.secret", 404},
    {"/recordings/link;x=1", 404},
    {"/recordings/talk.webm;/../../etc/passwd", 404},
    {"/recordings/link?/../../etc/passwd", 403},
    {"/recordings/.secret.", 404},
    {"/recordings/talk.webm.", 404},
    {"/recordings/day%201./b.mp4", 404},
    {"/recordings/day%201%5c..%5c.secret", 403},
    {"/recordings/%2e%2e%5c.secret", 403},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    HttpResponse *r = request (port, "GET", cases[i].target, NULL);

    fail_unless (r->status == cases[i].status, "%s: %u", cases[i].target,
        r->status);
    g_byte_array_append (r->body, (const guint8 *) "", 1);
    fail_if (strstr ((gchar *) r->body->data, "TOPSECRET") != NULL ||
        strstr ((gchar *) r->body->data, "root:") != NULL, "%s served",
        cases[i].target);
    http_response_free (r);
  }
  fail_unless_equals_int (http_status (port,
          "http://other.example/recordings/talk.webm?x=/../", NULL), 200);
  stop_pipeline (p);
}

GST_END_TEST;

/* Range at the edges: a suffix on an empty file (satisfiable, RFC 9110
 * 14.1.3: the whole empty file), HEAD with a range, 17 ranges (more than
 * the parser takes: the whole file), a weak tag in If-Range */
GST_START_TEST (test_range_edges)
{
  GstElement *od, *p = start_ondemand (0, NULL, &od);
  guint port = sink_port (od);
  GString *many = g_string_new ("Range: bytes=0-0");
  HttpResponse *r;
  gchar *cl, *etag;
  guint i;

  r = request (port, "GET", "/recordings/empty.ts", "Range: bytes=-5\r\n");
  fail_unless_equals_int (r->status, 200);
  assert_header (r, "Content-Length", "0");
  http_response_free (r);
  r = request (port, "GET", "/recordings/empty.ts", "Range: bytes=-0\r\n");
  fail_unless_equals_int (r->status, 416);
  http_response_free (r);

  r = request (port, "HEAD", "/recordings/talk.webm", "Range: bytes=-5\r\n");
  fail_unless_equals_int (r->status, 206);
  assert_header (r, "Content-Length", "5");
  cl = g_strdup_printf ("bytes %u-%u/%u", BIG_SIZE - 5, BIG_SIZE - 1, BIG_SIZE);
  assert_header (r, "Content-Range", cl);
  g_free (cl);
  fail_unless_equals_int (r->body->len, 0);
  etag = http_header (r, "ETag");
  http_response_free (r);

  for (i = 1; i <= 16; i++)
    g_string_append_printf (many, ",%u-%u", i * 2, i * 2);
  g_string_append (many, "\r\n");
  r = request (port, "GET", "/recordings/talk.webm", many->str);
  fail_unless_equals_int (r->status, 200);
  fail_unless (body_is (r, 0, BIG_SIZE));
  http_response_free (r);
  g_string_free (many, TRUE);

  cl = g_strdup_printf ("Range: bytes=0-9\r\nIf-Range: W/%s\r\n", etag);
  r = request (port, "GET", "/recordings/talk.webm", cl);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  g_free (cl);
  g_free (etag);
  stop_pipeline (p);
}

GST_END_TEST;

/* a mount point with bytes a URL encodes (a space, UTF-8): matched as
 * libsoup decodes the request path, files and redirect found */
GST_START_TEST (test_mount_point_encoded)
{
  GstElement *od, *p = start_ondemand (0, "mount-point=\"/my vídeos/\"", &od);
  guint port = sink_port (od);
  HttpResponse *r;

  fail_unless_equals_int (http_status (port, "/my%20v%C3%ADdeos/talk.webm",
          NULL), 200);
  fail_unless_equals_int (http_status (port,
          "/my%20v%C3%ADdeos/day%201/b.mp4", NULL), 200);
  fail_unless_equals_int (http_status (port, "/my%20v%C3%ADdeos/.secret",
          NULL), 404);
  fail_unless_equals_int (http_status (port, "/my%20v%C3%ADdeos/link",
          NULL), 403);
  r = request (port, "GET", "/my%20v%C3%ADdeos", NULL);
  fail_unless_equals_int (r->status, 301);
  assert_header (r, "Location", "/my%20v%C3%ADdeos/");
  http_response_free (r);
  r = request (port, "GET", "/my%20v%C3%ADdeos/day%201", NULL);
  fail_unless_equals_int (r->status, 301);
  assert_header (r, "Location", "/my%20v%C3%ADdeos/day%201/");
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

static Suite *
fluondemand_suite (void)
{
  Suite *s = suite_create ("fluondemand");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_get_head_range);
  tcase_add_test (tc, test_listing);
  tcase_add_test (tc, test_listing_large);
  tcase_add_test (tc, test_path_safety);
  tcase_add_test (tc, test_hostile_requests);
  tcase_add_test (tc, test_range_edges);
  tcase_add_test (tc, test_mount_point_encoded);
  tcase_add_test (tc, test_auth_and_log);
  tcase_add_test (tc, test_rate_limit);
  tcase_add_test (tc, test_beside_httpsink);
  tcase_add_test (tc, test_stats_paths);
  tcase_add_test (tc, test_bad_settings);
  return s;
}

GST_CHECK_MAIN (fluondemand);
