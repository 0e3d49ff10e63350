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

/* Credentials: htpasswd files (bcrypt, SHA-1, crypt), signed expiring URLs
 * (HMAC-SHA256) and IP allow/deny lists (CIDR, IPv4 and IPv6). */

#ifndef __FLU_HTTP_AUTH_H__
#define __FLU_HTTP_AUTH_H__

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* What tells that a file changed: all zero when it does not exist. */
typedef struct
{
  gint64 mtime_ns;
  gint64 ctime_ns;
  guint64 size;
  guint64 inode;
} FluHttpFileStamp;

/* TRUE (and @stamp updated) when @filename changed since @stamp. */
gboolean flu_http_file_stamp_changed (const gchar * filename,
    FluHttpFileStamp * stamp);

/* user -> hash, as read from an Apache htpasswd file; @stamp (may be NULL)
 * gets the file's stamp from just before it was read.  The table also
 * holds the file's costliest hash under FLU_HTTP_DECOY_USER (a name no
 * user can have: user names end at ':'). */
#define FLU_HTTP_DECOY_USER ":decoy"
GHashTable *flu_http_htpasswd_load (const gchar * filename,
    FluHttpFileStamp * stamp, GError ** error);
/* The same from the file's contents. */
GHashTable *flu_http_htpasswd_parse (const gchar * contents, gsize len);
/* TRUE when @password is @user's.  Costs what the costliest hash of the
 * file costs, whoever @user is (known or not, cheap hash or not). */
gboolean flu_http_htpasswd_check (GHashTable * users, const gchar * user,
    const gchar * password);
/* The relative cost of checking a password against @hash (units of one
 * MD5-crypt round). */
guint64 flu_http_hash_cost (const gchar * hash);
gboolean flu_http_password_verify (const gchar * hash, const gchar * password);

/* Parses "Basic <base64 user:password>"; FALSE if absent or malformed. */
gboolean flu_http_parse_basic_auth (const gchar * header, gchar ** user,
    gchar ** password);

/* token = lowercase hex of HMAC-SHA256(secret, "<path>:<expires>") where
 * expires is a Unix time in seconds. */
gchar *flu_http_token_make (const gchar * secret, const gchar * path,
    gint64 expires);
gboolean flu_http_token_check (const gchar * secret, const gchar * path,
    const gchar * token, const gchar * expires, gint64 now);

/* @query with the value of every parameter that may carry a credential
 * replaced by "-", for logs and bus messages (a token lets anyone in until
 * it expires): keys that decode (as soup_form_decode () does: "%74oken",
 * "+token") to a name holding token, secret, sig, pass, auth, key or
 * hmac, the key "s" (fluhlssink's session token), keys that do not
 * decode, and values of 32 hex digits or 40 base64 characters or more. */
gchar *flu_http_query_redact (const gchar * query);

/* Longest path?query accepted; longer ones get 414.  Request heads over
 * 64 KB (libsoup's own limit) get 431 (fluhttpserver.c). */
#define FLU_HTTP_MAX_TARGET_LENGTH (8 * 1024)

/* What a request head alone refuses: SOUP_STATUS_NONE, or 414 for a
 * target over FLU_HTTP_MAX_TARGET_LENGTH, or 413 for a request with a
 * body (Content-Length > 0, or any Transfer-Encoding), with the reason in
 * @why. */
guint flu_http_head_check (SoupMessageHeaders * headers, const gchar * path,
    const gchar * query, const gchar ** why);

/* A list of GInetAddressMask parsed from "10.0.0.0/8, ::1, 2001:db8::/32" */
GPtrArray *flu_http_cidr_list_parse (const gchar * text, GError ** error);
gboolean flu_http_cidr_list_match (GPtrArray * list, GInetAddress * addr);

/* The IPv4 address of an IPv4-mapped IPv6 address, else a ref of @addr. */
GInetAddress *flu_http_address_normalize (GInetAddress * addr);

/* Compares in time independent of where the strings differ. */
gboolean flu_http_equal_const (const gchar * a, const gchar * b);

G_END_DECLS

#endif /* __FLU_HTTP_AUTH_H__ */
