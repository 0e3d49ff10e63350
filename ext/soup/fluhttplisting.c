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

/* fluondemand's directory listing, piece by piece: see fluhttplisting.h.
 * A piece is one pass over the directory that keeps the @per_piece
 * smallest names after the last one given (counting the others), so a
 * listing of N entries reads the directory about N / per_piece times and
 * holds at most per_piece names at once.  A pass costs about as much as
 * the old whole listing's one read (ext4: 9 ms for 20,000 entries on the
 * 2-core VM): @passes bounds their number, the first pass's count sizes
 * the pieces after it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#define _GNU_SOURCE             /* O_DIRECTORY, fdopendir */
#include "fluhttplisting.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

struct _FluHttpListing
{
  gint dir_fd;
  gchar *title;                 /* the path as HTML text */
  guint max;
  guint per_piece;
  guint passes;                 /* at most, after the first; 0: any */
  guint given;                  /* entries in the pieces so far */
  gchar *last;                  /* the name of the last one, NULL first */
  gboolean done;
};

typedef struct
{
  gchar *name;
  gboolean dir;
  guint64 size;
  gint64 mtime;
} Entry;

/* @name, which a file system gives in any encoding, as HTML text:
 * g_markup_escape_text takes UTF-8 only (other bytes went through as
 * they were, on a page that says charset=utf-8); they show as U+FFFD
 * (the link keeps the bytes, percent-encoded) */
static gchar *
markup_escape (const gchar * name)
{
  gchar *valid = g_utf8_make_valid (name, -1);
  gchar *text = g_markup_escape_text (valid, -1);

  g_free (valid);
  return text;
}

FluHttpListing *
flu_http_listing_new (gint dir_fd, const gchar * url_path, guint max,
    guint per_piece, guint passes)
{
  FluHttpListing *l;
  gint fd = fcntl (dir_fd, F_DUPFD_CLOEXEC, 0);
  gchar *decoded;

  if (fd < 0)
    return NULL;
  l = g_new0 (FluHttpListing, 1);
  l->dir_fd = fd;
  decoded = g_uri_unescape_string (url_path, NULL);
  l->title = markup_escape (decoded ? decoded : url_path);
  g_free (decoded);
  l->max = max;
  l->per_piece = MAX (per_piece, 1);
  l->passes = passes;
  return l;
}

void
flu_http_listing_free (FluHttpListing * l)
{
  close (l->dir_fd);
  g_free (l->title);
  g_free (l->last);
  g_free (l);
}

/* The @keep smallest names of a pass: a max-heap, so that a name that
 * does not belong costs one comparison with the largest kept. */
static void
heap_sift_down (GPtrArray * h, guint i)
{
  gpointer *v = h->pdata;

  for (;;) {
    guint l = 2 * i + 1, r = l + 1, m = i;
    gpointer t;

    if (l < h->len && strcmp (v[l], v[m]) > 0)
      m = l;
    if (r < h->len && strcmp (v[r], v[m]) > 0)
      m = r;
    if (m == i)
      return;
    t = v[i];
    v[i] = v[m];
    v[m] = t;
    i = m;
  }
}

static void
heap_offer (GPtrArray * h, guint keep, const gchar * name)
{
  gpointer *v;
  guint i;

  if (h->len == keep) {
    if (strcmp (name, h->pdata[0]) >= 0)
      return;
    g_free (h->pdata[0]);
    h->pdata[0] = g_strdup (name);
    heap_sift_down (h, 0);
    return;
  }
  g_ptr_array_add (h, g_strdup (name));
  v = h->pdata;
  for (i = h->len - 1; i > 0 && strcmp (v[(i - 1) / 2], v[i]) < 0;
      i = (i - 1) / 2) {
    gpointer t = v[i];

    v[i] = v[(i - 1) / 2];
    v[(i - 1) / 2] = t;
  }
}

static gint
name_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* One pass: the @keep smallest names after @l->last of entries
 * flu_http_files_open would serve (by the type readdir gives; a stat
 * only where it gives none), sorted; *@after counts all of them.  NULL
 * when the directory cannot be opened again. */
static GPtrArray *
read_names (FluHttpListing * l, guint keep, guint * after)
{
  gint fd = openat (l->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  GPtrArray *names;
  struct dirent *d;

  if (dir == NULL) {
    /* out of descriptors or memory: no listing rather than a short one */
    if (fd >= 0)
      close (fd);
    return NULL;
  }
  names = g_ptr_array_new_full (keep, g_free);
  *after = 0;
  while ((d = readdir (dir))) {
    struct stat st;

    if (d->d_name[0] == '.' || strchr (d->d_name, '\\'))
      continue;
    if (l->last && strcmp (d->d_name, l->last) <= 0)
      continue;
    if (d->d_type == DT_UNKNOWN) {
      if (fstatat (l->dir_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
          !(S_ISREG (st.st_mode) || S_ISDIR (st.st_mode)))
        continue;
    } else if (d->d_type != DT_REG && d->d_type != DT_DIR) {
      continue;
    }
    (*after)++;
    if (keep)
      heap_offer (names, keep, d->d_name);
  }
  closedir (dir);
  g_ptr_array_sort (names, name_cmp);
  return names;
}

static void
append_row (GString * out, const Entry * e)
{
  gchar *href = g_uri_escape_string (e->name, NULL, FALSE);
  gchar *text = markup_escape (e->name);
  GDateTime *dt = g_date_time_new_from_unix_utc (e->mtime);
  gchar *when = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") :
      g_strdup ("");
  gchar *size = e->dir ? g_strdup ("-") :
      g_strdup_printf ("%" G_GUINT64_FORMAT, e->size);

  g_string_append_printf (out, "<tr><td><a href=\"%s%s\">%s%s</a></td>"
      "<td>%s</td><td>%s</td></tr>\n", href, e->dir ? "/" : "", text,
      e->dir ? "/" : "", size, when);
  g_free (size);
  if (dt)
    g_date_time_unref (dt);
  g_free (when);
  g_free (text);
  g_free (href);
}

gchar *
flu_http_listing_next (FluHttpListing * l, gboolean * failed)
{
  GString *out;
  guint rows = 0;

  *failed = FALSE;
  if (l->done)
    return NULL;
  out = g_string_new (NULL);
  if (l->given == 0 && l->last == NULL)
    g_string_append_printf (out, "<!DOCTYPE html>\n<html><head>"
        "<meta charset=\"utf-8\"><title>Index of %s</title></head>\n<body>\n"
        "<h1>Index of %s</h1>\n<table>\n<tr><th>Name</th><th>Size</th>"
        "<th>Modified (UTC)</th></tr>\n", l->title, l->title);
  /* a pass whose names all went before their stat gives no row: the
   * next one goes on after them (a piece is never empty: an empty chunk
   * would end the body) */
  while (!l->done && rows == 0) {
    gboolean first = l->last == NULL;
    guint keep = MIN (l->per_piece, l->max - MIN (l->given, l->max));
    guint after = 0, i;
    GPtrArray *names = read_names (l, keep, &after);

    if (names == NULL) {
      g_string_free (out, TRUE);
      *failed = TRUE;
      return NULL;
    }
    for (i = 0; i < names->len; i++) {
      const gchar *name = g_ptr_array_index (names, i);
      struct stat st;
      Entry e;

      /* what flu_http_files_open serves, nothing else */
      if (fstatat (l->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
          !(S_ISREG (st.st_mode) || S_ISDIR (st.st_mode)))
        continue;
      e.name = (gchar *) name;
      e.dir = S_ISDIR (st.st_mode);
      e.size = st.st_size;
      e.mtime = st.st_mtim.tv_sec;
      append_row (out, &e);
      l->given++;
      rows++;
    }
    if (names->len) {
      g_free (l->last);
      l->last = g_strdup (g_ptr_array_index (names, names->len - 1));
    }
    after -= names->len;
    g_ptr_array_unref (names);
    if (first && l->passes) {
      guint left = MIN (after, l->max - MIN (l->given, l->max));

      l->per_piece = MAX (l->per_piece, (left + l->passes - 1) / l->passes);
    }
    if (after == 0 || l->given >= l->max) {
      g_string_append (out, "</table>\n");
      if (after)
        g_string_append_printf (out, "<p>%u more entries not shown</p>\n",
            after);
      g_string_append (out, "</body></html>\n");
      l->done = TRUE;
    }
  }
  return g_string_free (out, FALSE);
}

gchar *
flu_http_files_listing (gint dir_fd, const gchar * url_path, guint max)
{
  FluHttpListing *l = flu_http_listing_new (dir_fd, url_path, max, max, 0);
  GString *page;
  gchar *piece;
  gboolean failed = FALSE;

  if (l == NULL)
    return NULL;
  page = g_string_new (NULL);
  while ((piece = flu_http_listing_next (l, &failed))) {
    g_string_append (page, piece);
    g_free (piece);
  }
  flu_http_listing_free (l);
  if (failed) {
    g_string_free (page, TRUE);
    return NULL;
  }
  return g_string_free (page, FALSE);
}
