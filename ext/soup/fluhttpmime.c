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

#include "fluhttpmime.h"

/* caps names that are not the Content-Type browsers and players expect */
static const struct
{
  const gchar *caps;
  const gchar *mime;
} renames[] = {
  {"video/mpegts", "video/mp2t"},
  {"audio/x-flac", "audio/flac"},
};

gchar *
flu_http_content_type_from_caps (const GstCaps * caps)
{
  const GstStructure *s;
  const gchar *name;
  guint i;

  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return g_strdup ("application/octet-stream");
  s = gst_caps_get_structure (caps, 0);
  name = gst_structure_get_name (s);

  if (g_str_equal (name, "audio/mpeg")) {
    gint version = 1;

    gst_structure_get_int (s, "mpegversion", &version);
    return g_strdup (version == 1 ? "audio/mpeg" : "audio/aac");
  }
  if (g_str_equal (name, "multipart/x-mixed-replace")) {
    const gchar *boundary = gst_structure_get_string (s, "boundary");

    /* multipartmux's default boundary */
    return g_strdup_printf ("multipart/x-mixed-replace;boundary=%s",
        boundary ? boundary : "ThisRandomString");
  }
  for (i = 0; i < G_N_ELEMENTS (renames); i++)
    if (g_str_equal (name, renames[i].caps))
      return g_strdup (renames[i].mime);
  return g_strdup (name);
}
