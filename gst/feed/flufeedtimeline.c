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

#include "flufeedtimeline.h"

void
flu_feed_timeline_init (FluFeedTimeline * tl)
{
  flu_feed_timeline_new_upstream (tl);
  tl->offset = 0;
  tl->end = GST_CLOCK_TIME_NONE;
}

void
flu_feed_timeline_new_upstream (FluFeedTimeline * tl)
{
  gst_segment_init (&tl->segment, GST_FORMAT_TIME);
  tl->need_rebase = TRUE;
}

void
flu_feed_timeline_set_segment (FluFeedTimeline * tl, const GstSegment * segment)
{
  /* A live feed plays forward: a segment GStreamer cannot map to running
   * time (rate <= 0 from a broken or hostile upstream: criticals in
   * gst_segment_to_running_time_full) keeps the previous one. */
  if (segment->rate <= 0.0)
    return;
  gst_segment_copy_into (segment, &tl->segment);
}

static GstClockTime
upstream_running_time (FluFeedTimeline * tl, GstClockTime ts)
{
  guint64 rt;

  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return GST_CLOCK_TIME_NONE;
  if (tl->segment.format != GST_FORMAT_TIME)
    return ts;
  if (gst_segment_to_running_time_full (&tl->segment, GST_FORMAT_TIME, ts,
          &rt) > 0)
    return rt;
  return 0;                     /* before the segment */
}

static GstClockTime
shift (FluFeedTimeline * tl, GstClockTime in_rt)
{
  if (!GST_CLOCK_TIME_IS_VALID (in_rt))
    return GST_CLOCK_TIME_NONE;
  /* (unsigned negation: the offset may be G_MININT64 with hostile
   * timestamps) */
  if (tl->offset < 0 && 0 - (GstClockTime) tl->offset > in_rt)
    return 0;
  return in_rt + tl->offset;
}

gboolean
flu_feed_timeline_map (FluFeedTimeline * tl, GstBuffer * buf, GstClockTime now)
{
  GstClockTime pts = upstream_running_time (tl, GST_BUFFER_PTS (buf));
  GstClockTime dts = upstream_running_time (tl, GST_BUFFER_DTS (buf));
  GstClockTime ref = GST_CLOCK_TIME_IS_VALID (dts) ? dts : pts;
  gboolean rebased = FALSE;

  if (tl->need_rebase && GST_CLOCK_TIME_IS_VALID (ref)) {
    GstClockTime target = now;

    if (GST_CLOCK_TIME_IS_VALID (tl->end) &&
        (!GST_CLOCK_TIME_IS_VALID (target) || target < tl->end))
      target = tl->end;
    if (!GST_CLOCK_TIME_IS_VALID (target))
      target = 0;
    tl->offset = GST_CLOCK_DIFF (ref, target);
    tl->need_rebase = FALSE;
    rebased = TRUE;
  }
  GST_BUFFER_PTS (buf) = shift (tl, pts);
  GST_BUFFER_DTS (buf) = shift (tl, dts);
  GST_BUFFER_OFFSET (buf) = GST_BUFFER_OFFSET_NONE;
  GST_BUFFER_OFFSET_END (buf) = GST_BUFFER_OFFSET_NONE;

  if (GST_BUFFER_PTS_IS_VALID (buf)) {
    GstClockTime end = GST_BUFFER_PTS (buf);

    if (GST_BUFFER_DURATION_IS_VALID (buf))
      end += GST_BUFFER_DURATION (buf);
    if (!GST_CLOCK_TIME_IS_VALID (tl->end) || end > tl->end)
      tl->end = end;
  }
  return rebased;
}

void
flu_feed_timeline_advance (FluFeedTimeline * tl, GstClockTime duration)
{
  if (GST_CLOCK_TIME_IS_VALID (tl->end))
    tl->end += duration;
}
