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

#include "flugdppay.h"
#include "flugdp.h"

GST_DEBUG_CATEGORY_STATIC (flu_gdp_pay_debug);
#define GST_CAT_DEFAULT flu_gdp_pay_debug

struct _FluGdpPay
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  gboolean need_header;         /* sticky events changed since last header */
  gboolean started;             /* stream-start and segment sent on srcpad */
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-gdp"));

G_DEFINE_TYPE_WITH_CODE (FluGdpPay, flu_gdp_pay, GST_TYPE_ELEMENT,
    GST_DEBUG_CATEGORY_INIT (flu_gdp_pay_debug, "flugdppay", 0,
        "GDP payloader of flufeedsink"));

static FluGdpFlags
pay_flags (void)
{
  /* like gdppay's defaults */
  return FLU_GDP_FLAG_CRC_HEADER;
}

static void
array_take_buffer (GValue * array, GstBuffer * buffer)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, GST_TYPE_BUFFER);
  gst_value_take_buffer (&v, buffer);
  gst_value_array_append_and_take_value (array, &v);
}

static gboolean
collect_sticky (GstPad * pad, GstEvent ** event, gpointer user_data)
{
  GValue *array = user_data;
  GstBuffer *packet;

  if (GST_EVENT_TYPE (*event) == GST_EVENT_EOS)
    return TRUE;
  if (GST_EVENT_TYPE (*event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    GstStructure *s;

    gst_event_parse_caps (*event, &caps);
    array_take_buffer (array, flu_gdp_pay_caps (caps, pay_flags ()));
    /* the media's own stream headers (Ogg, Matroska, FLV ...) follow */
    s = gst_caps_get_structure (caps, 0);
    if (gst_structure_has_field_typed (s, "streamheader", GST_TYPE_ARRAY)) {
      const GValue *sh = gst_structure_get_value (s, "streamheader");
      guint i;

      for (i = 0; i < gst_value_array_get_size (sh); i++) {
        const GValue *v = gst_value_array_get_value (sh, i);
        GstBuffer *buf;

        if (!GST_VALUE_HOLDS_BUFFER (v))
          continue;
        buf = gst_buffer_copy (gst_value_get_buffer (v));
        GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_HEADER);
        GST_BUFFER_PTS (buf) = GST_CLOCK_TIME_NONE;
        GST_BUFFER_OFFSET (buf) = GST_BUFFER_OFFSET_NONE;
        GST_BUFFER_OFFSET_END (buf) = GST_BUFFER_OFFSET_NONE;
        packet = flu_gdp_pay_buffer (buf, pay_flags ());
        gst_buffer_unref (buf);
        array_take_buffer (array, packet);
      }
    }
    return TRUE;
  }
  packet = flu_gdp_pay_event (*event, pay_flags ());
  array_take_buffer (array, packet);
  return TRUE;
}

static void
ensure_started (FluGdpPay * self)
{
  gchar *id;

  if (self->started)
    return;
  id = gst_pad_create_stream_id (self->srcpad, GST_ELEMENT (self), "gdp");
  gst_pad_push_event (self->srcpad, gst_event_new_stream_start (id));
  g_free (id);
  self->started = TRUE;
}

/* Sets application/x-gdp caps whose streamheader holds a packet for every
 * sticky event (stream-start, caps, segment, tags), the fan-out's stream
 * headers for new readers, and pushes those packets in-stream for the
 * readers already there.  gdppay does the same. */
static GstFlowReturn
send_header (FluGdpPay * self)
{
  GValue array = G_VALUE_INIT;
  GstCaps *caps;
  gboolean first = !self->started;
  GstFlowReturn ret = GST_FLOW_OK;
  guint i;

  g_value_init (&array, GST_TYPE_ARRAY);
  gst_pad_sticky_events_foreach (self->sinkpad, collect_sticky, &array);

  ensure_started (self);
  caps = gst_caps_new_empty_simple ("application/x-gdp");
  gst_structure_set_value (gst_caps_get_structure (caps, 0), "streamheader",
      &array);
  gst_pad_set_caps (self->srcpad, caps);
  gst_caps_unref (caps);
  if (first) {
    GstSegment segment;

    gst_segment_init (&segment, GST_FORMAT_BYTES);
    gst_pad_push_event (self->srcpad, gst_event_new_segment (&segment));
  }

  for (i = 0; i < gst_value_array_get_size (&array) && ret == GST_FLOW_OK; i++) {
    GstBuffer *buf = gst_value_get_buffer (gst_value_array_get_value (&array,
            i));

    ret = gst_pad_push (self->srcpad, gst_buffer_ref (buf));
  }
  g_value_unset (&array);
  self->need_header = FALSE;
  return ret;
}

static GstFlowReturn
flu_gdp_pay_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  FluGdpPay *self = FLU_GDP_PAY (parent);
  GstFlowReturn ret;
  GstBuffer *packet;

  if (!gst_pad_has_current_caps (pad)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("buffer without caps: the feed needs caps to describe the stream"));
    gst_buffer_unref (buffer);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (self->need_header) {
    ret = send_header (self);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref (buffer);
      return ret;
    }
  }
  packet = flu_gdp_pay_buffer (buffer, pay_flags ());
  gst_buffer_unref (buffer);
  return gst_pad_push (self->srcpad, packet);
}

static gboolean
flu_gdp_pay_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  FluGdpPay *self = FLU_GDP_PAY (parent);
  GstEventType type = GST_EVENT_TYPE (event);

  switch (type) {
    case GST_EVENT_EOS:
    case GST_EVENT_FLUSH_START:
    case GST_EVENT_FLUSH_STOP:
      if (type == GST_EVENT_EOS)
        ensure_started (self);
      return gst_pad_push_event (self->srcpad, event);
    default:
      break;
  }

  if (GST_EVENT_IS_STICKY (event)) {
    /* stored on the pad by the default handling; the header is rebuilt
     * from the pad's sticky events before the next buffer */
    self->need_header = TRUE;
    gst_event_unref (event);
    return TRUE;
  }
  if (GST_EVENT_IS_SERIALIZED (event) && GST_EVENT_IS_DOWNSTREAM (event)) {
    GstFlowReturn ret = GST_FLOW_OK;

    if (self->need_header && gst_pad_has_current_caps (pad))
      ret = send_header (self);
    if (ret == GST_FLOW_OK && self->started)
      ret = gst_pad_push (self->srcpad, flu_gdp_pay_event (event,
              pay_flags ()));
    gst_event_unref (event);
    return ret == GST_FLOW_OK;
  }
  gst_event_unref (event);
  return TRUE;
}

static GstStateChangeReturn
flu_gdp_pay_change_state (GstElement * element, GstStateChange transition)
{
  FluGdpPay *self = FLU_GDP_PAY (element);
  GstStateChangeReturn ret;

  ret = GST_ELEMENT_CLASS (flu_gdp_pay_parent_class)->change_state (element,
      transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    self->started = FALSE;
    self->need_header = TRUE;
  }
  return ret;
}

static void
flu_gdp_pay_init (FluGdpPay * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, flu_gdp_pay_chain);
  gst_pad_set_event_function (self->sinkpad, flu_gdp_pay_sink_event);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
  self->need_header = TRUE;
}

static void
flu_gdp_pay_class_init (FluGdpPayClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  element_class->change_state = flu_gdp_pay_change_state;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "GDP payloader",
      "Codec/Payloader/Network", "Payloads a stream as GDP for flufeedsink",
      "gst-flumotion developers");
}
