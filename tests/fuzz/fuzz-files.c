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

/* Fuzz target for fluondemand's policy (fluhttpfiles.c): what a client
 * sends goes through the functions fluondemand calls on it.  The input
 * is split at NUL bytes into fields:
 *   0 request path below the mount (percent-encoded, as fluondemand
 *     hands it to flu_http_files_open), also the listing's URL path
 *   1 Range header       2 the file size for it (decimal)
 *   3 If-Match           4 If-None-Match       5 If-Modified-Since
 *   6 If-Unmodified-Since                      7 If-Range
 * Missing fields are empty (an empty header field is left out).
 *
 * The path is resolved under a fixed tree made once in a temporary
 * directory: regular files, a subdirectory, a dotfile, a FIFO, a name
 * in no encoding, and symbolic links out of the tree and inside it.
 * Besides crashes and leaks it checks that a resolved descriptor is one
 * of the tree's own files or directories (by device and inode, collected
 * when the tree is made) and never the secret beside it, that a range
 * lies inside the file, and that a listing is valid UTF-8 with no tag
 * but its own. */

#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "fluhttpfiles.h"

#define N_FIELDS 8
#define ETAG "\"1f-a-5e0b0f2d\""
#define MTIME 1577750000

static gchar *top;
static gint root_fd = -1;
static GHashTable *inside;      /* file_id () of the tree's files and dirs */
static gint64 secret_id;

/* Device and inode in one number, looked up only in GLib's hash table:
 * never compared in instrumented code or through strcmp, where libFuzzer
 * would learn these values, which differ from one run to the next (the
 * gate must not depend on them) */
static gint64 *
file_id (const struct stat *st)
{
  gint64 *id = g_new (gint64, 1);

  *id = (gint64) (((guint64) st->st_dev << 40) ^ (guint64) st->st_ino);
  return id;
}

static gboolean
is_inside (const struct stat *st)
{
  gint64 *id = file_id (st);
  gboolean in = g_hash_table_contains (inside, id) &&
      !g_int64_equal (id, &secret_id);

  g_free (id);
  return in;
}

/* one time for every entry: the listing's text is the same in every run */
static void
fix_time (const gchar * rel)
{
  struct timespec t[2] = { {1577750000, 0}, {1577750000, 0} };
  gchar *p = g_build_filename (top, rel, NULL);

  if (utimensat (AT_FDCWD, p, t, AT_SYMLINK_NOFOLLOW) != 0)
    abort ();
  g_free (p);
}

static void
put (const gchar * rel, const gchar * text)
{
  gchar *p = g_build_filename (top, rel, NULL);

  if (!g_file_set_contents (p, text, -1, NULL))
    abort ();
  g_free (p);
}

static void
mk (const gchar * rel, gint kind, const gchar * target)
{
  gchar *p = g_build_filename (top, rel, NULL);
  gint ret = kind == 'd' ? g_mkdir (p, 0755) : kind == 'l' ?
      symlink (target, p) : mkfifo (p, 0644);

  if (ret != 0)
    abort ();
  g_free (p);
}

/* every regular file and directory reachable from @fd without a link */
static void
collect (gint fd)
{
  gint d = dup (fd);
  DIR *dir = fdopendir (d);
  struct dirent *e;
  struct stat st;

  if (dir == NULL || fstat (fd, &st) != 0)
    abort ();
  g_hash_table_add (inside, file_id (&st));
  while ((e = readdir (dir))) {
    if (g_str_equal (e->d_name, ".") || g_str_equal (e->d_name, ".."))
      continue;
    if (fstatat (fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      abort ();
    if (S_ISDIR (st.st_mode)) {
      gint sub = openat (fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

      if (sub < 0)
        abort ();
      collect (sub);
      close (sub);
    } else if (S_ISREG (st.st_mode)) {
      g_hash_table_add (inside, file_id (&st));
    }
  }
  closedir (dir);
}

static void
remove_tree (const gchar * d)
{
  GDir *gd = g_dir_open (d, 0, NULL);
  const gchar *name;

  while (gd && (name = g_dir_read_name (gd))) {
    gchar *p = g_build_filename (d, name, NULL);

    if (g_file_test (p, G_FILE_TEST_IS_DIR) &&
        !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
      remove_tree (p);
    else
      g_unlink (p);
    g_free (p);
  }
  if (gd)
    g_dir_close (gd);
  g_rmdir (d);
}

static void
cleanup (void)
{
  remove_tree (top);
}

/* top/outside/secret, and top/root served */
static void
make_tree (void)
{
  struct stat st;
  gchar *p;

  top = g_dir_make_tmp ("flu-fuzz-files-XXXXXX", NULL);
  if (top == NULL)
    abort ();
  atexit (cleanup);
  mk ("outside", 'd', NULL);
  put ("outside/secret", "secret\n");
  mk ("root", 'd', NULL);
  put ("root/talk.webm", "0123456789");
  put ("root/a b%.ts", "spaces");
  put ("root/.hidden", "hidden");
  put ("root/\xf0name", "no encoding");
  mk ("root/sub", 'd', NULL);
  put ("root/sub/inner.mp4", "inner");
  mk ("root/sub/deeper", 'd', NULL);
  put ("root/sub/deeper/x.ts", "deep");
  mk ("root/fifo", 'f', NULL);
  mk ("root/out", 'l', "../outside/secret");
  mk ("root/outdir", 'l', "../outside");
  mk ("root/sub/up", 'l', "..");
  mk ("root/in", 'l', "talk.webm");
  p = g_build_filename (top, "outside", "secret", NULL);
  mk ("root/abs", 'l', p);
  if (stat (p, &st) != 0)
    abort ();
  g_free (p);
  {
    gint64 *id = file_id (&st);
    static const gchar *const all[] = { "root/talk.webm", "root/a b%.ts",
      "root/.hidden", "root/\xf0name", "root/sub/inner.mp4",
      "root/sub/deeper/x.ts", "root/sub/deeper", "root/fifo", "root/out",
      "root/outdir", "root/sub/up", "root/in", "root/abs", "root/sub",
      "root",
    };
    guint i;

    secret_id = *id;
    g_free (id);
    for (i = 0; i < G_N_ELEMENTS (all); i++)
      fix_time (all[i]);
  }
  p = g_build_filename (top, "root", NULL);
  root_fd = open (p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_free (p);
  if (root_fd < 0)
    abort ();
  inside = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  collect (root_fd);
}

static void
check_open (const gchar * rel)
{
  struct stat st, check;
  const gchar *why = NULL;
  gint fd = -2;
  guint status = flu_http_files_open (root_fd, rel, &fd, &st, &why);

  if (status != SOUP_STATUS_NONE) {
    if (fd != -1 || why == NULL || !(status == 400 || status == 403 ||
            status == 404 || status == 503))
      abort ();
    return;
  }
  if (fd < 0 || fstat (fd, &check) != 0 ||
      !(S_ISREG (check.st_mode) || S_ISDIR (check.st_mode)))
    abort ();
  /* inside the tree, and not the secret */
  if (!is_inside (&check))
    abort ();
  close (fd);
}

static void
check_range (const gchar * header, const gchar * size_text)
{
  guint64 size = g_ascii_strtoull (size_text, NULL, 10), start = 7, end = 7;
  FluHttpRange r = flu_http_range_parse (header, size, &start, &end);

  if (r == FLU_HTTP_RANGE_PARTIAL && !(start <= end && end < size))
    abort ();
  if (r != FLU_HTTP_RANGE_PARTIAL && (start != 7 || end != 7))
    abort ();
}

static void
check_preconditions (const gchar * const *fields)
{
  static const gchar *const names[] = { "If-Match", "If-None-Match",
    "If-Modified-Since", "If-Unmodified-Since", "If-Range",
  };
  SoupMessageHeaders *h = soup_message_headers_new
      (SOUP_MESSAGE_HEADERS_REQUEST);
  gboolean use_range = 42;
  guint i, status;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    if (*fields[i] && g_utf8_validate (fields[i], -1, NULL) &&
        !strpbrk (fields[i], "\r\n"))
      soup_message_headers_append (h, names[i], fields[i]);
  status = flu_http_files_preconditions (h, ETAG, MTIME, &use_range);
  if (!(status == SOUP_STATUS_NONE && (use_range == TRUE ||
              use_range == FALSE)) && status != 304 && status != 412)
    abort ();
  soup_message_headers_unref (h);
}

static void
check_listing (const gchar * url_path)
{
  static const gchar *const tags[] = { "!DOCTYPE html>", "html>", "/html>",
    "head>", "/head>", "meta charset=\"utf-8\">", "title>", "/title>",
    "body>", "/body>", "h1>", "/h1>", "table>", "/table>", "tr>", "/tr>",
    "th>", "/th>", "td>", "/td>", "a href=\"", "/a>", "p>", "/p>",
  };
  gchar *html = flu_http_files_listing (root_fd, url_path, 4);
  const gchar *p;

  if (html == NULL || !g_utf8_validate (html, -1, NULL))
    abort ();
  /* the only tags are the listing's own */
  for (p = strchr (html, '<'); p; p = strchr (p + 1, '<')) {
    guint i;

    for (i = 0; i < G_N_ELEMENTS (tags); i++)
      if (g_str_has_prefix (p + 1, tags[i]))
        break;
    if (i == G_N_ELEMENTS (tags))
      abort ();
  }
  g_free (html);
}

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

/* libFuzzer: the tree before any input runs (replay.c makes it with the
 * first input) */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  make_tree ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  gchar *copy = g_malloc (size + 1);
  const gchar *fields[N_FIELDS];
  gsize i, f = 0, start = 0;

  if (root_fd < 0)
    make_tree ();
  memcpy (copy, data, size);
  copy[size] = '\0';
  for (i = 0; i <= size && f < N_FIELDS; i++)
    if (i == size || copy[i] == '\0') {
      fields[f++] = copy + start;
      start = i + 1;
    }
  while (f < N_FIELDS)
    fields[f++] = "";

  check_open (fields[0]);
  check_range (fields[1], fields[2]);
  check_preconditions (fields + 3);
  /* the listing of a directory the path names, shown at that path */
  {
    gchar *url = g_strconcat ("/", fields[0], "/", NULL);

    check_listing (url);
    g_free (url);
  }
  g_free (copy);
  return 0;
}
