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
 * SECTION:element-flumultifdsink
 * @title: flumultifdsink
 *
 * Sends one stream to many file descriptors (sockets, pipes, files), with
 * the API of the stock `multifdsink`: the same properties, enum nicks and
 * values, action signals (`add`, `add-full`, `remove`, `remove-flush`,
 * `clear`, `get-stats`) and signals (`client-added`, `client-removed`,
 * `client-fd-removed`).  An application switches by changing the factory
 * name.
 *
 * Behind it is gst-flumotion's fan-out engine: one shared ring of buffers
 * (never copied, O(1) memory per client), non-blocking writev-style writes
 * driven by epoll in a writer thread, so the streaming thread never blocks
 * on a client and a stalled client never delays the others.
 *
 * New clients get the caps' streamheader buffers first, exactly once, then
 * data chosen by their sync method; with `burst-keyframe` the ring keeps
 * enough data for the configured burst back to the keyframe before it, so
 * every new client starts decoding at once.
 *
 * Memory bound: whatever the clients do, the queue holds at most the
 * larger of the lag a client may have (`backlog-limit` bytes, default
 * 64 MiB, or `units-max` when that is tighter: a client that lags more is
 * dropped with status `slow`) and what `time-min`/`bytes-min`/
 * `buffers-min` and the default burst ask to keep.  Checked by
 * `harden/rss-flumultifdsink-*` (60 s of raw 640x360 video, no client and
 * a client that never reads).  The
 * queue is trimmed as each buffer arrives, in every state and with no
 * client at all, so `buffers-queued` read right after a push is exact
 * (the stock element's answer); with no client it holds only what the
 * min properties and the default burst ask for.
 *
 * When a client leaves, besides `client-removed`, the element posts an
 * element message `flumultifdsink-client-removed` with the fields `fd`,
 * `status` (the nick) and every field of `get-stats`.
 *
 * Differences from the stock element, all deliberate: burst in buffers
 * counts buffers; `recover-policy=keyframe` waits for the next keyframe
 * rather than sending a delta frame when the soft limit holds none; the
 * inactivity `timeout` is also checked while no data flows; the
 * `get-stats` structure has extra fields (`resyncs`, `lag-bytes`,
 * `lag-time`, `peak-lag-bytes`, `peak-lag-time`); `buffers-min` keeps
 * that many buffers at every moment (the stock 1.22 element keeps 1 up to
 * `buffers-min` - 1 and back to 1, a sawtooth).
 *
 * ## Example
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! vp8enc deadline=1 ! \
 *     webmmux streamable=true ! flumultifdsink name=s sync-method=burst-keyframe \
 *     burst-format=time burst-value=2000000000
 * ]| (clients are added by the application with the `add` signal)
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

/* Locks, in the order they are taken:
 *   1. the object lock: guards sink->config and sink->config_seq (short,
 *      no call out).
 *   2. the engine's lock (inside flu_fanout_*()), never held while the
 *      engine calls back into the element.
 * The object lock is never held while calling into the engine.
 * set_property changes sink->config, copies it and takes the next
 * config_seq under the object lock, and applies the copy after releasing
 * it with flu_fanout_set_config_seq(): when two setters in two threads
 * reach the engine out of order, the engine keeps the copy with the
 * higher number, which holds both changes (the last set wins, in the
 * element and in the engine; multifd/flufanoutpolicy
 * test_config_seq_out_of_order applies two copies in the wrong order). */

#include "flumultifdsink.h"
#include "flufanoutsink.h"
#include "fluenums.h"

GST_DEBUG_CATEGORY_STATIC (flu_multi_fd_sink_debug);
#define GST_CAT_DEFAULT flu_multi_fd_sink_debug

enum
{
  SIGNAL_ADD,
  SIGNAL_ADD_FULL,
  SIGNAL_REMOVE,
  SIGNAL_REMOVE_FLUSH,
  SIGNAL_CLEAR,
  SIGNAL_GET_STATS,
  SIGNAL_CLIENT_ADDED,
  SIGNAL_CLIENT_REMOVED,
  SIGNAL_CLIENT_FD_REMOVED,
  LAST_SIGNAL
};

enum
{
  PROP_0,
  PROP_BUFFERS_QUEUED,
  PROP_BYTES_QUEUED,
  PROP_TIME_QUEUED,
  PROP_UNIT_FORMAT,
  PROP_UNITS_MAX,
  PROP_UNITS_SOFT_MAX,
  PROP_BUFFERS_MAX,
  PROP_BUFFERS_SOFT_MAX,
  PROP_TIME_MIN,
  PROP_BYTES_MIN,
  PROP_BUFFERS_MIN,
  PROP_RECOVER_POLICY,
  PROP_TIMEOUT,
  PROP_SYNC_METHOD,
  PROP_BYTES_TO_SERVE,
  PROP_BYTES_SERVED,
  PROP_BURST_FORMAT,
  PROP_BURST_VALUE,
  PROP_QOS_DSCP,
  PROP_RESEND_STREAMHEADER,
  PROP_NUM_HANDLES,
  PROP_HANDLE_READ,
  PROP_BACKLOG_LIMIT,
  PROP_COALESCE_TIME,
  PROP_START_ON_ADD
};

static guint signals[LAST_SIGNAL] = { 0 };

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define flu_multi_fd_sink_parent_class parent_class
G_DEFINE_TYPE (FluMultiFdSink, flu_multi_fd_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE (flumultifdsink, "flumultifdsink",
    GST_RANK_NONE, FLU_TYPE_MULTI_FD_SINK);

/* ------------------------------------------------------------------ */
/* engine callbacks */

static void
on_client_removed (FluFanout * fanout, gint fd, FluClientStatus status,
    gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_CLIENT_REMOVED], 0, fd, status);
}

static void
on_client_fd_removed (FluFanout * fanout, gint fd, FluClientStatus status,
    const GstStructure * stats, gpointer user_data)
{
  GstElement *sink = user_data;
  GstStructure *s;

  s = gst_structure_copy (stats);
  gst_structure_set_name (s, "flumultifdsink-client-removed");
  gst_structure_set (s, "fd", G_TYPE_INT, fd, "status", G_TYPE_STRING,
      flu_client_status_nick (status), NULL);
  gst_element_post_message (sink, gst_message_new_element (GST_OBJECT (sink),
          s));
  g_signal_emit (sink, signals[SIGNAL_CLIENT_FD_REMOVED], 0, fd);
}

static const FluFanoutCallbacks callbacks = {
  on_client_removed,
  on_client_fd_removed
};

/* ------------------------------------------------------------------ */
/* action signals */

static void
flu_multi_fd_sink_add_full (FluMultiFdSink * sink, gint fd,
    FluSyncMethod sync_method, GstFormat min_format, guint64 min_value,
    GstFormat max_format, guint64 max_value)
{
  switch (flu_fanout_add (sink->fanout, fd, sync_method, min_format,
          min_value, max_format, max_value)) {
    case FLU_FANOUT_ADD_OK:
      g_signal_emit (sink, signals[SIGNAL_CLIENT_ADDED], 0, fd);
      break;
    case FLU_FANOUT_ADD_NOT_RUNNING:
      g_warning ("Element %s must be set to READY, PAUSED or PLAYING state "
          "before clients can be added", GST_OBJECT_NAME (sink));
      break;
    case FLU_FANOUT_ADD_DUPLICATE:
      GST_WARNING_OBJECT (sink, "fd %d is already a client, refusing", fd);
      g_signal_emit (sink, signals[SIGNAL_CLIENT_REMOVED], 0, fd,
          FLU_CLIENT_STATUS_DUPLICATE);
      break;
    case FLU_FANOUT_ADD_WRONG_LIMITS:
      GST_WARNING_OBJECT (sink, "fd %d: burst max %" G_GUINT64_FORMAT
          " is below burst min %" G_GUINT64_FORMAT ", not adding it", fd,
          max_value, min_value);
      break;
    case FLU_FANOUT_ADD_BAD_FD:
      GST_WARNING_OBJECT (sink, "fd %d is not an open file descriptor, "
          "not adding it", fd);
      g_signal_emit (sink, signals[SIGNAL_CLIENT_REMOVED], 0, fd,
          FLU_CLIENT_STATUS_ERROR);
      break;
  }
}

static void
flu_multi_fd_sink_add (FluMultiFdSink * sink, gint fd)
{
  FluSyncMethod sync;
  GstFormat format;
  guint64 value;

  GST_OBJECT_LOCK (sink);
  sync = sink->config.sync_method;
  format = sink->config.burst_format;
  value = sink->config.burst_value;
  GST_OBJECT_UNLOCK (sink);
  flu_multi_fd_sink_add_full (sink, fd, sync, format, value, format, -1);
}

static void
flu_multi_fd_sink_remove (FluMultiFdSink * sink, gint fd)
{
  if (!flu_fanout_remove (sink->fanout, fd, FALSE))
    GST_WARNING_OBJECT (sink, "no client with fd %d", fd);
}

static void
flu_multi_fd_sink_remove_flush (FluMultiFdSink * sink, gint fd)
{
  if (!flu_fanout_remove (sink->fanout, fd, TRUE))
    GST_WARNING_OBJECT (sink, "no client with fd %d", fd);
}

static void
flu_multi_fd_sink_clear (FluMultiFdSink * sink)
{
  flu_fanout_clear (sink->fanout);
}

static GstStructure *
flu_multi_fd_sink_get_stats (FluMultiFdSink * sink, gint fd)
{
  GstStructure *s = flu_fanout_get_stats (sink->fanout, fd);

  if (s == NULL) {
    GST_WARNING_OBJECT (sink, "no client with fd %d", fd);
    s = gst_structure_new_empty ("multihandlesink-stats");
  }
  return s;
}

/* ------------------------------------------------------------------ */
/* GstBaseSink */

static gboolean
flu_multi_fd_sink_set_caps (GstBaseSink * bsink, GstCaps * caps)
{
  FluMultiFdSink *sink = FLU_MULTI_FD_SINK (bsink);

  flu_fanout_set_caps (sink->fanout, caps);
  return TRUE;
}

static GstFlowReturn
flu_multi_fd_sink_render (GstBaseSink * bsink, GstBuffer * buf)
{
  FluMultiFdSink *sink = FLU_MULTI_FD_SINK (bsink);

  flu_fanout_push (sink->fanout, buf);
  return GST_FLOW_OK;
}

static GstFlowReturn
flu_multi_fd_sink_render_list (GstBaseSink * bsink, GstBufferList * list)
{
  return flu_fanout_push_list (FLU_MULTI_FD_SINK (bsink)->fanout, list);
}

static GstStateChangeReturn
flu_multi_fd_sink_change_state (GstElement * element, GstStateChange transition)
{
  return flu_fanout_change_state (FLU_MULTI_FD_SINK (element)->fanout,
      element, GST_ELEMENT_CLASS (parent_class), transition);
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
flu_multi_fd_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluMultiFdSink *sink = FLU_MULTI_FD_SINK (object);
  FluFanoutConfig *c = &sink->config;
  FluFanoutConfig copy;
  guint64 seq;

  GST_OBJECT_LOCK (sink);
  switch (prop_id) {
    case PROP_BUFFERS_MAX:
      c->units_max = g_value_get_int (value);
      break;
    case PROP_BUFFERS_SOFT_MAX:
      c->units_soft_max = g_value_get_int (value);
      break;
    case PROP_TIME_MIN:
      c->time_min = g_value_get_int64 (value);
      break;
    case PROP_BYTES_MIN:
      c->bytes_min = g_value_get_int (value);
      break;
    case PROP_BUFFERS_MIN:
      c->buffers_min = g_value_get_int (value);
      break;
    case PROP_UNIT_FORMAT:
      c->unit_format = g_value_get_enum (value);
      break;
    case PROP_UNITS_MAX:
      c->units_max = g_value_get_int64 (value);
      break;
    case PROP_UNITS_SOFT_MAX:
      c->units_soft_max = g_value_get_int64 (value);
      break;
    case PROP_RECOVER_POLICY:
      c->recover_policy = g_value_get_enum (value);
      break;
    case PROP_TIMEOUT:
      c->timeout = g_value_get_uint64 (value);
      break;
    case PROP_SYNC_METHOD:
      c->sync_method = g_value_get_enum (value);
      break;
    case PROP_BURST_FORMAT:
      c->burst_format = g_value_get_enum (value);
      break;
    case PROP_BURST_VALUE:
      c->burst_value = g_value_get_uint64 (value);
      break;
    case PROP_QOS_DSCP:
      c->qos_dscp = g_value_get_int (value);
      break;
    case PROP_RESEND_STREAMHEADER:
      c->resend_streamheader = g_value_get_boolean (value);
      break;
    case PROP_HANDLE_READ:
      c->handle_read = g_value_get_boolean (value);
      break;
    case PROP_BACKLOG_LIMIT:
      c->backlog_limit = g_value_get_uint64 (value);
      break;
    case PROP_COALESCE_TIME:
      c->coalesce_time = g_value_get_uint64 (value);
      break;
    case PROP_START_ON_ADD:
      c->start_on_add = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  copy = *c;
  seq = ++sink->config_seq;
  GST_OBJECT_UNLOCK (sink);
  flu_fanout_set_config_seq (sink->fanout, &copy, seq);
}

static void
flu_multi_fd_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  FluMultiFdSink *sink = FLU_MULTI_FD_SINK (object);
  FluFanoutConfig *c = &sink->config;

  switch (prop_id) {
    case PROP_BUFFERS_QUEUED:
    case PROP_BYTES_QUEUED:
    case PROP_TIME_QUEUED:
    case PROP_BYTES_TO_SERVE:
    case PROP_BYTES_SERVED:
    case PROP_NUM_HANDLES:
    {
      FluFanoutCounters n;

      flu_fanout_get_counters (sink->fanout, &n);
      if (prop_id == PROP_BUFFERS_QUEUED)
        g_value_set_uint (value, n.buffers_queued);
      else if (prop_id == PROP_NUM_HANDLES)
        g_value_set_uint (value, n.num_clients);
      else
        g_value_set_uint64 (value, prop_id == PROP_BYTES_QUEUED ?
            n.bytes_queued : prop_id == PROP_TIME_QUEUED ? n.time_queued :
            prop_id == PROP_BYTES_TO_SERVE ? n.bytes_to_serve : n.bytes_served);
      return;
    }
    default:
      break;
  }

  GST_OBJECT_LOCK (sink);
  switch (prop_id) {
    case PROP_BUFFERS_MAX:
      g_value_set_int (value, (gint) c->units_max);
      break;
    case PROP_BUFFERS_SOFT_MAX:
      g_value_set_int (value, (gint) c->units_soft_max);
      break;
    case PROP_TIME_MIN:
      g_value_set_int64 (value, c->time_min);
      break;
    case PROP_BYTES_MIN:
      g_value_set_int (value, c->bytes_min);
      break;
    case PROP_BUFFERS_MIN:
      g_value_set_int (value, c->buffers_min);
      break;
    case PROP_UNIT_FORMAT:
      g_value_set_enum (value, c->unit_format);
      break;
    case PROP_UNITS_MAX:
      g_value_set_int64 (value, c->units_max);
      break;
    case PROP_UNITS_SOFT_MAX:
      g_value_set_int64 (value, c->units_soft_max);
      break;
    case PROP_RECOVER_POLICY:
      g_value_set_enum (value, c->recover_policy);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint64 (value, c->timeout);
      break;
    case PROP_SYNC_METHOD:
      g_value_set_enum (value, c->sync_method);
      break;
    case PROP_BURST_FORMAT:
      g_value_set_enum (value, c->burst_format);
      break;
    case PROP_BURST_VALUE:
      g_value_set_uint64 (value, c->burst_value);
      break;
    case PROP_QOS_DSCP:
      g_value_set_int (value, c->qos_dscp);
      break;
    case PROP_RESEND_STREAMHEADER:
      g_value_set_boolean (value, c->resend_streamheader);
      break;
    case PROP_HANDLE_READ:
      g_value_set_boolean (value, c->handle_read);
      break;
    case PROP_BACKLOG_LIMIT:
      g_value_set_uint64 (value, c->backlog_limit);
      break;
    case PROP_COALESCE_TIME:
      g_value_set_uint64 (value, c->coalesce_time);
      break;
    case PROP_START_ON_ADD:
      g_value_set_boolean (value, c->start_on_add);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (sink);
}

static void
flu_multi_fd_sink_finalize (GObject * object)
{
  FluMultiFdSink *sink = FLU_MULTI_FD_SINK (object);

  flu_fanout_free (sink->fanout);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
flu_multi_fd_sink_init (FluMultiFdSink * sink)
{
  flu_fanout_config_init (&sink->config);
  sink->fanout = flu_fanout_new (GST_OBJECT (sink), &callbacks, sink);
}

#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)
#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)

static void
flu_multi_fd_sink_install_properties (GObjectClass * gobject_class)
{
  g_object_class_install_property (gobject_class, PROP_BUFFERS_MAX,
      g_param_spec_int ("buffers-max", "Buffers max",
          "max number of buffers to queue for a client (-1 = no limit); "
          "same as units-max with unit-format=buffers", -1, G_MAXINT, -1, RW));
  g_object_class_install_property (gobject_class, PROP_BUFFERS_SOFT_MAX,
      g_param_spec_int ("buffers-soft-max", "Buffers soft max",
          "Recover client when going over this limit (-1 = no limit); "
          "same as units-soft-max", -1, G_MAXINT, -1, RW));
  g_object_class_install_property (gobject_class, PROP_BYTES_MIN,
      g_param_spec_int ("bytes-min", "Bytes min",
          "min number of bytes to queue (-1 = as little as possible)", -1,
          G_MAXINT, -1, RW));
  g_object_class_install_property (gobject_class, PROP_TIME_MIN,
      g_param_spec_int64 ("time-min", "Time min",
          "min amount of time to queue (in nanoseconds) "
          "(-1 = as little as possible)", -1, G_MAXINT64, -1, RW));
  g_object_class_install_property (gobject_class, PROP_BUFFERS_MIN,
      g_param_spec_int ("buffers-min", "Buffers min",
          "min number of buffers to queue (-1 = as few as possible)", -1,
          G_MAXINT, -1, RW));
  g_object_class_install_property (gobject_class, PROP_UNIT_FORMAT,
      g_param_spec_enum ("unit-format", "Units format",
          "The unit to measure the max/soft-max/queued properties",
          GST_TYPE_FORMAT, GST_FORMAT_BUFFERS, RW));
  g_object_class_install_property (gobject_class, PROP_UNITS_MAX,
      g_param_spec_int64 ("units-max", "Units max",
          "max number of units to queue for a client, in unit-format; a "
          "client over it is dropped as slow (-1 = no limit but "
          "backlog-limit)", -1, G_MAXINT64, -1, RW));
  g_object_class_install_property (gobject_class, PROP_UNITS_SOFT_MAX,
      g_param_spec_int64 ("units-soft-max", "Units soft max",
          "Recover client (see recover-policy) when going over this limit "
          "(-1 = no limit)", -1, G_MAXINT64, -1, RW));
  g_object_class_install_property (gobject_class, PROP_BUFFERS_QUEUED,
      g_param_spec_uint ("buffers-queued", "Buffers queued",
          "Number of buffers currently queued in the shared ring", 0,
          G_MAXUINT, 0, RO));
  g_object_class_install_property (gobject_class, PROP_BYTES_QUEUED,
      g_param_spec_uint64 ("bytes-queued", "Bytes queued",
          "Number of bytes currently queued in the shared ring", 0,
          G_MAXUINT64, 0, RO));
  g_object_class_install_property (gobject_class, PROP_TIME_QUEUED,
      g_param_spec_uint64 ("time-queued", "Time queued",
          "Amount of time currently queued in the shared ring (in "
          "nanoseconds, from buffer timestamps)", 0, G_MAXUINT64, 0, RO));
  g_object_class_install_property (gobject_class, PROP_RECOVER_POLICY,
      g_param_spec_enum ("recover-policy", "Recover Policy",
          "How to recover when client reaches the soft max",
          FLU_TYPE_RECOVER_POLICY, FLU_RECOVER_POLICY_NONE, RW));
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint64 ("timeout", "Timeout",
          "Maximum inactivity timeout in nanoseconds for a client "
          "(0 = no limit); checked even while no data flows", 0,
          G_MAXUINT64, 0, RW));
  g_object_class_install_property (gobject_class, PROP_SYNC_METHOD,
      g_param_spec_enum ("sync-method", "Sync Method",
          "How to sync new clients to the stream", FLU_TYPE_SYNC_METHOD,
          FLU_SYNC_METHOD_LATEST, RW));
  g_object_class_install_property (gobject_class, PROP_BYTES_TO_SERVE,
      g_param_spec_uint64 ("bytes-to-serve", "Bytes to serve",
          "Number of bytes received to serve to clients", 0, G_MAXUINT64, 0,
          RO));
  g_object_class_install_property (gobject_class, PROP_BYTES_SERVED,
      g_param_spec_uint64 ("bytes-served", "Bytes served",
          "Total number of bytes sent to all clients", 0, G_MAXUINT64, 0, RO));
  g_object_class_install_property (gobject_class, PROP_BURST_FORMAT,
      g_param_spec_enum ("burst-format", "Burst format",
          "The format of the burst units (when sync-method is "
          "burst[[-with]-keyframe])", GST_TYPE_FORMAT, GST_FORMAT_UNDEFINED,
          RW));
  g_object_class_install_property (gobject_class, PROP_BURST_VALUE,
      g_param_spec_uint64 ("burst-value", "Burst value",
          "The amount of burst expressed in burst-format", 0, G_MAXUINT64, 0,
          RW));
  g_object_class_install_property (gobject_class, PROP_QOS_DSCP,
      g_param_spec_int ("qos-dscp", "QoS diff srv code point",
          "Quality of Service, differentiated services code point "
          "(-1 default)", -1, 63, -1, RW));
  g_object_class_install_property (gobject_class, PROP_RESEND_STREAMHEADER,
      g_param_spec_boolean ("resend-streamheader", "Resend streamheader",
          "Resend the streamheader if it changes in the caps", TRUE, RW));
  g_object_class_install_property (gobject_class, PROP_NUM_HANDLES,
      g_param_spec_uint ("num-handles", "Number of handles",
          "The current number of client handles", 0, G_MAXUINT, 0, RO));
  g_object_class_install_property (gobject_class, PROP_HANDLE_READ,
      g_param_spec_boolean ("handle-read", "Handle Read",
          "Handle client reads and discard the data (a client that closes "
          "its end is then removed with status closed)", TRUE, RW));
  g_object_class_install_property (gobject_class, PROP_BACKLOG_LIMIT,
      g_param_spec_uint64 ("backlog-limit", "Backlog limit",
          "Hard limit in bytes on the data queued for one client, whatever "
          "units-max says: a client lagging more is dropped as slow, so "
          "one stalled client cannot pin unbounded memory (0 = no limit)",
          0, G_MAXUINT64, FLU_FANOUT_DEFAULT_BACKLOG_LIMIT, RW));
  g_object_class_install_property (gobject_class, PROP_COALESCE_TIME,
      g_param_spec_uint64 ("coalesce-time", "Coalesce time",
          "Gather new data for up to this long (in nanoseconds) before "
          "writing it to the clients, so each client gets fewer, larger "
          "writes: less CPU per byte for large audiences at the cost of "
          "this much added latency.  New clients are always served at "
          "once (0 = write every buffer as it comes, as the stock element)",
          0, FLU_FANOUT_MAX_COALESCE_TIME, FLU_FANOUT_DEFAULT_COALESCE_TIME,
          RW));
  g_object_class_install_property (gobject_class, PROP_START_ON_ADD,
      g_param_spec_boolean ("start-on-add", "Start on add",
          "Decide where a new client starts as soon as it is added, from "
          "the data already queued (its burst or the last keyframe), "
          "instead of on the next buffer as the stock element does: the "
          "first bytes leave up to one buffer interval sooner.  A client "
          "whose sync method needs a keyframe that is not queued still "
          "waits for one", FALSE, RW));
}

static void
flu_multi_fd_sink_install_signals (FluMultiFdSinkClass * klass)
{
  /**
   * FluMultiFdSink::add:
   * @sink: the sink
   * @fd: the file descriptor to add
   *
   * Hand a file descriptor to the sink, with the element's sync method and
   * burst settings.  The sink makes it non-blocking and never closes it.
   */
  signals[SIGNAL_ADD] = g_signal_new_class_handler ("add",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (flu_multi_fd_sink_add), NULL, NULL, NULL, G_TYPE_NONE, 1,
      G_TYPE_INT);
  /**
   * FluMultiFdSink::add-full:
   * @sink: the sink
   * @fd: the file descriptor to add
   * @sync: the sync method for this client
   * @min_format: the unit of @min_value
   * @min_value: the minimum burst
   * @max_format: the unit of @max_value
   * @max_value: the maximum burst (-1 = none)
   *
   * Hand a file descriptor to the sink with its own sync method and burst
   * limits.
   */
  signals[SIGNAL_ADD_FULL] = g_signal_new_class_handler ("add-full",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (flu_multi_fd_sink_add_full), NULL, NULL, NULL, G_TYPE_NONE,
      6, G_TYPE_INT, FLU_TYPE_SYNC_METHOD, GST_TYPE_FORMAT, G_TYPE_UINT64,
      GST_TYPE_FORMAT, G_TYPE_UINT64);
  /**
   * FluMultiFdSink::remove:
   * @sink: the sink
   * @fd: the file descriptor to remove
   *
   * Remove a client now.  When this returns, the sink no longer uses @fd;
   * client-removed and client-fd-removed have been emitted.
   */
  signals[SIGNAL_REMOVE] = g_signal_new_class_handler ("remove",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (flu_multi_fd_sink_remove), NULL, NULL, NULL, G_TYPE_NONE, 1,
      G_TYPE_INT);
  /**
   * FluMultiFdSink::remove-flush:
   * @sink: the sink
   * @fd: the file descriptor to remove
   *
   * Remove a client after it was sent everything queued for it at the
   * time of the call.
   */
  signals[SIGNAL_REMOVE_FLUSH] = g_signal_new_class_handler ("remove-flush",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (flu_multi_fd_sink_remove_flush), NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_INT);
  /**
   * FluMultiFdSink::clear:
   * @sink: the sink
   *
   * Remove every client (status removed).
   */
  signals[SIGNAL_CLEAR] = g_signal_new_class_handler ("clear",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (flu_multi_fd_sink_clear), NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * FluMultiFdSink::get-stats:
   * @sink: the sink
   * @fd: the client
   *
   * Returns: a "multihandlesink-stats" structure: bytes-sent, connect-time,
   * connect-time-monotonic, disconnect-time, disconnect-time-monotonic,
   * connect-duration, last-activity-time-monotonic, buffers-dropped,
   * first-buffer-ts, last-buffer-ts (as the stock element), resyncs,
   * lag-bytes, lag-time, peak-lag-bytes, peak-lag-time (ours).  Empty for
   * an unknown fd.
   */
  signals[SIGNAL_GET_STATS] = g_signal_new_class_handler ("get-stats",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (flu_multi_fd_sink_get_stats), NULL, NULL, NULL,
      GST_TYPE_STRUCTURE, 1, G_TYPE_INT);
  /**
   * FluMultiFdSink::client-added:
   * @sink: the sink
   * @fd: the new client
   *
   * A client was added.
   */
  signals[SIGNAL_CLIENT_ADDED] = g_signal_new ("client-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_INT);
  /**
   * FluMultiFdSink::client-removed:
   * @sink: the sink
   * @fd: the client
   * @status: why it leaves
   *
   * A client is being removed; get-stats still answers for it here.  Do
   * not close @fd yet: wait for client-fd-removed.
   */
  signals[SIGNAL_CLIENT_REMOVED] = g_signal_new ("client-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_INT, FLU_TYPE_CLIENT_STATUS);
  /**
   * FluMultiFdSink::client-fd-removed:
   * @sink: the sink
   * @fd: the client
   *
   * The sink no longer uses @fd: the application may close it now.
   */
  signals[SIGNAL_CLIENT_FD_REMOVED] = g_signal_new ("client-fd-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
flu_multi_fd_sink_class_init (FluMultiFdSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *bsink_class = GST_BASE_SINK_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (flu_multi_fd_sink_debug, "flumultifdsink", 0,
      "gst-flumotion multifdsink");

  gobject_class->set_property = flu_multi_fd_sink_set_property;
  gobject_class->get_property = flu_multi_fd_sink_get_property;
  gobject_class->finalize = flu_multi_fd_sink_finalize;

  flu_multi_fd_sink_install_properties (gobject_class);
  flu_multi_fd_sink_install_signals (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Multi fd sink (gst-flumotion)", "Sink/Network",
      "Send one stream to many file descriptors, with keyframe-aware "
      "burst-on-connect and an epoll writer thread",
      "gst-flumotion developers");

  element_class->change_state =
      GST_DEBUG_FUNCPTR (flu_multi_fd_sink_change_state);
  bsink_class->set_caps = GST_DEBUG_FUNCPTR (flu_multi_fd_sink_set_caps);
  bsink_class->render = GST_DEBUG_FUNCPTR (flu_multi_fd_sink_render);
  bsink_class->render_list = GST_DEBUG_FUNCPTR (flu_multi_fd_sink_render_list);

  gst_type_mark_as_plugin_api (FLU_TYPE_SYNC_METHOD, 0);
  gst_type_mark_as_plugin_api (FLU_TYPE_RECOVER_POLICY, 0);
  gst_type_mark_as_plugin_api (FLU_TYPE_CLIENT_STATUS, 0);
}
