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

/* The status page of a fluhttpsink port: every stream mounted on the
 * shared server with a player, live viewers, bitrates, uptime and a chart
 * of viewers over the last hour, refreshed from the same path's JSON
 * (`?format=json`) with fetch(), without reloading. */

#ifndef __FLU_HTTP_STATUS_PAGE_H__
#define __FLU_HTTP_STATUS_PAGE_H__

#include "fluhttpserver.h"

G_BEGIN_DECLS

/* Server thread: answers @msg with the page, or with the JSON of every
 * stream on @server when @query has format=json. */
void flu_http_status_page_serve (FluHttpServer * server,
    SoupServerMessage * msg, GHashTable * query);

G_END_DECLS

#endif /* __FLU_HTTP_STATUS_PAGE_H__ */
