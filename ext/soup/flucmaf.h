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

/* A small CMAF (ISO BMFF fragmented MP4) writer, plain C on GLib, unit
 * tested on its own (tests/check/soup/flucmaf.c):
 *
 * - flu_cmaf_init_segment: ftyp + moov (one trak per track, mvex/trex)
 *   for H.264 (avc1 + avcC), H.265 (hvc1/hev1 + hvcC), AAC (mp4a + esds
 *   with the AudioSpecificConfig) and Opus (Opus + dOps);
 * - flu_cmaf_fragment: one moof (mfhd, one traf per track: tfhd with
 *   default-base-is-moof, tfdt version 1, trun version 1 with sizes,
 *   durations, flags and signed composition offsets) + one mdat, after
 *   a styp when the fragment starts a segment.
 *
 * Track IDs are 1-based indices into the array given to
 * flu_cmaf_init_segment. */

#ifndef __FLU_CMAF_H__
#define __FLU_CMAF_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FLU_CMAF_H264,
  FLU_CMAF_H265,
  FLU_CMAF_AAC,
  FLU_CMAF_OPUS,
} FluCmafCodec;

typedef struct
{
  guint track_id;               /* 1-based */
  FluCmafCodec codec;
  guint32 timescale;            /* 90000 for video, the rate for audio */
  /* video */
  guint width, height;
  gboolean in_band;             /* H.265: parameter sets in the stream (hev1) */
  guint fps_n, fps_d;           /* frame rate (0/0 unknown), not written */
  /* audio */
  guint channels;
  guint rate;
  /* Opus (dOps) */
  guint pre_skip;
  gint output_gain;
  guint mapping_family;
  guint stream_count, coupled_count;
  guint8 mapping[255];
  /* avcC / hvcC payload, or the AAC AudioSpecificConfig (not for Opus) */
  GBytes *codec_data;
} FluCmafTrack;

gboolean flu_cmaf_track_equal (const FluCmafTrack * a, const FluCmafTrack * b);
void flu_cmaf_track_clear (FluCmafTrack * t);
void flu_cmaf_track_copy (FluCmafTrack * dst, const FluCmafTrack * src);

/* ftyp + moov for @n tracks; NULL when a track lacks what its codec
 * needs (codec_data for H.264, H.265 and AAC). */
GBytes *flu_cmaf_init_segment (const FluCmafTrack * tracks, guint n);

/* RFC 6381 codecs string ("avc1.64001f", "hvc1.1.6.L93.B0",
 * "mp4a.40.2", "Opus") or NULL. */
gchar *flu_cmaf_codec_string (const FluCmafTrack * t);

typedef struct
{
  guint32 size;
  guint32 duration;             /* timescale units */
  gint32 cts_offset;            /* composition - decode time */
  gboolean sync;
} FluCmafSample;

typedef struct
{
  guint track_id;
  guint64 decode_time;          /* tfdt: of the first sample */
  const FluCmafSample *samples;
  guint n_samples;
  const guint8 *data;           /* the samples' bytes, in order */
  gsize size;                   /* sum of the samples' sizes */
} FluCmafRun;

/* moof + mdat, after a styp (brands msdh, cmfs) with @segment_start;
 * runs with no samples are left out. */
GBytes *flu_cmaf_fragment (guint32 sequence, gboolean segment_start,
    const FluCmafRun * runs, guint n_runs);

/* ns -> timescale units, rounded to nearest, no overflow. */
guint64 flu_cmaf_to_units (guint64 ns, guint32 timescale);

G_END_DECLS

#endif /* __FLU_CMAF_H__ */
