/* gst-flumotion
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Unit tests of the fan-out engine's policy (flufanoutpolicy.c): the
 * ring, header sets, find_limits, decide_position, lag and recovery and
 * what the ring keeps.  No element, no thread, no socket. */

#include <gst/check/gstcheck.h>

#include "flufanoutpolicy.h"

#define MS (GST_MSECOND)


/* The engine's interleave (flu_fanout_add_interleaved()), byte for byte,
 * through a socket that takes little at a time: writes stop short inside
 * blocks and between them.  Blocks are much larger than the interval, so
 * most of what is written is blocks; every block the callback hands out
 * arrives whole and in order, the filler fills the other boundaries, and
 * the data between is the stream, in order and complete.  A plain client
 * of the same engine gets the stream alone. */

#include <gst/check/gstcheck.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flufanout.h"

#define INTERVAL 100
#define BLOCK 3000
#define N_BUFFERS 60

static guint32 fetched;

/* byte by byte: the positions are not aligned */
static void
put32 (guint8 * d, guint32 v)
{
  d[0] = v >> 24;
  d[1] = v >> 16;
  d[2] = v >> 8;
  d[3] = v;
}

static guint32
get32 (const guint8 * d)
{
  return ((guint32) d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3];
}

static GBytes *
next_block (gpointer user_data)
{
  guint8 *d = g_malloc (BLOCK);

  fail_unless (user_data == &fetched);
  d[0] = 'B';
  put32 (d + 1, fetched);
  memset (d + 5, fetched & 0xff, BLOCK - 5);
  fetched++;
  return g_bytes_new_take (d, BLOCK);
}

static GstBuffer *
counter_buffer (guint32 * word, gsize size)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;
  gsize i;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < size; i += 4)
    put32 (map.data + i, (*word)++);
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* reads in small bites until @want stream bytes (plain: all bytes) */
static GByteArray *
read_stream (gint fd, gsize want, gboolean framed, guint32 * blocks,
    guint * fillers)
{
  GByteArray *data = g_byte_array_new (), *all = g_byte_array_new ();
  gsize pos = 0, block_at = 0;  /* stream offset of the last block */
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  *blocks = 0;
  *fillers = 0;
  while (data->len < want) {
    guint8 buf[700];
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t n;

    fail_unless (g_get_monotonic_time () < deadline, "got %u of %"
        G_GSIZE_FORMAT, data->len, want);
    if (poll (&p, 1, 1000) <= 0)
      continue;
    n = read (fd, buf, sizeof (buf));
    fail_unless (n > 0);
    if (!framed) {
      g_byte_array_append (data, buf, n);
      continue;
    }
    g_byte_array_append (all, buf, n);
    /* parse what is complete */
    for (;;) {
      gboolean boundary = data->len % INTERVAL == 0 && data->len > 0 &&
          block_at != data->len;

      if (boundary && pos < all->len) {
        /* at a boundary, a block comes before the next stream byte */
        if (all->data[pos] == 'B') {
          guint i;

          if (all->len - pos < BLOCK)
            break;
          fail_unless_equals_int (get32 (all->data + pos + 1), *blocks);
          for (i = 5; i < BLOCK; i++)
            fail_unless_equals_int (all->data[pos + i], *blocks & 0xff);
          (*blocks)++;
          pos += BLOCK;
        } else {
          if (all->len - pos < 5)
            break;
          fail_unless (memcmp (all->data + pos, "FFFFF", 5) == 0,
              "no block at stream byte %u", data->len);
          (*fillers)++;
          pos += 5;
        }
        block_at = data->len;
        if (pos >= all->len)
          break;
      }
      {
        gsize take = MIN (all->len - pos, INTERVAL - data->len % INTERVAL);

        if (take == 0)
          break;
        g_byte_array_append (data, all->data + pos, take);
        pos += take;
      }
    }
  }
  g_byte_array_unref (all);
  return data;
}

GST_START_TEST (test_interleave_partial_writes)
{
  FluFanout *f = flu_fanout_new (NULL, NULL, NULL);
  FluFanoutConfig config;
  FluFanoutInterleave il = { 0 };
  gint framed[2], plain[2], snd = 4096;
  guint32 word = 0, blocks, i;
  guint fillers;
  gsize total = 0;
  GByteArray *a, *b;

  flu_fanout_config_init (&config);
  config.sync_method = FLU_SYNC_METHOD_LATEST;
  flu_fanout_set_config (f, &config);
  fail_unless (flu_fanout_start (f, NULL));
  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, framed) == 0);
  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, plain) == 0);
  setsockopt (framed[0], SOL_SOCKET, SO_SNDBUF, &snd, sizeof (snd));
  il.interval = INTERVAL;
  il.next_block = next_block;
  il.filler = g_bytes_new_static ("FFFFF", 5);
  il.user_data = &fetched;
  fetched = 0;
  fail_unless_equals_int (flu_fanout_add_interleaved (f, framed[0],
          FLU_SYNC_METHOD_LATEST, GST_FORMAT_UNDEFINED, -1,
          GST_FORMAT_UNDEFINED, -1, &il), FLU_FANOUT_ADD_OK);
  g_bytes_unref (il.filler);
  fail_unless_equals_int (flu_fanout_add (f, plain[0],
          FLU_SYNC_METHOD_LATEST, GST_FORMAT_UNDEFINED, -1,
          GST_FORMAT_UNDEFINED, -1), FLU_FANOUT_ADD_OK);
  for (i = 0; i < N_BUFFERS; i++) {
    gsize size = 400 + (i * 244) % 3000;

    flu_fanout_push (f, counter_buffer (&word, size));
    total += size;
  }
  a = read_stream (framed[1], total, TRUE, &blocks, &fillers);
  b = read_stream (plain[1], total, FALSE, &blocks, &fillers);
  fail_unless_equals_int (a->len, total);
  fail_unless_equals_int (b->len, total);
  for (i = 0; i + 4 <= total; i += 4)
    fail_unless_equals_int (get32 (a->data + i), i / 4);
  fail_unless (memcmp (a->data, b->data, total) == 0);
  g_byte_array_unref (a);
  g_byte_array_unref (b);

  flu_fanout_stop (f);
  flu_fanout_free (f);
  close (framed[1]);
  close (plain[1]);
}

GST_END_TEST;

/* counts taken by read_stream() for the framed client, checked apart so
 * the plain read does not overwrite them */
GST_START_TEST (test_interleave_every_block_arrives)
{
  FluFanout *f = flu_fanout_new (NULL, NULL, NULL);
  FluFanoutConfig config;
  FluFanoutInterleave il = { 0 };
  gint fds[2], snd = 4096;
  guint32 word = 0, blocks, i;
  guint fillers;
  gsize total = 0;
  GByteArray *a;

  flu_fanout_config_init (&config);
  config.sync_method = FLU_SYNC_METHOD_LATEST;
  flu_fanout_set_config (f, &config);
  fail_unless (flu_fanout_start (f, NULL));
  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  setsockopt (fds[0], SOL_SOCKET, SO_SNDBUF, &snd, sizeof (snd));
  il.interval = INTERVAL;
  il.next_block = next_block;
  il.filler = g_bytes_new_static ("FFFFF", 5);
  il.user_data = &fetched;
  fetched = 0;
  fail_unless_equals_int (flu_fanout_add_interleaved (f, fds[0],
          FLU_SYNC_METHOD_LATEST, GST_FORMAT_UNDEFINED, -1,
          GST_FORMAT_UNDEFINED, -1, &il), FLU_FANOUT_ADD_OK);
  g_bytes_unref (il.filler);
  for (i = 0; i < N_BUFFERS; i++) {
    gsize size = 400 + (i * 244) % 3000;

    flu_fanout_push (f, counter_buffer (&word, size));
    total += size;
  }
  a = read_stream (fds[1], total, TRUE, &blocks, &fillers);
  fail_unless_equals_int (a->len, total);
  /* one block per write at least, and each one handed out arrived (the
   * last one may wait for data after its boundary) */
  fail_unless (blocks > 0);
  fail_unless (fetched == blocks || fetched == blocks + 1,
      "fetched %u, arrived %u", fetched, blocks);
  fail_unless_equals_int (blocks + fillers, (total - 1) / INTERVAL);
  g_byte_array_unref (a);
  flu_fanout_stop (f);
  flu_fanout_free (f);
  close (fds[1]);
}

GST_END_TEST;

/* Reads until nothing came for a while (the engine is done), then parses
 * all of it: a block ('B' block or "FFFFF" filler) after every INTERVAL
 * stream bytes that have more stream after them, and returns the stream
 * bytes. */
static GByteArray *
read_all_framed (gint fd, guint32 * blocks)
{
  GByteArray *all = g_byte_array_new (), *data = g_byte_array_new ();
  gsize pos = 0;
  gint idle = 0;

  while (idle < 3) {
    guint8 buf[4096];
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t n;

    if (poll (&p, 1, 500) <= 0) {
      idle++;
      continue;
    }
    idle = 0;
    n = read (fd, buf, sizeof (buf));
    fail_unless (n > 0);
    g_byte_array_append (all, buf, n);
  }
  *blocks = 0;
  while (pos < all->len) {
    gsize take = MIN (all->len - pos, INTERVAL - data->len % INTERVAL);

    g_byte_array_append (data, all->data + pos, take);
    pos += take;
    if (pos == all->len)
      break;
    /* a boundary with more after it: a block */
    fail_unless (data->len % INTERVAL == 0);
    if (all->data[pos] == 'B') {
      fail_unless (all->len - pos >= BLOCK, "block cut at the end");
      fail_unless_equals_int (get32 (all->data + pos + 1), *blocks);
      (*blocks)++;
      pos += BLOCK;
    } else {
      fail_unless (all->len - pos >= 5 &&
          memcmp (all->data + pos, "FFFFF", 5) == 0,
          "no block after stream byte %u", data->len);
      pos += 5;
    }
  }
  g_byte_array_unref (all);
  return data;
}

/* A client that lags is moved forward by the recover policy (buffers it
 * was not sent are dropped): the interval still counts what it was
 * written, exactly, and what it gets is whole buffers of the stream in
 * order.  Once per recover policy that moves a client. */
GST_START_TEST (test_interleave_recovery_keeps_framing)
{
  FluFanout *f = flu_fanout_new (NULL, NULL, NULL);
  FluFanoutConfig config;
  FluFanoutInterleave il = { 0 };
  gint fds[2], snd = 4096;
  guint32 word = 0, blocks, i, prev;
  guint64 dropped = 0;
  GstStructure *st;
  GByteArray *a;
  GHashTable *starts = g_hash_table_new (NULL, NULL);

  flu_fanout_config_init (&config);
  config.sync_method = FLU_SYNC_METHOD_LATEST;
  /* _i: each recover policy that moves a client */
  config.recover_policy = FLU_RECOVER_POLICY_RESYNC_LATEST + __i__;
  config.unit_format = GST_FORMAT_BUFFERS;
  config.units_soft_max = 4;
  config.units_max = -1;
  flu_fanout_set_config (f, &config);
  fail_unless (flu_fanout_start (f, NULL));
  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  setsockopt (fds[0], SOL_SOCKET, SO_SNDBUF, &snd, sizeof (snd));
  il.interval = INTERVAL;
  il.next_block = next_block;
  il.filler = g_bytes_new_static ("FFFFF", 5);
  il.user_data = &fetched;
  fetched = 0;
  fail_unless_equals_int (flu_fanout_add_interleaved (f, fds[0],
          FLU_SYNC_METHOD_LATEST, GST_FORMAT_UNDEFINED, -1,
          GST_FORMAT_UNDEFINED, -1, &il), FLU_FANOUT_ADD_OK);
  g_bytes_unref (il.filler);
  /* nobody reads meanwhile: the socket fills, the client lags */
  for (i = 0; i < N_BUFFERS * 4; i++) {
    g_hash_table_add (starts, GUINT_TO_POINTER (word));
    flu_fanout_push (f, counter_buffer (&word, 400 + (i * 244) % 3000));
  }
  /* a resync to the latest waits for the next buffer: a few more, once
   * the writer had time to see the lag, fewer than the soft limit (they
   * wait in the engine until the reader below drains the socket) */
  g_usleep (200 * 1000);
  for (i = 0; i < 3; i++) {
    g_hash_table_add (starts, GUINT_TO_POINTER (word));
    flu_fanout_push (f, counter_buffer (&word, 400 + (i * 244) % 3000));
  }
  g_hash_table_add (starts, GUINT_TO_POINTER (word));
  a = read_all_framed (fds[1], &blocks);
  st = flu_fanout_get_stats (f, fds[0]);
  fail_unless (st != NULL);
  fail_unless (gst_structure_get_uint64 (st, "buffers-dropped", &dropped));
  gst_structure_free (st);
  fail_unless (dropped > 0, "the client never lagged");
  fail_unless (blocks > 0,
      "%u stream bytes, %u blocks fetched, %" G_GUINT64_FORMAT " dropped",
      a->len, fetched, dropped);
  /* whole buffers, in order: the counter only ever goes up, by one inside
   * a buffer */
  fail_unless (a->len % 4 == 0 && a->len > 0);
  prev = get32 (a->data);
  fail_unless (g_hash_table_contains (starts, GUINT_TO_POINTER (prev)));
  for (i = 4; i + 4 <= a->len; i += 4) {
    guint32 w = get32 (a->data + i);

    fail_unless (w > prev, "word %u after %u", w, prev);
    /* a jump leaves a buffer at its end, for another's start */
    fail_unless (w == prev + 1 || (g_hash_table_contains (starts,
                GUINT_TO_POINTER (prev + 1)) && g_hash_table_contains (starts,
                GUINT_TO_POINTER (w))), "cut buffer: word %u after %u", w,
        prev);
    prev = w;
  }
  g_hash_table_unref (starts);
  fail_unless (prev < word);
  g_byte_array_unref (a);
  flu_fanout_stop (f);
  flu_fanout_free (f);
  close (fds[1]);
}

GST_END_TEST;

static Suite *
flufanoutinterleave_suite (void)
{
  Suite *s = suite_create ("flufanoutinterleave");
  TCase *tc = tcase_create ("interleave");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_interleave_partial_writes);
  tcase_add_test (tc, test_interleave_every_block_arrives);
  tcase_add_loop_test (tc, test_interleave_recovery_keeps_framing, 0,
      FLU_RECOVER_POLICY_RESYNC_KEYFRAME - FLU_RECOVER_POLICY_RESYNC_LATEST +
      1);
  return s;
}

GST_CHECK_MAIN (flufanoutinterleave);
