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

/* fluoverlay unit tests: pixel-exact checks on known input.
 *
 * Frames are built and read back through GstVideoConverter (RGBA <-> the
 * format under test), so the expected colour of an overlay pixel is "the
 * overlay colour after one round trip through the format", computed the
 * same way.  Tolerances, per channel after converting back to RGBA:
 *   - 8-bit RGB formats: 0 (our blender writes the logo's bytes);
 *   - 8-bit YUV and GRAY formats: TOL_YUV (our RGB->YUV conversion and
 *     videoconvert's fixed-point one round differently);
 *   - 16-bit word formats (I420_10LE, GRAY16_BE, RGB16: our blender too):
 *     TOL_WORD (RGB16 keeps 5 or 6 bits per channel);
 *   - packed formats blended by gst_video_overlay_composition_blend (v210
 *     here): TOL_FALLBACK.  GStreamer 1.22's blender is off by about 10%
 *     on high bit depth formats (opaque red comes back as 230,0,1), which
 *     is what this tolerance absorbs; it is not ours to fix here.
 * Outside what is drawn, every sample of an 8-bit format must be equal to
 * the input byte for byte; for the other formats the RGBA read-back must
 * be equal away from a margin of CHROMA_MARGIN pixels (chroma
 * interpolation of the read-back). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <pango/pangocairo.h>
#include <cairo.h>

#include "fluoverlayformats.h"

#define TOL_YUV 4
#define TOL_WORD 8
#define TOL_FALLBACK 32
#define CHROMA_MARGIN 3

static gchar *tmpdir;
static gchar *logo_path;        /* 16x16: left half red, right half green */
static gchar *broken_path;      /* not a PNG */

static const guint8 BLUE[4] = { 0, 0, 255, 255 };
static const guint8 RED[4] = { 255, 0, 0, 255 };
static const guint8 GREEN[4] = { 0, 255, 0, 255 };

#define LOGO_SIZE 16

static void
setup_files (void)
{
  cairo_surface_t *s;
  cairo_t *cr;

  tmpdir = g_dir_make_tmp ("fluoverlay-XXXXXX", NULL);
  fail_unless (tmpdir != NULL);
  logo_path = g_build_filename (tmpdir, "logo.png", NULL);
  broken_path = g_build_filename (tmpdir, "broken.png", NULL);

  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, LOGO_SIZE, LOGO_SIZE);
  cr = cairo_create (s);
  cairo_set_source_rgba (cr, 1, 0, 0, 1);
  cairo_rectangle (cr, 0, 0, LOGO_SIZE / 2, LOGO_SIZE);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, 0, 1, 0, 1);
  cairo_rectangle (cr, LOGO_SIZE / 2, 0, LOGO_SIZE / 2, LOGO_SIZE);
  cairo_fill (cr);
  cairo_destroy (cr);
  fail_unless_equals_int (cairo_surface_write_to_png (s, logo_path),
      CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (s);

  fail_unless (g_file_set_contents (broken_path, "\x89PNG\r\nnot really", -1,
          NULL));
}

static void
teardown_files (void)
{
  g_unlink (logo_path);
  g_unlink (broken_path);
  g_rmdir (tmpdir);
  g_free (logo_path);
  g_free (broken_path);
  g_free (tmpdir);
}

/* ------------------------------------------------------------------------
 * Frame helpers
 * ------------------------------------------------------------------------ */

static void
make_info (GstVideoInfo * info, GstVideoFormat fmt, gint w, gint h)
{
  gst_video_info_set_format (info, fmt, w, h);
  GST_VIDEO_INFO_FPS_N (info) = 30;
  GST_VIDEO_INFO_FPS_D (info) = 1;
}

static void
convert (const GstVideoInfo * in_info, GstBuffer * in,
    const GstVideoInfo * out_info, GstBuffer * out)
{
  GstVideoConverter *conv;
  GstVideoFrame fin, fout;

  conv = gst_video_converter_new ((GstVideoInfo *) in_info,
      (GstVideoInfo *) out_info,
      gst_structure_new ("config", GST_VIDEO_CONVERTER_OPT_DITHER_METHOD,
          GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE,
          GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 1, NULL));
  fail_unless (gst_video_frame_map (&fin, (GstVideoInfo *) in_info, in,
          GST_MAP_READ));
  fail_unless (gst_video_frame_map (&fout, (GstVideoInfo *) out_info, out,
          GST_MAP_WRITE));
  gst_video_converter_frame (conv, &fin, &fout);
  gst_video_frame_unmap (&fin);
  gst_video_frame_unmap (&fout);
  gst_video_converter_free (conv);
}

/* A frame of @info filled with one RGBA colour. */
static GstBuffer *
make_frame (const GstVideoInfo * info, const guint8 rgba[4])
{
  GstVideoInfo rinfo;
  GstBuffer *rgb, *out;
  GstMapInfo map;
  gsize i;

  make_info (&rinfo, GST_VIDEO_FORMAT_RGBA, GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info));
  rgb = gst_buffer_new_and_alloc (GST_VIDEO_INFO_SIZE (&rinfo));
  gst_buffer_map (rgb, &map, GST_MAP_WRITE);
  for (i = 0; i + 3 < map.size; i += 4)
    memcpy (map.data + i, rgba, 4);
  gst_buffer_unmap (rgb, &map);

  out = gst_buffer_new_and_alloc (GST_VIDEO_INFO_SIZE (info));
  convert (&rinfo, rgb, info, out);
  gst_buffer_unref (rgb);
  return out;
}

/* RGBA read-back of a frame; free with g_free. */
static guint8 *
to_rgba (const GstVideoInfo * info, GstBuffer * buf)
{
  GstVideoInfo rinfo;
  GstBuffer *rgb;
  guint8 *data;
  gsize size;

  make_info (&rinfo, GST_VIDEO_FORMAT_RGBA, GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info));
  rgb = gst_buffer_new_and_alloc (GST_VIDEO_INFO_SIZE (&rinfo));
  convert (info, buf, &rinfo, rgb);
  gst_buffer_extract_dup (rgb, 0, GST_VIDEO_INFO_SIZE (&rinfo),
      (gpointer *) & data, &size);
  gst_buffer_unref (rgb);
  return data;
}

/* What @rgba looks like after one trip through @info's format. */
static void
expected_colour (const GstVideoInfo * info, const guint8 rgba[4], guint8 out[4])
{
  GstVideoInfo small;
  GstBuffer *b;
  guint8 *px;

  make_info (&small, GST_VIDEO_INFO_FORMAT (info), 16, 16);
  small.colorimetry = info->colorimetry;
  b = make_frame (&small, rgba);
  px = to_rgba (&small, b);
  memcpy (out, px + (8 * 16 + 8) * 4, 4);
  g_free (px);
  gst_buffer_unref (b);
}

static gboolean
format_is_bytes (const GstVideoFormatInfo * finfo)
{
  guint c;

  if (GST_VIDEO_FORMAT_INFO_FLAGS (finfo) & (GST_VIDEO_FORMAT_FLAG_PALETTE |
          GST_VIDEO_FORMAT_FLAG_COMPLEX | GST_VIDEO_FORMAT_FLAG_TILED))
    return FALSE;
  for (c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++)
    if (GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c) != 8 ||
        GST_VIDEO_FORMAT_INFO_SHIFT (finfo, c) != 0 ||
        GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, c) <= 0)
      return FALSE;
  return GST_VIDEO_FORMAT_INFO_BITS (finfo) == 8;
}

typedef struct
{
  gint x, y, w, h;
} Box;

static gboolean
box_hits (const Box * b, gint x0, gint y0, gint x1, gint y1)
{
  return x0 < b->x + b->w && x1 > b->x && y0 < b->y + b->h && y1 > b->y;
}

/* Number of samples (8-bit formats: native samples; others: RGBA pixels
 * away from the margin) that differ between @a and @b outside @box. */
static guint
count_changed_outside (const GstVideoInfo * info, GstBuffer * a,
    GstBuffer * b, const Box * box)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  guint changed = 0;

  if (format_is_bytes (finfo)) {
    GstVideoFrame fa, fb;
    guint c;

    fail_unless (gst_video_frame_map (&fa, (GstVideoInfo *) info, a,
            GST_MAP_READ));
    fail_unless (gst_video_frame_map (&fb, (GstVideoInfo *) info, b,
            GST_MAP_READ));
    for (c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++) {
      gint ws = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
      gint hs = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
      gint cw = GST_VIDEO_FRAME_COMP_WIDTH (&fa, c);
      gint ch = GST_VIDEO_FRAME_COMP_HEIGHT (&fa, c);
      gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&fa, c);
      gint x, y;

      for (y = 0; y < ch; y++) {
        const guint8 *ra = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (&fa, c) +
            y * GST_VIDEO_FRAME_COMP_STRIDE (&fa, c);
        const guint8 *rb = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (&fb, c) +
            y * GST_VIDEO_FRAME_COMP_STRIDE (&fb, c);

        for (x = 0; x < cw; x++) {
          if (box_hits (box, x << ws, y << hs, (x + 1) << ws, (y + 1) << hs))
            continue;
          if (ra[x * ps] != rb[x * ps])
            changed++;
        }
      }
    }
    gst_video_frame_unmap (&fa);
    gst_video_frame_unmap (&fb);
  } else {
    guint8 *pa = to_rgba (info, a), *pb = to_rgba (info, b);
    gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
    Box grown = { box->x - CHROMA_MARGIN, box->y - CHROMA_MARGIN,
      box->w + 2 * CHROMA_MARGIN, box->h + 2 * CHROMA_MARGIN
    };
    gint x, y;

    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        if (!box_hits (&grown, x, y, x + 1, y + 1) &&
            memcmp (pa + (y * w + x) * 4, pb + (y * w + x) * 4, 4) != 0)
          changed++;
    g_free (pa);
    g_free (pb);
  }
  return changed;
}

/* Number of RGBA pixels inside @box that differ between @a and @b. */
static guint
count_changed_inside (const GstVideoInfo * info, GstBuffer * a, GstBuffer * b,
    const Box * box)
{
  guint8 *pa = to_rgba (info, a), *pb = to_rgba (info, b);
  gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  gint x, y;
  guint changed = 0;

  for (y = MAX (box->y, 0); y < MIN (box->y + box->h, h); y++)
    for (x = MAX (box->x, 0); x < MIN (box->x + box->w, w); x++)
      if (memcmp (pa + (y * w + x) * 4, pb + (y * w + x) * 4, 3) != 0)
        changed++;
  g_free (pa);
  g_free (pb);
  return changed;
}

static gboolean
buffers_equal (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gboolean eq;

  gst_buffer_map (a, &ma, GST_MAP_READ);
  gst_buffer_map (b, &mb, GST_MAP_READ);
  eq = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return eq;
}

/* Checks every pixel of the RGBA read-back inside @box (shrunk by @margin)
 * against @want within @tol per channel. */
static void
check_colour_in (const GstVideoInfo * info, const guint8 * px, const Box * box,
    gint margin, const guint8 want[4], gint tol, const gchar * what)
{
  gint w = GST_VIDEO_INFO_WIDTH (info);
  gint x, y, c;

  for (y = box->y + margin; y < box->y + box->h - margin; y++) {
    for (x = box->x + margin; x < box->x + box->w - margin; x++) {
      const guint8 *p = px + (y * w + x) * 4;

      for (c = 0; c < 3; c++) {
        if (ABS ((gint) p[c] - (gint) want[c]) > tol)
          fail ("%s %s: pixel %d,%d channel %d is %u, want %u +- %d", what,
              gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (info)),
              x, y, c, p[c], want[c], tol);
      }
    }
  }
}

/* ------------------------------------------------------------------------
 * Harness helpers
 * ------------------------------------------------------------------------ */

static GstHarness *
start_harness (GstElement * el, const GstVideoInfo * info, GstBus * bus)
{
  GstHarness *h;
  GstCaps *caps = gst_video_info_to_caps ((GstVideoInfo *) info);

  if (bus)
    gst_element_set_bus (el, bus);
  h = gst_harness_new_with_element (el, "sink", "src");
  gst_harness_set_src_caps (h, caps);
  return h;
}

/* Pushes a copy of @in, returns what comes out. */
static GstBuffer *
push_pull (GstHarness * h, GstBuffer * in)
{
  GstBuffer *copy = gst_buffer_copy_deep (in);

  fail_unless_equals_int (gst_harness_push (h, copy), GST_FLOW_OK);
  return gst_harness_pull (h);
}

static GstElement *
new_overlay (void)
{
  GstElement *el = gst_element_factory_make ("fluoverlay", NULL);

  fail_unless (el != NULL, "fluoverlay not found");
  return el;
}

static GstMessage *
pop_message (GstBus * bus, GstMessageType type)
{
  return gst_bus_pop_filtered (bus, type);
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

#define STOCK_FORMATS \
  GST_VIDEO_FORMAT_v210, GST_VIDEO_FORMAT_P010_10LE, GST_VIDEO_FORMAT_Y410, \
  GST_VIDEO_FORMAT_BGR16, GST_VIDEO_FORMAT_VYUY, GST_VIDEO_FORMAT_UYVP

/* The list first, then every other format fluoverlay's own blender
 * handles, then some that go to the stock blender. */
static const GstVideoFormat listed_formats[] = {
  GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_NV12,
  GST_VIDEO_FORMAT_NV21, GST_VIDEO_FORMAT_YUY2, GST_VIDEO_FORMAT_UYVY,
  GST_VIDEO_FORMAT_AYUV, GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA,
  GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR, GST_VIDEO_FORMAT_RGBx,
  GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR,
  GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_GRAY8,
  FLU_OVERLAY_FAST_FORMATS,
  STOCK_FORMATS
};

static const GstVideoFormat stock_formats[] = { STOCK_FORMATS };

static gint
tolerance_for (const GstVideoFormatInfo * finfo)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (stock_formats); i++)
    if (stock_formats[i] == GST_VIDEO_FORMAT_INFO_FORMAT (finfo))
      return TOL_FALLBACK;
  if (!format_is_bytes (finfo))
    return TOL_WORD;
  if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo))
    return 0;
  return TOL_YUV;
}

GST_START_TEST (test_logo_all_formats)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (listed_formats); i++) {
    GstVideoFormat fmt = listed_formats[i];
    GstVideoInfo info;
    GstElement *el = new_overlay ();
    GstHarness *h;
    GstBuffer *in, *out;
    guint8 *px, want_red[4], want_green[4], want_blue[4];
    Box logo = { 8, 8, LOGO_SIZE, LOGO_SIZE };
    Box red = { 8, 8, LOGO_SIZE / 2, LOGO_SIZE };
    Box green = { 8 + LOGO_SIZE / 2, 8, LOGO_SIZE / 2, LOGO_SIZE };
    Box all = { 0, 0, 64, 48 };
    gint tol = tolerance_for (gst_video_format_get_info (fmt));
    gint margin = tol ? CHROMA_MARGIN : 0;

    GST_INFO ("format %s", gst_video_format_to_string (fmt));
    make_info (&info, fmt, 64, 48);
    g_object_set (el, "logo", logo_path, "logo-x", 8, "logo-y", 8, NULL);
    h = start_harness (el, &info, NULL);
    gst_object_unref (el);

    in = make_frame (&info, BLUE);
    out = push_pull (h, in);
    fail_unless (gst_buffer_get_video_overlay_composition_meta (out) == NULL);

    px = to_rgba (&info, out);
    expected_colour (&info, RED, want_red);
    expected_colour (&info, GREEN, want_green);
    expected_colour (&info, BLUE, want_blue);
    check_colour_in (&info, px, &red, margin, want_red, tol, "logo red");
    check_colour_in (&info, px, &green, margin, want_green, tol, "logo green");
    /* the background far from the logo is the input */
    {
      Box far = { 40, 30, 24, 18 };
      check_colour_in (&info, px, &far, 0, want_blue, tol, "background");
    }
    g_free (px);

    fail_unless_equals_int (count_changed_outside (&info, in, out, &logo), 0);
    fail_unless (count_changed_inside (&info, in, out, &all) > 0);

    gst_buffer_unref (in);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* The box of @text as fluoverlay lays it out with no outline, shadow or
 * background: Pango's ink and logical extents at 72 dpi. */
static void
text_extents (const gchar * font, const gchar * text, gint * w, gint * h)
{
  PangoFontMap *fm = pango_cairo_font_map_new ();
  PangoContext *ctx = pango_font_map_create_context (fm);
  PangoLayout *pl;
  PangoFontDescription *desc = pango_font_description_from_string (font);
  PangoRectangle ink, log;

  pango_cairo_context_set_resolution (ctx, 72.0);
  pl = pango_layout_new (ctx);
  pango_layout_set_font_description (pl, desc);
  pango_layout_set_markup (pl, text, -1);
  pango_layout_get_pixel_extents (pl, &ink, &log);
  *w = MAX (ink.x + ink.width, log.x + log.width) - MIN (ink.x, log.x);
  *h = MAX (ink.y + ink.height, log.y + log.height) - MIN (ink.y, log.y);
  pango_font_description_free (desc);
  g_object_unref (pl);
  g_object_unref (ctx);
  g_object_unref (fm);
}

static void
check_text_box (GstVideoFormat fmt)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;
  GstBuffer *in, *out;
  gint tw, th;
  Box box;
  /* 4:2:0: a chroma sample straddling the box edge changes too */
  gint grow = GST_VIDEO_FORMAT_INFO_W_SUB (gst_video_format_get_info (fmt),
      1) ? 1 : 0;

  text_extents ("Sans 20", "Hello <i>world</i>", &tw, &th);
  box.x = 10 - grow;
  box.y = 6 - grow;
  box.w = tw + 2 * grow;
  box.h = th + 2 * grow;

  make_info (&info, fmt, 320, 120);
  g_object_set (el, "text", "Hello <i>world</i>", "font-desc", "Sans 20",
      "halignment", 0, "valignment", 0, "xpad", 10, "ypad", 6,
      "shadow", FALSE, "outline-color", 0, NULL);
  h = start_harness (el, &info, NULL);
  gst_object_unref (el);

  in = make_frame (&info, BLUE);
  out = push_pull (h, in);
  fail_unless_equals_int (count_changed_outside (&info, in, out, &box), 0);
  /* white text on blue: a good part of the box changes */
  fail_unless (count_changed_inside (&info, in, out, &box) >
      (guint) (tw * th / 10));

  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_START_TEST (test_text_box)
{
  check_text_box (GST_VIDEO_FORMAT_BGRx);
  check_text_box (GST_VIDEO_FORMAT_I420);
}

GST_END_TEST;

GST_START_TEST (test_invisible_untouched)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;
  GstBuffer *in, *out;

  make_info (&info, GST_VIDEO_FORMAT_I420, 64, 48);
  g_object_set (el, "logo", logo_path, "text", "Hi", "clock-format", "%Y",
      "visible", FALSE, NULL);
  h = start_harness (el, &info, NULL);
  gst_object_unref (el);

  in = make_frame (&info, BLUE);
  gst_buffer_ref (in);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  /* passthrough: the very same buffer, unchanged */
  fail_unless (out == in);
  fail_unless (gst_buffer_get_video_overlay_composition_meta (out) == NULL);
  gst_buffer_unref (out);

  /* alpha 0 is invisible too */
  g_object_set (h->element, "visible", TRUE, "alpha", 0.0, NULL);
  gst_buffer_ref (in);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in);
  gst_buffer_unref (out);

  /* nothing set at all: passthrough */
  g_object_set (h->element, "alpha", 1.0, "text", "", "logo", "",
      "clock-format", "", NULL);
  gst_buffer_ref (in);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in);
  gst_buffer_unref (out);

  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

static void
check_meta_frames (GstHarness * h, const GstVideoInfo * info, guint want_rects)
{
  GstBuffer *in, *out, *out2;
  GstVideoOverlayCompositionMeta *meta, *meta2;
  guint i;

  in = make_frame (info, BLUE);
  out = push_pull (h, in);
  meta = gst_buffer_get_video_overlay_composition_meta (out);
  fail_unless (meta != NULL, "no overlay composition meta attached");
  fail_unless_equals_int (gst_video_overlay_composition_n_rectangles
      (meta->overlay), want_rects);
  /* not a pixel touched */
  fail_unless (buffers_equal (in, out));

  /* the next frame carries the same rectangles: nothing re-rendered */
  out2 = push_pull (h, in);
  meta2 = gst_buffer_get_video_overlay_composition_meta (out2);
  fail_unless (meta2 != NULL);
  fail_unless (buffers_equal (in, out2));
  for (i = 0; i < want_rects; i++) {
    GstVideoOverlayRectangle *r1 =
        gst_video_overlay_composition_get_rectangle (meta->overlay, i);
    GstVideoOverlayRectangle *r2 =
        gst_video_overlay_composition_get_rectangle (meta2->overlay, i);
    gint x, y;
    guint w, hh;

    fail_unless_equals_int (gst_video_overlay_rectangle_get_seqnum (r1),
        gst_video_overlay_rectangle_get_seqnum (r2));
    fail_unless (gst_video_overlay_rectangle_get_render_rectangle (r1, &x,
            &y, &w, &hh));
    fail_unless (x >= 0 && y >= 0 && w > 0 && hh > 0);
    fail_unless (x + w <= (guint) GST_VIDEO_INFO_WIDTH (info));
    fail_unless (y + hh <= (guint) GST_VIDEO_INFO_HEIGHT (info));
  }

  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_buffer_unref (out2);
}

GST_START_TEST (test_meta_allocation_query)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;

  make_info (&info, GST_VIDEO_FORMAT_I420, 320, 240);
  g_object_set (el, "logo", logo_path, "text", "Meta", "clock-format",
      "clock %Y", NULL);
  h = gst_harness_new_with_element (el, "sink", "src");
  gst_object_unref (el);
  gst_harness_add_propose_allocation_meta (h,
      GST_VIDEO_OVERLAY_COMPOSITION_META_API_TYPE, NULL);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));

  check_meta_frames (h, &info, 3);

  /* a composition already on the buffer (from upstream) is kept, ours is
   * added on top of it */
  {
    GstBuffer *in = make_frame (&info, BLUE), *out, *pix;
    GstVideoOverlayRectangle *r;
    GstVideoOverlayComposition *c;
    GstVideoOverlayCompositionMeta *meta;

    pix = gst_buffer_new_allocate (NULL, 4 * 4 * 4, NULL);
    gst_buffer_memset (pix, 0, 0xff, 4 * 4 * 4);
    gst_buffer_add_video_meta (pix, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, 4, 4);
    r = gst_video_overlay_rectangle_new_raw (pix, 100, 100, 4, 4,
        GST_VIDEO_OVERLAY_FORMAT_FLAG_NONE);
    c = gst_video_overlay_composition_new (r);
    gst_buffer_add_video_overlay_composition_meta (in, c);
    out = push_pull (h, in);
    meta = gst_buffer_get_video_overlay_composition_meta (out);
    fail_unless (meta != NULL);
    fail_unless_equals_int (gst_video_overlay_composition_n_rectangles
        (meta->overlay), 4);
    fail_unless (gst_video_overlay_composition_get_rectangle (meta->overlay,
            0) == r);
    gst_video_overlay_composition_unref (c);
    gst_video_overlay_rectangle_unref (r);
    gst_buffer_unref (pix);
    gst_buffer_unref (in);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_meta_caps_feature)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;
  GstCaps *caps, *fcaps, *cur;

  make_info (&info, GST_VIDEO_FORMAT_NV12, 320, 240);
  g_object_set (el, "logo", logo_path, "text", "Feature", NULL);
  h = gst_harness_new_with_element (el, "sink", "src");
  gst_object_unref (el);

  caps = gst_video_info_to_caps (&info);
  fcaps = gst_caps_copy (caps);
  gst_caps_set_features (fcaps, 0,
      gst_caps_features_new
      (GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION, NULL));
  gst_harness_set_sink_caps (h, fcaps);
  gst_harness_set_src_caps (h, caps);

  check_meta_frames (h, &info, 2);
  cur = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_caps_features_contains (gst_caps_get_features (cur, 0),
          GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION));
  gst_caps_unref (cur);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_live_changes)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  GstBuffer *in, *out;
  GstMessage *msg;
  guint8 *px, want_red[4], half[4];
  Box at8 = { 8, 8, LOGO_SIZE, LOGO_SIZE };
  Box at32 = { 32, 8, LOGO_SIZE, LOGO_SIZE };
  Box red32 = { 32, 8, LOGO_SIZE / 2, LOGO_SIZE };
  Box none = { 0, 0, 0, 0 };
  Box bottom = { 0, 40, 96, 24 };

  make_info (&info, GST_VIDEO_FORMAT_BGRx, 96, 64);
  g_object_set (el, "logo", logo_path, "logo-x", 8, "logo-y", 8, NULL);
  h = start_harness (el, &info, bus);
  gst_object_unref (el);
  in = make_frame (&info, BLUE);
  expected_colour (&info, RED, want_red);

  out = push_pull (h, in);
  fail_unless_equals_int (count_changed_outside (&info, in, out, &at8), 0);
  gst_buffer_unref (out);

  /* move the logo: the very next frame has it at the new place */
  g_object_set (h->element, "logo-x", 32, NULL);
  out = push_pull (h, in);
  fail_unless_equals_int (count_changed_outside (&info, in, out, &at32), 0);
  px = to_rgba (&info, out);
  check_colour_in (&info, px, &red32, 0, want_red, 0, "moved logo");
  g_free (px);
  gst_buffer_unref (out);

  /* switch it off and on */
  g_object_set (h->element, "visible", FALSE, NULL);
  out = push_pull (h, in);
  fail_unless (buffers_equal (in, out));
  gst_buffer_unref (out);
  g_object_set (h->element, "visible", TRUE, NULL);
  out = push_pull (h, in);
  fail_unless (!buffers_equal (in, out));
  gst_buffer_unref (out);

  /* half transparent: red over blue at alpha 0.5 */
  g_object_set (h->element, "alpha", 0.5, NULL);
  out = push_pull (h, in);
  px = to_rgba (&info, out);
  half[0] = 128;
  half[1] = 0;
  half[2] = 127;
  check_colour_in (&info, px, &red32, 0, half, 1, "alpha 0.5");
  g_free (px);
  gst_buffer_unref (out);
  g_object_set (h->element, "alpha", 1.0, NULL);

  /* text appears at the bottom on the next frame */
  g_object_set (h->element, "text", "Live", "font-desc", "Sans 12", "ypad", 4,
      NULL);
  out = push_pull (h, in);
  fail_unless (count_changed_inside (&info, in, out, &bottom) > 0);
  gst_buffer_unref (out);

  /* a broken logo while playing: a warning, no logo, no crash */
  g_object_set (h->element, "text", "", "logo", broken_path, NULL);
  msg = pop_message (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning for a broken logo");
  {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_warning (msg, &err, &dbg);
    fail_unless (err->domain == GST_RESOURCE_ERROR);
    fail_unless (strstr (err->message, "broken.png") != NULL);
    fail_unless (strstr (err->message, "PNG") != NULL, "%s", err->message);
    fail_unless (strstr (dbg, "while running") != NULL);
    g_clear_error (&err);
    g_free (dbg);
  }
  gst_message_unref (msg);
  out = push_pull (h, in);
  fail_unless (buffers_equal (in, out));
  gst_buffer_unref (out);

  /* a missing one too; then a good one again */
  g_object_set (h->element, "logo", "/nonexistent/logo.png", NULL);
  msg = pop_message (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  g_object_set (h->element, "logo", logo_path, NULL);
  out = push_pull (h, in);
  fail_unless_equals_int (count_changed_outside (&info, in, out, &at32), 0);
  fail_unless (count_changed_outside (&info, in, out, &none) > 0);
  gst_buffer_unref (out);

  gst_buffer_unref (in);
  gst_harness_teardown (h);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
}

GST_END_TEST;

static void
check_size (gint w, gint hgt, guint frames)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;
  GstBuffer *in, *out;
  guint i;

  make_info (&info, GST_VIDEO_FORMAT_I420, w, hgt);
  g_object_set (el, "logo", logo_path, "logo-x", 0, "logo-y", 0,
      "text", "Size test", "clock-format", "%H:%M:%S",
      "background-color", 0x80000000, NULL);
  h = start_harness (el, &info, NULL);
  gst_object_unref (el);
  in = make_frame (&info, BLUE);
  for (i = 0; i < frames; i++) {
    guint8 *px, want_red[4];
    Box red = { 0, 0, MIN (LOGO_SIZE / 2, w), MIN (LOGO_SIZE, hgt) };

    out = push_pull (h, in);
    px = to_rgba (&info, out);
    expected_colour (&info, RED, want_red);
    /* the logo is drawn first: the clock and text may cover it in a 16x16
     * frame, so only check its top-left corner there */
    if (w > 64)
      check_colour_in (&info, px, &red, CHROMA_MARGIN, want_red, TOL_YUV,
          "logo");
    g_free (px);
    fail_unless (!buffers_equal (in, out));
    gst_buffer_unref (out);
  }
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_START_TEST (test_tiny_and_4k)
{
  check_size (16, 16, 3);
  check_size (3840, 2160, 2);
}

GST_END_TEST;

GST_START_TEST (test_long_text_clipped)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;
  GstBuffer *in, *out;
  GString *s = g_string_new (NULL);
  guint i;
  const gchar *aligns[] = { "left", "center", "right" };

  for (i = 0; i < 200; i++)
    g_string_append (s, "Very long conference title ");
  make_info (&info, GST_VIDEO_FORMAT_I420, 64, 32);
  g_object_set (el, "text", s->str, "font-desc", "Sans 40", NULL);
  h = start_harness (el, &info, NULL);
  gst_object_unref (el);
  in = make_frame (&info, BLUE);

  for (i = 0; i < G_N_ELEMENTS (aligns); i++) {
    gst_util_set_object_arg (G_OBJECT (h->element), "halignment", aligns[i]);
    gst_util_set_object_arg (G_OBJECT (h->element), "valignment", aligns[i]
        [0] == 'l' ? "top" : aligns[i][0] == 'c' ? "center" : "bottom");
    out = push_pull (h, in);
    fail_unless (!buffers_equal (in, out));
    gst_buffer_unref (out);
  }

  /* far outside the frame: nothing to draw, nothing touched */
  g_object_set (h->element, "deltay", 10000, NULL);
  out = push_pull (h, in);
  fail_unless (buffers_equal (in, out));
  gst_buffer_unref (out);

  /* with the meta, the rectangle is clipped to the frame */
  gst_harness_teardown (h);
  el = new_overlay ();
  g_object_set (el, "text", s->str, "font-desc", "Sans 40",
      "halignment", 1, "valignment", 1, NULL);
  h = gst_harness_new_with_element (el, "sink", "src");
  gst_object_unref (el);
  gst_harness_add_propose_allocation_meta (h,
      GST_VIDEO_OVERLAY_COMPOSITION_META_API_TYPE, NULL);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  check_meta_frames (h, &info, 1);

  gst_buffer_unref (in);
  gst_harness_teardown (h);
  g_string_free (s, TRUE);
}

GST_END_TEST;

static void
check_bad_logo_at_start (const gchar * path, const gchar * what)
{
  GstElement *pipe, *src, *el, *sink;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;
  gchar *dbg = NULL;

  pipe = gst_pipeline_new (NULL);
  src = gst_element_factory_make ("videotestsrc", NULL);
  el = new_overlay ();
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (src, "num-buffers", 1, NULL);
  g_object_set (el, "logo", path, NULL);
  gst_bin_add_many (GST_BIN (pipe), src, el, sink, NULL);
  fail_unless (gst_element_link_many (src, el, sink, NULL));

  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  bus = gst_element_get_bus (pipe);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error for %s", what);
  fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (el));
  gst_message_parse_error (msg, &err, &dbg);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (err->message, path) != NULL, "%s", err->message);
  /* says what to fix */
  fail_unless (strstr (err->message, "PNG") != NULL, "%s", err->message);
  fail_unless (strstr (dbg, "cannot start") != NULL, "%s", dbg);
  g_clear_error (&err);
  g_free (dbg);
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
}

GST_START_TEST (test_bad_logo_at_start)
{
  check_bad_logo_at_start ("/nonexistent/logo.png", "missing file");
  check_bad_logo_at_start (broken_path, "broken file");
  check_bad_logo_at_start (tmpdir, "directory");
}

GST_END_TEST;

GST_START_TEST (test_invalid_markup)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  GstBuffer *in, *out;
  GstMessage *msg;
  Box all = { 0, 0, 160, 60 };

  make_info (&info, GST_VIDEO_FORMAT_I420, 160, 60);
  g_object_set (el, "text", "<b>unclosed & bad", NULL);
  h = start_harness (el, &info, bus);
  gst_object_unref (el);
  in = make_frame (&info, BLUE);
  out = push_pull (h, in);
  fail_unless (count_changed_inside (&info, in, out, &all) > 0);
  gst_buffer_unref (out);
  msg = pop_message (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning for invalid markup");
  gst_message_unref (msg);

  /* one warning per change, not per frame */
  out = push_pull (h, in);
  gst_buffer_unref (out);
  fail_unless (pop_message (bus, GST_MESSAGE_WARNING) == NULL);

  gst_buffer_unref (in);
  gst_harness_teardown (h);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
}

GST_END_TEST;

GST_START_TEST (test_clock_and_aliases)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;
  GstBuffer *in, *out;
  gchar *font = NULL;
  gboolean show;
  Box right_top = { 100, 0, 60, 40 };
  Box left_bottom = { 0, 40, 60, 40 };

  /* Flumotion's names */
  g_object_set (el, "font", "Serif 11", NULL);
  g_object_get (el, "font-desc", &font, "show-text", &show, NULL);
  fail_unless_equals_string (font, "Serif 11");
  fail_unless (show);
  g_free (font);

  make_info (&info, GST_VIDEO_FORMAT_BGRx, 160, 80);
  g_object_set (el, "clock-format", "%Y", "text", "T", "show-text", FALSE,
      NULL);
  h = start_harness (el, &info, NULL);
  gst_object_unref (el);
  in = make_frame (&info, BLUE);

  /* clock top right, text hidden */
  out = push_pull (h, in);
  fail_unless (count_changed_inside (&info, in, out, &right_top) > 0);
  fail_unless_equals_int (count_changed_inside (&info, in, out,
          &left_bottom), 0);
  gst_buffer_unref (out);

  /* text shown bottom left, clock moved to the bottom right */
  g_object_set (h->element, "show-text", TRUE, "clock-valignment", 2, NULL);
  out = push_pull (h, in);
  fail_unless (count_changed_inside (&info, in, out, &left_bottom) > 0);
  fail_unless_equals_int (count_changed_inside (&info, in, out, &right_top), 0);
  gst_buffer_unref (out);

  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_logo_scaling)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;
  GstBuffer *in, *out;
  guint8 *px, want_red[4], want_green[4];
  Box logo = { 64 - 4 - 32, 48 - 2 - 32, 32, 32 };
  Box red = { 28, 14, 16, 32 };
  Box green = { 44, 14, 16, 32 };

  make_info (&info, GST_VIDEO_FORMAT_RGBx, 64, 48);
  /* only the width: the height follows the aspect ratio; placed bottom
   * right by alignment */
  g_object_set (el, "logo", logo_path, "logo-width", 32, "xpad", 4,
      "ypad", 2, "logo-halignment", 2, "logo-valignment", 2, NULL);
  h = start_harness (el, &info, NULL);
  gst_object_unref (el);
  in = make_frame (&info, BLUE);
  out = push_pull (h, in);
  expected_colour (&info, RED, want_red);
  expected_colour (&info, GREEN, want_green);
  px = to_rgba (&info, out);
  /* scaling blends the two halves only around the middle column */
  check_colour_in (&info, px, &red, 2, want_red, 0, "scaled red");
  check_colour_in (&info, px, &green, 2, want_green, 0, "scaled green");
  g_free (px);
  fail_unless_equals_int (count_changed_outside (&info, in, out, &logo), 0);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

static gpointer
poke_properties (gpointer data)
{
  GstElement *el = data;
  guint i;

  for (i = 0; i < 200; i++) {
    gchar *t = g_strdup_printf ("<b>frame</b> %u", i);

    g_object_set (el, "text", t, "alpha", (i % 10) / 9.0, "logo-x", i % 40,
        "visible", i % 7 != 0, "halignment", i % 3, NULL);
    if (i % 50 == 0)
      g_object_set (el, "logo", i % 100 ? logo_path : "", NULL);
    g_free (t);
    g_thread_yield ();
  }
  return NULL;
}

/* Properties set from another thread while frames go through: no crash,
 * no race (run under ASan/UBSan by scripts/test.sh). */
GST_START_TEST (test_concurrent_changes)
{
  GstVideoInfo info;
  GstElement *el = new_overlay ();
  GstHarness *h;
  GstBuffer *in;
  GThread *thread;
  guint i;

  make_info (&info, GST_VIDEO_FORMAT_NV12, 160, 90);
  g_object_set (el, "logo", logo_path, "clock-format", "%S", NULL);
  h = start_harness (el, &info, NULL);
  gst_object_unref (el);
  in = make_frame (&info, BLUE);

  thread = g_thread_new ("poke", poke_properties, h->element);
  for (i = 0; i < 100; i++)
    gst_buffer_unref (push_pull (h, in));
  g_thread_join (thread);

  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
fluoverlay_suite (void)
{
  Suite *s = suite_create ("fluoverlay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_unchecked_fixture (tc, setup_files, teardown_files);
  tcase_add_test (tc, test_logo_all_formats);
  tcase_add_test (tc, test_text_box);
  tcase_add_test (tc, test_invisible_untouched);
  tcase_add_test (tc, test_meta_allocation_query);
  tcase_add_test (tc, test_meta_caps_feature);
  tcase_add_test (tc, test_live_changes);
  tcase_add_test (tc, test_tiny_and_4k);
  tcase_add_test (tc, test_long_text_clipped);
  tcase_add_test (tc, test_bad_logo_at_start);
  tcase_add_test (tc, test_invalid_markup);
  tcase_add_test (tc, test_clock_and_aliases);
  tcase_add_test (tc, test_logo_scaling);
  tcase_add_test (tc, test_concurrent_changes);
  return s;
}

GST_CHECK_MAIN (fluoverlay);
