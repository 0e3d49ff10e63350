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

/* What a multivariant playlist says about each rendition of a group, and
 * where it comes from; plain C on GLib (no GStreamer, no sockets), unit
 * tested on its own (tests/check/soup/fluhlswindow.c):
 *
 * - FluHlsProbe reads a muxed MPEG-TS stream (PAT, PMT, the first H.264
 *   SPS, the first ADTS header) for the CODECS, RESOLUTION and
 *   FRAME-RATE of EXT-X-STREAM-INF (streaming thread);
 * - flu_hls_multivariant_render () and flu_hls_reports_render () render
 *   the multivariant playlist and a media playlist's
 *   EXT-X-RENDITION-REPORT tags from FluHlsRendition records.
 *
 * Nothing here is thread-safe. */

#ifndef __FLU_HLS_VARIANT_H__
#define __FLU_HLS_VARIANT_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint8 profile, constraints, level;   /* avc1.PPCCLL */
  guint width, height;          /* 0 = unknown */
  gdouble fps;                  /* 0 = unknown (no VUI timing) */
} FluHlsH264Info;

/* Reads an H.264 SPS NAL unit (with its one-byte header, emulation
 * prevention bytes still in). */
gboolean flu_hls_h264_parse_sps (const guint8 * nal, gsize len,
    FluHlsH264Info * info);

typedef struct
{
  /* state */
  guint16 pmt_pid, video_pid, audio_pid;
  guint8 video_type, audio_type;        /* PMT stream types */
  gboolean have_pmt, have_video, have_audio;
  GByteArray *pes;              /* the first video PES, so far */
  FluHlsH264Info video;
  guint8 aac_object;            /* mp4a.40.<n> */
} FluHlsProbe;

void flu_hls_probe_init (FluHlsProbe * p);
void flu_hls_probe_clear (FluHlsProbe * p);
/* Feeds whole 188-byte packets; TRUE once everything the PMT lists was
 * found (then feeding is no longer needed). */
gboolean flu_hls_probe_feed (FluHlsProbe * p, const guint8 * data, gsize len);
/* "avc1.64001f,mp4a.40.2" from what was found, NULL when nothing. */
gchar *flu_hls_probe_codecs (FluHlsProbe * p);

/* One rendition of a group, as its element last reported it. */
typedef struct
{
  gchar *mount_point;           /* "/room1/hi/" */
  gboolean ready;               /* a segment is complete */
  guint64 peak_bps, avg_bps;
  gchar *codecs;                /* NULL = omit */
  guint width, height;          /* 0 = omit */
  gdouble fps;                  /* 0 = omit */
  guint64 last_msn;             /* for EXT-X-RENDITION-REPORT */
  gint64 last_part;             /* -1 = no parts */
} FluHlsRendition;

/* The multivariant playlist at @dir (a directory path, "/" or
 * "/x/"): one EXT-X-STREAM-INF per ready rendition, by BANDWIDTH, URIs
 * relative to @dir.  NULL when no rendition is ready. */
gchar *flu_hls_multivariant_render (const gchar * dir,
    FluHlsRendition ** r, guint n);
/* EXT-X-RENDITION-REPORT lines for every ready rendition but @self
 * (URIs relative to @self's media playlist), "" when none. */
gchar *flu_hls_reports_render (const FluHlsRendition * self,
    FluHlsRendition ** r, guint n);
/* The relative reference from a document in directory @from to the
 * index.m3u8 in directory @to (both absolute, ending in '/'). */
gchar *flu_hls_relative_playlist (const gchar * from, const gchar * to);

G_END_DECLS

#endif /* __FLU_HLS_VARIANT_H__ */
