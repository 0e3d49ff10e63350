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

/* The access log's SIGHUP watch, shared by fluhttpsink, fluhlssink and
 * fluondemand: apart from fluhttplog.c, which stays GLib-only (the fuzz
 * target links it without GStreamer). */

#ifndef __FLU_HTTP_LOG_WATCH_H__
#define __FLU_HTTP_LOG_WATCH_H__

#include <gst/gst.h>

#include "fluhttplog.h"

G_BEGIN_DECLS

/* Reopens @log on every SIGHUP (log rotation), from @context (the
 * server thread's); a failure is posted as a RESOURCE/OPEN_WRITE warning
 * of @element.  Neither @log nor @element is reffed: stop the watch with
 * flu_http_log_unwatch_sighup() before they go. */
GSource *flu_http_log_watch_sighup (FluHttpAccessLog * log,
    GMainContext * context, GstElement * element);
/* Destroys and unrefs *@watch (may be NULL) and clears it. */
void flu_http_log_unwatch_sighup (GSource ** watch);

G_END_DECLS

#endif /* __FLU_HTTP_LOG_WATCH_H__ */
