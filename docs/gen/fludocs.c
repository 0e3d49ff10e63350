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

/* Usage: fludocs OUTDIR SOURCE_ROOT PLUGIN_DIR...
 * Loads every plugin (*.so) found in the PLUGIN_DIRs, then writes
 * OUTDIR/index.md, OUTDIR/<plugin>.md, OUTDIR/<element>.md and
 * OUTDIR/gst_plugins_cache.json.  The output depends only on the plugins
 * and the sources, so a test can compare it with the committed copy. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fludocs.h"

#include <string.h>

gboolean
flu_docs_is_own_type (GType type)
{
  const gchar *name = g_type_name (type);

  /* the project's types are Flu*; stock ones are Gst*, G* */
  return g_str_has_prefix (name, "Flu");
}

static gint
compare_pspecs (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(GParamSpec **) a)->name, (*(GParamSpec **) b)->name);
}

GPtrArray *
flu_docs_own_properties (GType type)
{
  GObjectClass *klass = g_type_class_ref (type);
  guint i, n;
  GParamSpec **all = g_object_class_list_properties (klass, &n);
  GPtrArray *out = g_ptr_array_new ();

  for (i = 0; i < n; i++)
    if (flu_docs_is_own_type (all[i]->owner_type))
      g_ptr_array_add (out, all[i]);
  g_ptr_array_sort (out, compare_pspecs);
  g_free (all);
  g_type_class_unref (klass);
  return out;
}

static gint
compare_signals (gconstpointer a, gconstpointer b)
{
  return strcmp (g_signal_name (*(guint *) a), g_signal_name (*(guint *) b));
}

GArray *
flu_docs_own_signals (GType type)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  GType t;

  for (t = type; t && flu_docs_is_own_type (t); t = g_type_parent (t)) {
    guint n, *ids = g_signal_list_ids (t, &n);

    g_array_append_vals (out, ids, n);
    g_free (ids);
  }
  g_array_sort (out, compare_signals);
  return out;
}

static gchar *
format_double (gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof (buf), "%g", v));
}

gchar *
flu_docs_default (GParamSpec * p)
{
  const GValue *v = g_param_spec_get_default_value (p);
  gchar *s;

  if (G_VALUE_HOLDS_STRING (v))
    return g_value_get_string (v) ? g_strdup_printf ("\"%s\"",
        g_value_get_string (v)) : g_strdup ("NULL");
  if (G_VALUE_HOLDS_DOUBLE (v))
    return format_double (g_value_get_double (v));
  if (G_VALUE_HOLDS_FLOAT (v))
    return format_double (g_value_get_float (v));
  if (G_VALUE_HOLDS_ENUM (v)) {
    GEnumValue *e = g_enum_get_value (G_ENUM_CLASS (g_type_class_peek
            (G_VALUE_TYPE (v))), g_value_get_enum (v));

    return g_strdup (e ? e->value_nick : "?");
  }
  if (G_VALUE_HOLDS_FLAGS (v))
    return g_flags_to_string (G_VALUE_TYPE (v), g_value_get_flags (v));
  if (G_VALUE_HOLDS_BOXED (v) || G_VALUE_HOLDS_OBJECT (v)
      || G_VALUE_HOLDS_POINTER (v))
    return g_strdup ("NULL");
  s = gst_value_serialize (v);
  return s ? s : g_strdup ("?");
}

#define RANGE_CASE(PSPEC_TYPE, CAST, FMT) \
  if (G_IS_PARAM_SPEC_ ## PSPEC_TYPE (p)) { \
    *min = g_strdup_printf (FMT, CAST (p)->minimum); \
    *max = g_strdup_printf (FMT, CAST (p)->maximum); \
    return TRUE; \
  }

gboolean
flu_docs_range (GParamSpec * p, gchar ** min, gchar ** max)
{
  RANGE_CASE (INT, G_PARAM_SPEC_INT, "%d");
  RANGE_CASE (UINT, G_PARAM_SPEC_UINT, "%u");
  RANGE_CASE (LONG, G_PARAM_SPEC_LONG, "%ld");
  RANGE_CASE (ULONG, G_PARAM_SPEC_ULONG, "%lu");
  RANGE_CASE (INT64, G_PARAM_SPEC_INT64, "%" G_GINT64_FORMAT);
  RANGE_CASE (UINT64, G_PARAM_SPEC_UINT64, "%" G_GUINT64_FORMAT);
  if (G_IS_PARAM_SPEC_DOUBLE (p)) {
    *min = format_double (G_PARAM_SPEC_DOUBLE (p)->minimum);
    *max = format_double (G_PARAM_SPEC_DOUBLE (p)->maximum);
    return TRUE;
  }
  if (G_IS_PARAM_SPEC_FLOAT (p)) {
    *min = format_double (G_PARAM_SPEC_FLOAT (p)->minimum);
    *max = format_double (G_PARAM_SPEC_FLOAT (p)->maximum);
    return TRUE;
  }
  return FALSE;
}

gchar *
flu_docs_flags (GParamSpec * p)
{
  static const struct
  {
    guint flag;
    const gchar *name;
  } names[] = {
    {G_PARAM_READABLE, "readable"},
    {G_PARAM_WRITABLE, "writable"},
    {G_PARAM_CONSTRUCT, "construct"},
    {G_PARAM_CONSTRUCT_ONLY, "construct-only"},
    {GST_PARAM_CONTROLLABLE, "controllable"},
    {GST_PARAM_MUTABLE_READY, "changeable only in NULL or READY state"},
    {GST_PARAM_MUTABLE_PAUSED, "changeable only in NULL, READY or PAUSED "
          "state"},
    {GST_PARAM_MUTABLE_PLAYING, "changeable in PLAYING state"},
    {G_PARAM_DEPRECATED, "deprecated"},
  };
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    if (p->flags & names[i].flag)
      g_string_append_printf (out, "%s%s", out->len ? ", " : "", names[i].name);
  return g_string_free (out, FALSE);
}

const gchar *
flu_docs_type_name (GType type)
{
  return g_type_name (type & ~G_SIGNAL_TYPE_STATIC_SCOPE);
}

gchar *
flu_docs_hierarchy (GType type, const gchar * sep)
{
  GString *out = g_string_new (NULL);

  for (; type; type = g_type_parent (type))
    g_string_append_printf (out, "%s%s", out->len ? sep : "",
        g_type_name (type));
  return g_string_free (out, FALSE);
}

const gchar *
flu_docs_presence (GstPadPresence p)
{
  return p == GST_PAD_ALWAYS ? "always" : p == GST_PAD_SOMETIMES ?
      "sometimes" : "request";
}

const gchar *
flu_docs_direction (GstPadDirection d)
{
  return d == GST_PAD_SRC ? "src" : d == GST_PAD_SINK ? "sink" : "unknown";
}

const gchar *
flu_docs_rank (guint rank)
{
  return rank >= GST_RANK_PRIMARY ? "primary" : rank >= GST_RANK_SECONDARY ?
      "secondary" : rank >= GST_RANK_MARGINAL ? "marginal" : "none";
}

GArray *
flu_docs_values (GType t)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (FluDocsValue));
  gpointer k = g_type_class_ref (t);
  guint i;

  if (G_TYPE_IS_ENUM (t)) {
    for (i = 0; i < G_ENUM_CLASS (k)->n_values; i++) {
      GEnumValue *e = &G_ENUM_CLASS (k)->values[i];
      FluDocsValue v = { (guint) e->value, e->value_name, e->value_nick };

      g_array_append_val (out, v);
    }
  } else {
    for (i = 0; i < G_FLAGS_CLASS (k)->n_values; i++) {
      GFlagsValue *f = &G_FLAGS_CLASS (k)->values[i];
      FluDocsValue v = { f->value, f->value_name, f->value_nick };

      g_array_append_val (out, v);
    }
  }
  /* the names stay valid: registered classes are never finalised */
  g_type_class_unref (k);
  return out;
}

static void
add_enum_type (GPtrArray * out, GType t)
{
  t &= ~G_SIGNAL_TYPE_STATIC_SCOPE;
  if ((G_TYPE_IS_ENUM (t) || G_TYPE_IS_FLAGS (t))
      && !g_ptr_array_find (out, GSIZE_TO_POINTER (t), NULL))
    g_ptr_array_add (out, GSIZE_TO_POINTER (t));
}

gint
flu_docs_compare_types (gconstpointer a, gconstpointer b)
{
  return strcmp (g_type_name (GPOINTER_TO_SIZE (*(gpointer *) a)),
      g_type_name (GPOINTER_TO_SIZE (*(gpointer *) b)));
}

GPtrArray *
flu_docs_enum_types (GPtrArray * props, GArray * signals)
{
  GPtrArray *out = g_ptr_array_new ();
  guint i, j;

  for (i = 0; i < props->len; i++)
    add_enum_type (out, ((GParamSpec *) g_ptr_array_index (props,
                i))->value_type);
  for (i = 0; i < signals->len; i++) {
    GSignalQuery q;

    g_signal_query (g_array_index (signals, guint, i), &q);
    add_enum_type (out, q.return_type);
    for (j = 0; j < q.n_params; j++)
      add_enum_type (out, q.param_types[j]);
  }
  g_ptr_array_sort (out, flu_docs_compare_types);
  return out;
}

static gint
compare_features (gconstpointer a, gconstpointer b)
{
  return strcmp (GST_OBJECT_NAME (*(gpointer *) a),
      GST_OBJECT_NAME (*(gpointer *) b));
}

GPtrArray *
flu_docs_factories (GstPlugin * plugin)
{
  GList *features = gst_registry_get_feature_list_by_plugin
      (gst_registry_get (), gst_plugin_get_name (plugin)), *l;
  GPtrArray *out = g_ptr_array_new_with_free_func (gst_object_unref);

  for (l = features; l; l = l->next)
    if (GST_IS_ELEMENT_FACTORY (l->data))
      g_ptr_array_add (out, gst_object_ref (l->data));
  gst_plugin_feature_list_free (features);
  g_ptr_array_sort (out, compare_features);
  return out;
}

static gboolean
load_plugins (const gchar * dir, GPtrArray * plugins)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = TRUE;
  guint i;

  if (d == NULL)
    return TRUE;                /* a plugin that was not built */
  while ((name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, ".so"))
      g_ptr_array_add (files, g_build_filename (dir, name, NULL));
  g_dir_close (d);
  for (i = 0; i < files->len; i++) {
    GError *err = NULL;
    GstPlugin *p = gst_plugin_load_file (g_ptr_array_index (files, i), &err);

    if (p == NULL) {
      g_printerr ("cannot load %s: %s\n", (gchar *) g_ptr_array_index (files,
              i), err->message);
      g_error_free (err);
      ok = FALSE;
      continue;
    }
    g_ptr_array_add (plugins, p);
  }
  g_ptr_array_unref (files);
  return ok;
}

static gint
compare_plugins (gconstpointer a, gconstpointer b)
{
  return strcmp (gst_plugin_get_name (*(GstPlugin **) a),
      gst_plugin_get_name (*(GstPlugin **) b));
}

int
main (int argc, char **argv)
{
  GPtrArray *plugins;
  gchar *json;
  gboolean ok = TRUE;
  gint i;

  if (argc < 4) {
    g_printerr ("usage: %s OUTDIR SOURCE_ROOT PLUGIN_DIR...\n", argv[0]);
    return 2;
  }
  gst_init (NULL, NULL);
  plugins = g_ptr_array_new_with_free_func (gst_object_unref);
  for (i = 3; i < argc; i++)
    ok &= load_plugins (argv[i], plugins);
  g_ptr_array_sort (plugins, compare_plugins);
  if (g_mkdir_with_parents (argv[1], 0755) != 0) {
    g_printerr ("cannot create %s\n", argv[1]);
    return 1;
  }
  json = g_build_filename (argv[1], "gst_plugins_cache.json", NULL);
  ok = ok && flu_docs_write_markdown (plugins, argv[2], argv[1])
      && flu_docs_write_json (plugins, argv[2], json);
  g_free (json);
  g_ptr_array_unref (plugins);
  return ok ? 0 : 1;
}
