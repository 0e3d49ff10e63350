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

/* fluondemand's policy, plain functions without sockets (unit-tested in
 * tests/check/soup/fluhttpfiles.c): a request path resolved to a file
 * under a directory that nothing outside it can be reached from, Range
 * headers, validators and preconditions, Content-Type by extension and
 * the HTML listing of a directory (fluhttplisting.h). */

#ifndef __FLU_HTTP_FILES_H__
#define __FLU_HTTP_FILES_H__

#include <glib.h>
#include <libsoup/soup.h>
#include <sys/stat.h>

#include "fluhttplisting.h"

G_BEGIN_DECLS

/* deepest path and longest name segment a request may name */
#define FLU_HTTP_FILES_MAX_DEPTH 32
#define FLU_HTTP_FILES_MAX_NAME 255

/* Opens @rel (the percent-encoded request path below the mount's prefix,
 * "" for the directory itself, a trailing '/' for a directory) under the
 * directory @root_fd, one segment at a time with openat (O_NOFOLLOW):
 * no ".." or "." segment (also encoded), no encoded '/', no backslash,
 * no NUL, no name starting with '.', no symbolic link (inside or out) and
 * nothing but regular files and directories.  Returns SOUP_STATUS_NONE
 * and the open descriptor in @fd and its stat in @st, or 400, 403, 404
 * or (out of file descriptors or memory) 503 with the reason in @why. */
guint flu_http_files_open (gint root_fd, const gchar * rel, gint * fd,
    struct stat * st, const gchar ** why);

typedef enum
{
  FLU_HTTP_RANGE_NONE,          /* no Range, or one to ignore: 200 */
  FLU_HTTP_RANGE_PARTIAL,       /* 206 for [start, end] */
  FLU_HTTP_RANGE_UNSATISFIABLE, /* 416 */
} FluHttpRange;

/* RFC 9110 14.1.2 byte ranges of a representation of @size bytes.
 * Several ranges are answered by one 206 when they overlap or touch
 * into one span, else ignored (200, as 14.2 allows); a syntax error or
 * more than 16 ranges ignore the header.  @end is inclusive. */
FluHttpRange flu_http_range_parse (const gchar * header, guint64 size,
    guint64 * start, guint64 * end);

/* A strong entity tag from inode, size and modification time. */
gchar *flu_http_files_etag (const struct stat *st);
gint64 flu_http_files_mtime (const struct stat *st);

/* RFC 9110 13.2.2 in order (If-Match, If-Unmodified-Since, If-None-Match,
 * If-Modified-Since) for a GET or HEAD of a file with @etag and Last-
 * Modified @mtime (seconds): SOUP_STATUS_NONE to answer, 304 or 412.
 * @use_range: whether a Range is to be honoured (If-Range). */
guint flu_http_files_preconditions (SoupMessageHeaders * request,
    const gchar * etag, gint64 mtime, gboolean * use_range);

/* The Content-Type of a file by its extension (application/octet-stream
 * for unknown ones). */
const gchar *flu_http_files_mime (const gchar * name);

G_END_DECLS

#endif /* __FLU_HTTP_FILES_H__ */
