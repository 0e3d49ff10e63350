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
  FluHttpGateCredentials c = { &sink->lock, &sink->htpasswd, &sink->users,
    &sink->users_stamp, sink->settings->token_secret,
    sink->settings->mount_point, GST_CAT_DEFAULT, GST_OBJECT (sink)
  };

  return flu_http_gate_credentials (&c, msg, query, user, why);
}

/* lock held: @addr passes deny and allow */
gboolean
flu_http_check_address_locked (FluHttpSink * sink, GInetAddress * addr)
{
  return flu_http_gate_address (sink->allow_list, sink->deny_list, addr);
}

guint
flu_http_check_stats_access (FluHttpSink * sink, SoupServerMessage * msg,
    gboolean * details, const gchar ** why)
{
  FluHttpGateCredentials c = { &sink->lock, &sink->stats_htpasswd,
    &sink->stats_users, &sink->stats_users_stamp, NULL, NULL,
    GST_CAT_DEFAULT, GST_OBJECT (sink)
  };

  return flu_http_gate_stats (&c, &sink->stats_allow_list, msg, details, why);
}

/* lock held: SOUP_STATUS_NONE when there is room for one more viewer */
guint
flu_http_check_limits (FluHttpSink * sink, const gchar * host,
    const gchar ** why)
{
  guint clients = flu_http_stats_clients (&sink->stats) + sink->n_waiting;
  guint from_host = host ?
      GPOINTER_TO_UINT (g_hash_table_lookup (sink->per_ip, host)) : 0;

  return flu_http_gate_limits (sink->max_clients_per_ip, from_host,
      sink->client_limit, clients, sink->bandwidth_limit,
      sink->bandwidth_limit ? flu_http_stats_stream_bitrate (&sink->stats) :
      0, why);
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
