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


/* fluhttpsink's viewers: the record of each one, from the accepted request
 * through the hand-over of its socket to the engine to its end (access-log
 * line, client-added / client-removed bus messages, per-address and
 * statistics accounting, max-duration). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpclient.h"
#include "fluhttpcheck.h"
#include "fluhttpresponse.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#define GST_CAT_DEFAULT flu_http_sink_debug

void
flu_http_client_free (FluHttpViewer * c)
{
  if (c->duration_timer) {
    g_source_destroy (c->duration_timer);
    g_source_unref (c->duration_timer);
  }
  g_free (c->host);
  g_free (c->user);
  g_free (c->method);
  g_free (c->path);
  g_free (c->protocol);
  g_free (c->referer);
  g_free (c->user_agent);
  g_free (c);
}

/* An accepted viewer that never got to the engine. */
void
flu_http_client_abandon (FluHttpSink * sink, FluHttpViewer * c)
{
  flu_http_stats_client_removed (&sink->stats, 0);
  g_mutex_lock (&sink->lock);
  flu_http_per_ip_release (sink, c->host);
  g_mutex_unlock (&sink->lock);
  flu_http_client_free (c);
}

typedef struct
{
  FluHttpSink *sink;
  gint fd;
  guint64 serial;
} TimerData;

static gboolean
max_duration_reached (gpointer data)
{
  TimerData *t = data;
  FluHttpViewer *c;
  gboolean remove = FALSE;

  g_mutex_lock (&t->sink->lock);
  c = g_hash_table_lookup (t->sink->clients, GINT_TO_POINTER (t->fd));
  if (c && c->serial == t->serial && !c->removed) {
    c->reason = "max-duration";
    remove = TRUE;
  }
  g_mutex_unlock (&t->sink->lock);
  if (remove) {
    GST_INFO_OBJECT (t->sink, "client %d reached max-duration", t->fd);
    flu_fanout_remove (t->sink->fanout, t->fd, FALSE);
  }
  return G_SOURCE_REMOVE;
}

static void
post_client_message (FluHttpSink * sink, GstStructure * s)
{
  flu_bus_batch_post (sink->messages, s);
}

static void release_client (FluHttpSink * sink, gint fd,
    FluClientStatus status, const GstStructure * stats);

/* "wrote-headers": the head is out, give the socket to the engine. */
static void
hand_over (SoupServerMessage * msg, gpointer data)
{
  FluHttpSink *sink = data;
  FluHttpViewer *c = g_object_steal_data (G_OBJECT (msg), "flu-client");
  GSocket *sock = flu_http_server_message_get_socket (msg);
  GIOStream *stream;
  gint fd = -1;

  if (c == NULL)
    return;
  /* a dup, closed at the viewer's end, and the original closed now with
   * the stream: two close() per viewer, but GSocket closes its fd
   * whatever we do (there is no way to take it from GIO) */
  if (sock)
    fd = fcntl (g_socket_get_fd (sock), F_DUPFD_CLOEXEC, 3);
  stream = soup_server_message_steal_connection (msg);
  if (stream) {
    g_io_stream_close (stream, NULL, NULL);
    g_object_unref (stream);
  }
  if (fd < 0) {
    GST_WARNING_OBJECT (sink, "could not take the socket of %s", c->host);
    flu_http_client_abandon (sink, c);
    return;
  }
  flu_http_client_stream_fd (sink, c, fd);
}

/* Lock not held, server thread: @c's head is written on @fd (ours now):
 * give it to the engine. */
void
flu_http_client_stream_fd (FluHttpSink * sink, FluHttpViewer * c, gint fd)
{
  guint duration;
  FluSyncMethod sync;
  GstFormat format;
  guint64 value;
  FluFanoutAddResult result;
  FluFanoutInterleave il;

  g_mutex_lock (&sink->lock);
  if (sink->server == NULL) {
    /* stopping: the engine may be gone already */
    g_mutex_unlock (&sink->lock);
    GST_DEBUG_OBJECT (sink, "stopping, not streaming to %s", c->host);
    close (fd);
    flu_http_client_abandon (sink, c);
    return;
  }
  c->fd = fd;
  c->serial = ++sink->serial;
  c->start_mono = g_get_monotonic_time ();
  duration = sink->settings->max_duration;
  sync = sink->start_sync;
  format = sink->start_format;
  value = sink->start_value;
  if (duration && sink->server) {
    TimerData *t = g_new0 (TimerData, 1);

    t->sink = sink;
    t->fd = fd;
    t->serial = c->serial;
    c->duration_timer = g_timeout_source_new_seconds (duration);
    g_source_set_callback (c->duration_timer, max_duration_reached, t, g_free);
    g_source_attach (c->duration_timer,
        flu_http_server_get_context (sink->server));
  }
  g_hash_table_insert (sink->clients, GINT_TO_POINTER (fd), c);
  g_mutex_unlock (&sink->lock);

  GST_DEBUG_OBJECT (sink, "streaming to %s on fd %d", c->host, fd);
  post_client_message (sink, gst_structure_new ("fluhttpsink-client-added",
          "fd", G_TYPE_INT, fd,
          "address", G_TYPE_STRING, c->host,
          "user-agent", G_TYPE_STRING, c->user_agent,
          "user", G_TYPE_STRING, c->user,
          "path", G_TYPE_STRING, c->path, NULL));
  flu_http_icy_viewer_interleave (sink->icy, c->icy_metaint, &il);
  result = flu_fanout_add_interleaved (sink->fanout, fd, sync, format, value,
      format, -1, &il);
  if (result != FLU_FANOUT_ADD_OK && il.destroy)
    il.destroy (il.user_data);
  if (result != FLU_FANOUT_ADD_OK) {
    /* the engine stopped meanwhile (or refused the socket): the viewer
     * ends here, logged and counted like any other */
    GST_DEBUG_OBJECT (sink, "the engine did not take fd %d (%d)", fd, result);
    release_client (sink, fd, result == FLU_FANOUT_ADD_NOT_RUNNING ?
        FLU_CLIENT_STATUS_REMOVED : FLU_CLIENT_STATUS_ERROR, NULL);
  }
}

static void
unref_sink (gpointer data, GClosure * closure)
{
  gst_object_unref (data);
}

/* "finished" before the head went out: the client left early. */
static void
stream_finished (SoupServerMessage * msg, gpointer data)
{
  FluHttpViewer *c = g_object_steal_data (G_OBJECT (msg), "flu-client");

  if (c)
    flu_http_client_abandon (data, c);
}

/* Hold the response head libsoup is about to write in the kernel until
 * the engine's first write (headers and keyframe) uncorks the socket, so
 * the viewer gets both in one go: one wake-up per new viewer instead of
 * two, and the HTTP thread does not pay for delivering the head. */
static void
cork (SoupServerMessage * msg)
{
  GSocket *sock = flu_http_server_message_get_socket (msg);
  gint on = 1;

  if (sock && setsockopt (g_socket_get_fd (sock), IPPROTO_TCP, TCP_CORK, &on,
          sizeof (on)) < 0)
    GST_DEBUG ("TCP_CORK: %s", g_strerror (errno));
}

/* lock held: the client is accepted, count it and stream once the head
 * has been written. */
FluHttpViewer *
flu_http_viewer_new (FluHttpSink * sink, SoupServerMessage * msg,
    const gchar * user)
{
  GInetAddress *addr = flu_http_client_address (msg);
  gchar *target = flu_http_request_target (msg);
  FluHttpViewer *c = flu_http_viewer_new_from (sink, addr,
      soup_server_message_get_method (msg), target,
      flu_http_protocol_name (msg),
      soup_server_message_get_request_headers (msg), user);

  g_free (target);
  g_clear_object (&addr);
  return c;
}

/* lock held */
FluHttpViewer *
flu_http_viewer_new_from (FluHttpSink * sink, GInetAddress * addr,
    const gchar * method, const gchar * target, const gchar * protocol,
    SoupMessageHeaders * h, const gchar * user)
{
  FluHttpViewer *c = g_new0 (FluHttpViewer, 1);

  c->fd = -1;
  c->host = addr ? g_inet_address_to_string (addr) : g_strdup ("-");
  c->user = g_strdup (user);
  c->method = g_strdup (method);
  c->path = g_strdup (target);
  c->protocol = g_strdup (protocol);
  c->referer = g_strdup (soup_message_headers_get_one (h, "Referer"));
  c->user_agent = g_strdup (soup_message_headers_get_one (h, "User-Agent"));
  c->start_wall = g_get_real_time ();
  c->log = !flu_http_cidr_list_match (sink->settings->filter_list, addr);
  return c;
}

/* lock held */
void
flu_http_client_count (FluHttpSink * sink, FluHttpViewer * c)
{
  flu_http_per_ip_take (sink, c->host);
  flu_http_stats_client_added (&sink->stats);
}

void
flu_http_client_start (FluHttpSink * sink, SoupServerMessage * msg,
    const gchar * user)
{
  FluHttpViewer *c = flu_http_viewer_new (sink, msg, user);

  flu_http_client_count (sink, c);

  c->icy_metaint = flu_http_set_stream_headers (sink, msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  cork (msg);
  g_object_set_data_full (G_OBJECT (msg), "flu-client", c,
      (GDestroyNotify) flu_http_client_free);
  g_signal_connect_data (msg, "wrote-headers", G_CALLBACK (hand_over),
      gst_object_ref (sink), unref_sink, 0);
  g_signal_connect_data (msg, "finished", G_CALLBACK (stream_finished),
      gst_object_ref (sink), unref_sink, 0);
}

/* lock held */
GPtrArray *
flu_http_client_list (FluHttpSink * sink)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify)
      flu_http_client_stat_free);
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, sink->clients);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    FluHttpViewer *c = value;
    FluHttpClientStat *cs;

    if (c->removed)
      continue;
    cs = g_new0 (FluHttpClientStat, 1);
    cs->host = g_strdup (c->host);
    cs->user = g_strdup (c->user);
    cs->user_agent = g_strdup (c->user_agent);
    cs->seconds = (now - c->start_mono) / G_USEC_PER_SEC;
    cs->fd = c->fd;
    g_ptr_array_add (list, cs);
  }
  return list;
}

static void
finish_client (FluHttpSink * sink, FluHttpViewer * c, FluClientStatus status,
    const GstStructure * st)
{
  guint64 bytes = 0, drops = 0, resyncs = 0, seconds;
  const gchar *reason;

  if (st) {
    gst_structure_get_uint64 (st, "bytes-sent", &bytes);
    gst_structure_get_uint64 (st, "buffers-dropped", &drops);
    gst_structure_get_uint64 (st, "resyncs", &resyncs);
  }
  seconds = (g_get_monotonic_time () - c->start_mono) / G_USEC_PER_SEC;
  reason = c->reason ? c->reason : flu_client_status_nick (status);

  g_mutex_lock (&sink->lock);
  c->removed = TRUE;
  if (c->duration_timer) {
    g_source_destroy (c->duration_timer);
    g_clear_pointer (&c->duration_timer, g_source_unref);
  }
  flu_http_per_ip_release (sink, c->host);
  g_mutex_unlock (&sink->lock);
  flu_http_stats_client_removed (&sink->stats, bytes);

  if (c->log) {
    FluHttpLogEntry e = { c->host, c->user, c->method, c->path, c->protocol,
      SOUP_STATUS_OK, bytes, c->referer, c->user_agent, c->start_wall,
      seconds
    };
    flu_http_access_log_write (sink->log, &e);
  }
  GST_DEBUG_OBJECT (sink, "client %s on fd %d left (%s) after %"
      G_GUINT64_FORMAT " bytes", c->host, c->fd, reason, bytes);
  post_client_message (sink, gst_structure_new ("fluhttpsink-client-removed",
          "fd", G_TYPE_INT, c->fd,
          "address", G_TYPE_STRING, c->host,
          "user-agent", G_TYPE_STRING, c->user_agent,
          "user", G_TYPE_STRING, c->user,
          "path", G_TYPE_STRING, c->path,
          "bytes", G_TYPE_UINT64, bytes,
          "duration", G_TYPE_UINT64, seconds * GST_SECOND,
          "drops", G_TYPE_UINT64, drops,
          "resyncs", G_TYPE_UINT64, resyncs,
          "reason", G_TYPE_STRING, reason, NULL));
}

void
flu_http_client_on_removed (FluFanout * fanout, gint fd,
    FluClientStatus status, gpointer user_data)
{
  FluHttpSink *sink = user_data;
  GstStructure *st;
  FluHttpViewer *c;

  g_mutex_lock (&sink->lock);
  c = g_hash_table_lookup (sink->clients, GINT_TO_POINTER (fd));
  if (c == NULL || c->removed) {
    g_mutex_unlock (&sink->lock);
    return;
  }
  c->removed = TRUE;
  g_mutex_unlock (&sink->lock);
  st = flu_fanout_get_stats (fanout, fd);
  finish_client (sink, c, status, st);
  if (st)
    gst_structure_free (st);
}

/* The socket is ours again: finish the viewer if nothing did, close. */
static void
release_client (FluHttpSink * sink, gint fd, FluClientStatus status,
    const GstStructure * stats)
{
  FluHttpViewer *c;
  gboolean finish;

  g_mutex_lock (&sink->lock);
  c = g_hash_table_lookup (sink->clients, GINT_TO_POINTER (fd));
  if (c == NULL) {
    g_mutex_unlock (&sink->lock);
    return;
  }
  g_hash_table_steal (sink->clients, GINT_TO_POINTER (fd));
  finish = !c->removed;
  c->removed = TRUE;
  g_mutex_unlock (&sink->lock);
  if (finish)
    finish_client (sink, c, status, stats);
  close (fd);
  flu_http_client_free (c);
}

void
flu_http_client_on_fd_removed (FluFanout * fanout, gint fd,
    FluClientStatus status, const GstStructure * stats, gpointer user_data)
{
  release_client (user_data, fd, status, stats);
}

/* After the engine stopped: sockets it did not give back are ours. */
void
flu_http_client_close_remaining (FluHttpSink * sink)
{
  GList *fds, *l;

  g_mutex_lock (&sink->lock);
  fds = g_hash_table_get_keys (sink->clients);
  g_mutex_unlock (&sink->lock);
  for (l = fds; l; l = l->next) {
    g_mutex_lock (&sink->lock);
    {
      FluHttpViewer *c = g_hash_table_lookup (sink->clients, l->data);
      if (c && !c->removed)
        c->reason = "stopped";
    }
    g_mutex_unlock (&sink->lock);
    release_client (sink, GPOINTER_TO_INT (l->data),
        FLU_CLIENT_STATUS_REMOVED, NULL);
  }
  g_list_free (fds);
}
