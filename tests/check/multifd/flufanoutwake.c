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

/* When the streaming thread wakes the engine's writer (its eventfd, counted
 * in FluFanoutCounters.wakeups): with coalesce-time set, data that arrives
 * while the writer sleeps until the end of its coalescing window does not
 * wake it (it passes at the window's end on its own), and still reaches
 * the client; data after a window without data is delivered too.  Both
 * with small buffers merged into chunks (fluhttpsink) and without.  A
 * client that arrives inside a window gets its first bytes at once, and
 * the others still get theirs at the window's end only. */

#include <gst/check/gstcheck.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flufanout.h"

#define COALESCE (200 * GST_MSECOND)

static GstBuffer *
filled_buffer (gsize size, guint8 byte)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);

  gst_buffer_memset (buf, 0, byte, size);
  return buf;
}

static void
push (FluFanout * f, gsize size, guint8 byte)
{
  GstBuffer *buf = filled_buffer (size, byte);

  flu_fanout_push (f, buf);
  gst_buffer_unref (buf);
}

/* reads exactly @want bytes of @byte (fails after 10 s without them) */
static void
read_bytes (gint fd, gsize want, guint8 byte)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gsize got = 0;

  while (got < want) {
    guint8 buf[4096];
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t n, i;

    fail_unless (g_get_monotonic_time () < deadline, "got %" G_GSIZE_FORMAT
        " of %" G_GSIZE_FORMAT, got, want);
    if (poll (&p, 1, 200) <= 0)
      continue;
    n = read (fd, buf, MIN (sizeof (buf), want - got));
    fail_unless (n > 0);
    for (i = 0; i < n; i++)
      fail_unless_equals_int (buf[i], byte);
    got += n;
  }
}

static guint64
wakeups (FluFanout * f)
{
  FluFanoutCounters n;

  flu_fanout_get_counters (f, &n);
  return n.wakeups;
}

GST_START_TEST (test_no_wakeup_inside_window)
{
  FluFanout *f = flu_fanout_new (NULL, NULL, NULL);
  FluFanoutConfig config;
  gint fds[2];
  guint64 w;

  flu_fanout_config_init (&config);
  config.sync_method = FLU_SYNC_METHOD_LATEST;
  config.coalesce_time = COALESCE;
  config.merge_small = __i__ == 1;
  flu_fanout_set_config (f, &config);
  fail_unless (flu_fanout_start (f, NULL));
  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  fail_unless_equals_int (flu_fanout_add (f, fds[0], FLU_SYNC_METHOD_LATEST,
          GST_FORMAT_UNDEFINED, -1, GST_FORMAT_UNDEFINED, -1),
      FLU_FANOUT_ADD_OK);

  /* the first buffer positions the client: news, the writer is woken and
   * passes at once */
  w = wakeups (f);
  push (f, 1000, 'a');
  fail_unless (wakeups (f) > w);
  read_bytes (fds[1], 1000, 'a');

  /* the pass that wrote it armed the end of the next window: the next
   * buffers wake nobody, and are written when the window ends */
  w = wakeups (f);
  push (f, 700, 'b');
  push (f, 300, 'b');
  fail_unless_equals_uint64 (wakeups (f), w);
  read_bytes (fds[1], 1000, 'b');

  /* a window with no data disarms it: the next buffer is delivered (by
   * the wake-up it now needs) */
  g_usleep (3 * COALESCE / GST_USECOND);
  push (f, 500, 'c');
  read_bytes (fds[1], 500, 'c');

  flu_fanout_stop (f);
  flu_fanout_free (f);
  close (fds[1]);
}

GST_END_TEST;

/* no byte waiting in @fd now */
static gboolean
nothing_to_read (gint fd)
{
  struct pollfd p = { fd, POLLIN, 0 };

  return poll (&p, 1, 0) == 0;
}

GST_START_TEST (test_arrival_inside_window)
{
  FluFanout *f = flu_fanout_new (NULL, NULL, NULL);
  FluFanoutConfig config;
  gint a[2], b[2];

  flu_fanout_config_init (&config);
  config.sync_method = FLU_SYNC_METHOD_LATEST;
  /* long: every step below happens well inside one window */
  config.coalesce_time = 3 * GST_SECOND;
  config.start_on_add = TRUE;
  config.merge_small = __i__ == 1;
  flu_fanout_set_config (f, &config);
  fail_unless (flu_fanout_start (f, NULL));
  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, a) == 0);
  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, b) == 0);
  fail_unless_equals_int (flu_fanout_add (f, a[0], FLU_SYNC_METHOD_LATEST,
          GST_FORMAT_UNDEFINED, -1, GST_FORMAT_UNDEFINED, -1),
      FLU_FANOUT_ADD_OK);
  push (f, 1000, 'a');
  read_bytes (a[1], 1000, 'a');

  /* A is served: its next bytes wait for the end of the window that
   * pass opened.  B arrives with a buffer queued and gets it now */
  push (f, 600, 'b');
  fail_unless_equals_int (flu_fanout_add (f, b[0], FLU_SYNC_METHOD_LATEST,
          GST_FORMAT_UNDEFINED, -1, GST_FORMAT_UNDEFINED, -1),
      FLU_FANOUT_ADD_OK);
  if (__i__ == 1)
    /* merged: the buffer is in the open chunk, not yet in the ring, so B
     * starts at the ring's newest entry before it */
    read_bytes (b[1], 1000, 'a');
  read_bytes (b[1], 600, 'b');
  /* ... and A nothing before the window ends: the arrival's pass wrote
   * to the newcomer only */
  fail_unless (nothing_to_read (a[1]));
  read_bytes (a[1], 600, 'b');

  flu_fanout_stop (f);
  flu_fanout_free (f);
  close (a[1]);
  close (b[1]);
}

GST_END_TEST;

static Suite *
flufanoutwake_suite (void)
{
  Suite *s = suite_create ("flufanoutwake");
  TCase *tc = tcase_create ("wake");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  /* 0: every buffer a ring entry (flumultifdsink), 1: merged (fluhttpsink) */
  tcase_add_loop_test (tc, test_no_wakeup_inside_window, 0, 2);
  tcase_add_loop_test (tc, test_arrival_inside_window, 0, 2);
  return s;
}

GST_CHECK_MAIN (flufanoutwake);
