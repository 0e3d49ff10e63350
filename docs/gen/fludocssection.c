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

/* The SECTION:element-<name> doc comment of an element, found in the .c
 * files under gst/ and ext/ of the source tree. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fludocs.h"

#include <string.h>

/* The comment's text after the SECTION line, without the leading " * ",
 * or NULL. */
static gchar *
find_comment (const gchar * dir, const gchar * marker)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  gchar *found = NULL;

  if (d == NULL)
    return NULL;
  while (found == NULL && (name = g_dir_read_name (d))) {
    gchar *path = g_build_filename (dir, name, NULL);
    gchar *text = NULL, *start, *end;

    if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
      found = find_comment (path, marker);
    } else if (g_str_has_suffix (name, ".c")
        && g_file_get_contents (path, &text, NULL, NULL)
        && (start = strstr (text, marker))
        && (end = strstr (start, "*/"))) {
      start = strchr (start, '\n');
      found = g_strndup (start + 1, end - start - 1);
    }
    g_free (text);
    g_free (path);
  }
  g_dir_close (d);
  return found;
}

static const gchar *
strip_star (const gchar * line)
{
  while (*line == ' ')
    line++;
  if (*line == '*')
    line++;
  if (*line == ' ')
    line++;
  return line;
}

FluDocsSection *
flu_docs_section (const gchar * source_root, const gchar * element)
{
  FluDocsSection *s = g_new0 (FluDocsSection, 1);
  gchar *marker = g_strdup_printf ("SECTION:element-%s\n", element);
  const gchar *top[] = { "gst", "ext" };
  gchar *comment = NULL, **lines;
  GString *prose, *code = NULL;
  guint i;

  s->examples = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; comment == NULL && i < G_N_ELEMENTS (top); i++) {
    gchar *dir = g_build_filename (source_root, top[i], NULL);

    comment = find_comment (dir, marker);
    g_free (dir);
  }
  g_free (marker);
  if (comment == NULL)
    return s;

  prose = g_string_new (NULL);
  lines = g_strsplit (comment, "\n", -1);
  for (i = 0; lines[i]; i++) {
    const gchar *l = strip_star (lines[i]);

    if (code) {
      if (g_str_has_prefix (l, "]|")) {
        g_ptr_array_add (s->examples, g_string_free (code, FALSE));
        code = NULL;
      } else {
        g_string_append_printf (code, "%s\n", l);
      }
    } else if (g_str_has_prefix (l, "|[")) {
      code = g_string_new (NULL);
    } else if (*l == '@' || g_str_has_prefix (l, "## Example")) {
      continue;                 /* gtk-doc tags; examples go apart */
    } else if (*l || (prose->len && !g_str_has_suffix (prose->str, "\n\n"))) {
      g_string_append_printf (prose, "%s\n", l);
    }
  }
  if (code)
    g_string_free (code, TRUE);
  g_strfreev (lines);
  g_free (comment);
  s->prose = g_strstrip (g_string_free (prose, FALSE));
  return s;
}

void
flu_docs_section_free (FluDocsSection * s)
{
  g_free (s->prose);
  g_ptr_array_unref (s->examples);
  g_free (s);
}
