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

/* Unit tests of flufeedsrc's timeline (timestamp rebasing across
 * upstream connections) and filler (what an outage is filled with). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "flufeedtimeline.h"
#include "flufeedfill.h"

#define MS GST_MSECOND

static GstBuffer *
stamped (GstClockTime pts, GstClockTime dts, GstClockTime dur)
{
  GstBuffer *buf = gst_buffer_new ();

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DTS (buf) = dts;
  GST_BUFFER_DURATION (buf) = dur;
  return buf;
}

/* maps a buffer and returns its new PTS */
static GstClockTime
map_pts (FluFeedTimeline * tl, GstClockTime pts, GstClockTime now)
{
  GstBuffer *buf = stamped (pts, GST_CLOCK_TIME_NONE, 40 * MS);
  GstClockTime out;

  flu_feed_timeline_map (tl, buf, now);
  out = GST_BUFFER_PTS (buf);
  gst_buffer_unref (buf);
  return out;
}

GST_START_TEST (test_first_connection_starts_now)
{
  FluFeedTimeline tl;

  flu_feed_timeline_init (&tl);
  flu_feed_timeline_new_upstream (&tl);
  /* the upstream is 1 h into its stream, we are 2 s into ours */
  fail_unless_equals_uint64 (map_pts (&tl, 3600 * GST_SECOND,
          2 * GST_SECOND), 2 * GST_SECOND);
  /* its spacing is kept, whatever our clock says meanwhile */
  fail_unless_equals_uint64 (map_pts (&tl, 3600 * GST_SECOND + 40 * MS,
          5 * GST_SECOND), 2 * GST_SECOND + 40 * MS);
  fail_unless_equals_uint64 (tl.end, 2 * GST_SECOND + 80 * MS);
}

GST_END_TEST;

GST_START_TEST (test_restart_from_zero_stays_monotonic)
{
  FluFeedTimeline tl;
  GstClockTime t;

  flu_feed_timeline_init (&tl);
  flu_feed_timeline_new_upstream (&tl);
  map_pts (&tl, 10 * GST_SECOND, GST_SECOND);
  t = map_pts (&tl, 10 * GST_SECOND + 40 * MS, GST_SECOND);
  fail_unless_equals_uint64 (t, GST_SECOND + 40 * MS);

  /* the upstream restarted: its times begin at zero again; our clock is
   * behind our output (it ran ahead): continue at the end */
  flu_feed_timeline_new_upstream (&tl);
  fail_unless_equals_uint64 (map_pts (&tl, 0, GST_SECOND),
      GST_SECOND + 80 * MS);
  fail_unless_equals_uint64 (map_pts (&tl, 40 * MS, GST_SECOND),
      GST_SECOND + 120 * MS);

  /* again, after an outage: now is later than the end, start at now */
  flu_feed_timeline_new_upstream (&tl);
  fail_unless_equals_uint64 (map_pts (&tl, 0, 5 * GST_SECOND), 5 * GST_SECOND);

  /* no clock at all: continue at the end */
  flu_feed_timeline_new_upstream (&tl);
  fail_unless_equals_uint64 (map_pts (&tl, 7 * GST_SECOND,
          GST_CLOCK_TIME_NONE), 5 * GST_SECOND + 40 * MS);
}

GST_END_TEST;

GST_START_TEST (test_upstream_segment_and_dts)
{
  FluFeedTimeline tl;
  GstSegment seg;
  GstBuffer *buf;

  flu_feed_timeline_init (&tl);
  flu_feed_timeline_new_upstream (&tl);
  /* upstream running time = pts - start + base */
  gst_segment_init (&seg, GST_FORMAT_TIME);
  seg.start = 100 * GST_SECOND;
  seg.time = 100 * GST_SECOND;
  seg.base = 2 * GST_SECOND;
  flu_feed_timeline_set_segment (&tl, &seg);

  /* B-frames: DTS is the reference, PTS keeps its distance */
  buf = stamped (100 * GST_SECOND + 80 * MS, 100 * GST_SECOND, 40 * MS);
  fail_unless (flu_feed_timeline_map (&tl, buf, 10 * GST_SECOND));
  fail_unless_equals_uint64 (GST_BUFFER_DTS (buf), 10 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), 10 * GST_SECOND + 80 * MS);
  gst_buffer_unref (buf);
  buf = stamped (100 * GST_SECOND + 40 * MS, 100 * GST_SECOND + 40 * MS,
      40 * MS);
  fail_if (flu_feed_timeline_map (&tl, buf, 10 * GST_SECOND));
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), 10 * GST_SECOND + 40 * MS);
  gst_buffer_unref (buf);

  /* before the segment: clamped, never wrapped */
  buf = stamped (GST_SECOND, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);
  flu_feed_timeline_map (&tl, buf, 10 * GST_SECOND);
  fail_unless (GST_BUFFER_PTS (buf) < 11 * GST_SECOND);
  gst_buffer_unref (buf);

  /* untimestamped buffers stay so and do not rebase */
  flu_feed_timeline_new_upstream (&tl);
  buf = stamped (GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);
  fail_if (flu_feed_timeline_map (&tl, buf, 20 * GST_SECOND));
  fail_if (GST_BUFFER_PTS_IS_VALID (buf));
  fail_unless (tl.need_rebase);
  gst_buffer_unref (buf);
}

GST_END_TEST;

GST_START_TEST (test_filler)
{
  FluFeedFiller f;
  GstCaps *caps;
  GstBuffer *frame, *buf;
  GstMapInfo map;
  gsize i;

  /* gap: no buffers */
  flu_feed_filler_init (&f, FLU_FEED_FILL_GAP);
  caps = gst_caps_from_string ("video/x-raw, format=I420, width=8, "
      "height=8, framerate=50/1");
  flu_feed_filler_set_caps (&f, caps);
  fail_unless (flu_feed_filler_make (&f, 0) == NULL);
  fail_unless_equals_uint64 (flu_feed_filler_interval (&f),
      FLU_FEED_FILL_GAP_INTERVAL);
  flu_feed_filler_clear (&f);

  /* repeat, raw video: the last frame at the frame rate */
  flu_feed_filler_init (&f, FLU_FEED_FILL_REPEAT);
  flu_feed_filler_set_caps (&f, caps);
  fail_unless (flu_feed_filler_make (&f, 0) == NULL);   /* no frame yet */
  frame = gst_buffer_new_memdup ("0123456789", 10);
  GST_BUFFER_FLAG_SET (frame, GST_BUFFER_FLAG_DISCONT);
  flu_feed_filler_remember (&f, frame);
  fail_unless_equals_uint64 (flu_feed_filler_interval (&f), 20 * MS);
  buf = flu_feed_filler_make (&f, 7 * GST_SECOND);
  fail_unless (buf != NULL);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), 7 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), 20 * MS);
  fail_if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT));
  fail_unless (gst_buffer_memcmp (buf, 0, "0123456789", 10) == 0);
  gst_buffer_unref (buf);
  gst_buffer_unref (frame);
  gst_caps_unref (caps);
  flu_feed_filler_clear (&f);

  /* repeat, raw audio: silence of the format (0x80 for unsigned 8 bit) */
  flu_feed_filler_init (&f, FLU_FEED_FILL_REPEAT);
  caps = gst_caps_from_string ("audio/x-raw, format=U8, rate=8000, "
      "channels=2, layout=interleaved");
  flu_feed_filler_set_caps (&f, caps);
  buf = flu_feed_filler_make (&f, GST_SECOND);
  fail_unless (buf != NULL);
  fail_unless_equals_int (gst_buffer_get_size (buf), 160 * 2);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  for (i = 0; i < map.size; i++)
    fail_unless_equals_int (map.data[i], 0x80);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  gst_caps_unref (caps);

  /* repeat, encoded media: gaps */
  caps = gst_caps_from_string ("image/jpeg, framerate=25/1");
  flu_feed_filler_set_caps (&f, caps);
  fail_unless (flu_feed_filler_make (&f, 0) == NULL);
  gst_caps_unref (caps);
  flu_feed_filler_clear (&f);
}

GST_END_TEST;

static Suite *
feed_timeline_suite (void)
{
  Suite *s = suite_create ("feed_timeline");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_first_connection_starts_now);
  tcase_add_test (tc, test_restart_from_zero_stays_monotonic);
  tcase_add_test (tc, test_upstream_segment_and_dts);
  tcase_add_test (tc, test_filler);
  return s;
}

GST_CHECK_MAIN (feed_timeline);
