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

/**
 * SECTION:element-fluswitch
 * @title: fluswitch
 *
 * Flumotion's watchdog switch: outputs the preferred sink pad that is
 * alive, and moves to a backup (a "we'll be right back" slate, a second
 * camera) when the preferred pad goes quiet, and back when it returns.
 *
 * A pad is dead after #FluSwitch:timeout without a buffer (arrival times are
 * read on the pipeline clock) and alive again after #FluSwitch:recovery of
 * steady data.  The preferred pad is the alive pad with the lowest
 * #FluSwitchPad:priority (by default the order the pads were requested in).
 * Encoded streams (caps other than video/x-raw and audio/x-raw) switch only
 * at a keyframe of the incoming pad; raw media switch at once.  The output
 * has one segment and continuous timestamps: each pad's buffers are output
 * in running time, shifted forward when needed so that the output never
 * goes back; the first buffer after a switch is flagged DISCONT, caps and
 * tags follow the active pad.  Setting #FluSwitch:active-pad switches by
 * hand and pins the choice until #FluSwitch:auto-switch is set again.  Each
 * switch posts a `fluswitch-switched` element message (`from`, `to`,
 * `reason`: timeout, recovered, manual, eos, follow or released).
 * #FluSwitch:follow ties a second switch (audio) to the choice of a first
 * one (video).
 *
 * Sink pad properties (#FluSwitchPad): `priority` (gint, 0 – G_MAXINT,
 * readable, writable, changeable in PLAYING; default: the pad's number, i.e.
 * the request order) and `alive` (gboolean, read-only).
 *
 * |[
 * gst-launch-1.0 fluswitch name=sw timeout=1000000000 ! videoconvert ! \
 *     autovideosink \
 *   flufeedsrc port=5000 ! jpegdec ! videoconvert ! sw.sink_0 \
 *   videotestsrc is-live=true pattern=smpte ! sw.sink_1
 * ]|
 * |[
 * gst-launch-1.0 \
 *   fluswitch name=vsw ! queue ! vp8enc deadline=1 keyframe-max-dist=30 ! \
 *       webmmux streamable=true name=mux ! fluhttpsink port=8800 \
 *   fluswitch name=asw follow=vsw ! queue ! audioconvert ! vorbisenc ! mux. \
 *   videotestsrc is-live=true ! video/x-raw,width=640,height=360 ! vsw.sink_0 \
 *   audiotestsrc is-live=true ! asw.sink_0 \
 *   videotestsrc is-live=true pattern=smpte ! \
 *       video/x-raw,width=640,height=360 ! vsw.sink_1 \
 *   audiotestsrc is-live=true wave=silence ! asw.sink_1
 * ]|
 */

/* Locking.  Lock order: push_lock, then lock, then the object lock.
 *
 * - lock: the settings (properties) and the switching state: the pads'
 *   liveness, which pad is active, the output timeline, the stats.  Never
 *   held across a push or a message post.
 * - push_lock: serialises everything sent out of the src pad (events and
 *   buffers), so that at a switch the old pad's last push is finished before
 *   the new pad's first one.  Only the active pad's streaming thread takes
 *   it; the others drop their buffers under `lock` alone and never wait for
 *   downstream.
 *
 * Per-pad stream fields (segment, caps, tag event, encoded) are written and
 * read only by that pad's own streaming thread. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "fluswitch.h"
#include "fluswitchpolicy.h"

GST_DEBUG_CATEGORY_STATIC (flu_switch_debug);
#define GST_CAT_DEFAULT flu_switch_debug

#define DEFAULT_TIMEOUT (1 * GST_SECOND)
#define DEFAULT_RECOVERY (2 * GST_SECOND)
#define DEFAULT_AUTO_SWITCH TRUE

enum
{
  PROP_0,
  PROP_TIMEOUT,
  PROP_RECOVERY,
  PROP_ACTIVE_PAD,
  PROP_AUTO_SWITCH,
  PROP_FOLLOW,
  PROP_N_PADS,
  PROP_STATS
};

enum
{
  PAD_PROP_0,
  PAD_PROP_PRIORITY,
  PAD_PROP_ALIVE
};

/* ------------------------------------------------------------------ */
/* the sink pad */

struct _FluSwitchPad
{
  GstPad parent;

  /* under the element's lock */
  FluSwitchPadState state;
  gboolean need_offset;         /* recompute the offset at the next buffer */
  guint64 offset;               /* added to this pad's running times */
  guint64 buffers, dropped;
  guint64 active_time;          /* clock time spent active, before the
                                 * current activation */

  /* this pad's streaming thread only */
  GstSegment segment;
  GstCaps *caps;
  GstEvent *tags;
  gboolean encoded;
};

G_DEFINE_TYPE (FluSwitchPad, flu_switch_pad, GST_TYPE_PAD);

struct _FluSwitch
{
  GstElement parent;

  GstPad *srcpad;

  GMutex lock;
  GMutex push_lock;

  /* settings, under lock */
  guint64 timeout;
  guint64 recovery;
  gboolean auto_switch;
  FluSwitchPad *pinned;         /* active-pad set by hand (a ref) */
  gchar *follow;

  /* state, under lock */
  GList *pads;                  /* FluSwitchPad, not reffed */
  guint next_order;
  gboolean started;
  FluSwitchPad *active;         /* not reffed; cleared on release */
  guint64 active_since;         /* clock time of the last activation */
  gboolean released_active;
  gchar *released_name;
  guint64 switches;
  gboolean have_out;            /* a buffer was output */
  guint64 out_pos;              /* last output position (DTS or PTS) */
  guint64 out_end;              /* end of the output so far */
  gboolean need_discont;
  gboolean need_segment;
  gboolean need_stream_start;
  gboolean eos_sent;
  FluSwitch *leader;            /* the follow'ed switch (a ref), set in
                                 * READY->PAUSED */
  gpointer time_clock;          /* the clock of the times above */

  /* the active pad's name as a quark, read lock-free by followers */
  gint active_quark;

  /* under push_lock */
  GstCaps *out_caps;
  GstEvent *out_tags;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink_%u",
    GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS_ANY);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define flu_switch_parent_class parent_class
G_DEFINE_TYPE (FluSwitch, flu_switch, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (fluswitch, "fluswitch",
    GST_RANK_NONE, FLU_TYPE_SWITCH,
    GST_DEBUG_CATEGORY_INIT (flu_switch_debug, "fluswitch", 0,
        "gst-flumotion watchdog switch"));

static void
flu_switch_pad_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluSwitchPad *pad = FLU_SWITCH_PAD (object);
  GstElement *parent;
  FluSwitch *self = NULL;

  parent = gst_pad_get_parent_element (GST_PAD (pad));
  if (parent && FLU_IS_SWITCH (parent))
    self = FLU_SWITCH (parent);
  if (self)
    g_mutex_lock (&self->lock);

  switch (prop_id) {
    case PAD_PROP_PRIORITY:
      pad->state.priority = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }

  if (self)
    g_mutex_unlock (&self->lock);
  if (parent)
    gst_object_unref (parent);
}

static void
flu_switch_pad_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FluSwitchPad *pad = FLU_SWITCH_PAD (object);
  GstElement *parent;
  FluSwitch *self = NULL;

  parent = gst_pad_get_parent_element (GST_PAD (pad));
  if (parent && FLU_IS_SWITCH (parent))
    self = FLU_SWITCH (parent);
  if (self)
    g_mutex_lock (&self->lock);

  switch (prop_id) {
    case PAD_PROP_PRIORITY:
      g_value_set_int (value, pad->state.priority);
      break;
    case PAD_PROP_ALIVE:
      g_value_set_boolean (value, pad->state.alive);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }

  if (self)
    g_mutex_unlock (&self->lock);
  if (parent)
    gst_object_unref (parent);
}

static void
flu_switch_pad_finalize (GObject * object)
{
  FluSwitchPad *pad = FLU_SWITCH_PAD (object);

  gst_caps_replace (&pad->caps, NULL);
  gst_event_replace (&pad->tags, NULL);
  G_OBJECT_CLASS (flu_switch_pad_parent_class)->finalize (object);
}

static void
flu_switch_pad_class_init (FluSwitchPadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = flu_switch_pad_set_property;
  gobject_class->get_property = flu_switch_pad_get_property;
  gobject_class->finalize = flu_switch_pad_finalize;

  /**
   * FluSwitchPad:priority:
   *
   * Preference of this pad: the alive pad with the lowest priority is
   * output.  Defaults to the order the pads were requested in (0, 1, ...).
   */
  g_object_class_install_property (gobject_class, PAD_PROP_PRIORITY,
      g_param_spec_int ("priority", "Priority",
          "Preference of this pad, lower is preferred: the alive pad with the "
          "lowest priority is output (ties: the earlier requested pad). "
          "Defaults to the request order (0 for the first pad, 1, ...)",
          0, G_MAXINT, 0,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * FluSwitchPad:alive:
   *
   * Whether the pad counts as alive (data within the switch's timeout, and
   * steady for its recovery after it was dead).
   */
  g_object_class_install_property (gobject_class, PAD_PROP_ALIVE,
      g_param_spec_boolean ("alive", "Alive",
          "Whether the pad counts as alive: it had data within the switch's "
          "timeout (and, after it was dead, steady data for the switch's "
          "recovery)", TRUE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
flu_switch_pad_init (FluSwitchPad * pad)
{
  gst_segment_init (&pad->segment, GST_FORMAT_UNDEFINED);
}

/* ------------------------------------------------------------------ */
/* time */

/* Arrival times are read on the pipeline clock (the element's clock), so
 * that they agree with the live sources' timestamps; without a clock (not
 * yet PLAYING, or an element alone) on the system clock, which is the usual
 * pipeline clock too.  When the clock changes (e.g. from the system clock
 * in PAUSED to an audio sink's clock in PLAYING) the times read so far mean
 * nothing on the new one: every pad's times are rebased to now (each keeps
 * its liveness).  Called with `lock`; takes the object lock. */
static guint64
flu_switch_now_locked (FluSwitch * self)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  GstClockTime now;

  if (clock == NULL)
    clock = gst_system_clock_obtain ();
  now = gst_clock_get_time (clock);
  now = GST_CLOCK_TIME_IS_VALID (now) ? now : 0;
  if ((gpointer) clock != self->time_clock) {
    GList *l;

    if (self->time_clock)
      GST_INFO_OBJECT (self, "clock changed to %" GST_PTR_FORMAT
          ": times rebased", clock);
    for (l = self->pads; l; l = l->next) {
      FluSwitchPad *p = l->data;

      p->state.last_seen = p->state.steady_since = now;
    }
    self->active_since = now;
    self->time_clock = clock;   /* compared only, never dereferenced */
  }
  gst_object_unref (clock);
  return now;
}

/* ------------------------------------------------------------------ */
/* the decision, under lock */

typedef struct
{
  gboolean switched;
  gchar *from;
  gchar *to;
  FluSwitchReason reason;
} SwitchNote;

static void
switch_note_clear (SwitchNote * note)
{
  g_free (note->from);
  g_free (note->to);
  memset (note, 0, sizeof (*note));
}

static void
flu_switch_post_note (FluSwitch * self, SwitchNote * note)
{
  GstStructure *s;

  if (!note->switched)
    return;
  GST_INFO_OBJECT (self, "switched from %s to %s (%s)",
      GST_STR_NULL (note->from), GST_STR_NULL (note->to),
      flu_switch_reason_nick (note->reason));
  if (note->reason != FLU_SWITCH_REASON_NONE) {
    s = gst_structure_new ("fluswitch-switched",
        "from", G_TYPE_STRING, note->from,
        "to", G_TYPE_STRING, note->to,
        "reason", G_TYPE_STRING, flu_switch_reason_nick (note->reason), NULL);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
  }
  g_object_notify (G_OBJECT (self), "active-pad");
  switch_note_clear (note);
}

static FluSwitchPad *
flu_switch_find_pad_by_quark (FluSwitch * self, GQuark q)
{
  GList *l;

  if (q == 0)
    return NULL;
  for (l = self->pads; l; l = l->next) {
    if (g_strcmp0 (GST_PAD_NAME (l->data), g_quark_to_string (q)) == 0)
      return l->data;
  }
  return NULL;
}

/* Ages every pad and returns the pad that should be output, NULL for "keep
 * what is active". */
static FluSwitchPad *
flu_switch_wanted_locked (FluSwitch * self, guint64 now, gboolean * following)
{
  FluSwitchPadState *states[64];
  FluSwitchPad *pads[64];
  guint n = 0;
  gint idx;
  GList *l;

  *following = FALSE;
  for (l = self->pads; l && n < G_N_ELEMENTS (states); l = l->next) {
    FluSwitchPad *p = l->data;

    if (flu_switch_pad_state_check (&p->state, now, self->timeout))
      GST_INFO_OBJECT (self, "%s: no data for %" GST_TIME_FORMAT ": dead",
          GST_PAD_NAME (p), GST_TIME_ARGS (self->timeout));
    pads[n] = p;
    states[n] = &p->state;
    n++;
  }

  if (!self->auto_switch) {
    /* by hand: the pinned pad; auto-switch=false alone freezes the choice */
    if (self->pinned)
      return self->pinned;
    if (self->active)
      return self->active;
  }

  if (self->leader) {
    FluSwitchPad *p = flu_switch_find_pad_by_quark (self,
        g_atomic_int_get (&self->leader->active_quark));

    if (p) {
      *following = TRUE;
      return p;
    }
  }

  idx = flu_switch_policy_choose (states, n, now, self->timeout);
  return idx >= 0 ? pads[idx] : NULL;
}

static void
flu_switch_activate_locked (FluSwitch * self, FluSwitchPad * pad,
    guint64 now, gboolean following, SwitchNote * note)
{
  FluSwitchPad *from = self->active;

  note->switched = TRUE;
  note->from = from ? g_strdup (GST_PAD_NAME (from)) :
      g_strdup (self->released_name);
  note->to = g_strdup (GST_PAD_NAME (pad));
  note->reason = flu_switch_policy_reason (from ? &from->state : NULL,
      !self->auto_switch, following, self->released_active && !from);

  if (from)
    from->active_time += now - MIN (now, self->active_since);
  if (note->reason != FLU_SWITCH_REASON_NONE)
    self->switches++;

  self->active = pad;
  self->active_since = now;
  self->released_active = FALSE;
  g_clear_pointer (&self->released_name, g_free);
  pad->need_offset = TRUE;
  self->need_discont = TRUE;
  g_atomic_int_set (&self->active_quark,
      g_quark_from_string (GST_PAD_NAME (pad)));
}

/* ------------------------------------------------------------------ */
/* output, under push_lock */

static void
flu_switch_push_events (FluSwitch * self, FluSwitchPad * pad)
{
  gboolean stream_start, segment;

  g_mutex_lock (&self->lock);
  stream_start = self->need_stream_start;
  segment = self->need_segment;
  self->need_stream_start = FALSE;
  self->need_segment = FALSE;
  g_mutex_unlock (&self->lock);

  if (stream_start) {
    /* a new stream of our own: the inputs' stream-ids are theirs */
    gchar *id = g_strdup_printf ("%08x%08x%08x%08x", g_random_int (),
        g_random_int (), g_random_int (), g_random_int ());
    GstEvent *ev = gst_event_new_stream_start (id);

    gst_event_set_group_id (ev, gst_util_group_id_next ());
    gst_pad_push_event (self->srcpad, ev);
    g_free (id);
  }

  if (pad->caps && (self->out_caps == NULL
          || !gst_caps_is_equal (pad->caps, self->out_caps))) {
    GST_DEBUG_OBJECT (self, "caps from %s: %" GST_PTR_FORMAT,
        GST_PAD_NAME (pad), pad->caps);
    gst_caps_replace (&self->out_caps, pad->caps);
    gst_pad_push_event (self->srcpad, gst_event_new_caps (pad->caps));
  }

  if (segment) {
    GstSegment seg;

    gst_segment_init (&seg, GST_FORMAT_TIME);
    gst_pad_push_event (self->srcpad, gst_event_new_segment (&seg));
  }

  if (pad->tags && pad->tags != self->out_tags) {
    gst_event_replace (&self->out_tags, pad->tags);
    gst_pad_push_event (self->srcpad, gst_event_ref (pad->tags));
  }
}

static GstClockTime
to_running_time (FluSwitchPad * pad, GstClockTime t)
{
  if (!GST_CLOCK_TIME_IS_VALID (t) || pad->segment.format != GST_FORMAT_TIME)
    return t;
  return gst_segment_to_running_time (&pad->segment, GST_FORMAT_TIME, t);
}

/* Restamps @buf (writable) onto the output timeline; under lock. */
static void
flu_switch_restamp_locked (FluSwitch * self, FluSwitchPad * pad,
    GstBuffer * buf)
{
  GstClockTime pts = to_running_time (pad, GST_BUFFER_PTS (buf));
  GstClockTime dts = to_running_time (pad, GST_BUFFER_DTS (buf));
  GstClockTime pos = GST_CLOCK_TIME_IS_VALID (dts) ? dts : pts;
  GstClockTime dur = GST_BUFFER_DURATION (buf);

  if (!GST_CLOCK_TIME_IS_VALID (pos)) {
    GST_BUFFER_PTS (buf) = pts;
    GST_BUFFER_DTS (buf) = dts;
    return;
  }

  if (pad->need_offset) {
    pad->offset = flu_switch_policy_offset (self->have_out, self->out_end, pos);
    pad->need_offset = FALSE;
    GST_DEBUG_OBJECT (self, "%s: offset %" GST_TIME_FORMAT, GST_PAD_NAME (pad),
        GST_TIME_ARGS (pad->offset));
  }
  /* never back, even if the pad itself goes back */
  if (self->have_out && pos + pad->offset < self->out_pos)
    pad->offset = self->out_pos - pos;

  GST_BUFFER_PTS (buf) = GST_CLOCK_TIME_IS_VALID (pts) ? pts + pad->offset
      : pts;
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_IS_VALID (dts) ? dts + pad->offset
      : dts;

  self->have_out = TRUE;
  self->out_pos = pos + pad->offset;
  self->out_end = MAX (self->out_end, self->out_pos
      + (GST_CLOCK_TIME_IS_VALID (dur) ? dur : 0));
}

static GstFlowReturn
flu_switch_chain (GstPad * sinkpad, GstObject * parent, GstBuffer * buf)
{
  FluSwitch *self = FLU_SWITCH (parent);
  FluSwitchPad *pad = FLU_SWITCH_PAD (sinkpad);
  FluSwitchPad *wanted;
  SwitchNote note = { 0, };
  gboolean following, discont;
  guint64 now;
  GstFlowReturn ret;
  GList *l;

  g_mutex_lock (&self->lock);
  now = flu_switch_now_locked (self);
  if (!self->started) {
    self->started = TRUE;
    for (l = self->pads; l; l = l->next) {
      FluSwitchPad *p = l->data;

      if (!p->state.seen)
        p->state.last_seen = p->state.steady_since = now;
    }
  }
  pad->buffers++;
  if (flu_switch_pad_state_data (&pad->state, now, self->timeout,
          self->recovery))
    GST_INFO_OBJECT (self, "%s: steady data for %" GST_TIME_FORMAT ": alive",
        GST_PAD_NAME (pad), GST_TIME_ARGS (self->recovery));

  wanted = flu_switch_wanted_locked (self, now, &following);
  if (wanted == pad && self->active != pad
      && flu_switch_policy_can_switch (pad->encoded,
          GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT),
          GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_HEADER)))
    flu_switch_activate_locked (self, pad, now, following, &note);

  if (self->active != pad) {
    pad->dropped++;
    g_mutex_unlock (&self->lock);
    gst_buffer_unref (buf);
    flu_switch_post_note (self, &note);
    return GST_FLOW_OK;
  }
  g_mutex_unlock (&self->lock);

  flu_switch_post_note (self, &note);

  g_mutex_lock (&self->push_lock);
  g_mutex_lock (&self->lock);
  if (self->active != pad) {
    /* switched away while we waited for the previous push */
    pad->dropped++;
    g_mutex_unlock (&self->lock);
    g_mutex_unlock (&self->push_lock);
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  buf = gst_buffer_make_writable (buf);
  flu_switch_restamp_locked (self, pad, buf);
  discont = self->need_discont;
  self->need_discont = FALSE;
  self->eos_sent = FALSE;
  g_mutex_unlock (&self->lock);

  if (discont)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  flu_switch_push_events (self, pad);
  ret = gst_pad_push (self->srcpad, buf);
  g_mutex_unlock (&self->push_lock);

  /* the active pad gets downstream's flow return; inactive pads get OK */
  return ret;
}

/* EOS downstream when every pad has ended. */
static void
flu_switch_maybe_eos (FluSwitch * self)
{
  gboolean all = TRUE, send;
  GList *l;

  g_mutex_lock (&self->push_lock);
  g_mutex_lock (&self->lock);
  for (l = self->pads; l; l = l->next)
    all &= FLU_SWITCH_PAD (l->data)->state.eos;
  send = all && self->pads && !self->eos_sent;
  if (send)
    self->eos_sent = TRUE;
  g_mutex_unlock (&self->lock);

  if (send) {
    GST_INFO_OBJECT (self, "every pad ended: EOS");
    gst_pad_push_event (self->srcpad, gst_event_new_eos ());
  }
  g_mutex_unlock (&self->push_lock);
}

static gboolean
flu_switch_sink_event (GstPad * sinkpad, GstObject * parent, GstEvent * event)
{
  FluSwitch *self = FLU_SWITCH (parent);
  FluSwitchPad *pad = FLU_SWITCH_PAD (sinkpad);
  gboolean active;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_STREAM_START:
      /* ours is sent once, from the first output */
      gst_event_unref (event);
      return TRUE;
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      const gchar *name;

      gst_event_parse_caps (event, &caps);
      gst_caps_replace (&pad->caps, caps);
      name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
      pad->encoded = !g_str_has_prefix (name, "video/x-raw")
          && !g_str_has_prefix (name, "audio/x-raw");
      GST_DEBUG_OBJECT (self, "%s: caps %" GST_PTR_FORMAT " (%s)",
          GST_PAD_NAME (pad), caps, pad->encoded ? "encoded" : "raw");
      gst_event_unref (event);
      return TRUE;
    }
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment (event, &pad->segment);
      gst_event_unref (event);
      return TRUE;
    case GST_EVENT_TAG:
      gst_event_replace (&pad->tags, event);
      gst_event_unref (event);
      return TRUE;
    case GST_EVENT_GAP:
      /* not data: a GAP never keeps a pad alive */
      gst_event_unref (event);
      return TRUE;
    case GST_EVENT_EOS:
      g_mutex_lock (&self->lock);
      flu_switch_pad_state_eos (&pad->state);
      g_mutex_unlock (&self->lock);
      GST_INFO_OBJECT (self, "%s: EOS", GST_PAD_NAME (pad));
      gst_event_unref (event);
      flu_switch_maybe_eos (self);
      return TRUE;
    case GST_EVENT_FLUSH_STOP:
      gst_segment_init (&pad->segment, GST_FORMAT_UNDEFINED);
      g_mutex_lock (&self->lock);
      if (pad->state.eos)
        flu_switch_pad_state_init (&pad->state, pad->state.priority,
            pad->state.order, flu_switch_now_locked (self));
      active = self->active == pad;
      if (active) {
        self->need_segment = TRUE;
        self->eos_sent = FALSE;
      }
      g_mutex_unlock (&self->lock);
      if (active)
        return gst_pad_push_event (self->srcpad, event);
      gst_event_unref (event);
      return TRUE;
    default:
      break;
  }

  /* anything else: only from the active pad */
  g_mutex_lock (&self->lock);
  active = self->active == pad;
  g_mutex_unlock (&self->lock);
  if (!active) {
    gst_event_unref (event);
    return TRUE;
  }
  if (GST_EVENT_IS_SERIALIZED (event)) {
    gboolean ret;

    g_mutex_lock (&self->push_lock);
    ret = gst_pad_push_event (self->srcpad, event);
    g_mutex_unlock (&self->push_lock);
    return ret;
  }
  return gst_pad_push_event (self->srcpad, event);
}

/* Latency: the worst of every input, as all of them may be output. */
static gboolean
flu_switch_src_query (GstPad * srcpad, GstObject * parent, GstQuery * query)
{
  FluSwitch *self = FLU_SWITCH (parent);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    GstClockTime min = 0, max = GST_CLOCK_TIME_NONE;
    gboolean live = FALSE, any = FALSE;
    GstIterator *it = gst_element_iterate_sink_pads (GST_ELEMENT (self));
    GValue item = G_VALUE_INIT;

    while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
      GstPad *p = g_value_get_object (&item);
      GstQuery *q = gst_query_new_latency ();

      if (gst_pad_peer_query (p, q)) {
        gboolean l;
        GstClockTime pmin, pmax;

        gst_query_parse_latency (q, &l, &pmin, &pmax);
        any = TRUE;
        if (l) {
          live = TRUE;
          min = MAX (min, pmin);
          if (GST_CLOCK_TIME_IS_VALID (pmax))
            max = GST_CLOCK_TIME_IS_VALID (max) ? MIN (max, pmax) : pmax;
        }
      }
      gst_query_unref (q);
      g_value_reset (&item);
    }
    g_value_unset (&item);
    gst_iterator_free (it);
    if (!any)
      return FALSE;
    gst_query_set_latency (query, live, min, max);
    return TRUE;
  }
  return gst_pad_query_default (srcpad, parent, query);
}

/* ------------------------------------------------------------------ */
/* pads */

static GstPad *
flu_switch_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * name, const GstCaps * caps)
{
  FluSwitch *self = FLU_SWITCH (element);
  FluSwitchPad *pad;
  gchar *pad_name;
  guint64 now;
  guint order;

  g_mutex_lock (&self->lock);
  now = flu_switch_now_locked (self);
  order = self->next_order;
  if (name && sscanf (name, "sink_%u", &order) == 1) {
    GList *l;

    for (l = self->pads; l; l = l->next) {
      if (FLU_SWITCH_PAD (l->data)->state.order == order) {
        g_mutex_unlock (&self->lock);
        GST_WARNING_OBJECT (self, "pad %s exists already", name);
        return NULL;
      }
    }
  }
  self->next_order = MAX (self->next_order, order + 1);
  g_mutex_unlock (&self->lock);

  pad_name = g_strdup_printf ("sink_%u", order);
  pad = g_object_new (FLU_TYPE_SWITCH_PAD, "name", pad_name, "direction",
      GST_PAD_SINK, "template", templ, NULL);
  g_free (pad_name);
  flu_switch_pad_state_init (&pad->state, (gint) MIN (order, G_MAXINT), order,
      now);

  gst_pad_set_chain_function (GST_PAD (pad),
      GST_DEBUG_FUNCPTR (flu_switch_chain));
  gst_pad_set_event_function (GST_PAD (pad),
      GST_DEBUG_FUNCPTR (flu_switch_sink_event));
  GST_OBJECT_FLAG_SET (pad, GST_PAD_FLAG_PROXY_CAPS);
  GST_OBJECT_FLAG_SET (pad, GST_PAD_FLAG_PROXY_ALLOCATION);

  g_mutex_lock (&self->lock);
  self->pads = g_list_append (self->pads, pad);
  g_mutex_unlock (&self->lock);

  if (GST_STATE (self) > GST_STATE_READY)
    gst_pad_set_active (GST_PAD (pad), TRUE);
  if (!gst_element_add_pad (element, GST_PAD (pad))) {
    g_mutex_lock (&self->lock);
    self->pads = g_list_remove (self->pads, pad);
    g_mutex_unlock (&self->lock);
    gst_object_unref (pad);
    return NULL;
  }
  return GST_PAD (pad);
}

static void
flu_switch_release_pad (GstElement * element, GstPad * gpad)
{
  FluSwitch *self = FLU_SWITCH (element);
  FluSwitchPad *pad = FLU_SWITCH_PAD (gpad);
  FluSwitchPad *pinned = NULL;
  gboolean was_active = FALSE;

  g_mutex_lock (&self->lock);
  self->pads = g_list_remove (self->pads, pad);
  if (self->active == pad) {
    self->active = NULL;
    self->released_active = TRUE;
    g_free (self->released_name);
    self->released_name = g_strdup (GST_PAD_NAME (pad));
    g_atomic_int_set (&self->active_quark, 0);
    was_active = TRUE;
  }
  if (self->pinned == pad) {
    pinned = self->pinned;
    self->pinned = NULL;
    self->auto_switch = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (pinned)
    gst_object_unref (pinned);
  if (was_active)
    g_object_notify (G_OBJECT (self), "active-pad");
  gst_pad_set_active (gpad, FALSE);
  gst_element_remove_pad (element, gpad);
  flu_switch_maybe_eos (self);
}

/* ------------------------------------------------------------------ */
/* properties */

static GstStructure *
flu_switch_stats (FluSwitch * self)
{
  GValue pads = G_VALUE_INIT;
  GstStructure *s;
  guint64 now;
  GList *l;

  g_value_init (&pads, GST_TYPE_ARRAY);
  g_mutex_lock (&self->lock);
  now = flu_switch_now_locked (self);
  /* liveness is otherwise aged at buffer arrivals only */
  if (self->started) {
    for (l = self->pads; l; l = l->next)
      flu_switch_pad_state_check (&FLU_SWITCH_PAD (l->data)->state, now,
          self->timeout);
  }
  s = gst_structure_new ("fluswitch-stats",
      "switches", G_TYPE_UINT64, self->switches,
      "current-pad", G_TYPE_STRING,
      self->active ? GST_PAD_NAME (self->active) : NULL,
      "auto-switch", G_TYPE_BOOLEAN, self->auto_switch, NULL);
  for (l = self->pads; l; l = l->next) {
    FluSwitchPad *p = l->data;
    GValue v = G_VALUE_INIT;
    guint64 t = p->active_time;

    if (p == self->active)
      t += now - MIN (now, self->active_since);
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, gst_structure_new ("pad",
            "name", G_TYPE_STRING, GST_PAD_NAME (p),
            "priority", G_TYPE_INT, p->state.priority,
            "alive", G_TYPE_BOOLEAN, p->state.alive,
            "eos", G_TYPE_BOOLEAN, p->state.eos,
            "active-time", G_TYPE_UINT64, t,
            "buffers", G_TYPE_UINT64, p->buffers,
            "dropped", G_TYPE_UINT64, p->dropped, NULL));
    gst_value_array_append_and_take_value (&pads, &v);
  }
  g_mutex_unlock (&self->lock);
  gst_structure_take_value (s, "pads", &pads);
  return s;
}

static void
flu_switch_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluSwitch *self = FLU_SWITCH (object);

  switch (prop_id) {
    case PROP_TIMEOUT:
      g_mutex_lock (&self->lock);
      self->timeout = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_RECOVERY:
      g_mutex_lock (&self->lock);
      self->recovery = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_ACTIVE_PAD:{
      GstPad *p = g_value_get_object (value);
      FluSwitchPad *old;

      if (p && (!FLU_IS_SWITCH_PAD (p)
              || GST_OBJECT_PARENT (p) != GST_OBJECT (self))) {
        GST_WARNING_OBJECT (self, "%" GST_PTR_FORMAT " is not one of our "
            "pads", p);
        break;
      }
      g_mutex_lock (&self->lock);
      old = self->pinned;
      self->pinned = p ? gst_object_ref (FLU_SWITCH_PAD (p)) : NULL;
      self->auto_switch = (p == NULL);
      g_mutex_unlock (&self->lock);
      if (old)
        gst_object_unref (old);
      GST_INFO_OBJECT (self, "active-pad set to %s",
          p ? GST_PAD_NAME (p) : "(auto)");
      break;
    }
    case PROP_AUTO_SWITCH:{
      FluSwitchPad *old = NULL;

      g_mutex_lock (&self->lock);
      self->auto_switch = g_value_get_boolean (value);
      if (self->auto_switch) {
        old = self->pinned;
        self->pinned = NULL;
      }
      g_mutex_unlock (&self->lock);
      if (old)
        gst_object_unref (old);
      break;
    }
    case PROP_FOLLOW:
      g_mutex_lock (&self->lock);
      g_free (self->follow);
      self->follow = g_value_dup_string (value);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
flu_switch_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FluSwitch *self = FLU_SWITCH (object);

  if (prop_id == PROP_STATS) {
    /* takes the lock itself */
    g_value_take_boxed (value, flu_switch_stats (self));
    return;
  }
  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_TIMEOUT:
      g_value_set_uint64 (value, self->timeout);
      break;
    case PROP_RECOVERY:
      g_value_set_uint64 (value, self->recovery);
      break;
    case PROP_ACTIVE_PAD:
      g_value_set_object (value, self->active);
      break;
    case PROP_AUTO_SWITCH:
      g_value_set_boolean (value, self->auto_switch);
      break;
    case PROP_FOLLOW:
      g_value_set_string (value, self->follow);
      break;
    case PROP_N_PADS:
      g_value_set_uint (value, g_list_length (self->pads));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------ */
/* state */

static FluSwitch *
flu_switch_find_leader (FluSwitch * self, const gchar * name)
{
  GstObject *top = gst_object_ref (GST_OBJECT (self)), *up;
  GstElement *found = NULL;

  while ((up = gst_object_get_parent (top))) {
    gst_object_unref (top);
    top = up;
  }
  if (GST_IS_BIN (top))
    found = gst_bin_get_by_name (GST_BIN (top), name);
  gst_object_unref (top);
  if (found && (!FLU_IS_SWITCH (found) || found == GST_ELEMENT (self))) {
    gst_object_unref (found);
    found = NULL;
  }
  return found ? FLU_SWITCH (found) : NULL;
}

static void
flu_switch_reset (FluSwitch * self)
{
  GList *l;

  g_mutex_lock (&self->lock);
  self->started = FALSE;
  self->active = NULL;
  self->released_active = FALSE;
  g_clear_pointer (&self->released_name, g_free);
  self->have_out = FALSE;
  self->out_pos = self->out_end = 0;
  self->need_discont = TRUE;
  self->need_segment = TRUE;
  self->need_stream_start = TRUE;
  self->eos_sent = FALSE;
  g_atomic_int_set (&self->active_quark, 0);
  self->time_clock = NULL;
  for (l = self->pads; l; l = l->next) {
    FluSwitchPad *p = l->data;

    flu_switch_pad_state_init (&p->state, p->state.priority, p->state.order, 0);
    p->need_offset = FALSE;
    p->offset = 0;
    gst_segment_init (&p->segment, GST_FORMAT_UNDEFINED);
  }
  g_mutex_unlock (&self->lock);

  g_mutex_lock (&self->push_lock);
  gst_caps_replace (&self->out_caps, NULL);
  gst_event_replace (&self->out_tags, NULL);
  g_mutex_unlock (&self->push_lock);
}

static GstStateChangeReturn
flu_switch_change_state (GstElement * element, GstStateChange transition)
{
  FluSwitch *self = FLU_SWITCH (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:{
      gchar *follow;
      FluSwitch *leader = NULL;

      flu_switch_reset (self);
      g_mutex_lock (&self->lock);
      follow = g_strdup (self->follow);
      g_mutex_unlock (&self->lock);
      if (follow && *follow) {
        leader = flu_switch_find_leader (self, follow);
        if (!leader)
          GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND, (NULL),
              ("follow: no other fluswitch named '%s' in the pipeline; "
                  "switching on my own", follow));
      }
      g_free (follow);
      g_mutex_lock (&self->lock);
      if (self->leader)
        gst_object_unref (self->leader);
      self->leader = leader;
      g_mutex_unlock (&self->lock);
      break;
    }
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_READY:{
      FluSwitch *leader;

      g_mutex_lock (&self->lock);
      leader = self->leader;
      self->leader = NULL;
      g_mutex_unlock (&self->lock);
      if (leader)
        gst_object_unref (leader);
      flu_switch_reset (self);
      break;
    }
    default:
      break;
  }
  return ret;
}

/* ------------------------------------------------------------------ */

static void
flu_switch_dispose (GObject * object)
{
  FluSwitch *self = FLU_SWITCH (object);

  if (self->pinned)
    gst_object_unref (self->pinned);
  self->pinned = NULL;
  if (self->leader)
    gst_object_unref (self->leader);
  self->leader = NULL;
  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
flu_switch_finalize (GObject * object)
{
  FluSwitch *self = FLU_SWITCH (object);

  g_list_free (self->pads);
  g_free (self->follow);
  g_free (self->released_name);
  gst_caps_replace (&self->out_caps, NULL);
  gst_event_replace (&self->out_tags, NULL);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->push_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
flu_switch_class_init (FluSwitchClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = flu_switch_set_property;
  gobject_class->get_property = flu_switch_get_property;
  gobject_class->dispose = flu_switch_dispose;
  gobject_class->finalize = flu_switch_finalize;

  /**
   * FluSwitch:timeout:
   *
   * A pad without a buffer for this long (ns, on the pipeline clock) is
   * dead.
   */
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint64 ("timeout", "Timeout",
          "A pad that had no buffer for this long (in nanoseconds, measured "
          "on the pipeline clock at arrival) is dead and the output moves "
          "to the next alive pad (GAP events do not count as data)",
          1, G_MAXUINT64, DEFAULT_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * FluSwitch:recovery:
   *
   * A dead pad is alive again after this long (ns) of steady data.
   */
  g_object_class_install_property (gobject_class, PROP_RECOVERY,
      g_param_spec_uint64 ("recovery", "Recovery",
          "A dead pad is alive again (and output again if it is preferred) "
          "once it has had steady data, no gap longer than timeout, for "
          "this long (in nanoseconds; 0 = at its first buffer)",
          0, G_MAXUINT64, DEFAULT_RECOVERY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * FluSwitch:active-pad:
   *
   * The sink pad being output.  Setting it switches by hand (at the pad's
   * next keyframe for encoded media) and pins the choice: auto-switch
   * becomes FALSE until it is set TRUE again.  Setting NULL goes back to
   * automatic switching.
   */
  g_object_class_install_property (gobject_class, PROP_ACTIVE_PAD,
      g_param_spec_object ("active-pad", "Active pad",
          "The sink pad being output (NULL before the first buffer).  "
          "Setting it switches by hand, at the pad's next keyframe for "
          "encoded media, and pins the choice (auto-switch becomes FALSE); "
          "setting NULL re-enables automatic switching",
          GST_TYPE_PAD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * FluSwitch:auto-switch:
   *
   * Whether the switch chooses the pad by liveness and priority; FALSE
   * while an active-pad set by hand is pinned.
   */
  g_object_class_install_property (gobject_class, PROP_AUTO_SWITCH,
      g_param_spec_boolean ("auto-switch", "Automatic switching",
          "Choose the output by liveness and priority.  Becomes FALSE when "
          "active-pad is set by hand; setting it TRUE drops that choice.  "
          "FALSE without active-pad set keeps the current pad",
          DEFAULT_AUTO_SWITCH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * FluSwitch:follow:
   *
   * Name of another fluswitch in the same pipeline whose choice this one
   * copies (the pad with the same name), e.g. an audio switch following
   * the video switch.
   */
  g_object_class_install_property (gobject_class, PROP_FOLLOW,
      g_param_spec_string ("follow", "Follow",
          "Name of another fluswitch in the same pipeline whose active pad "
          "this one copies (its own pad of the same name, e.g. sink_1), so "
          "that an audio switch moves with the video switch; looked up when "
          "going to PAUSED.  NULL: decide alone", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_N_PADS,
      g_param_spec_uint ("n-pads", "Number of pads",
          "The number of sink pads", 0, G_MAXUINT, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * FluSwitch:stats:
   *
   * A `fluswitch-stats` structure: `switches` (guint64), `current-pad`
   * (string), `auto-switch` (boolean) and `pads`, an array of `pad`
   * structures (`name`, `priority`, `alive`, `eos`, `active-time` in ns,
   * `buffers`, `dropped`).
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "fluswitch-stats: switches (guint64), current-pad (string), "
          "auto-switch (boolean), pads (array of pad structures: name, "
          "priority, alive, eos, active-time in ns, buffers, dropped)",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &sink_template, FLU_TYPE_SWITCH_PAD);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Watchdog switch", "Generic",
      "Outputs the preferred sink pad that is alive: switches to a backup "
      "when the master goes quiet and back when it returns, on keyframes, "
      "with continuous timestamps", "gst-flumotion developers");

  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (flu_switch_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR (flu_switch_release_pad);
  element_class->change_state = GST_DEBUG_FUNCPTR (flu_switch_change_state);

  gst_type_mark_as_plugin_api (FLU_TYPE_SWITCH_PAD, 0);
}

static void
flu_switch_init (FluSwitch * self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->push_lock);
  self->timeout = DEFAULT_TIMEOUT;
  self->recovery = DEFAULT_RECOVERY;
  self->auto_switch = DEFAULT_AUTO_SWITCH;
  self->need_discont = TRUE;
  self->need_segment = TRUE;
  self->need_stream_start = TRUE;

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_query_function (self->srcpad,
      GST_DEBUG_FUNCPTR (flu_switch_src_query));
  GST_OBJECT_FLAG_SET (self->srcpad, GST_PAD_FLAG_PROXY_CAPS);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}
