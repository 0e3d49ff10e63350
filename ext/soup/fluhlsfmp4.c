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

/* See fluhlsfmp4.h.  No locks. */

#include "fluhlsfmp4.h"

#include <string.h>

#define NS_PER_S G_GINT64_CONSTANT (1000000000)
/* a track this much stream time behind the others, or that has sent
 * nothing for this long (us of the arrival clock) since the stream
 * began, is skipped: the others go out without waiting for it */
#define STALL_NS NS_PER_S
#define STALL_US (STALL_NS / 1000)
/* an arrival this long ago is a clock of another kind (a test's) */
#define ARRIVAL_MAX_US (10 * STALL_US)
/* a part starting this close to where the track's previous part ended
 * continues it exactly */
#define GAP_NS (NS_PER_S / 10)
/* a DTS this far behind the track's latest is an upstream restart */
#define BACKWARDS_NS NS_PER_S

typedef struct
{
  FluCmafTrack cfg;
  gboolean have_cfg;
  gboolean in_init;             /* in the current init segment */
  gboolean changed;             /* cfg differs from the init's */
  GQueue queue;                 /* FluHlsFmp4Sample *, not yet muxed */
  gboolean ended;
  /* what the pump knows of the track: it has had a sample or a gap
   * since the stream began, nothing will come before known (running
   * ns), the last came at arrival (us); skipped: silent, the others go
   * on without it until it sends something */
  gboolean has_data, skipped;
  gint64 known, arrival;
  /* decode ns = dts - origin + base */
  gboolean have_origin;
  gint64 origin, base, last_dts;
  /* the part in progress */
  GArray *samples;              /* FluCmafSample */
  GByteArray *data;
  guint64 first_dt, prev_dt;
  /* where the previous part ended */
  gboolean have_next;
  guint64 next_dt;
  guint32 last_interval;
} Track;

struct _FluHlsFmp4
{
  guint n;
  gboolean video_first;
  Track t[FLU_HLS_FMP4_MAX_TRACKS];
  guint64 target, part_target;
  FluHlsCutter cutter;
  FluHlsPartInfo info;
  gboolean open;                /* a part is in progress */
  gboolean need_keyframe;
  gboolean pending_discont;
  guint32 sequence;
  GBytes *init;
  gint64 stream_end;            /* decode ns the stream got to */
  guint64 late;                 /* samples dropped for coming too late */
  guint64 skips;                /* silent tracks skipped */
  gint64 stall_us;              /* a track silent this long is skipped */
  gint64 now;                   /* us, the latest arrival */
  gboolean completed;           /* the end went out, nothing came since */
  /* the stream's first sample or gap: when a track that has sent
   * nothing yet is waited for from */
  gboolean have_first;
  gint64 first_dts, first_arrival;
  /* the stream's first sample (any track): the tracks' common origin */
  gboolean have_origin;
  gint64 origin, base;
  gboolean have_ts0;
  gint64 wall0, ts0;
  FluHlsFmp4PartFunc func;
  gpointer user_data;
};

static void
sample_free (FluHlsFmp4Sample * s)
{
  g_bytes_unref (s->data);
  g_free (s);
}

FluHlsFmp4 *
flu_hls_fmp4_new (guint n_tracks, gboolean video_first, guint64 target,
    guint64 part_target, FluHlsFmp4PartFunc func, gpointer user_data)
{
  FluHlsFmp4 *m = g_new0 (FluHlsFmp4, 1);
  guint i;

  g_return_val_if_fail (n_tracks >= 1 &&
      n_tracks <= FLU_HLS_FMP4_MAX_TRACKS, NULL);
  m->n = n_tracks;
  m->video_first = video_first;
  m->target = target;
  m->part_target = part_target;
  m->stall_us = part_target > 0 ? (gint64) (part_target / 1000) : STALL_US;
  m->func = func;
  m->user_data = user_data;
  for (i = 0; i < m->n; i++) {
    g_queue_init (&m->t[i].queue);
    m->t[i].samples = g_array_new (FALSE, FALSE, sizeof (FluCmafSample));
    m->t[i].data = g_byte_array_new ();
  }
  flu_hls_cutter_init (&m->cutter, target, part_target);
  m->need_keyframe = TRUE;
  return m;
}

static void
clear_part (FluHlsFmp4 * m)
{
  guint i;

  for (i = 0; i < m->n; i++) {
    g_array_set_size (m->t[i].samples, 0);
    g_byte_array_set_size (m->t[i].data, 0);
  }
  m->open = FALSE;
}

void
flu_hls_fmp4_free (FluHlsFmp4 * m)
{
  guint i;

  for (i = 0; i < m->n; i++) {
    g_queue_clear_full (&m->t[i].queue, (GDestroyNotify) sample_free);
    g_array_unref (m->t[i].samples);
    g_byte_array_unref (m->t[i].data);
    flu_cmaf_track_clear (&m->t[i].cfg);
  }
  if (m->init)
    g_bytes_unref (m->init);
  g_free (m);
}

void
flu_hls_fmp4_reset (FluHlsFmp4 * m)
{
  guint i;

  for (i = 0; i < m->n; i++) {
    g_queue_clear_full (&m->t[i].queue, (GDestroyNotify) sample_free);
    m->t[i].ended = FALSE;
    m->t[i].have_origin = FALSE;
    m->t[i].has_data = m->t[i].skipped = FALSE;
  }
  m->completed = FALSE;
  m->have_first = FALSE;
  clear_part (m);
  flu_hls_cutter_init (&m->cutter, m->target, m->part_target);
  m->need_keyframe = TRUE;
  m->pending_discont = TRUE;
  m->have_origin = FALSE;
}

static gboolean
is_driver (FluHlsFmp4 * m, guint track)
{
  return track == 0;
}

void
flu_hls_fmp4_set_track (FluHlsFmp4 * m, guint track, const FluCmafTrack * t)
{
  Track *k = &m->t[track];
  FluCmafTrack c;

  g_return_if_fail (track < m->n);
  flu_cmaf_track_copy (&c, t);
  c.track_id = track + 1;
  if (k->have_cfg && flu_cmaf_track_equal (&k->cfg, &c)) {
    flu_cmaf_track_clear (&c);
    return;
  }
  flu_cmaf_track_clear (&k->cfg);
  k->cfg = c;
  k->have_cfg = TRUE;
  if (k->in_init || m->init) {
    /* a new init segment with the next segment */
    k->changed = TRUE;
    m->pending_discont = TRUE;
    if (is_driver (m, track))
      m->need_keyframe = TRUE;
  }
}

static gint64
decode_ns (Track * k, gint64 ts)
{
  return MAX (0, ts - k->origin + k->base);
}

/* the part in progress is done; @driver_next: decode ns of the driving
 * sample that starts the next part (-1 = none: guess the last duration) */
static void
finish_part (FluHlsFmp4 * m, guint64 duration, gboolean ends_segment,
    gint64 driver_next)
{
  FluCmafRun runs[FLU_HLS_FMP4_MAX_TRACKS];
  guint i, n = 0;
  GBytes *data;

  if (!m->open)
    return;
  for (i = 0; i < m->n; i++) {
    Track *k = &m->t[i];
    FluCmafSample *last;

    if (k->samples->len == 0)
      continue;
    last = &g_array_index (k->samples, FluCmafSample, k->samples->len - 1);
    if (is_driver (m, i) && driver_next >= 0) {
      guint64 next = flu_cmaf_to_units (driver_next, k->cfg.timescale);

      last->duration = next > k->prev_dt ? next - k->prev_dt : 1;
    }
    if (last->duration == 0)
      last->duration = 1;
    k->next_dt = k->prev_dt + last->duration;
    k->have_next = TRUE;
    runs[n].track_id = i + 1;
    runs[n].decode_time = k->first_dt;
    runs[n].samples = (const FluCmafSample *) k->samples->data;
    runs[n].n_samples = k->samples->len;
    runs[n].data = k->data->data;
    runs[n].size = k->data->len;
    n++;
  }
  data = flu_cmaf_fragment (++m->sequence, m->info.new_segment, runs, n);
  m->info.duration = duration;
  m->info.ends_segment = ends_segment;
  clear_part (m);
  m->func (&m->info, data, FALSE, m->user_data);
}

static gboolean
rebuild_init (FluHlsFmp4 * m)
{
  FluCmafTrack tracks[FLU_HLS_FMP4_MAX_TRACKS];
  guint i, n = 0;
  gboolean changed = m->init == NULL;

  for (i = 0; i < m->n; i++)
    if (m->t[i].changed || (m->t[i].have_cfg && !m->t[i].in_init))
      changed = TRUE;
  if (!changed)
    return TRUE;
  for (i = 0; i < m->n; i++) {
    m->t[i].in_init = m->t[i].have_cfg;
    m->t[i].changed = FALSE;
    if (m->t[i].have_cfg)
      tracks[n++] = m->t[i].cfg;
  }
  if (m->init)
    g_bytes_unref (m->init);
  m->init = flu_cmaf_init_segment (tracks, n);
  return m->init != NULL;
}

/* how long ago (us) a sample came: 0 when unknown */
static gint64
since_arrival (gint64 arrival)
{
  gint64 ago;

  if (arrival <= 0)
    return 0;
  ago = g_get_monotonic_time () - arrival;
  return ago > 0 && ago < ARRIVAL_MAX_US ? ago : 0;
}

static void
start_part (FluHlsFmp4 * m, gboolean keyframe, gboolean new_segment,
    gboolean discont, gint64 dns, gint64 arrival)
{
  memset (&m->info, 0, sizeof (m->info));
  m->info.independent = keyframe;
  if (new_segment) {
    gint64 now = g_get_real_time ();

    if (!rebuild_init (m)) {
      m->need_keyframe = TRUE;
      return;
    }
    m->info.new_segment = TRUE;
    m->info.discont = discont;
    m->info.init = m->init;
    /* program date-time: the wall clock at the arrival of the stream's
     * first sample (again after each discontinuity; not when it left
     * the queue, which may have waited for the other track) plus
     * stream time */
    if (discont || !m->have_ts0) {
      m->have_ts0 = TRUE;
      m->wall0 = now - since_arrival (arrival);
      m->ts0 = dns;
    }
    m->info.pdt_us = dns >= m->ts0 ? m->wall0 + (dns - m->ts0) / 1000 : now;
  }
  m->open = TRUE;
}

static void
append (FluHlsFmp4 * m, guint track, FluHlsFmp4Sample * s, gint64 dns)
{
  Track *k = &m->t[track];
  guint32 ts = k->cfg.timescale;
  guint64 dt = flu_cmaf_to_units (dns, ts);
  gint64 pns = decode_ns (k, s->pts >= s->dts ? s->pts : s->dts);
  gboolean video = k->cfg.codec == FLU_CMAF_H264 ||
      k->cfg.codec == FLU_CMAF_H265;
  FluCmafSample x;
  gsize size;
  const guint8 *d = g_bytes_get_data (s->data, &size);
  guint64 gap = flu_cmaf_to_units (GAP_NS, ts);

  /* a sample more than GAP_NS behind where its track got to (it came
   * after the other track went on without it) is dropped */
  if (!is_driver (m, track) && ((k->samples->len == 0 && k->have_next &&
              dt + gap < k->next_dt) || (k->samples->len > 0 &&
              dt + gap < k->prev_dt))) {
    m->late++;
    return;
  }
  if (k->samples->len == 0) {
    if (k->have_next && (dt < k->next_dt || dt - k->next_dt <= gap))
      dt = k->next_dt;
    k->first_dt = dt;
  } else {
    FluCmafSample *prev = &g_array_index (k->samples, FluCmafSample,
        k->samples->len - 1);

    if (dt <= k->prev_dt)
      dt = k->prev_dt + 1;
    prev->duration = dt - k->prev_dt;
    k->last_interval = prev->duration;
  }
  x.size = size;
  x.duration = s->duration > 0 ? flu_cmaf_to_units (s->duration, ts) :
      k->last_interval;
  x.cts_offset = (gint32) ((gint64) flu_cmaf_to_units (pns, ts) - (gint64) dt);
  x.sync = !video || s->keyframe;
  g_array_append_val (k->samples, x);
  g_byte_array_append (k->data, d, size);
  k->prev_dt = dt;
  m->stream_end = MAX (m->stream_end, dns + MAX (s->duration, 0));
}

/* a sample in decode order across the tracks */
static void
process (FluHlsFmp4 * m, guint track, FluHlsFmp4Sample * s)
{
  Track *k = &m->t[track];
  gboolean driver = is_driver (m, track);
  gint64 dns;

  if (!k->have_cfg)
    return;
  if (!m->have_origin) {
    /* samples come in DTS order: the first one is the earliest, and the
     * tracks keep their relative timing */
    m->have_origin = TRUE;
    m->origin = s->dts;
    m->base = m->stream_end;
  }
  if (!k->have_origin) {
    k->have_origin = TRUE;
    k->origin = m->origin;
    k->base = m->base;
    k->last_dts = s->dts;
  } else if (s->discont || s->dts + BACKWARDS_NS < k->last_dts) {
    /* an upstream restart: resume where the stream got to */
    k->origin = k->last_dts = s->dts;
    k->base = m->stream_end;
    m->pending_discont = TRUE;
  }
  k->last_dts = MAX (k->last_dts, s->dts);
  dns = decode_ns (k, s->dts);
  if (driver) {
    gboolean key = s->keyframe || !m->video_first;
    gboolean discont = FALSE;
    guint64 duration;
    FluHlsCut cut;

    if (m->need_keyframe) {
      if (!key)
        return;
      m->need_keyframe = FALSE;
      discont = TRUE;
    }
    if (key && m->pending_discont) {
      discont = TRUE;
      m->pending_discont = FALSE;
    }
    cut = flu_hls_cutter_push (&m->cutter, dns, key, discont, &duration);
    if (cut != FLU_HLS_CUT_NONE) {
      gboolean was_open = m->open;

      finish_part (m, duration, cut == FLU_HLS_CUT_SEGMENT, dns);
      start_part (m, key, cut == FLU_HLS_CUT_SEGMENT || !was_open, discont,
          dns, s->arrival);
    }
    if (!m->open)
      return;
  } else if (!m->open || !k->in_init || k->changed) {
    return;
  }
  append (m, track, s, dns);
}

/* TRUE when track @j, with nothing queued, may still send something
 * before @dts (the earliest sample queued; @newest the latest): that
 * sample then waits.  A track silent for too long is skipped. */
static gboolean
must_wait (FluHlsFmp4 * m, guint j, gint64 dts, gint64 newest)
{
  Track *k = &m->t[j];
  gint64 since_ts, since_us, bound;

  if (k->ended || k->skipped)
    return FALSE;
  if (k->has_data && k->known >= dts)
    return FALSE;
  /* silent since its last sample or gap, or since the stream began */
  since_ts = k->has_data ? k->known : m->first_dts;
  since_us = k->has_data ? k->arrival : m->first_arrival;
  bound = k->has_data ? m->stall_us : STALL_US;
  if (newest - since_ts < STALL_NS && (m->now <= 0 || since_us <= 0 ||
          m->now - since_us < bound))
    return TRUE;
  k->skipped = TRUE;
  m->skips++;
  return FALSE;
}

static void
pump (FluHlsFmp4 * m, gboolean drain)
{
  for (;;) {
    FluHlsFmp4Sample *best = NULL, *s;
    gint64 newest = G_MININT64;
    guint i, bi = 0;

    for (i = 0; i < m->n; i++) {
      Track *k = &m->t[i];

      if (k->queue.length == 0)
        continue;
      s = g_queue_peek_head (&k->queue);
      if (best == NULL || s->dts < best->dts) {
        best = s;
        bi = i;
      }
      newest = MAX (newest, ((FluHlsFmp4Sample *)
              g_queue_peek_tail (&k->queue))->dts);
    }
    if (best == NULL)
      return;
    for (i = 0; !drain && i < m->n; i++)
      if (m->t[i].queue.length == 0 && must_wait (m, i, best->dts, newest))
        return;
    s = g_queue_pop_head (&m->t[bi].queue);
    process (m, bi, s);
    sample_free (s);
  }
}

guint64
flu_hls_fmp4_late (FluHlsFmp4 * m)
{
  return m->late;
}

guint64
flu_hls_fmp4_skips (FluHlsFmp4 * m)
{
  return m->skips;
}

/* @track sent something (a sample or a gap) that came at @arrival and
 * says that nothing of it comes before @known */
static void
heard (FluHlsFmp4 * m, guint track, gint64 dts, gint64 known, gint64 arrival)
{
  Track *k = &m->t[track];

  if (!m->have_first) {
    m->have_first = TRUE;
    m->first_dts = dts;
    m->first_arrival = arrival;
  }
  k->has_data = TRUE;
  k->skipped = FALSE;
  k->known = known;
  k->arrival = arrival;
  m->now = MAX (m->now, arrival);
  m->completed = FALSE;
}

gchar *
flu_hls_fmp4_describe (FluHlsFmp4 * m, guint * width, guint * height,
    gdouble * fps)
{
  GString *s = g_string_new (NULL);
  guint i;

  *width = *height = 0;
  *fps = 0;
  for (i = 0; i < m->n; i++) {
    Track *k = &m->t[i];
    gchar *c;

    if (!k->have_cfg)
      continue;
    if (k->cfg.codec == FLU_CMAF_H264 || k->cfg.codec == FLU_CMAF_H265) {
      *width = k->cfg.width;
      *height = k->cfg.height;
      if (k->cfg.fps_n && k->cfg.fps_d)
        *fps = (gdouble) k->cfg.fps_n / k->cfg.fps_d;
    }
    c = flu_cmaf_codec_string (&k->cfg);
    if (c == NULL)
      continue;
    if (s->len)
      g_string_append_c (s, ',');
    g_string_append (s, c);
    g_free (c);
  }
  if (s->len == 0) {
    g_string_free (s, TRUE);
    return NULL;
  }
  return g_string_free (s, FALSE);
}

void
flu_hls_fmp4_push (FluHlsFmp4 * m, guint track, FluHlsFmp4Sample * s)
{
  FluHlsFmp4Sample *q;

  g_return_if_fail (track < m->n);
  q = g_new (FluHlsFmp4Sample, 1);
  *q = *s;
  if (m->t[track].ended) {
    /* data after the end: a new stream */
    m->t[track].ended = FALSE;
    q->discont = TRUE;
  }
  heard (m, track, q->dts, q->dts + MAX (q->duration, 0), q->arrival);
  g_queue_push_tail (&m->t[track].queue, q);
  pump (m, FALSE);
}

void
flu_hls_fmp4_gap (FluHlsFmp4 * m, guint track, gint64 end, gint64 arrival)
{
  g_return_if_fail (track < m->n);
  /* a gap after the end: the track goes on (its next sample is a
   * restart anyway, after a stream-start) */
  m->t[track].ended = FALSE;
  heard (m, track, end, end, arrival);
  pump (m, FALSE);
}

/* TRUE when track @i holds the end: it had data, has not ended, and
 * has not been silent for the stall bound */
static gboolean
holds_end (FluHlsFmp4 * m, guint i)
{
  Track *k = &m->t[i];

  if (k->ended || !k->has_data)
    return FALSE;
  return m->now <= 0 || k->arrival <= 0 || m->now - k->arrival < m->stall_us;
}

gboolean
flu_hls_fmp4_track_end (FluHlsFmp4 * m, guint track)
{
  guint i;

  g_return_val_if_fail (track < m->n, FALSE);
  m->t[track].ended = TRUE;
  /* the end of a track that had nothing since the stream ended */
  if (m->completed)
    return FALSE;
  for (i = 0; i < m->n; i++)
    if (holds_end (m, i)) {
      pump (m, FALSE);
      return FALSE;
    }
  pump (m, TRUE);
  finish_part (m, flu_hls_cutter_finish (&m->cutter), TRUE, -1);
  m->need_keyframe = TRUE;
  m->completed = TRUE;
  m->have_first = FALSE;
  for (i = 0; i < m->n; i++)
    m->t[i].has_data = m->t[i].skipped = FALSE;
  memset (&m->info, 0, sizeof (m->info));
  m->func (&m->info, NULL, TRUE, m->user_data);
  return TRUE;
}
