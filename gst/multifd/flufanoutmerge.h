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

/* The engine's open chunk: small consecutive buffers copied into one
 * memory block at push time (the streaming thread, one copy per buffer,
 * shared by every client), which enters the ring as one entry when it is
 * sealed.  A client's write per coalescing window is then one or two
 * iovecs instead of one per frame.  Pure: no lock, no socket (the engine
 * calls it with its lock held). */

#ifndef __FLU_FANOUT_MERGE_H__
#define __FLU_FANOUT_MERGE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* a buffer under this size may be merged; a chunk holds up to this */
#define FLU_MERGE_SMALL (16 * 1024)
#define FLU_MERGE_CHUNK (64 * 1024)

typedef struct
{
  guint8 *data;                 /* FLU_MERGE_CHUNK bytes, kept for reuse */
  gboolean open;                /* a chunk is open in data */
  gsize fill;
  GstClockTime pts, dts;
  gboolean keyframe;
  guint n_buffers;
} FluMerge;

/* Copies @buf into the open chunk when it may follow what is there: a
 * delta unit, small, no DISCONT/HEADER/GAP flag, and it fits.  FALSE (and
 * nothing done) otherwise. */
gboolean flu_merge_append (FluMerge * m, GstBuffer * buf);
/* No chunk open: opens one with @buf when @buf is small (a keyframe may
 * open one, then deltas follow it).  FALSE when @buf is not mergeable. */
gboolean flu_merge_start (FluMerge * m, GstBuffer * buf);
/* The open chunk as one buffer of its own (a copy of what was filled:
 * the block stays for the next chunk, so sealing does not fragment the
 * heap), with the timestamps and keyframe flag of its first buffer; NULL
 * when none is open.  No chunk is open after. */
GstBuffer *flu_merge_seal (FluMerge * m);
void flu_merge_clear (FluMerge * m);

G_END_DECLS

#endif /* __FLU_FANOUT_MERGE_H__ */
