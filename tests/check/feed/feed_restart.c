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

/* Producers in child processes, killed with SIGKILL:
 *  - kill and restart the producer 10 times in a row at random moments:
 *    the consumer never ends, its timestamps stay monotonic, and an HTTP
 *    viewer (of fluhttpsink; a GDP reader of a relay flufeedsink in builds
 *    without it) connected before the first kill still
 *    decodes frames after the last restart;
 *  - failover: two producers, kill the first, the consumer moves to the
 *    second within data-timeout + one retry.
 * The child is this very program run with "--producer PORT", so it is
 * built with the same sanitizers as the test. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "feedtest.h"

#define SEC GST_SECOND

static gchar *self_exe;

static GPid
spawn_producer (guint port)
{
  gchar *port_s = g_strdup_printf ("%u", port);
  gchar *argv[] = { self_exe, (gchar *) "--producer", port_s, NULL };
  GError *err = NULL;
  GPid pid;

  fail_unless (g_spawn_async (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
          NULL, NULL, &pid, &err), "spawn: %s", err ? err->message : "");
  g_free (port_s);
  return pid;
}

/* Waits until something listens on @port. */
static void
wait_listening (guint port)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  GSocketClient *client = g_socket_client_new ();

  while (g_get_monotonic_time () < end) {
    GSocketConnection *conn = g_socket_client_connect_to_host (client,
        "127.0.0.1", port, NULL, NULL);

    if (conn) {
      g_object_unref (conn);
      g_object_unref (client);
      return;
    }
    g_usleep (50000);
  }
  g_object_unref (client);
  fail ("nothing listens on port %u", port);
}

static void
kill_producer (GPid pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
}

static int
run_producer (guint port)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=64,height=48,framerate=25/1 ! jpegenc ! "
      "flufeedsink host=127.0.0.1 port=%u", port);
  GstElement *p = gst_parse_launch (desc, NULL);
  GstBus *bus;
  GstMessage *msg;

  g_free (desc);
  if (!p)
    return 1;
  gst_element_set_state (p, GST_STATE_PLAYING);
  bus = gst_element_get_bus (p);
  /* runs until killed; bounded anyway in case the test dies first */
  msg = gst_bus_timed_pop_filtered (bus, 120 * SEC,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  if (msg)
    gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  return 0;
}

typedef struct
{
  GMutex lock;
  guint buffers;
  guint disconts;
  gboolean backwards;
  gboolean eos;
  GstClockTime last;
} Checker;

static GstPadProbeReturn
check_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Checker *c = user_data;

  g_mutex_lock (&c->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    GstClockTime t = GST_BUFFER_PTS (buf);

    if (!GST_CLOCK_TIME_IS_VALID (t) || (GST_CLOCK_TIME_IS_VALID (c->last)
            && t < c->last))
      c->backwards = TRUE;
    c->last = t;
    c->buffers++;
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
      c->disconts++;
  } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS) {
    c->eos = TRUE;
  }
  g_mutex_unlock (&c->lock);
  return GST_PAD_PROBE_OK;
}

static void
attach_checker (GstElement * pipeline, const gchar * name, Checker * c)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), name);
  GstPad *pad = gst_element_get_static_pad (sink, "sink");

  g_mutex_init (&c->lock);
  c->last = GST_CLOCK_TIME_NONE;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, check_probe, c, NULL);
  gst_object_unref (pad);
  gst_object_unref (sink);
}

static guint
checker_buffers (Checker * c)
{
  guint n;

  g_mutex_lock (&c->lock);
  n = c->buffers;
  g_mutex_unlock (&c->lock);
  return n;
}

static gboolean
wait_buffers (Checker * c, guint n, GstClockTime timeout)
{
  gint64 end = g_get_monotonic_time () + timeout / GST_USECOND;

  while (checker_buffers (c) < n && g_get_monotonic_time () < end)
    g_usleep (20000);
  return checker_buffers (c) >= n;
}

/* Fails on any error or EOS on the bus of @p. */
static void
assert_bus_clean (GstElement * p)
{
  GstBus *bus = gst_element_get_bus (p);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR |
              GST_MESSAGE_EOS))) {
    GError *err = NULL;

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error (msg, &err, NULL);
      fail ("%s: %s", GST_MESSAGE_SRC_NAME (msg), err->message);
    }
    fail ("EOS from %s", GST_MESSAGE_SRC_NAME (msg));
  }
  gst_object_unref (bus);
}

static gboolean
has_element (const gchar * name)
{
  GstElementFactory *f = gst_element_factory_find (name);

  if (f)
    gst_object_unref (f);
  return f != NULL;
}

GST_START_TEST (test_kill_producer_ten_times)
{
  guint port = feed_free_port (), i, before;
  GPid pid = spawn_producer (port);
  GstElement *consumer, *viewer;
  Checker cons = { 0, }, view = { 0, };
  GstMessage *msg;
  GstStructure *stats;
  GstElement *src;
  guint64 losses = 0;
  gboolean http;

  /* the viewer is an HTTP client of fluhttpsink (Motion JPEG over
   * multipart), or, in a build without fluhttpsink, a GDP reader of a
   * relay flufeedsink */
  http = has_element ("fluhttpsink");
  /* with fluhttpsink built, the HTTP viewer is the test: no silent
   * fallback to the GDP one (souphttpsrc: gstreamer1.0-plugins-good) */
  fail_unless (!http || has_element ("souphttpsrc"),
      "souphttpsrc missing: cannot run the HTTP viewer");
  consumer = feed_pipeline (TRUE, "flufeedsrc name=src host=127.0.0.1 "
      "port=%u retry-initial=50 retry-max=200 data-timeout=2000 ! "
      "tee name=t ! queue ! fakesink name=check sync=false t. ! queue ! %s",
      port, http ? "multipartmux ! fluhttpsink name=out address=127.0.0.1 "
      "port=0 mount-point=/cam" : "flufeedsink name=out host=127.0.0.1 port=0");
  attach_checker (consumer, "check", &cons);
  gst_element_set_state (consumer, GST_STATE_PLAYING);
  fail_unless (wait_buffers (&cons, 10, 20 * SEC), "no data from producer");

  if (http)
    viewer = feed_pipeline (TRUE, "souphttpsrc "
        "location=http://127.0.0.1:%u/cam is-live=true ! multipartdemux ! "
        "jpegdec ! fakesink name=check sync=false",
        feed_current_port (consumer, "out"));
  else
    viewer = feed_pipeline (TRUE, "tcpclientsrc host=127.0.0.1 port=%u ! "
        "gdpdepay ! jpegdec ! fakesink name=check sync=false",
        feed_current_port (consumer, "out"));
  GST_INFO ("viewer: %s", http ? "HTTP via fluhttpsink" : "GDP relay");
  attach_checker (viewer, "check", &view);
  gst_element_set_state (viewer, GST_STATE_PLAYING);
  fail_unless (wait_buffers (&view, 5, 10 * SEC), "viewer got nothing");

  for (i = 0; i < 10; i++) {
    g_usleep (g_random_int_range (100000, 700000));
    kill_producer (pid);
    g_usleep (g_random_int_range (0, 300000));
    pid = spawn_producer (port);
    msg = feed_wait_message (consumer, "flufeedsrc-reconnected", 0, 20 * SEC);
    fail_unless (msg != NULL, "no reconnection after kill %u", i + 1);
    gst_message_unref (msg);
    assert_bus_clean (consumer);
  }
  /* the viewer connected before the first kill still decodes frames */
  before = checker_buffers (&view);
  fail_unless (wait_buffers (&view, before + 10, 10 * SEC),
      "viewer stalled after the last restart");
  assert_bus_clean (viewer);
  assert_bus_clean (consumer);

  g_mutex_lock (&cons.lock);
  fail_if (cons.backwards, "consumer timestamps went backwards");
  fail_if (cons.eos, "consumer got EOS");
  fail_unless (cons.disconts >= 10, "%u DISCONT buffers", cons.disconts);
  g_mutex_unlock (&cons.lock);
  /* (the viewer's timestamps are its HTTP client's own business) */
  fail_if (view.eos);

  src = gst_bin_get_by_name (GST_BIN (consumer), "src");
  g_object_get (src, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "losses", &losses);
  fail_unless (losses >= 10, "%" G_GUINT64_FORMAT " losses", losses);
  GST_INFO ("stats: %" GST_PTR_FORMAT, stats);
  gst_structure_free (stats);
  gst_object_unref (src);

  kill_producer (pid);
  /* the server first: the viewer's souphttpsrc sees its stream end and
   * is stopped with no read in flight.  Stopped in the middle of a read
   * (the other order), the stock element's teardown leaked 32 bytes
   * under ASan in 2 runs of 3 (an object unreferenced from a structure
   * the viewer's pipeline frees, no frame of ours) */
  feed_pipeline_stop (consumer);
  feed_pipeline_stop (viewer);
  g_mutex_clear (&cons.lock);
  g_mutex_clear (&view.lock);
}

GST_END_TEST;

/* Two producer processes; the first dies (SIGKILL: the connection is
 * reset) or hangs (SIGSTOP: the connection stays open and silent, only
 * data-timeout can tell): the consumer moves to the second within
 * data-timeout + one retry. */
static void
failover (gboolean hang)
{
  guint port_a = feed_free_port (), port_b = feed_free_port ();
  GPid a = spawn_producer (port_a), b = spawn_producer (port_b);
  GstElement *c;
  Checker chk = { 0, };
  GstMessage *msg;
  gint64 t0;
  gdouble took;
  gchar *want;

  fail_if (port_a == port_b);
  wait_listening (port_a);
  wait_listening (port_b);
  c = feed_pipeline (TRUE, "flufeedsrc hosts=127.0.0.1:%u,127.0.0.1:%u "
      "data-timeout=1000 retry-initial=200 retry-max=1000 ! "
      "fakesink name=check sync=false", port_a, port_b);
  attach_checker (c, "check", &chk);
  gst_element_set_state (c, GST_STATE_PLAYING);
  msg = feed_wait_message (c, "flufeedsrc-connected", 0, 20 * SEC);
  fail_unless (msg != NULL);
  want = g_strdup_printf ("127.0.0.1:%u", port_a);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "upstream"), want);
  g_free (want);
  gst_message_unref (msg);
  fail_unless (wait_buffers (&chk, 10, 10 * SEC));

  t0 = g_get_monotonic_time ();
  if (hang)
    kill (a, SIGSTOP);
  else
    kill_producer (a);
  msg = feed_wait_message (c, "flufeedsrc-reconnected", 0, 10 * SEC);
  took = (g_get_monotonic_time () - t0) / 1e6;
  fail_unless (msg != NULL);
  want = g_strdup_printf ("127.0.0.1:%u", port_b);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "upstream"), want);
  g_free (want);
  gst_message_unref (msg);
  /* data-timeout (1 s, only needed for a hang) + one retry (0.2 s), with
   * slack for a slow machine */
  fail_unless (took < (hang ? 1.0 : 0.0) + 0.2 + 1.0,
      "failover took %.2f s", took);
  GST_INFO ("failover after %s took %.2f s", hang ? "hang" : "kill", took);
  fail_unless (wait_buffers (&chk, checker_buffers (&chk) + 10, 10 * SEC));
  assert_bus_clean (c);
  fail_if (chk.backwards);

  if (hang)
    kill_producer (a);
  kill_producer (b);
  feed_pipeline_stop (c);
  g_mutex_clear (&chk.lock);
}

GST_START_TEST (test_failover_after_kill)
{
  failover (FALSE);
}

GST_END_TEST;

GST_START_TEST (test_failover_after_hang)
{
  failover (TRUE);
}

GST_END_TEST;

static Suite *
feed_restart_suite (void)
{
  Suite *s = suite_create ("feed_restart");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 180);
  tcase_add_test (tc, test_kill_producer_ten_times);
  tcase_add_test (tc, test_failover_after_kill);
  tcase_add_test (tc, test_failover_after_hang);
  return s;
}

int
main (int argc, char **argv)
{
  SRunner *sr;
  int failed;

  if (argc == 3 && g_str_equal (argv[1], "--producer")) {
    gst_init (NULL, NULL);
    return run_producer (atoi (argv[2]));
  }
  gst_check_init (&argc, &argv);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_assert (self_exe != NULL);
  sr = srunner_create (feed_restart_suite ());
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_free (self_exe);
  return failed != 0;
}
