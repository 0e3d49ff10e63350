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

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <math.h>

#include "flublend.h"
#include "fluoverlayformats.h"

static const GstVideoFormat fast_formats[] = { FLU_OVERLAY_FAST_FORMATS };

/* Size of the unit each sample of @finfo lives in: 1 (bytes: I420, NV12,
 * YUY2, RGBx, ...) or 2 (16-bit words: I420_10LE, GRAY16, RGB16, AYUV64,
 * ...), or 0 when it is not one of fast_formats: those go to the stock
 * blender. */
guint
flu_blend_format_word (const GstVideoFormatInfo * finfo)
{
  guint c, word = 1;
  gboolean known = FALSE;

  for (c = 0; c < G_N_ELEMENTS (fast_formats); c++)
    if (fast_formats[c] == GST_VIDEO_FORMAT_INFO_FORMAT (finfo))
      known = TRUE;
  if (!known)
    return 0;

  if (GST_VIDEO_FORMAT_INFO_FLAGS (finfo) & (GST_VIDEO_FORMAT_FLAG_PALETTE |
          GST_VIDEO_FORMAT_FLAG_COMPLEX | GST_VIDEO_FORMAT_FLAG_TILED))
    return 0;
  if (GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo) == 0)
    return 0;
  for (c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++) {
    guint depth = GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c);
    guint shift = GST_VIDEO_FORMAT_INFO_SHIFT (finfo, c);

    if (depth == 0 || depth + shift > 16 ||
        GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, c) <= 0)
      return 0;
    if (depth + shift > 8)
      word = 2;
  }
  if (word == 2) {
    for (c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++)
      if (GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, c) % 2 != 0 ||
          GST_VIDEO_FORMAT_INFO_POFFSET (finfo, c) % 2 != 0)
        return 0;
  }
  return word;
}

gboolean
flu_blend_format_is_fast (const GstVideoFormatInfo * finfo)
{
  return flu_blend_format_word (finfo) != 0;
}

static inline guint
div255 (guint v)
{
  v += 128;
  return (v + (v >> 8)) >> 8;
}

static void
flu_blend_comp_make_runs (FluBlendComp * bc)
{
  gsize i, n = (gsize) bc->w * bc->h;
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (FluBlendRun));
  gint x, y;

  bc->val8 = g_malloc (n);
  for (i = 0; i < n; i++)
    bc->val8[i] = (guint8) bc->val[i];

  for (y = 0; y < bc->h; y++) {
    const guint8 *a = bc->alpha + (gsize) y * bc->w;

    x = 0;
    while (x < bc->w) {
      FluBlendRun run;

      if (a[x] == 0) {
        x++;
        continue;
      }
      run.row = y;
      run.start = x;
      run.opaque = a[x] == 255;
      while (x < bc->w && a[x] != 0 && (a[x] == 255) == run.opaque)
        x++;
      run.len = x - run.start;
      g_array_append_val (runs, run);
    }
  }
  bc->n_runs = runs->len;
  bc->runs = (FluBlendRun *) g_array_free (runs, FALSE);
}

/* RGB -> component conversion for one frame format */
typedef struct
{
  gboolean is_rgb;
  gdouble kr, kg, kb;
  gdouble offset[4], scale[4];
  gdouble global_alpha;
} FluConv;

static void
flu_conv_init (FluConv * conv, const GstVideoInfo * info, gdouble ga)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  guint c, n = GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo);
  gint offset[4], scale[4];

  conv->is_rgb = GST_VIDEO_FORMAT_INFO_IS_RGB (finfo);
  conv->kr = 0.299;
  conv->kb = 0.114;
  if (!conv->is_rgb)
    gst_video_color_matrix_get_Kr_Kb (info->colorimetry.matrix, &conv->kr,
        &conv->kb);
  conv->kg = 1.0 - conv->kr - conv->kb;
  gst_video_color_range_offsets (conv->is_rgb ? GST_VIDEO_COLOR_RANGE_0_255 :
      info->colorimetry.range, finfo, offset, scale);
  /* as fractions of each component's full scale */
  for (c = 0; c < 4; c++) {
    gdouble full = c < n ?
        (1u << GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c)) - 1 : 1;

    conv->offset[c] = offset[c] / full;
    conv->scale[c] = scale[c] / full;
  }
  conv->global_alpha = ga;
}

/* Premultiplied value of component @c (0-2: R G B or Y U V, 3: alpha) of
 * the premultiplied ARGB32 pixel @p, as a fraction of the full scale. */
static gdouble
flu_conv_comp (const FluConv * conv, guint32 p, gint c)
{
  gdouble m = conv->global_alpha / 255.0;
  gdouble a = ((p >> 24) & 0xff) * m;
  gdouble r = ((p >> 16) & 0xff) * m;
  gdouble g = ((p >> 8) & 0xff) * m;
  gdouble b = (p & 0xff) * m;
  gdouble y;

  if (c == 3)
    return a;
  if (conv->is_rgb)
    return c == 0 ? r : c == 1 ? g : b;
  y = conv->kr * r + conv->kg * g + conv->kb * b;
  if (c == 0)
    return conv->offset[0] * a + conv->scale[0] * y;
  if (c == 1)
    return conv->offset[1] * a +
        conv->scale[1] * (b - y) / (2.0 * (1.0 - conv->kb));
  return conv->offset[2] * a +
      conv->scale[2] * (r - y) / (2.0 * (1.0 - conv->kr));
}

/* Converts the premultiplied ARGB32 pixels of @layer into per-component
 * premultiplied values and coverage for the frame described by @info. */
void
flu_blend_rect_build (FluBlendRect * br, const GstVideoInfo * info,
    const FluBlendSource * layer, gdouble global_alpha)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  GstMapInfo map;
  FluConv conv;
  guint c, n = GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo);
  gint fw = GST_VIDEO_INFO_WIDTH (info), fh = GST_VIDEO_INFO_HEIGHT (info);
  guint word = flu_blend_format_word (finfo);
  const guint32 *pixels;

  br->n_comps = 0;
  if (!gst_buffer_map (layer->pixels, &map, GST_MAP_READ))
    return;
  pixels = (const guint32 *) map.data;
  flu_conv_init (&conv, info, global_alpha);

  for (c = 0; c < n; c++) {
    FluBlendComp *bc = &br->comps[br->n_comps];
    gint ws = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
    gint hs = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
    gint src = (c == GST_VIDEO_COMP_A) ? 3 : (gint) c;
    gint sx0 = layer->x >> ws, sy0 = layer->y >> hs;
    gint sx1 = (layer->x + (gint) layer->w - 1) >> ws;
    gint sy1 = (layer->y + (gint) layer->h - 1) >> hs;
    gint i, j;

    /* GRAY: one component, the luma */
    bc->comp = c;
    bc->word = word;
    bc->le = GST_VIDEO_FORMAT_INFO_IS_LE (finfo);
    bc->shift = GST_VIDEO_FORMAT_INFO_SHIFT (finfo, c);
    bc->maxv = (1u << GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c)) - 1;
    bc->x = sx0;
    bc->y = sy0;
    bc->w = sx1 - sx0 + 1;
    bc->h = sy1 - sy0 + 1;
    bc->val = g_new (guint16, (gsize) bc->w * bc->h);
    bc->alpha = g_malloc ((gsize) bc->w * bc->h);

    for (j = 0; j < bc->h; j++) {
      for (i = 0; i < bc->w; i++) {
        gint px0 = (sx0 + i) << ws, py0 = (sy0 + j) << hs;
        gint px1 = MIN (px0 + (1 << ws), fw), py1 = MIN (py0 + (1 << hs), fh);
        gdouble sv = 0, sa = 0;
        gint count = 0, px, py;

        for (py = py0; py < py1; py++) {
          for (px = px0; px < px1; px++) {
            count++;
            if (px >= layer->x && px < layer->x + (gint) layer->w &&
                py >= layer->y && py < layer->y + (gint) layer->h) {
              guint32 p = pixels[(py - layer->y) * layer->w + (px - layer->x)];

              sv += flu_conv_comp (&conv, p, src);
              sa += flu_conv_comp (&conv, p, 3);
            }
          }
        }
        if (count == 0)
          count = 1;
        bc->val[j * bc->w + i] = (guint16) CLAMP (lround (sv / count *
                bc->maxv), 0, (glong) bc->maxv);
        bc->alpha[j * bc->w + i] =
            (guint8) CLAMP (lround (sa / count * 255.0), 0, 255);
      }
    }
    if (bc->word == 1 && bc->shift == 0 && bc->maxv == 255)
      flu_blend_comp_make_runs (bc);
    br->n_comps++;
  }

  gst_buffer_unmap (layer->pixels, &map);
}

static inline guint
blend_one (guint d, guint v, guint a, guint maxv)
{
  return MIN (maxv, v + div255 (d * (255u - a)));
}

void
flu_blend_rect_apply (const FluBlendRect * br, GstVideoFrame * frame)
{
  guint k;

  for (k = 0; k < br->n_comps; k++) {
    const FluBlendComp *bc = &br->comps[k];
    guint8 *base = GST_VIDEO_FRAME_COMP_DATA (frame, bc->comp);
    gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, bc->comp);
    gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, bc->comp);
    guint mask = bc->maxv << bc->shift;
    gint i, j;

    if (bc->runs) {
      /* the common case, one byte per sample: copy the opaque runs, blend
       * the translucent ones, skip the rest */
      guint r;

      for (r = 0; r < bc->n_runs; r++) {
        const FluBlendRun *run = &bc->runs[r];
        guint8 *d = base + (gsize) (bc->y + run->row) * stride +
            (gsize) (bc->x + run->start) * ps;
        gsize off = (gsize) run->row * bc->w + run->start;
        const guint8 *v = bc->val8 + off;
        const guint8 *a = bc->alpha + off;

        if (run->opaque && ps == 1) {
          memcpy (d, v, run->len);
        } else if (run->opaque) {
          for (i = 0; i < run->len; i++, d += ps)
            *d = v[i];
        } else {
          for (i = 0; i < run->len; i++, d += ps)
            *d = (guint8) (v[i] + div255 (*d * (255u - a[i])));
        }
      }
      continue;
    }

    for (j = 0; j < bc->h; j++) {
      guint8 *d = base + (gsize) (bc->y + j) * stride + (gsize) bc->x * ps;
      const guint16 *v = bc->val + (gsize) j * bc->w;
      const guint8 *a = bc->alpha + (gsize) j * bc->w;

      if (bc->word == 1) {
        for (i = 0; i < bc->w; i++, d += ps) {
          guint av = a[i], old;

          if (av == 0)
            continue;
          old = (*d & mask) >> bc->shift;
          *d = (guint8) ((*d & ~mask) |
              (blend_one (old, v[i], av, bc->maxv) << bc->shift));
        }
      } else {
        for (i = 0; i < bc->w; i++, d += ps) {
          guint av = a[i], w, old;

          if (av == 0)
            continue;
          w = bc->le ? GST_READ_UINT16_LE (d) : GST_READ_UINT16_BE (d);
          old = (w & mask) >> bc->shift;
          w = (w & ~mask) | (blend_one (old, v[i], av, bc->maxv) << bc->shift);
          if (bc->le)
            GST_WRITE_UINT16_LE (d, w);
          else
            GST_WRITE_UINT16_BE (d, w);
        }
      }
    }
  }
}

void
flu_blend_rect_clear (FluBlendRect * br)
{
  guint i;

  for (i = 0; i < br->n_comps; i++) {
    g_free (br->comps[i].val);
    g_free (br->comps[i].alpha);
    g_free (br->comps[i].val8);
    g_free (br->comps[i].runs);
  }
  br->n_comps = 0;
}
