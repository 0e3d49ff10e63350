/* fluswitch in real pipelines: live videotestsrc master and backup, the
 * master stopped and restarted with a valve; raw and VP8; an audio switch
 * following a video switch.  Deadlines are generous, nothing is timed. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#define DEADLINE (20 * GST_SECOND)

typedef struct
{
  GMutex lock;
  GstClockTime last_pts;
  guint buffers, disconts, bad_order, bad_switch;
  guint8 last_luma;
} Probe;

static GstPadProbeReturn
probe_cb (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Probe *p = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;

  g_mutex_lock (&p->lock);
  if (GST_CLOCK_TIME_IS_VALID (p->last_pts)
      && GST_BUFFER_PTS (buf) < p->last_pts)
    p->bad_order++;
  p->last_pts = GST_BUFFER_PTS (buf);
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT)) {
    p->disconts++;
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
      p->bad_switch++;
  }
  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    if (map.size > 0)
      p->last_luma = map.data[0];
    gst_buffer_unmap (buf, &map);
  }
  p->buffers++;
  g_mutex_unlock (&p->lock);
  return GST_PAD_PROBE_OK;
}

static void
probe_attach (GstElement * pipeline, const gchar * name, const gchar * pad,
    Probe * p)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  GstPad *sinkpad = gst_element_get_static_pad (e, pad);

  memset (p, 0, sizeof (*p));
  g_mutex_init (&p->lock);
  p->last_pts = GST_CLOCK_TIME_NONE;
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, probe_cb, p, NULL);
  gst_object_unref (sinkpad);
  gst_object_unref (e);
}

/* waits for a fluswitch-switched message from @src with @reason; fails on
 * an error message or at the deadline */
static void
wait_switch (GstElement * pipeline, const gchar * src, const gchar * to,
    const gchar * reason)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  gint64 end = g_get_monotonic_time () + DEADLINE / 1000;

  for (;;) {
    GstMessage *msg;
    gint64 left = end - g_get_monotonic_time ();

    fail_unless (left > 0, "no switch to %s (%s) from %s", to, reason, src);
    msg = gst_bus_timed_pop_filtered (bus, left * 1000,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
    if (msg == NULL)
      continue;
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR, "error from %s",
        GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)));
    if (gst_structure_has_name (gst_message_get_structure (msg),
            "fluswitch-switched")
        && g_strcmp0 (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), src) == 0) {
      const GstStructure *s = gst_message_get_structure (msg);

      fail_unless_equals_string (gst_structure_get_string (s, "to"), to);
      fail_unless_equals_string (gst_structure_get_string (s, "reason"),
          reason);
      gst_message_unref (msg);
      break;
    }
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
}

static void
set_valve (GstElement * pipeline, gboolean drop)
{
  GstElement *v = gst_bin_get_by_name (GST_BIN (pipeline), "v");

  g_object_set (v, "drop", drop, NULL);
  gst_object_unref (v);
}

static void
wait_buffers (Probe * p, guint n)
{
  gint64 end = g_get_monotonic_time () + DEADLINE / 1000;
  guint have;

  do {
    g_usleep (20000);
    g_mutex_lock (&p->lock);
    have = p->buffers;
    g_mutex_unlock (&p->lock);
    fail_unless (g_get_monotonic_time () < end, "no buffers");
  } while (have < n);
}

#define RAW "video/x-raw,format=I420,width=64,height=48,framerate=25/1"

static void
run_master_backup (const gchar * desc, gboolean check_luma)
{
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  Probe p;
  guint n;

  fail_unless (pipeline != NULL);
  probe_attach (pipeline, "out", "sink", &p);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  wait_buffers (&p, 10);
  if (check_luma)
    fail_unless (p.last_luma < 64, "not the master (black)");

  /* the master stops */
  set_valve (pipeline, TRUE);
  wait_switch (pipeline, "sw", "sink_1", "timeout");
  g_mutex_lock (&p.lock);
  n = p.buffers;
  g_mutex_unlock (&p.lock);
  wait_buffers (&p, n + 5);
  if (check_luma)
    fail_unless (p.last_luma > 192, "not the backup (white)");

  /* the master returns */
  set_valve (pipeline, FALSE);
  wait_switch (pipeline, "sw", "sink_0", "recovered");
  g_mutex_lock (&p.lock);
  n = p.buffers;
  g_mutex_unlock (&p.lock);
  wait_buffers (&p, n + 5);
  if (check_luma)
    fail_unless (p.last_luma < 64, "not the master again");

  fail_unless (gst_element_set_state (pipeline, GST_STATE_NULL)
      == GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (p.bad_order, 0);
  fail_unless_equals_int (p.bad_switch, 0);
  fail_unless (p.disconts >= 3, "%u DISCONT buffers", p.disconts);
  g_mutex_clear (&p.lock);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_raw_master_backup)
{
  run_master_backup ("fluswitch name=sw timeout=300000000 "
      "recovery=600000000 ! fakesink name=out sync=false "
      "videotestsrc is-live=true pattern=black ! " RAW " ! valve name=v ! "
      "sw.sink_0 "
      "videotestsrc is-live=true pattern=white ! " RAW " ! sw.sink_1", TRUE);
}

GST_END_TEST;

GST_START_TEST (test_vp8_master_backup)
{
  GstElementFactory *f = gst_element_factory_find ("vp8enc");

  if (f == NULL) {
    GST_INFO ("no vp8enc: skipped");
    return;
  }
  gst_object_unref (f);
  /* keyframes every 10 frames on both; the output decodes without error
   * (wait_switch fails on any error message) */
  run_master_backup ("fluswitch name=sw timeout=300000000 "
      "recovery=600000000 ! tee name=t ! queue ! vp8dec ! fakesink sync=false "
      "t. ! queue ! fakesink name=out sync=false "
      "videotestsrc is-live=true pattern=black ! " RAW " ! "
      "vp8enc deadline=1 keyframe-max-dist=10 ! valve name=v ! sw.sink_0 "
      "videotestsrc is-live=true pattern=white ! " RAW " ! "
      "vp8enc deadline=1 keyframe-max-dist=10 ! sw.sink_1", FALSE);
}

GST_END_TEST;

/* an audio switch follows the video switch's choice, manual here */
GST_START_TEST (test_follow)
{
  GstElement *pipeline = gst_parse_launch ("fluswitch name=vsw ! "
      "fakesink name=out sync=false "
      "fluswitch name=asw follow=vsw ! fakesink name=aout sync=false "
      "videotestsrc is-live=true ! " RAW " ! vsw.sink_0 "
      "videotestsrc is-live=true pattern=white ! " RAW " ! vsw.sink_1 "
      "audiotestsrc is-live=true ! asw.sink_0 "
      "audiotestsrc is-live=true wave=silence ! asw.sink_1", NULL);
  GstElement *vsw, *asw;
  GstPad *pad, *apad = NULL;
  Probe p;

  fail_unless (pipeline != NULL);
  probe_attach (pipeline, "aout", "sink", &p);
  vsw = gst_bin_get_by_name (GST_BIN (pipeline), "vsw");
  asw = gst_bin_get_by_name (GST_BIN (pipeline), "asw");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  wait_buffers (&p, 5);

  pad = gst_element_get_static_pad (vsw, "sink_1");
  g_object_set (vsw, "active-pad", pad, NULL);
  wait_switch (pipeline, "vsw", "sink_1", "manual");
  wait_switch (pipeline, "asw", "sink_1", "follow");
  g_object_get (asw, "active-pad", &apad, NULL);
  fail_unless (apad != NULL);
  fail_unless_equals_string (GST_PAD_NAME (apad), "sink_1");
  gst_object_unref (apad);
  gst_object_unref (pad);

  g_object_set (vsw, "auto-switch", TRUE, NULL);
  wait_switch (pipeline, "vsw", "sink_0", "recovered");
  wait_switch (pipeline, "asw", "sink_0", "follow");

  fail_unless (gst_element_set_state (pipeline, GST_STATE_NULL)
      == GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (p.bad_order, 0);
  g_mutex_clear (&p.lock);
  gst_object_unref (vsw);
  gst_object_unref (asw);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* an operator hammering active-pad and auto-switch from another thread
 * while both pads stream: no deadlock, PTS never back, stats add up */
GST_START_TEST (test_manual_stress)
{
  GstElement *pipeline = gst_parse_launch ("fluswitch name=sw "
      "timeout=50000000 recovery=50000000 ! fakesink name=out sync=false "
      "videotestsrc is-live=true ! video/x-raw,width=16,height=16,"
      "framerate=200/1 ! sw.sink_0 "
      "videotestsrc is-live=true ! video/x-raw,width=16,height=16,"
      "framerate=200/1 ! sw.sink_1", NULL);
  GstElement *sw;
  GstPad *pads[2];
  GstStructure *stats;
  guint64 switches = 0;
  Probe p;
  guint i;

  fail_unless (pipeline != NULL);
  probe_attach (pipeline, "out", "sink", &p);
  sw = gst_bin_get_by_name (GST_BIN (pipeline), "sw");
  pads[0] = gst_element_get_static_pad (sw, "sink_0");
  pads[1] = gst_element_get_static_pad (sw, "sink_1");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  wait_buffers (&p, 5);
  for (i = 0; i < 300; i++) {
    if (i % 7 == 6)
      g_object_set (sw, "auto-switch", TRUE, NULL);
    else
      g_object_set (sw, "active-pad", pads[i % 2], NULL);
    g_object_get (sw, "stats", &stats, NULL);
    gst_structure_free (stats);
    g_usleep (2000);
  }
  g_object_get (sw, "stats", &stats, NULL);
  gst_structure_get_uint64 (stats, "switches", &switches);
  gst_structure_free (stats);
  fail_unless (switches > 10, "only %" G_GUINT64_FORMAT " switches", switches);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_NULL)
      == GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (p.bad_order, 0);
  g_mutex_clear (&p.lock);
  gst_object_unref (pads[0]);
  gst_object_unref (pads[1]);
  gst_object_unref (sw);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static Suite *
switch_pipeline_suite (void)
{
  Suite *s = suite_create ("switch_pipeline");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_raw_master_backup);
  tcase_add_test (tc, test_vp8_master_backup);
  tcase_add_test (tc, test_follow);
  tcase_add_test (tc, test_manual_stress);
  return s;
}

GST_CHECK_MAIN (switch_pipeline);
