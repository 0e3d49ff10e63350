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

/* fluhttpsink's settings snapshot (FluHttpSinkSettings, fluhttpsinkpriv.h):
 * copied and swapped by set_property (fluhttpsink.c), referenced by the
 * request handler (fluhttprequest.c). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpsinkpriv.h"

static void
settings_clear (gpointer data)
{
  FluHttpSinkSettings *p = data;

  g_free (p->mount_point);
  g_free (p->stats_path);
  g_free (p->metrics_path);
  g_free (p->player_path);
  g_free (p->status_path);
  g_free (p->content_type);
  g_free (p->cors_origin);
  if (p->extra_headers)
    gst_structure_free (p->extra_headers);
  g_free (p->redirect_on_overflow);
  g_free (p->realm);
  g_free (p->token_secret);
  g_clear_pointer (&p->allow_list, g_ptr_array_unref);
  g_clear_pointer (&p->deny_list, g_ptr_array_unref);
  g_clear_pointer (&p->filter_list, g_ptr_array_unref);
  g_clear_pointer (&p->stats_allow_list, g_ptr_array_unref);
  g_free (p->htpasswd);
  g_free (p->stats_htpasswd);
  g_clear_pointer (&p->users, g_hash_table_unref);
  g_clear_pointer (&p->stats_users, g_hash_table_unref);
}

static GPtrArray *
list_ref (GPtrArray * list)
{
  return list ? g_ptr_array_ref (list) : NULL;
}

static GHashTable *
table_ref (GHashTable * table)
{
  return table ? g_hash_table_ref (table) : NULL;
}

void
flu_http_sink_settings_unref (FluHttpSinkSettings * settings)
{
  g_atomic_rc_box_release_full (settings, settings_clear);
}

FluHttpSinkSettings *
flu_http_sink_settings_copy (const FluHttpSinkSettings * p)
{
  FluHttpSinkSettings *c = g_atomic_rc_box_new0 (FluHttpSinkSettings);

  c->mount_point = g_strdup (p->mount_point);
  c->stats_path = g_strdup (p->stats_path);
  c->metrics_path = g_strdup (p->metrics_path);
  c->player_path = g_strdup (p->player_path);
  c->status_path = g_strdup (p->status_path);
  c->content_type = g_strdup (p->content_type);
  c->cors_origin = g_strdup (p->cors_origin);
  c->extra_headers = p->extra_headers ?
      gst_structure_copy (p->extra_headers) : NULL;
  c->redirect_on_overflow = g_strdup (p->redirect_on_overflow);
  c->realm = g_strdup (p->realm);
  c->token_secret = g_strdup (p->token_secret);
  c->caps_timeout = p->caps_timeout;
  c->stall_timeout = p->stall_timeout;
  c->client_limit = p->client_limit;
  c->retry_after = p->retry_after;
  c->bandwidth_limit = p->bandwidth_limit;
  c->max_clients_per_ip = p->max_clients_per_ip;
  c->max_duration = p->max_duration;
  c->max_pending_logins = p->max_pending_logins;
  /* built once, never changed: shared */
  c->allow_list = list_ref (p->allow_list);
  c->deny_list = list_ref (p->deny_list);
  c->filter_list = list_ref (p->filter_list);
  c->stats_allow_list = list_ref (p->stats_allow_list);
  c->htpasswd = g_strdup (p->htpasswd);
  c->stats_htpasswd = g_strdup (p->stats_htpasswd);
  c->users = table_ref (p->users);
  c->stats_users = table_ref (p->stats_users);
  c->users_stamp = p->users_stamp;
  c->stats_users_stamp = p->stats_users_stamp;
  return c;
}

/* mount_lock held */
FluHttpSinkSettings *
flu_http_sink_settings_begin (FluHttpSink * sink)
{
  g_autoptr (FluHttpSinkSettings) old = flu_http_sink_ref_settings (sink);

  /* copied without the lock: only mount_lock holders publish, except a
   * re-read htpasswd (flu_http_sink_settings_replace), which a commit may
   * overwrite: it is read again on the next request */
  return flu_http_sink_settings_copy (old);
}

/* mount_lock held */
void
flu_http_sink_settings_commit (FluHttpSink * sink,
    FluHttpSinkSettings * settings)
{
  FluHttpSinkSettings *old;

  g_mutex_lock (&sink->lock);
  old = sink->settings;
  sink->settings = settings;
  g_mutex_unlock (&sink->lock);
  flu_http_sink_settings_unref (old);
}

/* any thread, mount_lock not needed: publish @settings (taken) if the
 * current snapshot is still @base; else drop it.  FALSE when dropped. */
gboolean
flu_http_sink_settings_replace (FluHttpSink * sink,
    FluHttpSinkSettings * base, FluHttpSinkSettings * settings)
{
  FluHttpSinkSettings *old = NULL;

  g_mutex_lock (&sink->lock);
  if (sink->settings == base) {
    old = sink->settings;
    sink->settings = settings;
    settings = NULL;
  }
  g_mutex_unlock (&sink->lock);
  if (old)
    flu_http_sink_settings_unref (old);
  if (settings) {
    flu_http_sink_settings_unref (settings);
    return FALSE;
  }
  return TRUE;
}

/* any thread, lock not held: the current settings, to read without it */
FluHttpSinkSettings *
flu_http_sink_ref_settings (FluHttpSink * sink)
{
  FluHttpSinkSettings *p;

  g_mutex_lock (&sink->lock);
  p = g_atomic_rc_box_acquire (sink->settings);
  g_mutex_unlock (&sink->lock);
  return p;
}
