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

#include <gst/gst.h>

#include "fluhttpsink.h"
#include "flufanoutsink.h"
#include "fluhlssink.h"
#include "fluondemand.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  flu_fanout_init ();
  return gst_element_register (plugin, "fluhttpsink", GST_RANK_NONE,
      FLU_TYPE_HTTP_SINK) && gst_element_register (plugin, "fluhlssink",
      GST_RANK_NONE, FLU_TYPE_HLS_SINK) && gst_element_register (plugin,
      "fluondemand", GST_RANK_NONE, FLU_TYPE_ON_DEMAND);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, fluhttp,
    "gst-flumotion HTTP streamers: progressive (libsoup-3.0 front, "
    "flumultifdsink behind) and HLS/LL-HLS from memory",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
