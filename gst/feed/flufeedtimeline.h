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

/* FluFeedTimeline: how flufeedsrc maps the timestamps of a sequence of
 * upstream connections onto one continuous, monotonic output timeline.
 *
 * Within a connection, upstream times are turned into upstream running
 * time with the upstream's segment and shifted by one offset, so their
 * spacing is kept.  The offset is chosen at the first timestamped buffer
 * of each connection so that it lands at the later of "now" (our running
 * time) and the end of everything output so far -- whatever timeline the
 * (possibly restarted) upstream uses. */

#ifndef __FLU_FEED_TIMELINE_H__
#define __FLU_FEED_TIMELINE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct
{
  GstSegment segment;           /* the upstream's */
  gboolean need_rebase;
  GstClockTimeDiff offset;      /* out running time = in running time + offset */
  GstClockTime end;             /* running time where our output ends */
} FluFeedTimeline;

/* Forget everything (element start). */
void flu_feed_timeline_init (FluFeedTimeline * tl);
/* A new upstream connection: its segment and offset are unknown. */
void flu_feed_timeline_new_upstream (FluFeedTimeline * tl);
void flu_feed_timeline_set_segment (FluFeedTimeline * tl,
    const GstSegment * segment);
/* Moves @buf onto our timeline; @now is our current running time (NONE
 * if there is no clock).  Returns TRUE if this buffer rebased it. */
gboolean flu_feed_timeline_map (FluFeedTimeline * tl, GstBuffer * buf,
    GstClockTime now);
/* Extends the output end by a filler of @duration at tl->end. */
void flu_feed_timeline_advance (FluFeedTimeline * tl, GstClockTime duration);

G_END_DECLS

#endif /* __FLU_FEED_TIMELINE_H__ */
