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


/* The server connections' input stream (see fluhttpinput.h).
 *
 * fluhttpkeep.c reads a parked connection's next request off the socket
 * with ONE recv (no MSG_PEEK and a second recv); when the request is not
 * one it answers itself, what it read is given back here and libsoup,
 * which reads the connection's input stream (under its own buffering
 * stream), reads those bytes first, then the socket's, as if nothing had
 * been read.  While bytes wait here the stream is readable (and its
 * sources fire at once); then every call goes to the socket's stream.
 *
 * Quiet: fluhttpserver.c asks, when it takes a connection back from
 * libsoup, whether libsoup's stream holds unread bytes (a pipelined
 * request that the steal would lose).  Bytes in the socket are not a
 * reason (fluhttpkeep.c reads them next), so that question needs no
 * poll () of the socket: quiet, this stream is readable only with bytes
 * given back.
 *
 * Server thread only: no lock. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpinput.h"

#include <string.h>

typedef struct
{
  GInputStream parent;
  GInputStream *base;           /* the socket's (a ref) */
  GByteArray *unread;           /* NULL: none */
  gsize off;
  gboolean quiet;
} FluHttpInput;

typedef GInputStreamClass FluHttpInputClass;

static void flu_http_input_pollable_init (GPollableInputStreamInterface *
    iface);
static GType flu_http_input_get_type (void);
G_DEFINE_TYPE_WITH_CODE (FluHttpInput, flu_http_input, G_TYPE_INPUT_STREAM,
    G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
        flu_http_input_pollable_init));

#define FLU_HTTP_INPUT(o) ((FluHttpInput *) (o))

/* up to @count bytes given back, or -1 when there are none */
static gssize
take_unread (FluHttpInput * self, void *buffer, gsize count)
{
  gsize n;

  if (self->unread == NULL)
    return -1;
  n = MIN (count, self->unread->len - self->off);
  memcpy (buffer, self->unread->data + self->off, n);
  self->off += n;
  if (self->off == self->unread->len) {
    g_byte_array_unref (self->unread);
    self->unread = NULL;
    self->off = 0;
  }
  return n;
}

static gssize
flu_http_input_read (GInputStream * stream, void *buffer, gsize count,
    GCancellable * cancellable, GError ** error)
{
  FluHttpInput *self = FLU_HTTP_INPUT (stream);
  gssize n = take_unread (self, buffer, count);

  if (n >= 0)
    return n;
  return g_input_stream_read (self->base, buffer, count, cancellable, error);
}

static gboolean
flu_http_input_close (GInputStream * stream, GCancellable * cancellable,
    GError ** error)
{
  /* the socket is closed with its connection */
  return TRUE;
}

static gboolean
flu_http_input_can_poll (GPollableInputStream * stream)
{
  return TRUE;
}

static gboolean
flu_http_input_is_readable (GPollableInputStream * stream)
{
  FluHttpInput *self = FLU_HTTP_INPUT (stream);

  if (self->unread)
    return TRUE;
  if (self->quiet)
    return FALSE;
  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM
      (self->base));
}

static GSource *
flu_http_input_create_source (GPollableInputStream * stream,
    GCancellable * cancellable)
{
  FluHttpInput *self = FLU_HTTP_INPUT (stream);
  GSource *child, *source;

  if (self->unread)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM
        (self->base), NULL);
  source = g_pollable_source_new_full (stream, child, cancellable);
  g_source_unref (child);
  return source;
}

static gssize
flu_http_input_read_nonblocking (GPollableInputStream * stream,
    void *buffer, gsize count, GError ** error)
{
  FluHttpInput *self = FLU_HTTP_INPUT (stream);
  gssize n = take_unread (self, buffer, count);

  if (n >= 0)
    return n;
  return g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM
      (self->base), buffer, count, NULL, error);
}

static void
flu_http_input_finalize (GObject * object)
{
  FluHttpInput *self = FLU_HTTP_INPUT (object);

  if (self->unread)
    g_byte_array_unref (self->unread);
  g_object_unref (self->base);
  G_OBJECT_CLASS (flu_http_input_parent_class)->finalize (object);
}

static void
flu_http_input_class_init (FluHttpInputClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = flu_http_input_finalize;
  klass->read_fn = flu_http_input_read;
  klass->close_fn = flu_http_input_close;
}

static void
flu_http_input_pollable_init (GPollableInputStreamInterface * iface)
{
  iface->can_poll = flu_http_input_can_poll;
  iface->is_readable = flu_http_input_is_readable;
  iface->create_source = flu_http_input_create_source;
  iface->read_nonblocking = flu_http_input_read_nonblocking;
}

static void
flu_http_input_init (FluHttpInput * self)
{
}

GInputStream *
flu_http_input_new (GInputStream * base)
{
  FluHttpInput *self;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (base), NULL);
  self = g_object_new (flu_http_input_get_type (), NULL);
  self->base = g_object_ref (base);
  return G_INPUT_STREAM (self);
}

void
flu_http_input_unread (GInputStream * input, const gchar * data, gsize len)
{
  FluHttpInput *self = FLU_HTTP_INPUT (input);
  GByteArray *a;

  if (len == 0)
    return;
  a = g_byte_array_sized_new (len + (self->unread ?
          self->unread->len - self->off : 0));
  g_byte_array_append (a, (const guint8 *) data, len);
  if (self->unread) {
    g_byte_array_append (a, self->unread->data + self->off,
        self->unread->len - self->off);
    g_byte_array_unref (self->unread);
  }
  self->unread = a;
  self->off = 0;
}

void
flu_http_input_set_quiet (GInputStream * input, gboolean quiet)
{
  FLU_HTTP_INPUT (input)->quiet = quiet;
}
