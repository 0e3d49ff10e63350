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

/* One session's tokens kept, so that its requests cost no HMAC: the
 * tokens made for it (its playlists' URIs, its cookie) and the ones
 * verified for it, by expiry; its last playlist with the tokens in
 * (for a reload of the same playlist); its last Set-Cookie value.  A
 * cache is bound to the key, scope, session id and address its tokens
 * were made with: used with any other, it is emptied first (making) or
 * has nothing (checking).  Not thread-safe: the server thread owns the
 * session and its cache. */

#ifndef __FLU_HLS_TOKEN_CACHE_H__
#define __FLU_HLS_TOKEN_CACHE_H__

#include <glib.h>

G_BEGIN_DECLS

/* The most tokens a cache keeps (the oldest expiry goes first): a
 * window of up to about this many segments costs one HMAC per new
 * segment. */
#define FLU_HLS_TOKEN_CACHE_TOKENS 64
/* The largest playlist (with its tokens, bytes) a cache keeps. */
#define FLU_HLS_TOKEN_CACHE_PLAYLIST_MAX 4096

typedef struct _FluHlsTokenCache FluHlsTokenCache;

FluHlsTokenCache *flu_hls_token_cache_new (void);
void flu_hls_token_cache_free (FluHlsTokenCache * c);

/* Binds @c to the token inputs (@address NULL: unbound tokens); when
 * they differ from the ones it holds tokens for, it is emptied. */
void flu_hls_token_cache_bind (FluHlsTokenCache * c, GBytes * key,
    const gchar * id, const gchar * scope, const gchar * address);
/* The token (bound as above) expiring at @expires, NULL when none. */
const gchar *flu_hls_token_cache_lookup (FluHlsTokenCache * c,
    gint64 expires);
/* Keeps @token (well formed, its MAC right, made with the inputs @c is
 * bound to) that expires at @expires. */
void flu_hls_token_cache_add (FluHlsTokenCache * c, gint64 expires,
    const gchar * token);
/* TRUE when @c is bound to @key, @id, @scope and @address and @token is
 * one of its tokens (compared in constant time): its MAC is right, its
 * expiry in @expires. */
gboolean flu_hls_token_cache_check (FluHlsTokenCache * c, GBytes * key,
    const gchar * id, const gchar * scope, const gchar * address,
    const gchar * token, gint64 * expires);

/* The playlist made last from @source (the same bytes object, or the
 * same text: the token times of the media it names must not change) for
 * @lifetime_s and, when it had URIs timed from now (@now_s), at @now_s;
 * NULL when none (a ref). */
GBytes *flu_hls_token_cache_playlist (FluHlsTokenCache * c, GBytes * source,
    gint64 lifetime_s, gint64 now_s);
/* Keeps @out, made from @source (@now_s -1: no URI timed from now). */
void flu_hls_token_cache_set_playlist (FluHlsTokenCache * c, GBytes * source,
    gint64 lifetime_s, gint64 now_s, GBytes * out);

/* The Set-Cookie value kept for @expires, NULL when none. */
const gchar *flu_hls_token_cache_cookie (FluHlsTokenCache * c,
    gint64 expires);
void flu_hls_token_cache_set_cookie (FluHlsTokenCache * c, gint64 expires,
    const gchar * value);

G_END_DECLS

#endif /* __FLU_HLS_TOKEN_CACHE_H__ */
