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

/* See fluhlsvariant.h.  No locks. */

#include "fluhlsvariant.h"

#include <string.h>

/* ---- H.264 SPS (ITU-T H.264 7.3.2.1.1, E.1.1) ---- */

typedef struct
{
  const guint8 *d;
  gsize len, pos;               /* in bits */
  gboolean over;
} Bits;

static guint32
bits_u (Bits * b, guint n)
{
  guint32 v = 0;

  while (n--) {
    if (b->pos >= b->len) {
      b->over = TRUE;
      return 0;
    }
    v = (v << 1) | ((b->d[b->pos / 8] >> (7 - b->pos % 8)) & 1);
    b->pos++;
  }
  return v;
}

static guint32
bits_ue (Bits * b)
{
  guint zeros = 0;

  while (!b->over && bits_u (b, 1) == 0)
    if (++zeros > 31) {
      b->over = TRUE;
      return 0;
    }
  return ((1u << zeros) - 1) + bits_u (b, zeros);
}

static gint32
bits_se (Bits * b)
{
  guint32 k = bits_ue (b);

  return (k & 1) ? (gint32) ((k + 1) / 2) : -(gint32) (k / 2);
}

static void
skip_scaling_list (Bits * b, guint size)
{
  gint last = 8, next = 8;
  guint j;

  for (j = 0; j < size && !b->over; j++) {
    /* delta_scale is -128..127: a larger one (a broken stream) must not
     * overflow the sum */
    if (next != 0)
      next = (last + bits_se (b) % 256 + 256) % 256;
    last = next == 0 ? last : next;
  }
}

gboolean
flu_hls_h264_parse_sps (const guint8 * nal, gsize len, FluHlsH264Info * info)
{
  GByteArray *rbsp;
  Bits b;
  guint chroma = 1, i, poc_type, w_mbs, h_units, frame_mbs_only;
  guint crop_x = 0, crop_y = 0, l = 0, r = 0, t = 0, bo = 0;
  gsize k;
  gboolean ok;

  memset (info, 0, sizeof (*info));
  if (len < 4 || (nal[0] & 0x1f) != 7)
    return FALSE;
  /* drop the emulation prevention bytes (00 00 03) */
  rbsp = g_byte_array_sized_new (len);
  for (k = 1; k < len; k++) {
    if (k + 2 < len && nal[k] == 0 && nal[k + 1] == 0 && nal[k + 2] == 3) {
      g_byte_array_append (rbsp, nal + k, 2);
      k += 2;
      continue;
    }
    g_byte_array_append (rbsp, nal + k, 1);
  }
  b.d = rbsp->data;
  b.len = rbsp->len * 8;
  b.pos = 0;
  b.over = FALSE;
  info->profile = bits_u (&b, 8);
  info->constraints = bits_u (&b, 8);
  info->level = bits_u (&b, 8);
  bits_ue (&b);                 /* seq_parameter_set_id */
  switch (info->profile) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      chroma = bits_ue (&b);
      if (chroma == 3)
        bits_u (&b, 1);         /* separate_colour_plane_flag */
      bits_ue (&b);             /* bit depths */
      bits_ue (&b);
      bits_u (&b, 1);
      if (bits_u (&b, 1))       /* seq_scaling_matrix_present_flag */
        for (i = 0; i < (chroma != 3 ? 8u : 12u); i++)
          if (bits_u (&b, 1))
            skip_scaling_list (&b, i < 6 ? 16 : 64);
      break;
    default:
      break;
  }
  bits_ue (&b);                 /* log2_max_frame_num_minus4 */
  poc_type = bits_ue (&b);
  if (poc_type == 0) {
    bits_ue (&b);
  } else if (poc_type == 1) {
    guint n;

    bits_u (&b, 1);
    bits_se (&b);
    bits_se (&b);
    n = bits_ue (&b);
    for (i = 0; i < n && i < 256 && !b.over; i++)
      bits_se (&b);
  }
  bits_ue (&b);                 /* max_num_ref_frames */
  bits_u (&b, 1);
  w_mbs = bits_ue (&b) + 1;
  h_units = bits_ue (&b) + 1;
  frame_mbs_only = bits_u (&b, 1);
  if (!frame_mbs_only)
    bits_u (&b, 1);
  bits_u (&b, 1);               /* direct_8x8_inference_flag */
  if (bits_u (&b, 1)) {
    l = bits_ue (&b);
    r = bits_ue (&b);
    t = bits_ue (&b);
    bo = bits_ue (&b);
  }
  /* crop units (Table 6-1): 4:2:0 2x2, 4:2:2 2x1, else 1x1 */
  crop_x = chroma == 1 || chroma == 2 ? 2 : 1;
  crop_y = (chroma == 1 ? 2 : 1) * (2 - frame_mbs_only);
  if (!b.over && w_mbs * 16 > crop_x * (l + r) &&
      (2 - frame_mbs_only) * h_units * 16 > crop_y * (t + bo)) {
    info->width = w_mbs * 16 - crop_x * (l + r);
    info->height = (2 - frame_mbs_only) * h_units * 16 - crop_y * (t + bo);
  }
  if (bits_u (&b, 1)) {         /* vui_parameters_present_flag */
    if (bits_u (&b, 1) && bits_u (&b, 8) == 255)        /* aspect ratio */
      bits_u (&b, 32);
    if (bits_u (&b, 1))         /* overscan */
      bits_u (&b, 1);
    if (bits_u (&b, 1)) {       /* video signal type */
      bits_u (&b, 4);
      if (bits_u (&b, 1))
        bits_u (&b, 24);
    }
    if (bits_u (&b, 1)) {       /* chroma location */
      bits_ue (&b);
      bits_ue (&b);
    }
    if (bits_u (&b, 1)) {       /* timing info */
      guint32 units = bits_u (&b, 32), scale = bits_u (&b, 32);

      if (!b.over && units)
        info->fps = scale / (2.0 * units);
    }
  }
  ok = info->width > 0;
  g_byte_array_unref (rbsp);
  return ok;
}

/* ---- MPEG-TS probe ---- */

#define TS_H264 0x1b
#define TS_H265 0x24
#define TS_AAC 0x0f
/* the first video PES is searched this far for an SPS */
#define PES_PROBE_MAX 65536

void
flu_hls_probe_init (FluHlsProbe * p)
{
  memset (p, 0, sizeof (*p));
  p->pmt_pid = p->video_pid = p->audio_pid = 0xffff;
}

void
flu_hls_probe_clear (FluHlsProbe * p)
{
  if (p->pes)
    g_byte_array_unref (p->pes);
  flu_hls_probe_init (p);
}

static gboolean
probe_done (FluHlsProbe * p)
{
  return p->have_pmt && (p->video_pid == 0xffff || p->have_video) &&
      (p->audio_pid == 0xffff || p->have_audio);
}

/* a PSI section in @payload (pointer field first); NULL if cut */
static const guint8 *
psi_section (const guint8 * payload, gsize len, guint * slen)
{
  guint ptr;

  if (len < 1)
    return NULL;
  ptr = payload[0];
  if (1 + ptr + 3 > len)
    return NULL;
  payload += 1 + ptr;
  len -= 1 + ptr;
  *slen = 3 + (((payload[1] & 0x0f) << 8) | payload[2]);
  return *slen <= len && *slen >= 12 ? payload : NULL;
}

static void
probe_pmt (FluHlsProbe * p, const guint8 * sec, guint slen)
{
  guint i = 12 + (((sec[10] & 0x0f) << 8) | sec[11]), end = slen - 4;

  while (i + 5 <= end) {
    guint8 type = sec[i];
    guint16 pid = ((sec[i + 1] & 0x1f) << 8) | sec[i + 2];

    if ((type == TS_H264 || type == TS_H265) && p->video_pid == 0xffff) {
      p->video_pid = pid;
      p->video_type = type;
      /* H.265 is not probed: the codecs property names it */
      p->have_video = type != TS_H264;
    } else if (type == TS_AAC && p->audio_pid == 0xffff) {
      p->audio_pid = pid;
      p->audio_type = type;
    }
    i += 5 + (((sec[i + 3] & 0x0f) << 8) | sec[i + 4]);
  }
  p->have_pmt = TRUE;
}

static void
probe_sps (FluHlsProbe * p)
{
  const guint8 *d = p->pes->data;
  gsize n = p->pes->len, i, j;

  for (i = 0; i + 3 < n; i++) {
    if (d[i] != 0 || d[i + 1] != 0 || d[i + 2] != 1)
      continue;
    if ((d[i + 3] & 0x1f) != 7)
      continue;
    /* the SPS ends at the next start code */
    for (j = i + 3; j + 2 < n; j++)
      if (d[j] == 0 && d[j + 1] == 0 && (d[j + 2] == 1 || d[j + 2] == 0))
        break;
    if (j + 2 >= n)
      return;                   /* not all here yet */
    if (flu_hls_h264_parse_sps (d + i + 3, j - i - 3, &p->video))
      p->have_video = TRUE;
    return;
  }
}

static void
probe_video (FluHlsProbe * p, const guint8 * payload, gsize len, gboolean pusi)
{
  if (pusi) {
    guint hdr;

    if (len < 9 || payload[0] || payload[1] || payload[2] != 1)
      return;
    hdr = 9 + payload[8];
    if (hdr > len)
      return;
    if (p->pes == NULL)
      p->pes = g_byte_array_new ();
    g_byte_array_set_size (p->pes, 0);
    payload += hdr;
    len -= hdr;
  } else if (p->pes == NULL) {
    return;
  }
  g_byte_array_append (p->pes, payload, len);
  probe_sps (p);
  if (!p->have_video && p->pes->len > PES_PROBE_MAX)
    g_byte_array_set_size (p->pes, 0);
}

static void
probe_audio (FluHlsProbe * p, const guint8 * payload, gsize len, gboolean pusi)
{
  guint hdr;

  if (!pusi || len < 9 || payload[0] || payload[1] || payload[2] != 1)
    return;
  hdr = 9 + payload[8];
  /* ADTS: syncword 0xfff, then the profile (object type - 1) */
  if (hdr + 3 <= len && payload[hdr] == 0xff &&
      (payload[hdr + 1] & 0xf0) == 0xf0) {
    p->aac_object = (payload[hdr + 2] >> 6) + 1;
    p->have_audio = TRUE;
  }
}

gboolean
flu_hls_probe_feed (FluHlsProbe * p, const guint8 * data, gsize len)
{
  gsize off;

  for (off = 0; off + 188 <= len && !probe_done (p); off += 188) {
    const guint8 *pkt = data + off;
    gboolean pusi = (pkt[1] & 0x40) != 0;
    guint16 pid = ((pkt[1] & 0x1f) << 8) | pkt[2];
    guint afc = (pkt[3] >> 4) & 3, pos = 4, slen;
    const guint8 *sec;

    if (pkt[0] != 0x47)
      continue;
    if (afc & 2)
      pos += 1 + pkt[4];
    if (!(afc & 1) || pos >= 188)
      continue;
    if (pid == 0 && pusi && p->pmt_pid == 0xffff) {
      sec = psi_section (pkt + pos, 188 - pos, &slen);
      /* the first program */
      if (sec && sec[0] == 0 && slen >= 16) {
        guint i;

        for (i = 8; i + 4 <= slen - 4; i += 4)
          if (((sec[i] << 8) | sec[i + 1]) != 0) {
            p->pmt_pid = ((sec[i + 2] & 0x1f) << 8) | sec[i + 3];
            break;
          }
      }
    } else if (pid == p->pmt_pid && pusi && !p->have_pmt) {
      sec = psi_section (pkt + pos, 188 - pos, &slen);
      if (sec && sec[0] == 2)
        probe_pmt (p, sec, slen);
    } else if (pid == p->video_pid && !p->have_video) {
      probe_video (p, pkt + pos, 188 - pos, pusi);
    } else if (pid == p->audio_pid && !p->have_audio) {
      probe_audio (p, pkt + pos, 188 - pos, pusi);
    }
  }
  if (probe_done (p) && p->pes)
    g_clear_pointer (&p->pes, g_byte_array_unref);
  return probe_done (p);
}

gchar *
flu_hls_probe_codecs (FluHlsProbe * p)
{
  GString *s = g_string_new (NULL);

  if (p->video_type == TS_H264 && p->have_video && p->video.profile)
    g_string_append_printf (s, "avc1.%02x%02x%02x", p->video.profile,
        p->video.constraints, p->video.level);
  if (p->have_audio && p->aac_object)
    g_string_append_printf (s, "%smp4a.40.%u", s->len ? "," : "",
        p->aac_object);
  if (s->len == 0) {
    g_string_free (s, TRUE);
    return NULL;
  }
  return g_string_free (s, FALSE);
}

/* ---- rendering ---- */

gchar *
flu_hls_relative_playlist (const gchar * from, const gchar * to)
{
  GString *s = g_string_new (NULL);
  gsize common = 0, i;

  /* the longest common directory prefix */
  for (i = 0; from[i] && from[i] == to[i]; i++)
    if (from[i] == '/')
      common = i + 1;
  for (i = common; from[i]; i++)
    if (from[i] == '/')
      g_string_append (s, "../");
  g_string_append (s, to + common);
  g_string_append (s, "index.m3u8");
  return g_string_free (s, FALSE);
}

static gint
by_bandwidth (gconstpointer a, gconstpointer b)
{
  const FluHlsRendition *x = *(FluHlsRendition **) a;
  const FluHlsRendition *y = *(FluHlsRendition **) b;

  if (x->peak_bps != y->peak_bps)
    return x->peak_bps < y->peak_bps ? -1 : 1;
  return strcmp (x->mount_point, y->mount_point);
}

gchar *
flu_hls_multivariant_render (const gchar * dir, FluHlsRendition ** r, guint n)
{
  GPtrArray *ready = g_ptr_array_new ();
  GString *out;
  guint i;

  for (i = 0; i < n; i++)
    if (r[i]->ready && r[i]->peak_bps)
      g_ptr_array_add (ready, r[i]);
  if (ready->len == 0) {
    g_ptr_array_unref (ready);
    return NULL;
  }
  g_ptr_array_sort (ready, by_bandwidth);
  /* nothing here needs more than version 1; every media playlist of
   * the group is a live one with the same EXT-X-SERVER-CONTROL */
  out = g_string_new ("#EXTM3U\n");
  for (i = 0; i < ready->len; i++) {
    FluHlsRendition *x = ready->pdata[i];
    gchar *uri = flu_hls_relative_playlist (dir, x->mount_point);

    g_string_append_printf (out, "#EXT-X-STREAM-INF:BANDWIDTH=%"
        G_GUINT64_FORMAT ",AVERAGE-BANDWIDTH=%" G_GUINT64_FORMAT,
        x->peak_bps, MIN (x->avg_bps, x->peak_bps));
    if (x->codecs && *x->codecs)
      g_string_append_printf (out, ",CODECS=\"%s\"", x->codecs);
    if (x->width && x->height)
      g_string_append_printf (out, ",RESOLUTION=%ux%u", x->width, x->height);
    if (x->fps > 0)
      g_string_append_printf (out, ",FRAME-RATE=%.3f", x->fps);
    g_string_append_printf (out, "\n%s\n", uri);
    g_free (uri);
  }
  g_ptr_array_unref (ready);
  return g_string_free (out, FALSE);
}

gchar *
flu_hls_reports_render (const FluHlsRendition * self, FluHlsRendition ** r,
    guint n)
{
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++) {
    gchar *uri;

    if (r[i] == self || !r[i]->ready || r[i]->last_msn == G_MAXUINT64)
      continue;
    uri = flu_hls_relative_playlist (self->mount_point, r[i]->mount_point);
    g_string_append_printf (out, "#EXT-X-RENDITION-REPORT:URI=\"%s\","
        "LAST-MSN=%" G_GUINT64_FORMAT, uri, r[i]->last_msn);
    if (r[i]->last_part >= 0)
      g_string_append_printf (out, ",LAST-PART=%" G_GINT64_FORMAT,
          r[i]->last_part);
    g_string_append_c (out, '\n');
    g_free (uri);
  }
  return g_string_free (out, FALSE);
}
