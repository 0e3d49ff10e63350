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
#include <unistd.h>

#include "flufeedsink.h"
#include "flufeedconn.h"
#include "flugdppay.h"

GST_DEBUG_CATEGORY_STATIC (flu_feed_sink_debug);
#define GST_CAT_DEFAULT flu_feed_sink_debug

/* multifdsink enum values (GstMultiHandleSink's) */
#define SYNC_METHOD_LATEST_KEYFRAME 2
#define SYNC_METHOD_BURST_KEYFRAME 4
#define RECOVER_POLICY_KEYFRAME 3

#define DEFAULT_MODE FLU_FEED_MODE_SERVER
#define DEFAULT_HOST NULL
#define DEFAULT_PORT 0
#define DEFAULT_MAX_LAG (10 * GST_SECOND)
#define MAX_HANDSHAKES 8

enum
{
  PROP_0,
  PROP_MODE,
  PROP_HOST,
  PROP_PORT,
  PROP_CURRENT_PORT,
  PROP_SECRET,
  PROP_RETRY_INITIAL,
  PROP_RETRY_MAX,
  PROP_MAX_LAG,
  PROP_BURST_TIME,
  PROP_NUM_READERS,
  PROP_CONNECTED
};

struct _FluFeedSink
{
  GstBin parent;

  GstElement *pay;
  GstElement *fanout;           /* NULL when the factory is missing */

  GMutex lock;
  GCond cond;

  /* properties */
  FluFeedLink link;             /* mode, host, port, secret, retry-* */
  guint current_port;
  GstClockTime max_lag;
  GstClockTime burst_time;

  /* server mode */
  GSocket *listen;
  GMainContext *context;
  GMainLoop *loop;
  GThreadPool *handshakes;

  /* client mode */
  gint client_fd;               /* the fd given to the fan-out, -1 if none */
  gboolean connected;

  GThread *thread;
  GCancellable *cancellable;
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

/* Never called with self->lock held: the fan-out may call back
 * on_client_fd_removed() from within "add". */
static void
add_fd (FluFeedSink * self, gint fd)
{
  g_signal_emit_by_name (self->fanout, "add", fd);
}

static void
add_socket (FluFeedSink * self, GSocket * socket)
{
  gint fd = dup_fd (self, socket);

  if (fd >= 0)
    add_fd (self, fd);
}

static void
on_client_fd_removed (GstElement * fanout, gint fd, FluFeedSink * self)
{
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

/* ---- server mode ---- */

static void
handshake_func (gpointer data, gpointer user_data)
{
  GSocket *socket = data;
  FluFeedSink *self = user_data;
  GError *err = NULL;
  gchar *peer = flu_feed_socket_peer (socket);

  if (flu_feed_auth (socket, self->link.secret, TRUE, self->cancellable, &err)) {
    GST_INFO_OBJECT (self, "reader %s authenticated", peer);
    add_socket (self, socket);
  } else if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
        ("Refused reader %s: %s", peer, err->message),
        ("the reader must set the same secret"));
  }
  g_clear_error (&err);
  g_free (peer);
  g_object_unref (socket);
}

static gboolean
on_accept (GSocket * listen, GIOCondition cond, gpointer user_data)
{
  FluFeedSink *self = user_data;

  for (;;) {
    GError *err = NULL;
    GSocket *socket = g_socket_accept (listen, NULL, &err);

    if (!socket) {
      if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        GST_WARNING_OBJECT (self, "accept failed: %s", err->message);
      g_clear_error (&err);
      break;
    }
    if (GST_LEVEL_INFO <= gst_debug_category_get_threshold (GST_CAT_DEFAULT)) {
      gchar *peer = flu_feed_socket_peer (socket);

      GST_INFO_OBJECT (self, "reader %s connected", peer);
      g_free (peer);
    }
    if (self->link.secret && *self->link.secret) {
      g_socket_set_blocking (socket, FALSE);
      g_thread_pool_push (self->handshakes, socket, NULL);
    } else {
      add_socket (self, socket);
      g_object_unref (socket);
    }
  }
  return G_SOURCE_CONTINUE;
}

static gpointer
server_thread (gpointer data)
{
  FluFeedSink *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
server_start (FluFeedSink * self)
{
  GSource *source;

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  source = g_socket_create_source (self->listen, G_IO_IN, NULL);
  g_source_set_callback (source, (GSourceFunc) (GCallback) on_accept, self,
      NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  self->handshakes = g_thread_pool_new (handshake_func, self, MAX_HANDSHAKES,
      FALSE, NULL);
  self->thread = g_thread_new ("flufeedsink-accept", server_thread, self);
  return TRUE;
}

static void
server_stop (FluFeedSink * self)
{
  if (!self->loop)
    return;
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  self->thread = NULL;
  g_thread_pool_free (self->handshakes, FALSE, TRUE);
  self->handshakes = NULL;
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
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
post_message (FluFeedSink * self, const gchar * name, const gchar * reason)
{
  GstStructure *s = gst_structure_new (name, "upstream", G_TYPE_STRING,
      self->link.host, "port", G_TYPE_UINT, self->link.port, NULL);

  if (reason)
    gst_structure_set (s, "reason", G_TYPE_STRING, reason, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static gpointer
client_thread (gpointer data)
{
  FluFeedSink *self = data;
  guint delay = 0;
  gint fd;

  while (client_sleep (self, delay)) {
    GError *err = NULL;
    GSocketConnection *conn;
    GSocket *socket = NULL;

    fd = -1;
    conn = flu_feed_connect (self->link.host, self->link.port,
        FLU_FEED_CONNECT_TIMEOUT_MS, self->cancellable, &err);
    if (conn) {
      socket = g_socket_connection_get_socket (conn);
      if (self->link.secret && *self->link.secret &&
          !flu_feed_auth (socket, self->link.secret, FALSE, self->cancellable,
              &err))
        g_clear_object (&conn);
    }
    if (!conn) {
      if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        GST_WARNING_OBJECT (self, "cannot push to %s:%u: %s", self->link.host,
            self->link.port, err->message);
        if (g_error_matches (err, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_REFUSED)
            || g_error_matches (err, FLU_FEED_ERROR,
                FLU_FEED_ERROR_AUTH_FAILED))
          GST_ELEMENT_WARNING (self, RESOURCE, OPEN_WRITE,
              ("Feed to %s:%u refused: %s", self->link.host, self->link.port,
                  err->message), ("set the same secret on both ends"));
      }
      g_clear_error (&err);
      delay = flu_feed_backoff_next (delay, self->link.retry_initial,
          self->link.retry_max);
      continue;
    }

    fd = dup_fd (self, socket);
    g_object_unref (conn);      /* the fan-out has its own fd */
    if (fd < 0) {
      delay = flu_feed_backoff_next (delay, self->link.retry_initial,
          self->link.retry_max);
      continue;
    }
    g_mutex_lock (&self->lock);
    self->client_fd = fd;
    self->connected = TRUE;
    g_mutex_unlock (&self->lock);
    add_fd (self, fd);
    GST_INFO_OBJECT (self, "pushing to %s:%u", self->link.host,
        self->link.port);
    post_message (self, "flufeedsink-connected", NULL);
    delay = 0;

    g_mutex_lock (&self->lock);
    while (self->running && self->client_fd == fd)
      g_cond_wait (&self->cond, &self->lock);
    g_mutex_unlock (&self->lock);
    if (self->running) {
      GST_WARNING_OBJECT (self, "lost the link to %s:%u, reconnecting",
          self->link.host, self->link.port);
      post_message (self, "flufeedsink-disconnected", "connection lost");
      delay = self->link.retry_initial;
    }
  }
  g_mutex_lock (&self->lock);
  fd = self->client_fd;
  g_mutex_unlock (&self->lock);
  if (fd >= 0)
    g_signal_emit_by_name (self->fanout, "remove", fd);
  return NULL;
}

/* ---- element ---- */

static gboolean
setup (FluFeedSink * self)
{
  GError *err = NULL;

  if (!self->fanout) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        ("The fan-out element \"%s\" is missing", flu_feed_fanout_factory ()),
        ("install gst-flumotion's multifd plugin (or set "
            "FLU_FEED_FANOUT_FACTORY)"));
    return FALSE;
  }
  g_object_set (self->fanout, "recover-policy", RECOVER_POLICY_KEYFRAME,
      "unit-format", GST_FORMAT_TIME, "units-soft-max",
      (gint64) self->max_lag / 2, "units-max", (gint64) self->max_lag, NULL);
  if (self->burst_time > 0)
    g_object_set (self->fanout, "sync-method", SYNC_METHOD_BURST_KEYFRAME,
        "burst-format", GST_FORMAT_TIME, "burst-value", self->burst_time, NULL);
  else
    g_object_set (self->fanout, "sync-method", SYNC_METHOD_LATEST_KEYFRAME,
        NULL);

  if (self->link.mode == FLU_FEED_MODE_CLIENT) {
    if (!self->link.host || !*self->link.host || self->link.port == 0) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("mode=client needs host and port"),
          ("set host and port to the receiving flufeedsrc mode=server"));
      return FALSE;
    }
    return TRUE;
  }
  self->listen = flu_feed_listen (self->link.host, self->link.port,
      &self->current_port, &err);
  if (!self->listen) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Cannot listen on %s:%u: %s", self->link.host ? self->link.host : "*",
            self->link.port, err->message),
        ("choose a free port, or port=0 for any"));
    g_clear_error (&err);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "listening on port %u", self->current_port);
  g_object_notify (G_OBJECT (self), "current-port");
  return TRUE;
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
      if (self->link.mode == FLU_FEED_MODE_SERVER) {
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
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      self->running = TRUE;
      self->client_fd = -1;
      if (self->link.mode == FLU_FEED_MODE_SERVER)
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
      self->current_port = 0;
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

  if (flu_feed_link_get_property (&self->link, pspec->name, value))
    return;
  switch (prop_id) {
    case PROP_CURRENT_PORT:
      g_value_set_uint (value, self->current_port);
      break;
    case PROP_MAX_LAG:
      g_value_set_uint64 (value, self->max_lag);
      break;
    case PROP_BURST_TIME:
      g_value_set_uint64 (value, self->burst_time);
      break;
    case PROP_NUM_READERS:{
      gint n = 0;

      if (self->fanout)
        g_object_get (self->fanout, "num-handles", &n, NULL);
      g_value_set_uint (value, MAX (n, 0));
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
  g_clear_object (&self->cancellable);
  g_clear_object (&self->listen);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

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
  self->fanout = gst_element_factory_make (flu_feed_fanout_factory (),
      "fanout");
  if (self->fanout) {
    gst_bin_add (GST_BIN (self), self->fanout);
    gst_element_link (self->pay, self->fanout);
    g_signal_connect (self->fanout, "client-fd-removed",
        G_CALLBACK (on_client_fd_removed), self);
  }
  pad = gst_element_get_static_pad (self->pay, "sink");
  ghost = gst_ghost_pad_new_from_template ("sink", pad,
      gst_static_pad_template_get (&sink_template));
  gst_object_unref (pad);
  gst_element_add_pad (GST_ELEMENT (self), ghost);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

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

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "server: listen on host:port and serve every reader that connects; "
          "client: connect to a flufeedsrc mode=server at host:port and push "
          "the stream there, reconnecting when the link drops",
          FLU_TYPE_FEED_MODE, DEFAULT_MODE, rw));
  g_object_class_install_property (gobject_class, PROP_HOST,
      g_param_spec_string ("host", "Host",
          "server: address to listen on (NULL = all IPv4 interfaces); "
          "client: host to push to", DEFAULT_HOST, rw));
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port",
          "server: TCP port to listen on (0 = any free port, see "
          "current-port); client: port to push to", 0, 65535, DEFAULT_PORT,
          rw));
  g_object_class_install_property (gobject_class, PROP_CURRENT_PORT,
      g_param_spec_uint ("current-port", "Current port",
          "The port listened on in server mode, known from the READY state "
          "on (0 = not listening)", 0, 65535, 0, ro));
  g_object_class_install_property (gobject_class, PROP_SECRET,
      g_param_spec_string ("secret", "Secret",
          "Shared secret: when set, every peer must prove it knows the same "
          "secret (HMAC-SHA256 challenge before the GDP stream) and is "
          "refused otherwise; NULL = no authentication (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_RETRY_INITIAL,
      g_param_spec_uint ("retry-initial", "Initial retry delay",
          "client mode: milliseconds before the first reconnection attempt; "
          "doubled after every failed attempt up to retry-max", 1, 3600000,
          FLU_FEED_DEFAULT_RETRY_INITIAL_MS, rw));
  g_object_class_install_property (gobject_class, PROP_RETRY_MAX,
      g_param_spec_uint ("retry-max", "Maximum retry delay",
          "client mode: longest delay between reconnection attempts, in "
          "milliseconds", 1, 3600000, FLU_FEED_DEFAULT_RETRY_MAX_MS, rw));
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
