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

/* fluhttpsink: a GET that arrives before the stream has caps waits
 * holding only its socket.  libsoup keeps ~22 KB per request (the message,
 * its connection and their buffers) for as long as a request is paused,
 * so the socket is taken from libsoup at once and the request lives on as
 * a FluHttpViewer record (~200 bytes) and two sources; when the caps come
 * the response head is written here and the socket goes to the engine,
 * as libsoup's would (fluhttpclient.c).  Private to the element. */

#ifndef __FLU_HTTP_WAIT_H__
#define __FLU_HTTP_WAIT_H__

#include "fluhttpsinkpriv.h"
#include "fluhttpclient.h"

G_BEGIN_DECLS

/* lock held, server thread, the element serving: take @msg's socket from
 * libsoup and wait for the caps (caps-timeout, counted for client-limit
 * and its address as a viewer); FALSE when the socket could not be taken
 * (the caller keeps the request in libsoup). */
gboolean flu_http_wait_take (FluHttpSink * sink, SoupServerMessage * msg,
    const gchar * user, const gchar * host);

/* lock not held, server thread: the caps came (@have_caps: answer 200 and
 * stream, or the limits' refusal) or the element stops (503). */
void flu_http_wait_release (FluHttpSink * sink, gboolean have_caps);

/* lock not held, server thread: @c (counted) is answered on @fd (ours,
 * non-blocking, nothing written on it yet) with @head, held in the
 * kernel (TCP_CORK) until the engine's first write; then the engine
 * has it (or the viewer ends: its peer was gone) */
void flu_http_client_send_head (FluHttpSink * sink, FluHttpViewer * c,
    gint fd, const gchar * head);

G_END_DECLS

#endif /* __FLU_HTTP_WAIT_H__ */
