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

/* flufeedsrc's read buffer; see flufeedread.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "flufeedread.h"

void
flu_feed_reader_init (FluFeedReader * reader)
{
  memset (reader, 0, sizeof (*reader));
  reader->drained = TRUE;
}

void
flu_feed_reader_clear (FluFeedReader * reader)
{
  g_free (reader->data);
  flu_feed_reader_init (reader);
}

void
flu_feed_reader_reset (FluFeedReader * reader)
{
  reader->start = reader->end = 0;
  reader->drained = TRUE;
  if (reader->size > FLU_FEED_READ_SIZE) {
    g_clear_pointer (&reader->data, g_free);
    reader->size = 0;
  }
}

/* Moves the bytes not consumed to the front (only a part of a packet is
 * ever left there when more is read) and makes room for @length. */
static void
make_room (FluFeedReader * reader, gsize length)
{
  gsize avail = flu_feed_reader_available (reader);

  if (reader->data == NULL) {
    reader->size = MAX (FLU_FEED_READ_SIZE, length);
    reader->data = g_malloc (reader->size);
  }
  if (reader->start > 0) {
    memmove (reader->data, reader->data + reader->start, avail);
    reader->start = 0;
    reader->end = avail;
  }
  if (reader->size < length) {
    reader->data = g_realloc (reader->data, length);
    reader->size = length;
  }
}

/* One recv into @dest (@dest_len bytes, may be 0), then the buffer's free
 * space, after a wait if the last one drained the socket.  Returns the
 * bytes read, or -1 with @error set. */
static gssize
recv_once (FluFeedReader * reader, GSocket * socket, guint8 * dest,
    gsize dest_len, guint timeout_ms, GCancellable * cancellable,
    GError ** error)
{
  GInputVector v[2];
  guint nv = 0;
  gsize asked = 0;

  if (dest_len > 0) {
    v[nv].buffer = dest;
    v[nv++].size = dest_len;
    asked += dest_len;
  }
  if (reader->size > reader->end) {
    v[nv].buffer = reader->data + reader->end;
    v[nv++].size = reader->size - reader->end;
    asked += reader->size - reader->end;
  }
  g_assert (nv > 0);

  for (;;) {
    GError *err = NULL;
    gssize n;

    if (reader->drained) {
      reader->waits++;
      if (!g_socket_condition_timed_wait (socket, G_IO_IN,
              timeout_ms ? (gint64) timeout_ms * 1000 : -1, cancellable, error))
        return -1;
    }
    reader->recvs++;
    if (nv == 1)
      n = g_socket_receive_with_blocking (socket, v[0].buffer, v[0].size,
          FALSE, cancellable, &err);
    else
      n = g_socket_receive_message (socket, NULL, v, nv, NULL, NULL, NULL,
          cancellable, &err);
    if (n > 0) {
      reader->bytes += n;
      reader->drained = (gsize) n < asked;
      return n;
    }
    if (n == 0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
          "the peer closed the connection");
      return -1;
    }
    if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
      g_propagate_error (error, err);
      return -1;
    }
    g_clear_error (&err);
    reader->drained = TRUE;
  }
}

gboolean
flu_feed_reader_need (FluFeedReader * reader, GSocket * socket, gsize length,
    guint timeout_ms, GCancellable * cancellable, GError ** error)
{
  while (flu_feed_reader_available (reader) < length) {
    gssize n;

    make_room (reader, length);
    n = recv_once (reader, socket, NULL, 0, timeout_ms, cancellable, error);
    if (n < 0)
      return FALSE;
    reader->end += n;
  }
  return TRUE;
}

void
flu_feed_reader_consume (FluFeedReader * reader, gsize length)
{
  g_assert (length <= flu_feed_reader_available (reader));
  reader->start += length;
  if (reader->start == reader->end) {
    reader->start = reader->end = 0;
    if (reader->size > FLU_FEED_READ_SIZE) {
      /* a big packet grew it: give that back */
      g_clear_pointer (&reader->data, g_free);
      reader->size = 0;
    }
  }
}

gboolean
flu_feed_reader_read_into (FluFeedReader * reader, GSocket * socket,
    guint8 * dest, gsize length, guint timeout_ms, GCancellable * cancellable,
    GError ** error)
{
  gsize got = MIN (flu_feed_reader_available (reader), length);

  if (got > 0) {
    memcpy (dest, flu_feed_reader_peek (reader), got);
    flu_feed_reader_consume (reader, got);
  }
  while (got < length) {
    gssize n;

    /* the buffer is empty: what comes after @dest's bytes lands there */
    make_room (reader, 0);
    n = recv_once (reader, socket, dest + got, length - got, timeout_ms,
        cancellable, error);
    if (n < 0)
      return FALSE;
    if ((gsize) n > length - got) {
      reader->end += n - (length - got);
      got = length;
    } else {
      got += n;
    }
  }
  return TRUE;
}
