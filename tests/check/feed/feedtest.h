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

/* Helpers shared by the feed tests: pipelines on ephemeral ports, bounded
 * waits for samples and bus messages. */

#ifndef __FEED_TEST_H__
#define __FEED_TEST_H__

#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* Parses @desc (printf format), sets it to PLAYING (or READY when @ready
 * only) and returns it; fails the test on error. */
GstElement *feed_pipeline (gboolean ready_only, const gchar * desc, ...)
    G_GNUC_PRINTF (2, 3);
void feed_pipeline_stop (GstElement * pipeline);
guint feed_current_port (GstElement * pipeline, const gchar * name);

/* Next buffer from the appsink called @name within @timeout (ns); NULL on
 * timeout.  Caps of the sample in *caps if non-NULL. */
GstBuffer *feed_pull (GstElement * pipeline, const gchar * name,
    GstClockTime timeout, GstCaps ** caps);

/* Pops bus messages until an element message named @name (or, if
 * @type is not 0, a message of that type) arrives within @timeout; other
 * messages are dropped, errors fail the test unless @type is ERROR. */
GstMessage *feed_wait_message (GstElement * pipeline, const gchar * name,
    GstMessageType type, GstClockTime timeout);

/* A port that was free a moment ago. */
guint feed_free_port (void);

G_END_DECLS

#endif
