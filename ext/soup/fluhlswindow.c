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

/* See fluhlswindow.h.  No locks: the cutter runs in the streaming
 * thread, the window in the server thread. */

#include "fluhlswindow.h"

#include <string.h>

#define NS_PER_S G_GUINT64_CONSTANT (1000000000)
/* a timestamp this far behind the latest is an upstream restart */
#define BACKWARDS_LIMIT NS_PER_S
/* parts are listed for the segments this many target durations from
 * the live edge (the spec's minimum) */
#define PART_LIST_TARGETS 3
/* a live playlist lasts at least this many target durations (6.2.2) */
#define MIN_PLAYLIST_TARGETS 3
/* the Skip Boundary, in target durations: the spec's minimum (4.4.3.8) */
#define SKIP_TARGETS 6
/* EXT-X-VERSION: 6 for the target duration being the longest segment
 * rounded (section 8; our segments end on the first keyframe past the
 * target, so may be a little longer), 9 for EXT-X-SKIP */
#define VERSION 6
#define VERSION_SKIP 9

/* ---- cutter ---- */

void
flu_hls_cutter_init (FluHlsCutter * c, guint64 target, guint64 part_target)
{
  memset (c, 0, sizeof (*c));
  c->target = target;
  c->part_target = part_target;
  c->seg_start = c->part_start = c->last_ts = FLU_HLS_NONE;
}

static void
cutter_restart (FluHlsCutter * c, guint64 ts)
{
  c->seg_start = c->part_start = c->last_ts = ts;
}

FluHlsCut
flu_hls_cutter_push (FluHlsCutter * c, guint64 ts, gboolean keyframe,
    gboolean discont, guint64 * duration)
{
  guint64 delta = 0;

  *duration = 0;
  if (!c->started) {
    c->started = TRUE;
    cutter_restart (c, ts);
    return FLU_HLS_CUT_SEGMENT;
  }
  if (ts == FLU_HLS_NONE)
    return FLU_HLS_CUT_NONE;
  if (c->last_ts == FLU_HLS_NONE) {
    /* the stream's first timestamp */
    cutter_restart (c, ts);
    return FLU_HLS_CUT_NONE;
  }
  if (discont || ts + BACKWARDS_LIMIT < c->last_ts) {
    *duration = c->last_ts + c->interval - c->part_start;
    cutter_restart (c, ts);
    return FLU_HLS_CUT_SEGMENT;
  }
  if (ts > c->last_ts) {
    delta = ts - c->last_ts;
    c->interval = delta;
    c->last_ts = ts;
  }
  /* a keyframe once the target is reached (half a frame early is on
   * time); without keyframes, at three targets, so that memory stays
   * bounded (the segment then starts on a delta frame) */
  if (ts > c->seg_start && ((keyframe && ts - c->seg_start + delta / 2 >=
              c->target) || ts - c->seg_start >= 3 * c->target)) {
    *duration = ts - c->part_start;
    c->seg_start = c->part_start = ts;
    return FLU_HLS_CUT_SEGMENT;
  }
  /* a part never exceeds the part target: cut before the frame that
   * would end past it (its duration guessed from the previous one) */
  if (c->part_target && delta && ts > c->part_start &&
      ts - c->part_start + delta > c->part_target) {
    *duration = ts - c->part_start;
    c->part_start = ts;
    return FLU_HLS_CUT_PART;
  }
  return FLU_HLS_CUT_NONE;
}

guint64
flu_hls_cutter_finish (FluHlsCutter * c)
{
  guint64 d = 0;

  if (c->started && c->last_ts != FLU_HLS_NONE)
    d = c->last_ts + c->interval - c->part_start;
  flu_hls_cutter_init (c, c->target, c->part_target);
  return d;
}

/* ---- names ---- */

gchar *
flu_hls_media_name (guint64 msn, gint part, gboolean fmp4)
{
  const gchar *ext = fmp4 ? "m4s" : "ts";

  if (part < 0)
    return g_strdup_printf ("seg%" G_GUINT64_FORMAT ".%s", msn, ext);
  return g_strdup_printf ("part%" G_GUINT64_FORMAT ".%d.%s", msn, part, ext);
}

gchar *
flu_hls_segment_name (guint64 msn)
{
  return flu_hls_media_name (msn, -1, FALSE);
}

gchar *
flu_hls_part_name (guint64 msn, guint part)
{
  return flu_hls_media_name (msn, part, FALSE);
}

gchar *
flu_hls_init_name (guint64 msn)
{
  return g_strdup_printf ("init%" G_GUINT64_FORMAT ".mp4", msn);
}

#define seg_name(w, msn) flu_hls_media_name (msn, -1, (w)->cfg.fmp4)
#define part_name(w, msn, i) flu_hls_media_name (msn, i, (w)->cfg.fmp4)

static gboolean
parse_uint (const gchar ** p, guint64 * v)
{
  const gchar *s = *p;
  guint64 n = 0;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s)) {
    if (n > (G_MAXUINT64 - 9) / 10)
      return FALSE;
    n = n * 10 + (*s++ - '0');
  }
  *v = n;
  *p = s;
  return TRUE;
}

static gboolean
media_ext (const gchar * p)
{
  return strcmp (p, ".ts") == 0 || strcmp (p, ".m4s") == 0;
}

FluHlsName
flu_hls_parse_name (const gchar * name, guint64 * msn, guint * part)
{
  const gchar *p;
  guint64 i;

  if (strcmp (name, "index.m3u8") == 0)
    return FLU_HLS_NAME_PLAYLIST;
  if (g_str_has_prefix (name, "seg")) {
    p = name + 3;
    if (parse_uint (&p, msn) && media_ext (p))
      return FLU_HLS_NAME_SEGMENT;
  } else if (g_str_has_prefix (name, "part")) {
    p = name + 4;
    if (parse_uint (&p, msn) && *p++ == '.' && parse_uint (&p, &i)
        && i <= G_MAXUINT && media_ext (p)) {
      *part = (guint) i;
      return FLU_HLS_NAME_PART;
    }
  } else if (g_str_has_prefix (name, "init")) {
    p = name + 4;
    if (parse_uint (&p, msn) && strcmp (p, ".mp4") == 0)
      return FLU_HLS_NAME_INIT;
  }
  return FLU_HLS_NAME_UNKNOWN;
}

void
flu_hls_format_seconds (GString * s, guint64 ns, gboolean round_up)
{
  /* units of 10 us */
  guint64 u = round_up ? (ns + 9999) / 10000 : (ns + 5000) / 10000;

  g_string_append_printf (s, "%" G_GUINT64_FORMAT ".%05u", u / 100000,
      (guint) (u % 100000));
}

/* ---- window ---- */

typedef struct
{
  GBytes *data;
  guint64 duration;
  gboolean independent;
} Part;

typedef struct
{
  guint64 msn;
  guint64 dseq;                 /* discontinuity sequence number */
  gboolean discont;
  gint64 pdt_us;
  gint64 token_us;              /* its token time (see token_time ()) */
  guint64 duration;
  gboolean complete;
  GArray *parts;                /* Part */
  gsize bytes;
  GBytes *init;                 /* fMP4: init<init_msn>.mp4 */
  guint64 init_msn;
  gint64 init_token_us;         /* the token time of segment init_msn */
} Segment;

struct _FluHlsWindow
{
  FluHlsWindowConfig cfg;
  FluHlsMountFunc mount;
  gpointer user_data;
  GQueue segments;              /* Segment, oldest first; the last one may
                                 * be in progress */
  guint64 next_msn;
  guint64 dseq;
  gboolean ended;
  gboolean hint;                /* a preload hint is mounted */
  guint64 hint_msn;
  guint hint_part;
  /* the token time of hint_msn while it is the next segment's (-1: none) */
  gint64 hint_token_us;
  GBytes *playlist;             /* cached */
  GBytes *delta;                /* cached */
  FluHlsWindowStats stats;
  GBytes *init;                 /* fMP4: the latest segment's init */
  guint64 init_msn;
  gint64 init_token_us;
};

static void
part_clear (Part * p)
{
  g_bytes_unref (p->data);
}

static Segment *
segment_new (guint64 msn)
{
  Segment *s = g_new0 (Segment, 1);

  s->msn = msn;
  s->parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_array_set_clear_func (s->parts, (GDestroyNotify) part_clear);
  return s;
}

static void
segment_free (Segment * s)
{
  g_array_unref (s->parts);
  if (s->init)
    g_bytes_unref (s->init);
  g_free (s);
}

static void
mount (FluHlsWindow * w, gchar * name, gboolean add)
{
  if (w->mount)
    w->mount (name, add, w->user_data);
  g_free (name);
}

FluHlsWindow *
flu_hls_window_new (const FluHlsWindowConfig * config, guint64 first_msn,
    FluHlsMountFunc mount_func, gpointer user_data)
{
  FluHlsWindow *w = g_new0 (FluHlsWindow, 1);

  w->cfg = *config;
  if (w->cfg.playlist_length == 0)
    w->cfg.playlist_length = 1;
  if (w->cfg.max_segments < w->cfg.playlist_length)
    w->cfg.max_segments = w->cfg.playlist_length;
  if (w->cfg.target_duration == 0)
    w->cfg.target_duration = 1;
  w->mount = mount_func;
  w->user_data = user_data;
  g_queue_init (&w->segments);
  w->next_msn = first_msn;
  w->hint_token_us = -1;
  return w;
}

/* @s has left the window */
static void
unmount_segment (FluHlsWindow * w, Segment * s)
{
  Segment *next = g_queue_peek_head (&w->segments);
  guint i;

  /* its init segment goes with the last segment that uses it */
  if (s->init && (next == NULL || next->init_msn != s->init_msn))
    mount (w, flu_hls_init_name (s->init_msn), FALSE);

  if (s->complete)
    mount (w, seg_name (w, s->msn), FALSE);
  if (w->cfg.part_target)
    for (i = 0; i < s->parts->len; i++)
      mount (w, part_name (w, s->msn, i), FALSE);
}

static void
set_hint (FluHlsWindow * w, gboolean on, guint64 msn, guint part)
{
  if (w->hint && on && w->hint_msn == msn && w->hint_part == part)
    return;
  if (w->hint)
    mount (w, part_name (w, w->hint_msn, w->hint_part), FALSE);
  w->hint = on;
  w->hint_msn = msn;
  w->hint_part = part;
  if (on)
    mount (w, part_name (w, msn, part), TRUE);
}

void
flu_hls_window_free (FluHlsWindow * w)
{
  Segment *s;

  set_hint (w, FALSE, 0, 0);
  while ((s = g_queue_pop_head (&w->segments))) {
    unmount_segment (w, s);
    segment_free (s);
  }
  if (w->playlist)
    g_bytes_unref (w->playlist);
  if (w->init)
    g_bytes_unref (w->init);
  if (w->delta)
    g_bytes_unref (w->delta);
  g_free (w);
}

static Segment *
open_segment (FluHlsWindow * w)
{
  Segment *s = g_queue_peek_tail (&w->segments);

  return s && !s->complete ? s : NULL;
}

static Segment *
last_complete (FluHlsWindow * w)
{
  GList *l;

  for (l = w->segments.tail; l; l = l->prev)
    if (((Segment *) l->data)->complete)
      return l->data;
  return NULL;
}

static guint
n_complete (FluHlsWindow * w)
{
  return w->segments.length - (open_segment (w) ? 1 : 0);
}

static void
invalidate (FluHlsWindow * w)
{
  g_clear_pointer (&w->playlist, g_bytes_unref);
  g_clear_pointer (&w->delta, g_bytes_unref);
}

static void
expire (FluHlsWindow * w)
{
  while (n_complete (w) > w->cfg.max_segments) {
    Segment *s = g_queue_pop_head (&w->segments);

    unmount_segment (w, s);
    w->stats.bytes -= s->bytes;
    w->stats.parts -= s->parts->len;
    w->stats.segments--;
    segment_free (s);
  }
}

static void
close_segment (FluHlsWindow * w, Segment * s)
{
  s->complete = TRUE;
  w->stats.segments++;
  w->stats.segments_total++;
  mount (w, seg_name (w, s->msn), TRUE);
  expire (w);
}

/* The hint names the next segment before it exists: its token time is
 * fixed now, the time the segment will start at (the last one's
 * PROGRAM-DATE-TIME plus its duration), and kept for it. */
static void
hint_next_segment (FluHlsWindow * w)
{
  Segment *last = g_queue_peek_tail (&w->segments);

  if (w->hint && w->hint_msn == w->next_msn && w->hint_token_us >= 0)
    return;
  w->hint_token_us = last ? last->pdt_us + (gint64) (last->duration / 1000) :
      g_get_real_time ();
  set_hint (w, TRUE, w->next_msn, 0);
}

static void
update_hint (FluHlsWindow * w)
{
  Segment *s = open_segment (w);

  if (w->cfg.part_target == 0 || w->ended) {
    set_hint (w, FALSE, 0, 0);
    w->hint_token_us = -1;
  } else if (s) {
    set_hint (w, TRUE, s->msn, s->parts->len);
  } else {
    hint_next_segment (w);
  }
}

void
flu_hls_window_add_part (FluHlsWindow * w, const FluHlsPartInfo * info,
    GBytes * data)
{
  Segment *s = open_segment (w);
  gboolean restarted = w->ended;
  Part p;

  if (w->ended) {
    /* a new stream after the end (a restart after EOS) */
    w->ended = FALSE;
    s = NULL;
  }
  if (info->new_segment || s == NULL) {
    if (s)
      close_segment (w, s);
    s = segment_new (w->next_msn++);
    if ((info->discont || restarted) && w->stats.segments_total > 0) {
      s->discont = TRUE;
      w->dseq++;
      w->stats.discontinuities++;
    }
    s->dseq = w->dseq;
    s->pdt_us = info->pdt_us;
    /* the token time the hint gave it, else its PROGRAM-DATE-TIME */
    s->token_us = w->hint && w->hint_msn == s->msn && w->hint_token_us >= 0 ?
        w->hint_token_us : info->pdt_us;
    w->hint_token_us = -1;
    if (w->cfg.fmp4 && info->init && (w->init == NULL ||
            !g_bytes_equal (w->init, info->init))) {
      if (w->init)
        g_bytes_unref (w->init);
      w->init = g_bytes_ref (info->init);
      w->init_msn = s->msn;
      w->init_token_us = s->token_us;
      mount (w, flu_hls_init_name (s->msn), TRUE);
    }
    if (w->cfg.fmp4 && w->init) {
      s->init = g_bytes_ref (w->init);
      s->init_msn = w->init_msn;
      s->init_token_us = w->init_token_us;
    }
    g_queue_push_tail (&w->segments, s);
  }
  p.data = data;
  p.duration = info->duration;
  p.independent = info->independent;
  g_array_append_val (s->parts, p);
  s->duration += info->duration;
  s->bytes += g_bytes_get_size (data);
  w->stats.bytes += g_bytes_get_size (data);
  w->stats.bytes_total += g_bytes_get_size (data);
  w->stats.parts++;
  w->stats.parts_total++;
  if (w->cfg.part_target) {
    /* the hint's mount becomes the part's */
    if (w->hint && w->hint_msn == s->msn && w->hint_part == s->parts->len - 1)
      w->hint = FALSE;
    else
      mount (w, part_name (w, s->msn, s->parts->len - 1), TRUE);
  }
  if (info->ends_segment)
    close_segment (w, s);
  update_hint (w);
  invalidate (w);
}

void
flu_hls_window_end (FluHlsWindow * w)
{
  Segment *s = open_segment (w);

  if (s)
    close_segment (w, s);
  w->ended = TRUE;
  update_hint (w);
  invalidate (w);
}

gboolean
flu_hls_window_ended (FluHlsWindow * w)
{
  return w->ended;
}

guint64
flu_hls_window_next_msn (FluHlsWindow * w)
{
  return w->next_msn;
}

static void
append_pdt (GString * out, gint64 us)
{
  GDateTime *dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

  if (dt == NULL)
    return;
  g_string_append_printf (out, "#EXT-X-PROGRAM-DATE-TIME:%04d-%02d-%02dT"
      "%02d:%02d:%02d.%03dZ\n", g_date_time_get_year (dt),
      g_date_time_get_month (dt), g_date_time_get_day_of_month (dt),
      g_date_time_get_hour (dt), g_date_time_get_minute (dt),
      g_date_time_get_second (dt), (gint) ((us % G_USEC_PER_SEC) / 1000));
  g_date_time_unref (dt);
}

static void
append_parts (FluHlsWindow * w, GString * out, Segment * s)
{
  guint i;

  for (i = 0; i < s->parts->len; i++) {
    Part *p = &g_array_index (s->parts, Part, i);
    gchar *name = part_name (w, s->msn, i);

    g_string_append (out, "#EXT-X-PART:DURATION=");
    flu_hls_format_seconds (out, p->duration, FALSE);
    g_string_append_printf (out, ",URI=\"%s\"%s\n", name,
        p->independent ? ",INDEPENDENT=YES" : "");
    g_free (name);
  }
}

/* The first listed segment: playlist_length complete segments, more
 * while they last less than MIN_PLAYLIST_TARGETS target durations. */
static GList *
first_listed (FluHlsWindow * w)
{
  guint64 min = MIN_PLAYLIST_TARGETS * w->cfg.target_duration * NS_PER_S;
  guint64 listed = 0;
  guint n = 0;
  GList *l, *first = NULL;

  for (l = w->segments.tail; l; l = l->prev) {
    Segment *s = l->data;

    if (s->complete) {
      if (n >= w->cfg.playlist_length && listed >= min)
        break;
      n++;
      listed += s->duration;
    }
    first = l;
  }
  return first;
}

guint64
flu_hls_window_skip_until (FluHlsWindow * w)
{
  /* offered when the listed playlist is longer than the boundary */
  if ((guint64) w->cfg.playlist_length <= SKIP_TARGETS)
    return 0;
  return SKIP_TARGETS * w->cfg.target_duration * NS_PER_S;
}

/* How many of the listed segments from @first a delta playlist skips:
 * those that end at least the Skip Boundary before the end of the last
 * complete segment (6.2.5.1, 4.4.5.2). */
static guint
count_skipped (FluHlsWindow * w, GList * first)
{
  guint64 until = flu_hls_window_skip_until (w), end = 0, at = 0;
  guint n = 0;
  GList *l;

  if (until == 0 || w->ended)
    return 0;
  for (l = first; l; l = l->next)
    if (((Segment *) l->data)->complete)
      end += ((Segment *) l->data)->duration;
  for (l = first; l; l = l->next) {
    Segment *s = l->data;

    if (!s->complete)
      break;
    at += s->duration;
    if (end - at < until)
      break;
    n++;
  }
  return n;
}

static GBytes *
render (FluHlsWindow * w, gboolean delta)
{
  GString *out = g_string_new ("#EXTM3U\n");
  guint64 part_target = w->cfg.part_target;
  guint64 target_ns = w->cfg.target_duration * NS_PER_S;
  guint64 skip_until = flu_hls_window_skip_until (w);
  guint64 parts_from;           /* list parts from this msn on */
  guint64 tail = 0;
  guint skipped = 0, i;
  GList *l, *first;
  Segment *s;

  first = first_listed (w);
  if (delta)
    skipped = count_skipped (w, first);
  /* parts for the segments that end within PART_LIST_TARGETS target
   * durations of the live edge */
  parts_from = FLU_HLS_NONE;
  for (l = w->segments.tail; l; l = l->prev) {
    s = l->data;
    parts_from = s->msn;
    tail += s->duration;
    if (tail > PART_LIST_TARGETS * target_ns)
      break;
  }

  g_string_append_printf (out, "#EXT-X-VERSION:%d\n",
      skipped ? VERSION_SKIP : VERSION);
  g_string_append_printf (out, "#EXT-X-TARGETDURATION:%u\n",
      w->cfg.target_duration);
  g_string_append (out, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES");
  if (skip_until) {
    g_string_append (out, ",CAN-SKIP-UNTIL=");
    flu_hls_format_seconds (out, skip_until, FALSE);
  }
  if (part_target) {
    g_string_append (out, ",PART-HOLD-BACK=");
    flu_hls_format_seconds (out, 3 * part_target, TRUE);
  }
  g_string_append_printf (out, ",HOLD-BACK=%u.00000\n",
      3 * w->cfg.target_duration);
  if (part_target) {
    g_string_append (out, "#EXT-X-PART-INF:PART-TARGET=");
    flu_hls_format_seconds (out, part_target, TRUE);
    g_string_append_c (out, '\n');
  }
  s = first->data;
  g_string_append_printf (out, "#EXT-X-MEDIA-SEQUENCE:%" G_GUINT64_FORMAT
      "\n", s->msn);
  g_string_append_printf (out, "#EXT-X-DISCONTINUITY-SEQUENCE:%"
      G_GUINT64_FORMAT "\n", s->dseq - (s->discont ? 1 : 0));
  if (skipped) {
    /* the skipped segments' tags go with them; the sequence numbers
     * above stay those of the full playlist */
    g_string_append_printf (out, "#EXT-X-SKIP:SKIPPED-SEGMENTS=%u\n", skipped);
    for (i = 0; i < skipped; i++)
      first = first->next;
  }

  for (l = first; l; l = l->next) {
    s = l->data;
    if (s->discont)
      g_string_append (out, "#EXT-X-DISCONTINUITY\n");
    if (s->init && (l == first || ((Segment *) l->prev->data)->init_msn !=
            s->init_msn))
      g_string_append_printf (out, "#EXT-X-MAP:URI=\"init%" G_GUINT64_FORMAT
          ".mp4\"\n", s->init_msn);
    append_pdt (out, s->pdt_us);
    if (part_target && s->msn >= parts_from)
      append_parts (w, out, s);
    if (s->complete) {
      gchar *name = seg_name (w, s->msn);

      g_string_append (out, "#EXTINF:");
      flu_hls_format_seconds (out, s->duration, FALSE);
      g_string_append_printf (out, ",\n%s\n", name);
      g_free (name);
    }
  }
  if (w->hint) {
    gchar *name = part_name (w, w->hint_msn, w->hint_part);

    g_string_append_printf (out, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"%s\"\n",
        name);
    g_free (name);
  }
  if (w->ended)
    g_string_append (out, "#EXT-X-ENDLIST\n");
  return g_string_free_to_bytes (out);
}

GBytes *
flu_hls_window_playlist (FluHlsWindow * w)
{
  if (last_complete (w) == NULL)
    return NULL;
  if (w->playlist == NULL)
    w->playlist = render (w, FALSE);
  return g_bytes_ref (w->playlist);
}

GBytes *
flu_hls_window_delta_playlist (FluHlsWindow * w)
{
  if (last_complete (w) == NULL)
    return NULL;
  if (count_skipped (w, first_listed (w)) == 0)
    return flu_hls_window_playlist (w);
  if (w->delta == NULL)
    w->delta = render (w, TRUE);
  return g_bytes_ref (w->delta);
}

void
flu_hls_window_get_stats (FluHlsWindow * w, FluHlsWindowStats * stats)
{
  Segment *s = last_complete (w), *open = open_segment (w);
  GList *first = first_listed (w), *l;
  guint64 bytes = 0, duration = 0;

  *stats = w->stats;
  stats->last_msn = s ? s->msn : FLU_HLS_NONE;
  stats->media_sequence = first ? ((Segment *) first->data)->msn : w->next_msn;
  stats->peak_bps = stats->avg_bps = 0;
  for (l = w->segments.head; l; l = l->next) {
    Segment *c = l->data;

    if (!c->complete || c->duration == 0)
      continue;
    bytes += c->bytes;
    duration += c->duration;
    stats->peak_bps = MAX (stats->peak_bps, (guint64) (c->bytes * 8.0 *
            NS_PER_S / c->duration + 0.5));
  }
  if (duration)
    stats->avg_bps = (guint64) (bytes * 8.0 * NS_PER_S / duration + 0.5);
  /* the latest part: of the open segment, else the last complete one's
   * last part */
  stats->report_msn = s ? s->msn : FLU_HLS_NONE;
  stats->report_part = -1;
  if (w->cfg.part_target) {
    if (open && open->parts->len) {
      stats->report_msn = open->msn;
      stats->report_part = open->parts->len - 1;
    } else if (s) {
      stats->report_part = (gint64) s->parts->len - 1;
    }
  }
}

static Segment *
find (FluHlsWindow * w, guint64 msn)
{
  Segment *first = g_queue_peek_head (&w->segments);

  if (first == NULL || msn < first->msn || msn - first->msn >=
      w->segments.length)
    return NULL;
  return g_queue_peek_nth (&w->segments, msn - first->msn);
}

gint64
flu_hls_window_token_time (FluHlsWindow * w, guint64 msn)
{
  Segment *s = find (w, msn);
  GList *l;

  if (s)
    return s->token_us;
  if (w->hint && w->hint_msn == msn && w->hint_token_us >= 0)
    return w->hint_token_us;
  /* an init segment whose first segment has left the window */
  for (l = w->segments.head; l; l = l->next) {
    s = l->data;
    if (s->init && s->init_msn == msn)
      return s->init_token_us;
  }
  return -1;
}

GPtrArray *
flu_hls_window_get_segment (FluHlsWindow * w, guint64 msn)
{
  Segment *s = find (w, msn);
  GPtrArray *a;
  guint i;

  if (s == NULL || !s->complete)
    return NULL;
  a = g_ptr_array_new_full (s->parts->len, (GDestroyNotify) g_bytes_unref);
  for (i = 0; i < s->parts->len; i++)
    g_ptr_array_add (a, g_bytes_ref (g_array_index (s->parts, Part, i).data));
  return a;
}

GBytes *
flu_hls_window_get_init (FluHlsWindow * w, guint64 msn)
{
  GList *l;

  for (l = w->segments.head; l; l = l->next) {
    Segment *s = l->data;

    if (s->init && s->init_msn == msn)
      return g_bytes_ref (s->init);
  }
  return NULL;
}

FluHlsStatus
flu_hls_window_get_part (FluHlsWindow * w, guint64 msn, guint part,
    GBytes ** data)
{
  Segment *s;

  *data = NULL;
  if (w->cfg.part_target == 0)
    return FLU_HLS_GONE;
  s = find (w, msn);
  if (s && part < s->parts->len) {
    *data = g_bytes_ref (g_array_index (s->parts, Part, part).data);
    return FLU_HLS_READY;
  }
  if (w->hint && w->hint_msn == msn && w->hint_part == part)
    return FLU_HLS_WAIT;
  return FLU_HLS_GONE;
}

FluHlsStatus
flu_hls_window_check_block (FluHlsWindow * w, guint64 msn, gint64 part)
{
  Segment *last = last_complete (w), *open = open_segment (w);
  /* the msn of the last complete segment, one before the first when none */
  gint64 last_msn = last ? (gint64) last->msn :
      (gint64) (open ? open->msn : w->next_msn) - 1;
  gint64 m_last, p_last, limit, pps, ahead;

  /* 6.2.5.2: _HLS_msn and _HLS_part are ignored once the playlist has
   * EXT-X-ENDLIST */
  if (w->ended)
    return FLU_HLS_READY;
  if (msn > (guint64) G_MAXINT64)
    return FLU_HLS_TOO_FAR;
  if ((gint64) msn > last_msn + 2)
    return FLU_HLS_TOO_FAR;
  if (part < 0 || w->cfg.part_target == 0)
    return last && (gint64) msn <= last_msn ? FLU_HLS_READY : FLU_HLS_WAIT;

  /* the latest part: (m_last, p_last) */
  if (open && open->parts->len) {
    m_last = open->msn;
    p_last = open->parts->len - 1;
  } else if (last) {
    m_last = last->msn;
    p_last = (gint64) last->parts->len - 1;
  } else {
    m_last = last_msn;
    p_last = -1;
  }
  if ((gint64) msn < m_last || ((gint64) msn == m_last && part <= p_last))
    return last ? FLU_HLS_READY : FLU_HLS_WAIT;
  /* the Advance Part Limit: 3 / part target (s) below a second, else 3 */
  limit = w->cfg.part_target < NS_PER_S ?
      (gint64) (3 * NS_PER_S / w->cfg.part_target) : 3;
  pps = (w->cfg.target_duration * NS_PER_S + w->cfg.part_target - 1) /
      w->cfg.part_target;
  ahead = ((gint64) msn - m_last) * pps + part - p_last;
  if (ahead > limit)
    return FLU_HLS_TOO_FAR;
  return FLU_HLS_WAIT;
}
