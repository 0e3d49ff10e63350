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
/* fluhttpsink's stream on the fast path: a plain GET of the mount point
 * on a fresh or kept connection, that nothing but the client's address
 * and its head decide, answered without libsoup (fluhttpkeep.c) and its
 * socket given to the engine.  Server thread.  Private to the element. */

#ifndef __FLU_HTTP_FAST_STREAM_H__
#define __FLU_HTTP_FAST_STREAM_H__

#include "fluhttpsinkpriv.h"
#include "fluhttpkeep.h"

G_BEGIN_DECLS

/* lock not held: the element serves on sink->server; offer it the plain
 * requests of its paths (flu_http_server_add_fast_taker ()), and stop
 * (before its mounts go). */
void flu_http_fast_stream_start (FluHttpSink * sink, FluHttpServer * server);
void flu_http_fast_stream_stop (FluHttpSink * sink, FluHttpServer * server);

G_END_DECLS

#endif /* __FLU_HTTP_FAST_STREAM_H__ */
