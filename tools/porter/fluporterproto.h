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

/* The wire protocol between flu-porter and the streamers behind it, and
 * the porter's routing table: plain functions, no sockets (unit-tested in
 * tests/check/porter/).
 *
 * Transport: an AF_UNIX SOCK_SEQPACKET socket.  One message per packet, at
 * most FLU_PORTER_MSG_MAX bytes: a longer packet, a short one or one whose
 * length field disagrees with its size ends the connection.
 *
 *   message = "FP" version[1] type[1] length[2, big endian] body[length]
 *
 * Version 1.  Handshake (P = porter, S = streamer, HMAC = HMAC-SHA256
 * keyed with the shared secret, the secret itself never crosses):
 *
 *   P -> S  HELLO    nonce_p[32]
 *   S -> P  AUTH     nonce_s[32] HMAC("flu-porter-streamer" nonce_p nonce_s)
 *   P -> S  WELCOME  HMAC("flu-porter-porter" nonce_p nonce_s) port[2]
 *      or   REFUSED  reason (text), then P closes
 *
 * Both sides prove the secret (S checks WELCOME's MAC: a process that
 * took the socket path cannot collect viewers).  Then, any number of:
 *
 *   S -> P  ROUTE    kind[1] path    kind 0 = exact path, 1 = prefix
 *   S -> P  UNROUTE  kind[1] path
 *   P -> S  TAKEN    kind[1] path    another streamer holds that path
 *   P -> S  CONN     (empty body) + one descriptor (SCM_RIGHTS): a public
 *                    TCP connection, none of its bytes read
 *
 * A path is 1..FLU_PORTER_PATH_MAX bytes, starts with '/', has no byte
 * below 0x21 and no 0x7f; a prefix also ends with '/'.  Unknown types
 * are errors (a new version adds types only after a new HELLO). */

#ifndef __FLU_PORTER_PROTO_H__
#define __FLU_PORTER_PROTO_H__

#include <glib.h>

G_BEGIN_DECLS

#define FLU_PORTER_VERSION 1
#define FLU_PORTER_HEADER_LEN 6
#define FLU_PORTER_PATH_MAX 1024
#define FLU_PORTER_MSG_MAX (FLU_PORTER_HEADER_LEN + 1 + FLU_PORTER_PATH_MAX)
#define FLU_PORTER_NONCE_LEN 32
#define FLU_PORTER_MAC_LEN 32

typedef enum
{
  FLU_PORTER_MSG_HELLO = 1,
  FLU_PORTER_MSG_AUTH = 2,
  FLU_PORTER_MSG_WELCOME = 3,
  FLU_PORTER_MSG_REFUSED = 4,
  FLU_PORTER_MSG_ROUTE = 5,
  FLU_PORTER_MSG_UNROUTE = 6,
  FLU_PORTER_MSG_TAKEN = 7,
  FLU_PORTER_MSG_CONN = 8
} FluPorterMsgType;

typedef enum
{
  FLU_PORTER_ROUTE_EXACT = 0,
  FLU_PORTER_ROUTE_PREFIX = 1
} FluPorterRouteKind;

typedef struct
{
  guint8 type;
  const guint8 *body;           /* points into the parsed buffer */
  gsize len;
} FluPorterMsg;

/* Writes a message of @type with @body into @buf (at least
 * FLU_PORTER_MSG_MAX bytes); returns its size, 0 if @len is too long. */
gsize flu_porter_msg_encode (guint8 * buf, guint8 type, const guint8 * body,
    gsize len);
/* Parses the packet @buf of @len bytes; FALSE (and @why set to a static
 * string) for anything but a well-formed version-1 message of a known
 * type with a body of the size its type wants. */
gboolean flu_porter_msg_parse (const guint8 * buf, gsize len,
    FluPorterMsg * msg, const gchar ** why);

/* ROUTE, UNROUTE, TAKEN bodies */
gsize flu_porter_route_encode (guint8 * buf, guint8 type,
    FluPorterRouteKind kind, const gchar * path);
/* FALSE unless @msg's body is a valid kind and path (see above); @path
 * is then a new string. */
gboolean flu_porter_route_parse (const FluPorterMsg * msg,
    FluPorterRouteKind * kind, gchar ** path);
gboolean flu_porter_path_valid (const gchar * path, gsize len,
    FluPorterRouteKind kind);

/* HMAC-SHA256 of @label nonce_p nonce_s keyed with @secret. */
void flu_porter_mac (const gchar * secret, const gchar * label,
    const guint8 * nonce_p, const guint8 * nonce_s, guint8 * mac);
#define FLU_PORTER_LABEL_STREAMER "flu-porter-streamer"
#define FLU_PORTER_LABEL_PORTER "flu-porter-porter"
/* constant-time comparison of two MACs */
gboolean flu_porter_mac_equal (const guint8 * a, const guint8 * b);
void flu_porter_random (guint8 * buf, gsize len);

/* The secret in @path: its bytes, one trailing newline dropped; NULL and
 * @error set when it cannot be read, is empty or holds a NUL byte.  Free
 * it with flu_porter_secret_free (wipes it). */
gchar *flu_porter_read_secret (const gchar * path, GError ** error);
void flu_porter_secret_free (gchar * secret);

/* The first request line of a public connection. */
typedef enum
{
  FLU_PORTER_LINE_MORE,         /* no end of line yet, under the limit */
  FLU_PORTER_LINE_OK,           /* @path set */
  FLU_PORTER_LINE_TOO_LONG,     /* no end of line within @max bytes: 414 */
  FLU_PORTER_LINE_BAD           /* not "METHOD SP target SP HTTP/x.y": 400 */
} FluPorterLine;

/* Looks at the @len bytes a connection sent so far; on OK, @path is the
 * path of the target (origin form, or the path of an absolute form),
 * without its query, normalized as flu_porter_path_normalize() says, a
 * new string. */
FluPorterLine flu_porter_request_line (const gchar * buf, gsize len,
    gsize max, gchar ** path);
/* @path (starting with '/') with its dot segments removed (RFC 3986
 * 5.2.4) and %XX of unreserved characters decoded, as libsoup does
 * before it picks a handler; a new string */
gchar *flu_porter_path_normalize (const gchar * path);

/* The porter's routing table: exact paths and prefixes, each held by one
 * owner (a streamer).  Lookup gives the owner of the exact path, else
 * that of the longest prefix of the path. */
typedef struct _FluPorterRoutes FluPorterRoutes;

FluPorterRoutes *flu_porter_routes_new (void);
void flu_porter_routes_free (FluPorterRoutes * routes);
/* FALSE when another owner holds the path (the same owner again: TRUE) */
gboolean flu_porter_routes_add (FluPorterRoutes * routes,
    FluPorterRouteKind kind, const gchar * path, gpointer owner);
/* removes the path if @owner holds it */
void flu_porter_routes_remove (FluPorterRoutes * routes,
    FluPorterRouteKind kind, const gchar * path, gpointer owner);
/* removes every path of @owner; returns how many */
guint flu_porter_routes_remove_owner (FluPorterRoutes * routes,
    gpointer owner);
guint flu_porter_routes_count (FluPorterRoutes * routes, gpointer owner);
gpointer flu_porter_routes_lookup (FluPorterRoutes * routes,
    const gchar * path);

/* A complete "Connection: close" answer with a short text body, for the
 * porter's own refusals (400, 404, 408, 414, 503); a new string. */
gchar *flu_porter_answer (guint status);

G_END_DECLS

#endif /* __FLU_PORTER_PROTO_H__ */
