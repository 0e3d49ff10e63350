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

#include "fluhttplogwatch.h"

#include <signal.h>
#include <glib-unix.h>

typedef struct
{
  FluHttpAccessLog *log;
  GstElement *element;
} Watch;

static gboolean
reopen_on_sighup (gpointer data)
{
  Watch *w = data;
  GError *err = NULL;

  if (!flu_http_access_log_reopen (w->log, &err)) {
    gst_element_message_full (w->element, GST_MESSAGE_WARNING,
        GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE,
        g_strdup (err->message), NULL, __FILE__, GST_FUNCTION, __LINE__);
    g_error_free (err);
  }
  return G_SOURCE_CONTINUE;
}

GSource *
flu_http_log_watch_sighup (FluHttpAccessLog * log, GMainContext * context,
    GstElement * element)
{
  GSource *source = g_unix_signal_source_new (SIGHUP);
  Watch *w = g_new (Watch, 1);

  w->log = log;
  w->element = element;
  g_source_set_callback (source, reopen_on_sighup, w, g_free);
  g_source_attach (source, context);
  return source;
}

void
flu_http_log_unwatch_sighup (GSource ** watch)
{
  if (*watch == NULL)
    return;
  g_source_destroy (*watch);
  g_clear_pointer (watch, g_source_unref);
}
