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

/* The blender of fluoverlay for formats whose samples are whole bytes or
 * 16-bit words (FLU_OVERLAY_FAST_FORMATS): a rectangle of premultiplied
 * ARGB32 pixels is converted once, per change, into premultiplied values
 * and coverage per component of the frame's format; each frame then costs
 * a copy per opaque run and one multiply-add per translucent sample.
 * Plain functions on plain data: no GObject, no lock. */

#ifndef __FLU_BLEND_H__
#define __FLU_BLEND_H__

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS typedef struct
{
  gint row, start, len;
  gboolean opaque;
} FluBlendRun;

/* One component (Y, U, V, R, G, B or A) of one rectangle, converted for the
 * negotiated format: premultiplied values and coverage on the component's
 * own (subsampled) sample grid. */
typedef struct
{
  gint comp;
  gint x, y, w, h;              /* in samples of this component */
  guint word;                   /* 1: a byte per sample, 2: a 16-bit word */
  gboolean le;                  /* 16-bit words are little endian */
  guint shift, maxv;            /* where the value sits in its byte/word */
  guint16 *val;                 /* premultiplied value, 0..maxv */
  guint8 *alpha;                /* coverage, 0..255 */
  /* byte formats: the same as runs of samples to copy (opaque) or to blend
   * in each row; transparent samples are in no run */
  guint8 *val8;
  FluBlendRun *runs;
  guint n_runs;
} FluBlendComp;

typedef struct
{
  guint n_comps;
  FluBlendComp comps[GST_VIDEO_MAX_COMPONENTS];
} FluBlendRect;

/* What a rectangle is built from: premultiplied ARGB32 pixels (native
 * endian, stride w * 4) placed at (x, y) in the frame, entirely inside it. */
typedef struct
{
  GstBuffer *pixels;
  gint x, y;
  guint w, h;
} FluBlendSource;

guint flu_blend_format_word (const GstVideoFormatInfo * finfo);
gboolean flu_blend_format_is_fast (const GstVideoFormatInfo * finfo);
void flu_blend_rect_build (FluBlendRect * br, const GstVideoInfo * info,
    const FluBlendSource * layer, gdouble global_alpha);
void flu_blend_rect_apply (const FluBlendRect * br, GstVideoFrame * frame);
void flu_blend_rect_clear (FluBlendRect * br);

G_END_DECLS
#endif /* __FLU_BLEND_H__ */
