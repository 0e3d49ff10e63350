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

/* Feed ports under attack, with a secret set: peers that drip their
 * handshake a byte at a time (one deadline for the whole handshake, and
 * honest peers served meanwhile), and a flood of connections that runs
 * the process out of descriptors (accepting pauses; no busy loop, no
 * abort).  Loopback ports chosen at run time; every wait is bounded, and
 * the CPU figure is checked with a wide margin. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "feedtest.h"

#define SEC GST_SECOND
#define JPEG_PRODUCER "videotestsrc is-live=true ! video/x-raw,width=64," \
  "height=48,framerate=25/1 ! jpegenc ! "

static gint
connect_to (guint port)
{
  struct sockaddr_in sa = { 0 };
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &sa, sizeof (sa)) < 0) {
    close (fd);
    return -1;
  }
  return fd;
}

/* Peers that send their handshake a byte every @interval_ms, for ever,
 * each noting when the other end closed. */
typedef struct
{
  gint fds[16];
  gint64 opened[16];
  gint64 closed[16];            /* 0 = still open */
  guint n;
  guint interval_ms;
  gint stop;
  GThread *thread;
} Drippers;

static gpointer
drip (gpointer data)
{
  Drippers *d = data;

  while (!g_atomic_int_get (&d->stop)) {
    guint i;

    for (i = 0; i < d->n; i++) {
      gchar c = 'F', buf[64];
      ssize_t r;

      if (d->closed[i])
        continue;
      /* the challenge is read and dropped; a byte of "answer" goes out */
      r = recv (d->fds[i], buf, sizeof (buf), MSG_DONTWAIT);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
          send (d->fds[i], &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        d->closed[i] = g_get_monotonic_time ();
    }
    g_usleep (d->interval_ms * 1000);
  }
  return NULL;
}

static Drippers *
drippers_start (guint port, guint n, guint interval_ms)
{
  Drippers *d = g_new0 (Drippers, 1);
  guint i;

  fail_unless (n <= G_N_ELEMENTS (d->fds));
  d->n = n;
  d->interval_ms = interval_ms;
  for (i = 0; i < n; i++) {
    d->fds[i] = connect_to (port);
    fail_unless (d->fds[i] >= 0);
    d->opened[i] = g_get_monotonic_time ();
  }
  d->thread = g_thread_new ("drip", drip, d);
  return d;
}

static void
drippers_stop (Drippers * d)
{
  guint i;

  g_atomic_int_set (&d->stop, 1);
  g_thread_join (d->thread);
  for (i = 0; i < d->n; i++)
    close (d->fds[i]);
  g_free (d);
}

static void
assert_jpeg_within (GstElement * consumer, GstClockTime timeout)
{
  GstBuffer *buf = feed_pull (consumer, "a", timeout, NULL);

  fail_unless (buf != NULL, "no data from the feed within %" GST_TIME_FORMAT,
      GST_TIME_ARGS (timeout));
  gst_buffer_unref (buf);
}

/* A reader whose handshake took a byte every 4 s held a handshake thread
 * for ~72 x 5 s (the limit was per read): eight of them kept every new
 * reader out.  Now the handshake has one deadline, and runs beside the
 * others. */
GST_START_TEST (test_dripped_handshakes_sink)
{
  GstElement *p = feed_pipeline (FALSE, JPEG_PRODUCER
      "flufeedsink name=s host=127.0.0.1 port=0 secret=s3cret");
  guint port = feed_current_port (p, "s"), i;
  Drippers *d = drippers_start (port, 12, 500);
  gint64 deadline;
  GstElement *c;

  /* an honest reader gets in at once, drippers or not */
  g_usleep (200000);
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "secret=s3cret ! appsink name=a sync=false", port);
  assert_jpeg_within (c, 10 * SEC);
  /* every dripper is dropped at its deadline (5 s; margin for a loaded
   * machine), though it never stopped sending */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (i = 0; i < d->n; i++) {
    while (!d->closed[i] && g_get_monotonic_time () < deadline)
      g_usleep (100000);
    fail_unless (d->closed[i] != 0, "dripper %u still connected after %"
        G_GINT64_FORMAT " s", i, (g_get_monotonic_time () - d->opened[i]) /
        G_USEC_PER_SEC);
    fail_unless (d->closed[i] - d->opened[i] < 15 * G_USEC_PER_SEC,
        "dripper %u held on for %" G_GINT64_FORMAT " ms", i,
        (d->closed[i] - d->opened[i]) / 1000);
  }
  drippers_stop (d);
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

/* One dripping peer kept the real pusher out of flufeedsrc mode=server
 * for its whole life. */
GST_START_TEST (test_dripped_handshakes_src)
{
  guint port = feed_free_port ();
  GstElement *c = feed_pipeline (FALSE, "flufeedsrc mode=server "
      "host=127.0.0.1 port=%u secret=venue ! appsink name=a sync=false",
      port);
  Drippers *d = drippers_start (port, 4, 500);
  GstElement *p;

  g_usleep (200000);
  p = feed_pipeline (FALSE, JPEG_PRODUCER "flufeedsink mode=client "
      "host=127.0.0.1 port=%u secret=venue retry-initial=100 retry-max=500",
      port);
  assert_jpeg_within (c, 10 * SEC);
  drippers_stop (d);
  feed_pipeline_stop (p);
  feed_pipeline_stop (c);
}

GST_END_TEST;

static gdouble
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Out of descriptors, flufeedsink with a secret spun on the readable
 * listening socket (100% of a core), and a handshake thread then aborted
 * the process making a wakeup fd for its cancellable.  (Each check test
 * runs in a child process: the limit stays there.) */
GST_START_TEST (test_out_of_descriptors_sink)
{
  GstElement *p = feed_pipeline (FALSE, JPEG_PRODUCER
      "flufeedsink name=s host=127.0.0.1 port=0 secret=s3cret");
  guint port = feed_current_port (p, "s");
  struct rlimit old, low;
  gint fds[400], n = 0, i;
  gdouble cpu;
  GstElement *c;

  /* the pipelines in this process are running (their pools and polls
   * made) before descriptors run out */
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "secret=s3cret ! appsink name=a sync=false", port);
  assert_jpeg_within (c, 10 * SEC);
  fail_unless (getrlimit (RLIMIT_NOFILE, &old) == 0);
  /* room for what is open now and a few connections, no more */
  low = old;
  low.rlim_cur = dup (0) + 24;
  close ((gint) low.rlim_cur - 24);
  fail_unless (setrlimit (RLIMIT_NOFILE, &low) == 0);
  /* connect until the process has no descriptor left: the rest of the
   * flood waits in the listen backlog, which accept() cannot take */
  while (n < (gint) G_N_ELEMENTS (fds)) {
    gint fd = connect_to (port);

    if (fd < 0)
      break;
    fds[n++] = fd;
  }
  fail_unless (n > 0 && n < (gint) G_N_ELEMENTS (fds), "%d connections", n);
  /* and a few that only the backlog holds */
  for (i = 0; i < 8 && n > 0; i++) {
    close (fds[--n]);
    fds[n] = connect_to (port);
    if (fds[n] >= 0)
      n++;
  }
  /* the server thread must not spin meanwhile: a busy loop burns ~2 s of
   * CPU in 2 s; the live pipeline and the handshakes take far less */
  cpu = cpu_seconds ();
  g_usleep (2 * G_USEC_PER_SEC);
  cpu = cpu_seconds () - cpu;
  fail_unless (cpu < 1.0, "%.2f s of CPU in 2 s while out of descriptors", cpu);
  /* the flood goes, descriptors come back: honest readers are served */
  for (i = 0; i < n; i++)
    close (fds[i]);
  fail_unless (setrlimit (RLIMIT_NOFILE, &old) == 0);
  feed_pipeline_stop (c);
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "secret=s3cret ! appsink name=a sync=false", port);
  assert_jpeg_within (c, 15 * SEC);
  feed_pipeline_stop (c);
  feed_pipeline_stop (p);
}

GST_END_TEST;

static Suite *
feed_hostile_suite (void)
{
  Suite *s = suite_create ("feed_hostile");
  TCase *tc = tcase_create ("hostile");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_dripped_handshakes_sink);
  tcase_add_test (tc, test_dripped_handshakes_src);
  tcase_add_test (tc, test_out_of_descriptors_sink);
  return s;
}

GST_CHECK_MAIN (feed_hostile);
