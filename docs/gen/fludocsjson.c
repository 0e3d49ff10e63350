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

/* gst_plugins_cache.json: the same data as the markdown pages, laid out
 * like GStreamer's own plugin cache (plugin -> elements -> properties,
 * signals, pad-templates; other-types for enums and flags), keys sorted. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fludocs.h"

#include <string.h>

#define MAX_DEPTH 16

typedef struct
{
  GString *out;
  gint depth;
  gboolean empty[MAX_DEPTH];
} Json;

static void
newline (Json * j)
{
  gint i;

  g_string_append_c (j->out, '\n');
  for (i = 0; i < j->depth; i++)
    g_string_append (j->out, "    ");
}

static void
string (Json * j, const gchar * v)
{
  const guchar *p;

  if (v == NULL) {
    g_string_append (j->out, "null");
    return;
  }
  g_string_append_c (j->out, '"');
  for (p = (const guchar *) v; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (j->out, "\\%c", *p);
    else if (*p == '\n')
      g_string_append (j->out, "\\n");
    else if (*p < 0x20)
      g_string_append_printf (j->out, "\\u%04x", *p);
    else
      g_string_append_c (j->out, *p);
  }
  g_string_append_c (j->out, '"');
}

/* starts a member (@key) or an array item (@key NULL) */
static void
item (Json * j, const gchar * key)
{
  if (!j->empty[j->depth])
    g_string_append_c (j->out, ',');
  j->empty[j->depth] = FALSE;
  newline (j);
  if (key) {
    string (j, key);
    g_string_append (j->out, ": ");
  }
}

static void
open_ (Json * j, const gchar * key, gchar bracket)
{
  if (j->depth >= 0)
    item (j, key);
  g_string_append_c (j->out, bracket);
  j->depth++;
  g_assert (j->depth < MAX_DEPTH);
  j->empty[j->depth] = TRUE;
}

static void
close_ (Json * j, gchar bracket)
{
  gboolean was_empty = j->empty[j->depth];

  j->depth--;
  if (!was_empty)
    newline (j);
  g_string_append_c (j->out, bracket);
}

static void
member (Json * j, const gchar * key, const gchar * v)
{
  item (j, key);
  string (j, v);
}

static void
member_take (Json * j, const gchar * key, gchar * v)
{
  member (j, key, v);
  g_free (v);
}

static void
member_bool (Json * j, const gchar * key, gboolean v)
{
  item (j, key);
  g_string_append (j->out, v ? "true" : "false");
}

static const gchar *
mutable_name (GParamSpec * p)
{
  return p->flags & GST_PARAM_MUTABLE_PLAYING ? "playing" :
      p->flags & GST_PARAM_MUTABLE_PAUSED ? "paused" :
      p->flags & GST_PARAM_MUTABLE_READY ? "ready" : "null";
}

static void
write_property (Json * j, GParamSpec * p)
{
  gchar *min = NULL, *max = NULL;
  gboolean range = flu_docs_range (p, &min, &max);

  open_ (j, p->name, '{');
  member (j, "blurb", g_param_spec_get_blurb (p));
  member_bool (j, "conditionally-available", FALSE);
  member_bool (j, "construct", !!(p->flags & G_PARAM_CONSTRUCT));
  member_bool (j, "construct-only", !!(p->flags & G_PARAM_CONSTRUCT_ONLY));
  member_bool (j, "controllable", !!(p->flags & GST_PARAM_CONTROLLABLE));
  member_take (j, "default", flu_docs_default (p));
  if (range)
    member_take (j, "max", max);
  if (range)
    member_take (j, "min", min);
  member (j, "mutable", mutable_name (p));
  member_bool (j, "readable", !!(p->flags & G_PARAM_READABLE));
  member (j, "type", g_type_name (p->value_type));
  member_bool (j, "writable", !!(p->flags & G_PARAM_WRITABLE));
  close_ (j, '}');
}

static void
write_signal (Json * j, guint id)
{
  GSignalQuery q;
  guint i;

  g_signal_query (id, &q);
  open_ (j, q.signal_name, '{');
  if (q.signal_flags & G_SIGNAL_ACTION)
    member_bool (j, "action", TRUE);
  open_ (j, "args", '[');
  for (i = 0; i < q.n_params; i++) {
    open_ (j, NULL, '{');
    member_take (j, "name", g_strdup_printf ("arg%u", i));
    member (j, "type", flu_docs_type_name (q.param_types[i]));
    close_ (j, '}');
  }
  close_ (j, ']');
  member (j, "return-type", flu_docs_type_name (q.return_type));
  member (j, "when", q.signal_flags & G_SIGNAL_RUN_FIRST ? "first" :
      q.signal_flags & G_SIGNAL_RUN_LAST ? "last" : "cleanup");
  close_ (j, '}');
}

static void
write_type (Json * j, GType t)
{
  GArray *values = flu_docs_values (t);
  guint i;

  open_ (j, g_type_name (t), '{');
  member (j, "kind", G_TYPE_IS_ENUM (t) ? "enum" : "flags");
  open_ (j, "values", '[');
  for (i = 0; i < values->len; i++) {
    FluDocsValue *v = &g_array_index (values, FluDocsValue, i);

    open_ (j, NULL, '{');
    member (j, "desc", v->name);
    member (j, "name", v->nick);
    member_take (j, "value", g_strdup_printf ("%d", (gint) v->value));
    close_ (j, '}');
  }
  close_ (j, ']');
  close_ (j, '}');
  g_array_unref (values);
}

static void
write_element (Json * j, GstElementFactory * f, GPtrArray * other_types)
{
  GType type = gst_element_factory_get_element_type (f);
  GPtrArray *props = flu_docs_own_properties (type);
  GArray *signals = flu_docs_own_signals (type);
  GPtrArray *enums = flu_docs_enum_types (props, signals);
  const GList *l;
  GType t;
  guint i;

  open_ (j, GST_OBJECT_NAME (f), '{');
  member (j, "author", gst_element_factory_get_metadata (f,
          GST_ELEMENT_METADATA_AUTHOR));
  member (j, "description", gst_element_factory_get_metadata (f,
          GST_ELEMENT_METADATA_DESCRIPTION));
  open_ (j, "hierarchy", '[');
  for (t = type; t; t = g_type_parent (t)) {
    item (j, NULL);
    string (j, g_type_name (t));
  }
  close_ (j, ']');
  member (j, "klass", gst_element_factory_get_metadata (f,
          GST_ELEMENT_METADATA_KLASS));
  member (j, "long-name", gst_element_factory_get_metadata (f,
          GST_ELEMENT_METADATA_LONGNAME));
  open_ (j, "pad-templates", '{');
  for (l = gst_element_factory_get_static_pad_templates (f); l; l = l->next) {
    GstStaticPadTemplate *pt = l->data;

    open_ (j, pt->name_template, '{');
    member (j, "caps", pt->static_caps.string);
    member (j, "direction", flu_docs_direction (pt->direction));
    member (j, "presence", flu_docs_presence (pt->presence));
    close_ (j, '}');
  }
  close_ (j, '}');
  open_ (j, "properties", '{');
  for (i = 0; i < props->len; i++)
    write_property (j, g_ptr_array_index (props, i));
  close_ (j, '}');
  member (j, "rank", flu_docs_rank (gst_plugin_feature_get_rank
          (GST_PLUGIN_FEATURE (f))));
  open_ (j, "signals", '{');
  for (i = 0; i < signals->len; i++)
    write_signal (j, g_array_index (signals, guint, i));
  close_ (j, '}');
  close_ (j, '}');
  for (i = 0; i < enums->len; i++)
    if (!g_ptr_array_find (other_types, enums->pdata[i], NULL))
      g_ptr_array_add (other_types, enums->pdata[i]);
  g_ptr_array_unref (props);
  g_array_unref (signals);
  g_ptr_array_unref (enums);
}

static void
write_plugin (Json * j, GstPlugin * plugin)
{
  GPtrArray *factories = flu_docs_factories (plugin);
  GPtrArray *other_types = g_ptr_array_new ();
  const gchar *file = gst_plugin_get_filename (plugin);
  gchar *base = g_path_get_basename (file ? file : "");
  guint i;

  open_ (j, gst_plugin_get_name (plugin), '{');
  member (j, "description", gst_plugin_get_description (plugin));
  open_ (j, "elements", '{');
  for (i = 0; i < factories->len; i++)
    write_element (j, g_ptr_array_index (factories, i), other_types);
  close_ (j, '}');
  if (g_str_has_prefix (base, "lib"))
    memmove (base, base + 3, strlen (base) - 2);
  if (g_str_has_suffix (base, ".so"))
    base[strlen (base) - 3] = '\0';
  member (j, "filename", base);
  member (j, "license", gst_plugin_get_license (plugin));
  open_ (j, "other-types", '{');
  g_ptr_array_sort (other_types, flu_docs_compare_types);
  for (i = 0; i < other_types->len; i++)
    write_type (j, GPOINTER_TO_SIZE (g_ptr_array_index (other_types, i)));
  close_ (j, '}');
  member (j, "package", gst_plugin_get_package (plugin));
  member (j, "source", gst_plugin_get_source (plugin));
  open_ (j, "tracers", '{');
  close_ (j, '}');
  member (j, "url", gst_plugin_get_origin (plugin));
  close_ (j, '}');
  g_free (base);
  g_ptr_array_unref (other_types);
  g_ptr_array_unref (factories);
}

gboolean
flu_docs_write_json (GPtrArray * plugins, const gchar * source_root,
    const gchar * path)
{
  Json j = { g_string_new (NULL), -1 };
  GError *err = NULL;
  gboolean ok;
  guint i;

  open_ (&j, NULL, '{');
  for (i = 0; i < plugins->len; i++)
    write_plugin (&j, g_ptr_array_index (plugins, i));
  close_ (&j, '}');
  g_string_append_c (j.out, '\n');
  ok = g_file_set_contents (path, j.out->str, j.out->len, &err);
  if (!ok) {
    g_printerr ("cannot write %s: %s\n", path, err->message);
    g_error_free (err);
  }
  g_string_free (j.out, TRUE);
  return ok;
}
