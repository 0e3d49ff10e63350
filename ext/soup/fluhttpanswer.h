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

/* A whole 200 answer given at once (status and metrics pages, directory
 * listings), for every element of the plugin; the refusals are
 * flu_http_server_respond () (fluhttpserver.h). */

#ifndef __FLU_HTTP_ANSWER_H__
#define __FLU_HTTP_ANSWER_H__

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* 200 OK with the common headers (flu_http_server_set_common_headers ())
 * and @body (a NUL-terminated string, taken) as @type. */
void flu_http_serve_text (SoupServerMessage * msg, const gchar * type,
    gchar * body);

G_END_DECLS

#endif /* __FLU_HTTP_ANSWER_H__ */
