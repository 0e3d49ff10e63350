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

/* The porter protocol and routing table (see fluporterproto.h). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluporterproto.h"
#include "flusecret.h"

#include <string.h>
#include <sys/random.h>

gsize
flu_porter_msg_encode (guint8 * buf, guint8 type, const guint8 * body,
    gsize len)
{
  if (len > FLU_PORTER_MSG_MAX - FLU_PORTER_HEADER_LEN)
    return 0;
  buf[0] = 'F';
  buf[1] = 'P';
  buf[2] = FLU_PORTER_VERSION;
  buf[3] = type;
  buf[4] = (len >> 8) & 0xff;
  buf[5] = len & 0xff;
  if (len)
    memcpy (buf + FLU_PORTER_HEADER_LEN, body, len);
  return FLU_PORTER_HEADER_LEN + len;
}

gboolean
flu_porter_msg_parse (const guint8 * buf, gsize len, FluPorterMsg * msg,
    const gchar ** why)
{
  gsize body;
  gboolean ok;

  *why = NULL;
  if (len < FLU_PORTER_HEADER_LEN || len > FLU_PORTER_MSG_MAX) {
    *why = "message too short or too long";
    return FALSE;
  }
  if (buf[0] != 'F' || buf[1] != 'P') {
    *why = "not a porter message";
    return FALSE;
  }
  if (buf[2] != FLU_PORTER_VERSION) {
    *why = "unsupported protocol version";
    return FALSE;
  }
  body = ((gsize) buf[4] << 8) | buf[5];
  if (body != len - FLU_PORTER_HEADER_LEN) {
    *why = "length field disagrees with the message size";
    return FALSE;
  }
  switch (buf[3]) {
    case FLU_PORTER_MSG_HELLO:
      ok = body == FLU_PORTER_NONCE_LEN;
      break;
    case FLU_PORTER_MSG_AUTH:
      ok = body == FLU_PORTER_NONCE_LEN + FLU_PORTER_MAC_LEN;
      break;
    case FLU_PORTER_MSG_WELCOME:
      ok = body == FLU_PORTER_MAC_LEN + 2;
      break;
    case FLU_PORTER_MSG_REFUSED:
      ok = body <= 256;
      break;
    case FLU_PORTER_MSG_ROUTE:
    case FLU_PORTER_MSG_UNROUTE:
    case FLU_PORTER_MSG_TAKEN:
      ok = body >= 2 && body <= 1 + FLU_PORTER_PATH_MAX;
      break;
    case FLU_PORTER_MSG_CONN:
      ok = body == 0;
      break;
    default:
      *why = "unknown message type";
      return FALSE;
  }
  if (!ok) {
    *why = "wrong body size for the message type";
    return FALSE;
  }
  msg->type = buf[3];
  msg->body = buf + FLU_PORTER_HEADER_LEN;
  msg->len = body;
  return TRUE;
}

gboolean
flu_porter_path_valid (const gchar * path, gsize len, FluPorterRouteKind kind)
{
  gsize i;

  if (len < 1 || len > FLU_PORTER_PATH_MAX || path[0] != '/')
    return FALSE;
  for (i = 0; i < len; i++)
    if ((guchar) path[i] < 0x21 || (guchar) path[i] == 0x7f)
      return FALSE;
  if (kind == FLU_PORTER_ROUTE_PREFIX && path[len - 1] != '/')
    return FALSE;
  return TRUE;
}

gsize
flu_porter_route_encode (guint8 * buf, guint8 type, FluPorterRouteKind kind,
    const gchar * path)
{
  guint8 body[1 + FLU_PORTER_PATH_MAX];
  gsize len = strlen (path);

  if (!flu_porter_path_valid (path, len, kind))
    return 0;
  body[0] = kind;
  memcpy (body + 1, path, len);
  return flu_porter_msg_encode (buf, type, body, len + 1);
}

gboolean
flu_porter_route_parse (const FluPorterMsg * msg, FluPorterRouteKind * kind,
    gchar ** path)
{
  if (msg->len < 2 || msg->body[0] > FLU_PORTER_ROUTE_PREFIX)
    return FALSE;
  if (!flu_porter_path_valid ((const gchar *) msg->body + 1, msg->len - 1,
          msg->body[0]))
    return FALSE;
  *kind = msg->body[0];
  *path = g_strndup ((const gchar *) msg->body + 1, msg->len - 1);
  return TRUE;
}

G_STATIC_ASSERT (FLU_PORTER_MAC_LEN == FLU_MAC_LEN);

void
flu_porter_mac (const gchar * secret, const gchar * label,
    const guint8 * nonce_p, const guint8 * nonce_s, guint8 * mac)
{
  flu_mac_compute (secret, label, nonce_p, nonce_s, FLU_PORTER_NONCE_LEN, mac);
}

gboolean
flu_porter_mac_equal (const guint8 * a, const guint8 * b)
{
  return flu_mac_equal (a, b);
}

void
flu_porter_random (guint8 * buf, gsize len)
{
  flu_secret_random (buf, len);
}

gchar *
flu_porter_read_secret (const gchar * path, GError ** error)
{
  return flu_secret_read_file (path, error);
}

void
flu_porter_secret_free (gchar * secret)
{
  if (secret) {
    memset (secret, 0, strlen (secret));
    g_free (secret);
  }
}

static gboolean
is_tchar (gchar c)
{
  return g_ascii_isalnum (c) || (c && strchr ("!#$%&'*+-.^_`|~", c));
}

/* RFC 3986 5.2.4 on an absolute path, then %XX of unreserved characters
 * decoded: what libsoup does to a request's path before it looks for a
 * handler (GUri removes the dot segments, libsoup decodes the rest), so
 * that the porter routes /a/../b.webm and /%62.webm where the streamer
 * serves them */
gchar *
flu_porter_path_normalize (const gchar * path)
{
  gchar **segs = g_strsplit (path + 1, "/", -1);
  GPtrArray *out = g_ptr_array_new ();
  GString *res = g_string_new ("/");
  guint i, n = g_strv_length (segs);
  const gchar *p;

  for (i = 0; i < n; i++) {
    gboolean last = i == n - 1;

    if (g_str_equal (segs[i], ".")) {
      if (last)
        g_ptr_array_add (out, (gpointer) "");
    } else if (g_str_equal (segs[i], "..")) {
      if (out->len)
        g_ptr_array_remove_index (out, out->len - 1);
      if (last)
        g_ptr_array_add (out, (gpointer) "");
    } else {
      g_ptr_array_add (out, segs[i]);
    }
  }
  for (i = 0; i < out->len; i++) {
    if (i)
      g_string_append_c (res, '/');
    for (p = out->pdata[i]; *p; p++) {
      gint hi, lo;
      gchar c;

      if (p[0] == '%' && (hi = g_ascii_xdigit_value (p[1])) >= 0
          && (lo = g_ascii_xdigit_value (p[2])) >= 0) {
        c = (gchar) (hi * 16 + lo);
        if (g_ascii_isalnum (c) || strchr ("-._~", c)) {
          g_string_append_c (res, c);
          p += 2;
          continue;
        }
      }
      g_string_append_c (res, *p);
    }
  }
  g_ptr_array_unref (out);
  g_strfreev (segs);
  return g_string_free (res, FALSE);
}

FluPorterLine
flu_porter_request_line (const gchar * buf, gsize len, gsize max, gchar ** path)
{
  const gchar *end, *sp1, *sp2, *target, *p;
  gsize skip = 0, tlen;
  gchar *raw;

  *path = NULL;
  /* RFC 9112 2.2: empty lines before the request line are ignored */
  while (skip < len && (buf[skip] == '\r' || buf[skip] == '\n'))
    skip++;
  end = skip < len ? memchr (buf + skip, '\n', len - skip) : NULL;
  if (end == NULL)
    return len >= max ? FLU_PORTER_LINE_TOO_LONG : FLU_PORTER_LINE_MORE;
  if ((gsize) (end - buf) >= max)
    return FLU_PORTER_LINE_TOO_LONG;
  if (end > buf + skip && end[-1] == '\r')
    end--;
  buf += skip;
  for (p = buf; p < end && is_tchar (*p); p++);
  if (p == buf || p >= end || *p != ' ')
    return FLU_PORTER_LINE_BAD;
  sp1 = p;
  target = sp1 + 1;
  sp2 = memchr (target, ' ', end - target);
  if (sp2 == NULL || sp2 == target)
    return FLU_PORTER_LINE_BAD;
  if (end - (sp2 + 1) != 8 || strncmp (sp2 + 1, "HTTP/", 5) != 0
      || !g_ascii_isdigit (sp2[6]) || sp2[7] != '.'
      || !g_ascii_isdigit (sp2[8]))
    return FLU_PORTER_LINE_BAD;
  for (p = target; p < sp2; p++)
    if ((guchar) * p < 0x21 || (guchar) * p == 0x7f)
      return FLU_PORTER_LINE_BAD;
  /* absolute form: scheme "://" authority path */
  if (*target != '/') {
    const gchar *s = g_strstr_len (target, sp2 - target, "://");

    if (s == NULL)
      return FLU_PORTER_LINE_BAD;
    target = memchr (s + 3, '/', sp2 - (s + 3));
    if (target == NULL) {
      *path = g_strdup ("/");
      return FLU_PORTER_LINE_OK;
    }
  }
  for (tlen = 0; target + tlen < sp2 && target[tlen] != '?'
      && target[tlen] != '#'; tlen++);
  raw = g_strndup (target, tlen);
  *path = flu_porter_path_normalize (raw);
  g_free (raw);
  return FLU_PORTER_LINE_OK;
}

struct _FluPorterRoutes
{
  GHashTable *exact;            /* path -> owner */
  GHashTable *prefix;           /* path -> owner */
};

FluPorterRoutes *
flu_porter_routes_new (void)
{
  FluPorterRoutes *r = g_new0 (FluPorterRoutes, 1);

  r->exact = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->prefix = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return r;
}

void
flu_porter_routes_free (FluPorterRoutes * r)
{
  g_hash_table_unref (r->exact);
  g_hash_table_unref (r->prefix);
  g_free (r);
}

static GHashTable *
table (FluPorterRoutes * r, FluPorterRouteKind kind)
{
  return kind == FLU_PORTER_ROUTE_PREFIX ? r->prefix : r->exact;
}

gboolean
flu_porter_routes_add (FluPorterRoutes * r, FluPorterRouteKind kind,
    const gchar * path, gpointer owner)
{
  GHashTable *t = table (r, kind);
  gpointer held;

  if (g_hash_table_lookup_extended (t, path, NULL, &held))
    return held == owner;
  g_hash_table_insert (t, g_strdup (path), owner);
  return TRUE;
}

void
flu_porter_routes_remove (FluPorterRoutes * r, FluPorterRouteKind kind,
    const gchar * path, gpointer owner)
{
  GHashTable *t = table (r, kind);

  if (g_hash_table_lookup (t, path) == owner)
    g_hash_table_remove (t, path);
}

static gboolean
owned_by (gpointer key, gpointer value, gpointer owner)
{
  return value == owner;
}

guint
flu_porter_routes_remove_owner (FluPorterRoutes * r, gpointer owner)
{
  return g_hash_table_foreach_remove (r->exact, owned_by, owner) +
      g_hash_table_foreach_remove (r->prefix, owned_by, owner);
}

static void
count_owned (gpointer key, gpointer value, gpointer data)
{
  gpointer *c = data;

  if (value == c[0])
    c[1] = GUINT_TO_POINTER (GPOINTER_TO_UINT (c[1]) + 1);
}

guint
flu_porter_routes_count (FluPorterRoutes * r, gpointer owner)
{
  gpointer c[2] = { owner, GUINT_TO_POINTER (0) };

  g_hash_table_foreach (r->exact, count_owned, c);
  g_hash_table_foreach (r->prefix, count_owned, c);
  return GPOINTER_TO_UINT (c[1]);
}

gpointer
flu_porter_routes_lookup (FluPorterRoutes * r, const gchar * path)
{
  gpointer owner;
  gchar *p;
  gsize i;

  owner = g_hash_table_lookup (r->exact, path);
  if (owner || g_hash_table_size (r->prefix) == 0)
    return owner;
  /* the longest prefix first: cut after each '/', from the end */
  p = g_strdup (path);
  for (i = strlen (p); i > 0 && owner == NULL; i--) {
    if (p[i - 1] != '/')
      continue;
    p[i] = '\0';
    owner = g_hash_table_lookup (r->prefix, p);
  }
  g_free (p);
  return owner;
}

gchar *
flu_porter_answer (guint status)
{
  const gchar *phrase, *text;
  gchar *body, *answer;

  switch (status) {
    case 400:
      phrase = "Bad Request";
      text = "not an HTTP request line";
      break;
    case 404:
      phrase = "Not Found";
      text = "no stream is mounted at this path";
      break;
    case 408:
      phrase = "Request Timeout";
      text = "the request line did not come in time";
      break;
    case 414:
      phrase = "URI Too Long";
      text = "request line too long";
      break;
    default:
      status = 503;
      phrase = "Service Unavailable";
      text = "the stream's server is not available";
      break;
  }
  body = g_strdup_printf ("%u %s: %s\n", status, phrase, text);
  answer = g_strdup_printf ("HTTP/1.1 %u %s\r\nServer: flu-porter\r\n"
      "Connection: close\r\nCache-Control: no-cache\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: %" G_GSIZE_FORMAT "\r\n%s\r\n%s", status, phrase,
      strlen (body), status == 503 ? "Retry-After: 5\r\n" : "", body);
  g_free (body);
  return answer;
}
