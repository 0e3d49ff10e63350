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


/* The input stream of the server's connections (fluhttpserver.c): the
 * socket's, with bytes given back in front of it (what fluhttpkeep.c
 * read off a parked connection whose request goes to libsoup), and a
 * readability check that does not poll the socket.  Server thread
 * only. */

#ifndef __FLU_HTTP_INPUT_H__
#define __FLU_HTTP_INPUT_H__

#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads @base (a pollable stream: a ref taken). */
GInputStream *flu_http_input_new (GInputStream * base);

/* @len bytes of @data (copied) to be read before the rest: read first,
 * before what is given back already. */
void flu_http_input_unread (GInputStream * input, const gchar * data,
    gsize len);

/* With @quiet, g_pollable_input_stream_is_readable () tells only of the
 * bytes given back (no poll of the socket; a stream stacked on this one,
 * libsoup's, still tells of what it buffered). */
void flu_http_input_set_quiet (GInputStream * input, gboolean quiet);

G_END_DECLS

#endif /* __FLU_HTTP_INPUT_H__ */
