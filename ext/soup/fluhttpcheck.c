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


/* The checks fluhttpsink makes on each request before it streams: client
 * address against the allow/deny lists, htpasswd and signed-URL
 * credentials, client, per-address and bandwidth limits, and the count of
 * viewers per address these limits read. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpcheck.h"

#define GST_CAT_DEFAULT flu_http_sink_debug

/* lock held */
gboolean
flu_http_check_parse_lists (FluHttpSink * sink, GError ** error)
{
  GPtrArray *allow = NULL, *deny = NULL, *filter = NULL, *stats = NULL;

  if (!(allow = flu_http_cidr_list_parse (sink->allow, error)) ||
      !(deny = flu_http_cidr_list_parse (sink->deny, error)) ||
      !(filter = flu_http_cidr_list_parse (sink->ip_filter, error)) ||
      !(stats = flu_http_cidr_list_parse (sink->stats_allow, error))) {
    g_clear_pointer (&allow, g_ptr_array_unref);
    g_clear_pointer (&deny, g_ptr_array_unref);
    g_clear_pointer (&filter, g_ptr_array_unref);
    return FALSE;
  }
  g_clear_pointer (&sink->stats_allow_list, g_ptr_array_unref);
  sink->stats_allow_list = stats;
  g_clear_pointer (&sink->allow_list, g_ptr_array_unref);
  g_clear_pointer (&sink->deny_list, g_ptr_array_unref);
  g_clear_pointer (&sink->filter_list, g_ptr_array_unref);
  sink->allow_list = allow;
  sink->deny_list = deny;
  sink->filter_list = filter;
  return TRUE;
}

/* lock held */
gboolean
flu_http_check_load_htpasswd (FluHttpSink * sink, GError ** error)
{
  GHashTable *users = NULL;

  if (sink->htpasswd && *sink->htpasswd) {
    users = flu_http_htpasswd_load (sink->htpasswd, &sink->users_stamp, error);
    if (users == NULL)
      return FALSE;
  }
  g_clear_pointer (&sink->users, g_hash_table_unref);
  sink->users = users;
  return TRUE;
}

/* lock held */
gboolean
flu_http_check_load_stats_htpasswd (FluHttpSink * sink, GError ** error)
{
  GHashTable *users = NULL;

  if (sink->stats_htpasswd && *sink->stats_htpasswd) {
    users = flu_http_htpasswd_load (sink->stats_htpasswd,
        &sink->stats_users_stamp, error);
    if (users == NULL)
      return FALSE;
  }
  g_clear_pointer (&sink->stats_users, g_hash_table_unref);
  sink->stats_users = users;
  return TRUE;
}

/* lock held on entry and on return, released in between: re-reads the
 * htpasswd file *@file when it changed on disk (edited or replaced).  The
 * stat () and the read run without the lock, which the engine's writer
 * thread takes; the new users replace *@users only if neither the file
 * name nor the users changed meanwhile (set_property).  On a read error
 * the old users stay. */
static void
reload_if_changed (FluHttpSink * sink, gchar ** file, GHashTable ** users,
    FluHttpFileStamp * stamp)
{
  gchar *name = g_strdup (*file);
  GHashTable *old = *users ? g_hash_table_ref (*users) : NULL;
  GHashTable *fresh = NULL;
  FluHttpFileStamp now = *stamp;
  gboolean changed = FALSE;
  GError *err = NULL;

  g_mutex_unlock (&sink->lock);
  if (name && *name && flu_http_file_stamp_changed (name, &now)) {
    changed = TRUE;
    fresh = flu_http_htpasswd_load (name, &now, &err);
    if (fresh == NULL) {
      GST_WARNING_OBJECT (sink, "cannot re-read %s, keeping the old users: "
          "%s", name, err->message);
      g_error_free (err);
    }
  }
  g_mutex_lock (&sink->lock);
  if (changed && *users == old && g_strcmp0 (*file, name) == 0) {
    *stamp = now;
    if (fresh) {
      g_clear_pointer (users, g_hash_table_unref);
      *users = g_steal_pointer (&fresh);
    }
  }
  g_clear_pointer (&fresh, g_hash_table_unref);
  g_clear_pointer (&old, g_hash_table_unref);
  g_free (name);
}

/* The client's address, IPv4-mapped IPv6 turned into IPv4. */
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
flu_http_check_address (FluHttpSink * sink, SoupServerMessage * msg)
{
  GInetAddress *addr = flu_http_client_address (msg);
  gboolean ok;

  g_mutex_lock (&sink->lock);
  ok = flu_http_check_address_locked (sink, addr);
  g_mutex_unlock (&sink->lock);
  g_clear_object (&addr);
  return ok;
}

/* lock held (released while the htpasswd file is re-read and while a
 * password is hashed): SOUP_STATUS_NONE when the request may go on, else
 * 401 or 403 and the reason; @user gets the authenticated user. */
guint
flu_http_check_credentials (FluHttpSink * sink, SoupServerMessage * msg,
    GHashTable * query, gchar ** user, const gchar ** why)
{
  if (sink->users) {
    const gchar *auth =
        soup_message_headers_get_one (soup_server_message_get_request_headers
        (msg), "Authorization");
    gchar *u = NULL, *p = NULL;
    GHashTable *users;
    gboolean ok;

    /* re-read the file when it changed, without the lock */
    reload_if_changed (sink, &sink->htpasswd, &sink->users, &sink->users_stamp);
    if (sink->users == NULL)
      goto token;
    if (!flu_http_parse_basic_auth (auth, &u, &p)) {
      *why = "credentials required";
      return SOUP_STATUS_UNAUTHORIZED;
    }
    /* hashing (up to tens of ms for bcrypt) without the lock, which the
     * engine's threads take; the table is never changed, only replaced */
    users = g_hash_table_ref (sink->users);
    g_mutex_unlock (&sink->lock);
    ok = flu_http_htpasswd_check (users, u, p);
    g_mutex_lock (&sink->lock);
    g_hash_table_unref (users);
    g_free (p);
    if (!ok) {
      *user = u;
      *why = "wrong user or password";
      return SOUP_STATUS_UNAUTHORIZED;
    }
    *user = u;
  }
token:
  if (sink->settings->token_secret && *sink->settings->token_secret) {
    const gchar *token = query ? g_hash_table_lookup (query, "token") : NULL;
    const gchar *expires = query ? g_hash_table_lookup (query, "expires") :
        NULL;

    if (!flu_http_token_check (sink->settings->token_secret,
            sink->settings->mount_point, token, expires,
            g_get_real_time () / G_USEC_PER_SEC)) {
      *why = token ? "invalid or expired token" : "token required";
      return SOUP_STATUS_FORBIDDEN;
    }
  }
  return SOUP_STATUS_NONE;
}

/* lock held: @addr passes deny and allow */
gboolean
flu_http_check_address_locked (FluHttpSink * sink, GInetAddress * addr)
{
  return !flu_http_cidr_list_match (sink->deny_list, addr) &&
      (sink->allow_list == NULL || sink->allow_list->len == 0 ||
      flu_http_cidr_list_match (sink->allow_list, addr));
}

guint
flu_http_check_stats_access (FluHttpSink * sink, SoupServerMessage * msg,
    gboolean * details, const gchar ** why)
{
  GInetAddress *addr = flu_http_client_address (msg);
  GHashTable *users = NULL;
  gboolean listed, ok = TRUE;
  guint status = SOUP_STATUS_NONE;

  g_mutex_lock (&sink->lock);
  listed = sink->stats_allow_list && sink->stats_allow_list->len > 0;
  if (listed && !flu_http_cidr_list_match (sink->stats_allow_list, addr)) {
    g_mutex_unlock (&sink->lock);
    g_clear_object (&addr);
    *why = "address not allowed to read the statistics";
    return SOUP_STATUS_FORBIDDEN;
  }
  if (sink->stats_users) {
    /* re-read the file when it changed, without the lock */
    reload_if_changed (sink, &sink->stats_htpasswd, &sink->stats_users,
        &sink->stats_users_stamp);
    if (sink->stats_users)
      users = g_hash_table_ref (sink->stats_users);
  }
  g_mutex_unlock (&sink->lock);
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

/* lock held: SOUP_STATUS_NONE when there is room for one more viewer */
guint
flu_http_check_limits (FluHttpSink * sink, const gchar * host,
    const gchar ** why)
{
  guint clients = flu_http_stats_clients (&sink->stats) + sink->n_waiting;

  if (sink->max_clients_per_ip && host &&
      GPOINTER_TO_UINT (g_hash_table_lookup (sink->per_ip, host)) >=
      sink->max_clients_per_ip) {
    *why = "too many connections from this address";
    return FLU_HTTP_STATUS_TOO_MANY_REQUESTS;
  }
  if (sink->client_limit && clients >= sink->client_limit) {
    *why = "client limit reached";
    return SOUP_STATUS_SERVICE_UNAVAILABLE;
  }
  if (sink->bandwidth_limit) {
    guint64 rate = flu_http_stats_stream_bitrate (&sink->stats);

    if (rate && (clients + 1) * rate > sink->bandwidth_limit) {
      *why = "bandwidth limit reached";
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    }
  }
  return SOUP_STATUS_NONE;
}

/* lock held: one more viewer from @host */
void
flu_http_per_ip_take (FluHttpSink * sink, const gchar * host)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (sink->per_ip, host));

  g_hash_table_replace (sink->per_ip, g_strdup (host),
      GUINT_TO_POINTER (n + 1));
}

/* lock held */
void
flu_http_per_ip_release (FluHttpSink * sink, const gchar * host)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (sink->per_ip, host));

  if (n > 1)
    g_hash_table_replace (sink->per_ip, g_strdup (host),
        GUINT_TO_POINTER (n - 1));
  else
    g_hash_table_remove (sink->per_ip, host);
}
