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


/* Per-request checks of fluhttpsink: address lists, credentials, limits
 * and the per-address viewer counts.  Private to the element. */

#ifndef __FLU_HTTP_CHECK_H__
#define __FLU_HTTP_CHECK_H__

#include "fluhttpsinkpriv.h"
#include "fluhttpgate.h"

G_BEGIN_DECLS

/* lock held: (re)parses allow, deny and ip-filter; on error keeps the old
 * lists. */
gboolean flu_http_check_parse_lists (FluHttpSink * sink, GError ** error);
/* lock held: (re)reads the htpasswd file (none when unset); on error keeps
 * the old users. */
gboolean flu_http_check_load_htpasswd (FluHttpSink * sink, GError ** error);

/* lock held: (re)reads the stats-htpasswd file (none when unset) */
gboolean flu_http_check_load_stats_htpasswd (FluHttpSink * sink,
    GError ** error);

/* Takes the lock: TRUE when the client's address passes deny and allow. */
gboolean flu_http_check_address (FluHttpSink * sink, SoupServerMessage * msg);
/* lock held: @addr passes deny and allow */
gboolean flu_http_check_address_locked (FluHttpSink * sink,
    GInetAddress * addr);
/* Takes the lock (not while hashing): may this client read the stats,
 * metrics and status paths (stats-allow, stats-htpasswd)?
 * SOUP_STATUS_NONE, or 403 / 401 with the reason in @why; @details says
 * whether it may see per-viewer details. */
guint flu_http_check_stats_access (FluHttpSink * sink,
    SoupServerMessage * msg, gboolean * details, const gchar ** why);
/* lock held: SOUP_STATUS_NONE when the request may go on, else 401 or 403
 * with the reason in @why; @user gets the user named in the request. */
guint flu_http_check_credentials (FluHttpSink * sink, SoupServerMessage * msg,
    GHashTable * query, gchar ** user, const gchar ** why);
/* lock held: SOUP_STATUS_NONE when there is room for one more viewer from
 * @host, else 429 or 503 with the reason in @why. */
guint flu_http_check_limits (FluHttpSink * sink, const gchar * host,
    const gchar ** why);

/* lock held: count a viewer from @host in and out */
void flu_http_per_ip_take (FluHttpSink * sink, const gchar * host);
void flu_http_per_ip_release (FluHttpSink * sink, const gchar * host);

G_END_DECLS

#endif /* __FLU_HTTP_CHECK_H__ */
