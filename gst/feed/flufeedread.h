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

/* FluFeedReader: flufeedsrc's read buffer over a non-blocking socket.
 *
 * One recv takes whatever the socket holds (up to the buffer's free
 * space, 64 KiB by default), so the GDP packets that arrived together are
 * parsed from memory, one system call for all of them.  The reader waits
 * (poll, with the data timeout and the cancellable) only before a recv
 * that follows a short one: a short recv drained the socket, so the next
 * would only say EAGAIN.  A payload too big to be worth a copy is read
 * straight into its destination (flu_feed_reader_read_into), with the
 * buffer as a second iovec of the same recvmsg for the bytes after it.
 *
 * The caller bounds every length it asks for (a GDP header is validated
 * before its payload is asked for): the buffer grows to a length asked
 * and shrinks back to its default size once empty.  Single thread (the
 * streaming thread); no lock. */

#ifndef __FLU_FEED_READ_H__
#define __FLU_FEED_READ_H__

#include <gio/gio.h>

G_BEGIN_DECLS

#define FLU_FEED_READ_SIZE (64 * 1024)

typedef struct
{
  guint8 *data;
  gsize size;                   /* allocated */
  gsize start;                  /* first byte not consumed */
  gsize end;                    /* end of the bytes read */
  gboolean drained;             /* the last recv was short: wait first */
  /* counters (tests, debug log) */
  guint64 recvs;                /* recv calls */
  guint64 waits;                /* polls */
  guint64 bytes;                /* bytes received */
} FluFeedReader;

void flu_feed_reader_init (FluFeedReader * reader);
void flu_feed_reader_clear (FluFeedReader * reader);
/* A new connection: forgets the bytes buffered (and shrinks). */
void flu_feed_reader_reset (FluFeedReader * reader);

static inline gsize
flu_feed_reader_available (const FluFeedReader * reader)
{
  return reader->end - reader->start;
}

static inline const guint8 *
flu_feed_reader_peek (const FluFeedReader * reader)
{
  return reader->data + reader->start;
}

/* Makes at least @length bytes available (at flu_feed_reader_peek),
 * reading from @socket.  @timeout_ms (0 = none) bounds each wait for a
 * byte: G_IO_ERROR_TIMED_OUT; a closed connection is
 * G_IO_ERROR_CONNECTION_CLOSED; cancelled is G_IO_ERROR_CANCELLED. */
gboolean flu_feed_reader_need (FluFeedReader * reader, GSocket * socket,
    gsize length, guint timeout_ms, GCancellable * cancellable,
    GError ** error);

/* Drops @length available bytes. */
void flu_feed_reader_consume (FluFeedReader * reader, gsize length);

/* Fills @dest with the next @length bytes of the stream: those buffered
 * first, the rest straight from @socket (errors as for _need). */
gboolean flu_feed_reader_read_into (FluFeedReader * reader, GSocket * socket,
    guint8 * dest, gsize length, guint timeout_ms, GCancellable * cancellable,
    GError ** error);

G_END_DECLS

#endif /* __FLU_FEED_READ_H__ */
