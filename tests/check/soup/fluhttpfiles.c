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


/* fluondemand's policy without sockets: what a request path may reach
 * under the served directory (dot segments, encoded dots and slashes,
 * backslashes, NUL bytes, symbolic links out and in, dotfiles, special
 * files, very long paths), Range parsing, preconditions, Content-Type
 * and the listing. */

#include <gst/check/gstcheck.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "fluhttpfiles.h"
#include "fluhttptest.h"

static gchar *root;
static gint root_fd = -1;
static gchar *outside;

static void
write_file (const gchar * rel, const gchar * text)
{
  gchar *path = g_build_filename (root, rel, NULL);

  fail_unless (g_file_set_contents (path, text, -1, NULL));
  g_free (path);
}

static void
setup (void)
{
  gchar *p;

  root = g_dir_make_tmp ("flu-files-XXXXXX", NULL);
  outside = g_dir_make_tmp ("flu-outside-XXXXXX", NULL);
  fail_unless (root && outside);
  p = g_build_filename (outside, "secret", NULL);
  fail_unless (g_file_set_contents (p, "secret\n", -1, NULL));
  g_free (p);
  p = g_build_filename (root, "sub", NULL);
  fail_unless (g_mkdir (p, 0755) == 0);
  g_free (p);
  write_file ("talk.webm", "0123456789");
  write_file ("sub/inner.mp4", "inner");
  write_file (".hidden", "hidden");
  write_file ("a b%.ts", "spaces");
  write_file ("<x>&.mp3", "markup");
  /* a link out of the directory, one to a file inside, one to a dir out */
  p = g_build_filename (root, "out", NULL);
  fail_unless (symlink ("../../../../../../../../etc/passwd", p) == 0);
  g_free (p);
  p = g_build_filename (root, "in", NULL);
  fail_unless (symlink ("talk.webm", p) == 0);
  g_free (p);
  p = g_build_filename (root, "outdir", NULL);
  fail_unless (symlink (outside, p) == 0);
  g_free (p);
  p = g_build_filename (root, "fifo", NULL);
  fail_unless (mkfifo (p, 0644) == 0);
  g_free (p);
  root_fd = open (root, O_RDONLY | O_DIRECTORY);
  fail_unless (root_fd >= 0);
}

static void
teardown (void)
{
  close (root_fd);
  remove_tree (root);
  remove_tree (outside);
  g_free (root);
  g_free (outside);
}

/* the status of opening @rel; the file's first bytes in @head */
static guint
try_open (const gchar * rel, gchar * head, gsize len)
{
  struct stat st;
  const gchar *why = NULL;
  gint fd;
  guint status = flu_http_files_open (root_fd, rel, &fd, &st, &why);

  if (status == SOUP_STATUS_NONE) {
    fail_unless (fd >= 0);
    if (head && S_ISREG (st.st_mode)) {
      gssize n = pread (fd, head, len - 1, 0);

      head[MAX (n, 0)] = '\0';
    } else if (head) {
      g_strlcpy (head, "<dir>", len);
    }
    close (fd);
  } else {
    fail_unless (fd == -1);
    fail_unless (why != NULL, "no reason for %u on %s", status, rel);
  }
  return status;
}

GST_START_TEST (test_open_plain)
{
  gchar head[64];

  fail_unless_equals_int (try_open ("talk.webm", head, sizeof head), 0);
  fail_unless_equals_string (head, "0123456789");
  fail_unless_equals_int (try_open ("sub/inner.mp4", head, sizeof head), 0);
  fail_unless_equals_string (head, "inner");
  fail_unless_equals_int (try_open ("a%20b%25.ts", head, sizeof head), 0);
  fail_unless_equals_string (head, "spaces");
  fail_unless_equals_int (try_open ("", head, sizeof head), 0);
  fail_unless_equals_string (head, "<dir>");
  fail_unless_equals_int (try_open ("sub/", head, sizeof head), 0);
  fail_unless_equals_string (head, "<dir>");
  fail_unless_equals_int (try_open ("sub", head, sizeof head), 0);
  fail_unless_equals_int (try_open ("missing.webm", NULL, 0), 404);
  /* a file is no directory */
  fail_unless_equals_int (try_open ("talk.webm/", NULL, 0), 404);
  fail_unless_equals_int (try_open ("talk.webm/x", NULL, 0), 404);
}

GST_END_TEST;

GST_START_TEST (test_open_dots)
{
  const gchar *bad[] = { "..", "../", "../etc/passwd", "sub/../talk.webm",
    "sub/../../etc/passwd", ".", "./talk.webm", "sub/./inner.mp4",
    "%2e%2e/etc/passwd", "%2E%2E/etc/passwd", "%2e./x", ".%2e/x",
    "sub/%2e%2e/%2e%2e/etc/passwd", "%2e", "sub/%2e%2e",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    fail_unless_equals_int (try_open (bad[i], NULL, 0), 403);
  /* dotfiles are not there */
  fail_unless_equals_int (try_open (".hidden", NULL, 0), 404);
  fail_unless_equals_int (try_open ("%2ehidden", NULL, 0), 404);
  fail_unless_equals_int (try_open ("...", NULL, 0), 404);
}

GST_END_TEST;

GST_START_TEST (test_open_separators)
{
  const gchar *forbidden[] = { "sub%2finner.mp4", "sub%2Finner.mp4",
    "%2e%2e%2fetc%2fpasswd", "..%2f..%2fetc%2fpasswd", "sub%5cinner.mp4",
    "sub\\inner.mp4", "..\\..\\etc\\passwd", "talk.webm%00",
    "talk.webm%00.txt", "%00", "sub/%00/x",
  };
  const gchar *bad[] = { "talk%", "talk%2", "talk%zz.webm", "%g0", };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (forbidden); i++)
    fail_unless_equals_int (try_open (forbidden[i], NULL, 0), 403);
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    fail_unless_equals_int (try_open (bad[i], NULL, 0), 400);
  /* empty segments */
  fail_unless_equals_int (try_open ("//etc/passwd", NULL, 0), 404);
  fail_unless_equals_int (try_open ("sub//inner.mp4", NULL, 0), 404);
  fail_unless_equals_int (try_open ("/talk.webm", NULL, 0), 404);
}

GST_END_TEST;

GST_START_TEST (test_open_links)
{
  /* out of the directory, inside it, through a directory link, and a
   * FIFO (an open would block): never served */
  fail_unless_equals_int (try_open ("out", NULL, 0), 403);
  fail_unless_equals_int (try_open ("in", NULL, 0), 403);
  fail_unless_equals_int (try_open ("outdir/secret", NULL, 0), 403);
  fail_unless_equals_int (try_open ("outdir/", NULL, 0), 403);
  fail_unless_equals_int (try_open ("outdir", NULL, 0), 403);
  fail_unless_equals_int (try_open ("fifo", NULL, 0), 403);
}

GST_END_TEST;

GST_START_TEST (test_open_long)
{
  GString *s = g_string_new (NULL);
  guint i;

  /* a name over NAME_MAX, encoded or not */
  for (i = 0; i < 300; i++)
    g_string_append_c (s, 'a');
  fail_unless_equals_int (try_open (s->str, NULL, 0), 404);
  g_string_truncate (s, 0);
  for (i = 0; i < 256; i++)
    g_string_append (s, "%61");
  fail_unless_equals_int (try_open (s->str, NULL, 0), 404);
  /* deep paths */
  g_string_truncate (s, 0);
  for (i = 0; i < 1000; i++)
    g_string_append (s, "sub/");
  fail_unless_equals_int (try_open (s->str, NULL, 0), 404);
  /* a 64 KB path of dots */
  g_string_truncate (s, 0);
  for (i = 0; i < 20000; i++)
    g_string_append (s, "../");
  fail_unless_equals_int (try_open (s->str, NULL, 0), 403);
  g_string_free (s, TRUE);
}

GST_END_TEST;

/* what an attacker tries besides plain dot segments: overlong UTF-8 and
 * double encodings of '.', '/' and '\\' (names, never separators), path
 * parameters, trailing dots, and segments too long for the buffer */
GST_START_TEST (test_open_encodings)
{
  const gchar *missing[] = { "%c0%ae%c0%ae/etc/passwd", "%c0%af",
    "%e0%80%ae%e0%80%ae/x", "%252e%252e/etc/passwd", "%252e%252e%252f",
    "..%252f..%252fetc", "%255c", "talk.webm;x=1", "talk.webm.",
    "talk.webm..", "sub./inner.mp4", "sub;/inner.mp4", "talk.webm%20",
    "talk.webm?x", "talk.webm#x", "TALK.WEBM",
  };
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (missing); i++)
    fail_unless_equals_int (try_open (missing[i], NULL, 0), 404);
  /* a segment just over the decode buffer, and one over it encoded */
  for (i = 0; i < FLU_HTTP_FILES_MAX_NAME * 3 + 1; i++)
    g_string_append_c (s, 'a');
  fail_unless_equals_int (try_open (s->str, NULL, 0), 404);
  g_string_truncate (s, 0);
  for (i = 0; i < FLU_HTTP_FILES_MAX_NAME; i++)
    g_string_append (s, "%2e");
  fail_unless_equals_int (try_open (s->str, NULL, 0), 404);
  g_string_free (s, TRUE);
}

GST_END_TEST;

/* a process out of descriptors answers 503 (try again), not 404 */
GST_START_TEST (test_open_out_of_fds)
{
  GArray *fds = g_array_new (FALSE, FALSE, sizeof (gint));
  struct rlimit old, low;
  gint fd;
  guint i;

  fail_unless (getrlimit (RLIMIT_NOFILE, &old) == 0);
  low = old;
  low.rlim_cur = 64;
  fail_unless (setrlimit (RLIMIT_NOFILE, &low) == 0);
  while ((fd = open ("/dev/null", O_RDONLY)) >= 0)
    g_array_append_val (fds, fd);
  fail_unless_equals_int (errno, EMFILE);
  /* none left: the root cannot be duplicated */
  fail_unless_equals_int (try_open ("talk.webm", NULL, 0), 503);
  /* nor listed (an empty listing would say the directory is empty) */
  fail_unless (flu_http_files_listing (root_fd, "/", 10) == NULL);
  /* one left: the root is, the file is not */
  close (g_array_index (fds, gint, fds->len - 1));
  g_array_set_size (fds, fds->len - 1);
  fail_unless_equals_int (try_open ("talk.webm", NULL, 0), 503);
  fail_unless_equals_int (try_open ("sub/inner.mp4", NULL, 0), 503);
  /* a missing file is still 404: fstatat needs no descriptor */
  fail_unless_equals_int (try_open ("missing", NULL, 0), 404);
  for (i = 0; i < fds->len; i++)
    close (g_array_index (fds, gint, i));
  g_array_free (fds, TRUE);
  fail_unless (setrlimit (RLIMIT_NOFILE, &old) == 0);
  fail_unless_equals_int (try_open ("talk.webm", NULL, 0), 0);
}

GST_END_TEST;

/* in a process that is not root (a child, as nobody, when the test runs
 * as root): the status of @rel */
static guint
open_as_nobody (const gchar * rel)
{
  pid_t pid = fork ();
  gint st = 0;

  fail_unless (pid >= 0);
  if (pid == 0) {
    guint status;

    if (geteuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
      _exit (99);
    status = try_open (rel, NULL, 0);
    _exit (status ? status - 399 : 0);
  }
  fail_unless (waitpid (pid, &st, 0) == pid);
  fail_unless (WIFEXITED (st));
  return WEXITSTATUS (st) ? WEXITSTATUS (st) + 399 : 0;
}

/* a file that cannot be read, a directory that cannot be searched or
 * opened: 403 (not 404, not 500) */
GST_START_TEST (test_open_permissions)
{
  gchar *p;

  /* the tree's top is g_dir_make_tmp's 0700 */
  fail_unless (chmod (root, 0755) == 0);
  write_file ("locked.webm", "locked");
  write_file ("sub/open.webm", "open");
  p = g_build_filename (root, "locked.webm", NULL);
  fail_unless (chmod (p, 0) == 0);
  g_free (p);
  fail_unless_equals_int (open_as_nobody ("talk.webm"), 0);
  fail_unless_equals_int (open_as_nobody ("locked.webm"), 403);
  /* read but not searched */
  p = g_build_filename (root, "sub", NULL);
  fail_unless (chmod (p, 0744) == 0);
  fail_unless_equals_int (open_as_nobody ("sub/open.webm"), 403);
  /* searched but not read: the directory itself cannot be opened */
  fail_unless (chmod (p, 0711) == 0);
  fail_unless_equals_int (open_as_nobody ("sub/open.webm"), 403);
  fail_unless (chmod (p, 0755) == 0);
  fail_unless_equals_int (open_as_nobody ("sub/open.webm"), 0);
  g_free (p);
}

GST_END_TEST;

static volatile gint racing;

/* swaps "sw" between a directory of the tree and a link to the outside,
 * and "ff" between a regular file and a FIFO, as fast as it can */
static gpointer
swapper (gpointer unused)
{
  gchar *sw = g_build_filename (root, "sw", NULL);
  gchar *swd = g_build_filename (root, "swdir", NULL);
  gchar *swl = g_build_filename (root, "swlink", NULL);
  gchar *ff = g_build_filename (root, "ff", NULL);
  gchar *ffr = g_build_filename (root, "ffreg", NULL);
  gchar *fff = g_build_filename (root, "fffifo", NULL);
  guint i = 0;

  while (g_atomic_int_get (&racing)) {
    /* rename(2) replaces atomically: "sw" is always one of the two */
    fail_unless (rename (i % 2 ? swd : swl, sw) == 0);
    fail_unless (rename (sw, i % 2 ? swd : swl) == 0);
    fail_unless (rename (i % 2 ? ffr : fff, ff) == 0);
    fail_unless (rename (ff, i % 2 ? ffr : fff) == 0);
    i++;
  }
  g_free (sw);
  g_free (swd);
  g_free (swl);
  g_free (ff);
  g_free (ffr);
  g_free (fff);
  return NULL;
}

/* a directory replaced by a link, a file by a FIFO, between the check
 * and the open: never the outside, never a blocked open or a FIFO */
GST_START_TEST (test_open_race)
{
  gchar *p;
  GThread *t;
  guint i, served = 0;

  p = g_build_filename (root, "swdir", NULL);
  fail_unless (g_mkdir (p, 0755) == 0);
  g_free (p);
  write_file ("swdir/secret", "inside\n");
  write_file ("ffreg", "regular");
  p = g_build_filename (root, "swlink", NULL);
  fail_unless (symlink (outside, p) == 0);
  g_free (p);
  p = g_build_filename (root, "fffifo", NULL);
  fail_unless (mkfifo (p, 0644) == 0);
  g_free (p);

  g_atomic_int_set (&racing, 1);
  t = g_thread_new ("swapper", swapper, NULL);
  for (i = 0; i < 4000; i++) {
    gchar head[32];
    guint status = try_open (i % 2 ? "sw/secret" : "ff", head, sizeof head);

    fail_unless (status == 0 || status == 403 || status == 404, "%u", status);
    if (status == 0) {
      fail_unless_equals_string (head, i % 2 ? "inside\n" : "regular");
      served++;
    }
  }
  g_atomic_int_set (&racing, 0);
  g_thread_join (t);
  GST_INFO ("%u of 4000 opens served", served);
}

GST_END_TEST;

/* names in no encoding or with markup: valid UTF-8 HTML (the page says
 * charset=utf-8; g_markup_escape_text passed other bytes on as they
 * were), nothing that closes an attribute or opens a tag, the bytes
 * kept in the link */
GST_START_TEST (test_listing_hostile_names)
{
  gchar *html;

  write_file ("\xf0", "x");
  write_file ("caf\xe9\"'><script>alert(1)<.mp4", "x");
  write_file ("javascript:alert(1)", "x");
  html = flu_http_files_listing (root_fd, "/r%F0%9F/", 100);
  fail_unless (html != NULL);
  fail_unless (g_utf8_validate (html, -1, NULL), "%s", html);
  fail_unless (strstr (html, "href=\"%F0\"") != NULL, "%s", html);
  fail_unless (strstr (html, "href=\"caf%E9%22%27%3E%3Cscript%3Ealert%281%29"
          "%3C.mp4\"") != NULL, "%s", html);
  fail_unless (strstr (html, "href=\"javascript%3Aalert%281%29\"") != NULL,
      "%s", html);
  fail_if (strstr (html, "<script") != NULL, "%s", html);
  fail_if (strstr (html, "\"'>") != NULL, "%s", html);
  g_free (html);
}

GST_END_TEST;

static FluHttpRange
range (const gchar * h, guint64 size, guint64 * s, guint64 * e)
{
  *s = *e = G_MAXUINT64;
  return flu_http_range_parse (h, size, s, e);
}

#define PARTIAL(h, size, a, b) G_STMT_START { \
  guint64 _s, _e; \
  fail_unless_equals_int (range (h, size, &_s, &_e), FLU_HTTP_RANGE_PARTIAL); \
  fail_unless_equals_uint64 (_s, a); \
  fail_unless_equals_uint64 (_e, b); \
} G_STMT_END

GST_START_TEST (test_range)
{
  guint64 s, e;
  const gchar *ignored[] = { NULL, "", "bytes", "bytes=", "bytes=,",
    "items=0-1", "bytes=a-b", "bytes=5-1", "bytes=-", "bytes=1", "bytes=--1",
    "bytes=0-1,x", "bytes=+1-2", "bytes=0x10-", "bytes=1-2-3",
    "bytes=0-0,2-2", "bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10,"
        "11-11,12-12,13-13,14-14,15-15,16-16",
  };
  guint i;

  PARTIAL ("bytes=0-0", 10, 0, 0);
  PARTIAL ("bytes=0-9", 10, 0, 9);
  PARTIAL ("bytes=0-", 10, 0, 9);
  PARTIAL ("bytes=3-", 10, 3, 9);
  PARTIAL ("bytes=3-1000", 10, 3, 9);
  PARTIAL ("bytes=-3", 10, 7, 9);
  PARTIAL ("bytes=-30", 10, 0, 9);
  PARTIAL ("BYTES = 2-4", 10, 2, 4);
  PARTIAL ("bytes= 2-4 ", 10, 2, 4);
  PARTIAL ("bytes=9-9", 10, 9, 9);
  PARTIAL ("bytes=0-99999999999999999999999", 10, 0, 9);
  /* overlapping or adjacent ranges: one span */
  PARTIAL ("bytes=0-3,2-5", 10, 0, 5);
  PARTIAL ("bytes=4-5,0-3", 10, 0, 5);
  PARTIAL ("bytes=0-1, ,2-3", 10, 0, 3);
  /* unsatisfiable ranges among satisfiable ones are left out */
  PARTIAL ("bytes=50-60,1-2", 10, 1, 2);
  PARTIAL ("bytes=-0,5-", 10, 5, 9);

  for (i = 0; i < G_N_ELEMENTS (ignored); i++)
    fail_unless_equals_int (range (ignored[i], 10, &s, &e),
        FLU_HTTP_RANGE_NONE);

  fail_unless_equals_int (range ("bytes=10-", 10, &s, &e),
      FLU_HTTP_RANGE_UNSATISFIABLE);
  fail_unless_equals_int (range ("bytes=10-20", 10, &s, &e),
      FLU_HTTP_RANGE_UNSATISFIABLE);
  fail_unless_equals_int (range ("bytes=-0", 10, &s, &e),
      FLU_HTTP_RANGE_UNSATISFIABLE);
  fail_unless_equals_int (range ("bytes=99999999999999999999-", 10, &s, &e),
      FLU_HTTP_RANGE_UNSATISFIABLE);
  fail_unless_equals_int (range ("bytes=0-", 0, &s, &e),
      FLU_HTTP_RANGE_UNSATISFIABLE);
  /* a suffix range is satisfiable on an empty file (RFC 9110 14.1.3):
   * the whole file, 200 */
  fail_unless_equals_int (range ("bytes=-5", 0, &s, &e), FLU_HTTP_RANGE_NONE);
  fail_unless_equals_int (range ("bytes=-0", 0, &s, &e),
      FLU_HTTP_RANGE_UNSATISFIABLE);
  fail_unless_equals_int (range ("bytes=20-30,40-", 10, &s, &e),
      FLU_HTTP_RANGE_UNSATISFIABLE);
}

GST_END_TEST;

static guint
precondition (const gchar * name, const gchar * value, const gchar * etag,
    gint64 mtime, gboolean * use_range)
{
  SoupMessageHeaders *h = soup_message_headers_new
      (SOUP_MESSAGE_HEADERS_REQUEST);
  guint status;

  if (name)
    soup_message_headers_append (h, name, value);
  *use_range = 42;
  status = flu_http_files_preconditions (h, etag, mtime, use_range);
  soup_message_headers_unref (h);
  return status;
}

GST_START_TEST (test_preconditions)
{
  const gchar *tag = "\"1-a-2\"";
  /* Sun, 06 Nov 1994 08:49:37 GMT */
  gint64 t = 784111777;
  gboolean r;

  fail_unless_equals_int (precondition (NULL, NULL, tag, t, &r), 0);
  fail_unless (r == TRUE);
  fail_unless_equals_int (precondition ("If-None-Match", tag, tag, t, &r), 304);
  fail_unless_equals_int (precondition ("If-None-Match", "W/\"1-a-2\"", tag,
          t, &r), 304);
  fail_unless_equals_int (precondition ("If-None-Match", "\"x\", \"1-a-2\"",
          tag, t, &r), 304);
  fail_unless_equals_int (precondition ("If-None-Match", "*", tag, t, &r), 304);
  fail_unless_equals_int (precondition ("If-None-Match", "\"1-a-3\"", tag, t,
          &r), 0);
  fail_unless_equals_int (precondition ("If-Modified-Since",
          "Sun, 06 Nov 1994 08:49:37 GMT", tag, t, &r), 304);
  fail_unless_equals_int (precondition ("If-Modified-Since",
          "Sun, 06 Nov 1994 08:49:36 GMT", tag, t, &r), 0);
  fail_unless_equals_int (precondition ("If-Modified-Since", "garbage", tag,
          t, &r), 0);
  fail_unless_equals_int (precondition ("If-Match", tag, tag, t, &r), 0);
  fail_unless_equals_int (precondition ("If-Match", "W/\"1-a-2\"", tag, t,
          &r), 412);
  fail_unless_equals_int (precondition ("If-Match", "\"other\"", tag, t, &r),
      412);
  fail_unless_equals_int (precondition ("If-Unmodified-Since",
          "Sun, 06 Nov 1994 08:49:36 GMT", tag, t, &r), 412);
  fail_unless_equals_int (precondition ("If-Unmodified-Since",
          "Sun, 06 Nov 1994 08:49:37 GMT", tag, t, &r), 0);
  /* If-Range: a strong tag or the exact date */
  fail_unless_equals_int (precondition ("If-Range", tag, tag, t, &r), 0);
  fail_unless (r == TRUE);
  fail_unless_equals_int (precondition ("If-Range", "\"old\"", tag, t, &r), 0);
  fail_unless (r == FALSE);
  fail_unless_equals_int (precondition ("If-Range", "W/\"1-a-2\"", tag, t,
          &r), 0);
  fail_unless (r == FALSE);
  fail_unless_equals_int (precondition ("If-Range",
          "Sun, 06 Nov 1994 08:49:37 GMT", tag, t, &r), 0);
  fail_unless (r == TRUE);
  fail_unless_equals_int (precondition ("If-Range",
          "Sun, 06 Nov 1994 08:49:38 GMT", tag, t, &r), 0);
  fail_unless (r == FALSE);
}

GST_END_TEST;

GST_START_TEST (test_etag_mime)
{
  struct stat a, b;
  gchar *ta, *tb;
  gchar *p = g_build_filename (root, "talk.webm", NULL);

  fail_unless (stat (p, &a) == 0);
  b = a;
  b.st_mtim.tv_nsec++;
  ta = flu_http_files_etag (&a);
  tb = flu_http_files_etag (&b);
  fail_unless (ta[0] == '"' && g_str_has_suffix (ta, "\""));
  fail_if (g_str_equal (ta, tb));
  g_free (ta);
  g_free (tb);
  g_free (p);

  fail_unless_equals_string (flu_http_files_mime ("a.webm"), "video/webm");
  fail_unless_equals_string (flu_http_files_mime ("a.WEBM"), "video/webm");
  fail_unless_equals_string (flu_http_files_mime ("a.mkv"), "video/x-matroska");
  fail_unless_equals_string (flu_http_files_mime ("a.mp4"), "video/mp4");
  fail_unless_equals_string (flu_http_files_mime ("x/seg1.m4s"),
      "video/iso.segment");
  fail_unless_equals_string (flu_http_files_mime ("a.ts"), "video/mp2t");
  fail_unless_equals_string (flu_http_files_mime ("a.m3u8"),
      "application/vnd.apple.mpegurl");
  fail_unless_equals_string (flu_http_files_mime ("a.ogg"), "audio/ogg");
  fail_unless_equals_string (flu_http_files_mime ("a.opus"), "audio/ogg");
  fail_unless_equals_string (flu_http_files_mime ("a.mp3"), "audio/mpeg");
  fail_unless_equals_string (flu_http_files_mime ("a.flv"), "video/x-flv");
  fail_unless_equals_string (flu_http_files_mime ("webm"),
      "application/octet-stream");
  fail_unless_equals_string (flu_http_files_mime ("a.webm/b"),
      "application/octet-stream");
}

GST_END_TEST;

GST_START_TEST (test_listing)
{
  gchar *html = flu_http_files_listing (root_fd, "/rec/", 100);
  const gchar *a = strstr (html, "href=\"%3Cx%3E%26.mp3\"");
  const gchar *b = strstr (html, "href=\"a%20b%25.ts\"");
  const gchar *c = strstr (html, "href=\"sub/\"");
  const gchar *d = strstr (html, "href=\"talk.webm\"");

  /* escaped, percent-encoded, sorted by name */
  fail_unless (a && b && c && d, "%s", html);
  fail_unless (a < b && b < c && c < d, "%s", html);
  fail_unless (strstr (html, "&lt;x&gt;&amp;.mp3") != NULL);
  fail_if (strstr (html, "<x>") != NULL);
  /* nothing flu_http_files_open refuses */
  fail_if (strstr (html, "hidden") != NULL);
  fail_if (strstr (html, "\"out\"") != NULL);
  fail_if (strstr (html, "\"in\"") != NULL);
  fail_if (strstr (html, "outdir") != NULL);
  fail_if (strstr (html, "fifo") != NULL);
  g_free (html);

  html = flu_http_files_listing (root_fd, "/rec/", 2);
  fail_unless (strstr (html, "2 more entries not shown") != NULL, "%s", html);
  g_free (html);
}

GST_END_TEST;

/* piece by piece, the same page as at once, whatever the piece size
 * and the limit; no piece empty (an empty chunk ends a body) */
static gchar *
listing_in_pieces (guint max, guint per_piece, guint passes, guint * pieces)
{
  FluHttpListing *l = flu_http_listing_new (root_fd, "/rec/", max, per_piece,
      passes);
  GString *page = g_string_new (NULL);
  gboolean failed = TRUE;
  gchar *piece;

  fail_unless (l != NULL);
  *pieces = 0;
  while ((piece = flu_http_listing_next (l, &failed))) {
    fail_unless (*piece != '\0');
    g_string_append (page, piece);
    g_free (piece);
    (*pieces)++;
  }
  fail_if (failed);
  /* after the end, the end again */
  fail_unless (flu_http_listing_next (l, &failed) == NULL);
  fail_if (failed);
  flu_http_listing_free (l);
  return g_string_free (page, FALSE);
}

GST_START_TEST (test_listing_pieces)
{
  guint max, per_piece, pieces;

  for (max = 1; max <= 6; max++) {
    gchar *whole = flu_http_files_listing (root_fd, "/rec/", max), *html;

    for (per_piece = 1; per_piece <= 5; per_piece++) {
      gchar *html = listing_in_pieces (max, per_piece, 0, &pieces);

      fail_unless_equals_string (html, whole);
      /* one piece per per_piece entries (4 entries in /rec/) */
      fail_unless_equals_int (pieces, MAX (1, (MIN (max, 4) + per_piece - 1)
              / per_piece));
      g_free (html);
    }
    /* at most one pass more than asked: the first sizes the others */
    html = listing_in_pieces (max, 1, 1, &pieces);
    fail_unless_equals_string (html, whole);
    fail_unless_equals_int (pieces, MIN (max, 2));
    g_free (html);
    g_free (whole);
  }
}

GST_END_TEST;

static Suite *
fluhttpfiles_suite (void)
{
  Suite *s = suite_create ("fluhttpfiles");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_open_plain);
  tcase_add_test (tc, test_open_dots);
  tcase_add_test (tc, test_open_separators);
  tcase_add_test (tc, test_open_links);
  tcase_add_test (tc, test_open_long);
  tcase_add_test (tc, test_open_encodings);
  tcase_add_test (tc, test_open_out_of_fds);
  tcase_add_test (tc, test_open_race);
  tcase_add_test (tc, test_open_permissions);
  tcase_add_test (tc, test_listing_hostile_names);
  tcase_add_test (tc, test_range);
  tcase_add_test (tc, test_preconditions);
  tcase_add_test (tc, test_etag_mime);
  tcase_add_test (tc, test_listing);
  tcase_add_test (tc, test_listing_pieces);
  return s;
}

GST_CHECK_MAIN (fluhttpfiles);
