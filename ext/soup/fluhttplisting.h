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

/* fluondemand's directory listing, streamed: an HTML page written piece
 * by piece, each piece from one more read of the directory, so that a
 * listing holds one piece of entries and never the whole directory.
 * Plain C, no sockets, no element (fluondemandserve.c sends the pieces
 * from fluondemandio.c's pool as libsoup chunks). */

#ifndef __FLU_HTTP_LISTING_H__
#define __FLU_HTTP_LISTING_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FluHttpListing FluHttpListing;

/* The listing of the directory @dir_fd (duplicated, not consumed) shown
 * at @url_path (percent-encoded, ends in '/'): entries that
 * flu_http_files_open would serve, sorted by name, names escaped, links
 * percent-encoded (names not in UTF-8 shown with U+FFFD); at most @max
 * entries (then it says how many it left out), @per_piece (>= 1) in
 * each piece, or more where the directory has more than @per_piece *
 * @passes entries after the first piece: then they come in @passes
 * pieces (0: no such bound).  NULL when the directory cannot be read
 * (out of descriptors or memory). */
FluHttpListing *flu_http_listing_new (gint dir_fd, const gchar * url_path,
    guint max, guint per_piece, guint passes);
/* The next piece of the page (never empty; g_free it): the head and the
 * first entries, then the entries after the last one given, the last
 * piece with the end of the page.  Each call reads the directory once
 * (a directory that changes meanwhile is still listed in order, with no
 * entry twice); its memory is that of one piece.  NULL after the end, or
 * with @failed set when the directory cannot be read again. */
gchar *flu_http_listing_next (FluHttpListing * l, gboolean * failed);
void flu_http_listing_free (FluHttpListing * l);

/* The whole page at once (one piece of @max entries): NULL when the
 * directory cannot be read. */
gchar *flu_http_files_listing (gint dir_fd, const gchar * url_path,
    guint max);

G_END_DECLS

#endif /* __FLU_HTTP_LISTING_H__ */
