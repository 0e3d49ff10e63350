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


/* fluhlssink's session tokens in the URIs (session-mode auto = both), on
 * a live LL-HLS fMP4 mount in-process: one session reloading its playlist
 * for 4 s (segments and parts added in between) gets every segment,
 * part, map and preload-hint URI byte-identical in every playlist that
 * lists it (RFC 8216bis 6.2.1; hlsdemux refuses a reload otherwise), the
 * hint's URI is the part's once listed, and each URI is served; another
 * session gets other tokens.  A token whose MAC is right and whose expiry
 * passed is taken for a live session (a segment, a reload: no new
 * session) and refused (403) for an unknown one.  No token reaches the
 * debug log or the access log. */

#include "fluhttptest.h"

#include <string.h>
#include <glib/gstdio.h>

#define SECRET "a secret for the token tests"

#define VIDEO "videotestsrc is-live=true ! video/x-raw,format=I420," \
  "width=160,height=120,framerate=30/1 ! x264enc tune=zerolatency " \
  "speed-preset=ultrafast key-int-max=15 ! h264parse ! s.video "

static gchar *tmpdir;

static gchar *
tmp_file (const gchar * name, const gchar * contents)
{
  gchar *path;

  if (tmpdir == NULL)
    tmpdir = g_dir_make_tmp ("fluhlstokens-XXXXXX", NULL);
  path = g_build_filename (tmpdir, name, NULL);
  if (contents)
    fail_unless (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

/* ---- what the element logs (flu* categories, every level) ---- */

static GMutex log_lock;
static GString *logged;

static void
collect (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text = gst_debug_message_get (message);

  if (text == NULL ||
      !g_str_has_prefix (gst_debug_category_get_name (category), "flu"))
    return;
  g_mutex_lock (&log_lock);
  g_string_append_printf (logged, "%s\n", text);
  g_mutex_unlock (&log_lock);
}

static void
log_start (void)
{
  logged = g_string_new (NULL);
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (collect, NULL, NULL);
  gst_debug_set_threshold_from_string ("flu*:7", FALSE);
}

/* the log so far; the default log function back */
static gchar *
log_stop (void)
{
  gchar *text;

  gst_debug_set_threshold_from_string ("flu*:2", FALSE);
  gst_debug_remove_log_function (collect);
  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  g_mutex_lock (&log_lock);
  text = g_string_free (logged, FALSE);
  logged = NULL;
  g_mutex_unlock (&log_lock);
  return text;
}

/* ---- playlists ---- */

static GstElement *
start (const gchar * desc, GstElement ** sink)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);

  fail_unless (p != NULL, "parse: %s", err ? err->message : "?");
  *sink = gst_bin_get_by_name (GST_BIN (p), "s");
  gst_object_unref (*sink);
  fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  return p;
}

static HttpResponse *
get (guint port, const gchar * path, const gchar * headers)
{
  return http_get (port, path, headers, 1 << 24, 15000);
}

static gchar *
body_text (HttpResponse * r)
{
  return g_strndup ((const gchar *) r->body->data, r->body->len);
}

/* "Cookie: name=value\r\n" from the answer's Set-Cookie */
static gchar *
cookie_of (HttpResponse * r)
{
  gchar *v = http_header (r, "Set-Cookie"), *c;

  fail_unless (v != NULL, "no Set-Cookie");
  c = g_strdup_printf ("Cookie: %.*s\r\n", (gint) strcspn (v, ";"), v);
  g_free (v);
  return c;
}

/* the URI of the first line of @pl starting with @tag (a URI line when
 * @tag is NULL), or NULL */
static gchar *
uri_after (const gchar * pl, const gchar * tag)
{
  gchar **lines = g_strsplit (pl, "\n", -1), *found = NULL;
  guint i;

  for (i = 0; lines[i] && found == NULL; i++) {
    const gchar *u;

    if (tag == NULL) {
      if (lines[i][0] && lines[i][0] != '#')
        found = g_strdup (lines[i]);
    } else if (g_str_has_prefix (lines[i], tag) &&
        (u = strstr (lines[i], "URI=\""))) {
      found = g_strndup (u + 5, strcspn (u + 5, "\""));
    }
  }
  g_strfreev (lines);
  return found;
}

static gchar *
name_of (const gchar * uri)
{
  return g_strndup (uri, strcspn (uri, "?"));
}

/* the s= value of @uri */
static gchar *
token_of (const gchar * uri)
{
  const gchar *t = strstr (uri, "?s=");

  fail_unless (t != NULL, "no token in %s", uri);
  return g_strdup (t + 3);
}

/* a token of session @id expiring at @expires, as the element makes
 * them (its key is SECRET) */
static gchar *
craft (const gchar * id, const gchar * scope, gint64 expires)
{
  gchar *msg = g_strdup_printf ("fluhls1\n%s\n%s\n%" G_GINT64_FORMAT "\n",
      id, scope, expires);
  gchar *mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256,
      (const guchar *) SECRET, strlen (SECRET), msg, -1);
  gchar *tok = g_strdup_printf ("%s.%" G_GINT64_FORMAT ".%.32s", id, expires,
      mac);

  g_free (msg);
  g_free (mac);
  return tok;
}

/* every token in @tokens is absent from @text */
static void
check_not_in (GHashTable * tokens, const gchar * text, const gchar * what)
{
  GHashTableIter it;
  gpointer tok;

  g_hash_table_iter_init (&it, tokens);
  while (g_hash_table_iter_next (&it, &tok, NULL)) {
    const gchar *mac = strrchr (tok, '.');

    fail_unless (strstr (text, tok) == NULL, "a token in the %s", what);
    fail_unless (mac && strstr (text, mac + 1) == NULL, "a MAC in the %s",
        what);
  }
}

GST_START_TEST (test_uris_stable)
{
  gchar *secret = tmp_file ("secret", SECRET "\n");
  gchar *log = tmp_file ("access.log", NULL);
  gchar *desc = g_strdup_printf (VIDEO "fluhlssink name=s port=0 "
      "mount-point=/t/ target-duration=1 part-target=250000000 "
      "client-limit=100 session-secret-file=%s access-log=%s", secret, log);
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  GHashTable *hinted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  GHashTable *tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  GstElement *sink, *p;
  HttpResponse *r;
  gchar *cookie, *pl = NULL, *uri, *text;
  gint64 t0, span = 0;
  guint port, i, n, compared = 0, reloads = 0, hints_listed = 0;
  gboolean map = FALSE;

  log_start ();
  p = start (desc, &sink);
  port = sink_port (sink);
  /* the first playlist (held until a segment is complete) starts the
   * session; its reloads carry the cookie, as a player's do */
  r = get (port, "/t/index.m3u8", NULL);
  fail_unless_equals_int (r->status, 200);
  cookie = cookie_of (r);
  http_response_free (r);
  t0 = g_get_monotonic_time ();
  for (i = 0; span < 4 * G_USEC_PER_SEC; i++) {
    GPtrArray *uris;
    gchar **lines;

    g_free (pl);
    r = get (port, "/t/index.m3u8", cookie);
    fail_unless_equals_int (r->status, 200);
    g_free (cookie);
    cookie = cookie_of (r);
    pl = body_text (r);
    http_response_free (r);
    reloads++;
    uris = playlist_uris (pl);
    for (n = 0; n < uris->len; n++) {
      const gchar *u = g_ptr_array_index (uris, n);
      gchar *name = name_of (u);
      const gchar *before = g_hash_table_lookup (seen, name);

      g_hash_table_add (tokens, token_of (u));
      if (g_str_has_prefix (name, "init"))
        map = TRUE;
      if (before) {
        fail_unless_equals_string (u, before);
        compared++;
        g_free (name);
      } else {
        g_hash_table_insert (seen, name, g_strdup (u));
      }
    }
    g_ptr_array_unref (uris);
    lines = g_strsplit (pl, "\n", -1);
    for (n = 0; lines[n]; n++) {
      gchar *u = g_str_has_prefix (lines[n], "#EXT-X-PRELOAD-HINT") ?
          uri_after (lines[n], "#EXT-X-PRELOAD-HINT") : NULL;

      if (u) {
        g_hash_table_add (hinted, name_of (u));
        g_free (u);
      }
      if (g_str_has_prefix (lines[n], "#EXT-X-PART:") &&
          (u = uri_after (lines[n], "#EXT-X-PART:"))) {
        gchar *name = name_of (u);

        if (g_hash_table_contains (hinted, name))
          hints_listed++;
        g_free (name);
        g_free (u);
      }
    }
    g_strfreev (lines);
    g_usleep (G_USEC_PER_SEC / 4);
    span = g_get_monotonic_time () - t0;
  }
  fail_unless (map, "no EXT-X-MAP in %s", pl);
  /* the stream moved on during the reloads, over more than one second
   * of token expiries */
  fail_unless (g_hash_table_size (seen) >= 20, "%u names",
      g_hash_table_size (seen));
  fail_unless (compared >= 100, "%u URIs compared over %u reloads",
      compared, reloads);
  fail_unless (hints_listed >= 3, "%u hints listed as parts", hints_listed);

  /* what it lists is served with those tokens: the map, a segment, a
   * part and the hint (held until the part exists) */
  {
    const gchar *tags[] = { "#EXT-X-MAP", NULL, "#EXT-X-PART:",
      "#EXT-X-PRELOAD-HINT"
    };

    for (n = 0; n < G_N_ELEMENTS (tags); n++) {
      gchar *path;

      uri = uri_after (pl, tags[n]);
      fail_unless (uri != NULL, "no %s in %s", GST_STR_NULL (tags[n]), pl);
      path = g_strconcat ("/t/", uri, NULL);
      fail_unless_equals_int (http_status (port, path, NULL), 200);
      g_free (path);
      g_free (uri);
    }
  }

  /* another session: other tokens, for the same names */
  r = get (port, "/t/index.m3u8", NULL);
  fail_unless_equals_int (r->status, 200);
  g_free (pl);
  pl = body_text (r);
  http_response_free (r);
  uri = uri_after (pl, NULL);
  {
    gchar *name = name_of (uri);
    const gchar *mine = g_hash_table_lookup (seen, name);

    fail_unless (mine != NULL, "%s", name);
    fail_if (strcmp (mine, uri) == 0, "%s shared by two sessions", uri);
    g_hash_table_add (tokens, token_of (uri));
    g_free (name);
  }
  g_free (uri);
  fail_unless_equals_int (wait_stats_uint (sink, "sessions", 2, 1000), TRUE);

  /* the cookies' tokens too: never in a log */
  {
    const gchar *v = strchr (cookie, '=') + 1;

    g_hash_table_add (tokens, g_strndup (v, strcspn (v, "\r")));
  }
  stop_pipeline (p);
  text = log_stop ();
  fail_unless (strstr (text, "session from") != NULL, "no session logged");
  check_not_in (tokens, text, "debug log");
  g_free (text);
  fail_unless (g_file_get_contents (log, &text, NULL, NULL));
  fail_unless (strstr (text, "\"GET /t/index.m3u8 HTTP/1.1\" 200") != NULL,
      "%s", text);
  check_not_in (tokens, text, "access log");
  g_free (text);

  g_free (pl);
  g_free (cookie);
  g_hash_table_unref (seen);
  g_hash_table_unref (hinted);
  g_hash_table_unref (tokens);
  g_unlink (secret);
  g_unlink (log);
  g_free (secret);
  g_free (log);
  g_free (desc);
}

GST_END_TEST;

/* an expired token with the right MAC: a live session's is taken (a
 * segment, a reload that starts no new session), an unknown session's
 * refused */
GST_START_TEST (test_expired_token)
{
  gchar *secret = tmp_file ("secret", SECRET "\n");
  gchar *desc = g_strdup_printf (VIDEO "fluhlssink name=s port=0 "
      "mount-point=/t/ target-duration=1 part-target=0 client-limit=100 "
      "session-secret-file=%s", secret);
  GstElement *sink, *p = start (desc, &sink);
  guint port = sink_port (sink);
  gint64 past = g_get_real_time () / G_USEC_PER_SEC - 600;
  HttpResponse *r;
  gchar *pl, *seg, *tok, *id, *old, *path, *name, *unknown;
  guint64 total;
  GstStructure *st;

  r = get (port, "/t/index.m3u8", NULL);
  fail_unless_equals_int (r->status, 200);
  pl = body_text (r);
  http_response_free (r);
  seg = uri_after (pl, NULL);
  fail_unless (seg != NULL, "%s", pl);
  tok = token_of (seg);
  name = name_of (seg);
  id = g_strndup (tok, strcspn (tok, "."));
  fail_unless_equals_int (strlen (id), 24);
  /* the crafted token is the element's own kind: with the token's own
   * expiry it is the token */
  {
    gchar *same = craft (id, "/t/", g_ascii_strtoll (strchr (tok, '.') + 1,
            NULL, 10));

    fail_unless_equals_string (same, tok);
    g_free (same);
  }

  /* the live session's token, expired ten minutes ago */
  old = craft (id, "/t/", past);
  path = g_strdup_printf ("/t/%s?s=%s", name, old);
  fail_unless_equals_int (http_status (port, path, NULL), 200);
  g_free (path);
  path = g_strdup_printf ("/t/index.m3u8?s=%s", old);
  fail_unless_equals_int (http_status (port, path, NULL), 200);
  g_free (path);
  g_object_get (sink, "stats", &st, NULL);
  fail_unless (gst_structure_get_uint64 (st, "sessions-total", &total));
  gst_structure_free (st);
  fail_unless_equals_int (total, 1);
  g_free (old);

  /* an unknown session's (after a restart, another origin): 403 */
  unknown = g_strdup ("0123456789abcdef01234567");
  if (strcmp (unknown, id) == 0)
    unknown[0] = '1';
  old = craft (unknown, "/t/", past);
  path = g_strdup_printf ("/t/%s?s=%s", name, old);
  fail_unless_equals_int (http_status (port, path, NULL), 403);
  g_free (path);
  g_free (old);
  /* its unexpired one is taken (the session starts again) */
  old = craft (unknown, "/t/", past + 1200);
  path = g_strdup_printf ("/t/%s?s=%s", name, old);
  fail_unless_equals_int (http_status (port, path, NULL), 200);
  g_free (path);
  g_free (old);
  /* the live session's, signed for another mount: 403 */
  old = craft (id, "/u/", past);
  path = g_strdup_printf ("/t/%s?s=%s", name, old);
  fail_unless_equals_int (http_status (port, path, NULL), 403);
  g_free (path);
  g_free (old);

  stop_pipeline (p);
  g_free (unknown);
  g_free (id);
  g_free (name);
  g_free (tok);
  g_free (seg);
  g_free (pl);
  g_unlink (secret);
  g_free (secret);
  g_free (desc);
}

GST_END_TEST;

static Suite *
fluhlstokens_suite (void)
{
  Suite *s = suite_create ("fluhlstokens");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_uris_stable);
  tcase_add_test (tc, test_expired_token);
  return s;
}

GST_CHECK_MAIN (fluhlstokens);
