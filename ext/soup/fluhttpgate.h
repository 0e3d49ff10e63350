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


/* The request checks fluhttpsink and fluhlssink share, on the state each
 * element keeps: the client's address against allow/deny lists, htpasswd
 * and signed-URL credentials (the htpasswd file re-read when it changed),
 * and the client, per-address and bandwidth limits. */

#ifndef __FLU_HTTP_GATE_H__
#define __FLU_HTTP_GATE_H__

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "fluhttpauth.h"

G_BEGIN_DECLS

/* The client's address, IPv4-mapped IPv6 turned into IPv4; NULL if not an
 * IP client. */
GInetAddress *flu_http_client_address (SoupServerMessage * msg);

/* @addr passes @deny and @allow (an empty or NULL allow list allows all) */
gboolean flu_http_gate_address (GPtrArray * allow, GPtrArray * deny,
    GInetAddress * addr);

/* The element's credentials: its htpasswd file (*@file, NULL or empty =
 * none), the users read from it (*@users, replaced when the file changed
 * on disk) and the file's stamp; @token_secret (NULL or empty = no signed
 * URLs) signs @token_path. */
typedef struct
{
  GMutex *lock;                 /* guards *file, *users and *stamp */
  gchar **file;
  GHashTable **users;
  FluHttpFileStamp *stamp;
  const gchar *token_secret;
  const gchar *token_path;
  GstDebugCategory *cat;        /* for the warning of a failed re-read */
  GstObject *obj;
} FluHttpGateCredentials;

/* @c->lock held on entry and on return, released in between: re-reads
 * the htpasswd file when it changed on disk; on a read error the old
 * users stay. */
void flu_http_gate_reload_users (const FluHttpGateCredentials * c);

/* @c->lock held on entry and on return, released while the htpasswd file
 * is re-read and while a password is hashed: SOUP_STATUS_NONE when the
 * request may go on, else 401 or 403 with the reason in @why; @user gets
 * the user named in the request. */
guint flu_http_gate_credentials (const FluHttpGateCredentials * c,
    SoupServerMessage * msg, GHashTable * query, gchar ** user,
    const gchar ** why);

/* SOUP_STATUS_NONE when one more viewer fits: @from_host viewers now from
 * its address (max @per_ip, 0 = no limit), @clients in all (max
 * @client_limit), each taking @rate bits/s (max @bandwidth_limit); else
 * 429 or 503 with the reason in @why. */
guint flu_http_gate_limits (guint per_ip, guint from_host, guint client_limit,
    guint clients, guint64 bandwidth_limit, guint64 rate, const gchar ** why);

/* The guard of the stats, metrics and status paths (stats-allow,
 * stats-htpasswd), @c->lock not held: 403 when *@allow (under @c->lock;
 * NULL or empty = anybody) does not list the client, 401 when @c's users
 * (the stats htpasswd; none = no credentials asked) do not include the
 * request's Basic credentials, else SOUP_STATUS_NONE; @details: the
 * client passed a check made for these paths (or, with neither set, is
 * loopback) and may see per-viewer details.  @c's token fields are
 * unused.  No password hashed under the lock. */
guint flu_http_gate_stats (const FluHttpGateCredentials * c,
    GPtrArray ** allow, SoupServerMessage * msg, gboolean * details,
    const gchar ** why);

G_END_DECLS

#endif /* __FLU_HTTP_GATE_H__ */
