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

/* The properties of the per-port server (FluHttpServer) that fluhttpsink,
 * fluhlssink and fluondemand all have: address, port, header-timeout,
 * porter-socket, porter-secret-file.  Their pspecs are defined here, once; each element
 * reserves FLU_HTTP_SERVER_N_PROPS consecutive property ids and passes the
 * first.  cors-origin is not one of them: it is a setting of each mount. */

#ifndef __FLU_HTTP_SERVER_PROPS_H__
#define __FLU_HTTP_SERVER_PROPS_H__

#include "fluhttpserver.h"

G_BEGIN_DECLS

enum
{
  FLU_HTTP_SERVER_PROP_ADDRESS,
  FLU_HTTP_SERVER_PROP_PORT,
  FLU_HTTP_SERVER_PROP_HEADER_TIMEOUT,
  FLU_HTTP_SERVER_PROP_PORTER_SOCKET,
  FLU_HTTP_SERVER_PROP_PORTER_SECRET_FILE,
  FLU_HTTP_SERVER_N_PROPS
};

#define FLU_HTTP_SERVER_DEFAULT_PORT 8800
#define FLU_HTTP_SERVER_DEFAULT_HEADER_TIMEOUT 10

typedef struct
{
  gchar *address;
  guint port;
  guint header_timeout;
  gchar *porter_socket;
  gchar *porter_secret_file;
} FluHttpServerProps;

/* Installs the five properties as ids @first_id .. @first_id + 4. */
void flu_http_server_props_install (GObjectClass * klass, guint first_id);
void flu_http_server_props_init (FluHttpServerProps * props);
void flu_http_server_props_clear (FluHttpServerProps * props);
void flu_http_server_props_copy (FluHttpServerProps * dest,
    const FluHttpServerProps * src);
/* TRUE if @prop_id is one of the five (set or got), FALSE otherwise;
 * the caller holds the lock that guards @props. */
gboolean flu_http_server_props_set (FluHttpServerProps * props,
    guint first_id, guint prop_id, const GValue * value);
gboolean flu_http_server_props_get (const FluHttpServerProps * props,
    guint first_id, guint prop_id, GValue * value);
/* The server these settings ask for: listening on address:port, or
 * behind the porter at porter-socket (reads porter-secret-file: call it
 * without a lock); @what is set to a description for error messages
 * ("listen on * port 8800", "serve behind the porter at
 * /run/flu/porter.sock"; g_free it). */
FluHttpServer *flu_http_server_props_acquire (const FluHttpServerProps *
    props, gchar ** what, GError ** error);
/* The same for @element: a failure is posted as its RESOURCE /
 * OPEN_READ_WRITE error ("Cannot listen on * port 8800: ...") and NULL
 * returned.  Call it without a lock. */
FluHttpServer *flu_http_server_props_acquire_for (const FluHttpServerProps *
    props, GstElement * element);

/* How fluhttpsink, fluhlssink and fluondemand start and stop serving:
 * @start posts its element error when it fails; @stop does nothing when
 * not serving. */
typedef gboolean (*FluHttpServeStartFunc) (GstElement * element);
typedef void (*FluHttpServeStopFunc) (GstElement * element);

/* Their change_state: NULL->READY calls @start first (FAILURE when it
 * fails), then chains up to @parent_class; @stop runs after chaining up
 * for READY->NULL, and after a NULL->READY that failed. */
GstStateChangeReturn flu_http_server_change_state (GstElement * element,
    GstStateChange transition, GstElementClass * parent_class,
    FluHttpServeStartFunc start, FluHttpServeStopFunc stop);

/* Behind a porter, what the porter says reaches @element (until
 * flu_http_server_props_unwatch, before releasing @server): its
 * @current_port is notified when the porter welcomes the server (the
 * public port is known then, 0 before), and a GST_ELEMENT_WARNING with
 * details "flu-porter" ("refused" or "taken", and "path") is posted when
 * the porter refuses the secret or gives one of @element's paths to
 * another process.  @owner: the user_data of @element's mounts.  No-op
 * when @server listens itself. */
void flu_http_server_props_watch (FluHttpServer * server, GstElement *
    element, gpointer owner, GParamSpec * current_port);
void flu_http_server_props_unwatch (FluHttpServer * server, gpointer owner);

G_END_DECLS

#endif /* __FLU_HTTP_SERVER_PROPS_H__ */
