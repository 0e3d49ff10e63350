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

/* Input in batches (flu_fanout_sink_set_input_batch (), fluhttpsink's
 * input-batch-time): a buffer at the live edge (pushed after a pause)
 * makes the render wait for the next batch boundary; a backlog (buffers
 * back to back) does not; nor does a live upstream, sync on, or a batch
 * of 0; and a flush ends a wait at once.  Counted by the sink's waits,
 * not timed. */

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/base/gstbasesink.h>

#include "flufanoutsink.h"

#define BATCH (50 * GST_MSECOND)

static GstHarness *
harness (gboolean live, gboolean sync, guint64 batch)
{
  GstElement *sink = flu_fanout_sink_new (NULL, NULL, NULL);
  GstHarness *h;

  flu_fanout_sink_set_input_batch (sink, batch);
  h = gst_harness_new_with_element (sink, "sink", NULL);
  /* after: the harness turns sync off on the sinks it gets */
  gst_base_sink_set_sync (GST_BASE_SINK (sink), sync);
  gst_harness_set_live (h, live);
  gst_harness_set_src_caps_str (h, "application/octet-stream");
  return h;
}

static void
push (GstHarness * h)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 100, NULL);

  GST_BUFFER_PTS (buf) = GST_CLOCK_TIME_NONE;
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
}

/* @n buffers, each after a pause: at the live edge */
static void
push_paced (GstHarness * h, gint n)
{
  gint i;

  for (i = 0; i < n; i++) {
    g_usleep (5000);
    push (h);
  }
}

static guint64
waits (GstHarness * h)
{
  return flu_fanout_sink_get_input_waits (h->element);
}

GST_START_TEST (test_live_edge_waits)
{
  GstHarness *h = harness (FALSE, FALSE, BATCH);
  guint64 w;
  gint i;

  push_paced (h, 5);
  fail_unless_equals_uint64 (waits (h), 5);
  /* a backlog: back to back after the wait, no more waits (the first
   * may still count as the live edge) */
  w = waits (h);
  for (i = 0; i < 20; i++)
    push (h);
  fail_unless (waits (h) <= w + 1, "%" G_GUINT64_FORMAT " waits for 20",
      waits (h) - w);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_no_wait)
{
  /* 0: a live upstream; 1: sync on; 2: no batch */
  GstHarness *h = harness (__i__ == 0, __i__ == 1, __i__ == 2 ? 0 : BATCH);

  push_paced (h, 5);
  fail_unless_equals_uint64 (waits (h), 0);
  gst_harness_teardown (h);
}

GST_END_TEST;

static gpointer
push_one (gpointer data)
{
  g_usleep (5000);
  push (data);
  return NULL;
}

GST_START_TEST (test_flush_ends_wait)
{
  /* a batch far longer than the test's timeout: only the flush can end
   * this wait */
  GstHarness *h = harness (FALSE, FALSE, 3600 * GST_SECOND);
  GThread *t;

  /* the wait begins after a first push has set the render's pace */
  t = g_thread_new ("pusher", push_one, h);
  while (waits (h) == 0)
    g_usleep (1000);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  g_thread_join (t);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_harness_teardown (h);
}

GST_END_TEST;

/* PLAYING -> PAUSED ends the wait (basesink unlocks the sink, then takes
 * the preroll lock the waiting render holds: an hour otherwise), and
 * once playing again the batches go on */
GST_START_TEST (test_pause_ends_wait)
{
  GstHarness *h = harness (FALSE, FALSE, 3600 * GST_SECOND);
  GThread *t;
  guint64 w;

  t = g_thread_new ("pusher", push_one, h);
  while (waits (h) == 0)
    g_usleep (1000);
  gst_element_set_state (h->element, GST_STATE_PAUSED);
  g_thread_join (t);
  fail_unless_equals_int (gst_element_set_state (h->element,
          GST_STATE_PLAYING), GST_STATE_CHANGE_SUCCESS);
  flu_fanout_sink_set_input_batch (h->element, BATCH);
  w = waits (h);
  push_paced (h, 3);
  fail_unless_equals_uint64 (waits (h), w + 3);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
flufanoutbatch_suite (void)
{
  Suite *s = suite_create ("flufanoutbatch");
  TCase *tc = tcase_create ("batch");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_live_edge_waits);
  tcase_add_loop_test (tc, test_no_wait, 0, 3);
  tcase_add_test (tc, test_flush_ends_wait);
  tcase_add_test (tc, test_pause_ends_wait);
  return s;
}

GST_CHECK_MAIN (flufanoutbatch);
