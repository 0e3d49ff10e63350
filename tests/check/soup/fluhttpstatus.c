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

/* fluhttpsink status-path: the HTML page and its JSON list every stream
 * of the port, with live viewers and the viewer history. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttptest.h"

#include <gst/app/gstappsrc.h>

#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <glib/gstdio.h>

static gchar *
get_body (guint port, const gchar * path, const gchar * type)
{
  HttpResponse *r = http_get (port, path, NULL, 1 << 20, 5000);
  gchar *ctype, *body;

  fail_unless_equals_int (r->status, 200);
  ctype = http_header (r, "Content-Type");
  fail_unless (ctype && g_str_has_prefix (ctype, type), "%s", ctype);
  g_free (ctype);
  body = g_strndup ((gchar *) r->body->data, r->body->len);
  http_response_free (r);
  return body;
}

GST_START_TEST (test_status_page)
{
  GstElement *s1, *s2, *p1, *p2;
  guint port;
  gint fd;
  gchar *body, *a, *b;
  GstStructure *st;
  gint64 deadline;
  const gchar *req = "GET /a.webm HTTP/1.1\r\nHost: t\r\n\r\n";

  p1 = start_webm_pipeline ("mount-point=/a.webm status-path=/status", &s1);
  port = sink_port (s1);
  p2 = gst_parse_launch ("audiotestsrc is-live=true ! vorbisenc ! oggmux ! "
      "fluhttpsink name=sink", NULL);
  s2 = gst_bin_get_by_name (GST_BIN (p2), "sink");
  g_object_set (s2, "port", port, "mount-point", "/b.ogg", NULL);
  fail_if (gst_element_set_state (p2, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  /* the page: self-contained, polls its own JSON */
  body = get_body (port, "/status", "text/html");
  fail_unless (strstr (body, "<script>") != NULL);
  fail_unless (strstr (body, "?format=json") != NULL);
  fail_unless (strstr (body, "src=\"http") == NULL, "external resource");
  g_free (body);

  /* the JSON: both streams, sorted, with their types and history */
  fd = tcp_connect ("127.0.0.1", port);
  fail_unless (write (fd, req, strlen (req)) > 0);
  st = wait_element_message (p1, "fluhttpsink-client-added", 10000);
  fail_unless (st != NULL);
  gst_structure_free (st);
  /* until the Ogg stream has its caps */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  body = get_body (port, "/status?format=json", "application/json");
  while (strstr (body, "application/ogg") == NULL
      && g_get_monotonic_time () < deadline) {
    g_free (body);
    g_usleep (50000);
    body = get_body (port, "/status?format=json", "application/json");
  }
  fail_unless (strstr (body, "\"port\": ") != NULL, "%s", body);
  a = strstr (body, "\"mount\": \"/a.webm\"");
  b = strstr (body, "\"mount\": \"/b.ogg\"");
  fail_unless (a != NULL && b != NULL && a < b, "%s", body);
  fail_unless (strstr (a, "\"clients\": 1") < b, "%s", body);
  fail_unless (strstr (a, "\"content-type\": \"video/webm\"") < b, "%s", body);
  fail_unless (strstr (a, "\"history\": [1]") < b, "%s", body);
  fail_unless (strstr (b, "\"clients\": 0") != NULL, "%s", body);
  fail_unless (strstr (b, "\"content-type\": \"application/ogg\"") != NULL,
      "%s", body);
  fail_unless (strstr (body, "client-list") == NULL, "%s", body);
  g_free (body);

  /* the stream's own JSON stats carry the history too */
  close (fd);
  fail_unless (wait_stats_uint (s1, "clients", 0, 5000));
  stop_pipeline (p2);
  gst_object_unref (s2);
  body = get_body (port, "/status?format=json", "application/json");
  fail_unless (strstr (body, "/b.ogg") == NULL, "%s", body);
  fail_unless (strstr (body, "\"clients\": 0") != NULL, "%s", body);
  fail_unless (strstr (body, "\"history\": [1]") != NULL, "%s", body);
  g_free (body);
  stop_pipeline (p1);
}

GST_END_TEST;

GST_START_TEST (test_status_off_by_default)
{
  GstElement *sink, *p = start_webm_pipeline ("mount-point=/a.webm", &sink);
  gchar *path = NULL;
  HttpResponse *r;

  g_object_get (sink, "status-path", &path, NULL);
  fail_unless (path == NULL);
  r = http_get (sink_port (sink), "/status", NULL, 1024, 5000);
  fail_unless_equals_int (r->status, 404);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

/* A non-loopback address of this machine, as text (the server listens
 * on every interface, so a client connecting there is not "local"). */
static gchar *
own_address (void)
{
  struct ifaddrs *ifs, *i;
  gchar *found = NULL;

  fail_unless (getifaddrs (&ifs) == 0);
  for (i = ifs; i && !found; i = i->ifa_next) {
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
        !(i->ifa_flags & IFF_LOOPBACK) && (i->ifa_flags & IFF_UP)) {
      gchar buf[INET_ADDRSTRLEN];

      inet_ntop (AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr,
          buf, sizeof (buf));
      found = g_strdup (buf);
    }
  }
  freeifaddrs (ifs);
  /* not a skip: every machine that runs these tests has a network */
  fail_unless (found != NULL, "no non-loopback IPv4 address to test from");
  return found;
}

static HttpResponse *
get_from (const gchar * host, guint port, const gchar * path,
    const gchar * headers)
{
  gchar *req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n",
      path, headers ? headers : "");
  HttpResponse *r = http_request (host, port, req, G_MAXSIZE, 5000);

  g_free (req);
  return r;
}

static gboolean
body_has (HttpResponse * r, const gchar * text)
{
  gchar *body = g_strndup ((gchar *) r->body->data, r->body->len);
  gboolean has = strstr (body, text) != NULL;

  g_free (body);
  return has;
}

/* /stats.json gave anyone each viewer's address, user name and user agent
 * (the mount's htpasswd does not cover it), and /status?format=json
 * listed mounts whose deny list refused the asker. */
GST_START_TEST (test_stats_access)
{
  gchar *dir = g_dir_make_tmp ("flustatsXXXXXX", NULL);
  gchar *viewers = g_build_filename (dir, "viewers", NULL);
  gchar *ops = g_build_filename (dir, "ops", NULL);
  gchar *props, *me = own_address (), *h;
  GstElement *sink, *sink_b, *p, *pb;
  HttpResponse *r;
  guint port;
  gint viewer;

  fail_unless (g_file_set_contents (viewers,
          "alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n", -1, NULL));
  fail_unless (g_file_set_contents (ops,
          "ops:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n", -1, NULL));
  props = g_strdup_printf ("htpasswd=%s stats-path=/stats.json "
      "status-path=/status metrics-path=/metrics", viewers);
  p = start_webm_pipeline (props, &sink);
  g_free (props);
  port = sink_port (sink);
  /* a second stream on the port that refuses loopback clients */
  props = g_strdup_printf ("port=%u mount-point=/b.webm deny=127.0.0.0/8",
      port);
  pb = start_webm_pipeline (props, &sink_b);
  g_free (props);

  /* a viewer with a user name and a user agent worth hiding */
  viewer = tcp_connect ("127.0.0.1", port);
  h = http_basic_header ("alice", "secret");
  {
    gchar *req = g_strdup_printf ("GET / HTTP/1.1\r\nHost: t\r\n%s"
        "User-Agent: hidden-agent/1\r\n\r\n", h);
    gchar buf[64];

    fail_unless (write (viewer, req, strlen (req)) > 0);
    fail_unless (read (viewer, buf, sizeof (buf)) > 0);
    g_free (req);
  }
  fail_unless (wait_stats_uint (sink, "clients", 1, 10000));

  /* by default: loopback sees the details (the operator on the box)... */
  r = get_from ("127.0.0.1", port, "/stats.json", NULL);
  fail_unless_equals_int (r->status, 200);
  fail_unless (body_has (r, "hidden-agent/1"));
  http_response_free (r);
  /* ...anyone else only the figures */
  r = get_from (me, port, "/stats.json", NULL);
  fail_unless_equals_int (r->status, 200);
  fail_if (body_has (r, "hidden-agent"), "viewer details shown to %s", me);
  fail_if (body_has (r, "alice"));
  fail_if (body_has (r, "127.0.0.1"));
  fail_unless (body_has (r, "\"clients\""));
  http_response_free (r);

  /* a mount that refuses the asker is not listed to it */
  r = get_from ("127.0.0.1", port, "/status?format=json", NULL);
  fail_unless_equals_int (r->status, 200);
  fail_unless (body_has (r, "\"mount\": \"/\""));
  fail_if (body_has (r, "/b.webm"), "a denied mount was listed");
  http_response_free (r);
  r = get_from (me, port, "/status?format=json", NULL);
  fail_unless (body_has (r, "/b.webm"));
  http_response_free (r);

  /* stats-allow: the paths are for those addresses only */
  g_object_set (sink, "stats-allow", "198.51.100.0/24", NULL);
  r = get_from ("127.0.0.1", port, "/stats.json", NULL);
  fail_unless_equals_int (r->status, 403);
  http_response_free (r);
  r = get_from ("127.0.0.1", port, "/metrics", NULL);
  fail_unless_equals_int (r->status, 403);
  http_response_free (r);
  r = get_from ("127.0.0.1", port, "/status?format=json", NULL);
  fail_unless_equals_int (r->status, 403);
  http_response_free (r);
  g_object_set (sink, "stats-allow", me, NULL);
  r = get_from (me, port, "/stats.json", NULL);
  fail_unless_equals_int (r->status, 200);
  /* let in by an explicit list: the details are for it */
  fail_unless (body_has (r, "hidden-agent/1"));
  http_response_free (r);
  g_object_set (sink, "stats-allow", NULL, NULL);

  /* stats-htpasswd: credentials of their own, not the viewers' */
  g_object_set (sink, "stats-htpasswd", ops, NULL);
  r = get_from (me, port, "/stats.json", NULL);
  fail_unless_equals_int (r->status, 401);
  http_response_free (r);
  r = get_from (me, port, "/stats.json", h);
  fail_unless_equals_int (r->status, 401);
  http_response_free (r);
  g_free (h);
  h = http_basic_header ("ops", "secret");
  r = get_from (me, port, "/stats.json", h);
  fail_unless_equals_int (r->status, 200);
  fail_unless (body_has (r, "hidden-agent/1"));
  http_response_free (r);
  r = get_from ("127.0.0.1", port, "/metrics", h);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);

  close (viewer);
  stop_pipeline (pb);
  stop_pipeline (p);
  g_remove (viewers);
  g_remove (ops);
  g_rmdir (dir);
  g_free (viewers);
  g_free (ops);
  g_free (dir);
  g_free (me);
  g_free (h);
}

GST_END_TEST;

static void
push_data (GstElement * src, guint i, gboolean discont)
{
  GstBuffer *buf = gst_buffer_new_memdup ("OggS-hello", 10);

  GST_BUFFER_PTS (buf) = i * 40 * GST_MSECOND;
  if (discont)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src), buf),
      GST_FLOW_OK);
}

/* the stats' stream-bytes reach @value */
static gboolean
wait_stats_uint64 (GstElement * sink, const gchar * field, guint64 value,
    guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  do {
    GstStructure *s = NULL;
    guint64 v = 0;

    g_object_get (sink, "stats", &s, NULL);
    if (s) {
      gst_structure_get_uint64 (s, field, &v);
      gst_structure_free (s);
    }
    if (v >= value)
      return TRUE;
    g_usleep (20000);
  } while (g_get_monotonic_time () < deadline);
  return FALSE;
}

static guint64
restarts (GstElement * sink)
{
  GstStructure *s;
  guint64 n = 0;

  g_object_get (sink, "stats", &s, NULL);
  gst_structure_get_uint64 (s, "restarts", &n);
  gst_structure_free (s);
  return n;
}

/* An encoder restart (flufeedsrc marks the first buffer after a
 * reconnection DISCONT; a new stream-start; new data after EOS) is counted
 * with its time, in the stats, the JSON of the status page and the
 * metrics; the first buffer (DISCONT too) is not a restart. */
GST_START_TEST (test_restart_marked)
{
  GstElement *src, *sink, *p = start_appsrc_pipeline ("application/ogg",
      "status-path=/status metrics-path=/metrics", &src, &sink);
  guint port, i, seq = 0;
  gchar *body;

  port = sink_port (sink);
  push_data (src, seq++, TRUE);
  for (i = 0; i < 5; i++)
    push_data (src, seq++, FALSE);
  fail_unless (wait_stats_uint64 (sink, "stream-bytes", 60, 10000));
  fail_unless_equals_uint64 (restarts (sink), 0);
  body = get_body (port, "/status?format=json", "application/json");
  fail_unless (strstr (body, "\"restarts\": 0") != NULL, "%s", body);
  fail_unless (strstr (body, "\"last-restart-time\": \"\"") != NULL);
  g_free (body);

  /* the encoder comes back */
  push_data (src, seq++, TRUE);
  for (i = 0; i < 5; i++)
    push_data (src, seq++, FALSE);
  fail_unless (wait_stats_uint64 (sink, "stream-bytes", 120, 10000));
  fail_unless_equals_uint64 (restarts (sink), 1);
  /* and again */
  push_data (src, seq++, TRUE);
  fail_unless (wait_stats_uint64 (sink, "stream-bytes", 130, 10000));
  fail_unless_equals_uint64 (restarts (sink), 2);
  body = get_body (port, "/status?format=json", "application/json");
  fail_unless (strstr (body, "\"restarts\": 2") != NULL, "%s", body);
  fail_unless (strstr (body, "\"last-restart-time\": \"20") != NULL);
  g_free (body);
  body = get_body (port, "/metrics", "text/plain");
  fail_unless (strstr (body, "fluhttpsink_restarts_total{") != NULL);
  fail_unless (strstr (body, "fluhttpsink_last_restart_timestamp_seconds{")
      != NULL);
  g_free (body);
  /* the page shows them */
  body = get_body (port, "/status", "text/html");
  fail_unless (strstr (body, "restarts") != NULL);
  g_free (body);

  stop_pipeline (p);
}

GST_END_TEST;

static Suite *
fluhttpstatus_suite (void)
{
  Suite *s = suite_create ("fluhttpstatus");
  TCase *tc = tcase_create ("status");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_status_page);
  tcase_add_test (tc, test_status_off_by_default);
  tcase_add_test (tc, test_stats_access);
  tcase_add_test (tc, test_restart_marked);
  return s;
}

GST_CHECK_MAIN (fluhttpstatus);
