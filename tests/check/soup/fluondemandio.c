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

/* fluondemand's file I/O is off the server thread: while the open or a
 * read of one file is blocked (the plugin's test hook stands for a slow
 * disk), other mounts of the port are answered; a request whose read is
 * in flight when its viewer leaves or its element stops is freed once
 * the read returns (run under ASan for the use-after-free).  Ordering
 * only: the hook says when the read has started, the test says when it
 * may return. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <gmodule.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "fluhttptest.h"

typedef void (*TestHook) (const gchar * what, const gchar * path);

#define SLOW_SIZE (200 * 1024)

static gchar *dir;
static GMutex gate_lock;
static GCond gate_cond;
static const gchar *gate_what;  /* "open", "read" or "list": where the
                                 * gated path waits */
static const gchar *gate_path;  /* slow.bin, or a directory listed */
static gboolean gate_open;
static guint entered, freed;

/* pool threads: slow.bin waits at gate_what until the test opens it */
static void
gate_hook (const gchar * what, const gchar * path)
{
  if (g_strcmp0 (path, gate_path) != 0)
    return;
  g_mutex_lock (&gate_lock);
  if (g_str_equal (what, "free")) {
    freed++;
    g_cond_broadcast (&gate_cond);
  } else if (gate_what && g_str_equal (what, gate_what)) {
    entered++;
    g_cond_broadcast (&gate_cond);
    while (!gate_open)
      g_cond_wait (&gate_cond, &gate_lock);
  }
  g_mutex_unlock (&gate_lock);
}

/* waits (at most 20 s, against a hang) until *@counter reaches @n */
static void
wait_count (guint * counter, guint n)
{
  gint64 end = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&gate_lock);
  while (*counter < n)
    fail_unless (g_cond_wait_until (&gate_cond, &gate_lock, end),
        "the pool never got there");
  g_mutex_unlock (&gate_lock);
}

static void
gate_set (const gchar * what, gboolean open)
{
  g_mutex_lock (&gate_lock);
  gate_what = what;
  gate_open = open;
  g_cond_broadcast (&gate_cond);
  g_mutex_unlock (&gate_lock);
}

/* GET @path with the gate closed at @what: its socket, once a pool
 * thread is held there */
static gint
held_get (const gchar * what, guint port, const gchar * path)
{
  guint n;
  gint fd;

  g_mutex_lock (&gate_lock);
  n = entered;
  g_mutex_unlock (&gate_lock);
  gate_set (what, FALSE);
  fd = http_open_get (port, path, "Connection: close\r\n");
  wait_count (&entered, n + 1);
  return fd;
}

static void
install_hook (void)
{
  GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (),
      "fluhttp");
  GModule *module;
  gpointer sym = NULL;

  fail_unless (plugin != NULL);
  module = g_module_open (gst_plugin_get_filename (plugin), G_MODULE_BIND_LAZY);
  fail_unless (module != NULL, "%s", g_module_error ());
  fail_unless (g_module_symbol (module, "flu_on_demand_test_hook", &sym));
  *(TestHook *) sym = gate_hook;
  /* the module stays open: the plugin is loaded anyway */
  gst_object_unref (plugin);
}

static void
setup (void)
{
  gchar *p, *data = g_malloc (SLOW_SIZE);
  guint i;

  for (i = 0; i < SLOW_SIZE; i++)
    data[i] = (gchar) (i * 13);
  dir = g_dir_make_tmp ("flu-odio-XXXXXX", NULL);
  fail_unless (dir != NULL);
  p = g_build_filename (dir, "slow.bin", NULL);
  fail_unless (g_file_set_contents (p, data, SLOW_SIZE, NULL));
  g_free (p);
  p = g_build_filename (dir, "small.txt", NULL);
  fail_unless (g_file_set_contents (p, "hello", -1, NULL));
  g_free (p);
  g_free (data);
  entered = freed = 0;
  gate_path = "slow.bin";
  gate_set (NULL, TRUE);
}

static void
teardown (void)
{
  gchar *p = g_build_filename (dir, "slow.bin", NULL);

  gate_set (NULL, TRUE);
  g_unlink (p);
  g_free (p);
  p = g_build_filename (dir, "small.txt", NULL);
  g_unlink (p);
  g_free (p);
  g_rmdir (dir);
  g_free (dir);
}

/* two fluondemands on one port: /recordings/ (with /od.json) and /other/ */
static GstElement *
start_two (GstElement ** od)
{
  gchar *desc = g_strdup_printf ("fluondemand name=od port=0 "
      "directory=\"%s\" stats-path=/od.json", dir);
  GstElement *p = gst_pipeline_new (NULL), *other;
  GError *err = NULL;

  *od = gst_parse_launch (desc, &err);
  g_free (desc);
  fail_unless (*od != NULL, "%s", err ? err->message : "?");
  gst_bin_add (GST_BIN (p), *od);
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  other = gst_element_factory_make ("fluondemand", "other");
  g_object_set (other, "port", sink_port (*od), "directory", dir,
      "mount-point", "/other/", NULL);
  gst_bin_add (GST_BIN (p), other);
  fail_unless (gst_element_set_state (other, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  return p;
}

/* everything up to the server's close */
static GByteArray *
read_all (gint fd)
{
  GByteArray *out = g_byte_array_new ();
  guint8 buf[16384];
  gssize n;

  while ((n = read (fd, buf, sizeof (buf))) > 0)
    g_byte_array_append (out, buf, n);
  close (fd);
  return out;
}

static void
assert_others_answer (guint port)
{
  fail_unless_equals_int (http_status (port, "/other/small.txt", NULL), 200);
  fail_unless_equals_int (http_status (port, "/od.json", NULL), 200);
  fail_unless_equals_int (http_status (port, "/recordings/small.txt", NULL),
      200);
}

static void
check_slow_answer (GByteArray * a)
{
  const gchar *end = g_strstr_len ((gchar *) a->data, a->len, "\r\n\r\n");
  gsize head;
  guint i;

  fail_unless (end != NULL);
  fail_unless (g_str_has_prefix ((gchar *) a->data, "HTTP/1.1 200"));
  head = end + 4 - (gchar *) a->data;
  fail_unless_equals_int (a->len - head, SLOW_SIZE);
  for (i = 0; i < SLOW_SIZE && a->data[head + i] == (guint8) (i * 13); i++);
  fail_unless_equals_int (i, SLOW_SIZE);
}

GST_START_TEST (test_blocked_open_and_read)
{
  GstElement *od, *p;
  guint port;
  gint fd;
  GByteArray *a;

  install_hook ();
  p = start_two (&od);
  port = sink_port (od);

  /* the open waits: the port answers the other mount, the stats and
   * another file of the same mount meanwhile */
  gate_set ("open", FALSE);
  fd = http_open_get (port, "/recordings/slow.bin", "Connection: close\r\n");
  wait_count (&entered, 1);
  assert_others_answer (port);
  gate_set ("open", TRUE);
  a = read_all (fd);
  check_slow_answer (a);
  g_byte_array_unref (a);

  /* the same with a read (the first chunk) waiting */
  entered = 0;
  gate_set ("read", FALSE);
  fd = http_open_get (port, "/recordings/slow.bin", "Connection: close\r\n");
  wait_count (&entered, 1);
  assert_others_answer (port);
  gate_set ("read", TRUE);
  a = read_all (fd);
  check_slow_answer (a);
  g_byte_array_unref (a);
  stop_pipeline (p);
}

GST_END_TEST;

/* the viewer leaves while its read is in flight: the read's result is
 * written to a closed connection, the request ends and is freed */
GST_START_TEST (test_viewer_leaves_during_read)
{
  GstElement *od, *p;
  guint port;
  gint fd;

  install_hook ();
  p = start_two (&od);
  port = sink_port (od);
  gate_set ("read", FALSE);
  fd = http_open_get (port, "/recordings/slow.bin", "Connection: close\r\n");
  wait_count (&entered, 1);
  close (fd);
  gate_set ("read", TRUE);
  fail_unless (wait_stats_uint (od, "viewers", 0, 20000));
  assert_others_answer (port);
  stop_pipeline (p);
}

GST_END_TEST;

/* the element stops while a read and an open are in flight (the port
 * goes on for the other mount, then stops too): the jobs return to a
 * request that is done, and are freed */
GST_START_TEST (test_stop_during_io)
{
  GstElement *od, *p;
  guint port;
  gint fd1, fd2;
  GByteArray *a;
  guint before;

  install_hook ();
  p = start_two (&od);
  port = sink_port (od);
  fd1 = held_get ("read", port, "/recordings/slow.bin");
  fd2 = held_get ("open", port, "/recordings/slow.bin");
  before = freed;
  fail_unless (gst_element_set_state (od, GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS);
  /* both connections end: the reading one cut, the opening one 503 */
  a = read_all (fd2);
  fail_unless (g_str_has_prefix ((gchar *) a->data, "HTTP/1.1 503"));
  g_byte_array_unref (a);
  a = read_all (fd1);
  fail_unless (a->len < SLOW_SIZE);
  g_byte_array_unref (a);
  fail_unless_equals_int (http_status (port, "/other/small.txt", NULL), 200);
  gate_set (NULL, TRUE);
  wait_count (&freed, before + 2);

  /* again, with the port's server gone before the jobs return */
  fail_unless (gst_element_set_state (od, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  port = sink_port (od);
  entered = 0;
  gate_set ("read", FALSE);
  fd1 = http_open_get (port, "/recordings/slow.bin", "Connection: close\r\n");
  wait_count (&entered, 1);
  before = freed;
  stop_pipeline (p);
  a = read_all (fd1);
  g_byte_array_unref (a);
  gate_set (NULL, TRUE);
  wait_count (&freed, before + 1);
}

GST_END_TEST;

/* the element stopping while a listing waits for its second piece: the
 * connection is cut (it waited for ever, paused), the other mount of the
 * port still served, the job freed */
GST_START_TEST (test_stop_during_listing)
{
  gchar *many = g_build_filename (dir, "many", NULL);
  GstElement *od, *p;
  GString *got = g_string_new (NULL);
  gint64 deadline;
  guint port, i, before;
  gint fd;

  fail_unless (g_mkdir (many, 0755) == 0);
  /* more than FLU_ON_DEMAND_LISTING_PIECE: two pieces */
  for (i = 0; i < 300; i++) {
    gchar *f = g_strdup_printf ("%s/f%03u", many, i);

    fail_unless (g_file_set_contents (f, "", 0, NULL));
    g_free (f);
  }
  install_hook ();
  p = start_two (&od);
  port = sink_port (od);
  gate_path = "many/";
  /* the first piece went out with the head; the second is held */
  fd = held_get ("list", port, "/recordings/many/");
  before = freed;
  fail_unless (gst_element_set_state (od, GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (TRUE) {
    struct pollfd pfd = { fd, POLLIN, 0 };
    gchar buf[4096];
    gssize n;

    fail_unless (g_get_monotonic_time () < deadline,
        "the listing's connection stayed open (%u bytes: %.120s)",
        (guint) got->len, got->str);
    if (poll (&pfd, 1, 100) <= 0)
      continue;
    n = read (fd, buf, sizeof (buf));
    if (n <= 0)
      break;
    g_string_append_len (got, buf, n);
  }
  close (fd);
  fail_unless (g_str_has_prefix (got->str, "HTTP/1.1 200"), "%s", got->str);
  fail_unless (strstr (got->str, "f000") != NULL);
  fail_if (strstr (got->str, "f299") != NULL, "the whole listing came");
  fail_unless_equals_int (http_status (port, "/other/small.txt", NULL), 200);
  gate_set (NULL, TRUE);
  wait_count (&freed, before + 1);
  stop_pipeline (p);
  remove_tree (many);
  g_string_free (got, TRUE);
  g_free (many);
}

GST_END_TEST;

/* the port's status page (a fluhttpsink's status-path) lists the
 * on-demand mount beside the live one, with its counters; a client the
 * mount's allow list refuses does not see it; the metrics pass promtool */
GST_START_TEST (test_status_page)
{
  GstElement *sink, *live = start_webm_pipeline ("mount-point=/live.webm "
      "status-path=/status", &sink);
  guint port = sink_port (sink);
  GstElement *od = gst_element_factory_make ("fluondemand", NULL);
  HttpResponse *r;
  const gchar *body;

  g_object_set (od, "port", port, "directory", dir, "metrics-path",
      "/od-metrics", NULL);
  fail_unless (gst_element_set_state (od, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (http_status (port, "/recordings/small.txt", NULL),
      200);
  r = http_get (port, "/status?format=json", NULL, G_MAXSIZE, 10000);
  fail_unless_equals_int (r->status, 200);
  g_byte_array_append (r->body, (const guint8 *) "", 1);
  body = (const gchar *) r->body->data;
  fail_unless (strstr (body, "\"mount\": \"/live.webm\"") != NULL, "%s", body);
  fail_unless (strstr (body, "{\"mount\": \"/recordings/\", \"requests\": 1, "
          "\"ok\": 1, ") != NULL, "%s", body);
  fail_unless (strstr (body, "\"kind\": \"on-demand\"") != NULL, "%s", body);
  fail_unless (strstr (body, "\"bytes-sent\": 5, ") != NULL, "%s", body);
  http_response_free (r);
  /* its own metrics-path (the design: one path per element, as
   * fluhttpsink's), promtool-clean */
  r = http_get (port, "/od-metrics", NULL, G_MAXSIZE, 10000);
  fail_unless_equals_int (r->status, 200);
  g_byte_array_append (r->body, (const guint8 *) "", 1);
  body = (const gchar *) r->body->data;
  fail_unless (strstr (body,
          "fluondemand_bytes_sent_total{mount=\"/recordings/\"}" " 5\n") !=
      NULL, "%s", body);
  promtool_check (body);
  http_response_free (r);
  gst_element_set_state (od, GST_STATE_NULL);

  g_object_set (od, "allow", "10.0.0.0/8", NULL);
  fail_unless (gst_element_set_state (od, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  r = http_get (port, "/status?format=json", NULL, G_MAXSIZE, 10000);
  fail_unless_equals_int (r->status, 200);
  g_byte_array_append (r->body, (const guint8 *) "", 1);
  body = (const gchar *) r->body->data;
  fail_unless (strstr (body, "/live.webm") != NULL, "%s", body);
  fail_unless (strstr (body, "/recordings/") == NULL, "%s", body);
  http_response_free (r);
  gst_element_set_state (od, GST_STATE_NULL);
  gst_object_unref (od);
  stop_pipeline (live);
}

GST_END_TEST;

/* max-clients-per-ip=1: while a file is being sent to 127.0.0.1 (its
 * read held), a second GET from there gets 429, a HEAD 200; once the
 * first ends, a GET is served again */
GST_START_TEST (test_max_clients_per_ip)
{
  GstElement *od, *p;
  guint port;
  gint fd;
  GByteArray *a;
  HttpResponse *r;

  install_hook ();
  p = start_two (&od);
  gst_element_set_state (od, GST_STATE_NULL);
  g_object_set (od, "max-clients-per-ip", 1, NULL);
  fail_unless (gst_element_set_state (od, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  port = sink_port (od);
  gate_set ("read", FALSE);
  fd = http_open_get (port, "/recordings/slow.bin", "Connection: close\r\n");
  wait_count (&entered, 1);
  r = http_get (port, "/recordings/small.txt", NULL, G_MAXSIZE, 10000);
  fail_unless_equals_int (r->status, 429);
  {
    gchar *v = http_header (r, "Retry-After");

    fail_unless_equals_string (v, "5");
    g_free (v);
  }
  http_response_free (r);
  r = http_request ("127.0.0.1", port, "HEAD /recordings/small.txt "
      "HTTP/1.1\r\nHost: x\r\n\r\n", 0, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  gate_set ("read", TRUE);
  a = read_all (fd);
  check_slow_answer (a);
  g_byte_array_unref (a);
  fail_unless (wait_stats_uint (od, "viewers", 0, 20000));
  fail_unless_equals_int (http_status (port, "/recordings/small.txt", NULL),
      200);
  stop_pipeline (p);
}

GST_END_TEST;

/* the answer to a GET of slow.bin while the file changes under its first
 * read (@change: "shrink" to 40000 bytes, "grow" by 1000, "delete"):
 * the status, Content-Length and body as the client got them until the
 * server closed (SO_RCVTIMEO: a hang fails) */
static GByteArray *
get_while (guint port, const gchar * change, gsize * length)
{
  gchar *path = g_build_filename (dir, "slow.bin", NULL);
  struct timeval tv = { 20, 0 };
  GByteArray *a;
  const gchar *end;
  gchar *cl;
  gint fd;

  entered = 0;
  gate_set ("read", FALSE);
  fd = http_open_get (port, "/recordings/slow.bin", "Connection: close\r\n");
  fail_unless (setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  wait_count (&entered, 1);
  if (g_str_equal (change, "shrink")) {
    fail_unless (truncate (path, 40000) == 0);
  } else if (g_str_equal (change, "grow")) {
    gint w = open (path, O_WRONLY | O_APPEND);

    fail_unless (w >= 0);
    fail_unless (write (w, "grown", 5) == 5);
    close (w);
  } else {
    fail_unless (g_unlink (path) == 0);
  }
  gate_set ("read", TRUE);
  a = read_all (fd);
  fail_unless (g_str_has_prefix ((gchar *) a->data, "HTTP/1.1 200"));
  end = g_strstr_len ((gchar *) a->data, a->len, "\r\n\r\n");
  fail_unless (end != NULL);
  cl = g_strstr_len ((gchar *) a->data, end - (gchar *) a->data,
      "Content-Length: ");
  fail_unless (cl != NULL);
  *length = g_ascii_strtoull (cl + 16, NULL, 10);
  g_byte_array_remove_range (a, 0, end + 4 - (gchar *) a->data);
  g_free (path);
  return a;
}

static void
rewrite_slow (void)
{
  gchar *p = g_build_filename (dir, "slow.bin", NULL), *data =
      g_malloc (SLOW_SIZE);
  guint i;

  for (i = 0; i < SLOW_SIZE; i++)
    data[i] = (gchar) (i * 13);
  fail_unless (g_file_set_contents (p, data, SLOW_SIZE, NULL));
  g_free (data);
  g_free (p);
}

/* Content-Length is the size at the open: a file that grows is sent to
 * that size, one deleted whole, one that shrinks up to its new end and
 * then the connection closes (no hang, no padding); the port goes on */
GST_START_TEST (test_file_changes_while_sent)
{
  GstElement *od, *p;
  GByteArray *a;
  gsize length;
  guint port, i;

  install_hook ();
  p = start_two (&od);
  port = sink_port (od);

  a = get_while (port, "shrink", &length);
  fail_unless_equals_int (length, SLOW_SIZE);
  fail_unless_equals_int (a->len, 40000);
  for (i = 0; i < a->len && a->data[i] == (guint8) (i * 13); i++);
  fail_unless_equals_int (i, 40000);
  g_byte_array_unref (a);
  assert_others_answer (port);

  rewrite_slow ();
  a = get_while (port, "grow", &length);
  fail_unless_equals_int (length, SLOW_SIZE);
  fail_unless_equals_int (a->len, SLOW_SIZE);
  g_byte_array_unref (a);

  rewrite_slow ();
  a = get_while (port, "delete", &length);
  fail_unless_equals_int (length, SLOW_SIZE);
  fail_unless_equals_int (a->len, SLOW_SIZE);
  for (i = 0; i < a->len && a->data[i] == (guint8) (i * 13); i++);
  fail_unless_equals_int (i, SLOW_SIZE);
  g_byte_array_unref (a);
  rewrite_slow ();
  assert_others_answer (port);
  stop_pipeline (p);
}

GST_END_TEST;

static Suite *
fluondemandio_suite (void)
{
  Suite *s = suite_create ("fluondemandio");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_blocked_open_and_read);
  tcase_add_test (tc, test_viewer_leaves_during_read);
  tcase_add_test (tc, test_stop_during_io);
  tcase_add_test (tc, test_stop_during_listing);
  tcase_add_test (tc, test_status_page);
  tcase_add_test (tc, test_max_clients_per_ip);
  tcase_add_test (tc, test_file_changes_while_sent);
  return s;
}

GST_CHECK_MAIN (fluondemandio);
