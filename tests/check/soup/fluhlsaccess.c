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


/* fluhlssink's sessions in-process, on ports chosen at run time: no
 * session -> refused, forged and expired sessions refused, one credential
 * check per session over many reloads and segment fetches, client-limit
 * counting sessions, one access-log line per session (bytes, requests, no
 * token), bus messages, the stats and metrics (promtool), and keep-alive:
 * several requests, a held blocking reload among them, on one
 * connection, then a progressive stream of fluhttpsink on the same one. */

#include "fluhttptest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

/* "viewer:secret" (htpasswd -s) */
#define HTPASSWD "viewer:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"

static gchar *tmpdir;

static gchar *
tmp_file (const gchar * name, const gchar * contents)
{
  gchar *path;

  if (tmpdir == NULL)
    tmpdir = g_dir_make_tmp ("fluhlsaccess-XXXXXX", NULL);
  path = g_build_filename (tmpdir, name, NULL);
  if (contents)
    fail_unless (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static GstElement *
start_hls (const gchar * props, GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! "
      "mpegtsmux ! fluhlssink name=sink port=0 mount-point=/tv/ "
      "target-duration=1 part-target=0 %s", props);
  GstElement *p = start_pipeline (desc, NULL, sink);

  g_free (desc);
  return p;
}

/* the last URI line of @pl (a segment) */
static gchar *
last_segment (const gchar * pl)
{
  gchar **lines = g_strsplit (pl, "\n", -1), *found = NULL;
  guint i;

  for (i = 0; lines[i]; i++)
    if (lines[i][0] && lines[i][0] != '#') {
      g_free (found);
      found = g_strdup (lines[i]);
    }
  g_strfreev (lines);
  fail_unless (found != NULL, "no segment in %s", pl);
  return found;
}

/* the s=... value in @uri */
static gchar *
token_of (const gchar * uri)
{
  const gchar *p = strstr (uri, "?s=");

  fail_unless (p != NULL, "no token in %s", uri);
  return g_strdup (p + 3);
}

static HttpResponse *
get (guint port, const gchar * path, const gchar * headers)
{
  return http_get (port, path, headers, 1 << 24, 15000);
}

/* A first playlist with credentials: the token of its segments, and the
 * response */
static gchar *
login (guint port, const gchar * auth, gchar ** segment)
{
  HttpResponse *r = get (port, "/tv/index.m3u8", auth);
  gchar *pl, *seg, *tok;

  fail_unless_equals_int (r->status, 200);
  pl = http_body_text (r);
  seg = last_segment (pl);
  tok = token_of (seg);
  if (segment)
    *segment = g_strconcat ("/tv/", seg, NULL);
  g_free (seg);
  g_free (pl);
  http_response_free (r);
  return tok;
}

GST_START_TEST (test_refused)
{
  gchar *htpasswd = tmp_file ("users", HTPASSWD);
  gchar *props = g_strdup_printf ("htpasswd=%s session-timeout=2", htpasswd);
  GstElement *sink, *p = start_hls (props, &sink);
  guint port = sink_port (sink);
  gchar *auth = http_basic_header ("viewer", "secret");
  gchar *bad = http_basic_header ("viewer", "wrong");
  gchar *tok, *seg, *path, *v, *forged, *pl;
  HttpResponse *r;

  /* no credentials, wrong ones: 401 with the challenge */
  r = get (port, "/tv/index.m3u8", NULL);
  fail_unless_equals_int (r->status, 401);
  v = http_header (r, "WWW-Authenticate");
  fail_unless_equals_string (v, "Basic realm=\"fluhlssink\"");
  g_free (v);
  http_response_free (r);
  fail_unless_equals_int (http_status (port, "/tv/index.m3u8", bad), 401);

  tok = login (port, auth, &seg);
  /* the segment without a session, with the credentials only, with a
   * forged token: 403 */
  path = g_strndup (seg, strstr (seg, "?") - seg);
  fail_unless_equals_int (http_status (port, path, NULL), 403);
  fail_unless_equals_int (http_status (port, path, auth), 403);
  forged = g_strdup_printf ("%s?s=%.*s%c", path, (gint) strlen (tok) - 1, tok,
      tok[strlen (tok) - 1] == '0' ? '1' : '0');
  fail_unless_equals_int (http_status (port, forged, NULL), 403);
  g_free (forged);
  /* a token of another session id under the same MAC: 403 */
  forged = g_strdup_printf ("%s?s=0%s", path, tok + 1);
  if (tok[0] == '0')
    forged[strlen (path) + 3] = '1';
  fail_unless_equals_int (http_status (port, forged, NULL), 403);
  g_free (forged);
  /* with the token: 200, private */
  r = get (port, seg, NULL);
  fail_unless_equals_int (r->status, 200);
  fail_unless (r->body->len > 188);
  v = http_header (r, "Cache-Control");
  fail_unless_equals_string (v, "private, max-age=31536000, immutable");
  g_free (v);
  http_response_free (r);
  /* a new playlist with a session needs no credentials */
  v = g_strdup_printf ("/tv/index.m3u8?s=%s", tok);
  r = get (port, v, NULL);
  fail_unless_equals_int (r->status, 200);
  pl = http_body_text (r);
  fail_unless (strstr (pl, "?s=") != NULL);
  g_free (pl);
  http_response_free (r);
  g_free (v);

  /* expired: idle past session-timeout (2 s, raised to 3 target
   * durations + 1 = 4 s), the token too */
  g_usleep (5000 * 1000);
  fail_unless_equals_int (http_status (port, seg, NULL), 403);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 0);

  g_free (tok);
  g_free (seg);
  g_free (path);
  g_free (auth);
  g_free (bad);
  stop_pipeline (p);
  g_unlink (htpasswd);
  g_free (htpasswd);
  g_free (props);
}

GST_END_TEST;

/* a player: many reloads (with the token, with the cookie) and segment
 * fetches, one credential check */
GST_START_TEST (test_one_check_per_session)
{
  gchar *htpasswd = tmp_file ("users", HTPASSWD);
  gchar *props = g_strdup_printf ("htpasswd=%s", htpasswd);
  GstElement *sink, *p = start_hls (props, &sink);
  guint port = sink_port (sink);
  gchar *auth = http_basic_header ("viewer", "secret");
  gchar *tok, *seg, *cookie, *v;
  HttpResponse *r;
  guint i;

  r = get (port, "/tv/index.m3u8", auth);
  fail_unless_equals_int (r->status, 200);
  v = http_header (r, "Set-Cookie");
  fail_unless (v != NULL && g_str_has_prefix (v, "flu_hls_session="), "%s",
      GST_STR_NULL (v));
  fail_unless (strstr (v, "Path=/tv/") != NULL);
  cookie = g_strdup_printf ("Cookie: %.*s\r\n", (gint) strcspn (v, ";"), v);
  g_free (v);
  v = http_header (r, "Cache-Control");
  fail_unless (g_str_has_prefix (v, "private"), "%s", v);
  g_free (v);
  http_response_free (r);
  fail_unless_equals_int (stats_u64 (sink, "credential-checks"), 1);

  for (i = 0; i < 12; i++) {
    gchar *pl, *path, *s;

    /* reloads alternate: the token of the last playlist, the cookie
     * (and the credentials, which are not checked again) */
    if (i % 2 == 0) {
      tok = login (port, cookie, &seg);
    } else {
      gchar *both = g_strconcat (cookie, auth, NULL);

      tok = login (port, both, &seg);
      g_free (both);
    }
    r = get (port, seg, NULL);
    fail_unless_equals_int (r->status, 200);
    http_response_free (r);
    path = g_strdup_printf ("/tv/index.m3u8?s=%s", tok);
    r = get (port, path, NULL);
    fail_unless_equals_int (r->status, 200);
    pl = http_body_text (r);
    s = last_segment (pl);
    fail_unless (strstr (s, "?s=") != NULL);
    g_free (s);
    g_free (pl);
    http_response_free (r);
    g_free (path);
    g_free (tok);
    g_free (seg);
  }
  /* a stale token in the query, the cookie still good: the session */
  r = get (port, "/tv/index.m3u8?s=0123456789abcdef01234567.1.0123456789"
      "abcdef0123456789abcdef", cookie);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  fail_unless_equals_int (stats_u64 (sink, "credential-checks"), 1);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 1);
  fail_unless_equals_int (stats_u64 (sink, "sessions-total"), 1);
  /* a second viewer: a second check */
  tok = login (port, auth, NULL);
  g_free (tok);
  fail_unless_equals_int (stats_u64 (sink, "credential-checks"), 2);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 2);

  g_free (cookie);
  g_free (auth);
  stop_pipeline (p);
  g_unlink (htpasswd);
  g_free (htpasswd);
  g_free (props);
}

GST_END_TEST;

GST_START_TEST (test_client_limit)
{
  GstElement *sink, *p = start_hls ("client-limit=2 max-clients-per-ip=0 "
      "retry-after=7", &sink);
  guint port = sink_port (sink);
  gchar *t1, *t2, *seg, *v;
  HttpResponse *r;

  t1 = login (port, NULL, &seg);
  t2 = login (port, NULL, NULL);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 2);
  /* a third viewer: 503 */
  r = get (port, "/tv/index.m3u8", NULL);
  fail_unless_equals_int (r->status, 503);
  v = http_header (r, "Retry-After");
  fail_unless_equals_string (v, "7");
  g_free (v);
  http_response_free (r);
  /* the viewers in go on */
  fail_unless_equals_int (http_status (port, seg, NULL), 200);
  v = g_strdup_printf ("/tv/index.m3u8?s=%s", t2);
  fail_unless_equals_int (http_status (port, v, NULL), 200);
  g_free (v);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 2);
  fail_unless (stats_u64 (sink, "refused") >= 1);
  g_free (t1);
  g_free (t2);
  g_free (seg);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_per_ip_limit)
{
  GstElement *sink, *p = start_hls ("max-clients-per-ip=1", &sink);
  guint port = sink_port (sink);
  gchar *t1 = login (port, NULL, NULL);

  fail_unless_equals_int (http_status (port, "/tv/index.m3u8", NULL), 429);
  g_free (t1);
  stop_pipeline (p);
}

GST_END_TEST;

/* one line per session when it ends, with its bytes and requests, and
 * no token; bus messages at its start and end */
GST_START_TEST (test_access_log)
{
  gchar *htpasswd = tmp_file ("users", HTPASSWD);
  gchar *log = tmp_file ("access.log", NULL);
  gchar *rotated = tmp_file ("access.log.1", NULL);
  gchar *props = g_strdup_printf ("htpasswd=%s access-log=%s "
      "session-timeout=2", htpasswd, log);
  GstElement *sink, *p = start_hls (props, &sink);
  guint port = sink_port (sink);
  gchar *auth = http_basic_header ("viewer", "secret");
  gchar *tok, *seg, *text = NULL, **lines, *path;
  GstStructure *started, *ended;
  guint64 bytes = 0, requests = 0, got = 0;
  HttpResponse *r;
  guint i, n = 0;

  tok = login (port, auth, &seg);
  started = wait_element_message (p, "fluhlssink-session-started", 5000);
  fail_unless (started != NULL);
  fail_unless_equals_string (gst_structure_get_string (started, "user"),
      "viewer");
  gst_structure_free (started);
  for (i = 0; i < 2; i++) {
    r = get (port, seg, NULL);
    fail_unless_equals_int (r->status, 200);
    got += r->body->len;
    http_response_free (r);
  }
  path = g_strdup_printf ("/tv/index.m3u8?s=%s", tok);
  r = get (port, path, NULL);
  fail_unless_equals_int (r->status, 200);
  got += r->body->len;
  http_response_free (r);
  g_free (path);

  /* idle for the timeout: the session ends */
  ended = wait_element_message (p, "fluhlssink-session-ended", 10000);
  fail_unless (ended != NULL);
  fail_unless (gst_structure_get_uint64 (ended, "bytes", &bytes));
  fail_unless (gst_structure_get_uint64 (ended, "requests", &requests));
  fail_unless_equals_string (gst_structure_get_string (ended, "reason"),
      "idle");
  gst_structure_free (ended);
  fail_unless_equals_int (requests, 4);
  /* the first playlist too */
  fail_unless (bytes > got, "%" G_GUINT64_FORMAT " <= %" G_GUINT64_FORMAT,
      bytes, got);

  fail_unless (g_file_get_contents (log, &text, NULL, NULL));
  fail_unless (strstr (text, tok) == NULL, "token in the log: %s", text);
  fail_unless (strstr (text, "secret") == NULL);
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gchar *want;

    if (strstr (lines[i], "\" 200 ") == NULL)
      continue;
    n++;
    fail_unless (g_str_has_prefix (lines[i], "127.0.0.1 - viewer ["), "%s",
        lines[i]);
    fail_unless (strstr (lines[i], "\"GET /tv/index.m3u8 HTTP/1.1\"") !=
        NULL, "%s", lines[i]);
    want = g_strdup_printf (" 200 %" G_GUINT64_FORMAT " ", bytes);
    fail_unless (strstr (lines[i], want) != NULL, "%s", lines[i]);
    g_free (want);
    fail_unless (g_str_has_suffix (lines[i], " 4"), "%s", lines[i]);
  }
  fail_unless_equals_int (n, 1);
  g_strfreev (lines);
  g_free (text);

  /* a refused request has its line, token hidden */
  path = g_strdup (seg);
  path[strlen (path) - 1] = path[strlen (path) - 1] == '0' ? '1' : '0';
  fail_unless_equals_int (http_status (port, path, NULL), 403);
  g_free (path);
  g_usleep (100 * 1000);
  fail_unless (g_file_get_contents (log, &text, NULL, NULL));
  fail_unless (strstr (text, ".ts?s=- HTTP/1.1\" 403 ") != NULL, "%s", text);
  fail_unless (strstr (text, tok) == NULL);
  g_free (text);

  /* rotation: moved away, reopened on SIGHUP; the next line goes to the
   * new file */
  rotate_log_on_sighup (log, rotated);
  path = g_strdup (seg);
  path[strlen (path) - 1] = path[strlen (path) - 1] == '0' ? '1' : '0';
  fail_unless_equals_int (http_status (port, path, NULL), 403);
  g_free (path);
  g_free (wait_file_contains (log, ".ts?s=- HTTP/1.1\" 403 ", 5000));
  g_unlink (rotated);
  g_free (rotated);

  g_free (tok);
  g_free (seg);
  g_free (auth);
  stop_pipeline (p);
  g_unlink (log);
  g_unlink (htpasswd);
  g_free (log);
  g_free (htpasswd);
  g_free (props);
}

GST_END_TEST;

GST_START_TEST (test_stats_metrics)
{
  gchar *htpasswd = tmp_file ("users", HTPASSWD);
  gchar *props = g_strdup_printf ("htpasswd=%s stats-path=/tv-stats.json "
      "metrics-path=/tv-metrics", htpasswd);
  GstElement *sink, *p = start_hls (props, &sink);
  guint port = sink_port (sink);
  gchar *auth = http_basic_header ("viewer", "secret");
  gchar *tok, *seg, *text;
  HttpResponse *r;

  tok = login (port, auth, &seg);
  fail_unless_equals_int (http_status (port, seg, NULL), 200);
  fail_unless_equals_int (http_status (port, "/tv/index.m3u8", NULL), 401);

  r = get (port, "/tv-stats.json", NULL);
  fail_unless_equals_int (r->status, 200);
  text = http_body_text (r);
  fail_unless (strstr (text, "\"mount\": \"/tv/index.m3u8\"") != NULL, "%s",
      text);
  fail_unless (strstr (text, "\"clients\": 1,") != NULL, "%s", text);
  fail_unless (strstr (text, "\"connections\": 1,") != NULL, "%s", text);
  fail_unless (strstr (text, "\"requests\": 3,") != NULL, "%s", text);
  fail_unless (strstr (text, "\"credential-checks\": 1,") != NULL, "%s", text);
  fail_unless (strstr (text, "\"refused\": 1,") != NULL, "%s", text);
  /* the session's details to a loopback client; never its token */
  fail_unless (strstr (text, "\"user\": \"viewer\"") != NULL, "%s", text);
  fail_unless (strstr (text, tok) == NULL);
  g_free (text);
  http_response_free (r);

  r = get (port, "/tv-metrics", NULL);
  fail_unless_equals_int (r->status, 200);
  text = http_body_text (r);
  fail_unless (strstr (text, "fluhttpsink_clients{mount=\"/tv/index.m3u8\"} "
          "1\n") != NULL, "%s", text);
  fail_unless (strstr (text, "fluhlssink_requests_total{mount=\"/tv/index."
          "m3u8\"} 3\n") != NULL, "%s", text);
  fail_unless (strstr (text, "fluhlssink_credential_checks_total{mount=\"/tv/"
          "index.m3u8\"} 1\n") != NULL, "%s", text);
  promtool_check (text);
  g_free (text);
  http_response_free (r);

  g_free (tok);
  g_free (seg);
  g_free (auth);
  stop_pipeline (p);
  g_unlink (htpasswd);
  g_free (htpasswd);
  g_free (props);
}

GST_END_TEST;

/* a token signed with session-secret-file is good on another element
 * (another origin, or after a restart) with the same file: no credential
 * check there, a session of its own */
GST_START_TEST (test_secret_file)
{
  gchar *htpasswd = tmp_file ("users", HTPASSWD);
  gchar *secret = tmp_file ("secret", "a secret shared by two origins\n");
  gchar *props = g_strdup_printf ("htpasswd=%s session-secret-file=%s",
      htpasswd, secret);
  GstElement *sink1, *sink2, *p1 = start_hls (props, &sink1);
  GstElement *p2 = start_hls (props, &sink2);
  gchar *auth = http_basic_header ("viewer", "secret");
  gchar *tok = login (sink_port (sink1), auth, NULL), *path;
  HttpResponse *r;
  gchar *pl;

  path = g_strdup_printf ("/tv/index.m3u8?s=%s", tok);
  r = get (sink_port (sink2), path, NULL);
  fail_unless_equals_int (r->status, 200);
  pl = http_body_text (r);
  fail_unless (strstr (pl, "?s=") != NULL);
  g_free (pl);
  http_response_free (r);
  fail_unless_equals_int (stats_u64 (sink2, "credential-checks"), 0);
  fail_unless_equals_int (stats_uint (sink2, "sessions"), 1);
  /* a random key (no file) does not take it: a new viewer, whose
   * credentials are asked */
  stop_pipeline (p2);
  g_free (props);
  props = g_strdup_printf ("htpasswd=%s", htpasswd);
  p2 = start_hls (props, &sink2);
  fail_unless_equals_int (http_status (sink_port (sink2), path, NULL), 401);
  fail_unless_equals_int (stats_uint (sink2, "sessions"), 0);
  g_free (path);
  g_free (tok);
  g_free (auth);
  stop_pipeline (p1);
  stop_pipeline (p2);
  g_unlink (htpasswd);
  g_unlink (secret);
  g_free (htpasswd);
  g_free (secret);
  g_free (props);
}

GST_END_TEST;

/* session-mode=off: no tokens, the credentials on every request */
GST_START_TEST (test_mode_off)
{
  gchar *htpasswd = tmp_file ("users", HTPASSWD);
  gchar *props = g_strdup_printf ("htpasswd=%s session-mode=off", htpasswd);
  GstElement *sink, *p = start_hls (props, &sink);
  guint port = sink_port (sink);
  gchar *auth = http_basic_header ("viewer", "secret");
  HttpResponse *r = get (port, "/tv/index.m3u8", auth);
  gchar *pl, *seg, *path, *v;

  fail_unless_equals_int (r->status, 200);
  v = http_header (r, "Set-Cookie");
  fail_unless (v == NULL);
  v = http_header (r, "Cache-Control");
  fail_unless (g_str_has_prefix (v, "private"), "%s", v);
  g_free (v);
  pl = http_body_text (r);
  http_response_free (r);
  fail_unless (strstr (pl, "?s=") == NULL, "%s", pl);
  seg = last_segment (pl);
  path = g_strconcat ("/tv/", seg, NULL);
  fail_unless_equals_int (http_status (port, path, NULL), 401);
  fail_unless_equals_int (http_status (port, path, auth), 200);
  fail_unless_equals_int (stats_u64 (sink, "credential-checks"), 3);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 0);
  g_free (pl);
  g_free (seg);
  g_free (path);
  g_free (auth);
  stop_pipeline (p);
  g_unlink (htpasswd);
  g_free (htpasswd);
  g_free (props);
}

GST_END_TEST;

/* ---- keep-alive ---- */

/* Reads one response (Content-Length body) from @fd; its status, or 0 */
static guint
read_response (gint fd, GByteArray * buf, gchar ** head_out, gsize * body_len)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  gchar *head = NULL;
  gsize need = 0, head_len = 0;
  guint status = 0;

  while (TRUE) {
    if (head == NULL) {
      guint8 *end = NULL;
      guint i;

      for (i = 0; i + 3 < buf->len; i++)
        if (memcmp (buf->data + i, "\r\n\r\n", 4) == 0) {
          end = buf->data + i;
          break;
        }
      if (end) {
        const gchar *cl;

        head_len = end - buf->data + 4;
        head = g_strndup ((gchar *) buf->data, head_len);
        status = atoi (head + 9);
        cl = g_strstr_len (head, -1, "Content-Length: ");
        need = cl ? g_ascii_strtoull (cl + 16, NULL, 10) : 0;
      }
    }
    if (head && buf->len >= head_len + need)
      break;
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      guint8 data[16384];
      ssize_t n;

      if (left <= 0 || poll (&pfd, 1, left) <= 0)
        return 0;
      n = read (fd, data, sizeof (data));
      if (n <= 0)
        return 0;
      g_byte_array_append (buf, data, n);
    }
  }
  g_byte_array_remove_range (buf, 0, head_len + need);
  if (body_len)
    *body_len = need;
  if (head_out)
    *head_out = head;
  else
    g_free (head);
  return status;
}

GST_START_TEST (test_keepalive)
{
  GstElement *sink, *p = start_hls ("client-limit=10", &sink);
  GstElement *web, *websink;
  guint port = sink_port (sink);
  GByteArray *buf = g_byte_array_new ();
  gchar *head, *tok, *seg, *path, *pl;
  gsize len;
  gint fd;
  guint i, msn;

  tok = login (port, NULL, &seg);
  fd = tcp_connect ("127.0.0.1", port);
  fail_unless (fd >= 0);
  for (i = 0; i < 5; i++) {
    http_write_get (fd, i % 2 ? seg : "/tv/index.m3u8", NULL);
    fail_unless_equals_int (read_response (fd, buf, &head, &len), 200);
    fail_unless (strstr (head, "Connection: close") == NULL, "%s", head);
    fail_unless (len > 0);
    g_free (head);
  }
  /* a blocking reload held on the connection, answered on it, then the
   * next request on it still */
  http_write_get (fd, "/tv/index.m3u8", NULL);
  fail_unless_equals_int (read_response (fd, buf, &head, &len), 200);
  g_free (head);
  {
    gchar *tag;
    const gchar *v;

    path = g_strdup_printf ("/tv/index.m3u8?s=%s", tok);
    pl = NULL;
    {
      HttpResponse *r = get (port, path, NULL);

      pl = http_body_text (r);
      http_response_free (r);
    }
    g_free (path);
    v = strstr (pl, "#EXT-X-MEDIA-SEQUENCE:");
    fail_unless (v != NULL);
    msn = atoi (v + 22);
    /* the segment after the last listed one */
    for (v = pl; (v = strstr (v, "#EXTINF")); v++)
      msn++;
    g_free (pl);
    tag = g_strdup_printf ("/tv/index.m3u8?_HLS_msn=%u&s=%s", msn, tok);
    http_write_get (fd, tag, NULL);
    g_free (tag);
  }
  fail_unless_equals_int (read_response (fd, buf, &head, &len), 200);
  fail_unless (strstr (head, "Connection: close") == NULL, "%s", head);
  g_free (head);
  http_write_get (fd, seg, NULL);
  fail_unless_equals_int (read_response (fd, buf, NULL, &len), 200);
  fail_unless (len > 188);

  /* a progressive stream on the same connection, on the same port: the
   * engine takes the connection's socket */
  web = start_webm_pipeline ("mount-point=/live.webm", &websink);
  stop_pipeline (web);
  {
    gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
        "video/x-raw,width=160,height=120,framerate=15/1 ! vp8enc "
        "deadline=1 ! webmmux streamable=true ! fluhttpsink name=sink "
        "port=%u mount-point=/live.webm", port);

    web = start_pipeline (desc, NULL, &websink);
    g_free (desc);
  }
  http_write_get (fd, "/live.webm", NULL);
  {
    gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

    while (buf->len < 20000 && g_get_monotonic_time () < deadline) {
      struct pollfd pfd = { fd, POLLIN, 0 };
      guint8 data[16384];
      ssize_t n;

      if (poll (&pfd, 1, 1000) <= 0)
        continue;
      n = read (fd, data, sizeof (data));
      if (n <= 0)
        break;
      g_byte_array_append (buf, data, n);
    }
  }
  fail_unless (buf->len >= 20000, "%u bytes of the stream", buf->len);
  fail_unless (g_str_has_prefix ((gchar *) buf->data, "HTTP/1.1 200"));
  close (fd);
  stop_pipeline (web);

  g_byte_array_unref (buf);
  g_free (tok);
  g_free (seg);
  stop_pipeline (p);
}

GST_END_TEST;

/* resident set size in bytes */
static guint64
rss_bytes (void)
{
  gchar *text = NULL;
  guint64 pages = 0;

  if (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL))
    sscanf (text, "%*u %" G_GUINT64_FORMAT, &pages);
  g_free (text);
  return pages * sysconf (_SC_PAGESIZE);
}

/* @n new viewers, each with a 16 KiB user agent (a session keeps 256
 * bytes of it) */
static void
flood (guint port, guint n)
{
  gchar *ua = g_strnfill (16384, 'u');
  gchar *headers = g_strdup_printf ("User-Agent: %s\r\n", ua);
  guint i;

  for (i = 0; i < n; i++)
    fail_unless_equals_int (http_status (port, "/tv/index.m3u8", headers), 200);
  g_free (headers);
  g_free (ua);
}

/* 600 playlist requests without a token, far more than max-sessions: the
 * table stays at max-sessions (the oldest one-request session ends for
 * each new one), memory stays flat, and a viewer that has made two
 * requests is never the one to go; with only such viewers, a new one
 * gets 503 */
GST_START_TEST (test_max_sessions)
{
  GstElement *sink, *p = start_hls ("session-mode=both max-sessions=40",
      &sink);
  guint port = sink_port (sink);
  gchar *tok, *seg, *v;
  guint64 total, rss1, rss2;
  HttpResponse *r;

  tok = login (port, NULL, &seg);
  fail_unless_equals_int (http_status (port, seg, NULL), 200);
  /* a first flood warms the allocator up */
  flood (port, 300);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 40);
  rss1 = rss_bytes ();
  flood (port, 300);
  rss2 = rss_bytes ();
  fail_unless_equals_int (stats_uint (sink, "sessions"), 40);
  /* 300 sessions made and ended: nothing kept of them (4.8 MB of user
   * agents alone if they were).  ASan keeps freed memory in quarantine:
   * there its leak check at exit stands for this one. */
  GST_INFO ("RSS %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT, rss1, rss2);
#ifndef __SANITIZE_ADDRESS__
  fail_unless (rss2 < rss1 + 3 * 1024 * 1024, "RSS %" G_GUINT64_FORMAT
      " -> %" G_GUINT64_FORMAT, rss1, rss2);
#endif
  /* the viewer is still known: no new session for it (its segment may
   * have left the window meanwhile: its playlist) */
  total = stats_u64 (sink, "sessions-total");
  v = g_strdup_printf ("/tv/index.m3u8?s=%s", tok);
  fail_unless_equals_int (http_status (port, v, NULL), 200);
  g_free (v);
  fail_unless_equals_int (stats_u64 (sink, "sessions-total"), total);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 40);
  g_free (tok);
  g_free (seg);
  stop_pipeline (p);

  /* every session has made two requests: 503 */
  p = start_hls ("session-mode=both max-sessions=2 retry-after=9", &sink);
  port = sink_port (sink);
  tok = login (port, NULL, &seg);
  fail_unless_equals_int (http_status (port, seg, NULL), 200);
  g_free (tok);
  g_free (seg);
  tok = login (port, NULL, &seg);
  fail_unless_equals_int (http_status (port, seg, NULL), 200);
  r = get (port, "/tv/index.m3u8", NULL);
  fail_unless_equals_int (r->status, 503);
  v = http_header (r, "Retry-After");
  fail_unless_equals_string (v, "9");
  g_free (v);
  http_response_free (r);
  fail_unless_equals_int (stats_uint (sink, "sessions"), 2);
  g_free (tok);
  g_free (seg);
  stop_pipeline (p);
}

GST_END_TEST;

/* session-timeout under 3 target durations is raised: the cookie (and
 * the session) last 3 x 1 + 1 s */
GST_START_TEST (test_timeout_clamped)
{
  GstElement *sink, *p = start_hls ("session-mode=cookie session-timeout=1",
      &sink);
  guint port = sink_port (sink);
  HttpResponse *r = get (port, "/tv/index.m3u8", NULL);
  gchar *v;

  fail_unless_equals_int (r->status, 200);
  v = http_header (r, "Set-Cookie");
  fail_unless (v && strstr (v, "; Max-Age=4;") != NULL, "%s", v);
  g_free (v);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

/* stats-allow and stats-htpasswd guard stats-path and metrics-path as
 * fluhttpsink's do */
GST_START_TEST (test_stats_guard)
{
  gchar *htpasswd = tmp_file ("stats-users", HTPASSWD);
  gchar *props = g_strdup_printf ("session-mode=both stats-path=/tv.json "
      "metrics-path=/tv-metrics stats-htpasswd=%s", htpasswd);
  GstElement *sink, *p = start_hls (props, &sink);
  guint port = sink_port (sink);
  gchar *auth = http_basic_header ("viewer", "secret");
  gchar *bad = http_basic_header ("viewer", "wrong");
  gchar *text, *v;
  HttpResponse *r;

  r = get (port, "/tv.json", NULL);
  fail_unless_equals_int (r->status, 401);
  v = http_header (r, "WWW-Authenticate");
  fail_unless_equals_string (v, "Basic realm=\"statistics\"");
  g_free (v);
  http_response_free (r);
  fail_unless_equals_int (http_status (port, "/tv-metrics", NULL), 401);
  fail_unless_equals_int (http_status (port, "/tv-metrics", bad), 401);
  fail_unless_equals_int (http_status (port, "/tv-metrics", auth), 200);
  g_free (login (port, NULL, NULL));
  r = get (port, "/tv.json", auth);
  fail_unless_equals_int (r->status, 200);
  text = http_body_text (r);
  /* passed the stats check: the sessions' details */
  fail_unless (strstr (text, "\"clients\": 1,") != NULL, "%s", text);
  fail_unless (strstr (text, "\"address\": \"127.0.0.1\"") != NULL, "%s", text);
  g_free (text);
  http_response_free (r);
  stop_pipeline (p);
  g_free (props);

  /* an address list that leaves loopback out */
  p = start_hls ("session-mode=both stats-path=/tv.json "
      "metrics-path=/tv-metrics stats-allow=10.0.0.0/8", &sink);
  port = sink_port (sink);
  fail_unless_equals_int (http_status (port, "/tv.json", NULL), 403);
  fail_unless_equals_int (http_status (port, "/tv-metrics", NULL), 403);
  stop_pipeline (p);
  p = start_hls ("session-mode=both stats-path=/tv.json "
      "stats-allow=10.0.0.0/8,127.0.0.0/8", &sink);
  port = sink_port (sink);
  fail_unless_equals_int (http_status (port, "/tv.json", NULL), 200);
  stop_pipeline (p);

  g_unlink (htpasswd);
  g_free (htpasswd);
  g_free (auth);
  g_free (bad);
}

GST_END_TEST;

/* a rendition of group "grp" on @port (0: a free one) */
static GstElement *
start_member (guint port, const gchar * name, const gchar * props,
    GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! "
      "mpegtsmux ! fluhlssink name=sink port=%u group=grp "
      "mount-point=/grp/%s/ target-duration=1 part-target=0 %s", port, name,
      props);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);

  g_free (desc);
  fail_unless (p != NULL, "parse: %s", err ? err->message : "?");
  *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  gst_object_unref (*sink);
  return p;
}

/* the URI line of @pl naming @what */
static gchar *
uri_with (const gchar * pl, const gchar * what)
{
  gchar **lines = g_strsplit (pl, "\n", -1), *found = NULL;
  guint i;

  for (i = 0; lines[i] && found == NULL; i++)
    if (lines[i][0] && lines[i][0] != '#' && strstr (lines[i], what))
      found = g_strconcat ("/", lines[i], NULL);
  g_strfreev (lines);
  fail_unless (found != NULL, "no %s in %s", what, pl);
  return found;
}

/* a session spans a group: the multivariant playlist checks the viewer
 * once and carries the token into the variant URIs; both renditions'
 * playlists and segments take it: one credential check, one session, one
 * access-log line.  A member with other access settings is refused. */
GST_START_TEST (test_group_session)
{
  gchar *htpasswd = tmp_file ("users", HTPASSWD);
  gchar *log = tmp_file ("group.log", NULL);
  gchar *props = g_strdup_printf ("htpasswd=%s access-log=%s", htpasswd, log);
  gchar *auth = http_basic_header ("viewer", "secret");
  GstElement *lo_sink, *hi_sink, *bad_sink, *lo, *hi, *bad;
  gchar *pl = NULL, *lo_uri, *hi_uri, *seg, *text, **lines, *v;
  HttpResponse *r = NULL;
  guint port, i, n = 0;

  lo = start_member (0, "lo", props, &lo_sink);
  fail_if (gst_element_set_state (lo, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  port = sink_port (lo_sink);
  hi = start_member (port, "hi", props, &hi_sink);
  fail_if (gst_element_set_state (hi, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  /* both renditions have a segment (then the multivariant playlist
   * lists both) */
  for (i = 0; i < 100 && (stats_u64 (lo_sink, "segments") == 0 ||
          stats_u64 (hi_sink, "segments") == 0); i++)
    g_usleep (G_USEC_PER_SEC / 10);
  /* the multivariant playlist is checked */
  fail_unless_equals_int (http_status (port, "/grp.m3u8", NULL), 401);
  r = get (port, "/grp.m3u8", auth);
  fail_unless_equals_int (r->status, 200);
  pl = http_body_text (r);
  v = http_header (r, "Cache-Control");
  fail_unless (g_str_has_prefix (v, "private"), "%s", v);
  g_free (v);
  v = http_header (r, "Set-Cookie");
  fail_unless (v && g_str_has_prefix (v, "flu_hls_session_grp=") &&
      strstr (v, "; Path=/;"), "%s", v);
  g_free (v);
  http_response_free (r);
  lo_uri = uri_with (pl, "grp/lo/index.m3u8?s=");
  hi_uri = uri_with (pl, "grp/hi/index.m3u8?s=");

  /* a player switching renditions: both playlists and a segment of each,
   * with the token only */
  for (i = 0; i < 2; i++) {
    const gchar *uri = i ? hi_uri : lo_uri;
    gchar *media, *s;

    r = get (port, uri, NULL);
    fail_unless_equals_int (r->status, 200);
    media = http_body_text (r);
    http_response_free (r);
    s = last_segment (media);
    seg = g_strdup_printf ("/grp/%s/%s", i ? "hi" : "lo", s);
    fail_unless_equals_int (http_status (port, seg, NULL), 200);
    g_free (seg);
    g_free (s);
    g_free (media);
  }
  /* one check, one session, held by the lead (the first member) */
  fail_unless_equals_int (stats_u64 (lo_sink, "credential-checks") +
      stats_u64 (hi_sink, "credential-checks"), 1);
  fail_unless_equals_int (stats_u64 (lo_sink, "sessions-total") +
      stats_u64 (hi_sink, "sessions-total"), 1);
  fail_unless_equals_int (stats_uint (lo_sink, "sessions"), 1);

  /* a member with other access settings is refused */
  bad = start_member (port, "bad", "", &bad_sink);
  fail_unless (gst_element_set_state (bad, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  gst_element_set_state (bad, GST_STATE_NULL);
  gst_object_unref (bad);

  stop_pipeline (hi);
  stop_pipeline (lo);
  /* one line for the session (one 200), naming the group's playlist */
  fail_unless (g_file_get_contents (log, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i]; i++)
    if (strstr (lines[i], "\" 200 ")) {
      n++;
      fail_unless (strstr (lines[i], "\"GET /grp.m3u8 HTTP/1.1\"") != NULL,
          "%s", lines[i]);
      fail_unless (g_str_has_suffix (lines[i], " 5"), "%s", lines[i]);
    }
  fail_unless_equals_int (n, 1);
  g_strfreev (lines);
  g_free (text);

  g_free (lo_uri);
  g_free (hi_uri);
  g_free (pl);
  g_free (auth);
  g_unlink (log);
  g_unlink (htpasswd);
  g_free (log);
  g_free (htpasswd);
  g_free (props);
}

GST_END_TEST;

static Suite *
fluhlsaccess_suite (void)
{
  Suite *s = suite_create ("fluhlsaccess");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_refused);
  tcase_add_test (tc, test_one_check_per_session);
  tcase_add_test (tc, test_client_limit);
  tcase_add_test (tc, test_per_ip_limit);
  tcase_add_test (tc, test_access_log);
  tcase_add_test (tc, test_stats_metrics);
  tcase_add_test (tc, test_secret_file);
  tcase_add_test (tc, test_mode_off);
  tcase_add_test (tc, test_keepalive);
  tcase_add_test (tc, test_max_sessions);
  tcase_add_test (tc, test_timeout_clamped);
  tcase_add_test (tc, test_stats_guard);
  tcase_add_test (tc, test_group_session);
  return s;
}

GST_CHECK_MAIN (fluhlsaccess);
