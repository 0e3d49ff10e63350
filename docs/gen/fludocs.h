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

/* gst-flumotion's plugin reference generator: introspects the plugins of
 * the build through the GStreamer registry and writes markdown pages and a
 * JSON cache (docs/plugins/).  fludocs.c walks the registry and holds the
 * helpers shared by the two writers, fludocsmd.c and fludocsjson.c. */

#ifndef __FLU_DOCS_H__
#define __FLU_DOCS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* The element's SECTION doc comment from the sources, split into prose
 * (markdown) and example code blocks. */
typedef struct
{
  gchar *prose;                 /* NULL when there is no SECTION comment */
  GPtrArray *examples;          /* gchar*, code without the |[ ]| */
} FluDocsSection;

/* Properties and signals the element class defines itself or gets from
 * an ancestor of this project (not the stock GStreamer/GLib classes). */
GPtrArray *flu_docs_own_properties (GType type);
GArray *flu_docs_own_signals (GType type);
gboolean flu_docs_is_own_type (GType type);

gchar *flu_docs_default (GParamSpec * p);
gboolean flu_docs_range (GParamSpec * p, gchar ** min, gchar ** max);
gchar *flu_docs_flags (GParamSpec * p);
const gchar *flu_docs_type_name (GType type);
gchar *flu_docs_hierarchy (GType type, const gchar * sep);
const gchar *flu_docs_presence (GstPadPresence p);
const gchar *flu_docs_direction (GstPadDirection d);
const gchar *flu_docs_rank (guint rank);

/* Enum and flags types used by these properties and signals, sorted by
 * name, without duplicates. */
GPtrArray *flu_docs_enum_types (GPtrArray * props, GArray * signals);
/* One value of an enum or flags type. */
typedef struct
{
  guint value;                  /* enums: the gint value cast */
  const gchar *name;
  const gchar *nick;
} FluDocsValue;

/* The values of enum or flags type @t (FluDocsValue items). */
GArray *flu_docs_values (GType t);

/* g_ptr_array_sort() function for GTypes stored with GSIZE_TO_POINTER */
gint flu_docs_compare_types (gconstpointer a, gconstpointer b);

FluDocsSection *flu_docs_section (const gchar * source_root,
    const gchar * element);
void flu_docs_section_free (FluDocsSection * s);

/* Writers: each returns FALSE (with a message on stderr) on error. */
gboolean flu_docs_write_markdown (GPtrArray * plugins,
    const gchar * source_root, const gchar * outdir);
gboolean flu_docs_write_json (GPtrArray * plugins, const gchar * source_root,
    const gchar * path);

/* Sorted element factories of @plugin. */
GPtrArray *flu_docs_factories (GstPlugin * plugin);

G_END_DECLS

#endif /* __FLU_DOCS_H__ */
