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


/* fluondemand's policy: see fluhttpfiles.h.  No sockets, no element:
 * what a request may reach and how it is answered. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#define _GNU_SOURCE             /* O_NOFOLLOW, O_DIRECTORY, fdopendir */
#include "fluhttpfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MAX_RANGES 16

static gint
hex_value (gchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes one segment [s, s + len) into @out (at least len + 1 bytes):
 * SOUP_STATUS_NONE, or 400 / 403 with @why. */
static guint
decode_segment (const gchar * s, gsize len, gchar * out, const gchar ** why)
{
  gsize i, n = 0;

  for (i = 0; i < len; i++) {
    gchar c = s[i];

    if (c == '%') {
      gint hi, lo;

      if (i + 2 >= len) {
        *why = "bad percent-encoding";
        return SOUP_STATUS_BAD_REQUEST;
      }
      hi = hex_value (s[i + 1]);
      lo = hex_value (s[i + 2]);
      if (hi < 0 || lo < 0) {
        *why = "bad percent-encoding";
        return SOUP_STATUS_BAD_REQUEST;
      }
      c = (gchar) (hi * 16 + lo);
      i += 2;
    }
    if (c == '\0' || c == '/' || c == '\\') {
      *why = "path not allowed (encoded separator, backslash or NUL)";
      return SOUP_STATUS_FORBIDDEN;
    }
    out[n++] = c;
  }
  out[n] = '\0';
  return SOUP_STATUS_NONE;
}

/* a failure of the process (descriptors, memory), not of the path: 503 */
static gboolean
out_of_fds (gint err)
{
  return err == EMFILE || err == ENFILE || err == ENOMEM;
}

guint
flu_http_files_open (gint root_fd, const gchar * rel, gint * fd,
    struct stat *st, const gchar ** why)
{
  gchar name[FLU_HTTP_FILES_MAX_NAME * 3 + 1];
  const gchar *p = rel, *slash;
  gint cur, depth = 0;
  guint status;

  *fd = -1;
  cur = dup (root_fd);
  if (cur < 0) {
    *why = out_of_fds (errno) ? "out of file descriptors" :
        "cannot open the directory";
    return out_of_fds (errno) ? SOUP_STATUS_SERVICE_UNAVAILABLE :
        SOUP_STATUS_NOT_FOUND;
  }
  while (*p) {
    gsize len;
    struct stat sst;
    gint next;

    slash = strchr (p, '/');
    len = slash ? (gsize) (slash - p) : strlen (p);
    if (len == 0) {
      *why = "empty path segment";
      status = SOUP_STATUS_NOT_FOUND;
      goto fail;
    }
    if (len > sizeof (name) - 1 || ++depth > FLU_HTTP_FILES_MAX_DEPTH) {
      *why = "path too long";
      status = SOUP_STATUS_NOT_FOUND;
      goto fail;
    }
    status = decode_segment (p, len, name, why);
    if (status != SOUP_STATUS_NONE)
      goto fail;
    if (g_str_equal (name, "..") || g_str_equal (name, ".")) {
      *why = "path not allowed (dot segment)";
      status = SOUP_STATUS_FORBIDDEN;
      goto fail;
    }
    if (name[0] == '.') {
      *why = "not found";
      status = SOUP_STATUS_NOT_FOUND;
      goto fail;
    }
    if (strlen (name) > FLU_HTTP_FILES_MAX_NAME) {
      *why = "path too long";
      status = SOUP_STATUS_NOT_FOUND;
      goto fail;
    }
    /* what it is before it is opened: a FIFO would block an open */
    if (fstatat (cur, name, &sst, AT_SYMLINK_NOFOLLOW) < 0) {
      /* a directory that can be read but not searched: 403 as for a file
       * that cannot be read */
      *why = errno == EACCES ? "permission denied" : "not found";
      status = errno == EACCES ? SOUP_STATUS_FORBIDDEN : SOUP_STATUS_NOT_FOUND;
      goto fail;
    }
    if (S_ISLNK (sst.st_mode)) {
      *why = "symbolic links are not served";
      status = SOUP_STATUS_FORBIDDEN;
      goto fail;
    }
    /* a regular file only as the last segment, without a '/' after it */
    if (!S_ISDIR (sst.st_mode) && !(slash == NULL && S_ISREG (sst.st_mode))) {
      *why = S_ISREG (sst.st_mode) ? "not found" : "not a regular file";
      status = S_ISREG (sst.st_mode) ? SOUP_STATUS_NOT_FOUND :
          SOUP_STATUS_FORBIDDEN;
      goto fail;
    }
    next = openat (cur, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK
        | (S_ISDIR (sst.st_mode) ? O_DIRECTORY : 0));
    if (next < 0) {
      *why = errno == EACCES ? "permission denied" : errno == ELOOP ?
          "symbolic links are not served" : out_of_fds (errno) ?
          "out of file descriptors" : "not found";
      status = errno == EACCES || errno == ELOOP ? SOUP_STATUS_FORBIDDEN :
          out_of_fds (errno) ? SOUP_STATUS_SERVICE_UNAVAILABLE :
          SOUP_STATUS_NOT_FOUND;
      goto fail;
    }
    close (cur);
    cur = next;
    if (slash == NULL)
      break;
    p = slash + 1;
  }
  if (fstat (cur, st) < 0 || !(S_ISREG (st->st_mode) || S_ISDIR (st->st_mode))) {
    *why = "not a regular file";
    status = SOUP_STATUS_FORBIDDEN;
    goto fail;
  }
  *fd = cur;
  return SOUP_STATUS_NONE;

fail:
  close (cur);
  return status;
}

/* one decimal number of [s, e): FALSE on anything but digits; values
 * beyond 64 bits read as G_MAXUINT64 */
static gboolean
parse_pos (const gchar * s, const gchar * e, guint64 * v)
{
  guint64 n = 0;

  if (s == e)
    return FALSE;
  for (; s < e; s++) {
    if (!g_ascii_isdigit (*s))
      return FALSE;
    if (n > (G_MAXUINT64 - 9) / 10)
      n = G_MAXUINT64;
    else
      n = n * 10 + (*s - '0');
  }
  *v = n;
  return TRUE;
}

typedef struct
{
  guint64 start, end;
} Span;

static gint
span_cmp (gconstpointer a, gconstpointer b)
{
  const Span *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start;
}

FluHttpRange
flu_http_range_parse (const gchar * header, guint64 size, guint64 * start,
    guint64 * end)
{
  Span spans[MAX_RANGES];
  guint n = 0, count = 0, i;
  gboolean empty_suffix = FALSE;
  const gchar *p;

  if (header == NULL)
    return FLU_HTTP_RANGE_NONE;
  while (*header == ' ' || *header == '\t')
    header++;
  if (g_ascii_strncasecmp (header, "bytes", 5) != 0)
    return FLU_HTTP_RANGE_NONE;
  p = header + 5;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p++ != '=')
    return FLU_HTTP_RANGE_NONE;

  while (TRUE) {
    const gchar *e, *dash, *a, *b;
    guint64 first, last;

    e = strchr (p, ',');
    if (e == NULL)
      e = p + strlen (p);
    a = p;
    b = e;
    while (a < b && (*a == ' ' || *a == '\t'))
      a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
      b--;
    if (a < b) {
      if (++count > MAX_RANGES)
        return FLU_HTTP_RANGE_NONE;
      dash = memchr (a, '-', b - a);
      if (dash == NULL)
        return FLU_HTTP_RANGE_NONE;
      if (dash == a) {
        /* suffix-range: the last N bytes */
        if (!parse_pos (dash + 1, b, &last))
          return FLU_HTTP_RANGE_NONE;
        if (last > 0 && size > 0) {
          spans[n].start = last >= size ? 0 : size - last;
          spans[n++].end = size - 1;
        } else if (last > 0) {
          /* satisfiable on an empty file (RFC 9110 14.1.3), and no 206
           * can say so: the whole (empty) file */
          empty_suffix = TRUE;
        }
      } else {
        if (!parse_pos (a, dash, &first))
          return FLU_HTTP_RANGE_NONE;
        if (dash + 1 == b)
          last = G_MAXUINT64;
        else if (!parse_pos (dash + 1, b, &last) || last < first)
          return FLU_HTTP_RANGE_NONE;
        if (first < size) {
          spans[n].start = first;
          spans[n++].end = MIN (last, size - 1);
        }
      }
    } else if (*e == '\0' && count == 0) {
      /* "bytes=" or "bytes=," : no range at all */
      return FLU_HTTP_RANGE_NONE;
    }
    if (*e == '\0')
      break;
    p = e + 1;
  }
  if (n == 0)
    return empty_suffix ? FLU_HTTP_RANGE_NONE : FLU_HTTP_RANGE_UNSATISFIABLE;
  qsort (spans, n, sizeof (Span), span_cmp);
  for (i = 1; i < n; i++) {
    /* overlapping or adjacent: one span; else a multipart answer we do
     * not make, so the whole file */
    if (spans[i].start > spans[0].end + 1)
      return FLU_HTTP_RANGE_NONE;
    spans[0].end = MAX (spans[0].end, spans[i].end);
  }
  *start = spans[0].start;
  *end = spans[0].end;
  return FLU_HTTP_RANGE_PARTIAL;
}

gchar *
flu_http_files_etag (const struct stat *st)
{
  return g_strdup_printf ("\"%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER
      "x-%" G_GINT64_MODIFIER "x\"", (guint64) st->st_ino,
      (guint64) st->st_size, (guint64) st->st_mtim.tv_sec * 1000000000 +
      st->st_mtim.tv_nsec);
}

gint64
flu_http_files_mtime (const struct stat *st)
{
  return st->st_mtim.tv_sec;
}

/* @tag [s, e) equals @etag: strongly (both strong, same opaque tag) or
 * weakly (the opaque tags only) */
static gboolean
tag_equal (const gchar * s, const gchar * e, const gchar * etag,
    gboolean strong)
{
  gboolean weak = e - s >= 2 && s[0] == 'W' && s[1] == '/';

  if (weak) {
    if (strong)
      return FALSE;
    s += 2;
  }
  return (gsize) (e - s) == strlen (etag) && memcmp (s, etag, e - s) == 0;
}

/* @list (an If-Match or If-None-Match value) names @etag, or is "*" */
static gboolean
tag_list_match (const gchar * list, const gchar * etag, gboolean strong)
{
  const gchar *p = list;

  while (*p) {
    const gchar *s, *e;

    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    if (*p == '\0')
      break;
    if (*p == '*')
      return TRUE;
    s = p;
    if (p[0] == 'W' && p[1] == '/')
      p += 2;
    if (*p != '"')
      return FALSE;
    e = strchr (p + 1, '"');
    if (e == NULL)
      return FALSE;
    e++;
    if (tag_equal (s, e, etag, strong))
      return TRUE;
    p = e;
  }
  return FALSE;
}

/* an HTTP-date in seconds, or -1 */
static gint64
parse_date (const gchar * value)
{
  GDateTime *dt;
  gint64 t;

  if (value == NULL)
    return -1;
  dt = soup_date_time_new_from_http_string (value);
  if (dt == NULL)
    return -1;
  t = g_date_time_to_unix (dt);
  g_date_time_unref (dt);
  return t;
}

guint
flu_http_files_preconditions (SoupMessageHeaders * request,
    const gchar * etag, gint64 mtime, gboolean * use_range)
{
  const gchar *im = soup_message_headers_get_one (request, "If-Match");
  const gchar *inm = soup_message_headers_get_one (request, "If-None-Match");
  const gchar *ir = soup_message_headers_get_one (request, "If-Range");
  gint64 t;

  if (im) {
    if (!tag_list_match (im, etag, TRUE))
      return SOUP_STATUS_PRECONDITION_FAILED;
  } else if ((t = parse_date (soup_message_headers_get_one (request,
                  "If-Unmodified-Since"))) >= 0 && mtime > t) {
    return SOUP_STATUS_PRECONDITION_FAILED;
  }
  if (inm) {
    if (tag_list_match (inm, etag, FALSE))
      return SOUP_STATUS_NOT_MODIFIED;
  } else if ((t = parse_date (soup_message_headers_get_one (request,
                  "If-Modified-Since"))) >= 0 && mtime <= t) {
    return SOUP_STATUS_NOT_MODIFIED;
  }
  *use_range = TRUE;
  if (ir) {
    while (*ir == ' ')
      ir++;
    if (*ir == '"' || g_str_has_prefix (ir, "W/"))
      *use_range = tag_equal (ir, ir + strlen (ir), etag, TRUE);
    else
      *use_range = parse_date (ir) == mtime;
  }
  return SOUP_STATUS_NONE;
}

static const struct
{
  const gchar *ext;
  const gchar *mime;
} mime_types[] = {
  {"webm", "video/webm"},
  {"mkv", "video/x-matroska"},
  {"mka", "audio/x-matroska"},
  {"mp4", "video/mp4"},
  {"m4v", "video/mp4"},
  {"m4a", "audio/mp4"},
  {"m4s", "video/iso.segment"},
  {"mp4s", "video/iso.segment"},
  {"ts", "video/mp2t"},
  {"m3u8", "application/vnd.apple.mpegurl"},
  {"mpd", "application/dash+xml"},
  {"ogg", "audio/ogg"},
  {"oga", "audio/ogg"},
  {"ogv", "video/ogg"},
  {"opus", "audio/ogg"},
  {"mp3", "audio/mpeg"},
  {"aac", "audio/aac"},
  {"flac", "audio/flac"},
  {"wav", "audio/wav"},
  {"flv", "video/x-flv"},
  {"mjpeg", "multipart/x-mixed-replace"},
  {"jpg", "image/jpeg"},
  {"jpeg", "image/jpeg"},
  {"png", "image/png"},
  {"vtt", "text/vtt; charset=utf-8"},
  {"srt", "text/plain; charset=utf-8"},
  {"txt", "text/plain; charset=utf-8"},
  {"html", "text/html; charset=utf-8"},
  {"htm", "text/html; charset=utf-8"},
  {"json", "application/json"},
  {"js", "text/javascript; charset=utf-8"},
  {"css", "text/css; charset=utf-8"},
};

const gchar *
flu_http_files_mime (const gchar * name)
{
  const gchar *dot = strrchr (name, '.');
  guint i;

  if (dot && !strchr (dot, '/'))
    for (i = 0; i < G_N_ELEMENTS (mime_types); i++)
      if (g_ascii_strcasecmp (dot + 1, mime_types[i].ext) == 0)
        return mime_types[i].mime;
  return "application/octet-stream";
}
