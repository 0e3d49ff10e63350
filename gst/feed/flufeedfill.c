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

#include "flufeedfill.h"

GType
flu_feed_fill_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    {FLU_FEED_FILL_NONE, "Output nothing during an outage", "none"},
    {FLU_FEED_FILL_GAP, "Send GAP events so live mixers and muxers go on",
        "gap"},
    {FLU_FEED_FILL_REPEAT, "Raw video: repeat the last frame at the frame "
          "rate; raw audio: silence; other media: GAP events", "repeat"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("FluFeedFill", values);

    g_once_init_leave (&type, t);
  }
  return type;
}

void
flu_feed_filler_init (FluFeedFiller * f, FluFeedFill mode)
{
  f->mode = mode;
  f->is_video = f->is_audio = FALSE;
  f->frame_duration = FLU_FEED_FILL_VIDEO_INTERVAL;
  f->last = NULL;
}

void
flu_feed_filler_clear (FluFeedFiller * f)
{
  gst_clear_buffer (&f->last);
}

void
flu_feed_filler_set_caps (FluFeedFiller * f, GstCaps * caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gint num = 0, den = 1;

  f->is_video = gst_structure_has_name (s, "video/x-raw");
  f->is_audio = gst_structure_has_name (s, "audio/x-raw") &&
      gst_audio_info_from_caps (&f->audio_info, caps);
  f->frame_duration = FLU_FEED_FILL_VIDEO_INTERVAL;
  if (gst_structure_get_fraction (s, "framerate", &num, &den) && num > 0 &&
      den > 0)
    f->frame_duration = gst_util_uint64_scale (GST_SECOND, den, num);
  gst_clear_buffer (&f->last);
}

void
flu_feed_filler_remember (FluFeedFiller * f, GstBuffer * buf)
{
  if (f->mode == FLU_FEED_FILL_REPEAT && f->is_video)
    gst_buffer_replace (&f->last, buf);
}

GstClockTime
flu_feed_filler_interval (FluFeedFiller * f)
{
  if (f->mode == FLU_FEED_FILL_REPEAT && f->is_audio)
    return FLU_FEED_FILL_AUDIO_INTERVAL;
  if (f->mode == FLU_FEED_FILL_REPEAT && f->is_video && f->last)
    return f->frame_duration;
  return FLU_FEED_FILL_GAP_INTERVAL;
}

GstBuffer *
flu_feed_filler_make (FluFeedFiller * f, GstClockTime ts)
{
  GstClockTime dur = flu_feed_filler_interval (f);
  GstBuffer *buf;

  if (f->mode == FLU_FEED_FILL_REPEAT && f->is_video && f->last) {
    buf = gst_buffer_copy (f->last);
  } else if (f->mode == FLU_FEED_FILL_REPEAT && f->is_audio) {
    guint64 frames = gst_util_uint64_scale (dur, f->audio_info.rate,
        GST_SECOND);
    GstMapInfo map;

    buf = gst_buffer_new_allocate (NULL, frames * f->audio_info.bpf, NULL);
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    gst_audio_format_info_fill_silence (f->audio_info.finfo, map.data,
        map.size);
    gst_buffer_unmap (buf, &map);
  } else {
    return NULL;
  }
  GST_BUFFER_PTS (buf) = ts;
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = dur;
  GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_DISCONT);
  return buf;
}
