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

/* lock held: parses allow, deny, access-log-exclude and stats-allow into
 * @p (a snapshot not yet published); on error @p keeps its lists. */
gboolean
flu_http_check_parse_lists (FluHttpSink * sink, FluHttpSinkSettings * p,
    GError ** error)
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
  g_clear_pointer (&p->stats_allow_list, g_ptr_array_unref);
  g_clear_pointer (&p->allow_list, g_ptr_array_unref);
  g_clear_pointer (&p->deny_list, g_ptr_array_unref);
  g_clear_pointer (&p->filter_list, g_ptr_array_unref);
  p->stats_allow_list = stats;
  p->allow_list = allow;
  p->deny_list = deny;
  p->filter_list = filter;
  return TRUE;
}

/* no lock: (re)reads @p's htpasswd (@stats: stats-htpasswd) file into @p
 * (a snapshot not yet published); no users when the name is unset; on
 * error @p keeps its users. */
gboolean
flu_http_check_load_htpasswd (FluHttpSinkSettings * p, gboolean stats,
    GError ** error)
{
  const gchar *file = stats ? p->stats_htpasswd : p->htpasswd;
  FluHttpFileStamp stamp = { 0 };
  GHashTable *users = NULL;

  if (file && *file) {
    users = flu_http_htpasswd_load (file, &stamp, error);
    if (users == NULL)
      return FALSE;
  }
  if (stats) {
    g_clear_pointer (&p->stats_users, g_hash_table_unref);
    p->stats_users = users;
    p->stats_users_stamp = stamp;
  } else {
    g_clear_pointer (&p->users, g_hash_table_unref);
    p->users = users;
    p->users_stamp = stamp;
  }
  return TRUE;
}

/* no lock, server thread: re-reads the htpasswd (@stats: stats-htpasswd)
 * file of *@p when it changed on disk (edited or replaced), and publishes
 * a snapshot with the new users, which replaces *@p.  A snapshot swapped
 * meanwhile by set_property wins (the file is checked again on the next
 * request).  On a read error the old users stay. */
void
flu_http_check_reload_users (FluHttpSink * sink, FluHttpSinkSettings ** p,
    gboolean stats)
{
  const gchar *file = stats ? (*p)->stats_htpasswd : (*p)->htpasswd;
  FluHttpFileStamp now = stats ? (*p)->stats_users_stamp : (*p)->users_stamp;
  FluHttpSinkSettings *fresh;
  GError *err = NULL;

  if (file == NULL || *file == '\0' || !flu_http_file_stamp_changed (file,
          &now))
    return;
  fresh = flu_http_sink_settings_copy (*p);
  if (!flu_http_check_load_htpasswd (fresh, stats, &err)) {
    GST_WARNING_OBJECT (sink, "cannot re-read %s, keeping the old users: "
        "%s", file, err->message);
    g_error_free (err);
    /* not again on every request: the stamp moves on */
    if (stats)
      fresh->stats_users_stamp = now;
    else
      fresh->users_stamp = now;
  }
  g_atomic_rc_box_acquire (fresh);
  if (flu_http_sink_settings_replace (sink, *p, fresh)) {
    flu_http_sink_settings_unref (*p);
    *p = fresh;
  } else {
    flu_http_sink_settings_unref (fresh);
  }
}

gboolean
flu_http_check_address (FluHttpSink * sink, SoupServerMessage * msg)
{
  GInetAddress *addr = flu_http_client_address (msg);
  g_autoptr (FluHttpSinkSettings) p = flu_http_sink_ref_settings (sink);
  gboolean ok;

  ok = flu_http_check_address_in (p, addr);
  g_clear_object (&addr);
  return ok;
}

/* no lock: SOUP_STATUS_NONE when the signed URL (token-secret) lets the
 * request in, else 403 and the reason */
guint
flu_http_check_token (FluHttpSinkSettings * p, GHashTable * query,
    const gchar ** why)
{
  if (p->token_secret && *p->token_secret) {
    const gchar *token = query ? g_hash_table_lookup (query, "token") : NULL;
    const gchar *expires = query ? g_hash_table_lookup (query, "expires") :
        NULL;

    if (!flu_http_token_check (p->token_secret, p->mount_point, token,
            expires, g_get_real_time () / G_USEC_PER_SEC)) {
      *why = token ? "invalid or expired token" : "token required";
      return SOUP_STATUS_FORBIDDEN;
    }
  }
  return SOUP_STATUS_NONE;
}

/* @addr passes deny and allow */
gboolean
flu_http_check_address_in (FluHttpSinkSettings * p, GInetAddress * addr)
{
  return flu_http_gate_address (p->allow_list, p->deny_list, addr);
}

/* no lock: may this client read the stats paths by address
 * (stats-allow)?  SOUP_STATUS_NONE or 403; @listed says whether a list was
 * set */
guint
flu_http_check_stats_address (FluHttpSinkSettings * p, GInetAddress * addr,
    gboolean * listed, const gchar ** why)
{
  *listed = p->stats_allow_list && p->stats_allow_list->len > 0;
  if (*listed && !flu_http_cidr_list_match (p->stats_allow_list, addr)) {
    *why = "address not allowed to read the statistics";
    return SOUP_STATUS_FORBIDDEN;
  }
  return SOUP_STATUS_NONE;
}

/* lock held: SOUP_STATUS_NONE when there is room for one more viewer */
guint
flu_http_check_limits (FluHttpSink * sink, FluHttpSinkSettings * p,
    const gchar * host, const gchar ** why)
{
  guint clients = flu_http_stats_clients (&sink->stats) + sink->n_waiting;
  guint from_host = host ?
      GPOINTER_TO_UINT (g_hash_table_lookup (sink->per_ip, host)) : 0;

  return flu_http_gate_limits (p->max_clients_per_ip, from_host,
      p->client_limit, clients, p->bandwidth_limit,
      p->bandwidth_limit ? flu_http_stats_stream_bitrate (&sink->stats) :
      0, why);
}

guint
flu_http_check_on_air (FluHttpSink * sink, FluHttpSinkSettings * p,
    const gchar ** why)
{
  if (sink->caps && p->stall_timeout &&
      flu_http_stats_gone_silent (&sink->stats,
          (gint64) p->stall_timeout * G_USEC_PER_SEC)) {
    /* the source went silent or ended: old data would look live */
    *why = "the stream has no data";
    return SOUP_STATUS_SERVICE_UNAVAILABLE;
  }
  if (sink->server == NULL) {
    /* the element is stopping: its mounts go away a moment later */
    *why = "the stream is stopping";
    return SOUP_STATUS_SERVICE_UNAVAILABLE;
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
