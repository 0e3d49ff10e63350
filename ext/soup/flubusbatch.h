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

#ifndef __FLU_BUS_BATCH_H__
#define __FLU_BUS_BATCH_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* An element's messages posted in batches: the first one after a quiet
 * period goes out at once, those that follow within the period wait
 * and go out together, in order, at its end (a timer in the context
 * given to flu_bus_batch_start ()).  Each post of a message wakes the
 * application's bus (a write to its socket, a wake-up of the thread
 * that watches it); viewers arriving one by one at 2,500/s then cost
 * one of those per period (or per FLU_BUS_BATCH_MAX messages) instead
 * of one each.  Without a context
 * (not started, or stopped) every message goes out at once. */
typedef struct _FluBusBatch FluBusBatch;

/* how long messages may wait for their batch (fluhttpsink's) */
#define FLU_BUS_BATCH_MS 50
/* a batch goes out as soon as it holds this many: the memory of the
 * messages waiting stays a few tens of KB however fast viewers come */
#define FLU_BUS_BATCH_MAX 64

FluBusBatch *flu_bus_batch_new (GstElement * owner, guint period_ms);
/* any thread; takes @s */
void flu_bus_batch_post (FluBusBatch * batch, GstStructure * s);
/* the waiting messages' timer runs in @context from now on */
void flu_bus_batch_start (FluBusBatch * batch, GMainContext * context);
/* the waiting messages go out now, and the next ones at once */
void flu_bus_batch_stop (FluBusBatch * batch);
/* drops what still waits (not posted: the element is being finalized) */
void flu_bus_batch_free (FluBusBatch * batch);

G_END_DECLS

#endif /* __FLU_BUS_BATCH_H__ */
