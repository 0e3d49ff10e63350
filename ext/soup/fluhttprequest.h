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


/* fluhttpsink's request handling, in the server thread.  Private to the
 * element. */

#ifndef __FLU_HTTP_REQUEST_H__
#define __FLU_HTTP_REQUEST_H__

#include "fluhttpsinkpriv.h"

G_BEGIN_DECLS

/* The FluHttpMountFunc of every path the element mounts. */
void flu_http_request_handle (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data);

/* Server thread: answers the requests waiting for caps (200 once the caps
 * came, else 503).  A GSourceFunc taking the sink. */
gboolean flu_http_request_release_waiting (gpointer data);

/* The FluHttpStreamStatsFunc of the element's stream on the status page. */
gchar *flu_http_request_stream_status (gpointer data, GInetAddress * client);
/* The FluHttpRefusedFunc of every path the element mounted. */
void flu_http_request_refused (gpointer data, SoupServerMessage * msg,
    guint status, const gchar * why);

/* The stats structure (the stats property, JSON and metrics). */
GstStructure *flu_http_build_stats (FluHttpSink * sink);


G_END_DECLS

#endif /* __FLU_HTTP_REQUEST_H__ */
