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

/* FluGdpPay: the GDP payloader inside flufeedsink.  Wire-compatible with
 * gdppay (gdpdepay reads it), with one difference that matters for a
 * fan-out: each packet keeps the keyframe (DELTA_UNIT), header flags and
 * timestamps of the frame it carries, so the fan-out can start a new
 * reader at a keyframe.  Stock gdppay drops those flags.  Not registered
 * as a plugin feature: flufeedsink creates it with g_object_new(). */

#ifndef __FLU_GDP_PAY_H__
#define __FLU_GDP_PAY_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define FLU_TYPE_GDP_PAY (flu_gdp_pay_get_type ())
G_DECLARE_FINAL_TYPE (FluGdpPay, flu_gdp_pay, FLU, GDP_PAY, GstElement);

G_END_DECLS

#endif /* __FLU_GDP_PAY_H__ */
