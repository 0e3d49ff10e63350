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

/* Requests waiting for caps on their own sockets (see fluhttpwait.h).
 * Every function runs in the server thread. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpwait.h"
#include "fluhttpcheck.h"
#include "fluhttpclient.h"
#include "fluhttpresponse.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <glib-unix.h>

#define GST_CAT_DEFAULT flu_http_sink_debug

typedef struct
{
  FluHttpSink *sink;
  gint fd;
  FluHttpViewer *viewer;        /* not counted as a viewer yet */
  GSource *timeout;
  GSource *watch;
  gchar *icy_ask;               /* the request's Icy-MetaData */
} Waiter;

static void
waiter_free (Waiter * w)
{
  g_source_destroy (w->timeout);
  g_source_unref (w->timeout);
  g_source_destroy (w->watch);
  g_source_unref (w->watch);
  if (w->fd >= 0)
    close (w->fd);
  if (w->viewer)
    flu_http_client_free (w->viewer);
  g_free (w->icy_ask);
  g_free (w);
}

/* lock held: @w leaves the list and gives back its seat */
static void
waiter_unlink (FluHttpSink * sink, Waiter * w)
{
  sink->waiting_fds = g_list_remove (sink->waiting_fds, w);
  sink->n_waiting--;
  flu_http_stats_waiting (&sink->stats, -1);
  flu_http_per_ip_release (sink, w->viewer->host);
}

/* The whole of @len bytes on the non-blocking @fd, whose send buffer is
 * empty (nothing was written on it yet): a head fits at once, or the peer
 * is gone. */
static gboolean
write_all (gint fd, const gchar * data, gsize len)
{
  while (len > 0) {
    gssize n = send (fd, data, len, MSG_NOSIGNAL);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}

void
flu_http_client_send_head (FluHttpSink * sink, FluHttpViewer * c, gint fd,
    const gchar * head)
{
  gint on = 1;

  /* held in the kernel until the engine's first write uncorks it, as for
   * a head libsoup writes (fluhttpclient.c) */
  setsockopt (fd, IPPROTO_TCP, TCP_CORK, &on, sizeof (on));
  if (!write_all (fd, head, strlen (head))) {
    GST_DEBUG_OBJECT (sink, "%s left before its head", c->host);
    close (fd);
    flu_http_client_abandon (sink, c);
  } else {
    flu_http_client_stream_fd (sink, c, fd);
  }
}

static void
log_answer (FluHttpSink * sink, FluHttpViewer * v, guint status)
{
  FluHttpLogEntry e = { 0 };

  if (!v->log)
    return;
  e.host = v->host;
  e.user = v->user;
  e.method = v->method;
  e.path = v->path;
  e.protocol = v->protocol;
  e.status = status;
  e.referer = v->referer;
  e.user_agent = v->user_agent;
  e.start_time = g_get_real_time ();
  flu_http_access_log_write (sink->log, &e);
}

/* lock not held: a refusal on @w's socket, as flu_http_server_respond ()
 * words it, with Location (@location) or Retry-After (@retry_after) */
static void
refuse (FluHttpSink * sink, Waiter * w, guint status, const gchar * why,
    const gchar * location, guint retry_after)
{
  SoupMessageHeaders *h = soup_message_headers_new
      (SOUP_MESSAGE_HEADERS_RESPONSE);
  const gchar *phrase = flu_http_server_status_phrase (status);
  gchar *body = g_strdup_printf ("%u %s: %s\n", status, phrase, why);
  gchar *head;

  GST_INFO_OBJECT (sink, "%s %s from %s: %u (%s)", w->viewer->method,
      w->viewer->path, w->viewer->host, status, why);
  flu_http_server_fill_common_headers (h);
  soup_message_headers_set_content_type (h, "text/plain; charset=utf-8", NULL);
  soup_message_headers_set_content_length (h, strlen (body));
  if (location)
    soup_message_headers_replace (h, "Location", location);
  else if (retry_after) {
    gchar *v = g_strdup_printf ("%u", retry_after);

    soup_message_headers_replace (h, "Retry-After", v);
    g_free (v);
  }
  head = flu_http_head_serialize (w->viewer->protocol, status, h);
  if (!write_all (w->fd, head, strlen (head)) ||
      !write_all (w->fd, body, strlen (body)))
    GST_DEBUG_OBJECT (sink, "%s left before its answer", w->viewer->host);
  /* no reset of what was sent by a close with unread data */
  shutdown (w->fd, SHUT_WR);
  flu_http_stats_refused (&sink->stats);
  log_answer (sink, w->viewer, status);
  soup_message_headers_unref (h);
  g_free (head);
  g_free (body);
}

static void
waiter_finish (Waiter * w, gboolean have_caps)
{
  FluHttpSink *sink = w->sink;
  g_autoptr (FluHttpSinkSettings) p = NULL;
  SoupMessageHeaders *h;
  const gchar *why = NULL;
  gchar *head;
  guint status;

  g_mutex_lock (&sink->lock);
  waiter_unlink (sink, w);
  p = g_atomic_rc_box_acquire (sink->settings);
  if (!have_caps) {
    g_mutex_unlock (&sink->lock);
    refuse (sink, w, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "the stream has not started", NULL, 5);
    waiter_free (w);
    return;
  }
  /* the limits again, now that the stream (and its bitrate) is there:
   * the seat this request held is given back just above */
  status = flu_http_check_limits (sink, p, w->viewer->host, &why);
  if (status != SOUP_STATUS_NONE) {
    g_mutex_unlock (&sink->lock);
    if (status == SOUP_STATUS_SERVICE_UNAVAILABLE &&
        p->redirect_on_overflow && *p->redirect_on_overflow)
      refuse (sink, w, SOUP_STATUS_FOUND, why, p->redirect_on_overflow, 0);
    else
      refuse (sink, w, status, why, NULL, p->retry_after);
    waiter_free (w);
    return;
  }
  h = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  flu_http_fill_stream_headers (sink, h);
  w->viewer->icy_metaint = flu_http_icy_answer_headers (sink->icy, w->icy_ask,
      h, sink->caps);
  flu_http_client_count (sink, w->viewer);
  g_mutex_unlock (&sink->lock);
  head = flu_http_head_serialize (w->viewer->protocol, SOUP_STATUS_OK, h);
  soup_message_headers_unref (h);

  flu_http_client_send_head (sink, g_steal_pointer (&w->viewer), w->fd, head);
  w->fd = -1;
  g_free (head);
  waiter_free (w);
}

static gboolean
waiter_timed_out (gpointer data)
{
  waiter_finish (data, FALSE);
  return G_SOURCE_REMOVE;
}

/* the socket is readable: the peer left (EOF, error) or sent more, which
 * is read and dropped (every answer closes the connection) */
static gboolean
waiter_readable (gint fd, GIOCondition cond, gpointer data)
{
  Waiter *w = data;
  FluHttpSink *sink = w->sink;
  gchar buf[512];
  gssize n;

  do
    n = recv (fd, buf, sizeof (buf), MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
    return G_SOURCE_CONTINUE;
  GST_DEBUG_OBJECT (sink, "%s left while waiting for caps", w->viewer->host);
  g_mutex_lock (&sink->lock);
  waiter_unlink (sink, w);
  g_mutex_unlock (&sink->lock);
  waiter_free (w);
  return G_SOURCE_REMOVE;
}

gboolean
flu_http_wait_take (FluHttpSink * sink, SoupServerMessage * msg,
    const gchar * user, const gchar * host)
{
  GSocket *sock = flu_http_server_message_get_socket (msg);
  GMainContext *context = flu_http_server_get_context (sink->server);
  GIOStream *stream;
  Waiter *w;
  gint fd;

  if (sock == NULL || host == NULL ||
      (fd = fcntl (g_socket_get_fd (sock), F_DUPFD_CLOEXEC, 3)) < 0)
    return FALSE;
  w = g_new0 (Waiter, 1);
  w->sink = sink;
  w->fd = fd;
  w->viewer = flu_http_viewer_new (sink, msg, user);
  w->icy_ask = g_strdup (soup_message_headers_get_one
      (soup_server_message_get_request_headers (msg), "Icy-MetaData"));
  /* libsoup lets go of the connection and frees its buffers; the socket
   * lives on in our copy of the descriptor */
  stream = soup_server_message_steal_connection (msg);
  if (stream) {
    g_io_stream_close (stream, NULL, NULL);
    g_object_unref (stream);
  }
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);

  GST_DEBUG_OBJECT (sink, "no caps yet, %s waits up to %u s on its socket",
      w->viewer->host, sink->settings->caps_timeout);
  /* a viewer to come: it counts for its address and for client-limit
   * (n_waiting) from now on */
  flu_http_per_ip_take (sink, w->viewer->host);
  w->timeout = g_timeout_source_new_seconds (sink->settings->caps_timeout);
  g_source_set_callback (w->timeout, waiter_timed_out, w, NULL);
  g_source_attach (w->timeout, context);
  w->watch = g_unix_fd_source_new (fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (w->watch, G_SOURCE_FUNC (waiter_readable), w, NULL);
  g_source_attach (w->watch, context);
  sink->waiting_fds = g_list_prepend (sink->waiting_fds, w);
  sink->n_waiting++;
  flu_http_stats_waiting (&sink->stats, 1);
  return TRUE;
}

void
flu_http_wait_release (FluHttpSink * sink, gboolean have_caps)
{
  GList *list, *l;

  g_mutex_lock (&sink->lock);
  list = g_list_copy (sink->waiting_fds);
  g_mutex_unlock (&sink->lock);
  for (l = list; l; l = l->next)
    waiter_finish (l->data, have_caps);
  g_list_free (list);
}
