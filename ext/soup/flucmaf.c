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

/* See flucmaf.h.  Box layouts per ISO/IEC 14496-12 (ftyp, moov, moof),
 * 14496-15 (avcC, hvcC sample entries), 14496-14 (esds) and the Opus in
 * ISO BMFF encapsulation (dOps).  No locks, no state. */

#include "flucmaf.h"

#include <string.h>

#define NS_PER_S G_GUINT64_CONSTANT (1000000000)
/* sample_flags: depends on no other (sync) / on others, non-sync */
#define FLAGS_SYNC 0x02000000
#define FLAGS_NON_SYNC 0x01010000

static const guint32 matrix[9] = { 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0,
  0x40000000
};

/* ---- writing ---- */

static void
put8 (GByteArray * b, guint v)
{
  guint8 c = v;

  g_byte_array_append (b, &c, 1);
}

static void
put16 (GByteArray * b, guint v)
{
  guint8 c[2] = { v >> 8, v };

  g_byte_array_append (b, c, 2);
}

static void
put32 (GByteArray * b, guint32 v)
{
  guint8 c[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (b, c, 4);
}

static void
put64 (GByteArray * b, guint64 v)
{
  put32 (b, v >> 32);
  put32 (b, (guint32) v);
}

static void
put_zeros (GByteArray * b, guint n)
{
  while (n--)
    put8 (b, 0);
}

static void
set32 (GByteArray * b, guint off, guint32 v)
{
  b->data[off] = v >> 24;
  b->data[off + 1] = v >> 16;
  b->data[off + 2] = v >> 8;
  b->data[off + 3] = v;
}

/* a box: size patched by box_end */
static guint
box (GByteArray * b, const gchar * type)
{
  guint off = b->len;

  put32 (b, 0);
  g_byte_array_append (b, (const guint8 *) type, 4);
  return off;
}

static guint
full_box (GByteArray * b, const gchar * type, guint version, guint flags)
{
  guint off = box (b, type);

  put32 (b, (version << 24) | (flags & 0xffffff));
  return off;
}

static void
box_end (GByteArray * b, guint off)
{
  set32 (b, off, b->len - off);
}

static void
put_matrix (GByteArray * b)
{
  guint i;

  for (i = 0; i < 9; i++)
    put32 (b, matrix[i]);
}

/* an MPEG-4 descriptor's tag and length (one length byte when it fits) */
static void
descriptor (GByteArray * b, guint tag, guint len)
{
  put8 (b, tag);
  if (len < 0x80) {
    put8 (b, len);
  } else {
    put8 (b, 0x80 | ((len >> 21) & 0x7f));
    put8 (b, 0x80 | ((len >> 14) & 0x7f));
    put8 (b, 0x80 | ((len >> 7) & 0x7f));
    put8 (b, len & 0x7f);
  }
}

static guint
descriptor_size (guint len)
{
  return (len < 0x80 ? 2 : 5) + len;
}

/* ---- tracks ---- */

static gboolean
is_video (const FluCmafTrack * t)
{
  return t->codec == FLU_CMAF_H264 || t->codec == FLU_CMAF_H265;
}

void
flu_cmaf_track_clear (FluCmafTrack * t)
{
  if (t->codec_data)
    g_bytes_unref (t->codec_data);
  memset (t, 0, sizeof (*t));
}

void
flu_cmaf_track_copy (FluCmafTrack * dst, const FluCmafTrack * src)
{
  *dst = *src;
  if (dst->codec_data)
    g_bytes_ref (dst->codec_data);
}

gboolean
flu_cmaf_track_equal (const FluCmafTrack * a, const FluCmafTrack * b)
{
  if ((a->codec_data == NULL) != (b->codec_data == NULL))
    return FALSE;
  if (a->codec_data && !g_bytes_equal (a->codec_data, b->codec_data))
    return FALSE;
  return a->track_id == b->track_id && a->codec == b->codec &&
      a->timescale == b->timescale && a->width == b->width &&
      a->height == b->height && a->in_band == b->in_band &&
      a->fps_n == b->fps_n && a->fps_d == b->fps_d &&
      a->channels == b->channels && a->rate == b->rate &&
      a->pre_skip == b->pre_skip && a->output_gain == b->output_gain &&
      a->mapping_family == b->mapping_family &&
      a->stream_count == b->stream_count &&
      a->coupled_count == b->coupled_count &&
      memcmp (a->mapping, b->mapping, sizeof (a->mapping)) == 0;
}

guint64
flu_cmaf_to_units (guint64 ns, guint32 timescale)
{
  return ns / NS_PER_S * timescale + ((ns % NS_PER_S) * timescale +
      NS_PER_S / 2) / NS_PER_S;
}

static void
put_visual_entry (GByteArray * b, const FluCmafTrack * t)
{
  const gchar *type, *config;
  guint off, c;

  if (t->codec == FLU_CMAF_H264) {
    type = "avc1";
    config = "avcC";
  } else {
    type = t->in_band ? "hev1" : "hvc1";
    config = "hvcC";
  }
  off = box (b, type);
  put_zeros (b, 6);
  put16 (b, 1);                 /* data_reference_index */
  put_zeros (b, 16);
  put16 (b, t->width);
  put16 (b, t->height);
  put32 (b, 0x00480000);        /* 72 dpi */
  put32 (b, 0x00480000);
  put32 (b, 0);
  put16 (b, 1);                 /* frame_count */
  put_zeros (b, 32);            /* compressorname */
  put16 (b, 0x0018);            /* depth */
  put16 (b, 0xffff);            /* pre_defined = -1 */
  c = box (b, config);
  g_byte_array_append (b, g_bytes_get_data (t->codec_data, NULL),
      g_bytes_get_size (t->codec_data));
  box_end (b, c);
  box_end (b, off);
}

static void
put_audio_entry_head (GByteArray * b, const FluCmafTrack * t)
{
  put_zeros (b, 6);
  put16 (b, 1);                 /* data_reference_index */
  put_zeros (b, 8);
  put16 (b, t->channels);
  put16 (b, 16);                /* samplesize */
  put32 (b, 0);
  put32 (b, t->rate <= 0xffff ? t->rate << 16 : 0);
}

static void
put_mp4a (GByteArray * b, const FluCmafTrack * t)
{
  guint asc = g_bytes_get_size (t->codec_data);
  guint dsi = descriptor_size (asc);
  guint dcd = descriptor_size (13 + dsi);
  guint slc = descriptor_size (1);
  guint off = box (b, "mp4a"), e;

  put_audio_entry_head (b, t);
  e = full_box (b, "esds", 0, 0);
  descriptor (b, 0x03, 3 + dcd + slc);  /* ES_Descriptor */
  put16 (b, t->track_id);       /* ES_ID */
  put8 (b, 0);                  /* no dependency, URL, OCR */
  descriptor (b, 0x04, 13 + dsi);       /* DecoderConfigDescriptor */
  put8 (b, 0x40);               /* Audio ISO/IEC 14496-3 */
  put8 (b, (0x05 << 2) | 1);    /* audio stream */
  put_zeros (b, 3 + 4 + 4);     /* bufferSizeDB, max/avg bitrate */
  descriptor (b, 0x05, asc);    /* DecoderSpecificInfo */
  g_byte_array_append (b, g_bytes_get_data (t->codec_data, NULL), asc);
  descriptor (b, 0x06, 1);      /* SLConfigDescriptor */
  put8 (b, 0x02);               /* predefined: MP4 */
  box_end (b, e);
  box_end (b, off);
}

static void
put_opus (GByteArray * b, const FluCmafTrack * t)
{
  guint off = box (b, "Opus"), d, i;
  FluCmafTrack t48 = *t;

  t48.rate = 48000;
  put_audio_entry_head (b, &t48);
  d = box (b, "dOps");
  put8 (b, 0);                  /* Version */
  put8 (b, t->channels);
  put16 (b, t->pre_skip);
  put32 (b, t->rate);           /* InputSampleRate */
  put16 (b, (guint16) (gint16) t->output_gain);
  put8 (b, t->mapping_family);
  if (t->mapping_family != 0) {
    put8 (b, t->stream_count);
    put8 (b, t->coupled_count);
    for (i = 0; i < t->channels && i < G_N_ELEMENTS (t->mapping); i++)
      put8 (b, t->mapping[i]);
  }
  box_end (b, d);
  box_end (b, off);
}

/* Opus: the encoder's priming samples (pre-skip) are cut by an edit
 * that starts the presentation at media time pre_skip (the Opus in ISO
 * BMFF encapsulation, "trimming of actual duration"); its duration is 0,
 * unknown, as the track is fragmented */
static void
put_edts (GByteArray * b, const FluCmafTrack * t)
{
  guint edts, o;

  if (t->codec != FLU_CMAF_OPUS || t->pre_skip == 0)
    return;
  edts = box (b, "edts");
  o = full_box (b, "elst", 0, 0);
  put32 (b, 1);                 /* entry_count */
  put32 (b, 0);                 /* segment_duration */
  put32 (b, t->pre_skip);       /* media_time, 48 kHz units */
  put16 (b, 1);                 /* media_rate 1.0 */
  put16 (b, 0);
  box_end (b, o);
  box_end (b, edts);
}

static void
put_trak (GByteArray * b, const FluCmafTrack * t)
{
  gboolean video = is_video (t);
  guint trak, o, mdia, minf, dinf, stbl;

  trak = box (b, "trak");
  o = full_box (b, "tkhd", 0, 3);       /* enabled, in movie */
  put32 (b, 0);
  put32 (b, 0);
  put32 (b, t->track_id);
  put32 (b, 0);
  put32 (b, 0);                 /* duration: fragmented */
  put_zeros (b, 8);
  put16 (b, 0);                 /* layer */
  put16 (b, 0);                 /* alternate_group */
  put16 (b, video ? 0 : 0x0100);        /* volume */
  put16 (b, 0);
  put_matrix (b);
  put32 (b, video ? t->width << 16 : 0);
  put32 (b, video ? t->height << 16 : 0);
  box_end (b, o);
  put_edts (b, t);

  mdia = box (b, "mdia");
  o = full_box (b, "mdhd", 0, 0);
  put32 (b, 0);
  put32 (b, 0);
  put32 (b, t->timescale);
  put32 (b, 0);
  put16 (b, 0x55c4);            /* 'und' */
  put16 (b, 0);
  box_end (b, o);
  o = full_box (b, "hdlr", 0, 0);
  put32 (b, 0);
  g_byte_array_append (b, (const guint8 *) (video ? "vide" : "soun"), 4);
  put_zeros (b, 12);
  g_byte_array_append (b, (const guint8 *) (video ? "VideoHandler" :
          "SoundHandler"), 13);
  box_end (b, o);

  minf = box (b, "minf");
  if (video) {
    o = full_box (b, "vmhd", 0, 1);
    put_zeros (b, 8);
  } else {
    o = full_box (b, "smhd", 0, 0);
    put_zeros (b, 4);
  }
  box_end (b, o);
  dinf = box (b, "dinf");
  o = full_box (b, "dref", 0, 0);
  put32 (b, 1);
  box_end (b, full_box (b, "url ", 0, 1));      /* self-contained */
  box_end (b, o);
  box_end (b, dinf);

  stbl = box (b, "stbl");
  o = full_box (b, "stsd", 0, 0);
  put32 (b, 1);
  if (video)
    put_visual_entry (b, t);
  else if (t->codec == FLU_CMAF_AAC)
    put_mp4a (b, t);
  else
    put_opus (b, t);
  box_end (b, o);
  o = full_box (b, "stts", 0, 0);
  put32 (b, 0);
  box_end (b, o);
  o = full_box (b, "stsc", 0, 0);
  put32 (b, 0);
  box_end (b, o);
  o = full_box (b, "stsz", 0, 0);
  put32 (b, 0);
  put32 (b, 0);
  box_end (b, o);
  o = full_box (b, "stco", 0, 0);
  put32 (b, 0);
  box_end (b, o);
  box_end (b, stbl);
  box_end (b, minf);
  box_end (b, mdia);
  box_end (b, trak);
}

GBytes *
flu_cmaf_init_segment (const FluCmafTrack * tracks, guint n)
{
  GByteArray *b;
  guint i, o, moov, mvex, next_id = 1;

  if (n == 0)
    return NULL;
  for (i = 0; i < n; i++) {
    if (tracks[i].codec != FLU_CMAF_OPUS && (tracks[i].codec_data == NULL ||
            g_bytes_get_size (tracks[i].codec_data) < 2))
      return NULL;
    if (tracks[i].timescale == 0 || tracks[i].track_id == 0)
      return NULL;
    next_id = MAX (next_id, tracks[i].track_id + 1);
  }
  b = g_byte_array_new ();
  o = box (b, "ftyp");
  g_byte_array_append (b, (const guint8 *) "iso6", 4);
  put32 (b, 0);
  g_byte_array_append (b, (const guint8 *) "iso6cmfcmp41", 12);
  box_end (b, o);

  moov = box (b, "moov");
  o = full_box (b, "mvhd", 0, 0);
  put32 (b, 0);
  put32 (b, 0);
  put32 (b, 1000);              /* timescale */
  put32 (b, 0);                 /* duration: fragmented */
  put32 (b, 0x00010000);        /* rate 1.0 */
  put16 (b, 0x0100);            /* volume 1.0 */
  put_zeros (b, 2 + 8);
  put_matrix (b);
  put_zeros (b, 24);
  put32 (b, next_id);
  box_end (b, o);
  for (i = 0; i < n; i++)
    put_trak (b, &tracks[i]);
  mvex = box (b, "mvex");
  for (i = 0; i < n; i++) {
    o = full_box (b, "trex", 0, 0);
    put32 (b, tracks[i].track_id);
    put32 (b, 1);               /* default_sample_description_index */
    put32 (b, 0);
    put32 (b, 0);
    put32 (b, 0);
    box_end (b, o);
  }
  box_end (b, mvex);
  box_end (b, moov);
  return g_byte_array_free_to_bytes (b);
}

GBytes *
flu_cmaf_fragment (guint32 sequence, gboolean segment_start,
    const FluCmafRun * runs, guint n_runs)
{
  GByteArray *b = g_byte_array_new ();
  guint *offsets = g_new0 (guint, n_runs);
  guint moof, o, traf, i, k, mdat;
  gsize data_pos;

  if (segment_start) {
    /* a media segment (ISO BMFF 'msdh'), of CMAF ('cmfs'); a part that
     * starts a segment has it too, as the segment is its parts */
    o = box (b, "styp");
    g_byte_array_append (b, (const guint8 *) "msdh", 4);
    put32 (b, 0);
    g_byte_array_append (b, (const guint8 *) "msdhcmfs", 8);
    box_end (b, o);
  }
  moof = box (b, "moof");
  o = full_box (b, "mfhd", 0, 0);
  put32 (b, sequence);
  box_end (b, o);
  for (i = 0; i < n_runs; i++) {
    const FluCmafRun *r = &runs[i];
    gboolean video_like = FALSE;

    if (r->n_samples == 0)
      continue;
    for (k = 0; k < r->n_samples; k++)
      if (r->samples[k].cts_offset != 0 || !r->samples[k].sync)
        video_like = TRUE;
    traf = box (b, "traf");
    o = full_box (b, "tfhd", 0, 0x020000);      /* default-base-is-moof */
    put32 (b, r->track_id);
    box_end (b, o);
    o = full_box (b, "tfdt", 1, 0);
    put64 (b, r->decode_time);
    box_end (b, o);
    /* data-offset, durations, sizes, flags, composition offsets (signed,
     * version 1) when any sample needs them */
    o = full_box (b, "trun", 1, 0x000001 | 0x000100 | 0x000200 | 0x000400 |
        (video_like ? 0x000800 : 0));
    put32 (b, r->n_samples);
    offsets[i] = b->len;
    put32 (b, 0);
    for (k = 0; k < r->n_samples; k++) {
      const FluCmafSample *s = &r->samples[k];

      put32 (b, s->duration);
      put32 (b, s->size);
      put32 (b, s->sync ? FLAGS_SYNC : FLAGS_NON_SYNC);
      if (video_like)
        put32 (b, (guint32) s->cts_offset);
    }
    box_end (b, o);
    box_end (b, traf);
  }
  box_end (b, moof);
  /* the data offsets count from the start of the moof */
  data_pos = b->len + 8;
  for (i = 0; i < n_runs; i++) {
    if (runs[i].n_samples == 0)
      continue;
    set32 (b, offsets[i], data_pos - moof);
    data_pos += runs[i].size;
  }
  mdat = box (b, "mdat");
  for (i = 0; i < n_runs; i++)
    if (runs[i].n_samples)
      g_byte_array_append (b, runs[i].data, runs[i].size);
  box_end (b, mdat);
  g_free (offsets);
  return g_byte_array_free_to_bytes (b);
}

/* ---- codecs strings ---- */

static gchar *
hevc_string (const FluCmafTrack * t, const guint8 * d, gsize n)
{
  GString *s;
  guint32 compat, rev = 0;
  guint i, last;

  if (n < 13)
    return NULL;
  s = g_string_new (t->in_band ? "hev1." : "hvc1.");
  if (d[1] >> 6)
    g_string_append_c (s, 'A' + (d[1] >> 6) - 1);
  g_string_append_printf (s, "%u.", d[1] & 0x1f);
  compat = ((guint32) d[2] << 24) | (d[3] << 16) | (d[4] << 8) | d[5];
  for (i = 0; i < 32; i++)
    if (compat & (1u << i))
      rev |= 1u << (31 - i);
  g_string_append_printf (s, "%X.%c%u", rev, (d[1] & 0x20) ? 'H' : 'L', d[12]);
  for (last = 6; last > 0 && d[6 + last - 1] == 0; last--);
  for (i = 0; i < last; i++)
    g_string_append_printf (s, ".%X", d[6 + i]);
  return g_string_free (s, FALSE);
}

gchar *
flu_cmaf_codec_string (const FluCmafTrack * t)
{
  const guint8 *d = NULL;
  gsize n = 0;
  guint aot;

  if (t->codec_data)
    d = g_bytes_get_data (t->codec_data, &n);
  switch (t->codec) {
    case FLU_CMAF_H264:
      if (n < 4)
        return NULL;
      return g_strdup_printf ("avc1.%02x%02x%02x", d[1], d[2], d[3]);
    case FLU_CMAF_H265:
      return hevc_string (t, d, n);
    case FLU_CMAF_AAC:
      if (n < 1)
        return NULL;
      aot = d[0] >> 3;
      if (aot == 31 && n >= 2)
        aot = 32 + (((d[0] & 7) << 3) | (d[1] >> 5));
      return g_strdup_printf ("mp4a.40.%u", aot);
    case FLU_CMAF_OPUS:
      return g_strdup ("Opus");
  }
  return NULL;
}
