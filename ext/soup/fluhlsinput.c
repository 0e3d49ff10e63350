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

/* See fluhlsinput.h.  One lock (lock): it guards the pads, the muxer
 * and the end flags; the muxer runs under it (both pads' streaming
 * threads feed it), and the part callback is called under it (the
 * element then takes its own lock: lock order input lock, then the
 * element's).  The pads' segments belong to their streaming threads. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhlsinput.h"
#include "fluhlsfmp4.h"

#include <gst/audio/audio.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (flu_hls_input_debug);
#define GST_CAT_DEFAULT flu_hls_input_debug

typedef struct
{
  FluHlsInput *in;
  gboolean video;
  GstSegment segment;
  gboolean discont;
  gboolean ended;
  /* Opus: the pre-skip (ns) the track's media times are ahead of the
   * buffers' timestamps (the init segment's edit list takes it back) */
  gint64 opus_shift;
} PadData;

struct _FluHlsInput
{
  GstElement *element;          /* not a ref: the element owns us */
  FluHlsInputPartFunc func;
  GMutex lock;
  GstPad *video, *audio;
  FluHlsFmp4 *mux;
  guint64 skips;                /* the muxer's, last logged */
};

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE ("video",
    GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-h264, stream-format = (string) avc, "
        "alignment = (string) au; "
        "video/x-h265, stream-format = (string) { hvc1, hev1 }, "
        "alignment = (string) au"));

static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE ("audio",
    GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/mpeg, mpegversion = (int) 4, "
        "stream-format = (string) raw; "
        "audio/x-opus, channel-mapping-family = (int) [ 0, 255 ]"));

void
flu_hls_input_add_templates (GstElementClass * klass)
{
  gst_element_class_add_static_pad_template (klass, &video_template);
  gst_element_class_add_static_pad_template (klass, &audio_template);
  GST_DEBUG_CATEGORY_INIT (flu_hls_input_debug, "fluhlsfmp4", 0,
      "fluhlssink's elementary inputs and CMAF muxing");
}

FluHlsInput *
flu_hls_input_new (GstElement * element, FluHlsInputPartFunc func)
{
  FluHlsInput *in = g_new0 (FluHlsInput, 1);

  in->element = element;
  in->func = func;
  g_mutex_init (&in->lock);
  return in;
}

void
flu_hls_input_free (FluHlsInput * in)
{
  if (in->mux)
    flu_hls_fmp4_free (in->mux);
  g_mutex_clear (&in->lock);
  g_free (in);
}

/* ---- caps ---- */

static GBytes *
buffer_bytes (const GValue * v)
{
  GstBuffer *buf;
  GstMapInfo map;
  GBytes *b;

  if (v == NULL || !GST_VALUE_HOLDS_BUFFER (v))
    return NULL;
  buf = gst_value_get_buffer (v);
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return NULL;
  b = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buf, &map);
  return b;
}

static void
opus_from_caps (const GstStructure * s, FluCmafTrack * t)
{
  const GValue *sh = gst_structure_get_value (s, "streamheader");
  const GValue *cm = gst_structure_get_value (s, "channel-mapping");
  gint v;
  guint i;

  t->rate = 48000;
  if (gst_structure_get_int (s, "rate", &v) && v > 0)
    t->rate = v;
  if (gst_structure_get_int (s, "channel-mapping-family", &v))
    t->mapping_family = v;
  if (gst_structure_get_int (s, "stream-count", &v))
    t->stream_count = v;
  if (gst_structure_get_int (s, "coupled-count", &v))
    t->coupled_count = v;
  for (i = 0; cm && GST_VALUE_HOLDS_ARRAY (cm) &&
      i < gst_value_array_get_size (cm) && i < G_N_ELEMENTS (t->mapping); i++)
    t->mapping[i] = g_value_get_int (gst_value_array_get_value (cm, i));
  /* OpusHead (little endian): pre-skip, input rate, output gain */
  if (sh && GST_VALUE_HOLDS_ARRAY (sh) && gst_value_array_get_size (sh) > 0) {
    GBytes *head = buffer_bytes (gst_value_array_get_value (sh, 0));
    gsize n = 0;
    const guint8 *d = head ? g_bytes_get_data (head, &n) : NULL;

    if (n >= 19 && memcmp (d, "OpusHead", 8) == 0) {
      t->pre_skip = GST_READ_UINT16_LE (d + 10);
      t->rate = GST_READ_UINT32_LE (d + 12);
      t->output_gain = (gint16) GST_READ_UINT16_LE (d + 16);
    }
    if (head)
      g_bytes_unref (head);
  }
  t->timescale = 48000;
}

gboolean
flu_hls_input_caps_to_track (const GstCaps * caps, FluCmafTrack * t)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  const gchar *name = gst_structure_get_name (s);
  gint v, n, d;

  memset (t, 0, sizeof (*t));
  t->codec_data = buffer_bytes (gst_structure_get_value (s, "codec_data"));
  if (g_str_equal (name, "video/x-h264") || g_str_equal (name, "video/x-h265")) {
    t->codec = g_str_equal (name, "video/x-h264") ? FLU_CMAF_H264 :
        FLU_CMAF_H265;
    t->in_band = g_strcmp0 (gst_structure_get_string (s, "stream-format"),
        "hev1") == 0;
    t->timescale = 90000;
    if (gst_structure_get_int (s, "width", &v))
      t->width = v;
    if (gst_structure_get_int (s, "height", &v))
      t->height = v;
    if (gst_structure_get_fraction (s, "framerate", &n, &d) && n > 0 && d > 0) {
      t->fps_n = n;
      t->fps_d = d;
    }
  } else if (g_str_equal (name, "audio/mpeg")) {
    t->codec = FLU_CMAF_AAC;
    if (gst_structure_get_int (s, "rate", &v))
      t->rate = v;
    if (gst_structure_get_int (s, "channels", &v))
      t->channels = v;
    t->timescale = t->rate;
  } else if (g_str_equal (name, "audio/x-opus")) {
    t->codec = FLU_CMAF_OPUS;
    t->channels = 2;
    if (gst_structure_get_int (s, "channels", &v))
      t->channels = v;
    opus_from_caps (s, t);
  } else {
    flu_cmaf_track_clear (t);
    return FALSE;
  }
  if (t->timescale == 0 || (t->codec != FLU_CMAF_OPUS && t->codec_data == NULL)) {
    flu_cmaf_track_clear (t);
    return FALSE;
  }
  return TRUE;
}

/* ---- data ---- */

typedef struct
{
  GstBuffer *buf;
  GstMapInfo map;
} Mapped;

static void
mapped_free (gpointer data)
{
  Mapped *m = data;

  gst_buffer_unmap (m->buf, &m->map);
  gst_buffer_unref (m->buf);
  g_free (m);
}

static guint
track_of (FluHlsInput * in, PadData * pd)
{
  return pd->video || in->video == NULL ? 0 : 1;
}

static gboolean
running_time (const GstSegment * seg, GstClockTime ts, gint64 * out)
{
  guint64 rt;
  gint sign = gst_segment_to_running_time_full (seg, GST_FORMAT_TIME, ts, &rt);

  if (sign == 0)
    return FALSE;
  *out = sign > 0 ? (gint64) rt : -(gint64) rt;
  return TRUE;
}

/* Opus: GStreamer's encoders timestamp a packet by its first sample
 * after the pre-skip, and mark the priming samples of the first one with
 * a clipping meta: that packet really starts that much (ns) earlier */
static gint64
opus_clipped (GstBuffer * buf)
{
  GstAudioClippingMeta *clip = gst_buffer_get_audio_clipping_meta (buf);

  if (clip == NULL || clip->start == 0)
    return 0;
  if (clip->format == GST_FORMAT_TIME)
    return (gint64) clip->start;
  if (clip->format == GST_FORMAT_DEFAULT)
    return (gint64) gst_util_uint64_scale_int (clip->start, GST_SECOND, 48000);
  return 0;
}

/* with the lock */
static void
log_skips (FluHlsInput * in)
{
  guint64 skips = flu_hls_fmp4_skips (in->mux);

  if (skips == in->skips)
    return;
  in->skips = skips;
  GST_INFO_OBJECT (in->element, "a silent track skipped (%" G_GUINT64_FORMAT
      " times): the other goes on without waiting for it", skips);
}

static GstFlowReturn
input_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  PadData *pd = gst_pad_get_element_private (pad);
  FluHlsInput *in = pd->in;
  GstClockTime dts = GST_BUFFER_DTS (buf), pts = GST_BUFFER_PTS (buf);
  FluHlsFmp4Sample s;
  Mapped *m;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    pts = dts;
  if (!GST_CLOCK_TIME_IS_VALID (dts))
    dts = pts;
  if (!GST_CLOCK_TIME_IS_VALID (dts) || !running_time (&pd->segment, dts,
          &s.dts) || !running_time (&pd->segment, pts, &s.pts)) {
    GST_DEBUG_OBJECT (pad, "no timestamp: dropped");
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  if (pd->opus_shift) {
    gint64 shift = pd->opus_shift - opus_clipped (buf);

    s.dts += shift;
    s.pts += shift;
  }
  s.duration = GST_BUFFER_DURATION_IS_VALID (buf) ?
      (gint64) GST_BUFFER_DURATION (buf) : -1;
  s.keyframe = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  s.discont = pd->discont;
  s.arrival = g_get_monotonic_time ();
  pd->discont = FALSE;
  m = g_new (Mapped, 1);
  m->buf = buf;
  if (!gst_buffer_map (buf, &m->map, GST_MAP_READ)) {
    g_free (m);
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }
  s.data = g_bytes_new_with_free_func (m->map.data, m->map.size, mapped_free,
      m);
  g_mutex_lock (&in->lock);
  if (in->mux) {
    pd->ended = FALSE;
    flu_hls_fmp4_push (in->mux, track_of (in, pd), &s);
    log_skips (in);
  } else {
    g_bytes_unref (s.data);
  }
  g_mutex_unlock (&in->lock);
  return GST_FLOW_OK;
}

/* a GAP event: the track has nothing until its end, so the other
 * track's samples before it need not wait */
static void
input_gap (PadData * pd, GstEvent * event)
{
  FluHlsInput *in = pd->in;
  GstClockTime ts, dur;
  gint64 end;

  gst_event_parse_gap (event, &ts, &dur);
  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return;
  if (GST_CLOCK_TIME_IS_VALID (dur))
    ts += dur;
  if (!running_time (&pd->segment, ts, &end))
    return;
  g_mutex_lock (&in->lock);
  if (in->mux) {
    pd->ended = FALSE;
    flu_hls_fmp4_gap (in->mux, track_of (in, pd), end, g_get_monotonic_time ());
    log_skips (in);
  }
  g_mutex_unlock (&in->lock);
}

static void
part_cb (const FluHlsPartInfo * info, GBytes * data, gboolean end,
    gpointer user_data)
{
  FluHlsInput *in = user_data;
  gchar *codecs = NULL;
  guint width = 0, height = 0;
  gdouble fps = 0;

  if (info->new_segment)
    codecs = flu_hls_fmp4_describe (in->mux, &width, &height, &fps);
  in->func (in->element, info, data, end, codecs, width, height, fps);
  g_free (codecs);
}

static gboolean
input_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  PadData *pd = gst_pad_get_element_private (pad);
  FluHlsInput *in = pd->in;
  gboolean ret = TRUE, done = FALSE;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      FluCmafTrack t;

      gst_event_parse_caps (event, &caps);
      if (!flu_hls_input_caps_to_track (caps, &t)) {
        GST_ELEMENT_ERROR (in->element, STREAM, FORMAT,
            ("%s caps without what fMP4 needs (codec_data, rate): %"
                GST_PTR_FORMAT, pd->video ? "video" : "audio", caps),
            ("put h264parse / h265parse / aacparse / opusparse before it"));
        ret = FALSE;
        break;
      }
      /* the media times of Opus are the timestamps plus the pre-skip,
       * which the edit list takes back (flucmaf.c) */
      pd->opus_shift = t.codec == FLU_CMAF_OPUS ?
          (gint64) gst_util_uint64_scale_int (t.pre_skip, GST_SECOND,
          48000) : 0;
      g_mutex_lock (&in->lock);
      if (in->mux)
        flu_hls_fmp4_set_track (in->mux, track_of (in, pd), &t);
      g_mutex_unlock (&in->lock);
      flu_cmaf_track_clear (&t);
      break;
    }
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment (event, &pd->segment);
      break;
    case GST_EVENT_STREAM_START:
      pd->discont = TRUE;
      break;
    case GST_EVENT_GAP:
      input_gap (pd, event);
      break;
    case GST_EVENT_FLUSH_STOP:
      gst_segment_init (&pd->segment, GST_FORMAT_TIME);
      g_mutex_lock (&in->lock);
      pd->ended = FALSE;
      if (in->mux)
        flu_hls_fmp4_reset (in->mux);
      g_mutex_unlock (&in->lock);
      break;
    case GST_EVENT_EOS:
      g_mutex_lock (&in->lock);
      if (in->mux && !pd->ended) {
        pd->ended = TRUE;
        done = flu_hls_fmp4_track_end (in->mux, track_of (in, pd));
      }
      g_mutex_unlock (&in->lock);
      /* the bin waits for an EOS message from every sink: the base
       * class's pad is unused, so it is ours to post */
      if (done) {
        GstMessage *msg = gst_message_new_eos (GST_OBJECT (in->element));

        gst_message_set_seqnum (msg, gst_event_get_seqnum (event));
        gst_element_post_message (in->element, msg);
      }
      break;
    default:
      break;
  }
  gst_event_unref (event);
  return ret;
}

/* ---- pads ---- */

GstPad *
flu_hls_input_request_pad (FluHlsInput * in, GstPadTemplate * templ)
{
  const gchar *name = GST_PAD_TEMPLATE_NAME_TEMPLATE (templ);
  gboolean video = g_str_equal (name, "video");
  PadData *pd;
  GstPad *pad;

  if (!video && !g_str_equal (name, "audio"))
    return NULL;
  g_mutex_lock (&in->lock);
  if (in->mux || (video ? in->video : in->audio)) {
    g_mutex_unlock (&in->lock);
    GST_WARNING_OBJECT (in->element, "no '%s' pad: %s", name, in->mux ?
        "request pads before the element leaves NULL" : "it exists");
    return NULL;
  }
  pad = gst_pad_new_from_template (templ, name);
  pd = g_new0 (PadData, 1);
  pd->in = in;
  pd->video = video;
  gst_segment_init (&pd->segment, GST_FORMAT_TIME);
  gst_pad_set_element_private (pad, pd);
  g_object_set_data_full (G_OBJECT (pad), "flu-hls-pad", pd, g_free);
  gst_pad_set_chain_function (pad, input_chain);
  gst_pad_set_event_function (pad, input_event);
  GST_PAD_SET_ACCEPT_TEMPLATE (pad);
  if (video)
    in->video = pad;
  else
    in->audio = pad;
  g_mutex_unlock (&in->lock);
  gst_element_add_pad (in->element, pad);
  return pad;
}

gboolean
flu_hls_input_release_pad (FluHlsInput * in, GstPad * pad)
{
  g_mutex_lock (&in->lock);
  if (pad == in->video)
    in->video = NULL;
  else if (pad == in->audio)
    in->audio = NULL;
  else
    pad = NULL;
  g_mutex_unlock (&in->lock);
  if (pad == NULL)
    return FALSE;
  gst_element_remove_pad (in->element, pad);
  return TRUE;
}

gboolean
flu_hls_input_active (FluHlsInput * in)
{
  gboolean active;

  g_mutex_lock (&in->lock);
  active = in->video || in->audio;
  g_mutex_unlock (&in->lock);
  return active;
}

void
flu_hls_input_start (FluHlsInput * in, guint64 target, guint64 part_target)
{
  g_mutex_lock (&in->lock);
  in->skips = 0;
  if (in->mux == NULL && (in->video || in->audio))
    in->mux = flu_hls_fmp4_new (in->video && in->audio ? 2 : 1,
        in->video != NULL, target, part_target, part_cb, in);
  g_mutex_unlock (&in->lock);
}

void
flu_hls_input_stop (FluHlsInput * in)
{
  g_mutex_lock (&in->lock);
  g_clear_pointer (&in->mux, flu_hls_fmp4_free);
  g_mutex_unlock (&in->lock);
}
