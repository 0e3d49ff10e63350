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

#ifndef __FLU_ON_DEMAND_H__
#define __FLU_ON_DEMAND_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define FLU_TYPE_ON_DEMAND (flu_on_demand_get_type ())
G_DECLARE_FINAL_TYPE (FluOnDemand, flu_on_demand, FLU, ON_DEMAND, GstElement)

G_END_DECLS

#endif /* __FLU_ON_DEMAND_H__ */
