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


/* The request checks shared by fluhttpsink (fluhttpcheck.c) and
 * fluhlssink (fluhlsaccess.c).  No lock of its own: the caller's lock
 * guards what it passes (FluHttpGateCredentials.lock). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpgate.h"
#include "fluhttpserver.h"

GInetAddress *
flu_http_client_address (SoupServerMessage * msg)
{
  GSocketAddress *sa = soup_server_message_get_remote_address (msg);

  if (sa == NULL || !G_IS_INET_SOCKET_ADDRESS (sa))
    return NULL;
  return flu_http_address_normalize (g_inet_socket_address_get_address
      (G_INET_SOCKET_ADDRESS (sa)));
}

gboolean
flu_http_gate_address (GPtrArray * allow, GPtrArray * deny, GInetAddress * addr)
{
  return !flu_http_cidr_list_match (deny, addr) &&
      (allow == NULL || allow->len == 0 ||
      flu_http_cidr_list_match (allow, addr));
}

/* lock held on entry and on return, released in between: re-reads the
 * htpasswd file when it changed on disk (edited or replaced).  The stat ()
 * and the read run without the lock; the new users replace the old ones
 * only if neither the file name nor the users changed meanwhile
 * (set_property).  On a read error the old users stay. */
void
flu_http_gate_reload_users (const FluHttpGateCredentials * c)
{
  gchar *name = g_strdup (*c->file);
  GHashTable *old = *c->users ? g_hash_table_ref (*c->users) : NULL;
  GHashTable *fresh = NULL;
  FluHttpFileStamp now = *c->stamp;
  gboolean changed = FALSE;
  GError *err = NULL;

  g_mutex_unlock (c->lock);
  if (name && *name && flu_http_file_stamp_changed (name, &now)) {
    changed = TRUE;
    fresh = flu_http_htpasswd_load (name, &now, &err);
    if (fresh == NULL) {
      GST_CAT_WARNING_OBJECT (c->cat, c->obj, "cannot re-read %s, keeping "
          "the old users: %s", name, err->message);
      g_error_free (err);
    }
  }
  g_mutex_lock (c->lock);
  if (changed && *c->users == old && g_strcmp0 (*c->file, name) == 0) {
    *c->stamp = now;
    if (fresh) {
      g_clear_pointer (c->users, g_hash_table_unref);
      *c->users = g_steal_pointer (&fresh);
    }
  }
  g_clear_pointer (&fresh, g_hash_table_unref);
  g_clear_pointer (&old, g_hash_table_unref);
  g_free (name);
}

guint
flu_http_gate_credentials (const FluHttpGateCredentials * c,
    SoupServerMessage * msg, GHashTable * query, gchar ** user,
    const gchar ** why)
{
  if (*c->users) {
    const gchar *auth =
        soup_message_headers_get_one (soup_server_message_get_request_headers
        (msg), "Authorization");
    gchar *u = NULL, *p = NULL;
    GHashTable *users;
    gboolean ok;

    /* re-read the file when it changed, without the lock */
    flu_http_gate_reload_users (c);
    if (*c->users == NULL)
      goto token;
    if (!flu_http_parse_basic_auth (auth, &u, &p)) {
      *why = "credentials required";
      return SOUP_STATUS_UNAUTHORIZED;
    }
    /* hashing (up to tens of ms for bcrypt) without the lock, which other
     * threads take; the table is never changed, only replaced */
    users = g_hash_table_ref (*c->users);
    g_mutex_unlock (c->lock);
    ok = flu_http_htpasswd_check (users, u, p);
    g_mutex_lock (c->lock);
    g_hash_table_unref (users);
    g_free (p);
    *user = u;
    if (!ok) {
      *why = "wrong user or password";
      return SOUP_STATUS_UNAUTHORIZED;
    }
  }
token:
  if (c->token_secret && *c->token_secret) {
    const gchar *token = query ? g_hash_table_lookup (query, "token") : NULL;
    const gchar *expires = query ? g_hash_table_lookup (query, "expires") :
        NULL;

    if (!flu_http_token_check (c->token_secret, c->token_path, token,
            expires, g_get_real_time () / G_USEC_PER_SEC)) {
      *why = token ? "invalid or expired token" : "token required";
      return SOUP_STATUS_FORBIDDEN;
    }
  }
  return SOUP_STATUS_NONE;
}

guint
flu_http_gate_limits (guint per_ip, guint from_host, guint client_limit,
    guint clients, guint64 bandwidth_limit, guint64 rate, const gchar ** why)
{
  if (per_ip && from_host >= per_ip) {
    *why = "too many connections from this address";
    return FLU_HTTP_STATUS_TOO_MANY_REQUESTS;
  }
  if (client_limit && clients >= client_limit) {
    *why = "client limit reached";
    return SOUP_STATUS_SERVICE_UNAVAILABLE;
  }
  if (bandwidth_limit && rate && (clients + 1) * rate > bandwidth_limit) {
    *why = "bandwidth limit reached";
    return SOUP_STATUS_SERVICE_UNAVAILABLE;
  }
  return SOUP_STATUS_NONE;
}

guint
flu_http_gate_stats (const FluHttpGateCredentials * c, GPtrArray ** allow,
    SoupServerMessage * msg, gboolean * details, const gchar ** why)
{
  GInetAddress *addr = flu_http_client_address (msg);
  GHashTable *users = NULL;
  gboolean listed, ok = TRUE;
  guint status = SOUP_STATUS_NONE;

  g_mutex_lock (c->lock);
  listed = *allow && (*allow)->len > 0;
  if (listed && !flu_http_cidr_list_match (*allow, addr)) {
    g_mutex_unlock (c->lock);
    g_clear_object (&addr);
    *why = "address not allowed to read the statistics";
    return SOUP_STATUS_FORBIDDEN;
  }
  if (*c->users) {
    /* re-read the file when it changed, without the lock */
    flu_http_gate_reload_users (c);
    if (*c->users)
      users = g_hash_table_ref (*c->users);
  }
  g_mutex_unlock (c->lock);
  if (users) {
    const gchar *auth =
        soup_message_headers_get_one (soup_server_message_get_request_headers
        (msg), "Authorization");
    gchar *u = NULL, *p = NULL;

    /* hashing without the lock */
    ok = flu_http_parse_basic_auth (auth, &u, &p) &&
        flu_http_htpasswd_check (users, u, p);
    g_free (u);
    g_free (p);
    g_hash_table_unref (users);
    if (!ok) {
      *why = "credentials required for the statistics";
      status = SOUP_STATUS_UNAUTHORIZED;
    }
  }
  /* viewer details only to who passed a check made for these paths */
  *details = status == SOUP_STATUS_NONE && (listed || users ||
      (addr && g_inet_address_get_is_loopback (addr)));
  g_clear_object (&addr);
  return status;
}
