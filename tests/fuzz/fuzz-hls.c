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

/* Fuzz target for what fluhlssink reads from the stream it segments
 * (fluhlsvariant.c): the MPEG-TS probe (PAT, PMT, the first video PES and
 * its H.264 SPS, the first ADTS header) and the SPS parser on its own.
 * Byte 0 picks the way: even = the rest is one SPS NAL unit (header
 * byte first); odd = the rest is a transport stream, fed in whole
 * packets, (byte 0 >> 1) + 1 packets at a time, each piece copied into an
 * allocation of its own so that a read past a piece is caught; then the
 * codecs string and a multivariant playlist are rendered from what was
 * found. */

#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "fluhlsvariant.h"

#define TS 188

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static void
fuzz_ts (guint per, const guint8 * data, gsize size)
{
  FluHlsProbe p;
  FluHlsRendition r = { 0 }, *rs[1] = { &r };
  gchar *codecs, *m3u8;

  flu_hls_probe_init (&p);
  while (size >= TS) {
    gsize n = MIN (size / TS, per) * TS;
    guint8 *piece = g_memdup2 (data, n);

    flu_hls_probe_feed (&p, piece, n);
    g_free (piece);
    data += n;
    size -= n;
  }
  codecs = flu_hls_probe_codecs (&p);
  r.mount_point = (gchar *) "/a/hi/";
  r.ready = TRUE;
  r.peak_bps = r.avg_bps = 1000;
  r.codecs = codecs;
  r.width = p.video.width;
  r.height = p.video.height;
  r.fps = p.video.fps;
  m3u8 = flu_hls_multivariant_render ("/a/", rs, 1);
  g_assert (m3u8 != NULL);
  g_free (m3u8);
  g_free (codecs);
  flu_hls_probe_clear (&p);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  if (size < 1)
    return 0;
  if (data[0] & 1) {
    fuzz_ts ((data[0] >> 1) + 1, data + 1, size - 1);
  } else {
    /* an allocation of exactly the NAL unit's size */
    guint8 *nal = g_memdup2 (data + 1, size - 1);
    FluHlsH264Info info;

    flu_hls_h264_parse_sps (nal, size - 1, &info);
    g_free (nal);
  }
  return 0;
}
