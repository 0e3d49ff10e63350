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


/* fluhttpsink's viewers: one record (FluHttpViewer) per accepted request,
 * kept in the sink's clients table (fd -> FluHttpViewer) once the engine
 * has its socket.  Private to the element. */

#ifndef __FLU_HTTP_CLIENT_H__
#define __FLU_HTTP_CLIENT_H__

#include "fluhttpsinkpriv.h"

G_BEGIN_DECLS

/* one viewer of the stream, from its accepted request to its end */
typedef struct
{
  gint fd;
  guint64 serial;
  gboolean removed;
  gchar *host;
  gchar *user;
  gchar *method;
  gchar *path;
  gchar *protocol;
  gchar *referer;
  gchar *user_agent;
  gint64 start_wall;
  gint64 start_mono;
  gboolean log;                 /* not in access-log-exclude */
  const gchar *reason;          /* overrides the engine's status */
  GSource *duration_timer;
  guint icy_metaint;            /* announced icy-metaint, 0 = plain */
} FluHttpViewer;

void flu_http_client_free (FluHttpViewer * c);

/* lock held: the request is accepted; count the viewer, answer 200 with
 * the stream's headers and hand the socket to the engine once they are
 * written. */
void flu_http_client_start (FluHttpSink * sink, SoupServerMessage * msg,
    const gchar * user);

/* lock held: the record of @msg's viewer, not counted yet */
FluHttpViewer *flu_http_viewer_new (FluHttpSink * sink,
    SoupServerMessage * msg, const gchar * user);
/* lock held: the same from the request's parts (@addr: the client's,
 * or NULL; @target: the path and query as the access log writes it;
 * @h: the request headers) */
FluHttpViewer *flu_http_viewer_new_from (FluHttpSink * sink,
    GInetAddress * addr, const gchar * method, const gchar * target,
    const gchar * protocol, SoupMessageHeaders * h, const gchar * user);
/* lock held: count @c in (per address, statistics) */
void flu_http_client_count (FluHttpSink * sink, FluHttpViewer * c);
/* lock not held: @c (counted) never got to the engine: uncount, free */
void flu_http_client_abandon (FluHttpSink * sink, FluHttpViewer * c);
/* lock not held, server thread: @c (counted) has its head written on @fd,
 * which is ours: hand it to the engine (or end the viewer when stopping) */
void flu_http_client_stream_fd (FluHttpSink * sink, FluHttpViewer * c,
    gint fd);

/* lock held: the connected viewers, for the JSON stats; each entry's fd
 * is the viewer's socket, for the caller to ask the engine its bytes. */
GPtrArray *flu_http_client_list (FluHttpSink * sink);

/* The engine's FluFanoutCallbacks (any thread, no engine lock held);
 * @user_data is the sink. */
void flu_http_client_on_removed (FluFanout * fanout, gint fd,
    FluClientStatus status, gpointer user_data);
void flu_http_client_on_fd_removed (FluFanout * fanout, gint fd,
    FluClientStatus status, const GstStructure * stats, gpointer user_data);

/* After the engine stopped: finishes and closes the sockets it did not
 * give back. */
void flu_http_client_close_remaining (FluHttpSink * sink);

G_END_DECLS

#endif /* __FLU_HTTP_CLIENT_H__ */
