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

/* FluFeedFiller: what flufeedsrc outputs while its upstream is away
 * (the fill property): nothing, GAP events, or for raw media the last
 * video frame again at the frame rate / silence. */

#ifndef __FLU_FEED_FILL_H__
#define __FLU_FEED_FILL_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>

G_BEGIN_DECLS

typedef enum
{
  FLU_FEED_FILL_NONE = 0,
  FLU_FEED_FILL_GAP = 1,
  FLU_FEED_FILL_REPEAT = 2
} FluFeedFill;

#define FLU_TYPE_FEED_FILL (flu_feed_fill_get_type ())
GType flu_feed_fill_get_type (void);

#define FLU_FEED_FILL_GAP_INTERVAL (100 * GST_MSECOND)
#define FLU_FEED_FILL_AUDIO_INTERVAL (20 * GST_MSECOND)
#define FLU_FEED_FILL_VIDEO_INTERVAL (40 * GST_MSECOND)   /* no framerate */

typedef struct
{
  FluFeedFill mode;
  gboolean is_video;
  gboolean is_audio;
  GstAudioInfo audio_info;
  GstClockTime frame_duration;
  GstBuffer *last;              /* last raw video frame (mode repeat) */
} FluFeedFiller;

void flu_feed_filler_init (FluFeedFiller * f, FluFeedFill mode);
void flu_feed_filler_clear (FluFeedFiller * f);
void flu_feed_filler_set_caps (FluFeedFiller * f, GstCaps * caps);
/* Every real buffer output goes through here. */
void flu_feed_filler_remember (FluFeedFiller * f, GstBuffer * buf);
/* How much stream time one fill unit covers. */
GstClockTime flu_feed_filler_interval (FluFeedFiller * f);
/* One fill unit at @ts lasting flu_feed_filler_interval(): a buffer, or
 * NULL when a GAP event is what to send. */
GstBuffer *flu_feed_filler_make (FluFeedFiller * f, GstClockTime ts);

G_END_DECLS

#endif /* __FLU_FEED_FILL_H__ */
