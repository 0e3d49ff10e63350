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

/* flufeedsrc's read buffer (FluFeedReader, flufeedread.c) over a socket
 * pair: many packets in one write are parsed from one recv; a stream cut
 * at every byte boundary (the second part written only once the reader
 * has taken the first from the socket) parses the same; a payload bigger
 * than the buffer is read straight into its destination and the bytes
 * after it are kept; a caps-sized packet grows the buffer, which shrinks
 * back; a peer that sends half a header and stalls times out, one that
 * closes mid-packet is a closed connection, a cancel is seen.  Then the
 * element: flufeedsrc reads a fake upstream that sends 300 packets in one
 * write, packets a byte at a time and a 1 MiB buffer. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "feedtest.h"
#include "flugdp.h"
#include "flufeedread.h"

/* ---- a stream of packets and its reference ---- */

typedef struct
{
  GByteArray *bytes;            /* the stream */
  GPtrArray *payloads;          /* GBytes of each packet's payload */
} Stream;

static void
stream_init (Stream * st)
{
  st->bytes = g_byte_array_new ();
  st->payloads = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
}

static void
stream_clear (Stream * st)
{
  g_byte_array_unref (st->bytes);
  g_ptr_array_unref (st->payloads);
}

static void
stream_add_packet (Stream * st, GstBuffer * packet)
{
  GstMapInfo map;

  gst_buffer_map (packet, &map, GST_MAP_READ);
  g_byte_array_append (st->bytes, map.data, map.size);
  g_ptr_array_add (st->payloads, g_bytes_new (map.data + FLU_GDP_HEADER_LEN,
          map.size - FLU_GDP_HEADER_LEN));
  gst_buffer_unmap (packet, &map);
  gst_buffer_unref (packet);
}

static void
stream_add_buffer (Stream * st, gsize size, guint seed)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;
  gsize i;

  gst_buffer_map (b, &map, GST_MAP_WRITE);
  for (i = 0; i < size; i++)
    map.data[i] = (guint8) (i * 7 + seed);
  gst_buffer_unmap (b, &map);
  GST_BUFFER_PTS (b) = seed * GST_MSECOND;
  stream_add_packet (st, flu_gdp_pay_buffer (b, FLU_GDP_FLAG_CRC_HEADER |
          FLU_GDP_FLAG_CRC_PAYLOAD));
  gst_buffer_unref (b);
}

static void
stream_add_caps (Stream * st, gsize pad)
{
  gchar *filler = g_strnfill (pad, 'x');
  gchar *str = g_strdup_printf ("application/x-flutest, pad=(string)a%s",
      filler);
  GstCaps *caps = gst_caps_from_string (str);

  stream_add_packet (st, flu_gdp_pay_caps (caps, FLU_GDP_FLAG_CRC_HEADER));
  gst_caps_unref (caps);
  g_free (str);
  g_free (filler);
}

/* ---- a socket pair, the reading end non-blocking ---- */

typedef struct
{
  GSocket *r, *w;
} Pair;

static void
pair_open (Pair * p)
{
  int fds[2];

  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  p->r = g_socket_new_from_fd (fds[0], NULL);
  p->w = g_socket_new_from_fd (fds[1], NULL);
  fail_unless (p->r && p->w);
  g_socket_set_blocking (p->r, FALSE);
  g_socket_set_blocking (p->w, TRUE);
}

static void
pair_close (Pair * p)
{
  g_clear_object (&p->r);
  g_clear_object (&p->w);
}

static void
send_all (GSocket * s, const guint8 * data, gsize len)
{
  while (len > 0) {
    gssize n = g_socket_send (s, (const gchar *) data, len, NULL, NULL);

    fail_unless (n > 0);
    data += n;
    len -= n;
  }
}

/* Waits until the reader has taken every byte written from the socket. */
static void
wait_taken (GSocket * r)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  int queued = 1;

  while (g_get_monotonic_time () < end) {
    fail_unless (ioctl (g_socket_get_fd (r), FIONREAD, &queued) == 0);
    if (queued == 0)
      return;
    g_usleep (100);
  }
  fail ("the reader did not take the first part");
}

/* ---- parsing as flufeedsrc does ---- */

#define DIRECT_MIN 4096

/* Reads the next packet; its payload (new) in *payload.  FALSE with
 * @error set when the reader fails. */
static gboolean
read_packet (FluFeedReader * rd, GSocket * s, guint timeout_ms,
    GCancellable * c, GBytes ** payload, GError ** error)
{
  FluGdpHeader h;
  gsize len;
  guint8 *data;

  if (!flu_feed_reader_need (rd, s, FLU_GDP_HEADER_LEN, timeout_ms, c, error))
    return FALSE;
  fail_unless (flu_gdp_parse_header (flu_feed_reader_peek (rd),
          FLU_GDP_DEFAULT_MAX_PAYLOAD, &h, NULL));
  flu_feed_reader_consume (rd, FLU_GDP_HEADER_LEN);
  len = h.payload_length;
  data = g_malloc (MAX (len, 1));
  if (h.type == FLU_GDP_TYPE_BUFFER && len >= DIRECT_MIN &&
      flu_feed_reader_available (rd) < len) {
    if (!flu_feed_reader_read_into (rd, s, data, len, timeout_ms, c, error)) {
      g_free (data);
      return FALSE;
    }
  } else {
    if (!flu_feed_reader_need (rd, s, len, timeout_ms, c, error)) {
      g_free (data);
      return FALSE;
    }
    if (len)
      memcpy (data, flu_feed_reader_peek (rd), len);
    flu_feed_reader_consume (rd, len);
  }
  fail_unless (flu_gdp_check_payload (&h, data, NULL));
  *payload = g_bytes_new_take (data, len);
  return TRUE;
}

static void
check_all_packets (FluFeedReader * rd, GSocket * s, Stream * st)
{
  guint i;

  for (i = 0; i < st->payloads->len; i++) {
    GBytes *got = NULL;
    GError *err = NULL;

    fail_unless (read_packet (rd, s, 10000, NULL, &got, &err),
        "packet %u: %s", i, err ? err->message : "?");
    fail_unless (g_bytes_equal (got, g_ptr_array_index (st->payloads, i)),
        "packet %u differs", i);
    g_bytes_unref (got);
  }
  fail_unless_equals_int (rd->bytes, st->bytes->len);
  fail_unless_equals_int (flu_feed_reader_available (rd), 0);
}

/* ---- tests ---- */

GST_START_TEST (test_many_packets_one_recv)
{
  Stream st;
  Pair p;
  FluFeedReader rd;
  guint i;

  stream_init (&st);
  stream_add_caps (&st, 10);
  for (i = 0; i < 100; i++)
    stream_add_buffer (&st, g_random_int_range (0, 400), i);
  fail_unless (st.bytes->len < FLU_FEED_READ_SIZE);
  pair_open (&p);
  send_all (p.w, st.bytes->data, st.bytes->len);
  flu_feed_reader_init (&rd);
  check_all_packets (&rd, p.r, &st);
  /* all 101 packets from one wait and one recv */
  fail_unless_equals_int (rd.recvs, 1);
  fail_unless_equals_int (rd.waits, 1);
  flu_feed_reader_clear (&rd);
  pair_close (&p);
  stream_clear (&st);
}

GST_END_TEST;

typedef struct
{
  GSocket *w, *r;
  const guint8 *data;
  gsize len, cut;
} Splitter;

static gpointer
splitter_thread (gpointer data)
{
  Splitter *sp = data;

  send_all (sp->w, sp->data, sp->cut);
  wait_taken (sp->r);
  send_all (sp->w, sp->data + sp->cut, sp->len - sp->cut);
  return NULL;
}

GST_START_TEST (test_split_every_byte)
{
  Stream st;
  gsize cut;

  /* two small packets and a direct-read one: cuts in the headers, the
   * small payloads and the big one */
  stream_init (&st);
  stream_add_buffer (&st, 100, 1);
  stream_add_buffer (&st, 3, 2);
  stream_add_buffer (&st, DIRECT_MIN + 50, 3);
  /* every byte up to 64 bytes into the big payload, then every 61st */
  for (cut = 1; cut < st.bytes->len;
      cut += cut < 2 * FLU_GDP_HEADER_LEN + 103 + FLU_GDP_HEADER_LEN + 64 ?
      1 : 61) {
    Pair p;
    FluFeedReader rd;
    Splitter sp;
    GThread *t;

    pair_open (&p);
    sp.w = p.w;
    sp.r = p.r;
    sp.data = st.bytes->data;
    sp.len = st.bytes->len;
    sp.cut = cut;
    flu_feed_reader_init (&rd);
    t = g_thread_new ("split", splitter_thread, &sp);
    check_all_packets (&rd, p.r, &st);
    g_thread_join (t);
    /* the cut was seen: at least two recvs */
    fail_unless (rd.recvs >= 2, "cut %" G_GSIZE_FORMAT ": %" G_GUINT64_FORMAT
        " recvs", cut, rd.recvs);
    flu_feed_reader_clear (&rd);
    pair_close (&p);
  }
  stream_clear (&st);
}

GST_END_TEST;

typedef struct
{
  GSocket *w;
  const guint8 *data;
  gsize len;
} Dripper;

/* writes in pieces of random sizes */
static gpointer
dripper_thread (gpointer data)
{
  Dripper *d = data;
  gsize off = 0;

  while (off < d->len) {
    gsize n = g_random_int_range (1, 20000);

    n = MIN (d->len - off, n);

    send_all (d->w, d->data + off, n);
    off += n;
    if (g_random_int_range (0, 4) == 0)
      g_usleep (200);
  }
  return NULL;
}

GST_START_TEST (test_bigger_than_buffer)
{
  Stream st;
  Pair p;
  FluFeedReader rd;
  Dripper d;
  GThread *t;
  guint round;

  stream_init (&st);
  stream_add_buffer (&st, 10, 1);
  stream_add_buffer (&st, 5 * FLU_FEED_READ_SIZE + 17, 2);
  stream_add_buffer (&st, 20, 3);
  /* a caps packet bigger than the buffer grows it */
  stream_add_caps (&st, 3 * FLU_FEED_READ_SIZE);
  stream_add_buffer (&st, FLU_FEED_READ_SIZE - 10, 4);
  stream_add_buffer (&st, 2 * FLU_FEED_READ_SIZE, 5);
  stream_add_buffer (&st, 30, 6);
  for (round = 0; round < 5; round++) {
    pair_open (&p);
    d.w = p.w;
    d.data = st.bytes->data;
    d.len = st.bytes->len;
    flu_feed_reader_init (&rd);
    t = g_thread_new ("drip", dripper_thread, &d);
    check_all_packets (&rd, p.r, &st);
    g_thread_join (t);
    /* the grown buffer was given back once empty */
    fail_unless (rd.size <= FLU_FEED_READ_SIZE, "size %" G_GSIZE_FORMAT,
        rd.size);
    flu_feed_reader_clear (&rd);
    pair_close (&p);
  }
  stream_clear (&st);
}

GST_END_TEST;

GST_START_TEST (test_half_header_stalls)
{
  Stream st;
  Pair p;
  FluFeedReader rd;
  GBytes *got = NULL;
  GError *err = NULL;

  stream_init (&st);
  stream_add_buffer (&st, 100, 1);
  pair_open (&p);
  send_all (p.w, st.bytes->data, 30);
  flu_feed_reader_init (&rd);
  fail_if (read_packet (&rd, p.r, 100, NULL, &got, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT),
      "%s", err->message);
  g_clear_error (&err);
  /* the rest comes later: the packet is whole and right */
  send_all (p.w, st.bytes->data + 30, st.bytes->len - 30);
  fail_unless (read_packet (&rd, p.r, 1000, NULL, &got, &err));
  fail_unless (g_bytes_equal (got, g_ptr_array_index (st.payloads, 0)));
  g_bytes_unref (got);
  /* half a payload, then the peer closes */
  send_all (p.w, st.bytes->data, FLU_GDP_HEADER_LEN + 50);
  g_socket_shutdown (p.w, FALSE, TRUE, NULL);
  fail_if (read_packet (&rd, p.r, 1000, NULL, &got, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR,
          G_IO_ERROR_CONNECTION_CLOSED), "%s", err->message);
  g_clear_error (&err);
  flu_feed_reader_clear (&rd);
  pair_close (&p);
  stream_clear (&st);
}

GST_END_TEST;

GST_START_TEST (test_cancel)
{
  Pair p;
  FluFeedReader rd;
  GCancellable *c = g_cancellable_new ();
  GBytes *got = NULL;
  GError *err = NULL;
  guint8 big[DIRECT_MIN];

  pair_open (&p);
  flu_feed_reader_init (&rd);
  g_cancellable_cancel (c);
  fail_if (read_packet (&rd, p.r, 0, c, &got, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error (&err);
  fail_if (flu_feed_reader_read_into (&rd, p.r, big, sizeof (big), 0, c, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error (&err);
  flu_feed_reader_clear (&rd);
  pair_close (&p);
  g_object_unref (c);
}

GST_END_TEST;

/* ---- the element ---- */

typedef struct
{
  GSocket *listen;
  guint port;
  Stream *st;
  gsize byte_from, byte_to;     /* this range is sent a byte at a time */
  GThread *thread;
} Upstream;

static gpointer
upstream_thread (gpointer data)
{
  Upstream *u = data;
  GSocket *s;
  gsize i;

  fail_unless (g_socket_condition_timed_wait (u->listen, G_IO_IN,
          10 * G_USEC_PER_SEC, NULL, NULL));
  s = g_socket_accept (u->listen, NULL, NULL);
  fail_unless (s != NULL);
  g_socket_set_blocking (s, TRUE);
  send_all (s, u->st->bytes->data, u->byte_from);
  for (i = u->byte_from; i < u->byte_to; i++) {
    send_all (s, u->st->bytes->data + i, 1);
    g_usleep (500);
  }
  send_all (s, u->st->bytes->data + u->byte_to, u->st->bytes->len - u->byte_to);
  /* stay up while the reader reads */
  g_usleep (3 * G_USEC_PER_SEC);
  g_socket_close (s, NULL);
  g_object_unref (s);
  return NULL;
}

GST_START_TEST (test_element_chunks)
{
  Stream st;
  Upstream u;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *a = g_inet_socket_address_new (lo, 0), *local;
  GstElement *c;
  guint i, first;
  gsize off;

  stream_init (&st);
  stream_add_caps (&st, 0);
  /* 300 packets, one write */
  for (i = 0; i < 300; i++)
    stream_add_buffer (&st, g_random_int_range (0, 600), i);
  /* then two packets a byte at a time */
  first = st.payloads->len;
  off = st.bytes->len;
  stream_add_buffer (&st, 40, 1000);
  stream_add_buffer (&st, 40, 1001);
  u.byte_from = off;
  u.byte_to = st.bytes->len;
  /* then a buffer of 1 MiB and one after it */
  stream_add_buffer (&st, 1024 * 1024, 1002);
  stream_add_buffer (&st, 10, 1003);
  u.st = &st;
  u.listen = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  fail_unless (g_socket_bind (u.listen, a, TRUE, NULL));
  fail_unless (g_socket_listen (u.listen, NULL));
  local = g_socket_get_local_address (u.listen, NULL);
  u.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  u.thread = g_thread_new ("upstream", upstream_thread, &u);

  c = feed_pipeline (FALSE, "flufeedsrc host=127.0.0.1 port=%u "
      "! appsink name=a sync=false max-buffers=0", u.port);
  for (i = 1; i < st.payloads->len; i++) {
    GstBuffer *buf = feed_pull (c, "a", 10 * GST_SECOND, NULL);
    GBytes *want = g_ptr_array_index (st.payloads, i);
    GstMapInfo map;

    fail_unless (buf != NULL, "buffer %u of %u missing", i,
        st.payloads->len - 1);
    gst_buffer_map (buf, &map, GST_MAP_READ);
    fail_unless_equals_int (map.size, g_bytes_get_size (want));
    /* (an empty payload maps to NULL: no memcmp on it) */
    fail_unless (map.size == 0 || memcmp (map.data,
            g_bytes_get_data (want, NULL), map.size) == 0,
        "buffer %u differs (the %s)", i,
        i >= first ? "bytewise or big part" : "one write");
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
  }
  feed_pipeline_stop (c);
  g_thread_join (u.thread);
  g_socket_close (u.listen, NULL);
  g_object_unref (u.listen);
  g_object_unref (local);
  g_object_unref (a);
  g_object_unref (lo);
  stream_clear (&st);
}

GST_END_TEST;

static Suite *
feed_read_suite (void)
{
  Suite *s = suite_create ("feed_read");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_many_packets_one_recv);
  tcase_add_test (tc, test_split_every_byte);
  tcase_add_test (tc, test_bigger_than_buffer);
  tcase_add_test (tc, test_half_header_stalls);
  tcase_add_test (tc, test_cancel);
  tcase_add_test (tc, test_element_chunks);
  return s;
}

GST_CHECK_MAIN (feed_read);
