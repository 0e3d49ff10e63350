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
  return c;
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
