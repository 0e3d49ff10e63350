/* fluswitch element tests: GstHarness on two request pads, a GstTestClock
 * for arrival times (so no test depends on the machine's speed). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>

#define MS (GST_MSECOND)
#define FRAME (40 * MS)

#define RAW_CAPS "video/x-raw,format=I420,width=16,height=16,framerate=25/1"
#define VP8_CAPS "video/x-vp8,width=16,height=16,framerate=25/1"

typedef struct
{
  GstElement *sw;
  GstHarness *h[2];             /* h[0]: sink_0 and the output */
  GstClock *clock;
  GstBus *bus;
  GstPad *pad[2];
  GstClockTime last_pts;
  gboolean have_last;
  guint from[2];                /* output buffers from each pad */
  gint last_id;
} Fixture;

static void
fixture_init (Fixture * f, const gchar * caps0, const gchar * caps1)
{
  memset (f, 0, sizeof (*f));
  f->last_id = -1;
  f->sw = gst_element_factory_make ("fluswitch", NULL);
  fail_unless (f->sw != NULL);
  g_object_set (f->sw, "timeout", (guint64) (1000 * MS), "recovery",
      (guint64) (2000 * MS), NULL);
  f->h[0] = gst_harness_new_with_element (f->sw, "sink_0", "src");
  f->h[1] = gst_harness_new_with_element (f->sw, "sink_1", NULL);
  f->pad[0] = gst_element_get_static_pad (f->sw, "sink_0");
  f->pad[1] = gst_element_get_static_pad (f->sw, "sink_1");
  f->clock = gst_test_clock_new ();
  gst_element_set_clock (f->sw, f->clock);
  f->bus = gst_bus_new ();
  gst_element_set_bus (f->sw, f->bus);
  gst_harness_set_src_caps_str (f->h[0], caps0);
  gst_harness_set_src_caps_str (f->h[1], caps1);
}

static void
fixture_clear (Fixture * f)
{
  gst_object_unref (f->pad[0]);
  gst_object_unref (f->pad[1]);
  gst_harness_teardown (f->h[1]);
  gst_harness_teardown (f->h[0]);
  gst_element_set_bus (f->sw, NULL);
  gst_object_unref (f->bus);
  gst_object_unref (f->clock);
  gst_object_unref (f->sw);
}

/* a one-byte buffer saying which pad it came from */
static void
push (Fixture * f, guint i, GstClockTime now, GstClockTime pts, gboolean delta)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 1, NULL);

  gst_buffer_memset (buf, 0, (guint8) i, 1);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = FRAME;
  if (delta)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  gst_test_clock_set_time (GST_TEST_CLOCK (f->clock), now);
  fail_unless_equals_int (gst_harness_push (f->h[i], buf), GST_FLOW_OK);
}

/* Pulls what is output, checks monotonic timestamps; returns the source of
 * the last buffer (-1: none) and the DISCONT and DELTA_UNIT flags of the
 * first buffer from another pad than before (a switch). */
static gint
pull_all (Fixture * f, gboolean * switch_discont, gboolean * switch_delta)
{
  GstBuffer *buf;
  gint last = -1;

  while ((buf = gst_harness_try_pull (f->h[0]))) {
    guint8 id;

    gst_buffer_extract (buf, 0, &id, 1);
    fail_unless (id < 2);
    f->from[id]++;
    if (f->have_last)
      fail_unless (GST_BUFFER_PTS (buf) >= f->last_pts,
          "PTS went back: %" GST_TIME_FORMAT " after %" GST_TIME_FORMAT,
          GST_TIME_ARGS (GST_BUFFER_PTS (buf)), GST_TIME_ARGS (f->last_pts));
    f->last_pts = GST_BUFFER_PTS (buf);
    f->have_last = TRUE;
    if (id != f->last_id) {
      if (switch_discont)
        *switch_discont = GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT);
      if (switch_delta)
        *switch_delta = GST_BUFFER_FLAG_IS_SET (buf,
            GST_BUFFER_FLAG_DELTA_UNIT);
    } else if (id == f->last_id) {
      fail_if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT));
    }
    f->last_id = id;
    last = id;
    gst_buffer_unref (buf);
  }
  return last;
}

/* the next fluswitch-switched message, or fail */
static void
expect_switch (Fixture * f, const gchar * from, const gchar * to,
    const gchar * reason)
{
  GstMessage *msg;
  const GstStructure *s;

  while ((msg = gst_bus_pop_filtered (f->bus, GST_MESSAGE_ELEMENT))) {
    s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, "fluswitch-switched"))
      break;
    gst_message_unref (msg);
  }
  fail_unless (msg != NULL, "no fluswitch-switched message");
  fail_unless_equals_string (gst_structure_get_string (s, "from"), from);
  fail_unless_equals_string (gst_structure_get_string (s, "to"), to);
  fail_unless_equals_string (gst_structure_get_string (s, "reason"), reason);
  gst_message_unref (msg);
}

static void
expect_no_switch (Fixture * f)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (f->bus, GST_MESSAGE_ELEMENT))) {
    fail_if (gst_structure_has_name (gst_message_get_structure (msg),
            "fluswitch-switched"), "unexpected switch");
    gst_message_unref (msg);
  }
}

static GstPad *
active_pad (Fixture * f)
{
  GstPad *p = NULL;

  g_object_get (f->sw, "active-pad", &p, NULL);
  if (p)
    gst_object_unref (p);
  return p;
}

GST_START_TEST (test_timeout_and_recovery)
{
  Fixture f;
  GstClockTime t;
  gboolean discont = FALSE;
  GstStructure *stats;
  guint64 switches;
  guint checked = 0;

  fixture_init (&f, RAW_CAPS, RAW_CAPS);

  /* both run: the master (sink_0) is output */
  for (t = 0; t < 1000 * MS; t += FRAME) {
    push (&f, 1, t, t, FALSE);
    push (&f, 0, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, &discont, NULL), 0);
  fail_unless (discont);
  fail_unless_equals_int (f.from[1], 0);
  fail_unless (active_pad (&f) == f.pad[0]);
  expect_no_switch (&f);

  /* the master stops: the backup is output once timeout has passed */
  for (; t < 2000 * MS + FRAME; t += FRAME) {
    push (&f, 1, t, t, FALSE);
    if (f.from[1] == 0 && pull_all (&f, &discont, NULL) == 1) {
      fail_unless (discont);
      /* the master's last buffer came at 960 ms + 1 ns */
      fail_unless (t > 1960 * MS && t <= 1960 * MS + FRAME);
      fail_unless (active_pad (&f) == f.pad[1]);
      expect_switch (&f, "sink_0", "sink_1", "timeout");
      checked++;
    }
  }
  fail_unless_equals_int (checked, 1);

  /* the master returns: back to it after recovery of steady data */
  {
    GstClockTime back = t;

    for (; t < back + 3000 * MS; t += FRAME) {
      push (&f, 1, t, t, FALSE);
      push (&f, 0, t + 1, t, FALSE);
      if (pull_all (&f, &discont, NULL) == 0 && active_pad (&f) == f.pad[0]
          && t < back + 2000 * MS + 2 * FRAME) {
        fail_unless (t >= back + 2000 * MS);
        fail_unless (discont);
        expect_switch (&f, "sink_1", "sink_0", "recovered");
        back = 0;
        checked++;
      }
    }
    fail_unless (active_pad (&f) == f.pad[0]);
    fail_unless_equals_int (checked, 2);
  }

  g_object_get (f.sw, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint64 (stats, "switches", &switches));
  fail_unless_equals_uint64 (switches, 2);
  fail_unless_equals_string (gst_structure_get_string (stats, "current-pad"),
      "sink_0");
  gst_structure_free (stats);
  fixture_clear (&f);
}

GST_END_TEST;

/* a backup whose timestamps lag far behind (a restarted producer) is
 * shifted so that the output goes on where it was */
GST_START_TEST (test_continuous_timestamps)
{
  Fixture f;
  GstClockTime t;
  GstBuffer *buf;

  fixture_init (&f, RAW_CAPS, RAW_CAPS);
  for (t = 0; t < 500 * MS; t += FRAME) {
    push (&f, 0, t, 100 * GST_SECOND + t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  pull_all (&f, NULL, NULL);
  fail_unless_equals_uint64 (f.last_pts, 100 * GST_SECOND + 480 * MS);
  for (; t < 3000 * MS; t += FRAME)
    push (&f, 1, t, t, FALSE);
  /* pull_all checks monotonicity */
  while ((buf = gst_harness_try_pull (f.h[0]))) {
    if (f.have_last)
      fail_unless (GST_BUFFER_PTS (buf) >= f.last_pts);
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
      /* the first backup buffer goes on at the master's end */
      fail_unless_equals_uint64 (GST_BUFFER_PTS (buf),
          100 * GST_SECOND + 520 * MS);
    f.last_pts = GST_BUFFER_PTS (buf);
    gst_buffer_unref (buf);
  }
  fail_unless (active_pad (&f) == f.pad[1]);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_encoded_waits_for_keyframe)
{
  Fixture f;
  GstClockTime t;
  guint n = 0, checked = 0;
  gboolean discont = FALSE, delta = TRUE;

  fixture_init (&f, VP8_CAPS, VP8_CAPS);
  /* the master starts on a delta frame: nothing until its keyframe */
  push (&f, 0, 0, 0, TRUE);
  fail_unless_equals_int (pull_all (&f, NULL, NULL), -1);
  for (t = FRAME; t < 1000 * MS; t += FRAME, n++) {
    push (&f, 0, t, t, n % 10 != 0);
    push (&f, 1, t + 1, t, n % 10 != 5);
  }
  fail_unless_equals_int (pull_all (&f, NULL, &delta), 0);
  fail_if (delta);

  /* master stops; the backup's keyframes are frames 5, 15, 25...: the switch
   * waits for one after the timeout */
  for (; t < 3000 * MS; t += FRAME, n++) {
    push (&f, 1, t, t, n % 10 != 5);
    if (f.from[1] == 0 && pull_all (&f, &discont, &delta) == 1) {
      fail_unless (discont);
      fail_if (delta, "switched on a delta frame");
      fail_unless_equals_int (n % 10, 5);
      fail_unless (t > 1960 * MS);
      expect_switch (&f, "sink_0", "sink_1", "timeout");
      checked++;
    }
  }
  fail_unless_equals_int (checked, 1);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_manual)
{
  Fixture f;
  GstClockTime t;
  gboolean auto_switch;
  guint i;

  fixture_init (&f, RAW_CAPS, RAW_CAPS);
  for (t = 0; t < 200 * MS; t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 0);

  /* the operator picks the backup: pinned although the master is alive */
  g_object_set (f.sw, "active-pad", f.pad[1], NULL);
  g_object_get (f.sw, "auto-switch", &auto_switch, NULL);
  fail_if (auto_switch);
  for (i = 0; i < 50; i++, t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 1);
  fail_unless (active_pad (&f) == f.pad[1]);
  expect_switch (&f, "sink_0", "sink_1", "manual");

  /* back to automatic: the master, which is alive, at once */
  g_object_set (f.sw, "auto-switch", TRUE, NULL);
  for (i = 0; i < 5; i++, t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 0);
  expect_switch (&f, "sink_1", "sink_0", "recovered");

  /* auto-switch=false alone freezes: the master stays although it dies */
  g_object_set (f.sw, "auto-switch", FALSE, NULL);
  for (i = 0; i < 50; i++, t += FRAME)
    push (&f, 1, t + 1, t, FALSE);
  fail_unless_equals_int (pull_all (&f, NULL, NULL), -1);
  fail_unless (active_pad (&f) == f.pad[0]);
  g_object_set (f.sw, "auto-switch", TRUE, NULL);
  push (&f, 1, t + 1, t, FALSE);
  t += FRAME;
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 1);
  expect_switch (&f, "sink_0", "sink_1", "timeout");
  /* the master back, recovery 2 s */
  for (i = 0; i < 60; i++, t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 0);
  expect_switch (&f, "sink_1", "sink_0", "recovered");

  /* priorities: the backup made preferred */
  g_object_set (f.pad[1], "priority", 0, NULL);
  g_object_set (f.pad[0], "priority", 1, NULL);
  for (i = 0; i < 5; i++, t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 1);
  fixture_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_eos)
{
  Fixture f;
  GstClockTime t;
  GstEvent *ev;
  gboolean got_eos = FALSE;

  fixture_init (&f, RAW_CAPS, RAW_CAPS);
  for (t = 0; t < 200 * MS; t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 0);
  /* master ends: the backup at its next buffer, no EOS yet */
  fail_unless (gst_harness_push_event (f.h[0], gst_event_new_eos ()));
  push (&f, 1, t, t, FALSE);
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 1);
  expect_switch (&f, "sink_0", "sink_1", "eos");
  while ((ev = gst_harness_try_pull_event (f.h[0]))) {
    fail_if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS);
    gst_event_unref (ev);
  }
  /* every pad ended: EOS */
  fail_unless (gst_harness_push_event (f.h[1], gst_event_new_eos ()));
  while ((ev = gst_harness_try_pull_event (f.h[0]))) {
    got_eos |= GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (got_eos);
  fixture_clear (&f);
}

GST_END_TEST;

/* one stream-start, one segment; caps and tags follow the active pad */
GST_START_TEST (test_events)
{
  Fixture f;
  GstClockTime t;
  GstEvent *ev;
  guint stream_starts = 0, segments = 0, caps = 0, tags = 0;
  GstTagList *tl;

  fixture_init (&f, RAW_CAPS,
      "video/x-raw,format=I420,width=32,height=32,framerate=25/1");
  tl = gst_tag_list_new (GST_TAG_TITLE, "slate", NULL);
  fail_unless (gst_harness_push_event (f.h[1], gst_event_new_tag (tl)));
  for (t = 0; t < 200 * MS; t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  for (; t < 2000 * MS; t += FRAME)
    push (&f, 1, t, t, FALSE);
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 1);
  while ((ev = gst_harness_try_pull_event (f.h[0]))) {
    switch (GST_EVENT_TYPE (ev)) {
      case GST_EVENT_STREAM_START:
        stream_starts++;
        break;
      case GST_EVENT_SEGMENT:
        segments++;
        break;
      case GST_EVENT_CAPS:{
        GstCaps *c;
        gint w;

        gst_event_parse_caps (ev, &c);
        gst_structure_get_int (gst_caps_get_structure (c, 0), "width", &w);
        fail_unless_equals_int (w, caps == 0 ? 16 : 32);
        caps++;
        break;
      }
      case GST_EVENT_TAG:{
        gchar *title = NULL;

        gst_event_parse_tag (ev, &tl);
        fail_unless (gst_tag_list_get_string (tl, GST_TAG_TITLE, &title));
        fail_unless_equals_string (title, "slate");
        g_free (title);
        tags++;
        break;
      }
      default:
        break;
    }
    gst_event_unref (ev);
  }
  fail_unless_equals_int (stream_starts, 1);
  fail_unless_equals_int (segments, 1);
  fail_unless_equals_int (caps, 2);
  fail_unless_equals_int (tags, 1);
  fixture_clear (&f);
}

GST_END_TEST;

/* GAP events are not data: a master sending only GAPs is dead */
GST_START_TEST (test_gap_is_not_data)
{
  Fixture f;
  GstClockTime t;
  gboolean alive = TRUE;

  fixture_init (&f, RAW_CAPS, RAW_CAPS);
  for (t = 0; t < 200 * MS; t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 0);
  for (; t < 2000 * MS; t += FRAME) {
    gst_test_clock_set_time (GST_TEST_CLOCK (f.clock), t);
    fail_unless (gst_harness_push_event (f.h[0], gst_event_new_gap (t, FRAME)));
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 1);
  expect_switch (&f, "sink_0", "sink_1", "timeout");
  g_object_get (f.pad[0], "alive", &alive, NULL);
  fail_if (alive);
  fixture_clear (&f);
}

GST_END_TEST;

/* stats: per-pad counters and time */
GST_START_TEST (test_stats)
{
  Fixture f;
  GstClockTime t;
  GstStructure *stats;
  const GValue *pads;
  const GstStructure *p0, *p1;
  guint64 v;
  gboolean alive;

  fixture_init (&f, RAW_CAPS, RAW_CAPS);
  for (t = 0; t < 400 * MS; t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  pull_all (&f, NULL, NULL);
  g_object_get (f.sw, "stats", &stats, NULL);
  pads = gst_structure_get_value (stats, "pads");
  fail_unless (pads != NULL && GST_VALUE_HOLDS_ARRAY (pads));
  fail_unless_equals_int (gst_value_array_get_size (pads), 2);
  p0 = gst_value_get_structure (gst_value_array_get_value (pads, 0));
  p1 = gst_value_get_structure (gst_value_array_get_value (pads, 1));
  fail_unless_equals_string (gst_structure_get_string (p0, "name"), "sink_0");
  fail_unless (gst_structure_get_uint64 (p0, "buffers", &v));
  fail_unless_equals_uint64 (v, 10);
  fail_unless (gst_structure_get_uint64 (p0, "dropped", &v));
  fail_unless_equals_uint64 (v, 0);
  fail_unless (gst_structure_get_uint64 (p1, "dropped", &v));
  fail_unless_equals_uint64 (v, 10);
  fail_unless (gst_structure_get_uint64 (p0, "active-time", &v));
  /* active from the first master buffer (0) to the clock's last time, that
   * of the last backup buffer (360 ms + 1 ns) */
  fail_unless_equals_uint64 (v, 360 * MS + 1);
  fail_unless (gst_structure_get_uint64 (p1, "active-time", &v));
  fail_unless_equals_uint64 (v, 0);
  fail_unless (gst_structure_get_boolean (p1, "alive", &alive) && alive);
  gst_structure_free (stats);

  /* read later, with nothing pushed: the pads have aged */
  gst_test_clock_set_time (GST_TEST_CLOCK (f.clock), 5 * GST_SECOND);
  g_object_get (f.sw, "stats", &stats, NULL);
  pads = gst_structure_get_value (stats, "pads");
  p0 = gst_value_get_structure (gst_value_array_get_value (pads, 0));
  fail_unless (gst_structure_get_boolean (p0, "alive", &alive));
  fail_if (alive);
  gst_structure_free (stats);
  fixture_clear (&f);
}

GST_END_TEST;

/* releasing the active pad: the next pad takes over, reason released */
GST_START_TEST (test_release_active)
{
  GstElement *sw = gst_element_factory_make ("fluswitch", NULL);
  GstHarness *h1 = gst_harness_new_with_element (sw, "sink_1", "src");
  GstPad *p0 = gst_element_request_pad_simple (sw, "sink_%u");
  GstPad *src = gst_pad_new ("src", GST_PAD_SRC);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GstSegment seg;
  GstBuffer *buf;
  guint n;

  fail_unless_equals_string (GST_PAD_NAME (p0), "sink_2");
  gst_element_set_bus (sw, bus);
  gst_harness_set_src_caps_str (h1, RAW_CAPS);
  /* sink_2 made the preferred pad, fed by hand */
  g_object_set (p0, "priority", 0, NULL);
  gst_object_unref (sw);
  fail_unless (gst_pad_link (src, p0) == GST_PAD_LINK_OK);
  gst_pad_set_active (src, TRUE);
  gst_pad_push_event (src, gst_event_new_stream_start ("p0"));
  gst_pad_push_event (src, gst_event_new_caps (gst_caps_from_string
          (RAW_CAPS)));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_pad_push_event (src, gst_event_new_segment (&seg));
  for (n = 0; n < 3; n++) {
    buf = gst_buffer_new_allocate (NULL, 1, NULL);
    GST_BUFFER_PTS (buf) = n * FRAME;
    fail_unless_equals_int (gst_pad_push (src, buf), GST_FLOW_OK);
    gst_harness_push (h1, gst_buffer_new_allocate (NULL, 1, NULL));
  }
  fail_unless_equals_int (gst_harness_buffers_in_queue (h1), 3);

  gst_pad_unlink (src, p0);
  gst_element_release_request_pad (h1->element, p0);
  gst_object_unref (p0);
  fail_unless_equals_int (gst_harness_push (h1, gst_buffer_new_allocate
          (NULL, 1, NULL)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h1), 4);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  fail_unless (msg != NULL);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "from"), "sink_2");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "reason"), "released");
  gst_message_unref (msg);

  gst_object_unref (src);
  gst_element_set_bus (h1->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h1);
}

GST_END_TEST;

/* a new clock (an audio sink's in PLAYING after the system clock in
 * PAUSED): the times are rebased, the master still dies after timeout */
GST_START_TEST (test_clock_change)
{
  Fixture f;
  GstClockTime t;
  GstClock *clock2;

  fixture_init (&f, RAW_CAPS, RAW_CAPS);
  for (t = 100 * GST_SECOND; t < 100 * GST_SECOND + 200 * MS; t += FRAME) {
    push (&f, 0, t, t, FALSE);
    push (&f, 1, t + 1, t, FALSE);
  }
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 0);

  clock2 = gst_test_clock_new ();
  gst_element_set_clock (f.sw, clock2);
  gst_object_unref (f.clock);
  f.clock = clock2;
  for (t = 0; t < 1500 * MS; t += FRAME)
    push (&f, 1, t, 100 * GST_SECOND + 200 * MS + t, FALSE);
  fail_unless_equals_int (pull_all (&f, NULL, NULL), 1);
  expect_switch (&f, "sink_0", "sink_1", "timeout");
  fixture_clear (&f);
}

GST_END_TEST;

static Suite *
switch_element_suite (void)
{
  Suite *s = suite_create ("switch_element");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_timeout_and_recovery);
  tcase_add_test (tc, test_continuous_timestamps);
  tcase_add_test (tc, test_encoded_waits_for_keyframe);
  tcase_add_test (tc, test_manual);
  tcase_add_test (tc, test_eos);
  tcase_add_test (tc, test_events);
  tcase_add_test (tc, test_gap_is_not_data);
  tcase_add_test (tc, test_stats);
  tcase_add_test (tc, test_release_active);
  tcase_add_test (tc, test_clock_change);
  return s;
}

GST_CHECK_MAIN (switch_element);
