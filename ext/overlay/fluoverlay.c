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

/**
 * SECTION:element-fluoverlay
 * @title: fluoverlay
 *
 * Puts a text, a wall clock and a PNG logo on raw video, the way
 * Flumotion's overlay converter put an event's name and logos on a
 * conference stream before encoding, but as one element that only touches
 * the pixels it draws.
 *
 * Each of the three layers (logo, text, clock, drawn in that order, the
 * clock on top) is rendered with Cairo/Pango into a premultiplied ARGB
 * #GstVideoOverlayRectangle exactly as large as what it shows, once per
 * change of its text, of a property or of the caps; the clock once per
 * change of its formatted string (at most once per second).  Per frame:
 *
 * - nothing to draw (`visible` off, `alpha` 0, no text, clock or logo): the
 *   element is in passthrough and does not touch the buffer at all;
 * - downstream accepts #GstVideoOverlayCompositionMeta (it lists the meta
 *   in its answer to the allocation query, or it negotiated caps with the
 *   `meta:GstVideoOverlayComposition` feature): the composition is attached
 *   to the buffer (merged with one already there) and no pixel is touched;
 * - otherwise the rectangles are blended into the frame.  For 78 formats
 *   whose samples are bytes or 16-bit words (I420, YV12, NV12, NV21, YUY2,
 *   UYVY, AYUV, the RGB families, GRAY8/16, the planar 10/12/16-bit YUV and
 *   GBR ones, ...: `fast_formats` below) the element uses its own blender,
 *   which converts each rectangle once into premultiplied values and
 *   coverage per component (with the frame's colour matrix and range,
 *   chroma averaged over each subsampling block), so a frame costs a copy
 *   per opaque run and one multiply-add per translucent sample.  Other
 *   formats (v210, P010, Y410, tiled, ...) go through
 *   gst_video_overlay_composition_blend().
 *
 * Decisions the tracker issue left open:
 *
 * - Sizes: font sizes are in pixels (Pango renders at 72 dpi, so "Sans 24"
 *   is 24 pixels high whatever the frame size); no automatic scaling with
 *   the frame.  A size of 0 in `font-desc` means 24.
 * - Text is never wrapped: lines break only at newlines in the text.
 *   Whatever falls outside the frame is clipped; rectangles never extend
 *   beyond the frame.
 * - Each text box (text or clock) is the union of Pango's ink and logical
 *   extents, grown on every side by the outline width (size / 16, at least
 *   1, when `outline-color` is not fully transparent) plus the background
 *   padding (size / 6, at least 2, when `background-color` is not fully
 *   transparent), and on the right and bottom by the shadow offset (size /
 *   20, at least 1, when `shadow` is on).  That box is what is aligned with
 *   `halignment`/`valignment` and `xpad`/`ypad`, then moved by
 *   `deltax`/`deltay`.  The shadow is black at 60% of the text's opacity.
 * - Colours are 0xAARRGGBB, like textoverlay's `color`.
 * - The clock is the local wall-clock time when the frame goes through,
 *   formatted with strftime(3) and shown as plain text (no markup); it
 *   shares the font, colours, shadow, background and padding of the text
 *   and has its own alignment and deltas.
 * - `logo-x`/`logo-y` of -1 (the default) place the logo by
 *   `logo-halignment`/`logo-valignment` with `xpad`/`ypad`; 0 or more is an
 *   absolute position of its top-left corner.  `logo-width`/`logo-height`
 *   of 0 keep the PNG's size; when only one is set the other follows the
 *   aspect ratio.
 * - A logo that cannot be loaded when the element starts is an error (the
 *   state change fails); set while running, it posts a warning and no logo
 *   is shown until a good one is set.  The file is read in the thread that
 *   sets the property, never in the streaming thread.
 * - Invalid markup in `text` posts one warning per text change and the text
 *   is shown as plain text.
 * - `show-text` (Flumotion's name) switches the text layer only; `font`
 *   is an alias of `font-desc`; `visible` switches the whole overlay.
 * - `alpha` is applied as the rectangles' global alpha, so changing it does
 *   not re-render anything.
 * - On formats with an alpha channel the overlay is composed with the
 *   "over" operator on the alpha channel; colour channels are blended as if
 *   the video were opaque.
 * - Properties are protected by the object lock; rendering happens in the
 *   streaming thread on the first frame after a change, from a copy of the
 *   properties taken under that lock and without holding it, so setting a
 *   property never waits for Pango.  The blender is in flublend.c.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 videotestsrc ! fluoverlay text="<b>GUADEC</b> 2026" \
 *     clock-format="%H:%M:%S" logo=/usr/share/pixmaps/debian-logo.png \
 *     ! videoconvert ! autovideosink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <time.h>
#include <math.h>

#include "fluoverlay.h"
#include "flublend.h"

GST_DEBUG_CATEGORY_STATIC (flu_overlay_debug);
#define GST_CAT_DEFAULT flu_overlay_debug

#define DEFAULT_TEXT            ""
#define DEFAULT_SHOW_TEXT       TRUE
#define DEFAULT_FONT_DESC       "Sans Bold 24"
#define DEFAULT_COLOR           0xffffffff
#define DEFAULT_OUTLINE_COLOR   0xff000000
#define DEFAULT_SHADOW          TRUE
#define DEFAULT_HALIGN          FLU_OVERLAY_HALIGN_LEFT
#define DEFAULT_VALIGN          FLU_OVERLAY_VALIGN_BOTTOM
#define DEFAULT_XPAD            16
#define DEFAULT_YPAD            16
#define DEFAULT_DELTA           0
#define DEFAULT_BG_COLOR        0x00000000
#define DEFAULT_CLOCK_FORMAT    ""
#define DEFAULT_CLOCK_HALIGN    FLU_OVERLAY_HALIGN_RIGHT
#define DEFAULT_CLOCK_VALIGN    FLU_OVERLAY_VALIGN_TOP
#define DEFAULT_LOGO            ""
#define DEFAULT_LOGO_POS        -1
#define DEFAULT_LOGO_HALIGN     FLU_OVERLAY_HALIGN_LEFT
#define DEFAULT_LOGO_VALIGN     FLU_OVERLAY_VALIGN_TOP
#define DEFAULT_LOGO_SIZE       0
#define DEFAULT_ALPHA           1.0
#define DEFAULT_VISIBLE         TRUE

#define MAX_PAD                 16384
#define MAX_DELTA               16384
#define MAX_LOGO_SIZE           16384

enum
{
  PROP_0,
  PROP_TEXT,
  PROP_SHOW_TEXT,
  PROP_FONT_DESC,
  PROP_FONT,
  PROP_COLOR,
  PROP_OUTLINE_COLOR,
  PROP_SHADOW,
  PROP_HALIGN,
  PROP_VALIGN,
  PROP_XPAD,
  PROP_YPAD,
  PROP_DELTAX,
  PROP_DELTAY,
  PROP_BG_COLOR,
  PROP_CLOCK_FORMAT,
  PROP_CLOCK_HALIGN,
  PROP_CLOCK_VALIGN,
  PROP_CLOCK_DELTAX,
  PROP_CLOCK_DELTAY,
  PROP_LOGO,
  PROP_LOGO_X,
  PROP_LOGO_Y,
  PROP_LOGO_HALIGN,
  PROP_LOGO_VALIGN,
  PROP_LOGO_WIDTH,
  PROP_LOGO_HEIGHT,
  PROP_ALPHA,
  PROP_VISIBLE
};

/* Layers, bottom to top. */
enum
{
  LAYER_LOGO,
  LAYER_TEXT,
  LAYER_CLOCK,
  N_LAYERS
};

/* What one frame gets: immutable once built, refcounted (g_rc_box) so the
 * streaming thread uses it without holding the object lock. */
typedef struct
{
  GstVideoOverlayComposition *comp;
  gboolean fast;                /* our blender handles the format */
  guint n_rects;
  FluBlendRect rects[N_LAYERS];
} FluSnapshot;

/* A rendered layer: premultiplied ARGB32 pixels (native endian) exactly as
 * large as what it shows, placed in the frame. */
typedef struct
{
  GstBuffer *pixels;
  GstVideoOverlayRectangle *rect;
  gint x, y;
  guint w, h;
} FluLayer;

/* What the properties set.  The instance holds one copy under the object
 * lock; the streaming thread renders from its own copy, taken under the
 * lock when something changed, and used without it. */
typedef struct
{
  gchar *text;
  gboolean show_text;
  gchar *font_desc;
  guint color;
  guint outline_color;
  gboolean shadow;
  FluOverlayHAlign halign;
  FluOverlayVAlign valign;
  gint xpad, ypad;
  gint deltax, deltay;
  guint bg_color;
  gchar *clock_format;
  FluOverlayHAlign clock_halign;
  FluOverlayVAlign clock_valign;
  gint clock_deltax, clock_deltay;
  gchar *logo;
  gint logo_x, logo_y;
  FluOverlayHAlign logo_halign;
  FluOverlayVAlign logo_valign;
  gint logo_width, logo_height;
  gdouble alpha;
  gboolean visible;
} FluOverlaySettings;

/* One refresh of the layers, prepared under the object lock and carried
 * out without it: the settings, the frame format, the loaded logo and
 * which layers must be drawn again. */
typedef struct
{
  FluOverlaySettings s;
  GstVideoInfo info;
  cairo_surface_t *logo_surface;
  gboolean dirty[N_LAYERS];
  gboolean snapshot_dirty;
  gint64 clock_second;          /* -1: the clock is not shown */
} FluRenderJob;

/* Locking: one lock, the object lock.  It guards `s` and everything under
 * "state"; set_property, the state changes and the streaming thread take
 * it briefly and never render, load files or call downstream under it.
 * The "streaming thread" fields are touched only by the streaming thread,
 * and by start()/stop() while no buffer flows. */
struct _FluOverlay
{
  GstBaseTransform parent;

  /* properties (object lock) */
  FluOverlaySettings s;

  /* state (object lock) */
  gboolean started;
  cairo_surface_t *logo_surface;
  guint logo_serial;            /* bumped by every set of `logo` */
  GstVideoInfo info;
  gboolean have_info;
  gboolean caps_has_feature;
  gboolean alloc_has_meta;
  gboolean need_alloc_check;
  gboolean dirty[N_LAYERS];     /* the layer must be drawn again */
  gboolean snapshot_dirty;      /* the snapshot must be rebuilt */
  gint64 clock_second;          /* second the clock was last formatted */

  /* streaming thread only */
  FluLayer layers[N_LAYERS];
  FluSnapshot *snapshot;
  gchar *clock_text;
  PangoFontMap *fontmap;
  PangoContext *pango;
  FluSnapshot *cur;
  gboolean cur_attach;
};

#define flu_overlay_parent_class parent_class
G_DEFINE_TYPE (FluOverlay, flu_overlay, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (fluoverlay, "fluoverlay",
    GST_RANK_NONE, FLU_TYPE_OVERLAY,
    GST_DEBUG_CATEGORY_INIT (flu_overlay_debug, "fluoverlay", 0,
        "Flumotion text, clock and logo overlay"));

#define FLU_OVERLAY_CAPS \
    GST_VIDEO_CAPS_MAKE (GST_VIDEO_OVERLAY_COMPOSITION_BLEND_FORMATS) ";" \
    GST_VIDEO_CAPS_MAKE_WITH_FEATURES ( \
        GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION, \
        GST_VIDEO_OVERLAY_COMPOSITION_BLEND_FORMATS)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (FLU_OVERLAY_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (FLU_OVERLAY_CAPS));

GType
flu_overlay_halign_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {FLU_OVERLAY_HALIGN_LEFT, "Left", "left"},
    {FLU_OVERLAY_HALIGN_CENTER, "Center", "center"},
    {FLU_OVERLAY_HALIGN_RIGHT, "Right", "right"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("FluOverlayHAlign", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
flu_overlay_valign_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {FLU_OVERLAY_VALIGN_TOP, "Top", "top"},
    {FLU_OVERLAY_VALIGN_CENTER, "Center", "center"},
    {FLU_OVERLAY_VALIGN_BOTTOM, "Bottom", "bottom"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("FluOverlayVAlign", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ------------------------------------------------------------------------
 * Snapshots, layers and settings
 * ------------------------------------------------------------------------ */

static void
flu_snapshot_clear (gpointer data)
{
  FluSnapshot *snap = data;
  guint i;

  if (snap->comp)
    gst_video_overlay_composition_unref (snap->comp);
  for (i = 0; i < snap->n_rects; i++)
    flu_blend_rect_clear (&snap->rects[i]);
}

static void
flu_snapshot_unref (FluSnapshot * snap)
{
  if (snap)
    g_rc_box_release_full (snap, flu_snapshot_clear);
}

static void
flu_layer_clear (FluLayer * layer)
{
  gst_clear_buffer (&layer->pixels);
  if (layer->rect) {
    gst_video_overlay_rectangle_unref (layer->rect);
    layer->rect = NULL;
  }
  layer->w = layer->h = 0;
}

static void
flu_overlay_settings_copy (FluOverlaySettings * dst,
    const FluOverlaySettings * src)
{
  *dst = *src;
  dst->text = g_strdup (src->text);
  dst->font_desc = g_strdup (src->font_desc);
  dst->clock_format = g_strdup (src->clock_format);
  dst->logo = g_strdup (src->logo);
}

static void
flu_overlay_settings_clear (FluOverlaySettings * s)
{
  g_clear_pointer (&s->text, g_free);
  g_clear_pointer (&s->font_desc, g_free);
  g_clear_pointer (&s->clock_format, g_free);
  g_clear_pointer (&s->logo, g_free);
}

/* The layers must be drawn again (object lock held). */
static void
flu_overlay_mark_dirty (FluOverlay * self, gboolean logo, gboolean text,
    gboolean clock)
{
  if (logo)
    self->dirty[LAYER_LOGO] = TRUE;
  if (text)
    self->dirty[LAYER_TEXT] = TRUE;
  if (clock)
    self->dirty[LAYER_CLOCK] = TRUE;
  self->snapshot_dirty = TRUE;
}

/* ------------------------------------------------------------------------
 * Rendering (streaming thread, no lock held: everything comes from the
 * job, a copy made under the lock)
 * ------------------------------------------------------------------------ */

static void
set_source_argb (cairo_t * cr, guint argb, gdouble mult)
{
  cairo_set_source_rgba (cr, ((argb >> 16) & 0xff) / 255.0,
      ((argb >> 8) & 0xff) / 255.0, (argb & 0xff) / 255.0,
      ((argb >> 24) & 0xff) / 255.0 * mult);
}

static gint
align_pos (gint frame, gint size, gint pad, gint align)
{
  switch (align) {
    case 0:
      return pad;
    case 1:
      return (frame - size) / 2;
    default:
      return frame - size - pad;
  }
}

/* Clips the box (x, y, w, h) to the frame.  Creates the layer's surface
 * for the visible part, translated so the caller draws in box
 * coordinates.  Returns NULL (layer empty) when nothing is visible. */
static cairo_t *
flu_layer_begin (const GstVideoInfo * info, FluLayer * layer, gint x, gint y,
    gint w, gint h, cairo_surface_t ** surface)
{
  gint fw = GST_VIDEO_INFO_WIDTH (info);
  gint fh = GST_VIDEO_INFO_HEIGHT (info);
  gint vx0 = MAX (x, 0), vy0 = MAX (y, 0);
  gint vx1 = MIN ((gint64) x + w, fw), vy1 = MIN ((gint64) y + h, fh);
  guint8 *data;
  gsize size;
  cairo_t *cr;

  if (w <= 0 || h <= 0 || vx1 <= vx0 || vy1 <= vy0)
    return NULL;

  layer->x = vx0;
  layer->y = vy0;
  layer->w = vx1 - vx0;
  layer->h = vy1 - vy0;
  /* cairo draws straight into the memory the rectangle will hold: an
   * ARGB32 stride is always width * 4 */
  size = (gsize) layer->w * layer->h * 4;
  data = g_malloc0 (size);
  layer->pixels = gst_buffer_new_wrapped (data, size);
  *surface = cairo_image_surface_create_for_data (data,
      CAIRO_FORMAT_ARGB32, layer->w, layer->h, layer->w * 4);
  cr = cairo_create (*surface);
  cairo_translate (cr, x - vx0, y - vy0);
  return cr;
}

static void
flu_layer_end (FluLayer * layer, cairo_t * cr, cairo_surface_t * surface)
{
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  cairo_surface_destroy (surface);
  gst_buffer_add_video_meta (layer->pixels, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, layer->w, layer->h);
  layer->rect = gst_video_overlay_rectangle_new_raw (layer->pixels,
      layer->x, layer->y, layer->w, layer->h,
      GST_VIDEO_OVERLAY_FORMAT_FLAG_PREMULTIPLIED_ALPHA);
}

/* Lays out @text with the job's font; with @markup, invalid markup is shown
 * as plain text and *@warning says why. */
static PangoLayout *
flu_overlay_layout_text (FluOverlay * self, const FluOverlaySettings * s,
    const gchar * text, gboolean markup, gint * size, gchar ** warning)
{
  PangoFontDescription *desc;
  PangoLayout *pl;

  if (self->fontmap == NULL) {
    self->fontmap = pango_cairo_font_map_new ();
    self->pango = pango_font_map_create_context (self->fontmap);
    pango_cairo_context_set_resolution (self->pango, 72.0);
  }

  desc = pango_font_description_from_string (s->font_desc);
  if (pango_font_description_get_size (desc) <= 0)
    pango_font_description_set_size (desc, 24 * PANGO_SCALE);
  *size = MAX (1, pango_font_description_get_size (desc) / PANGO_SCALE);

  pl = pango_layout_new (self->pango);
  pango_layout_set_font_description (pl, desc);
  pango_font_description_free (desc);

  if (markup) {
    GError *err = NULL;

    if (pango_parse_markup (text, -1, 0, NULL, NULL, NULL, &err)) {
      pango_layout_set_markup (pl, text, -1);
    } else {
      g_free (*warning);
      *warning = g_strdup_printf ("Invalid Pango markup in "
          "'text' (%s); showing it as plain text. Escape '<' and '&' as "
          "&lt; and &amp; or fix the markup.", err->message);
      g_clear_error (&err);
      pango_layout_set_text (pl, text, -1);
    }
  } else {
    pango_layout_set_text (pl, text, -1);
  }
  return pl;
}

static void
flu_overlay_render_text (FluOverlay * self, const FluRenderJob * job,
    FluLayer * layer, const gchar * text, gboolean markup, gint halign,
    gint valign, gint dx, gint dy, gchar ** warning)
{
  const FluOverlaySettings *s = &job->s;
  PangoLayout *pl;
  PangoRectangle ink, logical;
  gint size, ux0, uy0, ux1, uy1, outline, bgpad, shadow, m, w, h, x, y;
  cairo_surface_t *surface = NULL;
  cairo_t *cr;

  flu_layer_clear (layer);
  if (text == NULL || *text == '\0')
    return;

  pl = flu_overlay_layout_text (self, s, text, markup, &size, warning);
  pango_layout_get_pixel_extents (pl, &ink, &logical);
  ux0 = MIN (ink.x, logical.x);
  uy0 = MIN (ink.y, logical.y);
  ux1 = MAX (ink.x + ink.width, logical.x + logical.width);
  uy1 = MAX (ink.y + ink.height, logical.y + logical.height);

  outline = ((s->outline_color >> 24) != 0) ? MAX (1, size / 16) : 0;
  bgpad = ((s->bg_color >> 24) != 0) ? MAX (2, size / 6) : 0;
  shadow = s->shadow ? MAX (1, size / 20) : 0;
  m = outline + bgpad;
  w = (ux1 - ux0) + 2 * m + shadow;
  h = (uy1 - uy0) + 2 * m + shadow;

  x = align_pos (GST_VIDEO_INFO_WIDTH (&job->info), w, s->xpad, halign) + dx;
  y = align_pos (GST_VIDEO_INFO_HEIGHT (&job->info), h, s->ypad, valign) + dy;

  cr = flu_layer_begin (&job->info, layer, x, y, w, h, &surface);
  if (cr == NULL) {
    g_object_unref (pl);
    return;
  }

  if (bgpad > 0) {
    set_source_argb (cr, s->bg_color, 1.0);
    cairo_rectangle (cr, 0, 0, w, h);
    cairo_fill (cr);
  }

  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 2.0 * outline);

  if (shadow > 0) {
    cairo_save (cr);
    cairo_move_to (cr, m - ux0 + shadow, m - uy0 + shadow);
    pango_cairo_layout_path (cr, pl);
    cairo_set_source_rgba (cr, 0, 0, 0,
        0.6 * ((s->color >> 24) & 0xff) / 255.0);
    if (outline > 0)
      cairo_stroke_preserve (cr);
    cairo_fill (cr);
    cairo_restore (cr);
  }

  if (outline > 0) {
    cairo_move_to (cr, m - ux0, m - uy0);
    pango_cairo_layout_path (cr, pl);
    set_source_argb (cr, s->outline_color, 1.0);
    cairo_stroke (cr);
  }

  cairo_move_to (cr, m - ux0, m - uy0);
  set_source_argb (cr, s->color, 1.0);
  pango_cairo_show_layout (cr, pl);

  flu_layer_end (layer, cr, surface);
  g_object_unref (pl);
  GST_DEBUG_OBJECT (self, "rendered \"%s\" at %d,%d %ux%u", text, layer->x,
      layer->y, layer->w, layer->h);
}

static void
flu_overlay_render_logo (FluOverlay * self, const FluRenderJob * job,
    FluLayer * layer)
{
  const FluOverlaySettings *s = &job->s;
  cairo_surface_t *surface = NULL;
  cairo_pattern_t *pattern;
  cairo_t *cr;
  gint lw, lh, w, h, x, y;

  flu_layer_clear (layer);
  if (job->logo_surface == NULL)
    return;

  lw = cairo_image_surface_get_width (job->logo_surface);
  lh = cairo_image_surface_get_height (job->logo_surface);
  if (lw <= 0 || lh <= 0)
    return;

  w = s->logo_width;
  h = s->logo_height;
  if (w <= 0 && h <= 0) {
    w = lw;
    h = lh;
  } else if (w <= 0) {
    w = MAX (1, (gint) lround ((gdouble) lw * h / lh));
  } else if (h <= 0) {
    h = MAX (1, (gint) lround ((gdouble) lh * w / lw));
  }

  x = s->logo_x >= 0 ? s->logo_x :
      align_pos (GST_VIDEO_INFO_WIDTH (&job->info), w, s->xpad, s->logo_halign);
  y = s->logo_y >= 0 ? s->logo_y :
      align_pos (GST_VIDEO_INFO_HEIGHT (&job->info), h, s->ypad,
      s->logo_valign);

  cr = flu_layer_begin (&job->info, layer, x, y, w, h, &surface);
  if (cr == NULL)
    return;

  cairo_rectangle (cr, 0, 0, w, h);
  cairo_clip (cr);
  cairo_scale (cr, (gdouble) w / lw, (gdouble) h / lh);
  cairo_set_source_surface (cr, job->logo_surface, 0, 0);
  pattern = cairo_get_source (cr);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_GOOD);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);

  flu_layer_end (layer, cr, surface);
  GST_DEBUG_OBJECT (self, "rendered logo at %d,%d %ux%u", layer->x, layer->y,
      layer->w, layer->h);
}

/* Takes what the next refresh needs, if anything changed since the last
 * one: a changed property or caps, or a new second for the clock.  Object
 * lock held; returns FALSE when there is nothing to do. */
static gboolean
flu_overlay_take_job (FluOverlay * self, FluRenderJob * job)
{
  /* no clock work while nothing is shown; it catches up on the first frame
   * after `visible` is switched on again */
  gboolean want_clock = self->s.clock_format && *self->s.clock_format &&
      self->s.visible;
  gint64 now = want_clock ? g_get_real_time () / G_USEC_PER_SEC : -1;
  gboolean any = self->snapshot_dirty;
  guint i;

  if (!self->have_info)
    return FALSE;
  for (i = 0; i < N_LAYERS; i++)
    any |= self->dirty[i];
  /* the clock layer goes when the clock is switched off */
  if (!any && now == self->clock_second)
    return FALSE;

  memset (job, 0, sizeof (*job));
  flu_overlay_settings_copy (&job->s, &self->s);
  job->info = self->info;
  if (self->logo_surface)
    job->logo_surface = cairo_surface_reference (self->logo_surface);
  for (i = 0; i < N_LAYERS; i++) {
    job->dirty[i] = self->dirty[i];
    self->dirty[i] = FALSE;
  }
  job->snapshot_dirty = self->snapshot_dirty;
  self->snapshot_dirty = FALSE;
  job->clock_second = now;
  self->clock_second = now;
  return TRUE;
}

static void
flu_render_job_clear (FluRenderJob * job)
{
  flu_overlay_settings_clear (&job->s);
  if (job->logo_surface)
    cairo_surface_destroy (job->logo_surface);
  job->logo_surface = NULL;
}

/* The clock's text for the job's second; the layer is drawn again only
 * when the text changed. */
static void
flu_overlay_update_clock (FluOverlay * self, FluRenderJob * job)
{
  gchar buf[512];
  time_t t;
  struct tm tm;
  gsize len = 0;

  if (job->clock_second < 0) {
    if (self->clock_text) {
      g_clear_pointer (&self->clock_text, g_free);
      job->dirty[LAYER_CLOCK] = TRUE;
    }
    return;
  }
  t = (time_t) job->clock_second;
  if (localtime_r (&t, &tm))
    len = strftime (buf, sizeof (buf), job->s.clock_format, &tm);
  buf[len] = '\0';
  if (g_strcmp0 (buf, self->clock_text) != 0) {
    g_free (self->clock_text);
    self->clock_text = g_strdup (buf);
    job->dirty[LAYER_CLOCK] = TRUE;
  }
}

/* Brings the layers and the snapshot up to date.  Streaming thread, no
 * lock held.  Returns a warning to post, or NULL. */
static gchar *
flu_overlay_refresh (FluOverlay * self, FluRenderJob * job)
{
  const FluOverlaySettings *s = &job->s;
  gchar *warning = NULL;
  guint i;

  flu_overlay_update_clock (self, job);

  if (job->dirty[LAYER_LOGO])
    flu_overlay_render_logo (self, job, &self->layers[LAYER_LOGO]);
  if (job->dirty[LAYER_TEXT])
    flu_overlay_render_text (self, job, &self->layers[LAYER_TEXT],
        s->show_text ? s->text : NULL, TRUE, s->halign, s->valign,
        s->deltax, s->deltay, &warning);
  if (job->dirty[LAYER_CLOCK])
    flu_overlay_render_text (self, job, &self->layers[LAYER_CLOCK],
        self->clock_text, FALSE, s->clock_halign, s->clock_valign,
        s->clock_deltax, s->clock_deltay, &warning);

  for (i = 0; i < N_LAYERS; i++)
    job->snapshot_dirty |= job->dirty[i];
  if (!job->snapshot_dirty)
    return warning;
  flu_snapshot_unref (self->snapshot);
  self->snapshot = NULL;

  if (!s->visible || s->alpha <= 0.0)
    return warning;

  for (i = 0; i < N_LAYERS; i++) {
    FluLayer *layer = &self->layers[i];
    GstVideoOverlayRectangle *rect;
    FluSnapshot *snap;

    if (layer->rect == NULL)
      continue;

    if (self->snapshot == NULL) {
      snap = g_rc_box_new0 (FluSnapshot);
      snap->comp = gst_video_overlay_composition_new (NULL);
      snap->fast = flu_blend_format_is_fast (job->info.finfo);
      self->snapshot = snap;
    }
    snap = self->snapshot;

    if (s->alpha < 1.0) {
      rect = gst_video_overlay_rectangle_copy (layer->rect);
      gst_video_overlay_rectangle_set_global_alpha (rect, s->alpha);
    } else {
      rect = gst_video_overlay_rectangle_ref (layer->rect);
    }
    gst_video_overlay_composition_add_rectangle (snap->comp, rect);
    gst_video_overlay_rectangle_unref (rect);

    if (snap->fast) {
      FluBlendSource src = { layer->pixels, layer->x, layer->y, layer->w,
        layer->h
      };

      flu_blend_rect_build (&snap->rects[snap->n_rects++], &job->info,
          &src, s->alpha);
    }
  }
  return warning;
}

/* ------------------------------------------------------------------------
 * Logo loading
 * ------------------------------------------------------------------------ */

static cairo_surface_t *
flu_overlay_load_logo (const gchar * path, gchar ** why)
{
  cairo_surface_t *s;
  cairo_status_t status;

  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    *why = g_strdup_printf ("Logo file \"%s\" does not exist: set 'logo' to "
        "the path of a PNG file, or to \"\" for no logo.", path);
    return NULL;
  }
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    *why = g_strdup_printf ("Logo \"%s\" is a directory: set 'logo' to the "
        "path of a PNG file.", path);
    return NULL;
  }

  s = cairo_image_surface_create_from_png (path);
  status = cairo_surface_status (s);
  if (status != CAIRO_STATUS_SUCCESS) {
    *why = g_strdup_printf ("Could not load logo \"%s\" (%s): 'logo' must "
        "be a readable, valid PNG file.", path,
        cairo_status_to_string (status));
    cairo_surface_destroy (s);
    return NULL;
  }
  return s;
}

/* ------------------------------------------------------------------------
 * GstBaseTransform
 * ------------------------------------------------------------------------ */

static gboolean
flu_overlay_start (GstBaseTransform * trans)
{
  FluOverlay *self = FLU_OVERLAY (trans);
  cairo_surface_t *surface = NULL;
  gchar *path, *why = NULL;

  GST_OBJECT_LOCK (self);
  path = g_strdup (self->s.logo);
  GST_OBJECT_UNLOCK (self);

  if (path && *path) {
    surface = flu_overlay_load_logo (path, &why);
    if (surface == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", why),
          ("the 'logo' property is \"%s\"; the element cannot start", path));
      g_free (why);
      g_free (path);
      return FALSE;
    }
  }
  g_free (path);

  GST_OBJECT_LOCK (self);
  if (self->logo_surface)
    cairo_surface_destroy (self->logo_surface);
  self->logo_surface = surface;
  self->started = TRUE;
  self->clock_second = -1;
  flu_overlay_mark_dirty (self, TRUE, TRUE, TRUE);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
flu_overlay_stop (GstBaseTransform * trans)
{
  FluOverlay *self = FLU_OVERLAY (trans);
  guint i;

  GST_OBJECT_LOCK (self);
  self->started = FALSE;
  self->have_info = FALSE;
  if (self->logo_surface) {
    cairo_surface_destroy (self->logo_surface);
    self->logo_surface = NULL;
  }
  GST_OBJECT_UNLOCK (self);

  /* no buffer flows any more: the streaming thread's fields are ours */
  for (i = 0; i < N_LAYERS; i++)
    flu_layer_clear (&self->layers[i]);
  flu_snapshot_unref (self->snapshot);
  self->snapshot = NULL;
  g_clear_pointer (&self->clock_text, g_free);

  flu_snapshot_unref (self->cur);
  self->cur = NULL;
  return TRUE;
}

static GstCaps *
flu_overlay_transform_caps (GstBaseTransform * trans, GstPadDirection dir,
    GstCaps * caps, GstCaps * filter)
{
  GstCaps *res = gst_caps_new_empty ();
  GstCaps *extra = gst_caps_new_empty ();
  guint i, n = gst_caps_get_size (caps);

  /* Downstream: the same caps, or (second choice) the same caps with the
   * overlay composition feature, which we serve by attaching the meta.
   * Upstream: the same caps, or the caps without the feature. */
  for (i = 0; i < n; i++) {
    GstStructure *s = gst_caps_get_structure (caps, i);
    GstCapsFeatures *f = gst_caps_get_features (caps, i);
    gboolean has = f && !gst_caps_features_is_any (f) &&
        gst_caps_features_contains (f,
        GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION);
    GstCapsFeatures *nf;

    res = gst_caps_merge_structure_full (res, gst_structure_copy (s),
        f ? gst_caps_features_copy (f) : NULL);

    if (f && gst_caps_features_is_any (f))
      continue;
    if (dir == GST_PAD_SINK && !has) {
      nf = (f == NULL || gst_caps_features_is_equal (f,
              GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY)) ?
          gst_caps_features_new_empty () : gst_caps_features_copy (f);
      gst_caps_features_add (nf,
          GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION);
      extra = gst_caps_merge_structure_full (extra, gst_structure_copy (s), nf);
    } else if (dir == GST_PAD_SRC && has) {
      nf = gst_caps_features_copy (f);
      gst_caps_features_remove (nf,
          GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION);
      if (gst_caps_features_get_size (nf) == 0)
        gst_caps_features_add (nf, GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY);
      extra = gst_caps_merge_structure_full (extra, gst_structure_copy (s), nf);
    }
  }
  res = gst_caps_merge (res, extra);

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, res,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (res);
    res = tmp;
  }
  GST_LOG_OBJECT (trans, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      dir == GST_PAD_SINK ? "sink" : "src", caps, res);
  return res;
}

static gboolean
flu_overlay_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  FluOverlay *self = FLU_OVERLAY (trans);
  GstVideoInfo info;
  GstCapsFeatures *f;
  gboolean has_feature;

  if (!gst_video_info_from_caps (&info, incaps)) {
    GST_WARNING_OBJECT (self, "cannot parse caps %" GST_PTR_FORMAT, incaps);
    return FALSE;
  }
  f = gst_caps_get_features (outcaps, 0);
  has_feature = f && gst_caps_features_contains (f,
      GST_CAPS_FEATURE_META_GST_VIDEO_OVERLAY_COMPOSITION);

  GST_OBJECT_LOCK (self);
  self->info = info;
  self->have_info = TRUE;
  self->caps_has_feature = has_feature;
  self->need_alloc_check = TRUE;
  flu_overlay_mark_dirty (self, TRUE, TRUE, TRUE);
  GST_OBJECT_UNLOCK (self);

  /* The output is always the input buffer, with the overlay on it. */
  gst_base_transform_set_in_place (trans, TRUE);
  GST_DEBUG_OBJECT (self, "caps %" GST_PTR_FORMAT ", feature on output: %d",
      outcaps, has_feature);
  return TRUE;
}

static gboolean
flu_overlay_src_event (GstBaseTransform * trans, GstEvent * event)
{
  FluOverlay *self = FLU_OVERLAY (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_RECONFIGURE) {
    GST_OBJECT_LOCK (self);
    self->need_alloc_check = TRUE;
    GST_OBJECT_UNLOCK (self);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

/* Asks downstream whether it takes the overlay composition meta. */
static gboolean
flu_overlay_query_downstream (FluOverlay * self)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstCaps *caps = gst_pad_get_current_caps (trans->srcpad);
  GstQuery *query;
  gboolean res = FALSE;

  if (caps == NULL)
    return FALSE;
  query = gst_query_new_allocation (caps, FALSE);
  if (gst_pad_peer_query (trans->srcpad, query))
    res = gst_query_find_allocation_meta (query,
        GST_VIDEO_OVERLAY_COMPOSITION_META_API_TYPE, NULL);
  gst_query_unref (query);
  gst_caps_unref (caps);
  GST_DEBUG_OBJECT (self, "downstream takes the overlay meta: %d", res);
  return res;
}

static void
flu_overlay_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  FluOverlay *self = FLU_OVERLAY (trans);
  FluRenderJob job;
  gchar *warning = NULL;
  gboolean check, attach, have_job;

  GST_OBJECT_LOCK (self);
  check = self->need_alloc_check;
  self->need_alloc_check = FALSE;
  GST_OBJECT_UNLOCK (self);

  if (check) {
    gboolean has = flu_overlay_query_downstream (self);

    GST_OBJECT_LOCK (self);
    self->alloc_has_meta = has;
    GST_OBJECT_UNLOCK (self);
  }

  flu_snapshot_unref (self->cur);
  self->cur = NULL;

  GST_OBJECT_LOCK (self);
  have_job = flu_overlay_take_job (self, &job);
  attach = self->caps_has_feature || self->alloc_has_meta;
  GST_OBJECT_UNLOCK (self);

  /* Pango and Cairo work, when something changed, without the lock: a
   * property set from another thread never waits for a rendering */
  if (have_job) {
    warning = flu_overlay_refresh (self, &job);
    flu_render_job_clear (&job);
  }
  if (self->snapshot)
    self->cur = g_rc_box_acquire (self->snapshot);

  self->cur_attach = attach;
  gst_base_transform_set_passthrough (trans, self->cur == NULL);

  if (warning) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("%s", warning), (NULL));
    g_free (warning);
  }
}

static GstFlowReturn
flu_overlay_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  FluOverlay *self = FLU_OVERLAY (trans);
  FluSnapshot *snap = self->cur;
  GstVideoFrame frame;
  guint i;

  if (snap == NULL)
    return GST_FLOW_OK;

  if (self->cur_attach) {
    GstVideoOverlayCompositionMeta *meta =
        gst_buffer_get_video_overlay_composition_meta (buf);

    if (meta) {
      GstVideoOverlayComposition *merged =
          gst_video_overlay_composition_new (NULL);
      guint n = gst_video_overlay_composition_n_rectangles (meta->overlay);

      /* theirs below ours, the rectangles themselves shared */
      for (i = 0; i < n; i++)
        gst_video_overlay_composition_add_rectangle (merged,
            gst_video_overlay_composition_get_rectangle (meta->overlay, i));
      n = gst_video_overlay_composition_n_rectangles (snap->comp);
      for (i = 0; i < n; i++)
        gst_video_overlay_composition_add_rectangle (merged,
            gst_video_overlay_composition_get_rectangle (snap->comp, i));
      gst_buffer_remove_meta (buf, (GstMeta *) meta);
      gst_buffer_add_video_overlay_composition_meta (buf, merged);
      gst_video_overlay_composition_unref (merged);
    } else {
      gst_buffer_add_video_overlay_composition_meta (buf, snap->comp);
    }
    return GST_FLOW_OK;
  }

  GST_OBJECT_LOCK (self);
  if (!gst_video_frame_map (&frame, &self->info, buf, GST_MAP_READWRITE)) {
    GST_OBJECT_UNLOCK (self);
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Invalid video buffer."),
        ("could not map a buffer of %" G_GSIZE_FORMAT " bytes for caps",
            gst_buffer_get_size (buf)));
    return GST_FLOW_ERROR;
  }
  GST_OBJECT_UNLOCK (self);

  if (snap->fast) {
    for (i = 0; i < snap->n_rects; i++)
      flu_blend_rect_apply (&snap->rects[i], &frame);
  } else {
    gst_video_overlay_composition_blend (snap->comp, &frame);
  }
  gst_video_frame_unmap (&frame);
  return GST_FLOW_OK;
}

/* ------------------------------------------------------------------------
 * Properties
 * ------------------------------------------------------------------------ */

static void
flu_overlay_set_logo (FluOverlay * self, const gchar * path)
{
  cairo_surface_t *surface = NULL;
  gchar *why = NULL;
  gboolean started;
  guint serial;

  GST_OBJECT_LOCK (self);
  g_free (self->s.logo);
  self->s.logo = g_strdup (path ? path : "");
  started = self->started;
  serial = ++self->logo_serial;
  GST_OBJECT_UNLOCK (self);

  if (!started)
    return;                     /* loaded by start() */

  if (path && *path)
    surface = flu_overlay_load_logo (path, &why);

  GST_OBJECT_LOCK (self);
  if (serial == self->logo_serial && self->started) {
    if (self->logo_surface)
      cairo_surface_destroy (self->logo_surface);
    self->logo_surface = surface;
    surface = NULL;
    flu_overlay_mark_dirty (self, TRUE, FALSE, FALSE);
  }
  GST_OBJECT_UNLOCK (self);

  if (surface)
    cairo_surface_destroy (surface);
  if (why) {
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ, ("%s", why),
        ("the 'logo' property was set to \"%s\" while running; no logo is "
            "shown until a loadable one is set", path));
    g_free (why);
  }
}

static void
flu_overlay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluOverlay *self = FLU_OVERLAY (object);

  if (prop_id == PROP_LOGO) {
    flu_overlay_set_logo (self, g_value_get_string (value));
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TEXT:
      g_free (self->s.text);
      self->s.text = g_value_dup_string (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, FALSE);
      break;
    case PROP_SHOW_TEXT:
      self->s.show_text = g_value_get_boolean (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, FALSE);
      break;
    case PROP_FONT_DESC:
    case PROP_FONT:
      g_free (self->s.font_desc);
      self->s.font_desc = g_value_dup_string (value);
      if (self->s.font_desc == NULL)
        self->s.font_desc = g_strdup (DEFAULT_FONT_DESC);
      flu_overlay_mark_dirty (self, FALSE, TRUE, TRUE);
      break;
    case PROP_COLOR:
      self->s.color = g_value_get_uint (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, TRUE);
      break;
    case PROP_OUTLINE_COLOR:
      self->s.outline_color = g_value_get_uint (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, TRUE);
      break;
    case PROP_SHADOW:
      self->s.shadow = g_value_get_boolean (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, TRUE);
      break;
    case PROP_HALIGN:
      self->s.halign = g_value_get_enum (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, FALSE);
      break;
    case PROP_VALIGN:
      self->s.valign = g_value_get_enum (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, FALSE);
      break;
    case PROP_XPAD:
      self->s.xpad = g_value_get_int (value);
      flu_overlay_mark_dirty (self, TRUE, TRUE, TRUE);
      break;
    case PROP_YPAD:
      self->s.ypad = g_value_get_int (value);
      flu_overlay_mark_dirty (self, TRUE, TRUE, TRUE);
      break;
    case PROP_DELTAX:
      self->s.deltax = g_value_get_int (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, FALSE);
      break;
    case PROP_DELTAY:
      self->s.deltay = g_value_get_int (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, FALSE);
      break;
    case PROP_BG_COLOR:
      self->s.bg_color = g_value_get_uint (value);
      flu_overlay_mark_dirty (self, FALSE, TRUE, TRUE);
      break;
    case PROP_CLOCK_FORMAT:
      g_free (self->s.clock_format);
      self->s.clock_format = g_value_dup_string (value);
      self->clock_second = -1;
      flu_overlay_mark_dirty (self, FALSE, FALSE, TRUE);
      break;
    case PROP_CLOCK_HALIGN:
      self->s.clock_halign = g_value_get_enum (value);
      flu_overlay_mark_dirty (self, FALSE, FALSE, TRUE);
      break;
    case PROP_CLOCK_VALIGN:
      self->s.clock_valign = g_value_get_enum (value);
      flu_overlay_mark_dirty (self, FALSE, FALSE, TRUE);
      break;
    case PROP_CLOCK_DELTAX:
      self->s.clock_deltax = g_value_get_int (value);
      flu_overlay_mark_dirty (self, FALSE, FALSE, TRUE);
      break;
    case PROP_CLOCK_DELTAY:
      self->s.clock_deltay = g_value_get_int (value);
      flu_overlay_mark_dirty (self, FALSE, FALSE, TRUE);
      break;
    case PROP_LOGO_X:
      self->s.logo_x = g_value_get_int (value);
      flu_overlay_mark_dirty (self, TRUE, FALSE, FALSE);
      break;
    case PROP_LOGO_Y:
      self->s.logo_y = g_value_get_int (value);
      flu_overlay_mark_dirty (self, TRUE, FALSE, FALSE);
      break;
    case PROP_LOGO_HALIGN:
      self->s.logo_halign = g_value_get_enum (value);
      flu_overlay_mark_dirty (self, TRUE, FALSE, FALSE);
      break;
    case PROP_LOGO_VALIGN:
      self->s.logo_valign = g_value_get_enum (value);
      flu_overlay_mark_dirty (self, TRUE, FALSE, FALSE);
      break;
    case PROP_LOGO_WIDTH:
      self->s.logo_width = g_value_get_int (value);
      flu_overlay_mark_dirty (self, TRUE, FALSE, FALSE);
      break;
    case PROP_LOGO_HEIGHT:
      self->s.logo_height = g_value_get_int (value);
      flu_overlay_mark_dirty (self, TRUE, FALSE, FALSE);
      break;
    case PROP_ALPHA:
      self->s.alpha = g_value_get_double (value);
      self->snapshot_dirty = TRUE;
      break;
    case PROP_VISIBLE:
      self->s.visible = g_value_get_boolean (value);
      self->snapshot_dirty = TRUE;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
flu_overlay_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FluOverlay *self = FLU_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_TEXT:
      g_value_set_string (value, self->s.text);
      break;
    case PROP_SHOW_TEXT:
      g_value_set_boolean (value, self->s.show_text);
      break;
    case PROP_FONT_DESC:
    case PROP_FONT:
      g_value_set_string (value, self->s.font_desc);
      break;
    case PROP_COLOR:
      g_value_set_uint (value, self->s.color);
      break;
    case PROP_OUTLINE_COLOR:
      g_value_set_uint (value, self->s.outline_color);
      break;
    case PROP_SHADOW:
      g_value_set_boolean (value, self->s.shadow);
      break;
    case PROP_HALIGN:
      g_value_set_enum (value, self->s.halign);
      break;
    case PROP_VALIGN:
      g_value_set_enum (value, self->s.valign);
      break;
    case PROP_XPAD:
      g_value_set_int (value, self->s.xpad);
      break;
    case PROP_YPAD:
      g_value_set_int (value, self->s.ypad);
      break;
    case PROP_DELTAX:
      g_value_set_int (value, self->s.deltax);
      break;
    case PROP_DELTAY:
      g_value_set_int (value, self->s.deltay);
      break;
    case PROP_BG_COLOR:
      g_value_set_uint (value, self->s.bg_color);
      break;
    case PROP_CLOCK_FORMAT:
      g_value_set_string (value, self->s.clock_format);
      break;
    case PROP_CLOCK_HALIGN:
      g_value_set_enum (value, self->s.clock_halign);
      break;
    case PROP_CLOCK_VALIGN:
      g_value_set_enum (value, self->s.clock_valign);
      break;
    case PROP_CLOCK_DELTAX:
      g_value_set_int (value, self->s.clock_deltax);
      break;
    case PROP_CLOCK_DELTAY:
      g_value_set_int (value, self->s.clock_deltay);
      break;
    case PROP_LOGO:
      g_value_set_string (value, self->s.logo);
      break;
    case PROP_LOGO_X:
      g_value_set_int (value, self->s.logo_x);
      break;
    case PROP_LOGO_Y:
      g_value_set_int (value, self->s.logo_y);
      break;
    case PROP_LOGO_HALIGN:
      g_value_set_enum (value, self->s.logo_halign);
      break;
    case PROP_LOGO_VALIGN:
      g_value_set_enum (value, self->s.logo_valign);
      break;
    case PROP_LOGO_WIDTH:
      g_value_set_int (value, self->s.logo_width);
      break;
    case PROP_LOGO_HEIGHT:
      g_value_set_int (value, self->s.logo_height);
      break;
    case PROP_ALPHA:
      g_value_set_double (value, self->s.alpha);
      break;
    case PROP_VISIBLE:
      g_value_set_boolean (value, self->s.visible);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ------------------------------------------------------------------------
 * GObject
 * ------------------------------------------------------------------------ */

static void
flu_overlay_finalize (GObject * object)
{
  FluOverlay *self = FLU_OVERLAY (object);
  guint i;

  for (i = 0; i < N_LAYERS; i++)
    flu_layer_clear (&self->layers[i]);
  flu_snapshot_unref (self->snapshot);
  flu_snapshot_unref (self->cur);
  if (self->logo_surface)
    cairo_surface_destroy (self->logo_surface);
  g_clear_object (&self->pango);
  g_clear_object (&self->fontmap);
  flu_overlay_settings_clear (&self->s);
  g_free (self->clock_text);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

#define PARAM_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_PLAYING)

static void
flu_overlay_class_init (FluOverlayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->set_property = flu_overlay_set_property;
  gobject_class->get_property = flu_overlay_get_property;
  gobject_class->finalize = flu_overlay_finalize;

  g_object_class_install_property (gobject_class, PROP_TEXT,
      g_param_spec_string ("text", "Text",
          "Text to show; Pango markup is allowed (invalid markup posts a "
          "warning and is shown as plain text). Empty: no text",
          DEFAULT_TEXT, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_SHOW_TEXT,
      g_param_spec_boolean ("show-text", "Show text",
          "Whether the text layer is shown (Flumotion's overlay property "
          "name; the clock and logo are not affected)",
          DEFAULT_SHOW_TEXT, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_FONT_DESC,
      g_param_spec_string ("font-desc", "Font description",
          "Pango font description of the text and the clock, e.g. "
          "\"Sans Bold 24\"; the size is in pixels (0 means 24)",
          DEFAULT_FONT_DESC, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_FONT,
      g_param_spec_string ("font", "Font",
          "Alias of font-desc (Flumotion's overlay property name)",
          DEFAULT_FONT_DESC, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_COLOR,
      g_param_spec_uint ("color", "Color",
          "Colour of the text and the clock, as 0xAARRGGBB",
          0, G_MAXUINT32, DEFAULT_COLOR, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_OUTLINE_COLOR,
      g_param_spec_uint ("outline-color", "Outline color",
          "Colour of the outline around the glyphs, as 0xAARRGGBB; a zero "
          "alpha draws no outline", 0, G_MAXUINT32, DEFAULT_OUTLINE_COLOR,
          PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_SHADOW,
      g_param_spec_boolean ("shadow", "Shadow",
          "Draw a drop shadow (black, 60% of the text's opacity) below "
          "and right of the text and the clock", DEFAULT_SHADOW, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_HALIGN,
      g_param_spec_enum ("halignment", "Horizontal alignment",
          "Horizontal alignment of the text box",
          FLU_TYPE_OVERLAY_HALIGN, DEFAULT_HALIGN, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_VALIGN,
      g_param_spec_enum ("valignment", "Vertical alignment",
          "Vertical alignment of the text box",
          FLU_TYPE_OVERLAY_VALIGN, DEFAULT_VALIGN, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_XPAD,
      g_param_spec_int ("xpad", "Horizontal padding",
          "Distance in pixels between the left or right frame edge and "
          "what is aligned against it (text, clock, logo)",
          0, MAX_PAD, DEFAULT_XPAD, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_YPAD,
      g_param_spec_int ("ypad", "Vertical padding",
          "Distance in pixels between the top or bottom frame edge and "
          "what is aligned against it (text, clock, logo)",
          0, MAX_PAD, DEFAULT_YPAD, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_DELTAX,
      g_param_spec_int ("deltax", "Text x shift",
          "Pixels to move the text box right (negative: left) after "
          "alignment", -MAX_DELTA, MAX_DELTA, DEFAULT_DELTA, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_DELTAY,
      g_param_spec_int ("deltay", "Text y shift",
          "Pixels to move the text box down (negative: up) after "
          "alignment", -MAX_DELTA, MAX_DELTA, DEFAULT_DELTA, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_BG_COLOR,
      g_param_spec_uint ("background-color", "Background color",
          "Colour of a box behind the text and the clock, as 0xAARRGGBB; "
          "a zero alpha draws no box", 0, G_MAXUINT32, DEFAULT_BG_COLOR,
          PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_CLOCK_FORMAT,
      g_param_spec_string ("clock-format", "Clock format",
          "strftime(3) format of a wall clock (local time), re-rendered "
          "when the formatted string changes; empty: no clock",
          DEFAULT_CLOCK_FORMAT, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_CLOCK_HALIGN,
      g_param_spec_enum ("clock-halignment", "Clock horizontal alignment",
          "Horizontal alignment of the clock box",
          FLU_TYPE_OVERLAY_HALIGN, DEFAULT_CLOCK_HALIGN, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_CLOCK_VALIGN,
      g_param_spec_enum ("clock-valignment", "Clock vertical alignment",
          "Vertical alignment of the clock box",
          FLU_TYPE_OVERLAY_VALIGN, DEFAULT_CLOCK_VALIGN, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_CLOCK_DELTAX,
      g_param_spec_int ("clock-deltax", "Clock x shift",
          "Pixels to move the clock box right (negative: left) after "
          "alignment", -MAX_DELTA, MAX_DELTA, DEFAULT_DELTA, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_CLOCK_DELTAY,
      g_param_spec_int ("clock-deltay", "Clock y shift",
          "Pixels to move the clock box down (negative: up) after "
          "alignment", -MAX_DELTA, MAX_DELTA, DEFAULT_DELTA, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LOGO,
      g_param_spec_string ("logo", "Logo",
          "Path of a PNG image to show; empty: no logo. A missing or broken "
          "file is an error when the element starts and a warning (no "
          "logo shown) when set while running", DEFAULT_LOGO, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LOGO_X,
      g_param_spec_int ("logo-x", "Logo x",
          "X of the logo's top-left corner in pixels; -1: use "
          "logo-halignment and xpad", -1, G_MAXINT, DEFAULT_LOGO_POS,
          PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LOGO_Y,
      g_param_spec_int ("logo-y", "Logo y",
          "Y of the logo's top-left corner in pixels; -1: use "
          "logo-valignment and ypad", -1, G_MAXINT, DEFAULT_LOGO_POS,
          PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LOGO_HALIGN,
      g_param_spec_enum ("logo-halignment", "Logo horizontal alignment",
          "Horizontal alignment of the logo when logo-x is -1",
          FLU_TYPE_OVERLAY_HALIGN, DEFAULT_LOGO_HALIGN, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LOGO_VALIGN,
      g_param_spec_enum ("logo-valignment", "Logo vertical alignment",
          "Vertical alignment of the logo when logo-y is -1",
          FLU_TYPE_OVERLAY_VALIGN, DEFAULT_LOGO_VALIGN, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LOGO_WIDTH,
      g_param_spec_int ("logo-width", "Logo width",
          "Width to scale the logo to in pixels; 0: the PNG's width, or "
          "keep the aspect ratio when only logo-height is set",
          0, MAX_LOGO_SIZE, DEFAULT_LOGO_SIZE, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LOGO_HEIGHT,
      g_param_spec_int ("logo-height", "Logo height",
          "Height to scale the logo to in pixels; 0: the PNG's height, or "
          "keep the aspect ratio when only logo-width is set",
          0, MAX_LOGO_SIZE, DEFAULT_LOGO_SIZE, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_ALPHA,
      g_param_spec_double ("alpha", "Alpha",
          "Opacity of the whole overlay (0: invisible, 1: as drawn)",
          0.0, 1.0, DEFAULT_ALPHA, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_VISIBLE,
      g_param_spec_boolean ("visible", "Visible",
          "Whether the overlay is shown at all; when off the element is in "
          "passthrough", DEFAULT_VISIBLE, PARAM_FLAGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Flumotion overlay", "Filter/Effect/Video",
      "Text (Pango markup), wall clock and PNG logo overlay, attached as "
      "overlay composition meta or blended only where drawn",
      "gst-flumotion developers");

  trans_class->start = GST_DEBUG_FUNCPTR (flu_overlay_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (flu_overlay_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (flu_overlay_transform_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (flu_overlay_set_caps);
  trans_class->src_event = GST_DEBUG_FUNCPTR (flu_overlay_src_event);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (flu_overlay_before_transform);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (flu_overlay_transform_ip);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;

  gst_type_mark_as_plugin_api (FLU_TYPE_OVERLAY_HALIGN, 0);
  gst_type_mark_as_plugin_api (FLU_TYPE_OVERLAY_VALIGN, 0);
}

static void
flu_overlay_init (FluOverlay * self)
{
  self->s.text = g_strdup (DEFAULT_TEXT);
  self->s.show_text = DEFAULT_SHOW_TEXT;
  self->s.font_desc = g_strdup (DEFAULT_FONT_DESC);
  self->s.color = DEFAULT_COLOR;
  self->s.outline_color = DEFAULT_OUTLINE_COLOR;
  self->s.shadow = DEFAULT_SHADOW;
  self->s.halign = DEFAULT_HALIGN;
  self->s.valign = DEFAULT_VALIGN;
  self->s.xpad = DEFAULT_XPAD;
  self->s.ypad = DEFAULT_YPAD;
  self->s.deltax = self->s.deltay = DEFAULT_DELTA;
  self->s.bg_color = DEFAULT_BG_COLOR;
  self->s.clock_format = g_strdup (DEFAULT_CLOCK_FORMAT);
  self->s.clock_halign = DEFAULT_CLOCK_HALIGN;
  self->s.clock_valign = DEFAULT_CLOCK_VALIGN;
  self->s.clock_deltax = self->s.clock_deltay = DEFAULT_DELTA;
  self->s.logo = g_strdup (DEFAULT_LOGO);
  self->s.logo_x = self->s.logo_y = DEFAULT_LOGO_POS;
  self->s.logo_halign = DEFAULT_LOGO_HALIGN;
  self->s.logo_valign = DEFAULT_LOGO_VALIGN;
  self->s.logo_width = self->s.logo_height = DEFAULT_LOGO_SIZE;
  self->s.alpha = DEFAULT_ALPHA;
  self->s.visible = DEFAULT_VISIBLE;
  self->clock_second = -1;
  gst_video_info_init (&self->info);
}
