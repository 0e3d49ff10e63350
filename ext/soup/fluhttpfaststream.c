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
/* fluhttpsink's stream on the fast path (see fluhttpfaststream.h).
 *
 * A request is ours only when the libsoup path would take it at once,
 * from what the fast path gives (the client's address and the request
 * head), with the same functions: GET of the mount point with no query,
 * no Range, no Icy-MetaData, from an address that passes allow / deny,
 * no htpasswd, no token-secret, the caps known, the limits
 * (flu_http_check_limits ()) leaving room, the source not silent, the
 * element serving.  Anything else (HEAD, OPTIONS, credentials, a
 * refusal, waiting for caps, the stats paths) goes to libsoup, nothing
 * read, which answers as before.
 *
 * Ours: the viewer is counted (under the lock, with its check), the
 * head made as fluhttpwait.c makes it for a viewer that waited for the
 * caps (flu_http_head_serialize (): status line, Date, the stream's
 * headers as flu_http_set_stream_headers () fills them), and once the
 * request is read off the socket fluhttpkeep.c gives us a descriptor
 * of our own (a dup, as fluhttpclient.c's hand-over takes from libsoup):
 * the head is written, corked, and the descriptor goes to the engine
 * (flu_http_client_stream_fd ()): the same bus messages, statistics,
 * access-log line and end as any viewer.  Server thread; the sink's
 * lock is taken for the checks and the count, as stream_go_on () does. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpfaststream.h"
#include "fluhttpcheck.h"
#include "fluhttpclient.h"
#include "fluhttpresponse.h"
#include "fluhttpwait.h"

#include <unistd.h>

#define GST_CAT_DEFAULT flu_http_sink_debug

/* the prefix the handler is registered under: every path of the
 * element's mounts (the mount point may change while serving) */
#define EVERY_PATH "/"

typedef struct
{
  FluHttpSink *sink;
  FluHttpViewer *viewer;        /* counted */
  gchar *head;
} Taking;

/* fluhttpkeep.c read the request: @fd is ours (or -1: lost) */
static void
take (gpointer data, gint fd)
{
  Taking *t = data;

  if (fd < 0) {
    flu_http_client_abandon (t->sink, t->viewer);
  } else {
    flu_http_stats_fast_answer (&t->sink->stats);
    flu_http_client_send_head (t->sink, t->viewer, fd, t->head);
  }
  gst_object_unref (t->sink);
  g_free (t->head);
  g_free (t);
}

/* FluHttpKeepFastFunc */
static gboolean
fast_stream (gpointer user_data, const gchar * method, const gchar * path,
    GHashTable * query, SoupMessageHeaders * request,
    FluHttpFastAnswer * answer)
{
  FluHttpSink *sink = user_data;
  g_autoptr (FluHttpSinkSettings) p = flu_http_sink_ref_settings (sink);
  const gchar *protocol = answer->version == SOUP_HTTP_1_0 ? "HTTP/1.0" :
      "HTTP/1.1";
  const gchar *why = NULL;
  SoupMessageHeaders *h;
  FluHttpViewer *v;
  Taking *t;
  gchar *host;

  if (method != SOUP_METHOD_GET || answer->peer == NULL || query != NULL ||
      g_strcmp0 (path, p->mount_point) != 0 ||
      soup_message_headers_get_one (request, "Range") ||
      soup_message_headers_get_one (request, "Icy-MetaData") ||
      (p->htpasswd && *p->htpasswd) || p->users ||
      !flu_http_check_address_in (p, answer->peer) ||
      flu_http_check_token (p, NULL, &why) != SOUP_STATUS_NONE)
    return FALSE;
  host = g_inet_address_to_string (answer->peer);
  g_mutex_lock (&sink->lock);
  /* what libsoup's path would not serve at once (fluhttprequest.c's
   * stream_go_on ()): it answers, or waits for the caps */
  if (sink->caps == NULL ||
      flu_http_check_limits (sink, p, host, &why) != SOUP_STATUS_NONE ||
      flu_http_check_on_air (sink, p, &why) != SOUP_STATUS_NONE) {
    g_mutex_unlock (&sink->lock);
    g_free (host);
    return FALSE;
  }
  v = flu_http_viewer_new_from (sink, answer->peer, method, path, protocol,
      request, NULL);
  h = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  flu_http_fill_stream_headers (sink, h);
  v->icy_metaint = flu_http_icy_answer_headers (sink->icy, NULL, h, sink->caps);
  flu_http_client_count (sink, v);
  g_mutex_unlock (&sink->lock);
  g_free (host);

  t = g_new0 (Taking, 1);
  t->sink = gst_object_ref (sink);
  t->viewer = v;
  t->head = flu_http_head_serialize (protocol, SOUP_STATUS_OK, h);
  soup_message_headers_unref (h);
  answer->take = take;
  answer->take_data = t;
  GST_LOG_OBJECT (sink, "GET %s from %s on the fast path", path, v->host);
  return TRUE;
}

typedef struct
{
  FluHttpSink *sink;
  FluHttpServer *server;
  gboolean add;
} Reg;

static gboolean
reg_in_thread (gpointer data)
{
  Reg *r = data;

  if (r->add)
    flu_http_server_add_fast_taker (r->server, EVERY_PATH, fast_stream,
        r->sink);
  else
    flu_http_server_remove_fast_prefix (r->server, EVERY_PATH, r->sink);
  return G_SOURCE_REMOVE;
}

void
flu_http_fast_stream_start (FluHttpSink * sink, FluHttpServer * server)
{
  Reg r = { sink, server, TRUE };

  flu_http_server_invoke_sync (server, reg_in_thread, &r);
}

void
flu_http_fast_stream_stop (FluHttpSink * sink, FluHttpServer * server)
{
  Reg r = { sink, server, FALSE };

  flu_http_server_invoke_sync (server, reg_in_thread, &r);
}
