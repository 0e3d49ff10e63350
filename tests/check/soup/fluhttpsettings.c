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

/* fluhttpsink's settings changed while it serves (issue 13): paths
 * re-registered on the server, MUTABLE_READY properties refused in
 * PLAYING, and property changes racing requests and viewers (run it in
 * an ASan build). */

#include "fluhttptest.h"

#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib/gstdio.h>

GST_START_TEST (test_mount_point_live)
{
  GstElement *sink;
  GstElement *p = start_webm_pipeline ("mount-point=/a stats-path=/s", &sink);
  guint port = sink_port (sink);
  gchar *v;

  fail_unless_equals_int (http_status (port, "/a", NULL), 200);
  fail_unless_equals_int (http_status (port, "/s", NULL), 200);

  g_object_set (sink, "mount-point", "/b", "stats-path", "/t", NULL);
  fail_unless_equals_int (http_status (port, "/a", NULL), 404);
  fail_unless_equals_int (http_status (port, "/b", NULL), 200);
  fail_unless_equals_int (http_status (port, "/s", NULL), 404);
  fail_unless_equals_int (http_status (port, "/t", NULL), 200);

  /* a path taken on the port: warning, the old one stays */
  g_object_set (sink, "stats-path", "/b", NULL);
  g_object_get (sink, "stats-path", &v, NULL);
  fail_unless_equals_string (v, "/t");
  g_free (v);
  fail_unless_equals_int (http_status (port, "/t", NULL), 200);
  fail_unless_equals_int (http_status (port, "/b", NULL), 200);

  /* not a path: warning, the old one stays */
  g_object_set (sink, "mount-point", "nope", NULL);
  g_object_get (sink, "mount-point", &v, NULL);
  fail_unless_equals_string (v, "/b");
  g_free (v);

  /* unset a path: it is gone */
  g_object_set (sink, "stats-path", NULL, NULL);
  fail_unless_equals_int (http_status (port, "/t", NULL), 404);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_mutable_ready)
{
  GstElement *sink;
  GstElement *p = start_webm_pipeline ("header-timeout=7", &sink);
  guint port, header_timeout;
  gchar *address;

  fail_unless (g_object_class_find_property (G_OBJECT_GET_CLASS (sink),
          "port")->flags & GST_PARAM_MUTABLE_READY);
  g_object_set (sink, "port", 1234, "address", "127.0.0.1",
      "header-timeout", 3, NULL);
  g_object_get (sink, "port", &port, "address", &address,
      "header-timeout", &header_timeout, NULL);
  fail_unless_equals_int (port, 0);
  fail_unless (address == NULL);
  fail_unless_equals_int (header_timeout, 7);
  stop_pipeline (p);
}

GST_END_TEST;

/* {SHA} lines: "u" and "v" with password "secret", "w" with "watch" */
#define LINE_U "u:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"
#define LINE_V "v:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"
#define LINE_W "w:{SHA}KSsJAZk/fp2aDZuAVC+eWVBbpb4=\n"

static gchar *
write_htpasswd (const gchar * contents)
{
  gchar *path = NULL;
  gint fd = g_file_open_tmp ("fluhttpsettings-XXXXXX", &path, NULL);

  fail_unless (fd >= 0);
  fail_unless (write (fd, contents, strlen (contents)) ==
      (ssize_t) strlen (contents));
  close (fd);
  return path;
}

static guint
status_as (guint port, const gchar * user, const gchar * password)
{
  gchar *h = user ? http_basic_header (user, password) : NULL;
  guint status = http_status (port, "/", h);

  g_free (h);
  return status;
}

/* the file re-read when it changes, and the property set while serving:
 * both read the file without the element's lock */
GST_START_TEST (test_htpasswd_live)
{
  gchar *a = write_htpasswd (LINE_U);
  gchar *b = write_htpasswd (LINE_W);
  gchar *props = g_strdup_printf ("htpasswd=%s", a);
  GstElement *sink;
  GstElement *p = start_webm_pipeline (props, &sink);
  guint port = sink_port (sink);

  fail_unless_equals_int (status_as (port, NULL, NULL), 401);
  fail_unless_equals_int (status_as (port, "u", "secret"), 200);

  /* edited: a longer file, so its stamp changes within the same second */
  fail_unless (g_file_set_contents (a, LINE_V LINE_V, -1, NULL));
  fail_unless_equals_int (status_as (port, "u", "secret"), 401);
  fail_unless_equals_int (status_as (port, "v", "secret"), 200);

  g_object_set (sink, "htpasswd", b, NULL);
  fail_unless_equals_int (status_as (port, "v", "secret"), 401);
  fail_unless_equals_int (status_as (port, "w", "watch"), 200);

  /* unreadable: a warning, the old users stay */
  g_object_set (sink, "htpasswd", "/nonexistent/htpasswd", NULL);
  fail_unless_equals_int (status_as (port, "w", "watch"), 200);
  fail_unless_equals_int (status_as (port, NULL, NULL), 401);

  g_object_set (sink, "htpasswd", NULL, NULL);
  fail_unless_equals_int (status_as (port, NULL, NULL), 200);
  stop_pipeline (p);
  g_unlink (a);
  g_unlink (b);
  g_free (a);
  g_free (b);
  g_free (props);
}

GST_END_TEST;

#define N_VIEWERS 100

typedef struct
{
  GstElement *sink;
  guint port;
  gint stop;
  guint sets, requests;
  gchar *htpasswd;
  GstStructure *headers;
} Churn;

static gpointer
setter (gpointer data)
{
  Churn *c = data;
  guint i = 0;

  while (!g_atomic_int_get (&c->stop)) {
    gboolean odd = i & 1;

    g_object_set (c->sink, "mount-point", odd ? "/live2" : "/live",
        "stats-path", odd ? "/stats2" : "/stats",
        "metrics-path", odd ? NULL : "/metrics",
        "player-path", odd ? "/player" : NULL,
        "status-path", odd ? "/status2" : "/status",
        "cors-origin", odd ? "https://example.org" : "*",
        "realm", odd ? "r1" : "r2",
        "content-type", odd ? "video/webm" : NULL,
        "redirect-on-overflow", odd ? "http://example.org/" : NULL,
        "htpasswd", odd ? c->htpasswd : NULL,
        "allow", odd ? "127.0.0.0/8,::1" : NULL,
        "deny", odd ? "10.0.0.0/8" : NULL,
        "access-log-exclude", odd ? "192.168.0.0/16" : NULL,
        "stats-allow", odd ? "127.0.0.1" : NULL,
        "token-secret", odd ? "s3" : NULL,
        "extra-headers", odd ? c->headers : NULL,
        "burst-on-connect", odd, "client-limit", odd ? 1000 : 0, NULL);
    c->sets++;
    i++;
    g_usleep (2000);
  }
  return NULL;
}

static gpointer
requester (gpointer data)
{
  Churn *c = data;
  static const gchar *paths[] = { "/live", "/live2", "/stats", "/stats2",
    "/metrics", "/player", "/status", "/status2", "/nothing"
  };
  guint i = 0;

  while (!g_atomic_int_get (&c->stop)) {
    HttpResponse *r = http_get (c->port, paths[i % G_N_ELEMENTS (paths)],
        NULL, 64, 2000);

    http_response_free (r);
    c->requests++;
    i++;
  }
  return NULL;
}

/* Reads every viewer for @ms; the number of viewers that got bytes. */
static guint
read_viewers (gint * fds, guint64 * got, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  struct pollfd pfd[N_VIEWERS];
  gboolean fed[N_VIEWERS] = { FALSE };
  guint i, n = 0;

  while (g_get_monotonic_time () < end) {
    for (i = 0; i < N_VIEWERS; i++) {
      pfd[i].fd = fds[i];
      pfd[i].events = POLLIN;
      pfd[i].revents = 0;
    }
    if (poll (pfd, N_VIEWERS, 100) <= 0)
      continue;
    for (i = 0; i < N_VIEWERS; i++) {
      gchar buf[16384];
      ssize_t r;

      if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      r = recv (fds[i], buf, sizeof (buf), MSG_DONTWAIT);
      if (r > 0) {
        got[i] += r;
        fed[i] = TRUE;
      }
    }
  }
  for (i = 0; i < N_VIEWERS; i++)
    n += fed[i];
  return n;
}

GST_START_TEST (test_settings_churn)
{
  Churn c = { 0 };
  GstElement *p = start_webm_pipeline ("mount-point=/live", &c.sink);
  gint fds[N_VIEWERS];
  guint64 got[N_VIEWERS] = { 0 };
  GThread *ts, *tr;
  GError *err = NULL;
  gint hfd;
  guint i;

  c.port = sink_port (c.sink);
  c.headers = gst_structure_new ("h", "X-Stream", G_TYPE_STRING, "main", NULL);
  hfd = g_file_open_tmp ("fluhttpsettings-XXXXXX", &c.htpasswd, &err);
  fail_unless (hfd >= 0);
  {
    /* "secret", SHA-1 */
    const gchar line[] = "u:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n";

    fail_unless (write (hfd, line, strlen (line)) == (ssize_t) strlen (line));
  }
  close (hfd);

  fail_unless_equals_int (http_status (c.port, "/live", NULL), 200);
  for (i = 0; i < N_VIEWERS; i++) {
    const gchar req[] = "GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n";

    fds[i] = tcp_connect ("127.0.0.1", c.port);
    fail_unless (fds[i] >= 0);
    fail_unless (send (fds[i], req, sizeof (req) - 1, MSG_NOSIGNAL) ==
        sizeof (req) - 1);
  }
  fail_unless_equals_int (read_viewers (fds, got, 1500), N_VIEWERS);

  ts = g_thread_new ("setter", setter, &c);
  tr = g_thread_new ("requester", requester, &c);
  read_viewers (fds, got, 4000);
  g_atomic_int_set (&c.stop, 1);
  g_thread_join (ts);
  g_thread_join (tr);
  GST_INFO ("%u property sets, %u requests", c.sets, c.requests);
  fail_unless (c.sets > 10);
  fail_unless (c.requests > 10);

  /* every viewer still streams */
  fail_unless_equals_int (read_viewers (fds, got, 1500), N_VIEWERS);
  for (i = 0; i < N_VIEWERS; i++)
    close (fds[i]);
  stop_pipeline (p);
  g_unlink (c.htpasswd);
  g_free (c.htpasswd);
  gst_structure_free (c.headers);
}

GST_END_TEST;

static Suite *
fluhttpsettings_suite (void)
{
  Suite *s = suite_create ("fluhttpsettings");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_mount_point_live);
  tcase_add_test (tc, test_mutable_ready);
  tcase_add_test (tc, test_htpasswd_live);
  tcase_add_test (tc, test_settings_churn);
  return s;
}

GST_CHECK_MAIN (fluhttpsettings);
