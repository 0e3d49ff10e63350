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

typedef struct
{
  GstBaseSink parent;

  FluFanout *fanout;            /* set once at creation, never replaced */
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

static GstFlowReturn
flu_fanout_sink_render (GstBaseSink * bsink, GstBuffer * buf)
{
  flu_fanout_push (((FluFanoutSink *) bsink)->fanout, buf);
  return GST_FLOW_OK;
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
  return flu_fanout_push_list (((FluFanoutSink *) bsink)->fanout, list);
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
  return GST_ELEMENT (sink);
}

FluFanout *
flu_fanout_sink_get_fanout (GstElement * sink)
{
  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (sink,
          flu_fanout_sink_get_type ()), NULL);
  return ((FluFanoutSink *) sink)->fanout;
}
