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

/* The streamer side of flu-porter (tools/porter): a FluHttpServer with
 * porter-socket set does not listen; this client connects to the porter's
 * UNIX socket, proves the shared secret, registers the server's paths and
 * hands every connection the porter passes to a callback (the server's own
 * accept path).  It reconnects with backoff (100 ms doubling to 5 s) when
 * the porter goes away and registers everything again.  Protocol:
 * tools/porter/fluporterproto.h.
 *
 * Everything here runs in the server's thread (the GMainContext given to
 * flu_http_porter_new), so there is no lock. */

#ifndef __FLU_HTTP_PORTER_H__
#define __FLU_HTTP_PORTER_H__

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _FluHttpPorter FluHttpPorter;

/* a public connection, none of its bytes read; the callee refs @sock */
typedef void (*FluHttpPorterConnFunc) (GSocket * sock, gpointer user_data);

/* Takes @secret (wiped and freed with the client).  Starts connecting in
 * @context at once. */
FluHttpPorter *flu_http_porter_new (const gchar * socket_path,
    gchar * secret, GMainContext * context, FluHttpPorterConnFunc func,
    gpointer user_data);
/* server thread */
void flu_http_porter_free (FluHttpPorter * porter);
/* Registers (@add) or withdraws @path, an exact path or (@prefix, ending
 * with '/') every path under it.  An exact path under one of our own
 * prefixes is not sent (the prefix already routes it).  Server thread. */
void flu_http_porter_route (FluHttpPorter * porter, const gchar * path,
    gboolean prefix, gboolean add);
/* the porter's public port (0 until the first welcome); any thread */
guint flu_http_porter_get_port (FluHttpPorter * porter);

G_END_DECLS

#endif /* __FLU_HTTP_PORTER_H__ */
