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

/* FluFanoutSink: the engine as a GStreamer sink element for our own bins
 * (fluhttpsink, flufeedsink).  It has no element factory and no
 * properties: the owner creates it with flu_fanout_sink_new(), configures
 * the engine with a FluFanoutConfig and calls flu_fanout_*() on
 * flu_fanout_sink_get_fanout() directly, so the dependency is visible to
 * the compiler.  It feeds the engine with the caps and buffers it
 * receives, and starts and stops the engine with its state (the writer
 * thread runs from READY to NULL, as flumultifdsink's does). */

#ifndef __FLU_FANOUT_SINK_H__
#define __FLU_FANOUT_SINK_H__

#include <gst/gst.h>

#include "flufanout.h"

G_BEGIN_DECLS

/* Sets up the library in the calling plugin: its debug categories and enum
 * types.  Every plugin that links the library calls it in plugin_init. */
void flu_fanout_init (void);

GstElement *flu_fanout_sink_new (const gchar * name,
    const FluFanoutCallbacks * callbacks, gpointer user_data);
FluFanout *flu_fanout_sink_get_fanout (GstElement * sink);

/* Input in batches: after a buffer that upstream had to wait for (the
 * stream's live edge), the sink's render returns only at the next
 * multiple of @batch (ns, 0 = off) of the monotonic clock, so upstream
 * finds everything that came meanwhile at once: one wake-up, read and
 * poll of the source per batch instead of one per packet (stock
 * tcpclientsrc ! gdpdepay: ~100 us each).  Only with sync off and an
 * upstream that is not live (asked with a latency query): the data waits
 * in the source's socket, where a live capture source would drop it.
 * Flushing and state changes end the wait at once.  Any thread. */
void flu_fanout_sink_set_input_batch (GstElement * sink, guint64 batch);
/* how many times render waited for a batch boundary (tests) */
guint64 flu_fanout_sink_get_input_waits (GstElement * sink);

/* What every sink over the engine does (FluFanoutSink and
 * flumultifdsink): push each buffer of @list; start the engine's writer
 * on NULL -> READY (an element error when it cannot) and stop it after
 * READY -> NULL, around @parent_class's change_state. */
GstFlowReturn flu_fanout_push_list (FluFanout * fanout, GstBufferList * list);
GstStateChangeReturn flu_fanout_change_state (FluFanout * fanout,
    GstElement * element, GstElementClass * parent_class,
    GstStateChange transition);

G_END_DECLS

#endif /* __FLU_FANOUT_SINK_H__ */
