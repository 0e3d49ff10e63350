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

/* lock held: parses allow, deny, access-log-exclude and stats-allow into
 * @p (not yet published); on error @p keeps its lists. */
gboolean flu_http_check_parse_lists (FluHttpSink * sink,
    FluHttpSinkSettings * p, GError ** error);
/* no lock: (re)reads @p's htpasswd (@stats: stats-htpasswd) file into @p
 * (not yet published; no users when unset); on error @p keeps its users. */
gboolean flu_http_check_load_htpasswd (FluHttpSinkSettings * p,
    gboolean stats, GError ** error);
/* no lock, server thread: re-reads a changed htpasswd file and publishes
 * the new users; *@p is then the new snapshot. */
void flu_http_check_reload_users (FluHttpSink * sink,
    FluHttpSinkSettings ** p, gboolean stats);

/* TRUE when the client's address passes deny and allow. */
gboolean flu_http_check_address (FluHttpSink * sink, SoupServerMessage * msg);
/* @addr passes @p's deny and allow */
gboolean flu_http_check_address_in (FluHttpSinkSettings * p,
    GInetAddress * addr);
/* may @addr read the stats, metrics and status paths (stats-allow)?
 * SOUP_STATUS_NONE, or 403 with the reason in @why; @listed: a list is
 * set.  The password of stats-htpasswd is checked by the caller, in an
 * auth worker (fluhttpauthpool.h). */
guint flu_http_check_stats_address (FluHttpSinkSettings * p,
    GInetAddress * addr, gboolean * listed, const gchar ** why);
/* SOUP_STATUS_NONE when the signed URL (token-secret) lets the request
 * in, else 403 with the reason in @why.  The htpasswd password is checked
 * before, in an auth worker. */
guint flu_http_check_token (FluHttpSinkSettings * p, GHashTable * query,
    const gchar ** why);
/* lock held: SOUP_STATUS_NONE when there is room for one more viewer from
 * @host under @p's limits, else 429 or 503 with the reason in @why. */
guint flu_http_check_limits (FluHttpSink * sink, FluHttpSinkSettings * p,
    const gchar * host, const gchar ** why);
/* lock held: SOUP_STATUS_NONE when the stream can be served now (the
 * element serving, a source that has not gone silent for stall-timeout),
 * else 503 with the reason in @why.  Both paths of a viewer ask it after
 * the limits: libsoup's (fluhttprequest.c) and the fast one
 * (fluhttpfaststream.c), which gives a refused request to libsoup. */
guint flu_http_check_on_air (FluHttpSink * sink, FluHttpSinkSettings * p,
    const gchar ** why);

/* lock held: count a viewer from @host in and out */
void flu_http_per_ip_take (FluHttpSink * sink, const gchar * host);
void flu_http_per_ip_release (FluHttpSink * sink, const gchar * host);

G_END_DECLS

#endif /* __FLU_HTTP_CHECK_H__ */
