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

/* fluhttpsink serving: GET/HEAD/404/405/Range, headers, content types,
 * waiting for caps, several mounts on one port, errors, bus messages,
 * access log, JSON and Prometheus statistics, 200 concurrent clients. */

#include "fluhttptest.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>

static const guint8 ebml_magic[] = { 0x1a, 0x45, 0xdf, 0xa3 };

GST_START_TEST (test_get_head_404)
{
  GstElement *sink, *p = start_webm_pipeline ("mount-point=/live.webm "
      "extra-headers=\"h,X-Flu=flu-test\" cors-origin=https://example.org",
      &sink);
  guint port = sink_port (sink);
  HttpResponse *r;
  gchar *v;

  r = http_get (port, "/live.webm", NULL, 4096, 10000);
  fail_unless_equals_int (r->status, 200);
  fail_unless (r->body->len >= 4);
  fail_unless (memcmp (r->body->data, ebml_magic, 4) == 0);
  v = http_header (r, "Content-Type");
  fail_unless_equals_string (v, "video/webm");
  g_free (v);
  v = http_header (r, "Cache-Control");
  fail_unless_equals_string (v, "no-cache");
  g_free (v);
  v = http_header (r, "Connection");
  fail_unless_equals_string (v, "close");
  g_free (v);
  v = http_header (r, "Server");
  fail_unless (v && strstr (v, "fluhttpsink"));
  g_free (v);
  v = http_header (r, "Access-Control-Allow-Origin");
  fail_unless_equals_string (v, "https://example.org");
  g_free (v);
  v = http_header (r, "X-Flu");
  fail_unless_equals_string (v, "flu-test");
  g_free (v);
  v = http_header (r, "Content-Length");
  fail_unless (v == NULL);
  http_response_free (r);

  /* Range: the live stream from its start, with 200 */
  r = http_get (port, "/live.webm", "Range: bytes=1000-\r\n", 4096, 10000);
  fail_unless_equals_int (r->status, 200);
  fail_unless (memcmp (r->body->data, ebml_magic, 4) == 0);
  http_response_free (r);

  r = http_request ("127.0.0.1", port,
      "HEAD /live.webm HTTP/1.1\r\nHost: x\r\n\r\n", 1, 5000);
  fail_unless_equals_int (r->status, 200);
  fail_unless (r->closed);
  fail_unless_equals_int (r->body->len, 0);
  v = http_header (r, "Content-Type");
  fail_unless_equals_string (v, "video/webm");
  g_free (v);
  http_response_free (r);

  r = http_get (port, "/other.webm", NULL, 1, 5000);
  fail_unless_equals_int (r->status, 404);
  http_response_free (r);

  r = http_request ("127.0.0.1", port,
      "POST /live.webm HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
      1, 5000);
  fail_unless_equals_int (r->status, 405);
  http_response_free (r);

  /* HTTP/1.0 clients too */
  r = http_request ("127.0.0.1", port, "GET /live.webm HTTP/1.0\r\n\r\n",
      64, 10000);
  fail_unless_equals_int (r->status, 200);
  fail_unless (g_str_has_prefix (r->head, "HTTP/1.0 200"));
  http_response_free (r);

  stop_pipeline (p);
}

GST_END_TEST;

typedef struct
{
  guint port;
  const gchar *path;
  HttpResponse *r;
  gint done;
} AsyncGet;

static gpointer
async_get (gpointer data)
{
  AsyncGet *g = data;

  g->r = http_get (g->port, g->path, NULL, 5, 15000);
  g_atomic_int_set (&g->done, 1);
  return NULL;
}

GST_START_TEST (test_waits_for_caps)
{
  GstElement *src, *sink, *p =
      start_appsrc_pipeline (NULL, "mount-point=/a.ogg", &src,
      &sink);
  AsyncGet g = { sink_port (sink), "/a.ogg", NULL, 0 };
  GThread *t = g_thread_new ("get", async_get, &g);
  GstCaps *caps = gst_caps_from_string ("application/ogg");
  gchar *v;
  guint i;

  /* the request is in before the caps */
  fail_unless (wait_stats_uint (sink, "clients-waiting", 1, 10000));
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_caps_unref (caps);
  /* a live stream: buffers keep coming (the viewer, answered once the caps
   * are there, starts with the first buffer after it is handed over) */
  for (i = 0; i < 200 && !g_atomic_int_get (&g.done); i++) {
    GstBuffer *buf = gst_buffer_new_memdup ("OggS-hello", 10);

    GST_BUFFER_PTS (buf) = i * 50 * GST_MSECOND;
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src),
            buf), GST_FLOW_OK);
    g_usleep (50000);
  }
  g_thread_join (t);
  fail_unless_equals_int (g.r->status, 200);
  v = http_header (g.r, "Content-Type");
  fail_unless_equals_string (v, "application/ogg");
  g_free (v);
  fail_unless (g.r->body->len >= 5);
  fail_unless (memcmp (g.r->body->data, "OggS-", 5) == 0);
  http_response_free (g.r);
  stop_pipeline (p);
}

GST_END_TEST;

/* The head without its Date line */
static gchar *
head_without_date (const gchar * head)
{
  gchar **lines = g_strsplit (head, "\r\n", -1);
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; lines[i]; i++)
    if (!g_str_has_prefix (lines[i], "Date: "))
      g_string_append_printf (out, "%s\n", lines[i]);
  g_strfreev (lines);
  return g_string_free (out, FALSE);
}

/* A request that waited for the caps is answered on its own socket (taken
 * from libsoup while it waits): its head is the one libsoup writes for a
 * request that came after the caps, line for line (Date aside), and the
 * viewer streams. */
GST_START_TEST (test_waiting_head_as_libsoup)
{
  GstElement *src, *sink, *p = start_appsrc_pipeline (NULL,
      "mount-point=/a.ogg " "cors-origin=* extra-headers=\"h,X-Test=one\"",
      &src, &sink);
  AsyncGet g = { sink_port (sink), "/a.ogg", NULL, 0 };
  GThread *t = g_thread_new ("get", async_get, &g);
  GstCaps *caps = gst_caps_from_string ("application/ogg");
  HttpResponse *late;
  gchar *a, *b;
  guint i;

  fail_unless (wait_stats_uint (sink, "clients-waiting", 1, 10000));
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_caps_unref (caps);
  for (i = 0; i < 200 && !g_atomic_int_get (&g.done); i++) {
    GstBuffer *buf = gst_buffer_new_memdup ("OggS-hello", 10);

    GST_BUFFER_PTS (buf) = i * 50 * GST_MSECOND;
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src),
            buf), GST_FLOW_OK);
    g_usleep (50000);
  }
  g_thread_join (t);
  late = http_get (sink_port (sink), "/a.ogg", NULL, 0, 10000);
  fail_unless_equals_int (g.r->status, 200);
  fail_unless_equals_int (late->status, 200);
  a = head_without_date (g.r->head);
  b = head_without_date (late->head);
  fail_unless_equals_string (a, b);
  fail_unless (strstr (g.r->head, "\r\nDate: ") != NULL);
  fail_unless (strstr (a, "X-Test: one") != NULL);
  fail_unless (g.r->body->len >= 5);
  g_free (a);
  g_free (b);
  http_response_free (late);
  http_response_free (g.r);
  stop_pipeline (p);
}

GST_END_TEST;

/* A viewer that leaves while waiting for the caps is not counted. */
GST_START_TEST (test_leaves_while_waiting)
{
  GstElement *src, *sink, *p = start_appsrc_pipeline (NULL, "", &src, &sink);
  gint fd = http_open_get (sink_port (sink), "/", NULL);
  GstCaps *caps = gst_caps_from_string ("video/webm");
  HttpResponse *r;

  fail_unless (wait_stats_uint (sink, "clients-waiting", 1, 10000));
  close (fd);
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_caps_unref (caps);
  fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src),
          gst_buffer_new_memdup ("data", 4)), GST_FLOW_OK);
  fail_unless (wait_stats_uint (sink, "clients-waiting", 0, 10000));
  fail_unless (wait_stats_uint (sink, "clients", 0, 10000));
  /* and the element still serves */
  r = http_get (sink_port (sink), "/", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_caps_timeout)
{
  GstElement *src, *sink, *p =
      start_appsrc_pipeline (NULL, "caps-timeout=1", &src,
      &sink);
  HttpResponse *r = http_get (sink_port (sink), "/", NULL, 1, 10000);
  gchar *v;

  fail_unless_equals_int (r->status, 503);
  v = http_header (r, "Retry-After");
  fail_unless (v != NULL);
  g_free (v);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

static void
check_type (const gchar * caps_str, const gchar * expected)
{
  GstElement *src, *sink, *p = start_appsrc_pipeline (NULL, "", &src, &sink);
  GstCaps *caps = gst_caps_from_string (caps_str);
  HttpResponse *r;
  gchar *v;

  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_caps_unref (caps);
  fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src),
          gst_buffer_new_memdup ("data", 4)), GST_FLOW_OK);
  r = http_request ("127.0.0.1", sink_port (sink),
      "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", 1, 10000);
  fail_unless_equals_int (r->status, 200);
  v = http_header (r, "Content-Type");
  fail_unless_equals_string (v, expected);
  g_free (v);
  http_response_free (r);
  stop_pipeline (p);
}

GST_START_TEST (test_content_types)
{
  check_type ("video/x-matroska", "video/x-matroska");
  check_type ("audio/ogg", "audio/ogg");
  check_type ("video/mpegts, systemstream=true", "video/mp2t");
  check_type ("video/x-flv", "video/x-flv");
  check_type ("audio/mpeg, mpegversion=1", "audio/mpeg");
  check_type ("audio/mpeg, mpegversion=4", "audio/aac");
  check_type ("multipart/x-mixed-replace, boundary=frame",
      "multipart/x-mixed-replace;boundary=frame");
}

GST_END_TEST;

GST_START_TEST (test_content_type_override)
{
  GstElement *sink, *p = start_webm_pipeline ("content-type=video/x-test",
      &sink);
  HttpResponse *r = http_get (sink_port (sink), "/", NULL, 4, 10000);
  gchar *v = http_header (r, "Content-Type");

  fail_unless_equals_string (v, "video/x-test");
  g_free (v);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_shared_port)
{
  GstElement *s1, *s2, *p1, *p2;
  guint port;
  HttpResponse *r;

  p1 = start_webm_pipeline ("mount-point=/one.webm", &s1);
  port = sink_port (s1);
  p2 = gst_parse_launch ("audiotestsrc is-live=true ! vorbisenc ! oggmux ! "
      "fluhttpsink name=sink", NULL);
  s2 = gst_bin_get_by_name (GST_BIN (p2), "sink");
  g_object_set (s2, "port", port, "mount-point", "/two.ogg", NULL);
  fail_if (gst_element_set_state (p2, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (sink_port (s2), port);

  r = http_get (port, "/one.webm", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  fail_unless (memcmp (r->body->data, ebml_magic, 4) == 0);
  http_response_free (r);
  r = http_get (port, "/two.ogg", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  fail_unless (memcmp (r->body->data, "OggS", 4) == 0);
  http_response_free (r);
  r = http_get (port, "/three", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 404);
  http_response_free (r);

  /* the same path twice on one port is an error */
  expect_ready_failure ("fluhttpsink", port, "/one.webm");

  /* the first one leaving keeps the port up for the second */
  stop_pipeline (p1);
  r = http_get (port, "/two.ogg", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  gst_object_unref (s2);
  stop_pipeline (p2);
}

GST_END_TEST;

static void
expect_start_error (const gchar * desc, const gchar * needle)
{
  GstElement *p = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (p);
  GstMessage *m;
  GError *err = NULL;

  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_PLAYING),
      GST_STATE_CHANGE_FAILURE);
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (m != NULL);
  gst_message_parse_error (m, &err, NULL);
  fail_unless (strstr (err->message, needle) != NULL, "'%s' lacks '%s'",
      err->message, needle);
  g_error_free (err);
  gst_message_unref (m);
  gst_object_unref (bus);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

GST_START_TEST (test_errors)
{
  gint fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { 0 };
  socklen_t len = sizeof (a);
  gchar *desc;

  expect_start_error ("fakesrc ! fluhttpsink port=0 burst-on-connect=true "
      "burst-size=1000 burst-time=1000000000", "burst-size and burst-time");
  expect_start_error ("fakesrc ! fluhttpsink port=0 "
      "htpasswd=/nonexistent/htpasswd", "htpasswd");
  expect_start_error ("fakesrc ! fluhttpsink port=0 allow=not-an-address",
      "allow");
  expect_start_error ("fakesrc ! fluhttpsink port=0 mount-point=live",
      "mount-point");
  expect_start_error ("fakesrc ! fluhttpsink port=0 "
      "access-log=/nonexistent/dir/log", "access log");

  /* a port someone else holds */
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fail_unless (bind (fd, (struct sockaddr *) &a, sizeof (a)) == 0);
  fail_unless (listen (fd, 1) == 0);
  fail_unless (getsockname (fd, (struct sockaddr *) &a, &len) == 0);
  desc = g_strdup_printf ("fakesrc ! fluhttpsink address=127.0.0.1 port=%u",
      ntohs (a.sin_port));
  expect_start_error (desc, "Cannot listen");
  g_free (desc);
  close (fd);
}

GST_END_TEST;

GST_START_TEST (test_bus_messages_and_log)
{
  gchar *dir = g_dir_make_tmp ("fluhttpXXXXXX", NULL);
  gchar *log = g_build_filename (dir, "access.log", NULL);
  gchar *rotated = g_build_filename (dir, "access.log.1", NULL);
  gchar *props = g_strdup_printf ("access-log=%s", log);
  GstElement *sink, *p = start_webm_pipeline (props, &sink);
  guint port = sink_port (sink);
  HttpResponse *r;
  GstStructure *s;
  gchar *contents = NULL, *text;
  guint64 bytes = 0;

  r = http_get (port, "/?x=1", "Referer: http://ref.example/\r\n", 2048, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  s = wait_element_message (p, "fluhttpsink-client-added", 10000);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "address"),
      "127.0.0.1");
  fail_unless_equals_string (gst_structure_get_string (s, "user-agent"),
      "flucheck");
  gst_structure_free (s);
  s = wait_element_message (p, "fluhttpsink-client-removed", 10000);
  fail_unless (s != NULL);
  fail_unless (gst_structure_get_uint64 (s, "bytes", &bytes));
  fail_unless (bytes >= 2048);
  fail_unless (gst_structure_has_field (s, "duration"));
  fail_unless (gst_structure_has_field (s, "drops"));
  fail_unless (gst_structure_has_field (s, "resyncs"));
  fail_unless (gst_structure_get_string (s, "reason") != NULL);
  gst_structure_free (s);

  fail_unless (g_file_get_contents (log, &contents, NULL, NULL));
  fail_unless (g_regex_match_simple ("^127\\.0\\.0\\.1 - - \\[[^]]+\\] "
          "\"GET /\\?x=1 HTTP/1\\.1\" 200 [0-9]+ \"http://ref\\.example/\" "
          "\"flucheck\" [0-9]+\n$", contents, 0, 0), "bad log: %s", contents);
  g_free (contents);

  /* rotation: moved away, reopened on SIGHUP */
  rotate_log_on_sighup (log, rotated);
  r = http_request ("127.0.0.1", port, "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", 1,
      5000);
  http_response_free (r);
  g_free (wait_file_contains (log, "\"HEAD / HTTP/1.1\" 200", 5000));

  /* filtered addresses stay out; setting the property reopens */
  g_object_set (sink, "access-log-exclude", "127.0.0.0/8", NULL);
  fail_unless (g_remove (log) == 0);
  g_object_set (sink, "access-log", log, NULL);
  r = http_request ("127.0.0.1", port, "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", 1,
      5000);
  http_response_free (r);
  fail_unless (g_file_get_contents (log, &contents, NULL, NULL));
  fail_unless_equals_string (contents, "");
  g_free (contents);

  stop_pipeline (p);
  text = g_strdup_printf ("%s", dir);
  g_remove (log);
  g_remove (rotated);
  g_rmdir (dir);
  g_free (text);
  g_free (props);
  g_free (log);
  g_free (rotated);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_stats_paths)
{
  GstElement *sink, *p = start_webm_pipeline ("mount-point=/s.webm "
      "stats-path=/stats.json metrics-path=/metrics player-path=/", &sink);
  guint port = sink_port (sink);
  gint fd = tcp_connect ("127.0.0.1", port);
  const gchar *req =
      "GET /s.webm HTTP/1.1\r\nHost: t\r\nUser-Agent: watcher\r\n\r\n";
  HttpResponse *r;
  GstStructure *s = NULL;
  guint clients = 0;
  gchar *body;

  fail_unless (write (fd, req, strlen (req)) > 0);
  s = wait_element_message (p, "fluhttpsink-client-added", 10000);
  fail_unless (s != NULL);
  gst_structure_free (s);
  s = NULL;
  r = http_get (port, "/stats.json", NULL, 1 << 20, 5000);
  fail_unless_equals_int (r->status, 200);
  body = g_strndup ((gchar *) r->body->data, r->body->len);
  fail_unless (strstr (body, "\"clients\": 1") != NULL, "%s", body);
  fail_unless (strstr (body, "\"user-agent\": \"watcher\"") != NULL);
  fail_unless (strstr (body, "\"stream-bitrate\"") != NULL);
  fail_unless (strstr (body, "\"clients-peak-time\"") != NULL);
  g_free (body);
  http_response_free (r);

  r = http_get (port, "/metrics", NULL, 1 << 20, 5000);
  fail_unless_equals_int (r->status, 200);
  body = g_strndup ((gchar *) r->body->data, r->body->len);
  fail_unless (strstr (body, "fluhttpsink_clients{mount=\"/s.webm\"} 1\n")
      != NULL, "%s", body);
  fail_unless (strstr (body,
          "# TYPE fluhttpsink_sent_bytes_total counter") != NULL);
  g_free (body);
  http_response_free (r);

  r = http_get (port, "/", NULL, 1 << 20, 5000);
  fail_unless_equals_int (r->status, 200);
  body = g_strndup ((gchar *) r->body->data, r->body->len);
  fail_unless (strstr (body, "<video") != NULL);
  fail_unless (strstr (body, "var stream = '/s.webm', hls = ''") != NULL,
      "%s", body);
  g_free (body);
  http_response_free (r);

  /* the HLS playlist first where the browser plays it, quoted safely */
  g_object_set (sink, "player-hls", "/live/index.m3u8?a='</script>", NULL);
  r = http_get (port, "/", NULL, 1 << 20, 5000);
  fail_unless_equals_int (r->status, 200);
  body = g_strndup ((gchar *) r->body->data, r->body->len);
  fail_unless (strstr (body,
          "hls = '/live/index.m3u8?a=\\x27\\x3c/script\\x3e'")
      != NULL, "%s", body);
  fail_unless (strstr (body, "canPlayType(hlsType)") != NULL);
  g_free (body);
  http_response_free (r);

  g_object_get (sink, "clients", &clients, "stats", &s, NULL);
  fail_unless_equals_int (clients, 1);
  fail_unless (s != NULL && gst_structure_has_field (s, "uptime"));
  gst_structure_free (s);
  close (fd);
  stop_pipeline (p);
}

GST_END_TEST;

#define N_CLIENTS 200

GST_START_TEST (test_many_clients)
{
  GstElement *sink, *p = start_webm_pipeline ("burst-on-connect=true", &sink);
  guint port = sink_port (sink);
  gint fds[N_CLIENTS];
  gsize got[N_CLIENTS] = { 0 };
  guint i, done = 0;
  gint64 deadline;

  for (i = 0; i < N_CLIENTS; i++)
    fds[i] = http_open_get (port, "/", NULL);
  /* every client gets the head and then EBML data */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (done < N_CLIENTS && g_get_monotonic_time () < deadline) {
    struct pollfd pfd[N_CLIENTS];

    for (i = 0; i < N_CLIENTS; i++) {
      pfd[i].fd = got[i] >= 4096 ? -1 : fds[i];
      pfd[i].events = POLLIN;
    }
    if (poll (pfd, N_CLIENTS, 1000) <= 0)
      continue;
    for (i = 0; i < N_CLIENTS; i++) {
      guint8 buf[8192];
      ssize_t n;

      if (!(pfd[i].revents & (POLLIN | POLLHUP)))
        continue;
      n = read (fds[i], buf, sizeof (buf));
      fail_unless (n > 0, "client %u closed after %u bytes", i, (guint) got[i]);
      if (got[i] == 0)
        fail_unless (g_str_has_prefix ((gchar *) buf, "HTTP/1.1 200"));
      got[i] += n;
      if (got[i] >= 4096)
        done++;
    }
  }
  fail_unless_equals_int (done, N_CLIENTS);
  {
    guint clients = 0;

    g_object_get (sink, "clients", &clients, NULL);
    fail_unless_equals_int (clients, N_CLIENTS);
  }
  for (i = 0; i < N_CLIENTS; i++)
    close (fds[i]);
  stop_pipeline (p);
}

GST_END_TEST;

/* Requests that arrive while the element stops are answered or refused,
 * and no descriptor stays open.  The server thread used to find no server
 * in wait_for_caps () (a crash: harden/exhaust under ASan, when the
 * server was stopped while it still had requests to read) and to hand
 * sockets to an engine that had already stopped. */
#define N_STOPPING 100

static guint
open_fds (void)
{
  GDir *d = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  fail_unless (d != NULL);
  while (g_dir_read_name (d))
    n++;
  g_dir_close (d);
  return n;
}

GST_START_TEST (test_stop_while_requests_arrive)
{
  guint round, fds0 = 0, i, n = 0;

  for (round = 0; round < 12; round++) {
    GstElement *src, *sink, *p = start_appsrc_pipeline (NULL, "", &src, &sink);
    guint port = sink_port (sink);
    gint fds[N_STOPPING];

    /* every other round with caps: answered and handed to the engine;
     * without: waiting for the caps */
    if (round % 2) {
      GstCaps *caps = gst_caps_from_string ("video/webm");

      gst_app_src_set_caps (GST_APP_SRC (src), caps);
      gst_caps_unref (caps);
      fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src),
              gst_buffer_new_memdup ("data", 4)), GST_FLOW_OK);
    }
    for (i = 0; i < N_STOPPING; i++)
      fds[i] = http_open_get (port, "/", NULL);
    /* the server thread still has most of them to read */
    g_usleep (round * 2000);
    stop_pipeline (p);
    for (i = 0; i < N_STOPPING; i++)
      close (fds[i]);
    if (round == 1)
      fds0 = open_fds ();
  }
  /* the server thread may close the last ones a little later */
  for (i = 0; i < 100 && (n = open_fds ()) > fds0; i++)
    g_usleep (50000);
  fail_unless (n <= fds0, "%u descriptors open, %u before", n, fds0);
}

GST_END_TEST;

static Suite *
fluhttpsink_suite (void)
{
  Suite *s = suite_create ("fluhttpsink");
  TCase *tc = tcase_create ("serving");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_get_head_404);
  tcase_add_test (tc, test_waits_for_caps);
  tcase_add_test (tc, test_waiting_head_as_libsoup);
  tcase_add_test (tc, test_leaves_while_waiting);
  tcase_add_test (tc, test_caps_timeout);
  tcase_add_test (tc, test_content_types);
  tcase_add_test (tc, test_content_type_override);
  tcase_add_test (tc, test_shared_port);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_bus_messages_and_log);
  tcase_add_test (tc, test_stats_paths);
  tcase_add_test (tc, test_many_clients);
  tcase_add_test (tc, test_stop_while_requests_arrive);
  return s;
}

GST_CHECK_MAIN (fluhttpsink);
