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


#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhlstokencache.h"
#include "fluhttpauth.h"

#include <string.h>

/* "<id>.<expires>.<mac>": 24 + 1 + 12 + 1 + 32 at most */
#define TOKEN_MAX 80
#define ENTRIES_STEP 4

typedef struct
{
  gint64 expires;
  gchar token[TOKEN_MAX];
} Entry;

struct _FluHlsTokenCache
{
  /* what the tokens are made of */
  GBytes *key;
  gchar *id;
  gchar *scope;
  gchar *address;
  Entry *entries;               /* unordered */
  guint n_entries;
  guint allocated;              /* grown by ENTRIES_STEP: a session's
                                 * memory follows its window */
  /* the last playlist */
  GBytes *source;
  GBytes *out;
  gint64 lifetime_s;
  gint64 now_s;
  /* the last cookie */
  gint64 cookie_expires;
  gchar *cookie;
};

FluHlsTokenCache *
flu_hls_token_cache_new (void)
{
  return g_new0 (FluHlsTokenCache, 1);
}

static void
clear_playlist (FluHlsTokenCache * c)
{
  g_clear_pointer (&c->source, g_bytes_unref);
  g_clear_pointer (&c->out, g_bytes_unref);
}

static void
empty (FluHlsTokenCache * c)
{
  c->n_entries = 0;
  clear_playlist (c);
  g_clear_pointer (&c->cookie, g_free);
}

void
flu_hls_token_cache_free (FluHlsTokenCache * c)
{
  if (c == NULL)
    return;
  empty (c);
  g_free (c->entries);
  if (c->key)
    g_bytes_unref (c->key);
  g_free (c->id);
  g_free (c->scope);
  g_free (c->address);
  g_free (c);
}

static gboolean
bound_to (FluHlsTokenCache * c, GBytes * key, const gchar * id,
    const gchar * scope, const gchar * address)
{
  return c->key && key && (c->key == key || g_bytes_equal (c->key, key)) &&
      (c->id == id || g_strcmp0 (c->id, id) == 0) &&
      g_strcmp0 (c->scope, scope) == 0 &&
      (c->address == address || g_strcmp0 (c->address, address) == 0);
}

void
flu_hls_token_cache_bind (FluHlsTokenCache * c, GBytes * key,
    const gchar * id, const gchar * scope, const gchar * address)
{
  if (bound_to (c, key, id, scope, address))
    return;
  empty (c);
  if (c->key)
    g_bytes_unref (c->key);
  c->key = key ? g_bytes_ref (key) : NULL;
  g_free (c->id);
  c->id = g_strdup (id);
  g_free (c->scope);
  c->scope = g_strdup (scope);
  g_free (c->address);
  c->address = g_strdup (address);
}

static Entry *
find (FluHlsTokenCache * c, gint64 expires)
{
  guint i;

  for (i = 0; i < c->n_entries; i++)
    if (c->entries[i].expires == expires)
      return &c->entries[i];
  return NULL;
}

const gchar *
flu_hls_token_cache_lookup (FluHlsTokenCache * c, gint64 expires)
{
  Entry *e = c->key ? find (c, expires) : NULL;

  return e ? e->token : NULL;
}

void
flu_hls_token_cache_add (FluHlsTokenCache * c, gint64 expires,
    const gchar * token)
{
  gsize len = strlen (token);
  Entry *e;
  guint i;

  if (c->key == NULL || len >= TOKEN_MAX)
    return;
  if ((e = find (c, expires)) == NULL) {
    if (c->n_entries < FLU_HLS_TOKEN_CACHE_TOKENS) {
      if (c->n_entries == c->allocated) {
        c->allocated = MIN (c->allocated + ENTRIES_STEP,
            FLU_HLS_TOKEN_CACHE_TOKENS);
        c->entries = g_renew (Entry, c->entries, c->allocated);
      }
      e = &c->entries[c->n_entries++];
    } else {
      /* full: the oldest expiry goes */
      e = &c->entries[0];
      for (i = 1; i < c->n_entries; i++)
        if (c->entries[i].expires < e->expires)
          e = &c->entries[i];
    }
  }
  e->expires = expires;
  memcpy (e->token, token, len + 1);
}

/* the expiry field of "<id>.<expires>.<mac>" (public: not secret) */
static gboolean
token_expires (const gchar * token, gint64 * expires)
{
  const gchar *dot = strchr (token, '.');
  gchar *end;

  if (dot == NULL || !g_ascii_isdigit (dot[1]))
    return FALSE;
  *expires = g_ascii_strtoll (dot + 1, &end, 10);
  return *end == '.';
}

gboolean
flu_hls_token_cache_check (FluHlsTokenCache * c, GBytes * key,
    const gchar * id, const gchar * scope, const gchar * address,
    const gchar * token, gint64 * expires)
{
  Entry *e;

  if (token == NULL || !bound_to (c, key, id, scope, address) ||
      !token_expires (token, expires) || (e = find (c, *expires)) == NULL)
    return FALSE;
  /* the MAC is the secret part: compared in constant time */
  return flu_http_equal_const (e->token, token);
}

GBytes *
flu_hls_token_cache_playlist (FluHlsTokenCache * c, GBytes * source,
    gint64 lifetime_s, gint64 now_s)
{
  if (c->out == NULL || c->lifetime_s != lifetime_s ||
      (c->now_s >= 0 && c->now_s != now_s))
    return NULL;
  /* the same bytes object (we hold a ref of it, so its address is not
   * reused) or the same text (a window renders its playlist again after
   * each part it takes, the same until a segment is listed): the same
   * playlist, as the token times of the media it names do not change */
  if (c->source != source) {
    if (!g_bytes_equal (c->source, source))
      return NULL;
    g_bytes_unref (c->source);
    c->source = g_bytes_ref (source);
  }
  return g_bytes_ref (c->out);
}

void
flu_hls_token_cache_set_playlist (FluHlsTokenCache * c, GBytes * source,
    gint64 lifetime_s, gint64 now_s, GBytes * out)
{
  clear_playlist (c);
  if (c->key == NULL
      || g_bytes_get_size (out) > FLU_HLS_TOKEN_CACHE_PLAYLIST_MAX)
    return;
  c->source = g_bytes_ref (source);
  c->out = g_bytes_ref (out);
  c->lifetime_s = lifetime_s;
  c->now_s = now_s;
}

const gchar *
flu_hls_token_cache_cookie (FluHlsTokenCache * c, gint64 expires)
{
  return c->cookie && c->cookie_expires == expires ? c->cookie : NULL;
}

void
flu_hls_token_cache_set_cookie (FluHlsTokenCache * c, gint64 expires,
    const gchar * value)
{
  g_free (c->cookie);
  c->cookie = c->key ? g_strdup (value) : NULL;
  c->cookie_expires = expires;
}
