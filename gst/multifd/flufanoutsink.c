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

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/base/gstbasesink.h>

#include "flufanoutsink.h"
#include "fluenums.h"

GST_DEBUG_CATEGORY_STATIC (flu_fanout_sink_debug);
#define GST_CAT_DEFAULT flu_fanout_sink_debug

/* a buffer that comes this long after the previous render returned was
 * waited for by upstream: the live edge (a backlog comes back to back) */
#define FRESH_GAP_US 1000
/* how often upstream's liveness is asked again */
#define LIVE_CHECK_US (10 * G_USEC_PER_SEC)

typedef struct
{
  GstBaseSink parent;

  FluFanout *fanout;            /* set once at creation, never replaced */

  /* input batching: batch_us and unlocked under wait_lock (a leaf) */
  GMutex wait_lock;
  GCond wait_cond;
  gint64 batch_us;
  gboolean unlocked;            /* flushing or stopping: no wait */
  guint64 waits;
  /* streaming thread only */
  gint64 last_return;           /* monotonic us, when render returned */
  gint64 live_checked;
  gboolean upstream_live;
} FluFanoutSink;

typedef struct
{
  GstBaseSinkClass parent_class;
} FluFanoutSinkClass;

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

static GstElementClass *parent_class;

static gboolean
flu_fanout_sink_set_caps (GstBaseSink * bsink, GstCaps * caps)
{
  flu_fanout_set_caps (((FluFanoutSink *) bsink)->fanout, caps);
  return TRUE;
}

/* streaming thread, after a render that began at @entry: wait for the
 * next batch boundary when the buffer was the live edge's */
static void
batch_wait (FluFanoutSink * s, gint64 entry)
{
  gint64 batch, now, until;
  gboolean fresh = entry - s->last_return > FRESH_GAP_US;

  g_mutex_lock (&s->wait_lock);
  batch = s->batch_us;
  g_mutex_unlock (&s->wait_lock);
  if (batch > 0 && fresh && !gst_base_sink_get_sync (GST_BASE_SINK (s))) {
    now = g_get_monotonic_time ();
    if (s->live_checked == 0 || now - s->live_checked > LIVE_CHECK_US) {
      GstQuery *q = gst_query_new_latency ();
      gboolean upstream_live = FALSE;

      s->live_checked = now;
      if (gst_pad_peer_query (GST_BASE_SINK_PAD (s), q))
        gst_query_parse_latency (q, &upstream_live, NULL, NULL);
      gst_query_unref (q);
      if (upstream_live != s->upstream_live)
        GST_INFO_OBJECT (s, "upstream %s live: input %s", upstream_live ?
            "is" : "is not", upstream_live ? "as it comes" : "in batches");
      s->upstream_live = upstream_live;
    }
    if (!s->upstream_live) {
      until = (now / batch + 1) * batch;
      g_mutex_lock (&s->wait_lock);
      s->waits++;
      while (!s->unlocked && g_get_monotonic_time () < until)
        g_cond_wait_until (&s->wait_cond, &s->wait_lock, until);
      g_mutex_unlock (&s->wait_lock);
    }
  }
  s->last_return = g_get_monotonic_time ();
}

static GstFlowReturn
flu_fanout_sink_render (GstBaseSink * bsink, GstBuffer * buf)
{
  FluFanoutSink *s = (FluFanoutSink *) bsink;
  gint64 entry = g_get_monotonic_time ();

  flu_fanout_push (s->fanout, buf);
  batch_wait (s, entry);
  return GST_FLOW_OK;
}

static gboolean
flu_fanout_sink_unlock (GstBaseSink * bsink)
{
  FluFanoutSink *s = (FluFanoutSink *) bsink;

  g_mutex_lock (&s->wait_lock);
  s->unlocked = TRUE;
  g_cond_broadcast (&s->wait_cond);
  g_mutex_unlock (&s->wait_lock);
  return TRUE;
}

static gboolean
flu_fanout_sink_unlock_stop (GstBaseSink * bsink)
{
  FluFanoutSink *s = (FluFanoutSink *) bsink;

  g_mutex_lock (&s->wait_lock);
  s->unlocked = FALSE;
  g_mutex_unlock (&s->wait_lock);
  return TRUE;
}

static gboolean
flu_fanout_sink_start (GstBaseSink * bsink)
{
  FluFanoutSink *s = (FluFanoutSink *) bsink;

  s->last_return = 0;
  s->live_checked = 0;
  s->upstream_live = FALSE;
  return TRUE;
}

guint64
flu_fanout_sink_get_input_waits (GstElement * sink)
{
  FluFanoutSink *s = (FluFanoutSink *) sink;
  guint64 n;

  g_mutex_lock (&s->wait_lock);
  n = s->waits;
  g_mutex_unlock (&s->wait_lock);
  return n;
}

void
flu_fanout_sink_set_input_batch (GstElement * sink, guint64 batch)
{
  FluFanoutSink *s = (FluFanoutSink *) sink;

  g_mutex_lock (&s->wait_lock);
  s->batch_us = (gint64) MIN (batch / GST_USECOND, G_MAXINT32);
  /* a shorter batch, or none: the wait under way ends */
  g_cond_broadcast (&s->wait_cond);
  g_mutex_unlock (&s->wait_lock);
}

GstFlowReturn
flu_fanout_push_list (FluFanout * fanout, GstBufferList * list)
{
  guint i, n = gst_buffer_list_length (list);

  for (i = 0; i < n; i++)
    flu_fanout_push (fanout, gst_buffer_list_get (list, i));
  return GST_FLOW_OK;
}

GstStateChangeReturn
flu_fanout_change_state (FluFanout * fanout, GstElement * element,
    GstElementClass * parent_class, GstStateChange transition)
{
  GstStateChangeReturn ret;
  GError *err = NULL;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY &&
      !flu_fanout_start (fanout, &err)) {
    GST_ELEMENT_ERROR (element, RESOURCE, OPEN_READ_WRITE,
        ("Could not start the writer thread."), ("%s", err->message));
    g_error_free (err);
    return GST_STATE_CHANGE_FAILURE;
  }
  ret = parent_class->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    flu_fanout_stop (fanout);
  return ret;
}

static GstFlowReturn
flu_fanout_sink_render_list (GstBaseSink * bsink, GstBufferList * list)
{
  FluFanoutSink *s = (FluFanoutSink *) bsink;
  gint64 entry = g_get_monotonic_time ();
  GstFlowReturn ret = flu_fanout_push_list (s->fanout, list);

  batch_wait (s, entry);
  return ret;
}

static GstStateChangeReturn
flu_fanout_sink_change_state (GstElement * element, GstStateChange transition)
{
  return flu_fanout_change_state (((FluFanoutSink *) element)->fanout,
      element, parent_class, transition);
}

static void
flu_fanout_sink_finalize (GObject * object)
{
  FluFanoutSink *sink = (FluFanoutSink *) object;

  if (sink->fanout)
    flu_fanout_free (sink->fanout);
  g_mutex_clear (&sink->wait_lock);
  g_cond_clear (&sink->wait_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
flu_fanout_sink_class_init (gpointer klass, gpointer data)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *bsink_class = GST_BASE_SINK_CLASS (klass);

  parent_class = g_type_class_peek_parent (klass);
  gobject_class->finalize = flu_fanout_sink_finalize;
  element_class->change_state = flu_fanout_sink_change_state;
  bsink_class->set_caps = flu_fanout_sink_set_caps;
  bsink_class->render = flu_fanout_sink_render;
  bsink_class->render_list = flu_fanout_sink_render_list;
  bsink_class->unlock = flu_fanout_sink_unlock;
  bsink_class->unlock_stop = flu_fanout_sink_unlock_stop;
  bsink_class->start = flu_fanout_sink_start;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Fan-out engine (internal)", "Sink/Network",
      "The gst-flumotion fan-out engine inside fluhttpsink and flufeedsink",
      "gst-flumotion developers");
}

/* This file is part of a static library that several of our plugins link,
 * so each plugin carries a copy of it.  The type is registered once per
 * process, by whichever copy comes first; the copies are the same code of
 * the same build.  Each copy's debug categories are set up by
 * flu_fanout_init(), which every plugin linking the library calls. */
static GType
flu_fanout_sink_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type)) {
    GType t = g_type_from_name ("FluFanoutSink");

    if (t == 0)
      t = g_type_register_static_simple (GST_TYPE_BASE_SINK,
          g_intern_static_string ("FluFanoutSink"),
          sizeof (FluFanoutSinkClass), flu_fanout_sink_class_init,
          sizeof (FluFanoutSink), NULL, 0);
    g_once_init_leave (&type, t);
  }
  return type;
}

void
flu_fanout_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    flu_fanout_init_debug ();
    GST_DEBUG_CATEGORY_INIT (flu_fanout_sink_debug, "flufanoutsink", 0,
        "gst-flumotion fan-out engine as a sink element");
    g_type_ensure (FLU_TYPE_SYNC_METHOD);
    g_type_ensure (FLU_TYPE_RECOVER_POLICY);
    g_type_ensure (FLU_TYPE_CLIENT_STATUS);
    g_once_init_leave (&done, 1);
  }
}

/**
 * flu_fanout_sink_new:
 * @name: (nullable): the element's name
 * @callbacks: what the engine calls when a client goes
 * @user_data: passed to @callbacks
 *
 * Returns: (transfer floating): a new sink whose engine calls @callbacks.
 */
GstElement *
flu_fanout_sink_new (const gchar * name, const FluFanoutCallbacks * callbacks,
    gpointer user_data)
{
  FluFanoutSink *sink;

  flu_fanout_init ();
  sink = g_object_new (flu_fanout_sink_get_type (), "name", name, NULL);
  /* nobody reads this internal sink's last-sample: keeping it would cost
   * a GstSample (and its caps and segment) per buffer in the streaming
   * thread */
  gst_base_sink_set_last_sample_enabled (GST_BASE_SINK (sink), FALSE);

  sink->fanout = flu_fanout_new (GST_OBJECT (sink), callbacks, user_data);
  g_mutex_init (&sink->wait_lock);
  g_cond_init (&sink->wait_cond);
  return GST_ELEMENT (sink);
}

FluFanout *
flu_fanout_sink_get_fanout (GstElement * sink)
{
  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (sink,
          flu_fanout_sink_get_type ()), NULL);
  return ((FluFanoutSink *) sink)->fanout;
}
