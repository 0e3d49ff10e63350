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

/* flubusbatch.c: the first message after a quiet period goes out at
 * once, the ones that follow within the period together at its end (or
 * as soon as FLU_BUS_BATCH_MAX wait), all of them in order, from one
 * thread or several; stop posts what waits; without a context nothing
 * waits. */

#include <gst/check/gstcheck.h>

#include "flubusbatch.h"

typedef struct
{
  GstElement *owner;
  GstBus *bus;
  GMainContext *context;
  FluBusBatch *batch;
} Fixture;

static void
fixture_init (Fixture * x, gboolean with_context)
{
  x->owner = gst_element_factory_make ("fakesink", NULL);
  x->bus = gst_bus_new ();
  gst_element_set_bus (x->owner, x->bus);
  x->context = with_context ? g_main_context_new () : NULL;
  /* long: the posts below that must wait all come well inside it */
  x->batch = flu_bus_batch_new (x->owner, 2000);
  if (x->context)
    flu_bus_batch_start (x->batch, x->context);
}

static void
fixture_clear (Fixture * x)
{
  flu_bus_batch_free (x->batch);
  gst_bus_set_flushing (x->bus, TRUE);
  gst_object_unref (x->bus);
  gst_object_unref (x->owner);
  if (x->context)
    g_main_context_unref (x->context);
}

static void
post (Fixture * x, gint n)
{
  flu_bus_batch_post (x->batch, gst_structure_new ("batched", "n", G_TYPE_INT,
          n, NULL));
}

/* the messages on the bus now, in order: their "n" in @seen */
static guint
take (Fixture * x, GArray * seen)
{
  GstMessage *m;
  guint got = 0;

  while ((m = gst_bus_pop (x->bus))) {
    gint n;

    fail_unless (gst_structure_get_int (gst_message_get_structure (m), "n",
            &n));
    g_array_append_val (seen, n);
    gst_message_unref (m);
    got++;
  }
  return got;
}

GST_START_TEST (test_burst_waits_for_period)
{
  Fixture x;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (gint));
  gint64 deadline;
  gint i;

  fixture_init (&x, TRUE);
  /* quiet before: the first goes out at once */
  post (&x, 0);
  fail_unless_equals_int (take (&x, seen), 1);
  /* the next ones wait for the end of the period ... */
  for (i = 1; i <= 20; i++)
    post (&x, i);
  fail_unless_equals_int (take (&x, seen), 0);
  /* ... and go out together when its timer runs */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (seen->len < 21 && g_get_monotonic_time () < deadline) {
    g_main_context_iteration (x.context, TRUE);
    take (&x, seen);
  }
  fail_unless_equals_int (seen->len, 21);
  for (i = 0; i <= 20; i++)
    fail_unless_equals_int (g_array_index (seen, gint, i), i);

  /* a batch that fills goes out at once, without its timer: what waits
   * stays bounded however fast messages come */
  for (i = 21; i < 21 + FLU_BUS_BATCH_MAX - 1; i++)
    post (&x, i);
  fail_unless_equals_int (take (&x, seen), 0);
  post (&x, i++);
  fail_unless_equals_int (take (&x, seen), FLU_BUS_BATCH_MAX);
  for (i = 0; i < (gint) seen->len; i++)
    fail_unless_equals_int (g_array_index (seen, gint, i), i);
  g_array_unref (seen);
  fixture_clear (&x);
}

GST_END_TEST;

GST_START_TEST (test_stop_posts_waiting)
{
  Fixture x;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (gint));

  fixture_init (&x, TRUE);
  post (&x, 0);
  post (&x, 1);
  post (&x, 2);
  fail_unless_equals_int (take (&x, seen), 1);
  /* no iteration of the context: stop itself posts them */
  flu_bus_batch_stop (x.batch);
  fail_unless_equals_int (take (&x, seen), 2);
  /* stopped: nothing waits any more */
  post (&x, 3);
  post (&x, 4);
  fail_unless_equals_int (take (&x, seen), 2);
  fail_unless_equals_int (g_array_index (seen, gint, 4), 4);
  g_array_unref (seen);
  fixture_clear (&x);
}

GST_END_TEST;

GST_START_TEST (test_no_context_no_wait)
{
  Fixture x;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (gint));
  gint i;

  fixture_init (&x, FALSE);
  for (i = 0; i < 5; i++) {
    post (&x, i);
    fail_unless_equals_int (take (&x, seen), 1);
  }
  g_array_unref (seen);
  fixture_clear (&x);
}

GST_END_TEST;

/* four threads post 500 each while the context runs: every message
 * comes out once, and each thread's in the order it posted them */
#define THREADS 4
#define PER_THREAD 500

static Fixture *shared;
static gint poster_ids;

static gpointer
poster (gpointer data)
{
  gint id = g_atomic_int_add (&poster_ids, 1), i;

  for (i = 0; i < PER_THREAD; i++) {
    post (shared, id * PER_THREAD + i);
    if (i % 50 == 0)
      g_usleep (1000);
  }
  return NULL;
}

GST_START_TEST (test_threads_keep_order)
{
  Fixture x;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (gint));
  GThread *t[THREADS];
  gint last[THREADS], i;
  gint64 deadline;

  fixture_init (&x, TRUE);
  shared = &x;
  poster_ids = 0;
  for (i = 0; i < THREADS; i++)
    t[i] = g_thread_new ("poster", poster, NULL);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (seen->len < THREADS * PER_THREAD && g_get_monotonic_time () < deadline) {
    g_main_context_iteration (x.context, FALSE);
    take (&x, seen);
    g_usleep (1000);
  }
  for (i = 0; i < THREADS; i++)
    g_thread_join (t[i]);
  take (&x, seen);
  fail_unless_equals_int (seen->len, THREADS * PER_THREAD);
  for (i = 0; i < THREADS; i++)
    last[i] = -1;
  for (i = 0; i < (gint) seen->len; i++) {
    gint n = g_array_index (seen, gint, i);

    fail_unless (n % PER_THREAD > last[n / PER_THREAD], "%d after %d", n,
        last[n / PER_THREAD]);
    last[n / PER_THREAD] = n % PER_THREAD;
  }
  g_array_unref (seen);
  fixture_clear (&x);
}

GST_END_TEST;

static Suite *
flubusbatch_suite (void)
{
  Suite *s = suite_create ("flubusbatch");
  TCase *tc = tcase_create ("batch");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_burst_waits_for_period);
  tcase_add_test (tc, test_stop_posts_waiting);
  tcase_add_test (tc, test_no_context_no_wait);
  tcase_add_test (tc, test_threads_keep_order);
  return s;
}

GST_CHECK_MAIN (flubusbatch);
