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

/* The per-port server properties of fluhttpsink, fluhlssink and
 * fluondemand, defined once, and their porter watch (see
 * fluhttpserverprops.h). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpserverprops.h"

#define RW_READY (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_READY)

void
flu_http_server_props_install (GObjectClass * klass, guint first_id)
{
  g_object_class_install_property (klass,
      first_id + FLU_HTTP_SERVER_PROP_ADDRESS,
      g_param_spec_string ("address", "Address",
          "Numeric IPv4 or IPv6 address to listen on (NULL or empty = every "
          "interface, IPv4 and IPv6); read when the server starts, unused "
          "with porter-socket", NULL, RW_READY));
  g_object_class_install_property (klass,
      first_id + FLU_HTTP_SERVER_PROP_PORT,
      g_param_spec_uint ("port", "Port",
          "TCP port to listen on (0 = pick a free port, see current-port); "
          "elements with the same address and port (fluhttpsink, "
          "fluhlssink and fluondemand alike) share one server; unused with "
          "porter-socket", 0, 65535, FLU_HTTP_SERVER_DEFAULT_PORT, RW_READY));
  g_object_class_install_property (klass,
      first_id + FLU_HTTP_SERVER_PROP_HEADER_TIMEOUT,
      g_param_spec_uint ("header-timeout", "Header timeout",
          "Seconds a new connection may take to send its request headers "
          "(0 = no limit; the first element on a server sets it).  Requests "
          "with a body are refused (413) as soon as their headers are in",
          0, 3600, FLU_HTTP_SERVER_DEFAULT_HEADER_TIMEOUT, RW_READY));
  g_object_class_install_property (klass,
      first_id + FLU_HTTP_SERVER_PROP_PORTER_SOCKET,
      g_param_spec_string ("porter-socket", "Porter socket",
          "UNIX socket of a flu-porter (NULL or empty = listen on address "
          "and port): the server does not listen itself but registers its "
          "paths with the porter, which passes it the connections for them "
          "on the porter's public port (reconnecting, with backoff, when "
          "the porter restarts).  Elements with the same porter-socket "
          "share one server", NULL, RW_READY));
  g_object_class_install_property (klass,
      first_id + FLU_HTTP_SERVER_PROP_PORTER_SECRET_FILE,
      g_param_spec_string ("porter-secret-file", "Porter secret file",
          "File holding the secret shared with the porter (its bytes, one "
          "trailing newline dropped), proved by HMAC-SHA256 challenge and "
          "response, never sent; required with porter-socket, read when the "
          "server starts", NULL, RW_READY));
}

void
flu_http_server_props_init (FluHttpServerProps * props)
{
  props->address = NULL;
  props->port = FLU_HTTP_SERVER_DEFAULT_PORT;
  props->header_timeout = FLU_HTTP_SERVER_DEFAULT_HEADER_TIMEOUT;
  props->porter_socket = NULL;
  props->porter_secret_file = NULL;
}

void
flu_http_server_props_clear (FluHttpServerProps * props)
{
  g_clear_pointer (&props->address, g_free);
  g_clear_pointer (&props->porter_socket, g_free);
  g_clear_pointer (&props->porter_secret_file, g_free);
}

void
flu_http_server_props_copy (FluHttpServerProps * dest,
    const FluHttpServerProps * src)
{
  dest->address = g_strdup (src->address);
  dest->port = src->port;
  dest->header_timeout = src->header_timeout;
  dest->porter_socket = g_strdup (src->porter_socket);
  dest->porter_secret_file = g_strdup (src->porter_secret_file);
}

static void
replace (gchar ** s, const GValue * value)
{
  g_free (*s);
  *s = g_value_dup_string (value);
}

gboolean
flu_http_server_props_set (FluHttpServerProps * props, guint first_id,
    guint prop_id, const GValue * value)
{
  if (prop_id < first_id || prop_id >= first_id + FLU_HTTP_SERVER_N_PROPS)
    return FALSE;
  switch (prop_id - first_id) {
    case FLU_HTTP_SERVER_PROP_ADDRESS:
      replace (&props->address, value);
      break;
    case FLU_HTTP_SERVER_PROP_PORT:
      props->port = g_value_get_uint (value);
      break;
    case FLU_HTTP_SERVER_PROP_HEADER_TIMEOUT:
      props->header_timeout = g_value_get_uint (value);
      break;
    case FLU_HTTP_SERVER_PROP_PORTER_SOCKET:
      replace (&props->porter_socket, value);
      break;
    case FLU_HTTP_SERVER_PROP_PORTER_SECRET_FILE:
      replace (&props->porter_secret_file, value);
      break;
  }
  return TRUE;
}

gboolean
flu_http_server_props_get (const FluHttpServerProps * props, guint first_id,
    guint prop_id, GValue * value)
{
  if (prop_id < first_id || prop_id >= first_id + FLU_HTTP_SERVER_N_PROPS)
    return FALSE;
  switch (prop_id - first_id) {
    case FLU_HTTP_SERVER_PROP_ADDRESS:
      g_value_set_string (value, props->address);
      break;
    case FLU_HTTP_SERVER_PROP_PORT:
      g_value_set_uint (value, props->port);
      break;
    case FLU_HTTP_SERVER_PROP_HEADER_TIMEOUT:
      g_value_set_uint (value, props->header_timeout);
      break;
    case FLU_HTTP_SERVER_PROP_PORTER_SOCKET:
      g_value_set_string (value, props->porter_socket);
      break;
    case FLU_HTTP_SERVER_PROP_PORTER_SECRET_FILE:
      g_value_set_string (value, props->porter_secret_file);
      break;
  }
  return TRUE;
}

FluHttpServer *
flu_http_server_props_acquire (const FluHttpServerProps * props,
    gchar ** what, GError ** error)
{
  if (props->porter_socket && *props->porter_socket) {
    *what = g_strdup_printf ("serve behind the porter at %s",
        props->porter_socket);
    if (props->porter_secret_file == NULL || !*props->porter_secret_file) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "porter-socket needs porter-secret-file");
      return NULL;
    }
    return flu_http_server_acquire_porter (props->porter_socket,
        props->porter_secret_file, props->header_timeout, error);
  }
  *what = g_strdup_printf ("listen on %s port %u", props->address
      && *props->address ? props->address : "*", props->port);
  return flu_http_server_acquire (props->address, props->port,
      props->header_timeout, error);
}

FluHttpServer *
flu_http_server_props_acquire_for (const FluHttpServerProps * props,
    GstElement * element)
{
  GError *err = NULL;
  gchar *what = NULL;
  FluHttpServer *server = flu_http_server_props_acquire (props, &what, &err);

  if (server == NULL) {
    GST_ELEMENT_ERROR (element, RESOURCE, OPEN_READ_WRITE,
        ("Cannot %s: %s", what, err->message),
        ("pick another port, or port=0 for a free one"));
    g_error_free (err);
  }
  g_free (what);
  return server;
}

GstStateChangeReturn
flu_http_server_change_state (GstElement * element,
    GstStateChange transition, GstElementClass * parent_class,
    FluHttpServeStartFunc start, FluHttpServeStopFunc stop)
{
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !start (element))
    return GST_STATE_CHANGE_FAILURE;
  ret = parent_class->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL ||
      (transition == GST_STATE_CHANGE_NULL_TO_READY &&
          ret == GST_STATE_CHANGE_FAILURE))
    stop (element);
  return ret;
}

typedef struct
{
  GstElement *element;
  GParamSpec *current_port;
} Watch;

/* server thread */
static void
porter_event (FluHttpPorterEvent event, const gchar * detail, gpointer data)
{
  Watch *w = data;

  switch (event) {
    case FLU_HTTP_PORTER_WELCOMED:
      g_object_notify_by_pspec (G_OBJECT (w->element), w->current_port);
      break;
    case FLU_HTTP_PORTER_REFUSED:
      /* @detail is the porter's reason (never a secret), or ours */
      GST_ELEMENT_WARNING_WITH_DETAILS (w->element, RESOURCE, NOT_AUTHORIZED,
          ("The porter refused this server (%s): porter-secret-file does "
              "not hold the porter's secret; retrying every 5 s", detail),
          (NULL), ("flu-porter", G_TYPE_STRING, "refused", NULL));
      break;
    case FLU_HTTP_PORTER_TAKEN:
      GST_ELEMENT_WARNING_WITH_DETAILS (w->element, RESOURCE, BUSY,
          ("%s is served by another process behind the porter: not served "
              "here", detail), ("give each streamer its own paths "
              "(streamer.sh --mount-prefix)"), ("flu-porter", G_TYPE_STRING,
              "taken", "path", G_TYPE_STRING, detail, NULL));
      break;
  }
}

void
flu_http_server_props_watch (FluHttpServer * server, GstElement * element,
    gpointer owner, GParamSpec * current_port)
{
  Watch *w = g_new (Watch, 1);

  w->element = element;
  w->current_port = current_port;
  /* freed by unwatch: the server keeps no destroy function */
  g_object_set_data_full (G_OBJECT (element), "flu-porter-watch", w, g_free);
  flu_http_server_watch_porter (server, owner, porter_event, w);
}

void
flu_http_server_props_unwatch (FluHttpServer * server, gpointer owner)
{
  flu_http_server_unwatch_porter (server, owner);
}
