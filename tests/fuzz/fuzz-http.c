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

/* Fuzz target for fluhttpsink's own request path: the fields a client
 * controls go through the functions fluhttpsink calls on them.  The input
 * is split at NUL bytes into fields:
 *   0 Authorization header     1 htpasswd file contents
 *   2 request target (path?query, as after the method)
 *   3 CIDR list                4 client address
 *   5 User-Agent               6 Referer
 *   7 a request head ("GET / HTTP/1.1\r\n...\r\n\r\n") as libsoup
 *     parses it, through the checks made on it before the body is read
 * Missing fields are empty.  Besides crashes and leaks it checks that an
 * access-log line is exactly one line of printable ASCII. */

#include <stdint.h>
#include <string.h>
#include <libsoup/soup.h>

#include "fluhttpauth.h"
#include "fluhttplog.h"

#define N_FIELDS 8
#define NOW 1800000000
#define SECRET "fuzz-secret"

/* Cheap hashes only: a fuzzed bcrypt or SHA-crypt cost would only measure
 * libcrypt.  The htpasswd file is the administrator's, not the client's. */
static const gchar *const known_hashes[] = {
  "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
  "$apr1$abcdefgh$MIDDQMpoYtlc9dTHgCg9h/",
  "abcFqe.1Zb2gk",
};

static gboolean
cheap_hash (const gchar * hash)
{
  return g_str_has_prefix (hash, "{SHA}") || g_str_has_prefix (hash, "$apr1$");
}

static void
check_log_line (const gchar * line)
{
  const gchar *p;
  gsize len = strlen (line);
  gchar **f;

  g_assert (len > 0 && line[len - 1] == '\n');
  for (p = line; p < line + len - 1; p++)
    g_assert ((guchar) * p >= 0x20 && (guchar) * p < 0x7f);
  /* "host - user [date": the unquoted fields hold no spaces of their own */
  f = g_strsplit (line, " ", 5);
  g_assert (g_strv_length (f) == 5);
  g_assert_cmpstr (f[1], ==, "-");
  g_assert (f[3][0] == '[' && g_ascii_isdigit (f[3][1]));
  g_strfreev (f);
}

static void
fuzz_credentials (const gchar * auth, const gchar * htpasswd)
{
  GHashTable *users = flu_http_htpasswd_parse (htpasswd, strlen (htpasswd));
  GHashTableIter iter;
  gpointer user, hash;
  gchar *u = NULL, *p = NULL;
  guint i;

  if (flu_http_parse_basic_auth (auth, &u, &p)) {
    /* the fuzzed file's own cheap hashes, then the known ones */
    g_hash_table_iter_init (&iter, users);
    while (g_hash_table_iter_next (&iter, &user, &hash))
      if (cheap_hash (hash))
        flu_http_password_verify (hash, p);
    for (i = 0; i < G_N_ELEMENTS (known_hashes); i++)
      flu_http_password_verify (known_hashes[i], p);
    g_free (u);
    g_free (p);
  }
  g_hash_table_unref (users);
}

static void
fuzz_target (const gchar * target, const gchar * ua, const gchar * referer,
    const gchar * host)
{
  GUri *uri = g_uri_parse_relative (NULL, target[0] == '/' ? target : "/",
      G_URI_FLAGS_ENCODED, NULL);
  GUri *full;
  GHashTable *query = NULL;
  const gchar *path;
  gchar *token, *line;
  FluHttpLogEntry e = { 0 };

  /* as libsoup hands it over: an absolute URI made from the target */
  if (uri == NULL)
    uri = g_uri_build (G_URI_FLAGS_ENCODED, "http", NULL, "h", -1, "/", NULL,
        NULL);
  full = g_uri_parse_relative (uri, target, G_URI_FLAGS_ENCODED, NULL);
  if (full == NULL)
    full = g_uri_ref (uri);
  path = g_uri_get_path (full);
  if (g_uri_get_query (full))
    query = soup_form_decode (g_uri_get_query (full));

  /* the signed-URL check on the mount the path names */
  flu_http_token_check (SECRET, path,
      query ? g_hash_table_lookup (query, "token") : NULL,
      query ? g_hash_table_lookup (query, "expires") : NULL, NOW);
  /* a valid token for that path passes, and not for another one */
  token = flu_http_token_make (SECRET, path, NOW + 10);
  g_assert (flu_http_token_check (SECRET, path, token, "1800000010", NOW));
  g_assert (!flu_http_token_check (SECRET, path, token, "1800000011", NOW));
  g_assert (!flu_http_token_check (SECRET, path, token, "1800000010",
          NOW + 11));
  g_free (token);

  e.host = host;
  e.user = ua;
  e.method = "GET";
  e.path = target;
  e.protocol = "HTTP/1.1";
  e.status = 200;
  e.referer = referer;
  e.user_agent = ua;
  e.start_time = (gint64) NOW *G_USEC_PER_SEC;
  line = flu_http_log_format (&e);
  check_log_line (line);
  g_free (line);

  /* what the logs get of the query: no token value */
  if (g_uri_get_query (full)) {
    gchar *redacted = flu_http_query_redact (g_uri_get_query (full));
    gchar **params = g_strsplit (redacted, "&", -1), **p;

    GHashTable *after;

    for (p = params; *p; p++)
      g_assert (!g_str_has_prefix (*p, "token=") || strcmp (*p, "token=-")
          == 0);
    g_strfreev (params);
    /* whatever key libsoup reads as "token" ("%74oken", "+token"...) has
     * its value hidden */
    after = soup_form_decode (redacted);
    if (after && g_hash_table_lookup (after, "token"))
      g_assert_cmpstr (g_hash_table_lookup (after, "token"), ==, "-");
    g_clear_pointer (&after, g_hash_table_unref);
    g_free (redacted);
  }
  g_clear_pointer (&query, g_hash_table_unref);
  g_uri_unref (full);
  g_uri_unref (uri);
}

/* A request head as libsoup's server reads it, then what fluhttpsink
 * refuses from it before the body: a body of any size (announced or
 * chunked) never passes, nor does a target over the limit. */
static void
fuzz_head (const gchar * head)
{
  SoupMessageHeaders *h =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  gchar *method = NULL, *path = NULL;
  const gchar *why = NULL, *q;
  SoupHTTPVersion version;
  guint status;

  if (soup_headers_parse_request (head, strlen (head), h, &method, &path,
          &version) == SOUP_STATUS_OK) {
    gchar *p = g_strdup (path), *query = strchr (p, '?');
    SoupEncoding enc = soup_message_headers_get_encoding (h);

    if (query)
      *query++ = '\0';
    status = flu_http_head_check (h, p, query, &why);
    q = soup_message_headers_get_one (h, "Transfer-Encoding");
    if (q || enc == SOUP_ENCODING_CHUNKED ||
        (enc == SOUP_ENCODING_CONTENT_LENGTH &&
            soup_message_headers_get_content_length (h) > 0))
      g_assert (status != SOUP_STATUS_NONE);
    if (strlen (path) > FLU_HTTP_MAX_TARGET_LENGTH)
      g_assert (status == SOUP_STATUS_REQUEST_URI_TOO_LONG);
    g_assert (status == SOUP_STATUS_NONE || why != NULL);
    g_free (p);
  }
  g_free (method);
  g_free (path);
  soup_message_headers_unref (h);
}

static void
fuzz_lists (const gchar * cidr, const gchar * address)
{
  GPtrArray *list = flu_http_cidr_list_parse (cidr, NULL);
  GInetAddress *addr = g_inet_address_new_from_string (address);

  if (addr) {
    GInetAddress *norm = flu_http_address_normalize (addr);

    flu_http_cidr_list_match (list, norm);
    g_object_unref (norm);
    g_object_unref (addr);
  }
  if (list)
    g_ptr_array_unref (list);
}

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  gchar *fields[N_FIELDS] = { NULL };
  gsize start = 0, i;
  guint n = 0;

  for (i = 0; i <= size && n < N_FIELDS; i++) {
    if (i == size || data[i] == '\0') {
      fields[n++] = g_strndup ((const gchar *) data + start, i - start);
      start = i + 1;
    }
  }
  for (; n < N_FIELDS; n++)
    fields[n] = g_strdup ("");

  fuzz_credentials (fields[0], fields[1]);
  fuzz_target (fields[2], fields[5], fields[6], fields[4]);
  fuzz_lists (fields[3], fields[4]);
  fuzz_head (fields[7]);

  for (n = 0; n < N_FIELDS; n++)
    g_free (fields[n]);
  return 0;
}
