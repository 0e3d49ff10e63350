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

/* fluhlssink's viewer sessions, without sockets: the session token (an
 * HMAC-SHA256 over the session id, the scope (mount point), the expiry
 * and optionally the client address), the table of live sessions with
 * their idle expiry, and the playlist rewrite that puts the token into
 * every URI of a playlist.  Not thread-safe: the server thread owns a
 * table. */

#ifndef __FLU_HLS_SESSION_H__
#define __FLU_HLS_SESSION_H__

#include <glib.h>

#include "fluhlstokencache.h"

G_BEGIN_DECLS

/* The query parameter (and cookie) that carries a token. */
#define FLU_HLS_SESSION_PARAM "s"
#define FLU_HLS_COOKIE_NAME "flu_hls_session"

#define FLU_HLS_SESSION_KEY_MIN 16      /* bytes of a session-secret-file */
#define FLU_HLS_SESSION_ID_LEN 24       /* hex digits of an id (96 bits) */

typedef enum
{
  FLU_HLS_TOKEN_OK,
  FLU_HLS_TOKEN_MALFORMED,
  FLU_HLS_TOKEN_FORGED,         /* the MAC does not match */
  FLU_HLS_TOKEN_EXPIRED,
} FluHlsTokenStatus;

/* A key: 32 random bytes (getrandom ()). */
GBytes *flu_hls_session_key_random (void);
/* The key in @filename (its contents, trailing blanks and newlines cut,
 * at least FLU_HLS_SESSION_KEY_MIN bytes). */
GBytes *flu_hls_session_key_load (const gchar * filename, GError ** error);

/* A fresh random session id (FLU_HLS_SESSION_ID_LEN hex digits). */
gchar *flu_hls_session_new_id (void);

/* "<id>.<expires>.<mac>": mac = the first 128 bits, in hex, of
 * HMAC-SHA256(key, "fluhls1\n<id>\n<scope>\n<expires>\n<address>"), with
 * an empty address when @address is NULL; expires in Unix seconds. */
gchar *flu_hls_session_token_make (GBytes * key, const gchar * id,
    const gchar * scope, gint64 expires, const gchar * address);
/* Checks @token (the MAC compared in constant time, then the expiry
 * against @now, Unix seconds); @id gets the session id when OK or
 * EXPIRED (the MAC is right). */
FluHlsTokenStatus flu_hls_session_token_verify (GBytes * key,
    const gchar * token, const gchar * scope, const gchar * address,
    gint64 now, gchar ** id);

/* One viewer. */
typedef struct
{
  gchar *id;
  gchar *host;                  /* client address as text */
  gchar *user;                  /* NULL: none */
  gchar *user_agent;
  gchar *referer;
  gchar *target;                /* the first request, token values hidden */
  gchar *protocol;
  gint64 start_wall;            /* us since the epoch */
  gint64 start;                 /* monotonic us */
  gint64 last;                  /* monotonic us of the latest request */
  guint64 bytes;
  guint64 requests;
  GList *fresh;                 /* the table's: its link while it has made
                                 * one request */
  FluHlsTokenCache *tokens;     /* its tokens made and verified */
} FluHlsSession;

/* The most a stored user agent or referer keeps (bytes): bounds a
 * session's memory whatever the client sends. */
#define FLU_HLS_SESSION_TEXT_MAX 256

void flu_hls_session_free (FluHlsSession * s);

typedef struct _FluHlsSessions FluHlsSessions;

/* @timeout_us: idle time after which a session ends. */
FluHlsSessions *flu_hls_sessions_new (gint64 timeout_us);
void flu_hls_sessions_free (FluHlsSessions * t);
/* A new session @id (a fresh one when NULL) from @host, started @now
 * (monotonic us); the table owns it. */
FluHlsSession *flu_hls_sessions_add (FluHlsSessions * t, const gchar * id,
    const gchar * host, gint64 now);
FluHlsSession *flu_hls_sessions_lookup (FluHlsSessions * t, const gchar * id);
/* One more request of @s (its requests counted, its activity @now). */
void flu_hls_sessions_touch (FluHlsSessions * t, FluHlsSession * s,
    gint64 now);
/* The oldest session that has made one request only, taken out of the
 * table (the caller frees it); NULL when none. */
FluHlsSession *flu_hls_sessions_evict_fresh (FluHlsSessions * t);
guint flu_hls_sessions_count (FluHlsSessions * t);
guint flu_hls_sessions_count_host (FluHlsSessions * t, const gchar * host);
/* The sessions idle for the timeout at @now (all of them when @all),
 * taken out of the table, oldest first: the caller frees them. */
GPtrArray *flu_hls_sessions_expire (FluHlsSessions * t, gint64 now,
    gboolean all);
/* @token verified for a request to the sessions of @t: as
 * flu_hls_session_token_verify (@now_s, Unix seconds), but a token whose
 * MAC is right and whose expiry has passed is OK when its session is in
 * @t (may be NULL) and alive at @now_us (monotonic: its latest request
 * less than the timeout ago).  @id gets the session id when OK.  A token
 * of a session in @t that its cache holds (made or verified for it with
 * @key, @scope and @address) is compared with it (constant time)
 * instead of HMACed again; one verified is kept there. */
FluHlsTokenStatus flu_hls_sessions_verify (FluHlsSessions * t, GBytes * key,
    const gchar * token, const gchar * scope, const gchar * address,
    gint64 now_s, gint64 now_us, gchar ** id);
/* A snapshot of the live sessions (not owned: valid until the table
 * changes). */
GPtrArray *flu_hls_sessions_list (FluHlsSessions * t);

/* @playlist with "<param>=<value>" added to the query of every URI in it:
 * URI lines and the URI="..." attributes of tags (EXT-X-MAP, EXT-X-PART,
 * EXT-X-PRELOAD-HINT, EXT-X-RENDITION-REPORT, EXT-X-MEDIA). */
GBytes *flu_hls_playlist_add_query (GBytes * playlist, const gchar * param,
    const gchar * value);

/* The token time (Unix us) of media sequence number @msn, -1 when none
 * (flu_hls_window_token_time ()). */
typedef gint64 (*FluHlsTokenTimeFunc) (guint64 msn, gpointer user_data);

/* What one session's tokens in a playlist are made of. */
typedef struct
{
  GBytes *key;
  const gchar *id;
  const gchar *scope;
  const gchar *address;         /* NULL: tokens not bound to one */
  gint64 lifetime_s;            /* a token expires this long after its time */
  gint64 now_s;                 /* Unix s: the time of URIs naming no media */
  FluHlsTokenTimeFunc token_time;       /* NULL: every URI's time is now_s */
  gpointer user_data;
  FluHlsTokenCache *cache;      /* NULL: none; else the session's (its
                                 * tokens, and its playlist when
                                 * token_time is set) */
} FluHlsTokenSpec;

/* @playlist with the session's token (FLU_HLS_SESSION_PARAM=...) added to
 * every URI, as flu_hls_playlist_add_query () does.  A media URI (a bare
 * segment, part or init segment name, flu_hls_parse_name ()) expires
 * lifetime_s after the token time of its msn, so it comes out the same in
 * every playlist of the session while it is listed (RFC 8216bis 6.2.1);
 * any other URI (a rendition report, a variant playlist, an msn without a
 * token time) expires lifetime_s after now_s.  One token time look-up per
 * msn and one HMAC per expiry for the playlist; with a cache, one HMAC
 * per expiry it does not hold yet (a new segment), and the playlist
 * itself again (a ref) when @playlist is the bytes object it was last
 * made from (and, if it has URIs timed from now, at the same now_s). */
GBytes *flu_hls_playlist_add_tokens (GBytes * playlist,
    const FluHlsTokenSpec * spec);

G_END_DECLS

#endif /* __FLU_HLS_SESSION_H__ */
