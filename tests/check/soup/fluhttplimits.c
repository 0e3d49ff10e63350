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

/* fluhttpsink limits: client-limit (503 + Retry-After, 302), per-IP
 * limit (429), bandwidth-limit, max-duration, header timeout. */

#include "fluhttptest.h"

#include <gst/app/gstappsrc.h>
#include <poll.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A viewer that stays connected: the socket, once the head arrived. */
static gint
open_viewer (guint port, const gchar * path)
{
  gint fd = http_open_get (port, path, NULL);
  gchar buf[13] = { 0 };
  gsize got = 0;

  while (got < sizeof (buf) - 1) {
    ssize_t n = read (fd, buf + got, sizeof (buf) - 1 - got);
    fail_unless (n > 0);
    got += n;
  }
  fail_unless (g_str_has_prefix (buf, "HTTP/1.1 200"), "got %s", buf);
  return fd;
}

GST_START_TEST (test_client_limit)
{
  GstElement *sink, *p = start_webm_pipeline ("client-limit=1 retry-after=7",
      &sink);
  guint port = sink_port (sink);
  gint fd = open_viewer (port, "/");
  HttpResponse *r;
  gchar *v;

  r = http_get (port, "/", NULL, 1, 5000);
  fail_unless_equals_int (r->status, 503);
  v = http_header (r, "Retry-After");
  fail_unless_equals_string (v, "7");
  g_free (v);
  http_response_free (r);

  g_object_set (sink, "redirect-on-overflow", "http://relay.example/", NULL);
  r = http_get (port, "/", NULL, 1, 5000);
  fail_unless_equals_int (r->status, 302);
  v = http_header (r, "Location");
  fail_unless_equals_string (v, "http://relay.example/");
  g_free (v);
  http_response_free (r);

  /* HEAD does not count as a viewer */
  r = http_request ("127.0.0.1", port, "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", 1,
      5000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);

  /* the seat frees up when the viewer leaves */
  close (fd);
  fail_unless (wait_stats_uint (sink, "clients", 0, 10000));
  r = http_get (port, "/", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_per_ip_limit)
{
  GstElement *sink, *p = start_webm_pipeline ("max-clients-per-ip=2", &sink);
  guint port = sink_port (sink);
  gint a = open_viewer (port, "/"), b = open_viewer (port, "/");
  HttpResponse *r = http_get (port, "/", NULL, 1, 5000);

  fail_unless_equals_int (r->status, 429);
  http_response_free (r);
  close (a);
  close (b);
  stop_pipeline (p);
}

GST_END_TEST;

static gchar *
read_status_line (gint fd, guint timeout_ms)
{
  GString *got = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (!strstr (got->str, "\r\n")) {
    struct pollfd pfd = { fd, POLLIN, 0 };
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    gchar buf[256];
    ssize_t n;

    if (left <= 0 || poll (&pfd, 1, left) <= 0)
      break;
    n = read (fd, buf, sizeof (buf));
    if (n <= 0)
      break;
    g_string_append_len (got, buf, n);
  }
  return g_string_free (got, FALSE);
}

/* Requests that came before the stream's caps were not counted per
 * address, nor checked again when the caps came: with
 * max-clients-per-ip=2, ten early GETs all got 200. */
GST_START_TEST (test_per_ip_limit_before_caps)
{
  GstElement *src, *sink, *p = start_pipeline ("appsrc name=src format=time "
      "! fluhttpsink name=sink port=0 max-clients-per-ip=2 caps-timeout=60",
      &src, &sink);
  GstCaps *caps = gst_caps_from_string ("application/ogg");
  gint fds[6];
  guint i, ok = 0, refused = 0, port;

  port = sink_port (sink);
  for (i = 0; i < G_N_ELEMENTS (fds); i++) {
    fds[i] = http_open_get (port, "/", NULL);
    /* in order, so that the first two are the ones that wait */
    if (i < 2)
      fail_unless (wait_stats_uint (sink, "clients-waiting", i + 1, 10000));
  }
  /* the other four are refused at once, before any caps */
  for (i = 2; i < G_N_ELEMENTS (fds); i++) {
    gchar *line = read_status_line (fds[i], 10000);

    fail_unless (g_str_has_prefix (line, "HTTP/1.1 429"), "request %u: %s",
        i, line);
    g_free (line);
  }
  fail_unless (wait_stats_uint (sink, "clients-waiting", 2, 1000));
  /* the caps come: the two waiting get the stream */
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_caps_unref (caps);
  for (i = 0; i < 40 && ok + refused < 2; i++) {
    GstBuffer *buf = gst_buffer_new_memdup ("OggS-hello", 10);
    guint j;

    GST_BUFFER_PTS (buf) = i * 50 * GST_MSECOND;
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src),
            buf), GST_FLOW_OK);
    if (i == 2) {
      for (j = 0; j < 2; j++) {
        gchar *line = read_status_line (fds[j], 10000);

        if (g_str_has_prefix (line, "HTTP/1.1 200"))
          ok++;
        else
          refused++;
        g_free (line);
      }
    }
    g_usleep (50000);
  }
  fail_unless_equals_int (ok, 2);
  /* and the address is full: one more is refused */
  {
    HttpResponse *r = http_get (port, "/", NULL, 1, 5000);

    fail_unless_equals_int (r->status, 429);
    http_response_free (r);
  }
  for (i = 0; i < G_N_ELEMENTS (fds); i++)
    close (fds[i]);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_bandwidth_limit)
{
  /* the test stream is far above 1 kbit/s once measured */
  GstElement *sink, *p = start_webm_pipeline ("bandwidth-limit=1000", &sink);
  guint port = sink_port (sink);
  guint64 rate = 0;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  HttpResponse *r;

  while (rate == 0 && g_get_monotonic_time () < deadline) {
    g_usleep (100000);
    g_object_get (sink, "stream-bitrate", &rate, NULL);
  }
  fail_unless (rate > 1000);
  r = http_get (port, "/", NULL, 1, 5000);
  fail_unless_equals_int (r->status, 503);
  http_response_free (r);
  g_object_set (sink, "bandwidth-limit", (guint64) 1000000000, NULL);
  r = http_get (port, "/", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_max_duration)
{
  GstElement *sink, *p = start_webm_pipeline ("max-duration=1", &sink);
  HttpResponse *r = http_get (sink_port (sink), "/", NULL, G_MAXSIZE, 20000);
  GstStructure *s;

  fail_unless_equals_int (r->status, 200);
  fail_unless (r->closed, "still connected after 20 s");
  http_response_free (r);
  s = wait_element_message (p, "fluhttpsink-client-removed", 10000);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "reason"),
      "max-duration");
  gst_structure_free (s);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_header_timeout)
{
  GstElement *sink, *p = start_webm_pipeline ("header-timeout=1", &sink);
  guint port = sink_port (sink);
  gint slow = tcp_connect ("127.0.0.1", port), viewer;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gboolean closed = FALSE;
  HttpResponse *r;

  /* a viewer already streaming is not affected */
  viewer = open_viewer (port, "/");
  fail_unless (write (slow, "GET / HTTP/1.1\r\nHo", 18) == 18);
  while (!closed && g_get_monotonic_time () < deadline) {
    gchar buf[256];
    ssize_t n;

    n = recv (slow, buf, sizeof (buf), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN))
      closed = TRUE;
    else
      g_usleep (50000);
  }
  fail_unless (closed, "slow client still connected");
  /* others are served meanwhile */
  r = http_get (port, "/", NULL, 4, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  {
    gchar buf[4096];
    fail_unless (read (viewer, buf, sizeof (buf)) > 0);
  }
  close (viewer);
  close (slow);
  stop_pipeline (p);
}

GST_END_TEST;

static Suite *
fluhttplimits_suite (void)
{
  Suite *s = suite_create ("fluhttplimits");
  TCase *tc = tcase_create ("limits");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_client_limit);
  tcase_add_test (tc, test_per_ip_limit);
  tcase_add_test (tc, test_per_ip_limit_before_caps);
  tcase_add_test (tc, test_bandwidth_limit);
  tcase_add_test (tc, test_max_duration);
  tcase_add_test (tc, test_header_timeout);
  return s;
}

GST_CHECK_MAIN (fluhttplimits);
