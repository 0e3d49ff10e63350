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

/* Replays fuzz inputs through a fuzz target without libFuzzer, so that the
 * seed corpus and every past finding run as a regression test in the
 * normal and sanitized builds:  replay FILE-OR-DIRECTORY...  */

#include <stdint.h>
#include <stdio.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static guint
replay_file (const gchar * path)
{
  gchar *data;
  gsize len;
  GError *err = NULL;

  if (!g_file_get_contents (path, &data, &len, &err)) {
    g_printerr ("%s\n", err->message);
    g_error_free (err);
    return 0;
  }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  g_free (data);
  return 1;
}

int
main (int argc, char **argv)
{
  guint done = 0, wanted = 0;
  int i;

  for (i = 1; i < argc; i++) {
    GDir *dir = g_dir_open (argv[i], 0, NULL);
    const gchar *name;

    if (dir == NULL) {
      wanted++;
      done += replay_file (argv[i]);
      continue;
    }
    while ((name = g_dir_read_name (dir))) {
      gchar *path = g_build_filename (argv[i], name, NULL);

      wanted++;
      done += replay_file (path);
      g_free (path);
    }
    g_dir_close (dir);
  }
  printf ("replayed %u of %u inputs\n", done, wanted);
  return done == wanted && done > 0 ? 0 : 1;
}
