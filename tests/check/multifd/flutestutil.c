/* gst-flumotion test helpers
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "flutestutil.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* byte by byte: the stream is not aligned */
static guint32
read_be32 (const guint8 * p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) |
      ((guint32) p[2] << 8) | (guint32) p[3];
}

static guint8
payload_byte (guint seq, gsize i)
{
  return (guint8) ((seq * 31 + i * 7) & 0xff);
}

GstBuffer *
flu_test_buffer_new (guint seq, gsize size, gboolean keyframe,
    GstClockTime pts, guint n_memories)
{
  guint8 *data;
  GstBuffer *buf;
  gsize i, off;
  guint m;

  g_assert (size >= FLU_TEST_HDR_SIZE);
  g_assert (n_memories >= 1);
  data = g_malloc (size);
  memcpy (data, "FLUB", 4);
  GST_WRITE_UINT32_BE (data + 4, seq);
  GST_WRITE_UINT32_BE (data + 8, (guint32) size);
  GST_WRITE_UINT32_BE (data + 12, keyframe ? 1 : 0);
  for (i = FLU_TEST_HDR_SIZE; i < size; i++)
    data[i] = payload_byte (seq, i);

  /* split into n_memories blocks of roughly equal size */
  buf = gst_buffer_new ();
  off = 0;
  for (m = 0; m < n_memories; m++) {
    gsize chunk = (m == n_memories - 1) ? size - off : size / n_memories;
    gpointer copy = g_memdup2 (data + off, chunk);

    gst_buffer_append_memory (buf,
        gst_memory_new_wrapped (0, copy, chunk, 0, chunk, copy, g_free));
    off += chunk;
  }
  g_free (data);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_NONE;
  if (!keyframe)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  return buf;
}

GstCaps *
flu_test_caps_with_headers (const gchar * h1, const gchar * h2)
{
  GstCaps *caps = gst_caps_new_empty_simple ("application/x-flu-test");
  GValue array = G_VALUE_INIT;
  const gchar *hs[2] = { h1, h2 };
  guint i;

  g_value_init (&array, GST_TYPE_ARRAY);
  for (i = 0; i < 2; i++) {
    GValue v = G_VALUE_INIT;
    GstBuffer *b;

    if (hs[i] == NULL)
      continue;
    b = gst_buffer_new_memdup (hs[i], strlen (hs[i]));
    GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_HEADER);
    g_value_init (&v, GST_TYPE_BUFFER);
    gst_value_set_buffer (&v, b);
    gst_value_array_append_and_take_value (&array, &v);
    gst_buffer_unref (b);
  }
  gst_caps_set_value (caps, "streamheader", &array);
  g_value_unset (&array);
  return caps;
}

static gboolean
parse (const guint8 * data, gsize len, GArray * out, gchar ** err,
    gboolean allow_cut)
{
  gsize off = 0;

  while (off < len) {
    FluTestParsed p;
    gsize i;

    if (len - off < FLU_TEST_HDR_SIZE) {
      if (allow_cut && memcmp (data + off, "FLUB", MIN (4, len - off)) == 0)
        return TRUE;
      *err = g_strdup_printf ("truncated header at byte %" G_GSIZE_FORMAT, off);
      return FALSE;
    }
    if (memcmp (data + off, "FLUB", 4) != 0) {
      *err = g_strdup_printf ("no buffer magic at byte %" G_GSIZE_FORMAT, off);
      return FALSE;
    }
    p.seq = read_be32 (data + off + 4);
    p.size = read_be32 (data + off + 8);
    p.keyframe = read_be32 (data + off + 12) != 0;
    if (allow_cut && p.size >= FLU_TEST_HDR_SIZE && len - off < p.size)
      return TRUE;
    if (p.size < FLU_TEST_HDR_SIZE || len - off < p.size) {
      *err = g_strdup_printf ("buffer %u truncated at byte %" G_GSIZE_FORMAT,
          p.seq, off);
      return FALSE;
    }
    for (i = FLU_TEST_HDR_SIZE; i < p.size; i++) {
      if (data[off + i] != payload_byte (p.seq, i)) {
        *err = g_strdup_printf ("buffer %u corrupt at its byte %"
            G_GSIZE_FORMAT, p.seq, i);
        return FALSE;
      }
    }
    g_array_append_val (out, p);
    off += p.size;
  }
  return TRUE;
}

gboolean
flu_test_parse (const guint8 * data, gsize len, GArray * out, gchar ** err)
{
  return parse (data, len, out, err, FALSE);
}

gboolean
flu_test_parse_cut (const guint8 * data, gsize len, GArray * out, gchar ** err)
{
  return parse (data, len, out, err, TRUE);
}

GByteArray *
flu_test_read_all (gint fd, guint timeout_ms)
{
  GByteArray *arr = g_byte_array_new ();
  guint8 buf[65536];

  for (;;) {
    struct pollfd pfd = { fd, POLLIN, 0 };
    ssize_t r;

    if (poll (&pfd, 1, timeout_ms) <= 0)
      break;
    r = read (fd, buf, sizeof (buf));
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (r <= 0)
      break;
    g_byte_array_append (arr, buf, r);
  }
  return arr;
}
