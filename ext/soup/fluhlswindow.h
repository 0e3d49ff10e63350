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

/* fluhlssink's policy, plain C on GLib (no GStreamer, no sockets), unit
 * tested on its own (tests/check/soup/fluhlswindow.c):
 *
 * - FluHlsCutter decides, buffer by buffer, where parts and segments end
 *   (streaming thread);
 * - FluHlsWindow keeps the bounded window of segments and parts, renders
 *   the media playlist (RFC 8216bis, LL-HLS), answers name look-ups and
 *   decides blocking playlist reloads (server thread).
 *
 * Neither is thread-safe: each belongs to one thread. */

#ifndef __FLU_HLS_WINDOW_H__
#define __FLU_HLS_WINDOW_H__

#include <glib.h>

G_BEGIN_DECLS

#define FLU_HLS_NONE G_MAXUINT64

/* ---- cutter ---- */

typedef enum
{
  FLU_HLS_CUT_NONE,             /* the buffer goes into the current part */
  FLU_HLS_CUT_PART,             /* a new part starts with the buffer */
  FLU_HLS_CUT_SEGMENT,          /* a new segment (and part) starts with it */
} FluHlsCut;

typedef struct
{
  guint64 target;               /* ns: segment target duration */
  guint64 part_target;          /* ns: 0 = no parts */
  /* state */
  gboolean started;
  guint64 seg_start, part_start, last_ts, interval;
} FluHlsCutter;

void flu_hls_cutter_init (FluHlsCutter * c, guint64 target,
    guint64 part_target);
/* Where to cut before a buffer of timestamp @ts (FLU_HLS_NONE = none),
 * a keyframe or not, marked discontinuous or not.  With a cut,
 * *@duration is the duration of the part that ends.  The first buffer
 * after init (or reset) returns FLU_HLS_CUT_SEGMENT with *@duration 0. */
FluHlsCut flu_hls_cutter_push (FluHlsCutter * c, guint64 ts,
    gboolean keyframe, gboolean discont, guint64 * duration);
/* The duration of the part in progress at the end of the stream
 * (0 if nothing started); resets the cutter. */
guint64 flu_hls_cutter_finish (FluHlsCutter * c);

/* ---- window ---- */

typedef struct
{
  guint target_duration;        /* s, EXT-X-TARGETDURATION */
  guint64 part_target;          /* ns, 0 = no parts (plain HLS) */
  guint playlist_length;        /* complete segments listed */
  guint max_segments;           /* complete segments kept (>= listed) */
  gboolean fmp4;                /* CMAF: .m4s names, EXT-X-MAP */
} FluHlsWindowConfig;

typedef struct
{
  guint64 duration;             /* ns */
  gboolean independent;         /* starts on a keyframe */
  gboolean new_segment;         /* the first part of a new segment */
  gboolean discont;             /* with new_segment: EXT-X-DISCONTINUITY */
  gint64 pdt_us;                /* with new_segment: wall clock, Unix us */
  gboolean ends_segment;        /* the last part of its segment */
  /* with new_segment, fMP4: the init segment (the window refs it); a
   * different one than the previous segment's is served as
   * init<msn>.mp4 and gets its own EXT-X-MAP */
  GBytes *init;
} FluHlsPartInfo;

typedef struct
{
  guint64 segments;             /* complete segments held */
  guint64 parts;                /* parts held */
  guint64 bytes;                /* bytes held (complete + in progress) */
  guint64 segments_total;       /* segments completed since start */
  guint64 parts_total;          /* parts added since start */
  guint64 bytes_total;
  guint64 discontinuities;
  guint64 media_sequence;       /* of the first listed segment */
  guint64 last_msn;             /* of the latest complete segment */
  /* what an EXT-X-RENDITION-REPORT of this window says: the msn and
   * index of the latest part (with parts; report_part -1 without) */
  guint64 report_msn;
  gint64 report_part;
  /* bits per second over the complete segments held: the highest
   * segment's and the average (0 while none is complete) */
  guint64 peak_bps;
  guint64 avg_bps;
} FluHlsWindowStats;

/* Called when a name starts (@add) or stops being served. */
typedef void (*FluHlsMountFunc) (const gchar * name, gboolean add,
    gpointer user_data);

typedef struct _FluHlsWindow FluHlsWindow;

FluHlsWindow *flu_hls_window_new (const FluHlsWindowConfig * config,
    guint64 first_msn, FluHlsMountFunc mount, gpointer user_data);
/* Calls mount (name, FALSE) for every name still served. */
void flu_hls_window_free (FluHlsWindow * w);

/* Adds a finished part (takes @data). */
void flu_hls_window_add_part (FluHlsWindow * w, const FluHlsPartInfo * info,
    GBytes * data);
/* The stream ended: the playlist gets EXT-X-ENDLIST. */
void flu_hls_window_end (FluHlsWindow * w);
gboolean flu_hls_window_ended (FluHlsWindow * w);
/* msn of the next segment to start. */
guint64 flu_hls_window_next_msn (FluHlsWindow * w);
/* The media playlist (cached until the window changes); NULL while no
 * segment is complete.  Unref it. */
GBytes *flu_hls_window_playlist (FluHlsWindow * w);
/* The Skip Boundary (CAN-SKIP-UNTIL, ns), 0 when the window is too short
 * for a delta playlist to skip anything (then none is offered). */
guint64 flu_hls_window_skip_until (FluHlsWindow * w);
/* The Playlist Delta Update (_HLS_skip=YES): the segments further than
 * the Skip Boundary from the end replaced by EXT-X-SKIP; the full
 * playlist when no delta is offered or the stream ended (the spec says
 * to ignore _HLS_skip then).  Cached as the playlist; NULL likewise. */
GBytes *flu_hls_window_delta_playlist (FluHlsWindow * w);
void flu_hls_window_get_stats (FluHlsWindow * w, FluHlsWindowStats * stats);

/* Names relative to the mount point. */
typedef enum
{
  FLU_HLS_NAME_UNKNOWN,
  FLU_HLS_NAME_PLAYLIST,        /* index.m3u8 */
  FLU_HLS_NAME_SEGMENT,         /* seg<msn>.ts */
  FLU_HLS_NAME_PART,            /* part<msn>.<index>.ts */
  FLU_HLS_NAME_INIT,            /* init<msn>.mp4 (fMP4) */
} FluHlsName;

/* fMP4 names end in .m4s instead of .ts (only mounted names are
 * served, so either is parsed) */
FluHlsName flu_hls_parse_name (const gchar * name, guint64 * msn,
    guint * part);
gchar *flu_hls_segment_name (guint64 msn);
gchar *flu_hls_part_name (guint64 msn, guint part);
gchar *flu_hls_media_name (guint64 msn, gint part, gboolean fmp4);
gchar *flu_hls_init_name (guint64 msn);
/* The init segment init<msn>.mp4 (unref it) or NULL. */
GBytes *flu_hls_window_get_init (FluHlsWindow * w, guint64 msn);

/* The token time of segment @msn (Unix us): what a viewer's session
 * tokens in the URIs of its segment, parts and init segment expire
 * from, so that they stay the same in every playlist that lists them.
 * Fixed when the msn is first published: the segment's
 * PROGRAM-DATE-TIME, or, when a preload hint named its first part before
 * it existed, the time it was to start at then (kept for the segment).
 * -1 when the window neither holds nor hints @msn. */
gint64 flu_hls_window_token_time (FluHlsWindow * w, guint64 msn);

/* The data of a complete segment (its parts' GBytes, in order, in a new
 * array that frees them) or NULL when it is not (or no longer) held. */
GPtrArray *flu_hls_window_get_segment (FluHlsWindow * w, guint64 msn);

typedef enum
{
  FLU_HLS_READY,                /* answer now */
  FLU_HLS_WAIT,                 /* hold the request */
  FLU_HLS_GONE,                 /* will never exist (404) */
  FLU_HLS_TOO_FAR,              /* too far in the future (400) */
} FluHlsStatus;

/* A part: READY with *@data (unref it), WAIT when it is the next part
 * (the preload hint), GONE otherwise. */
FluHlsStatus flu_hls_window_get_part (FluHlsWindow * w, guint64 msn,
    guint part, GBytes ** data);
/* A blocking playlist reload: _HLS_msn=@msn and _HLS_part=@part
 * (-1 = absent).  READY when the playlist holds segment @msn (or part
 * @part of segment @msn) or later, or the stream ended (whatever the
 * values: the spec ignores them then); TOO_FAR per the spec's rule (msn
 * more than two past the last segment, or parts beyond the Advance Part
 * Limit); WAIT otherwise. */
FluHlsStatus flu_hls_window_check_block (FluHlsWindow * w, guint64 msn,
    gint64 part);

/* "1.23456": @ns in seconds, 5 decimals, rounded to nearest (up with
 * @round_up). */
void flu_hls_format_seconds (GString * s, guint64 ns, gboolean round_up);

G_END_DECLS

#endif /* __FLU_HLS_WINDOW_H__ */
