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

/* One SoupServer per address:port, shared by every fluhttpsink that asks
 * for the same pair (Flumotion's porter, in-process).  Each server runs its
 * own GMainContext in its own thread; mounts map an exact path to a
 * callback that runs in that thread, prefix mounts every path under a
 * prefix (longest prefix wins, exact mounts first).  Unknown paths get 404
 * here. */

#ifndef __FLU_HTTP_SERVER_H__
#define __FLU_HTTP_SERVER_H__

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "fluhttpporter.h"
#include "fluhttpkeep.h"

G_BEGIN_DECLS

typedef struct _FluHttpServer FluHttpServer;

/* Statuses libsoup 3.2 has no name for (RFC 6585) */
#define FLU_HTTP_STATUS_TOO_MANY_REQUESTS 429
#define FLU_HTTP_STATUS_HEADERS_TOO_LARGE 431

/* The reason phrase of @status, including those libsoup lacks. */
const gchar *flu_http_server_status_phrase (guint status);

/* Called in the server thread for a request on a mounted path. */
typedef void (*FluHttpMountFunc) (FluHttpServer * server,
    SoupServerMessage * msg, const char *path, GHashTable * query,
    gpointer user_data);

FluHttpServer *flu_http_server_acquire (const gchar * address, guint port,
    guint header_timeout, GError ** error);
/* A server that does not listen but takes its connections from the
 * flu-porter at @socket_path (see fluhttpporter.h), proving the secret in
 * @secret_file (read here); shared by every element with the same
 * @socket_path.  Every mount is registered with the porter. */
FluHttpServer *flu_http_server_acquire_porter (const gchar * socket_path,
    const gchar * secret_file, guint header_timeout, GError ** error);
void flu_http_server_release (FluHttpServer * server);
/* Behind a porter: routes (@add) or withdraws every path under @prefix
 * (ending with '/') to this server, so that exact mounts under it cost
 * the porter no message each (fluhlssink's segments).  No-op otherwise. */
void flu_http_server_route_prefix (FluHttpServer * server,
    const gchar * prefix, gboolean add);

/* Behind a porter: @func (@user_data) is called in the server thread on
 * each event of the porter (fluhttpporter.h): every watch on WELCOMED and
 * REFUSED (at once, if the porter is refusing now), on TAKEN only the
 * watch whose @owner is the user_data of the mounts (exact or prefix)
 * under the taken path, or every watch when no watch has that owner
 * (or no mount is there).  No-op when listening.  Unwatch before
 * releasing the server: no call after. */
void flu_http_server_watch_porter (FluHttpServer * server, gpointer owner,
    FluHttpPorterEventFunc func, gpointer user_data);
void flu_http_server_unwatch_porter (FluHttpServer * server, gpointer owner);

guint flu_http_server_get_port (FluHttpServer * server);
GMainContext *flu_http_server_get_context (FluHttpServer * server);

gboolean flu_http_server_add_mount (FluHttpServer * server, const gchar * path,
    FluHttpMountFunc func, gpointer user_data, GError ** error);
void flu_http_server_remove_mount (FluHttpServer * server, const gchar * path);

/* Every path that starts with @prefix (e.g. "/recordings/") and has no
 * exact mount goes to @func; of several prefixes the longest wins. */
gboolean flu_http_server_add_prefix_mount (FluHttpServer * server,
    const gchar * prefix, FluHttpMountFunc func, gpointer user_data,
    GError ** error);
void flu_http_server_remove_prefix_mount (FluHttpServer * server,
    const gchar * prefix);

/* Marks the mounted @path (or prefix) as a stream: @func returns its
 * statistics as a JSON object (called in the server thread, for the
 * status page). */
typedef gchar *(*FluHttpStreamStatsFunc) (gpointer user_data,
    GInetAddress * client);
void flu_http_server_set_stream (FluHttpServer * server, const gchar * path,
    FluHttpStreamStatsFunc func);

/* Tells the element that mounted @path of a request to it refused from
 * its head alone (413, 414), already answered and closed: for its
 * statistics and access log (server thread). */
typedef void (*FluHttpRefusedFunc) (gpointer user_data,
    SoupServerMessage * msg, guint status, const gchar * why);
void flu_http_server_set_refused (FluHttpServer * server, const gchar * path,
    FluHttpRefusedFunc func);

/* Server thread only: the JSON objects of every stream on this server,
 * sorted by path, as a JSON array. */
gchar *flu_http_server_streams_json (FluHttpServer * server,
    GInetAddress * client);

/* Run @func in the server thread and wait for it to return (runs it at
 * once when called from the server thread). */
void flu_http_server_invoke_sync (FluHttpServer * server, GSourceFunc func,
    gpointer data);

/* Common response helpers. */
GSocket *flu_http_server_message_get_socket (SoupServerMessage * msg);

/* The same on headers of our own (a head written without libsoup). */
void flu_http_server_fill_common_headers (SoupMessageHeaders * headers);
void flu_http_server_set_common_headers (SoupServerMessage * msg);
/* After flu_http_server_set_common_headers (): the connection stays open
 * for the client's next request (HTTP/1.1 keep-alive, which libsoup does
 * unless the request said "Connection: close"); idle between requests it
 * is closed after the header timeout.  For answers with a known length
 * (fluhlssink's), never for a stream handed to the engine. */
void flu_http_server_keep_alive (SoupServerMessage * msg);
void flu_http_server_respond (SoupServerMessage * msg, guint status,
    const gchar * text);

/* Server thread, once the answer of @msg (status, headers, a body of
 * known length) is complete and @msg not paused: when the request and
 * the answer allow keep-alive (HTTP/1.1 without "Connection: close",
 * HTTP/1.0 with "Connection: keep-alive"), writes the answer itself,
 * Range and HEAD as libsoup would (fluhttpkeep.h), on the connection
 * taken from libsoup, and keeps the connection out of GLib's poll until
 * its next request, which goes back to libsoup.  The body's bytes are
 * told by @msg's "wrote-body-data" once written.  FALSE: not taken,
 * libsoup answers (and closes) as before. */
gboolean flu_http_server_send_kept (FluHttpServer * server,
    SoupServerMessage * msg);

/* Server thread: @func answers, without libsoup, the plain requests
 * under @prefix that arrive on kept-alive connections (fluhttpkeep.h,
 * FluHttpKeepFastFunc), or leaves them to the mount as any other. */
void flu_http_server_add_fast_prefix (FluHttpServer * server,
    const gchar * prefix, FluHttpKeepFastFunc func, gpointer user_data);
void flu_http_server_remove_fast_prefix (FluHttpServer * server,
    const gchar * prefix, gpointer user_data);
/* Both are offered the first request of a fresh connection too, and
 * HTTP/1.1 requests that close their connection.  A handler that may
 * take the connection (a stream, FluHttpFastAnswer.take) is also
 * offered HTTP/1.0 ones that close it. */
void flu_http_server_add_fast_taker (FluHttpServer * server,
    const gchar * prefix, FluHttpKeepFastFunc func, gpointer user_data);

G_END_DECLS

#endif /* __FLU_HTTP_SERVER_H__ */
