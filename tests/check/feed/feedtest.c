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

#include "feedtest.h"

GstElement *
feed_pipeline (gboolean ready_only, const gchar * desc, ...)
{
  GError *err = NULL;
  GstElement *pipeline;
  gchar *text;
  va_list args;

  va_start (args, desc);
  text = g_strdup_vprintf (desc, args);
  va_end (args);
  pipeline = gst_parse_launch (text, &err);
  fail_unless (pipeline != NULL, "cannot parse %s: %s", text,
      err ? err->message : "?");
  g_clear_error (&err);
  fail_if (gst_element_set_state (pipeline, ready_only ? GST_STATE_READY :
          GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE,
      "cannot start %s", text);
  g_free (text);
  return pipeline;
}

void
feed_pipeline_stop (GstElement * pipeline)
{
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

guint
feed_current_port (GstElement * pipeline, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  GValue v = G_VALUE_INIT;
  gint64 port;

  fail_unless (e != NULL);
  /* ours is a guint, fluhttpsink's a gint (-1 = not listening) */
  g_value_init (&v, G_TYPE_INT64);
  g_object_get_property (G_OBJECT (e), "current-port", &v);
  port = g_value_get_int64 (&v);
  gst_object_unref (e);
  fail_unless (port > 0 && port < 65536, "%s is not listening", name);
  return (guint) port;
}

GstBuffer *
feed_pull (GstElement * pipeline, const gchar * name, GstClockTime timeout,
    GstCaps ** caps)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), name);
  GstSample *sample;
  GstBuffer *buf = NULL;

  fail_unless (sink != NULL);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), timeout);
  if (sample) {
    buf = gst_buffer_ref (gst_sample_get_buffer (sample));
    if (caps)
      *caps = gst_caps_ref (gst_sample_get_caps (sample));
    gst_sample_unref (sample);
  }
  gst_object_unref (sink);
  return buf;
}

GstMessage *
feed_wait_message (GstElement * pipeline, const gchar * name,
    GstMessageType type, GstClockTime timeout)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  gint64 end = g_get_monotonic_time () + timeout / GST_USECOND;
  GstMessage *msg = NULL;

  while (g_get_monotonic_time () < end) {
    GstClockTime left = (end - g_get_monotonic_time ()) * GST_USECOND;

    msg = gst_bus_timed_pop (bus, left);
    if (!msg)
      break;
    if (type && GST_MESSAGE_TYPE (msg) == type)
      break;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_error (msg, &err, &dbg);
      fail ("unexpected error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg),
          err->message, dbg);
    }
    if (name && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT &&
        gst_message_has_name (msg, name))
      break;
    gst_message_unref (msg);
    msg = NULL;
  }
  gst_object_unref (bus);
  return msg;
}

guint
feed_free_port (void)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *a = g_inet_socket_address_new (lo, 0);
  GSocketAddress *local;
  guint port;

  fail_unless (g_socket_bind (s, a, TRUE, NULL));
  local = g_socket_get_local_address (s, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_object_unref (local);
  g_object_unref (a);
  g_object_unref (lo);
  g_socket_close (s, NULL);
  g_object_unref (s);
  return port;
}
