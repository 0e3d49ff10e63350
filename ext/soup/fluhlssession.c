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

#include "fluhlssession.h"
#include "fluhlswindow.h"
#include "fluhttpauth.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define KEY_LEN 32
#define MAC_HEX 32              /* 128 bits of the HMAC */
#define MAX_EXPIRES_DIGITS 12

static void
random_bytes (guint8 * buf, gsize len)
{
  gsize got = 0;

  while (got < len) {
    gssize n = getrandom (buf + got, len - got, 0);

    if (n < 0 && errno == EINTR)
      continue;
    /* getrandom () cannot fail on Linux >= 3.17 once the pool is ready */
    g_assert (n > 0);
    got += n;
  }
}

GBytes *
flu_hls_session_key_random (void)
{
  guint8 *key = g_malloc (KEY_LEN);

  random_bytes (key, KEY_LEN);
  return g_bytes_new_take (key, KEY_LEN);
}

GBytes *
flu_hls_session_key_load (const gchar * filename, GError ** error)
{
  gchar *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (filename, &contents, &len, error))
    return NULL;
  while (len > 0 && g_ascii_isspace (contents[len - 1]))
    len--;
  if (len < FLU_HLS_SESSION_KEY_MIN) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s holds fewer than %d bytes: too short for a session secret",
        filename, FLU_HLS_SESSION_KEY_MIN);
    g_free (contents);
    return NULL;
  }
  return g_bytes_new_take (contents, len);
}

gchar *
flu_hls_session_new_id (void)
{
  guint8 raw[FLU_HLS_SESSION_ID_LEN / 2];
  gchar *id = g_malloc (FLU_HLS_SESSION_ID_LEN + 1);
  guint i;

  random_bytes (raw, sizeof raw);
  for (i = 0; i < sizeof raw; i++)
    g_snprintf (id + 2 * i, 3, "%02x", raw[i]);
  return id;
}

static GHmac *
keyed (GBytes * key)
{
  return g_hmac_new (G_CHECKSUM_SHA256, g_bytes_get_data (key, NULL),
      g_bytes_get_size (key));
}

/* MAC_HEX hex digits; @hmac (keyed (), no data yet) is used up */
static gchar *
make_mac_with (GHmac * hmac, const gchar * id, const gchar * scope,
    gint64 expires, const gchar * address)
{
  gchar *msg = g_strdup_printf ("fluhls1\n%s\n%s\n%" G_GINT64_FORMAT "\n%s",
      id, scope ? scope : "", expires, address ? address : "");
  gchar *mac;

  g_hmac_update (hmac, (const guchar *) msg, strlen (msg));
  mac = g_strndup (g_hmac_get_string (hmac), MAC_HEX);
  g_hmac_unref (hmac);
  g_free (msg);
  return mac;
}

static gchar *
make_mac (GBytes * key, const gchar * id, const gchar * scope,
    gint64 expires, const gchar * address)
{
  return make_mac_with (keyed (key), id, scope, expires, address);
}

static gchar *
token_with (GHmac * hmac, const gchar * id, const gchar * scope,
    gint64 expires, const gchar * address)
{
  gchar *mac = make_mac_with (hmac, id, scope, expires, address);
  gchar *token = g_strdup_printf ("%s.%" G_GINT64_FORMAT ".%s", id, expires,
      mac);

  g_free (mac);
  return token;
}

gchar *
flu_hls_session_token_make (GBytes * key, const gchar * id,
    const gchar * scope, gint64 expires, const gchar * address)
{
  return token_with (keyed (key), id, scope, expires, address);
}

static gboolean
is_hex (const gchar * s, gsize len)
{
  gsize i;

  for (i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

FluHlsTokenStatus
flu_hls_session_token_verify (GBytes * key, const gchar * token,
    const gchar * scope, const gchar * address, gint64 now, gchar ** id)
{
  const gchar *dot1, *dot2;
  gchar *sid, *mac;
  gint64 expires;
  gsize ndigits;
  gboolean ok;

  if (token == NULL || key == NULL)
    return FLU_HLS_TOKEN_MALFORMED;
  dot1 = strchr (token, '.');
  if (dot1 == NULL || dot1 - token != FLU_HLS_SESSION_ID_LEN ||
      !is_hex (token, FLU_HLS_SESSION_ID_LEN))
    return FLU_HLS_TOKEN_MALFORMED;
  ndigits = strspn (dot1 + 1, "0123456789");
  dot2 = dot1 + 1 + ndigits;
  if (ndigits == 0 || ndigits > MAX_EXPIRES_DIGITS || *dot2 != '.' ||
      strlen (dot2 + 1) != MAC_HEX || !is_hex (dot2 + 1, MAC_HEX))
    return FLU_HLS_TOKEN_MALFORMED;
  expires = g_ascii_strtoll (dot1 + 1, NULL, 10);
  sid = g_strndup (token, FLU_HLS_SESSION_ID_LEN);
  mac = make_mac (key, sid, scope, expires, address);
  ok = flu_http_equal_const (mac, dot2 + 1);
  g_free (mac);
  if (!ok) {
    g_free (sid);
    return FLU_HLS_TOKEN_FORGED;
  }
  if (id)
    *id = sid;
  else
    g_free (sid);
  return expires <= now ? FLU_HLS_TOKEN_EXPIRED : FLU_HLS_TOKEN_OK;
}

void
flu_hls_session_free (FluHlsSession * s)
{
  if (s == NULL)
    return;
  g_free (s->id);
  g_free (s->host);
  g_free (s->user);
  g_free (s->user_agent);
  g_free (s->referer);
  g_free (s->target);
  g_free (s->protocol);
  flu_hls_token_cache_free (s->tokens);
  g_free (s);
}

struct _FluHlsSessions
{
  gint64 timeout;
  GHashTable *by_id;            /* id -> FluHlsSession (owned) */
  GHashTable *per_host;         /* host -> count */
  GQueue fresh;                 /* sessions of one request, oldest first */
};

FluHlsSessions *
flu_hls_sessions_new (gint64 timeout_us)
{
  FluHlsSessions *t = g_new0 (FluHlsSessions, 1);

  t->timeout = timeout_us;
  t->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) flu_hls_session_free);
  t->per_host = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return t;
}

void
flu_hls_sessions_free (FluHlsSessions * t)
{
  if (t == NULL)
    return;
  g_queue_clear (&t->fresh);
  g_hash_table_unref (t->by_id);
  g_hash_table_unref (t->per_host);
  g_free (t);
}

static void
host_count (FluHlsSessions * t, const gchar * host, gint delta)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (t->per_host, host));

  if (delta > 0)
    g_hash_table_replace (t->per_host, g_strdup (host),
        GUINT_TO_POINTER (n + 1));
  else if (n > 1)
    g_hash_table_replace (t->per_host, g_strdup (host),
        GUINT_TO_POINTER (n - 1));
  else
    g_hash_table_remove (t->per_host, host);
}

FluHlsSession *
flu_hls_sessions_add (FluHlsSessions * t, const gchar * id,
    const gchar * host, gint64 now)
{
  FluHlsSession *s = g_new0 (FluHlsSession, 1);

  s->id = id ? g_strdup (id) : flu_hls_session_new_id ();
  s->host = g_strdup (host ? host : "-");
  s->start = s->last = now;
  s->start_wall = g_get_real_time ();
  s->tokens = flu_hls_token_cache_new ();
  g_hash_table_replace (t->by_id, s->id, s);
  host_count (t, s->host, 1);
  g_queue_push_tail (&t->fresh, s);
  s->fresh = t->fresh.tail;
  return s;
}

static void
unfresh (FluHlsSessions * t, FluHlsSession * s)
{
  if (s->fresh) {
    g_queue_delete_link (&t->fresh, s->fresh);
    s->fresh = NULL;
  }
}

void
flu_hls_sessions_touch (FluHlsSessions * t, FluHlsSession * s, gint64 now)
{
  s->last = now;
  if (++s->requests > 1)
    unfresh (t, s);
}

FluHlsSession *
flu_hls_sessions_evict_fresh (FluHlsSessions * t)
{
  FluHlsSession *s = g_queue_peek_head (&t->fresh);

  if (s == NULL)
    return NULL;
  unfresh (t, s);
  host_count (t, s->host, -1);
  g_hash_table_steal (t->by_id, s->id);
  return s;
}

FluHlsSession *
flu_hls_sessions_lookup (FluHlsSessions * t, const gchar * id)
{
  return id ? g_hash_table_lookup (t->by_id, id) : NULL;
}

guint
flu_hls_sessions_count (FluHlsSessions * t)
{
  return g_hash_table_size (t->by_id);
}

guint
flu_hls_sessions_count_host (FluHlsSessions * t, const gchar * host)
{
  return host ? GPOINTER_TO_UINT (g_hash_table_lookup (t->per_host, host)) : 0;
}

static gint
by_start (gconstpointer a, gconstpointer b)
{
  const FluHlsSession *x = *(const FluHlsSession * const *) a;
  const FluHlsSession *y = *(const FluHlsSession * const *) b;

  return x->start < y->start ? -1 : x->start > y->start;
}

GPtrArray *
flu_hls_sessions_expire (FluHlsSessions * t, gint64 now, gboolean all)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)
      flu_hls_session_free);
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, t->by_id);
  while (g_hash_table_iter_next (&it, NULL, &v)) {
    FluHlsSession *s = v;

    if (!all && now - s->last < t->timeout)
      continue;
    host_count (t, s->host, -1);
    unfresh (t, s);
    g_hash_table_iter_steal (&it);
    g_ptr_array_add (out, s);
  }
  g_ptr_array_sort (out, by_start);
  return out;
}

FluHlsTokenStatus
flu_hls_sessions_verify (FluHlsSessions * t, GBytes * key,
    const gchar * token, const gchar * scope, const gchar * address,
    gint64 now_s, gint64 now_us, gchar ** id)
{
  gchar *sid = NULL, prefix[FLU_HLS_SESSION_ID_LEN + 1];
  FluHlsSession *s = NULL;
  FluHlsTokenStatus ts;
  gint64 expires;

  /* the session the token names, when it is here */
  if (t && token && strlen (token) > FLU_HLS_SESSION_ID_LEN &&
      token[FLU_HLS_SESSION_ID_LEN] == '.') {
    memcpy (prefix, token, FLU_HLS_SESSION_ID_LEN);
    prefix[FLU_HLS_SESSION_ID_LEN] = '\0';
    s = flu_hls_sessions_lookup (t, prefix);
  }
  if (s && flu_hls_token_cache_check (s->tokens, key, s->id, scope, address,
          token, &expires)) {
    /* one we made or verified for this session, with this key, scope
     * and address: its MAC is right */
    sid = g_strdup (s->id);
    ts = expires <= now_s ? FLU_HLS_TOKEN_EXPIRED : FLU_HLS_TOKEN_OK;
  } else {
    ts = flu_hls_session_token_verify (key, token, scope, address, now_s, &sid);
    if (s && (ts == FLU_HLS_TOKEN_OK || ts == FLU_HLS_TOKEN_EXPIRED) &&
        strcmp (sid, s->id) == 0) {
      flu_hls_token_cache_bind (s->tokens, key, s->id, scope, address);
      expires = g_ascii_strtoll (token + FLU_HLS_SESSION_ID_LEN + 1, NULL, 10);
      flu_hls_token_cache_add (s->tokens, expires, token);
    }
  }

  /* a token of a session we know and that is alive is good whatever
   * its expiry: a segment's token keeps the expiry it was first listed
   * with, and the segment may stay listed longer than that */
  if (ts == FLU_HLS_TOKEN_EXPIRED && s && now_us - s->last < t->timeout)
    ts = FLU_HLS_TOKEN_OK;
  if (ts == FLU_HLS_TOKEN_OK && id)
    *id = g_steal_pointer (&sid);
  g_free (sid);
  return ts;
}

GPtrArray *
flu_hls_sessions_list (FluHlsSessions * t)
{
  GPtrArray *out = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, t->by_id);
  while (g_hash_table_iter_next (&it, NULL, &v))
    g_ptr_array_add (out, v);
  g_ptr_array_sort (out, by_start);
  return out;
}

/* the value of the parameter for the URI @uri (@len bytes; not owned
 * by the caller, valid until the next call) */
typedef const gchar *(*ValueFunc) (const gchar * uri, gsize len, gpointer data);

/* appends @uri (@len bytes) with the parameter added */
static void
append_uri (GString * out, const gchar * uri, gsize len, const gchar * param,
    ValueFunc value, gpointer data)
{
  const gchar *hash = memchr (uri, '#', len);
  gsize base = hash ? (gsize) (hash - uri) : len;

  g_string_append_len (out, uri, base);
  g_string_append_c (out, memchr (uri, '?', base) ? '&' : '?');
  g_string_append (out, param);
  g_string_append_c (out, '=');
  g_string_append (out, value (uri, len, data));
  g_string_append_len (out, uri + base, len - base);
}

static GBytes *
rewrite (GBytes * playlist, const gchar * param, ValueFunc value, gpointer data)
{
  gsize size;
  const gchar *p = g_bytes_get_data (playlist, &size), *end = p + size;
  /* room for a token per URI line without growing (shrunk at the end) */
  GString *out = g_string_sized_new (2 * size + 256);

  while (p < end) {
    const gchar *nl = memchr (p, '\n', end - p);
    const gchar *eol = nl ? nl : end;
    const gchar *content_end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;

    if (p < content_end && *p != '#') {
      append_uri (out, p, content_end - p, param, value, data);
    } else if (p < content_end) {
      const gchar *q = p;

      /* every URI="..." attribute of the tag */
      for (;;) {
        const gchar *a = g_strstr_len (q, content_end - q, "URI=\"");
        const gchar *close;

        if (a == NULL)
          break;
        a += 5;
        close = memchr (a, '"', content_end - a);
        if (close == NULL)
          break;
        g_string_append_len (out, q, a - q);
        append_uri (out, a, close - a, param, value, data);
        q = close;
      }
      g_string_append_len (out, q, content_end - q);
    }
    g_string_append_len (out, content_end, (nl ? nl + 1 : end) - content_end);
    p = nl ? nl + 1 : end;
  }
  /* no spare room: a session's cache may keep it */
  size = out->len;
  return g_bytes_new_take (g_realloc (g_string_free (out, FALSE), size + 1),
      size);
}

static const gchar *
same_value (const gchar * uri, gsize len, gpointer data)
{
  return data;
}

GBytes *
flu_hls_playlist_add_query (GBytes * playlist, const gchar * param,
    const gchar * value)
{
  return rewrite (playlist, param, same_value, (gpointer) value);
}

/* ---- a session's tokens in a playlist ---- */

typedef struct
{
  guint64 msn;                  /* FLU_HLS_NONE: not media */
  gint64 expires;
  gchar *token;
} Made;

typedef struct
{
  const FluHlsTokenSpec *spec;
  GArray *made;                 /* Made: this rewrite's tokens */
  GHmac *keyed;                 /* the key's HMAC state, copied per token */
  gboolean used_now;            /* a URI's token timed from now_s */
} Tokens;

static void
made_clear (Made * m)
{
  g_free (m->token);
}

/* the msn a URI of the window names (a segment, part or init segment:
 * a bare name, no path), FLU_HLS_NONE for any other */
static guint64
uri_msn (const gchar * uri, gsize len)
{
  gsize n = 0;
  gchar name[65];
  guint64 msn = FLU_HLS_NONE;
  guint part;
  FluHlsName kind;

  while (n < len && uri[n] != '?' && uri[n] != '#' && uri[n] != '/')
    n++;
  if ((n < len && uri[n] == '/') || n == 0 || n > 64)
    return FLU_HLS_NONE;
  memcpy (name, uri, n);
  name[n] = '\0';
  kind = flu_hls_parse_name (name, &msn, &part);
  return kind == FLU_HLS_NAME_SEGMENT || kind == FLU_HLS_NAME_PART ||
      kind == FLU_HLS_NAME_INIT ? msn : FLU_HLS_NONE;
}

static const gchar *
token_value (const gchar * uri, gsize len, gpointer data)
{
  Tokens *t = data;
  const FluHlsTokenSpec *sp = t->spec;
  guint64 msn = sp->token_time ? uri_msn (uri, len) : FLU_HLS_NONE;
  gint64 expires = sp->now_s + sp->lifetime_s, at;
  Made m;
  guint i;

  /* one look-up per msn, one HMAC per expiry, in one rewrite (URIs of
   * one msn come together: latest first); with a cache, the latest msn
   * only (the cache has the others' tokens by expiry: no scan of the
   * window's worth of tokens per URI) */
  for (i = t->made->len; i > 0; i--) {
    Made *x = &g_array_index (t->made, Made, i - 1);

    if (x->msn == msn)
      return x->token;
    if (sp->cache)
      break;
  }
  if (msn != FLU_HLS_NONE && (at = sp->token_time (msn, sp->user_data)) >= 0)
    expires = at / G_USEC_PER_SEC + sp->lifetime_s;
  else
    t->used_now = TRUE;
  m.msn = msn;
  m.expires = expires;
  m.token = NULL;
  for (i = t->made->len; i > 0 && m.token == NULL && !sp->cache; i--) {
    Made *x = &g_array_index (t->made, Made, i - 1);

    if (x->expires == expires)
      m.token = g_strdup (x->token);
  }
  if (m.token == NULL && sp->cache) {
    const gchar *kept = flu_hls_token_cache_lookup (sp->cache, expires);

    if (kept)
      m.token = g_strdup (kept);
  }
  if (m.token == NULL) {
    if (t->keyed == NULL)
      t->keyed = keyed (sp->key);
    m.token = token_with (g_hmac_copy (t->keyed), sp->id, sp->scope,
        expires, sp->address);
    if (sp->cache)
      flu_hls_token_cache_add (sp->cache, expires, m.token);
  }
  g_array_append_val (t->made, m);
  return m.token;
}

GBytes *
flu_hls_playlist_add_tokens (GBytes * playlist, const FluHlsTokenSpec * spec)
{
  Tokens t = { spec, NULL, NULL, FALSE };
  gboolean keep = spec->cache && spec->token_time;
  GBytes *out;

  if (spec->cache) {
    flu_hls_token_cache_bind (spec->cache, spec->key, spec->id, spec->scope,
        spec->address);
    /* a reload of the playlist the session got last: that again */
    if (keep && (out = flu_hls_token_cache_playlist (spec->cache, playlist,
                spec->lifetime_s, spec->now_s)))
      return out;
  }
  t.made = g_array_sized_new (FALSE, FALSE, sizeof (Made), 16);
  g_array_set_clear_func (t.made, (GDestroyNotify) made_clear);
  out = rewrite (playlist, FLU_HLS_SESSION_PARAM, token_value, &t);
  g_array_unref (t.made);
  if (t.keyed)
    g_hmac_unref (t.keyed);
  if (keep)
    flu_hls_token_cache_set_playlist (spec->cache, playlist,
        spec->lifetime_s, t.used_now ? spec->now_s : -1, out);
  return out;
}
