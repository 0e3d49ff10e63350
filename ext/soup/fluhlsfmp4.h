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

/* fluhlssink's CMAF muxer, plain C on GLib (no GStreamer), unit tested
 * in tests/check/soup/flucmaf.c.  It takes the elementary samples of up
 * to two tracks (a video track that drives the cuts, and an audio
 * track; or one track alone), puts them in decode-time order across the
 * tracks, cuts parts and segments with FluHlsCutter (before video
 * keyframes; every audio frame is a keyframe) and hands each part,
 * one moof + mdat with one traf per track, to a callback, with the init
 * segment (ftyp + moov of every track) on each new segment.
 *
 * Waiting for the other track: a sample goes out once every other
 * track has a sample queued, has ended, or is known to have nothing
 * before it (its last sample's end, or the end of its last GAP,
 * flu_hls_fmp4_gap, is at or after it).  A track that sends nothing
 * (no sample, no gap) is skipped, the others going on without it,
 * once it has been silent for the stall bound of the arrival clock
 * (the part target; 1 s without parts, and for a track that has not
 * sent anything yet) or the others are 1 s of stream time ahead of it;
 * it is waited for again as soon as it sends something.
 *
 * The end: flu_hls_fmp4_track_end ends the stream once every track
 * that has had data (a sample or a gap) has ended or has been silent
 * for the stall bound; a track that never had any (a pad never linked,
 * or that never got a buffer) does not hold the end, and its end after
 * that ends nothing more.
 *
 * Timestamps: each track's decode times are its DTS (ns) relative to the
 * stream's first one, in the track's timescale; the tfdt of a part is
 * where the track's previous part ended (continuous), unless the DTS
 * jumped more than a tenth of a second from it (a gap).  After an
 * upstream restart (a discont sample, or time going back) the track
 * resumes where the stream had got to, so decode times never go back.
 *
 * Not thread-safe: the caller serialises the calls. */

#ifndef __FLU_HLS_FMP4_H__
#define __FLU_HLS_FMP4_H__

#include "flucmaf.h"
#include "fluhlswindow.h"

G_BEGIN_DECLS

#define FLU_HLS_FMP4_MAX_TRACKS 2

/* A finished part (@data, taken; NULL with @end only) with its info;
 * info->init is the init segment on a new segment (borrowed, ref it to
 * keep it). @end: the stream ended after this part. */
typedef void (*FluHlsFmp4PartFunc) (const FluHlsPartInfo * info,
    GBytes * data, gboolean end, gpointer user_data);

typedef struct
{
  gint64 dts;                   /* ns, running time */
  gint64 pts;                   /* ns, running time */
  gint64 duration;              /* ns, -1 = unknown */
  gboolean keyframe;
  gboolean discont;             /* first sample after an upstream restart */
  GBytes *data;                 /* taken */
  gint64 arrival;               /* us, g_get_monotonic_time () when it
                                 * came; 0 = unknown (no arrival bound) */
} FluHlsFmp4Sample;

typedef struct _FluHlsFmp4 FluHlsFmp4;

/* @n_tracks (1 or 2) tracks; track 0 drives the cuts when @video_first
 * (it is video), otherwise every track's frames are keyframes. */
FluHlsFmp4 *flu_hls_fmp4_new (guint n_tracks, gboolean video_first,
    guint64 target, guint64 part_target, FluHlsFmp4PartFunc func,
    gpointer user_data);
void flu_hls_fmp4_free (FluHlsFmp4 * m);
/* A track's format (copied; track_id is set by the muxer).  A change
 * makes a new init segment and starts a new segment with a
 * discontinuity (the track's samples are dropped until then). */
void flu_hls_fmp4_set_track (FluHlsFmp4 * m, guint track,
    const FluCmafTrack * t);
void flu_hls_fmp4_push (FluHlsFmp4 * m, guint track, FluHlsFmp4Sample * s);
/* The track has nothing before @end (ns, running time, as a sample's
 * dts): a GAP event, which came at @arrival (us, monotonic; 0 =
 * unknown). */
void flu_hls_fmp4_gap (FluHlsFmp4 * m, guint track, gint64 end,
    gint64 arrival);
/* The track ended; once every track that has had data has (or has
 * been silent for the stall bound), the rest goes out and the callback
 * gets @end.  TRUE then (once: FALSE for ends that follow it). */
gboolean flu_hls_fmp4_track_end (FluHlsFmp4 * m, guint track);
/* The RFC 6381 codecs of the tracks with a format, comma-separated
 * ("avc1.64001f,mp4a.40.2"; NULL when none), the video size and frame
 * rate (0 when none). */
gchar *flu_hls_fmp4_describe (FluHlsFmp4 * m, guint * width, guint * height,
    gdouble * fps);
/* Samples dropped for coming more than 100 ms behind their track. */
guint64 flu_hls_fmp4_late (FluHlsFmp4 * m);
/* How many times a silent track was skipped (the others went on
 * without waiting for it). */
guint64 flu_hls_fmp4_skips (FluHlsFmp4 * m);
/* Forget queued samples and the part in progress (a flush); the next
 * part starts a new segment on a keyframe. */
void flu_hls_fmp4_reset (FluHlsFmp4 * m);

G_END_DECLS

#endif /* __FLU_HLS_FMP4_H__ */
