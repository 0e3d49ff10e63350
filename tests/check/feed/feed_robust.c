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

/* flufeedsrc against a hostile or broken upstream: random bytes, a
 * truncated packet, an absurd length field, a bad checksum, silence.  Each
 * must give a clear warning and a reconnection, never a crash, an error
 * downstream or a huge allocation.  The upstream is a fake server in a
 * thread of this test. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "feedtest.h"
#include "flugdp.h"

typedef enum
{
  BAD_RANDOM,
  BAD_TRUNCATED,
  BAD_HUGE_LENGTH,
  BAD_CRC,
  BAD_SILENT,
  BAD_BINARY_CAPS
} Badness;

typedef struct
{
  GSocket *listen;
  guint port;
  Badness badness;
  gint connections;
  gboolean stop;
  GThread *thread;
} FakeUpstream;

static void
send_buffer (GSocket * s, GstBuffer * packet)
{
  GstMapInfo map;

  gst_buffer_map (packet, &map, GST_MAP_READ);
  g_socket_send (s, (const gchar *) map.data, map.size, NULL, NULL);
  gst_buffer_unmap (packet, &map);
  gst_buffer_unref (packet);
}

/* A valid start: caps and a few buffers. */
static void
send_good_prefix (GSocket * s)
{
  GstCaps *caps = gst_caps_from_string ("application/x-flutest");
  guint i;

  send_buffer (s, flu_gdp_pay_caps (caps, FLU_GDP_FLAG_CRC_HEADER));
  gst_caps_unref (caps);
  /* an empty buffer, with both checksums, is valid too */
  {
    GstBuffer *empty = gst_buffer_new ();

    send_buffer (s, flu_gdp_pay_buffer (empty, FLU_GDP_FLAG_CRC_HEADER |
            FLU_GDP_FLAG_CRC_PAYLOAD));
    gst_buffer_unref (empty);
  }
  for (i = 0; i < 3; i++) {
    GstBuffer *b = gst_buffer_new_allocate (NULL, 100, NULL);

    gst_buffer_memset (b, 0, i, 100);
    GST_BUFFER_PTS (b) = i * 40 * GST_MSECOND;
    send_buffer (s, flu_gdp_pay_buffer (b, FLU_GDP_FLAG_CRC_HEADER));
    gst_buffer_unref (b);
  }
}

static void
send_bad (GSocket * s, Badness badness)
{
  guint8 h[FLU_GDP_HEADER_LEN + 64];
  guint i;

  memset (h, 0, sizeof (h));
  h[0] = 1;
  h[2] = FLU_GDP_FLAG_CRC_HEADER;
  flu_gdp_write_be (h + 4, FLU_GDP_TYPE_BUFFER, 2);
  switch (badness) {
    case BAD_RANDOM:
      for (i = 0; i < sizeof (h); i++)
        h[i] = g_random_int_range (0, 256);
      g_socket_send (s, (const gchar *) h, sizeof (h), NULL, NULL);
      break;
    case BAD_TRUNCATED:
      flu_gdp_write_be (h + 6, 1000, 4);
      flu_gdp_write_be (h + 58, flu_gdp_crc (h, 58), 2);
      /* header and 20 of the 1000 bytes, then the connection ends */
      g_socket_send (s, (const gchar *) h, FLU_GDP_HEADER_LEN + 20, NULL, NULL);
      g_socket_shutdown (s, FALSE, TRUE, NULL);
      break;
    case BAD_HUGE_LENGTH:
      flu_gdp_write_be (h + 6, 0xfffffff0, 4);
      flu_gdp_write_be (h + 58, flu_gdp_crc (h, 58), 2);
      g_socket_send (s, (const gchar *) h, FLU_GDP_HEADER_LEN, NULL, NULL);
      break;
    case BAD_CRC:
      flu_gdp_write_be (h + 6, 10, 4);
      flu_gdp_write_be (h + 58, flu_gdp_crc (h, 58) ^ 0x55, 2);
      g_socket_send (s, (const gchar *) h, FLU_GDP_HEADER_LEN + 10, NULL, NULL);
      break;
    case BAD_BINARY_CAPS:
      flu_gdp_write_be (h + 4, FLU_GDP_TYPE_CAPS, 2);
      flu_gdp_write_be (h + 6, 64, 4);
      flu_gdp_write_be (h + 58, flu_gdp_crc (h, 58), 2);
      for (i = FLU_GDP_HEADER_LEN; i < sizeof (h); i++)
        h[i] = 0x80 | i;
      g_socket_send (s, (const gchar *) h, sizeof (h), NULL, NULL);
      break;
    case BAD_SILENT:
      break;
  }
}

static gpointer
fake_upstream_thread (gpointer data)
{
  FakeUpstream *f = data;

  while (!g_atomic_int_get (&f->stop)) {
    GSocket *s;

    if (!g_socket_condition_timed_wait (f->listen, G_IO_IN, 100000, NULL, NULL))
      continue;
    s = g_socket_accept (f->listen, NULL, NULL);
    if (!s)
      continue;
    g_socket_set_blocking (s, TRUE);
    g_atomic_int_inc (&f->connections);
    /* every connection is good at first, then goes bad */
    send_good_prefix (s);
    send_bad (s, f->badness);
    /* keep it open a while: the reader must notice by itself */
    g_usleep (f->badness == BAD_SILENT ? 1000000 : 300000);
    g_socket_close (s, NULL);
    g_object_unref (s);
  }
  return NULL;
}

static void
fake_upstream_start (FakeUpstream * f, Badness badness)
{
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *a = g_inet_socket_address_new (lo, 0), *local;

  memset (f, 0, sizeof (*f));
  f->badness = badness;
  f->listen = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  fail_unless (g_socket_bind (f->listen, a, TRUE, NULL));
  fail_unless (g_socket_listen (f->listen, NULL));
  local = g_socket_get_local_address (f->listen, NULL);
  f->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_object_unref (local);
  g_object_unref (a);
  g_object_unref (lo);
  f->thread = g_thread_new ("fake-upstream", fake_upstream_thread, f);
}

static void
fake_upstream_stop (FakeUpstream * f)
{
  g_atomic_int_set (&f->stop, TRUE);
  g_thread_join (f->thread);
  g_socket_close (f->listen, NULL);
  g_object_unref (f->listen);
}

static void
check_badness (Badness badness, gboolean expect_warning)
{
  FakeUpstream f;
  GstElement *c;
  GstMessage *msg;
  GstBuffer *buf;
  gint64 end;

  fake_upstream_start (&f, badness);
  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "data-timeout=200 retry-initial=50 retry-max=100 "
      "max-packet-size=1048576 ! appsink name=a sync=false", f.port);
  if (expect_warning) {
    msg = feed_wait_message (c, NULL, GST_MESSAGE_WARNING, 10 * GST_SECOND);
    fail_unless (msg != NULL, "no warning for bad data %d", badness);
    gst_message_unref (msg);
  }
  msg = feed_wait_message (c, "flufeedsrc-disconnected", 0, 10 * GST_SECOND);
  fail_unless (msg != NULL);
  GST_INFO ("reason: %s", gst_structure_get_string
      (gst_message_get_structure (msg), "reason"));
  if (badness == BAD_SILENT)
    fail_unless (strstr (gst_structure_get_string (gst_message_get_structure
                (msg), "reason"), "data-timeout") != NULL);
  gst_message_unref (msg);
  /* it comes back and reads the good part again, and again */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_atomic_int_get (&f.connections) < 3 && g_get_monotonic_time () < end)
    g_usleep (20000);
  fail_unless (g_atomic_int_get (&f.connections) >= 3,
      "only %d connections", g_atomic_int_get (&f.connections));
  buf = feed_pull (c, "a", 5 * GST_SECOND, NULL);
  fail_unless (buf != NULL);
  fail_unless_equals_int (gst_buffer_get_size (buf), 0);
  gst_buffer_unref (buf);
  buf = feed_pull (c, "a", 5 * GST_SECOND, NULL);
  fail_unless (buf != NULL);
  fail_unless_equals_int (gst_buffer_get_size (buf), 100);
  gst_buffer_unref (buf);
  /* no error on the bus */
  while ((msg = feed_wait_message (c, NULL, GST_MESSAGE_ERROR, 0))) {
    fail ("error after bad data");
    gst_message_unref (msg);
  }
  feed_pipeline_stop (c);
  fake_upstream_stop (&f);
}

GST_START_TEST (test_random_bytes)
{
  check_badness (BAD_RANDOM, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_truncated_packet)
{
  /* a connection that ends mid-packet is a loss, not garbage */
  check_badness (BAD_TRUNCATED, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_huge_length)
{
  check_badness (BAD_HUGE_LENGTH, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_bad_crc)
{
  check_badness (BAD_CRC, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_binary_caps)
{
  check_badness (BAD_BINARY_CAPS, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_silent_upstream)
{
  check_badness (BAD_SILENT, FALSE);
}

GST_END_TEST;

static Suite *
feed_robust_suite (void)
{
  Suite *s = suite_create ("feed_robust");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_random_bytes);
  tcase_add_test (tc, test_truncated_packet);
  tcase_add_test (tc, test_huge_length);
  tcase_add_test (tc, test_bad_crc);
  tcase_add_test (tc, test_binary_caps);
  tcase_add_test (tc, test_silent_upstream);
  return s;
}

GST_CHECK_MAIN (feed_robust);
