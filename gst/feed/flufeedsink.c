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

/**
 * SECTION:element-flufeedsink
 * @title: flufeedsink
 *
 * Serves a stream to other pipelines and hosts as GDP over TCP.  In
 * server mode it listens on #FluFeedSink:host / #FluFeedSink:port and
 * every reader that connects (a flufeedsrc, or a stock
 * `tcpclientsrc ! gdpdepay`) gets the stream headers first, then the
 * stream from the latest keyframe.  In client mode it connects to a
 * `flufeedsrc mode=server` and pushes the stream there, reconnecting by
 * itself when the link drops.  Inside: a GDP payloader and the fan-out
 * engine `flumultifdsink`.
 *
 * Memory bound: with no reader the queue holds the latest keyframe (or
 * #FluFeedSink:burst-time back to a keyframe), in every state; a reader
 * that lags more than #FluFeedSink:max-lag of stream time or 64 MiB,
 * whichever comes first, is dropped, so the queue never holds more than
 * the larger of that and the burst.  Checked by `harden/rss-flufeedsink-*`
 * (60 s of raw 640x360 video, no reader and a reader that never reads).
 *
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! jpegenc ! flufeedsink port=5000
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "flufeedsink.h"
#include "flufeedconn.h"
#include "flugdppay.h"
#include "flufanoutsink.h"

#include <gst/base/gstbasesink.h>

GST_DEBUG_CATEGORY_STATIC (flu_feed_sink_debug);
#define GST_CAT_DEFAULT flu_feed_sink_debug

#define DEFAULT_MODE FLU_FEED_MODE_SERVER
#define DEFAULT_HOST NULL
#define DEFAULT_PORT 0
#define DEFAULT_MAX_LAG (10 * GST_SECOND)
/* accept() failed for want of resources: try again this much later */
#define ACCEPT_RETRY_MS 200
/* connections accepted in one go before the handshakes get their turn */
#define ACCEPT_BATCH 32

enum
{
  PROP_0,
  PROP_MODE,
  PROP_HOST,
  PROP_PORT,
  PROP_CURRENT_PORT,
  PROP_SECRET,
  PROP_SECRET_FILE,
  PROP_RETRY_INITIAL,
  PROP_RETRY_MAX,
  PROP_MAX_LAG,
  PROP_BURST_TIME,
  PROP_NUM_READERS,
  PROP_CONNECTED
};

/* Lock order.
 *
 * Locks: the object lock (GST_OBJECT_LOCK) guards the properties: link
 * (mode, host, port, secret, retry-*), max_lag, burst_time, and
 * current_port.  self->lock
 * (with self->cond) guards the running state: start_sync, start_format,
 * start_value, client_fd, connected, running.  The engine (FluFanout) has
 * its own lock, inside flu_fanout_*.
 *
 * Order: the object lock and self->lock are never held together (each
 * taken alone, for a copy or a store), so there is no order between them.
 * Neither is held across a call into the engine (flu_fanout_add,
 * flu_fanout_remove, flu_fanout_set_config, flu_fanout_get_counters):
 * the engine takes its own lock and may call back on_client_fd_removed()
 * from within, which takes self->lock.
 *
 * Never called with a lock held: flu_fanout_*, flu_feed_connect and
 * flu_feed_auth (blocking network I/O), g_thread_join, and
 * gst_element_post_message / GST_ELEMENT_WARNING / g_object_notify.
 *
 * Threads: the accept thread (server mode) and the connect thread (client
 * mode) read a copy of the link taken under the object lock when they
 * start; the link's fields are MUTABLE_READY. */
struct _FluFeedSink
{
  GstBin parent;

  GstElement *pay;
  GstElement *engine;           /* the FluFanoutSink child, set in init */
  FluFanout *fanout;            /* its engine */

  GMutex lock;
  GCond cond;

  /* properties */
  FluFeedLink link;             /* mode, host, port, secret, retry-* */
  guint current_port;
  GstClockTime max_lag;
  GstClockTime burst_time;
  /* how a new reader starts (configure_engine) */
  FluSyncMethod start_sync;
  GstFormat start_format;
  guint64 start_value;

  /* server mode: the accept thread's */
  GSocket *listen;
  GCancellable *server_cancel;  /* stops the accept thread */
  GPollFD server_wake;          /* its fd, made before the thread starts */
  FluFeedGate *gate;            /* handshakes in progress, with a secret */
  gint64 refused_logged;        /* last refusal posted (rate limit) */
  guint refused_quiet;          /* refusals since, not posted */

  /* client mode */
  gint client_fd;               /* the fd given to the fan-out, -1 if none */
  gboolean connected;

  GThread *thread;
  GCancellable *cancellable;
  /* its wakeup fd, made with it and kept: GLib otherwise makes one per
   * wait, and aborts when none can be made (out of descriptors) */
  GPollFD cancel_wake;
  gboolean running;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define flu_feed_sink_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (FluFeedSink, flu_feed_sink, GST_TYPE_BIN,
    GST_DEBUG_CATEGORY_INIT (flu_feed_sink_debug, "flufeedsink", 0,
        "feed sink"));
GST_ELEMENT_REGISTER_DEFINE (flufeedsink, "flufeedsink", GST_RANK_NONE,
    FLU_TYPE_FEED_SINK);

/* The fan-out gets its own copy of the socket's fd (the GSocket closes
 * its own when unreffed); we close the copy on client-fd-removed. */
static gint
dup_fd (FluFeedSink * self, GSocket * socket)
{
  gint fd = dup (g_socket_get_fd (socket));

  if (fd < 0)
    GST_WARNING_OBJECT (self, "dup failed: %s", g_strerror (errno));
  return fd;
}

static void on_client_fd_removed (FluFanout * fanout, gint fd,
    FluClientStatus status, const GstStructure * stats, gpointer user_data);

/* Never called with self->lock held: the engine may call back
 * on_client_fd_removed() from within flu_fanout_add(). */
static void
add_fd (FluFeedSink * self, gint fd)
{
  FluSyncMethod sync;
  GstFormat format;
  guint64 value;

  g_mutex_lock (&self->lock);
  sync = self->start_sync;
  format = self->start_format;
  value = self->start_value;
  g_mutex_unlock (&self->lock);
  if (flu_fanout_add (self->fanout, fd, sync, format, value, format,
          -1) != FLU_FANOUT_ADD_OK) {
    /* stopping (or a socket the engine refuses): ours to close */
    on_client_fd_removed (self->fanout, fd, FLU_CLIENT_STATUS_REMOVED, NULL,
        self);
  }
}

static void
add_socket (FluFeedSink * self, GSocket * socket)
{
  gint fd = dup_fd (self, socket);

  if (fd >= 0)
    add_fd (self, fd);
}

static void
on_client_fd_removed (FluFanout * fanout, gint fd, FluClientStatus status,
    const GstStructure * stats, gpointer user_data)
{
  FluFeedSink *self = user_data;

  GST_DEBUG_OBJECT (self, "closing reader fd %d", fd);
  g_mutex_lock (&self->lock);
  if (fd == self->client_fd) {
    self->client_fd = -1;
    self->connected = FALSE;
    g_cond_broadcast (&self->cond);
  }
  g_mutex_unlock (&self->lock);
  close (fd);
}

static void
drop_cancellable (FluFeedSink * self)
{
  if (self->cancellable)
    g_cancellable_release_fd (self->cancellable);
  g_clear_object (&self->cancellable);
}

/* ---- server mode ---- */

/* A handshake ended (accept thread). */
static void
handshake_done (GSocket * socket, const GError * error, gpointer user_data)
{
  FluFeedSink *self = user_data;
  gchar *peer = flu_feed_socket_peer (socket);
  gint64 now = g_get_monotonic_time ();

  if (error == NULL) {
    GST_INFO_OBJECT (self, "reader %s authenticated", peer);
    add_socket (self, socket);
  } else if (now - self->refused_logged >= G_USEC_PER_SEC) {
    /* one warning a second at most, whatever a flood of peers does */
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
        ("Refused reader %s: %s", peer, error->message),
        ("the reader must set the same secret (%u more refused since the "
            "last warning)", self->refused_quiet));
    self->refused_logged = now;
    self->refused_quiet = 0;
  } else {
    GST_INFO_OBJECT (self, "refused reader %s: %s", peer, error->message);
    self->refused_quiet++;
  }
  g_free (peer);
}

/* Accepts what waits, up to ACCEPT_BATCH; FALSE when accept() failed for
 * want of resources (EMFILE, ENFILE, ENOBUFS...): the caller pauses. */
static gboolean
accept_some (FluFeedSink * self, guint * stalls)
{
  guint i;

  for (i = 0; i < ACCEPT_BATCH; i++) {
    GError *err = NULL;
    GSocket *socket = g_socket_accept (self->listen, NULL, &err);

    if (!socket) {
      gboolean pause = !g_error_matches (err, G_IO_ERROR,
          G_IO_ERROR_WOULD_BLOCK);

      /* the listening socket stays readable: going on would spin */
      if (pause && (*stalls)++ % 50 == 0)
        GST_WARNING_OBJECT (self, "cannot accept readers (%s), trying again "
            "every %d ms", err->message, ACCEPT_RETRY_MS);
      g_clear_error (&err);
      return !pause;
    }
    if (GST_LEVEL_INFO <= gst_debug_category_get_threshold (GST_CAT_DEFAULT)) {
      gchar *peer = flu_feed_socket_peer (socket);

      GST_INFO_OBJECT (self, "reader %s connected", peer);
      g_free (peer);
    }
    if (self->gate) {
      if (!flu_feed_gate_add (self->gate, socket, &err)) {
        GST_WARNING_OBJECT (self, "%s", err->message);
        g_clear_error (&err);
      }
    } else {
      add_socket (self, socket);
    }
    g_object_unref (socket);
  }
  return TRUE;
}

/* The accept thread: one poll over the listening socket, the stop
 * wakeup and every handshake in progress.  No thread, timer or wakeup fd
 * is made per connection, so running out of descriptors pauses accepting
 * (every ACCEPT_RETRY_MS) and never aborts, and a handshake in progress
 * holds nobody else back. */
static gpointer
server_thread (gpointer data)
{
  FluFeedSink *self = data;
  GPollFD fds[2 + FLU_FEED_MAX_PENDING_HANDSHAKES];
  gint64 paused_until = 0;
  guint stalls = 0;

  while (!g_cancellable_is_cancelled (self->server_cancel)) {
    gint64 now = g_get_monotonic_time ();
    gint n = 0, timeout = -1;
    gboolean listening = now >= paused_until;

    fds[n++] = self->server_wake;
    if (listening) {
      fds[n].fd = g_socket_get_fd (self->listen);
      fds[n].events = G_IO_IN;
      fds[n++].revents = 0;
    } else {
      timeout = (gint) ((paused_until - now + 999) / 1000);
    }
    if (self->gate) {
      gint t = flu_feed_gate_timeout_ms (self->gate);

      n += flu_feed_gate_fill_pollfds (self->gate, fds + n,
          G_N_ELEMENTS (fds) - n);
      if (t >= 0 && (timeout < 0 || t < timeout))
        timeout = t;
    }
    g_poll (fds, n, timeout);
    if (g_cancellable_is_cancelled (self->server_cancel))
      break;
    if (listening && fds[1].revents && !accept_some (self, &stalls))
      paused_until = g_get_monotonic_time () + ACCEPT_RETRY_MS * 1000;
    if (self->gate)
      flu_feed_gate_step (self->gate, handshake_done, self);
  }
  return NULL;
}

static gboolean
server_start (FluFeedSink * self)
{
  gchar *secret;

  GST_OBJECT_LOCK (self);
  secret = self->link.secret && *self->link.secret ?
      g_strdup (self->link.secret) : NULL;
  GST_OBJECT_UNLOCK (self);
  self->server_cancel = g_cancellable_new ();
  g_cancellable_make_pollfd (self->server_cancel, &self->server_wake);
  self->gate = secret ? flu_feed_gate_new (secret,
      FLU_FEED_MAX_PENDING_HANDSHAKES, FLU_FEED_AUTH_TIMEOUT_MS) : NULL;
  if (secret)
    memset (secret, 0, strlen (secret));
  g_free (secret);
  self->refused_logged = 0;
  self->refused_quiet = 0;
  self->thread = g_thread_new ("flufeedsink-accept", server_thread, self);
  return TRUE;
}

static void
server_stop (FluFeedSink * self)
{
  if (!self->server_cancel)
    return;
  g_cancellable_cancel (self->server_cancel);
  g_thread_join (self->thread);
  self->thread = NULL;
  g_clear_pointer (&self->gate, flu_feed_gate_free);
  g_cancellable_release_fd (self->server_cancel);
  g_clear_object (&self->server_cancel);
}

/* ---- client mode ---- */

/* Waits @ms or until stopped; returns FALSE when stopped. */
static gboolean
client_sleep (FluFeedSink * self, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  gboolean running;

  g_mutex_lock (&self->lock);
  while (self->running && g_cond_wait_until (&self->cond, &self->lock, end));
  running = self->running;
  g_mutex_unlock (&self->lock);
  return running;
}

static void
post_message (FluFeedSink * self, const FluFeedLink * link,
    const gchar * name, const gchar * reason)
{
  GstStructure *s = gst_structure_new (name, "upstream", G_TYPE_STRING,
      link->host, "port", G_TYPE_UINT, link->port, NULL);

  if (reason)
    gst_structure_set (s, "reason", G_TYPE_STRING, reason, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static gpointer
client_thread (gpointer data)
{
  FluFeedSink *self = data;
  FluFeedLink link;
  guint delay = 0;
  gint fd;

  /* the settings this thread runs with: a copy, read without the lock */
  GST_OBJECT_LOCK (self);
  flu_feed_link_copy (&link, &self->link);
  GST_OBJECT_UNLOCK (self);

  while (client_sleep (self, delay)) {
    GError *err = NULL;
    GSocketConnection *conn;
    GSocket *socket = NULL;

    fd = -1;
    conn = flu_feed_connect (link.host, link.port,
        FLU_FEED_CONNECT_TIMEOUT_MS, self->cancellable, &err);
    if (conn) {
      socket = g_socket_connection_get_socket (conn);
      if (link.secret && *link.secret &&
          !flu_feed_auth (socket, link.secret, FALSE, self->cancellable, &err))
        g_clear_object (&conn);
    }
    if (!conn) {
      if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        GST_WARNING_OBJECT (self, "cannot push to %s:%u: %s", link.host,
            link.port, err->message);
        if (g_error_matches (err, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_REFUSED)
            || g_error_matches (err, FLU_FEED_ERROR,
                FLU_FEED_ERROR_AUTH_FAILED))
          GST_ELEMENT_WARNING (self, RESOURCE, OPEN_WRITE,
              ("Feed to %s:%u refused: %s", link.host, link.port,
                  err->message), ("set the same secret on both ends"));
      }
      g_clear_error (&err);
      delay = flu_feed_backoff_next (delay, link.retry_initial, link.retry_max);
      continue;
    }

    fd = dup_fd (self, socket);
    g_object_unref (conn);      /* the fan-out has its own fd */
    if (fd < 0) {
      delay = flu_feed_backoff_next (delay, link.retry_initial, link.retry_max);
      continue;
    }
    g_mutex_lock (&self->lock);
    self->client_fd = fd;
    self->connected = TRUE;
    g_mutex_unlock (&self->lock);
    add_fd (self, fd);
    GST_INFO_OBJECT (self, "pushing to %s:%u", link.host, link.port);
    post_message (self, &link, "flufeedsink-connected", NULL);
    delay = 0;

    g_mutex_lock (&self->lock);
    while (self->running && self->client_fd == fd)
      g_cond_wait (&self->cond, &self->lock);
    g_mutex_unlock (&self->lock);
    if (self->running) {
      GST_WARNING_OBJECT (self, "lost the link to %s:%u, reconnecting",
          link.host, link.port);
      post_message (self, &link, "flufeedsink-disconnected", "connection lost");
      delay = link.retry_initial;
    }
  }
  g_mutex_lock (&self->lock);
  fd = self->client_fd;
  g_mutex_unlock (&self->lock);
  if (fd >= 0)
    flu_fanout_remove (self->fanout, fd, FALSE);
  flu_feed_link_clear (&link);
  return NULL;
}

/* ---- element ---- */

/* Every reader starts on a keyframe (after a burst of burst-time when it
 * is set) and is resynced to the latest keyframe past max-lag / 2, dropped
 * past max-lag. */
static void
configure_engine (FluFeedSink * self)
{
  FluFanoutConfig config;

  flu_fanout_config_init (&config);
  GST_OBJECT_LOCK (self);
  config.recover_policy = FLU_RECOVER_POLICY_RESYNC_KEYFRAME;
  config.unit_format = GST_FORMAT_TIME;
  config.units_soft_max = (gint64) self->max_lag / 2;
  config.units_max = (gint64) self->max_lag;
  if (self->burst_time > 0) {
    config.sync_method = FLU_SYNC_METHOD_BURST_KEYFRAME;
    config.burst_format = GST_FORMAT_TIME;
    config.burst_value = self->burst_time;
  } else {
    config.sync_method = FLU_SYNC_METHOD_LATEST_KEYFRAME;
  }
  GST_OBJECT_UNLOCK (self);
  g_mutex_lock (&self->lock);
  self->start_sync = config.sync_method;
  self->start_format = config.burst_format;
  self->start_value = config.burst_value;
  g_mutex_unlock (&self->lock);
  flu_fanout_set_config (self->fanout, &config);
  /* A feed sends what it gets at once (readers stamp buffers at arrival):
   * no waiting on the clock, which the payloader's BYTES segment would
   * make a wait on raw timestamps (x264enc's start 1000 h after zero) */
  gst_base_sink_set_sync (GST_BASE_SINK (self->engine), FALSE);
}

static gboolean
setup (FluFeedSink * self)
{
  GError *err = NULL;
  FluFeedLink link;
  guint port = 0;
  gboolean ok = TRUE;

  configure_engine (self);
  GST_OBJECT_LOCK (self);
  flu_feed_link_copy (&link, &self->link);
  GST_OBJECT_UNLOCK (self);

  if (link.mode == FLU_FEED_MODE_CLIENT) {
    if (!link.host || !*link.host || link.port == 0) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("mode=client needs host and port"),
          ("set host and port to the receiving flufeedsrc mode=server"));
      ok = FALSE;
    }
    goto done;
  }
  self->listen = flu_feed_listen (link.host, link.port, &port, &err);
  if (!self->listen) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Cannot listen on %s:%u: %s", link.host ? link.host : "*",
            link.port, err->message),
        ("choose a free port, or port=0 for any"));
    g_clear_error (&err);
    ok = FALSE;
    goto done;
  }
  GST_OBJECT_LOCK (self);
  self->current_port = port;
  GST_OBJECT_UNLOCK (self);
  GST_INFO_OBJECT (self, "listening on port %u", port);
  g_object_notify (G_OBJECT (self), "current-port");
done:
  flu_feed_link_clear (&link);
  return ok;
}

static GstStateChangeReturn
flu_feed_sink_change_state (GstElement * element, GstStateChange transition)
{
  FluFeedSink *self = FLU_FEED_SINK (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!setup (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      g_mutex_lock (&self->lock);
      self->running = FALSE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_cancellable_cancel (self->cancellable);
      if (self->server_cancel) {
        server_stop (self);
      } else if (self->thread) {
        g_thread_join (self->thread);
        self->thread = NULL;
      }
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      drop_cancellable (self);
      self->cancellable = g_cancellable_new ();
      g_cancellable_make_pollfd (self->cancellable, &self->cancel_wake);
      self->running = TRUE;
      self->client_fd = -1;
      if (self->listen)
        server_start (self);
      else
        self->thread = g_thread_new ("flufeedsink-connect", client_thread,
            self);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      if (self->listen) {
        g_socket_close (self->listen, NULL);
        g_clear_object (&self->listen);
      }
      GST_OBJECT_LOCK (self);
      self->current_port = 0;
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      break;
  }
  return ret;
}

static void
flu_feed_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluFeedSink *self = FLU_FEED_SINK (object);

  if (prop_id == PROP_SECRET_FILE) {
    flu_feed_link_set_secret_file (&self->link, GST_OBJECT (self),
        g_value_get_string (value));
    return;
  }
  GST_OBJECT_LOCK (self);
  if (flu_feed_link_set_property (&self->link, pspec->name, value)) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_MAX_LAG:
      self->max_lag = g_value_get_uint64 (value);
      break;
    case PROP_BURST_TIME:
      self->burst_time = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
flu_feed_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FluFeedSink *self = FLU_FEED_SINK (object);
  gboolean done = TRUE;

  GST_OBJECT_LOCK (self);
  if (flu_feed_link_get_property (&self->link, pspec->name, value));
  else if (prop_id == PROP_CURRENT_PORT)
    g_value_set_uint (value, self->current_port);
  else if (prop_id == PROP_MAX_LAG)
    g_value_set_uint64 (value, self->max_lag);
  else if (prop_id == PROP_BURST_TIME)
    g_value_set_uint64 (value, self->burst_time);
  else
    done = FALSE;
  GST_OBJECT_UNLOCK (self);
  if (done)
    return;

  /* the others are running state: never under the object lock */
  switch (prop_id) {
    case PROP_NUM_READERS:{
      FluFanoutCounters n;

      flu_fanout_get_counters (self->fanout, &n);
      g_value_set_uint (value, n.num_clients);
      break;
    }
    case PROP_CONNECTED:
      g_mutex_lock (&self->lock);
      g_value_set_boolean (value, self->connected);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
flu_feed_sink_finalize (GObject * object)
{
  FluFeedSink *self = FLU_FEED_SINK (object);

  flu_feed_link_clear (&self->link);
  drop_cancellable (self);
  g_clear_object (&self->listen);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static const FluFanoutCallbacks engine_callbacks = {
  NULL,
  on_client_fd_removed
};

static void
flu_feed_sink_init (FluFeedSink * self)
{
  GstPad *pad, *ghost;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  flu_feed_link_init (&self->link, DEFAULT_MODE, NULL, DEFAULT_PORT);
  self->max_lag = DEFAULT_MAX_LAG;
  self->client_fd = -1;

  self->pay = g_object_new (FLU_TYPE_GDP_PAY, "name", "pay", NULL);
  gst_bin_add (GST_BIN (self), self->pay);
  self->engine = flu_fanout_sink_new ("fanout", &engine_callbacks, self);
  self->fanout = flu_fanout_sink_get_fanout (self->engine);
  gst_bin_add (GST_BIN (self), self->engine);
  gst_element_link (self->pay, self->engine);
  pad = gst_element_get_static_pad (self->pay, "sink");
  ghost = gst_ghost_pad_new_from_template ("sink", pad,
      gst_static_pad_template_get (&sink_template));
  gst_object_unref (pad);
  gst_element_add_pad (GST_ELEMENT (self), ghost);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

static const FluFeedLinkSpec link_spec = {
  PROP_MODE, PROP_HOST, PROP_PORT, PROP_SECRET, PROP_SECRET_FILE,
  PROP_RETRY_INITIAL, PROP_RETRY_MAX,
  DEFAULT_MODE, DEFAULT_HOST,
  /* mode */
  "server: listen on host:port and serve every reader that connects; "
      "client: connect to a flufeedsrc mode=server at host:port and push "
      "the stream there, reconnecting when the link drops",
  /* host */
  "server: address to listen on (NULL = all IPv4 interfaces); "
      "client: host to push to",
  /* port */
  "server: TCP port to listen on (0 = any free port, see "
      "current-port); client: port to push to",
  /* secret */
  "Shared secret: when set, every peer must prove it knows the same "
      "secret (HMAC-SHA256 challenge before the GDP stream) and is "
      "refused otherwise; NULL = no authentication (write-only)",
  /* retry-initial */
  "client mode: milliseconds before the first reconnection attempt; "
      "doubled after every failed attempt up to retry-max",
  /* retry-max */
  "client mode: longest delay between reconnection attempts, in "
      "milliseconds",
};

static void
flu_feed_sink_class_init (FluFeedSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = flu_feed_sink_set_property;
  gobject_class->get_property = flu_feed_sink_get_property;
  gobject_class->finalize = flu_feed_sink_finalize;

  flu_feed_link_install_properties (gobject_class, &link_spec);
  g_object_class_install_property (gobject_class, PROP_CURRENT_PORT,
      g_param_spec_uint ("current-port", "Current port",
          "The port listened on in server mode, known from the READY state "
          "on (0 = not listening)", 0, 65535, 0, ro));
  g_object_class_install_property (gobject_class, PROP_MAX_LAG,
      g_param_spec_uint64 ("max-lag", "Maximum reader lag",
          "Nanoseconds of stream a reader may fall behind before it is "
          "dropped; at half of it, it is moved to the latest keyframe",
          GST_SECOND / 10, G_MAXINT64, DEFAULT_MAX_LAG, rw));
  g_object_class_install_property (gobject_class, PROP_BURST_TIME,
      g_param_spec_uint64 ("burst-time", "Burst time",
          "Nanoseconds of stream to send a new reader at once: it starts at "
          "a keyframe at least this far back (sync-method burst-keyframe), "
          "so its buffer fills quickly; 0 = start at the latest keyframe",
          0, G_MAXINT64, 0, rw));
  g_object_class_install_property (gobject_class, PROP_NUM_READERS,
      g_param_spec_uint ("num-readers", "Number of readers",
          "Readers currently served (in client mode: 1 while connected)",
          0, G_MAXUINT, 0, ro));
  g_object_class_install_property (gobject_class, PROP_CONNECTED,
      g_param_spec_boolean ("connected", "Connected",
          "client mode: whether the link to the receiver is up", FALSE, ro));

  element_class->change_state = flu_feed_sink_change_state;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class, "Feed sink",
      "Sink/Network",
      "Serves a stream as GDP over TCP to flufeedsrc or tcpclientsrc ! "
      "gdpdepay readers, or pushes it to a flufeedsrc mode=server",
      "gst-flumotion developers");
  gst_type_mark_as_plugin_api (FLU_TYPE_FEED_MODE, 0);
}
