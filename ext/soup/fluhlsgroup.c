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

/* See fluhlsgroup.h.  Two locks, in this order:
 *   1. mount_lock: held by a whole join or leave, mount and unmount
 *      included, so that a group's multivariant playlist is mounted and
 *      unmounted in the order its first and last members come and go (a
 *      leave unmounting while a join of the same name mounted it anew
 *      failed the join).  Never taken by the server thread, which a
 *      mount waits for.
 *   2. registry_lock: groups, members and their records; the server
 *      thread renders under it; nothing waits for the server under it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhlsgroup.h"
#include "fluhlsaccess.h"
#include "fluhlsvariant.h"

#include <string.h>

typedef struct
{
  gchar *key;                   /* "<server>/<name>" */
  FluHttpServer *server;
  gchar *name;
  gchar *path;                  /* /<name>.m3u8 */
  gchar *cors_origin;
  gchar *control;               /* what every member has alike */
  GPtrArray *members;           /* FluHlsMember, in join order */
  gchar *access;                /* the members' access settings, alike */
  GBytes *session_key;          /* the session key they share */
} Group;

struct _FluHlsMember
{
  FluHlsRendition r;            /* first: members are renditions */
  Group *group;
  guint target_duration;        /* s, for the multivariant's max-age */
  FluHlsAccess *access;         /* while its access runs (set and cleared
                                 * in the server thread) */
};

static GMutex mount_lock;
static GMutex registry_lock;
static GHashTable *groups;      /* key -> Group */

gboolean
flu_hls_group_name_valid (const gchar * name)
{
  const gchar *p;

  if (name == NULL || *name == '\0' || *name == '.')
    return FALSE;
  for (p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* server thread: the multivariant playlist */
static void
handle_multivariant (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  Group *g = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  FluHlsAccess *lead = NULL;
  GBytes *body, *own;
  guint max_age = 1;
  gchar *text, *cache;
  guint i;

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    flu_http_server_respond (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    soup_message_headers_replace (h, "Allow", "GET, HEAD");
    return;
  }
  /* the group's lead: the access of its first running member (valid
   * until this handler returns: members are unset in this thread) */
  g_mutex_lock (&registry_lock);
  text = flu_hls_multivariant_render ("/",
      (FluHlsRendition **) g->members->pdata, g->members->len);
  for (i = 0; i < g->members->len; i++) {
    FluHlsMember *m = g->members->pdata[i];

    max_age = MAX (max_age, m->target_duration);
    if (lead == NULL)
      lead = m->access;
  }
  g_mutex_unlock (&registry_lock);
  if (g->cors_origin)
    soup_message_headers_replace (h, "Access-Control-Allow-Origin",
        g->cors_origin);
  if (text == NULL) {
    /* before the check: no session started for nothing */
    flu_http_server_respond (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "no rendition has a segment yet");
    soup_message_headers_replace (h, "Retry-After", "1");
    return;
  }
  /* the viewer's check, once for the group's session */
  if (lead && !flu_hls_access_admit (lead, msg, query, TRUE)) {
    g_free (text);
    return;
  }
  flu_http_server_set_common_headers (msg);
  /* the figures change slowly: a target duration old is fine */
  cache = g_strdup_printf ("public, max-age=%u", max_age);
  soup_message_headers_replace (h, "Cache-Control", cache);
  g_free (cache);
  body = g_bytes_new_take (text, strlen (text));
  /* the session's token into the variant URIs, private caching */
  if (lead) {
    own = flu_hls_access_playlist (lead, msg, body, NULL);
    flu_hls_access_set_headers (lead, msg);
  } else {
    own = g_bytes_ref (body);
  }
  soup_server_message_set_response (msg, "application/vnd.apple.mpegurl",
      SOUP_MEMORY_COPY, g_bytes_get_data (own, NULL), g_bytes_get_size (own));
  g_bytes_unref (own);
  g_bytes_unref (body);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
group_free (Group * g)
{
  g_free (g->key);
  g_free (g->name);
  g_free (g->path);
  g_free (g->access);
  g_clear_pointer (&g->session_key, g_bytes_unref);
  g_free (g->cors_origin);
  g_free (g->control);
  g_ptr_array_unref (g->members);
  g_free (g);
}

static void
member_free (FluHlsMember * m)
{
  g_free (m->r.mount_point);
  g_free (m->r.codecs);
  g_free (m);
}

FluHlsMember *
flu_hls_group_join (FluHttpServer * server, const gchar * name,
    const gchar * mount_point, const gchar * cors_origin,
    guint target_duration, const gchar * control, GError ** error)
{
  gchar *key = g_strdup_printf ("%p/%s", (gpointer) server, name);
  FluHlsMember *m;
  Group *g, *created = NULL;

  if (!flu_hls_group_name_valid (name)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "group '%s' is not a name of letters, digits, '.', '_' and '-'", name);
    g_free (key);
    return NULL;
  }
  g_mutex_lock (&mount_lock);
  m = g_new0 (FluHlsMember, 1);
  m->r.mount_point = g_strdup (mount_point);
  m->r.last_msn = G_MAXUINT64;
  m->r.last_part = -1;
  m->target_duration = target_duration;

  g_mutex_lock (&registry_lock);
  if (groups == NULL)
    groups = g_hash_table_new (g_str_hash, g_str_equal);
  g = g_hash_table_lookup (groups, key);
  if (g == NULL) {
    created = g = g_new0 (Group, 1);
    g->key = g_steal_pointer (&key);
    g->server = server;
    g->name = g_strdup (name);
    g->path = g_strdup_printf ("/%s.m3u8", name);
    g->cors_origin = cors_origin && *cors_origin ? g_strdup (cors_origin) :
        NULL;
    g->control = g_strdup (control);
    g->members = g_ptr_array_new ();
    g_hash_table_insert (groups, g->key, g);
  } else if (g_strcmp0 (g->control, control) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "the renditions of group '%s' must have the same target-duration, "
        "part-target and playlist-length (%s here, %s in the group)", name,
        control, g->control);
    g_mutex_unlock (&registry_lock);
    g_mutex_unlock (&mount_lock);
    g_free (key);
    member_free (m);
    return NULL;
  }
  m->group = g;
  g_ptr_array_add (g->members, m);
  g_mutex_unlock (&registry_lock);
  g_free (key);

  /* the mount, outside registry_lock (it waits for the server thread,
   * which may be rendering under it) */
  if (created && !flu_http_server_add_mount (server, created->path,
          handle_multivariant, created, error)) {
    /* (a member cannot have joined meanwhile: mount_lock) */
    g_mutex_lock (&registry_lock);
    g_ptr_array_remove (created->members, m);
    if (created->members->len == 0)
      g_hash_table_remove (groups, created->key);
    else
      created = NULL;
    g_mutex_unlock (&registry_lock);
    g_mutex_unlock (&mount_lock);
    if (created)
      group_free (created);
    member_free (m);
    return NULL;
  }
  g_mutex_unlock (&mount_lock);
  return m;
}

void
flu_hls_group_leave (FluHlsMember * m)
{
  Group *g = m->group, *last = NULL;

  g_mutex_lock (&mount_lock);
  g_mutex_lock (&registry_lock);
  g_ptr_array_remove (g->members, m);
  if (g->members->len == 0) {
    g_hash_table_remove (groups, g->key);
    last = g;
  }
  g_mutex_unlock (&registry_lock);
  if (last) {
    /* answered in the server thread: no request runs on it after */
    flu_http_server_remove_mount (last->server, last->path);
    group_free (last);
  }
  g_mutex_unlock (&mount_lock);
  member_free (m);
}

void
flu_hls_member_set_stats (FluHlsMember * m, const FluHlsWindowStats * st)
{
  g_mutex_lock (&registry_lock);
  m->r.ready = st->last_msn != FLU_HLS_NONE;
  m->r.peak_bps = st->peak_bps;
  m->r.avg_bps = st->avg_bps;
  m->r.last_msn = st->report_msn;
  m->r.last_part = st->report_part;
  g_mutex_unlock (&registry_lock);
}

void
flu_hls_member_set_media (FluHlsMember * m, const gchar * codecs,
    guint width, guint height, gdouble fps)
{
  g_mutex_lock (&registry_lock);
  g_free (m->r.codecs);
  m->r.codecs = g_strdup (codecs);
  m->r.width = width;
  m->r.height = height;
  m->r.fps = fps;
  g_mutex_unlock (&registry_lock);
}

GBytes *
flu_hls_member_reports (FluHlsMember * m)
{
  gchar *text;

  g_mutex_lock (&registry_lock);
  text = flu_hls_reports_render (&m->r,
      (FluHlsRendition **) m->group->members->pdata, m->group->members->len);
  g_mutex_unlock (&registry_lock);
  if (*text == '\0') {
    g_free (text);
    return NULL;
  }
  return g_bytes_new_take (text, strlen (text));
}

gboolean
flu_hls_member_agree (FluHlsMember * m, const gchar * settings, GBytes ** key,
    GError ** error)
{
  Group *g = m->group;
  gboolean ok = TRUE;

  g_mutex_lock (&registry_lock);
  if (g->access == NULL) {
    g->access = g_strdup (settings);
    g->session_key = g_bytes_ref (*key);
  } else if (strcmp (g->access, settings) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "the renditions of group '%s' must have the same access settings "
        "(htpasswd, token-secret, allow, deny, limits, access-log, "
        "session-*)", g->name);
    ok = FALSE;
  }
  if (ok) {
    g_bytes_unref (*key);
    *key = g_bytes_ref (g->session_key);
  }
  g_mutex_unlock (&registry_lock);
  return ok;
}

void
flu_hls_member_set_access (FluHlsMember * m, FluHlsAccess * access)
{
  g_mutex_lock (&registry_lock);
  m->access = access;
  g_mutex_unlock (&registry_lock);
}

FluHlsAccess *
flu_hls_member_lead (FluHlsMember * m)
{
  FluHlsAccess *lead = NULL;
  guint i;

  g_mutex_lock (&registry_lock);
  for (i = 0; i < m->group->members->len && lead == NULL; i++)
    lead = ((FluHlsMember *) m->group->members->pdata[i])->access;
  g_mutex_unlock (&registry_lock);
  return lead;
}

const gchar *
flu_hls_member_group_name (FluHlsMember * m)
{
  return m->group->name;
}

const gchar *
flu_hls_member_group_path (FluHlsMember * m)
{
  return m->group->path;
}
