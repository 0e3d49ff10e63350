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

/* What monitoring and new viewers see of a mount: a source that stops
 * sending makes the mount "stalled" in the stats, the metrics and the
 * status page, with its bitrate at 0, and new viewers get 503 instead of
 * stale data; the Prometheus text passes promtool. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttptest.h"
#include "fluhttpstats.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <string.h>

static void
push (GstElement * src, guint n)
{
  static guint64 pts = 0;
  guint i;

  for (i = 0; i < n; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 1000, NULL);

    gst_buffer_memset (buf, 0, 'x', 1000);
    GST_BUFFER_PTS (buf) = pts;
    pts += 40 * GST_MSECOND;
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src), buf),
        GST_FLOW_OK);
  }
}

static GstStructure *
stats (GstElement * sink)
{
  GstStructure *s = NULL;

  g_object_get (sink, "stats", &s, NULL);
  fail_unless (s != NULL);
  return s;
}

/* Polls the stats until "state" is @state (FALSE after 20 s). */
static gboolean
wait_state (GstElement * sink, const gchar * state)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  do {
    GstStructure *s = stats (sink);
    gboolean same = g_strcmp0 (gst_structure_get_string (s, "state"),
        state) == 0;

    gst_structure_free (s);
    if (same)
      return TRUE;
    g_usleep (50000);
  } while (g_get_monotonic_time () < deadline);
  return FALSE;
}

/* status of GET @path once the head is in (no wait for body data) */
static guint
head_status (guint port, const gchar * path, gchar ** retry_after)
{
  HttpResponse *r = http_get (port, path, NULL, 0, 10000);
  guint status = r->status;

  if (retry_after)
    *retry_after = http_header (r, "Retry-After");
  http_response_free (r);
  return status;
}

GST_START_TEST (test_stall)
{
  GstElement *src, *sink, *p = start_appsrc_pipeline ("application/ogg",
      "mount-point=/m.ogg "
      "stats-path=/stats.json metrics-path=/metrics status-path=/status "
      "retry-after=7 stall-timeout=3600", &src, &sink);
  guint port = sink_port (sink), timeout = 0;
  GstStructure *s;
  guint64 rate = 1;
  gdouble age = 0;
  gchar *body, *retry = NULL;

  g_object_get (sink, "stall-timeout", &timeout, NULL);
  fail_unless_equals_int (timeout, 3600);

  /* caps but no data yet: offline, and a viewer is still let in */
  fail_unless (wait_state (sink, "offline"));
  push (src, 20);
  fail_unless (wait_state (sink, "online"));
  fail_unless_equals_int (head_status (port, "/m.ogg", NULL), 200);

  /* the source goes silent: the mount is stalled once the last buffer is
   * older than stall-timeout */
  g_object_set (sink, "stall-timeout", 1, NULL);
  fail_unless (wait_state (sink, "stalled"));
  s = stats (sink);
  fail_unless (gst_structure_get_uint64 (s, "stream-bitrate", &rate));
  fail_unless_equals_uint64 (rate, 0);
  rate = 1;
  g_object_get (sink, "stream-bitrate", &rate, NULL);
  fail_unless_equals_uint64 (rate, 0);
  fail_unless (gst_structure_get_double (s, "last-buffer-age", &age));
  fail_unless (age >= 1.0, "age %f", age);
  gst_structure_free (s);

  /* a new viewer gets 503, not the last data again */
  fail_unless_equals_int (head_status (port, "/m.ogg", &retry), 503);
  fail_unless_equals_string (retry, "7");
  g_free (retry);

  body = http_get_text (port, "/stats.json", 5000);
  fail_unless (strstr (body, "\"state\": \"stalled\"") != NULL, "%s", body);
  fail_unless (strstr (body, "\"stream-bitrate\": 0,") != NULL, "%s", body);
  fail_unless (strstr (body, "\"last-buffer-age\": ") != NULL, "%s", body);
  g_free (body);
  body = http_get_text (port, "/status?format=json", 5000);
  fail_unless (strstr (body, "\"state\": \"stalled\"") != NULL, "%s", body);
  g_free (body);
  body = http_get_text (port, "/status", 5000);
  fail_unless (strstr (body, "no data for") != NULL);
  g_free (body);
  body = http_get_text (port, "/metrics", 5000);
  fail_unless (strstr (body,
          "fluhttpsink_state{mount=\"/m.ogg\",state=\"stalled\"} 1\n") !=
      NULL, "%s", body);
  fail_unless (strstr (body,
          "fluhttpsink_state{mount=\"/m.ogg\",state=\"online\"} 0\n") !=
      NULL, "%s", body);
  fail_unless (strstr (body,
          "fluhttpsink_last_buffer_age_seconds{mount=\"/m.ogg\"} ") != NULL,
      "%s", body);
  g_free (body);

  /* 0 turns the check off */
  g_object_set (sink, "stall-timeout", 0, NULL);
  fail_unless (wait_state (sink, "online"));
  fail_unless_equals_int (head_status (port, "/m.ogg", NULL), 200);

  /* data again: online, viewers let in */
  g_object_set (sink, "stall-timeout", 1, NULL);
  fail_unless (wait_state (sink, "stalled"));
  g_object_set (sink, "stall-timeout", 3600, NULL);
  push (src, 5);
  fail_unless (wait_state (sink, "online"));
  fail_unless_equals_int (head_status (port, "/m.ogg", NULL), 200);

  /* the source ended: offline, new viewers refused */
  fail_unless_equals_int (gst_app_src_end_of_stream (GST_APP_SRC (src)),
      GST_FLOW_OK);
  fail_unless (wait_state (sink, "offline"));
  fail_unless_equals_int (head_status (port, "/m.ogg", NULL), 503);
  stop_pipeline (p);
}

GST_END_TEST;

/* every family has HELP and TYPE, counters end in _total, units in the
 * names; promtool agrees, on a live element's /metrics too */
GST_START_TEST (test_metrics_promtool)
{
  GstElement *src, *sink, *p = start_appsrc_pipeline ("application/ogg",
      "mount-point=/p.ogg " "metrics-path=/metrics", &src, &sink);
  const gchar *names[] = { "uptime_seconds", "clients", "clients_waiting",
    "clients_peak", "clients_peak_timestamp_seconds", "clients_average",
    "connections_total", "refused_total",
    "sent_bytes_total", "stream_bytes_total", "stream_bytes_per_second",
    "stream_mean_bytes_per_second", "consumption_bytes_per_second",
    "consumption_mean_bytes_per_second", "last_buffer_age_seconds", "state"
  };
  gchar *body;
  guint i;

  push (src, 10);
  fail_unless (wait_state (sink, "online"));
  fail_unless_equals_int (head_status (sink_port (sink), "/p.ogg", NULL), 200);
  body = http_get_text (sink_port (sink), "/metrics", 5000);
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    gchar *help = g_strdup_printf ("\n# HELP fluhttpsink_%s ", names[i]);
    gchar *line = g_strdup_printf ("\nfluhttpsink_%s{mount=\"/p.ogg\"",
        names[i]);

    fail_unless (strstr (body, help + 1) != NULL, "%s in %s", help, body);
    fail_unless (strstr (body, line) != NULL, "%s in %s", line, body);
    g_free (help);
    g_free (line);
  }
  fail_unless (strstr (body, "fluhttpsink_connections_total{mount=\"/p.ogg\"} "
          "1\n") != NULL, "%s", body);
  promtool_check (body);
  g_free (body);
  stop_pipeline (p);
}

GST_END_TEST;

/* label values escape backslash, double quote and newline, and nothing
 * else (UTF-8 stays as it is) */
GST_START_TEST (test_metrics_label_escaping)
{
  FluHttpStats st;
  GstStructure *s;
  gchar *text;

  flu_http_stats_init (&st);
  flu_http_stats_start (&st);
  s = flu_http_stats_to_structure (&st, 0, 0);
  text = flu_http_stats_to_prometheus (s, "/a\"b\\c\nd\xc3\xa9.webm");
  fail_unless (strstr (text, "fluhttpsink_clients{mount=\"/a\\\"b\\\\c"
          "\\nd\xc3\xa9.webm\"} 0\n") != NULL, "%s", text);
  fail_unless (strstr (text, "fluhttpsink_state{mount=\"/a\\\"b\\\\c"
          "\\nd\xc3\xa9.webm\",state=\"offline\"} 1\n") != NULL, "%s", text);
  promtool_check (text);
  g_free (text);
  gst_structure_free (s);
  flu_http_stats_clear (&st);
}

GST_END_TEST;

static guint
head_request (guint port, const gchar * path)
{
  gchar *req = g_strdup_printf ("HEAD %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
  HttpResponse *r = http_request ("127.0.0.1", port, req, 0, 5000);
  guint status = r->status;

  http_response_free (r);
  g_free (req);
  return status;
}

/* access-log-exclude keeps monitoring probes out of the access log (they
 * are still served); ip-filter, its old name, sets the same list */
GST_START_TEST (test_access_log_exclude)
{
  gchar *dir = g_dir_make_tmp ("fluhttpXXXXXX", NULL);
  gchar *log = g_build_filename (dir, "access.log", NULL);
  gchar *props = g_strdup_printf ("mount-point=/x.ogg access-log=%s "
      "access-log-exclude=127.0.0.0/8", log);
  GstElement *src, *sink, *p =
      start_appsrc_pipeline ("application/ogg", props, &src, &sink);
  GParamSpec *old = g_object_class_find_property (G_OBJECT_GET_CLASS (sink),
      "ip-filter");
  gchar *v = NULL, *contents = NULL;

  fail_unless (old != NULL);
  fail_unless (old->flags & G_PARAM_DEPRECATED);
  fail_unless (strstr (g_param_spec_get_blurb (old), "access-log-exclude"));
  g_object_get (sink, "ip-filter", &v, NULL);
  fail_unless_equals_string (v, "127.0.0.0/8");
  g_free (v);
  push (src, 5);
  fail_unless (wait_state (sink, "online"));

  /* served, not logged */
  fail_unless_equals_int (head_request (sink_port (sink), "/x.ogg"), 200);
  fail_unless (g_file_get_contents (log, &contents, NULL, NULL));
  fail_unless_equals_string (contents, "");
  g_free (contents);

  /* the old name sets the same list: loopback is logged again */
  g_object_set (sink, "ip-filter", "10.0.0.0/8", NULL);
  g_object_get (sink, "access-log-exclude", &v, NULL);
  fail_unless_equals_string (v, "10.0.0.0/8");
  g_free (v);
  fail_unless_equals_int (head_request (sink_port (sink), "/x.ogg"), 200);
  fail_unless (g_file_get_contents (log, &contents, NULL, NULL));
  fail_unless (strstr (contents, "\"HEAD /x.ogg HTTP/1.1\" 200") != NULL,
      "%s", contents);
  g_free (contents);

  stop_pipeline (p);
  g_remove (log);
  g_rmdir (dir);
  g_free (props);
  g_free (log);
  g_free (dir);
}

GST_END_TEST;

/* gst-inspect's Origin URL of our plugins is no placeholder host */
GST_START_TEST (test_plugin_origin)
{
  const gchar *names[] = { "fluhttp", "flumultifd", "flufeed" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (),
        names[i]);
    const gchar *origin;
    gchar *host = NULL;
    GUri *uri;

    fail_unless (plugin != NULL, "%s", names[i]);
    origin = gst_plugin_get_origin (plugin);
    fail_unless (origin != NULL && *origin != '\0');
    uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
    if (uri) {
      host = g_ascii_strdown (g_uri_get_host (uri) ?
          g_uri_get_host (uri) : "", -1);
      g_uri_unref (uri);
    }
    fail_if (host && (g_str_has_suffix (host, ".invalid") ||
            g_str_has_suffix (host, ".example") ||
            g_str_has_suffix (host, ".test") ||
            g_str_has_suffix (host, "example.com") ||
            g_str_has_suffix (host, "example.org")), "%s: %s", names[i],
        origin);
    g_free (host);
    gst_object_unref (plugin);
  }
}

GST_END_TEST;

static Suite *
fluhttpmonitor_suite (void)
{
  Suite *s = suite_create ("fluhttpmonitor");
  TCase *tc = tcase_create ("monitor");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_stall);
  tcase_add_test (tc, test_metrics_promtool);
  tcase_add_test (tc, test_metrics_label_escaping);
  tcase_add_test (tc, test_access_log_exclude);
  tcase_add_test (tc, test_plugin_origin);
  return s;
}

GST_CHECK_MAIN (fluhttpmonitor);
