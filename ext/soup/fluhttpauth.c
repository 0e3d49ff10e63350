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

#include "fluhttpauth.h"

#include <crypt.h>
#include <string.h>
#include <glib/gstdio.h>

gboolean
flu_http_equal_const (const gchar * a, const gchar * b)
{
  gsize la = strlen (a), lb = strlen (b), i;
  guint diff = la ^ lb;

  for (i = 0; i < la; i++)
    diff |= (guchar) a[i] ^ (guchar) b[lb ? i % lb : 0];
  return diff == 0;
}

GHashTable *
flu_http_htpasswd_parse (const gchar * contents, gsize len)
{
  GHashTable *users;
  gchar *text, **lines, **l;

  users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  text = g_strndup (contents, len);
  lines = g_strsplit (text, "\n", -1);
  for (l = lines; *l; l++) {
    gchar *line = g_strstrip (*l), *colon;

    if (*line == '\0' || *line == '#')
      continue;
    colon = strchr (line, ':');
    if (colon == NULL || colon == line)
      continue;
    *colon = '\0';
    g_hash_table_replace (users, g_strdup (line), g_strdup (colon + 1));
  }
  g_strfreev (lines);
  g_free (text);
  /* the costliest hash of the file, checked for unknown users and to pad
   * cheaper ones (flu_http_htpasswd_check ()); no user name has a ':' */
  {
    GHashTableIter iter;
    gpointer hash;
    const gchar *decoy = NULL;

    g_hash_table_iter_init (&iter, users);
    while (g_hash_table_iter_next (&iter, NULL, &hash))
      if (decoy == NULL || flu_http_hash_cost (hash) >
          flu_http_hash_cost (decoy))
        decoy = hash;
    if (decoy)
      g_hash_table_replace (users, g_strdup (FLU_HTTP_DECOY_USER),
          g_strdup (decoy));
  }
  return users;
}

guint64
flu_http_hash_cost (const gchar * hash)
{
  const gchar *r;

  /* in units of one MD5-crypt round (~0.24 us here): measured, SHA-512
   * crypt costs about as much per round, a bcrypt unit ~180 of them */
  if (g_str_has_prefix (hash, "{SHA}"))
    return 1;
  if (g_str_has_prefix (hash, "$apr1$") || g_str_has_prefix (hash, "$1$"))
    return 1000;
  if (g_str_has_prefix (hash, "$5$") || g_str_has_prefix (hash, "$6$")) {
    r = hash + 3;
    if (g_str_has_prefix (r, "rounds="))
      return CLAMP (g_ascii_strtoull (r + 7, NULL, 10), 1000, 999999999);
    return 5000;
  }
  if (hash[0] == '$' && hash[1] == '2' && hash[2] && hash[3] == '$' &&
      g_ascii_isdigit (hash[4]) && g_ascii_isdigit (hash[5])) {
    guint c = (hash[4] - '0') * 10 + (hash[5] - '0');

    return (G_GUINT64_CONSTANT (1) << MIN (c, 31)) * 180;
  }
  if (hash[0] == '$')
    return 200000;              /* yescrypt, scrypt...: costly ones */
  if (strlen (hash) == 13)
    return 25;                  /* DES crypt */
  return 0;                     /* not a hash: crypt fails at once */
}

GHashTable *
flu_http_htpasswd_load (const gchar * filename, FluHttpFileStamp * stamp,
    GError ** error)
{
  gchar *contents;
  gsize len;
  GHashTable *users;

  if (stamp)
    flu_http_file_stamp_changed (filename, stamp);
  if (!g_file_get_contents (filename, &contents, &len, error))
    return NULL;
  users = flu_http_htpasswd_parse (contents, len);
  g_free (contents);
  return users;
}

gboolean
flu_http_file_stamp_changed (const gchar * filename, FluHttpFileStamp * stamp)
{
  GStatBuf st;
  FluHttpFileStamp now = { 0 };

  if (g_stat (filename, &st) == 0) {
    now.mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000)
        + st.st_mtim.tv_nsec;
    now.size = st.st_size;
    now.inode = st.st_ino;
    now.ctime_ns = (gint64) st.st_ctim.tv_sec * G_GINT64_CONSTANT (1000000000)
        + st.st_ctim.tv_nsec;
  }
  if (memcmp (&now, stamp, sizeof (now)) == 0)
    return FALSE;
  *stamp = now;
  return TRUE;
}

/* Apache's "{SHA}" + base64(SHA-1(password)). */
static gboolean
verify_sha1 (const gchar * b64, const gchar * password)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof (digest);
  gchar *mine;
  gboolean ok;

  g_checksum_update (sum, (const guchar *) password, strlen (password));
  g_checksum_get_digest (sum, digest, &len);
  g_checksum_free (sum);
  mine = g_base64_encode (digest, len);
  ok = flu_http_equal_const (mine, b64);
  g_free (mine);
  return ok;
}

static void
md5_bytes (GChecksum * sum, guint8 out[16])
{
  gsize len = 16;

  g_checksum_get_digest (sum, out, &len);
}

/* Apache's "$apr1$": the MD5-crypt algorithm with its own magic string,
 * which crypt(3) does not know. */
static gchar *
apr1_hash (const gchar * password, const gchar * salt_in)
{
  static const gchar itoa64[] =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static const guint order[5][3] = {
    {0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}
  };
  const gchar *magic = "$apr1$";
  gsize pwlen = strlen (password), saltlen, i;
  gchar salt[9];
  guint8 fin[16];
  GChecksum *ctx, *alt;
  GString *out;
  gsize k;

  saltlen = strcspn (salt_in, "$");
  if (saltlen > 8)
    saltlen = 8;
  memcpy (salt, salt_in, saltlen);
  salt[saltlen] = '\0';

  ctx = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (ctx, (const guchar *) password, pwlen);
  g_checksum_update (ctx, (const guchar *) magic, strlen (magic));
  g_checksum_update (ctx, (const guchar *) salt, saltlen);

  alt = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (alt, (const guchar *) password, pwlen);
  g_checksum_update (alt, (const guchar *) salt, saltlen);
  g_checksum_update (alt, (const guchar *) password, pwlen);
  md5_bytes (alt, fin);
  g_checksum_free (alt);
  for (k = pwlen; k > 0; k -= MIN (k, 16))
    g_checksum_update (ctx, fin, MIN (k, 16));
  memset (fin, 0, sizeof (fin));
  for (k = pwlen; k; k >>= 1) {
    if (k & 1)
      g_checksum_update (ctx, fin, 1);
    else
      g_checksum_update (ctx, (const guchar *) password, 1);
  }
  md5_bytes (ctx, fin);
  g_checksum_free (ctx);

  for (i = 0; i < 1000; i++) {
    ctx = g_checksum_new (G_CHECKSUM_MD5);
    if (i & 1)
      g_checksum_update (ctx, (const guchar *) password, pwlen);
    else
      g_checksum_update (ctx, fin, 16);
    if (i % 3)
      g_checksum_update (ctx, (const guchar *) salt, saltlen);
    if (i % 7)
      g_checksum_update (ctx, (const guchar *) password, pwlen);
    if (i & 1)
      g_checksum_update (ctx, fin, 16);
    else
      g_checksum_update (ctx, (const guchar *) password, pwlen);
    md5_bytes (ctx, fin);
    g_checksum_free (ctx);
  }

  out = g_string_new (magic);
  g_string_append (out, salt);
  g_string_append_c (out, '$');
  for (i = 0; i < 5; i++) {
    guint v = (fin[order[i][0]] << 16) | (fin[order[i][1]] << 8) |
        fin[order[i][2]];
    for (k = 0; k < 4; k++, v >>= 6)
      g_string_append_c (out, itoa64[v & 0x3f]);
  }
  {
    guint v = fin[11];
    for (k = 0; k < 2; k++, v >>= 6)
      g_string_append_c (out, itoa64[v & 0x3f]);
  }
  return g_string_free (out, FALSE);
}

gboolean
flu_http_password_verify (const gchar * hash, const gchar * password)
{
  struct crypt_data *data;
  const gchar *res;
  gboolean ok;

  if (g_str_has_prefix (hash, "{SHA}"))
    return verify_sha1 (hash + 5, password);
  if (g_str_has_prefix (hash, "$apr1$")) {
    gchar *mine = apr1_hash (password, hash + 6);

    ok = flu_http_equal_const (mine, hash);
    g_free (mine);
    return ok;
  }
  /* bcrypt ($2y$, $2a$, $2b$), SHA-crypt ($5$, $6$), MD5-crypt ($1$) and
   * traditional DES crypt: libcrypt knows them all. */
  data = g_new0 (struct crypt_data, 1);
  res = crypt_r (password, hash, data);
  ok = res != NULL && res[0] != '*' && flu_http_equal_const (res, hash);
  g_free (data);
  return ok;
}

gboolean
flu_http_htpasswd_check (GHashTable * users, const gchar * user,
    const gchar * password)
{
  const gchar *hash = strchr (user, ':') ? NULL :
      g_hash_table_lookup (users, user);
  const gchar *decoy = g_hash_table_lookup (users, FLU_HTTP_DECOY_USER);
  gboolean ok = FALSE;

  /* Every check costs what the costliest hash of the file costs, so the
   * answer time tells neither which users exist nor which hash a user
   * has: an unknown user is checked against that hash (the result
   * thrown away), and a user whose hash is cheaper checks it too. */
  if (hash)
    ok = flu_http_password_verify (hash, password);
  if (decoy && (!hash || flu_http_hash_cost (decoy) >
          flu_http_hash_cost (hash)))
    flu_http_password_verify (decoy, password);
  return ok;
}

gboolean
flu_http_parse_basic_auth (const gchar * header, gchar ** user,
    gchar ** password)
{
  guchar *dec;
  gsize len;
  gchar *s, *colon;

  if (header == NULL || g_ascii_strncasecmp (header, "Basic ", 6) != 0)
    return FALSE;
  header += 6;
  while (*header == ' ')
    header++;
  dec = g_base64_decode (header, &len);
  if (dec == NULL)
    return FALSE;
  s = g_strndup ((const gchar *) dec, len);
  g_free (dec);
  colon = strchr (s, ':');
  if (colon == NULL || strlen (s) != len) {
    g_free (s);
    return FALSE;
  }
  *colon = '\0';
  *user = g_strdup (s);
  *password = g_strdup (colon + 1);
  g_free (s);
  return TRUE;
}

gchar *
flu_http_token_make (const gchar * secret, const gchar * path, gint64 expires)
{
  gchar *msg = g_strdup_printf ("%s:%" G_GINT64_FORMAT, path, expires);
  gchar *hex = g_compute_hmac_for_string (G_CHECKSUM_SHA256,
      (const guchar *) secret, strlen (secret), msg, -1);

  g_free (msg);
  return hex;
}

gboolean
flu_http_token_check (const gchar * secret, const gchar * path,
    const gchar * token, const gchar * expires, gint64 now)
{
  gint64 exp;
  gchar *end = NULL, *mine, *lower;
  gboolean ok;

  if (token == NULL || expires == NULL || *expires == '\0')
    return FALSE;
  exp = g_ascii_strtoll (expires, &end, 10);
  if (*end != '\0' || exp < now)
    return FALSE;
  mine = flu_http_token_make (secret, path, exp);
  lower = g_ascii_strdown (token, -1);
  ok = flu_http_equal_const (mine, lower);
  g_free (lower);
  g_free (mine);
  return ok;
}

GPtrArray *
flu_http_cidr_list_parse (const gchar * text, GError ** error)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);
  gchar **items, **i;

  if (text == NULL)
    return list;
  items = g_strsplit_set (text, ", \t\n;", -1);
  for (i = items; *i; i++) {
    GInetAddressMask *mask;
    const gchar *slash;

    if (**i == '\0')
      continue;
    /* GLib 2.74 takes a prefix length past 128 to a property that warns
     * (and a negative one to a huge unsigned one) before it fails */
    slash = strrchr (*i, '/');
    if (slash && (strspn (slash + 1, "0123456789") != strlen (slash + 1) ||
            strlen (slash + 1) > 3
            || g_ascii_strtoull (slash + 1, NULL, 10) > 128)) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "invalid prefix length in %s", *i);
      g_clear_pointer (&list, g_ptr_array_unref);
      break;
    }
    mask = g_inet_address_mask_new_from_string (*i, error);
    if (mask == NULL) {
      g_ptr_array_unref (list);
      list = NULL;
      break;
    }
    g_ptr_array_add (list, mask);
  }
  g_strfreev (items);
  return list;
}

GInetAddress *
flu_http_address_normalize (GInetAddress * addr)
{
  if (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6) {
    const guint8 *b = g_inet_address_to_bytes (addr);
    static const guint8 mapped[12] =
        { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

    if (memcmp (b, mapped, 12) == 0)
      return g_inet_address_new_from_bytes (b + 12, G_SOCKET_FAMILY_IPV4);
  }
  return g_object_ref (addr);
}

gboolean
flu_http_cidr_list_match (GPtrArray * list, GInetAddress * addr)
{
  guint i;

  if (list == NULL || addr == NULL)
    return FALSE;
  for (i = 0; i < list->len; i++) {
    GInetAddressMask *m = g_ptr_array_index (list, i);

    if (g_inet_address_mask_get_family (m) == g_inet_address_get_family (addr)
        && g_inet_address_mask_matches (m, addr))
      return TRUE;
  }
  return FALSE;
}

/* A query key as soup_form_decode () reads it ('+' is a space, %xx
 * decoded), lowercased; NULL when it does not decode. */
static gchar *
decoded_key (const gchar * raw, gsize len)
{
  gchar *key = g_strndup (raw, len), *dec, *p, *low;

  for (p = key; *p; p++)
    if (*p == '+')
      *p = ' ';
  dec = g_uri_unescape_string (key, NULL);
  g_free (key);
  if (dec == NULL)
    return NULL;
  low = g_ascii_strdown (dec, -1);
  g_free (dec);
  return low;
}

/* a value that may be a credential: 32 or more hex digits or base64 */
static gboolean
looks_like_token (const gchar * v)
{
  gsize n = strspn (v, "0123456789abcdefABCDEF");

  if (n >= 32 && v[n] == '\0')
    return TRUE;
  n = strspn (v, "0123456789abcdefghijklmnopqrstuvwxyz"
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ+/-_.%=");
  return n >= 40 && v[n] == '\0';
}

gchar *
flu_http_query_redact (const gchar * query)
{
  static const gchar *const secret_words[] = {
    "token", "secret", "sig", "pass", "auth", "key", "hmac"
  };
  gchar **params = g_strsplit (query, "&", -1), **p, *out;

  for (p = params; *p; p++) {
    const gchar *eq = strchr (*p, '=');
    gchar *key;
    gboolean hide;
    guint i;

    if (eq == NULL)
      continue;
    /* the key as libsoup decodes it: "%74oken" and "+token" are keys
     * too, and a key that does not decode may still be one for a proxy */
    key = decoded_key (*p, eq - *p);
    /* "s": fluhlssink's session token (fluhlssession.h) */
    hide = key == NULL || looks_like_token (eq + 1) || g_str_equal (key, "s");
    for (i = 0; !hide && i < G_N_ELEMENTS (secret_words); i++)
      hide = strstr (key, secret_words[i]) != NULL;
    if (hide) {
      gchar *r = g_strdup_printf ("%.*s=-", (gint) (eq - *p), *p);

      g_free (*p);
      *p = r;
    }
    g_free (key);
  }
  out = g_strjoinv ("&", params);
  g_strfreev (params);
  return out;
}

guint
flu_http_head_check (SoupMessageHeaders * headers, const gchar * path,
    const gchar * query, const gchar ** why)
{
  SoupEncoding enc = soup_message_headers_get_encoding (headers);
  gsize len = (path ? strlen (path) : 0) + (query ? 1 + strlen (query) : 0);

  if (len > FLU_HTTP_MAX_TARGET_LENGTH) {
    *why = "the request target is too long";
    return SOUP_STATUS_REQUEST_URI_TOO_LONG;
  }
  if (enc == SOUP_ENCODING_CHUNKED ||
      soup_message_headers_get_one (headers, "Transfer-Encoding") ||
      (enc == SOUP_ENCODING_CONTENT_LENGTH &&
          soup_message_headers_get_content_length (headers) > 0)) {
    *why = "request bodies are not accepted";
    return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
  }
  return SOUP_STATUS_NONE;
}
