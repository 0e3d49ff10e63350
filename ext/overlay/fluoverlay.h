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

#ifndef __FLU_OVERLAY_H__
#define __FLU_OVERLAY_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include <pango/pangocairo.h>
#include <cairo.h>

G_BEGIN_DECLS

#define FLU_TYPE_OVERLAY (flu_overlay_get_type ())
G_DECLARE_FINAL_TYPE (FluOverlay, flu_overlay, FLU, OVERLAY, GstBaseTransform)

/**
 * FluOverlayHAlign:
 * @FLU_OVERLAY_HALIGN_LEFT: against the left edge (plus the x padding)
 * @FLU_OVERLAY_HALIGN_CENTER: centred horizontally
 * @FLU_OVERLAY_HALIGN_RIGHT: against the right edge (minus the x padding)
 */
typedef enum
{
  FLU_OVERLAY_HALIGN_LEFT,
  FLU_OVERLAY_HALIGN_CENTER,
  FLU_OVERLAY_HALIGN_RIGHT
} FluOverlayHAlign;

/**
 * FluOverlayVAlign:
 * @FLU_OVERLAY_VALIGN_TOP: against the top edge (plus the y padding)
 * @FLU_OVERLAY_VALIGN_CENTER: centred vertically
 * @FLU_OVERLAY_VALIGN_BOTTOM: against the bottom edge (minus the y padding)
 */
typedef enum
{
  FLU_OVERLAY_VALIGN_TOP,
  FLU_OVERLAY_VALIGN_CENTER,
  FLU_OVERLAY_VALIGN_BOTTOM
} FluOverlayVAlign;

#define FLU_TYPE_OVERLAY_HALIGN (flu_overlay_halign_get_type ())
GType flu_overlay_halign_get_type (void);
#define FLU_TYPE_OVERLAY_VALIGN (flu_overlay_valign_get_type ())
GType flu_overlay_valign_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (fluoverlay);

G_END_DECLS

#endif /* __FLU_OVERLAY_H__ */
