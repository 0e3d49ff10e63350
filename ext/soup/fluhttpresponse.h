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

/* fluhttpsink's answer pieces shared by the request handler
 * (fluhttprequest.c) and the viewer records (fluhttpclient.c): the
 * request line as logged and posted, and the stream's response head.
 * Private to the element. */

#ifndef __FLU_HTTP_RESPONSE_H__
#define __FLU_HTTP_RESPONSE_H__

#include "fluhttpsinkpriv.h"

G_BEGIN_DECLS

/* The request target as logged and posted: path?query with token values
 * hidden (the protocol name: flu_http_protocol_name (), fluhttplog.h). */
gchar *flu_http_request_target (SoupServerMessage * msg);

/* lock held: the response headers of the stream (status not set).
 * Returns the ICY metadata interval announced (0 = plain stream). */
guint flu_http_set_stream_headers (FluHttpSink * sink,
    SoupServerMessage * msg);
/* lock held: the same into headers of our own */
void flu_http_fill_stream_headers (FluHttpSink * sink, SoupMessageHeaders * h);
/* "@protocol @status phrase", Date and @h, each line ending in CRLF, and
 * the empty line */
gchar *flu_http_head_serialize (const gchar * protocol, guint status,
    SoupMessageHeaders * h);

G_END_DECLS

#endif /* __FLU_HTTP_RESPONSE_H__ */
