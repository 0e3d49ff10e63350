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


/* fluhlssink's sessions without a socket: tokens made and verified
 * (forged, expired, another mount, another address, malformed), the
 * session table's idle expiry and per-address counts, the playlist
 * rewrite, a secret file, and the access log's redaction of the token;
 * a session's tokens that stay the same in every playlist while their
 * segment is listed (a window's token times), and expired tokens of a
 * live session taken; a session's token cache (fluhlstokencache.c)
 * giving what is made without it, and refusing what is refused
 * without it. */

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fluhlssession.h"
#include "fluhlswindow.h"
#include "fluhttpauth.h"
#include "fluhttpgate.h"
#include "fluhttptest.h"

#define NOW G_GINT64_CONSTANT (1800000000)

static GBytes *
key_of (const gchar * text)
{
  return g_bytes_new (text, strlen (text));
}

GST_START_TEST (test_token_roundtrip)
{
  GBytes *key = key_of ("0123456789abcdef0123456789abcdef");
  gchar *id = flu_hls_session_new_id (), *got = NULL;
  gchar *t = flu_hls_session_token_make (key, id, "/room1/", NOW + 60, NULL);

  fail_unless_equals_int (strlen (id), FLU_HLS_SESSION_ID_LEN);
  fail_unless (g_str_has_prefix (t, id));
  fail_unless_equals_int (flu_hls_session_token_verify (key, t, "/room1/",
          NULL, NOW, &got), FLU_HLS_TOKEN_OK);
  fail_unless_equals_string (got, id);
  g_free (got);
  /* the token survives the redaction of logs: never logged */
  {
    gchar *q = g_strdup_printf ("_HLS_msn=12&" FLU_HLS_SESSION_PARAM "=%s", t);
    gchar *r = flu_http_query_redact (q);

    fail_unless (strstr (r, t) == NULL, "token in %s", r);
    fail_unless_equals_string (r, "_HLS_msn=12&s=-");
    g_free (q);
    g_free (r);
    /* even a short value under the session parameter's name */
    r = flu_http_query_redact ("s=abc");
    fail_unless_equals_string (r, "s=-");
    g_free (r);
  }
  g_free (t);
  g_free (id);
  g_bytes_unref (key);
}

GST_END_TEST;

GST_START_TEST (test_token_refused)
{
  GBytes *key = key_of ("0123456789abcdef0123456789abcdef");
  GBytes *other = key_of ("fedcba9876543210fedcba9876543210");
  gchar *id = flu_hls_session_new_id ();
  gchar *t = flu_hls_session_token_make (key, id, "/room1/", NOW + 60,
      "192.0.2.1");
  gchar *bad, *got = NULL;

  fail_unless_equals_int (flu_hls_session_token_verify (key, t, "/room1/",
          "192.0.2.1", NOW, NULL), FLU_HLS_TOKEN_OK);
  /* expired: at and after its expiry */
  fail_unless_equals_int (flu_hls_session_token_verify (key, t, "/room1/",
          "192.0.2.1", NOW + 60, NULL), FLU_HLS_TOKEN_EXPIRED);
  /* another mount, address or key */
  fail_unless_equals_int (flu_hls_session_token_verify (key, t, "/room2/",
          "192.0.2.1", NOW, NULL), FLU_HLS_TOKEN_FORGED);
  fail_unless_equals_int (flu_hls_session_token_verify (key, t, "/room1/",
          "192.0.2.2", NOW, NULL), FLU_HLS_TOKEN_FORGED);
  fail_unless_equals_int (flu_hls_session_token_verify (other, t, "/room1/",
          "192.0.2.1", NOW, NULL), FLU_HLS_TOKEN_FORGED);
  /* a later expiry written into a valid token */
  bad = g_strdup_printf ("%s.%" G_GINT64_FORMAT "%s", id, NOW + 3600,
      strrchr (t, '.'));
  fail_unless_equals_int (flu_hls_session_token_verify (key, bad, "/room1/",
          "192.0.2.1", NOW, &got), FLU_HLS_TOKEN_FORGED);
  fail_unless (got == NULL);
  g_free (bad);
  /* one MAC digit changed */
  bad = g_strdup (t);
  bad[strlen (bad) - 1] = bad[strlen (bad) - 1] == '0' ? '1' : '0';
  fail_unless_equals_int (flu_hls_session_token_verify (key, bad, "/room1/",
          "192.0.2.1", NOW, NULL), FLU_HLS_TOKEN_FORGED);
  g_free (bad);
  /* malformed */
  fail_unless_equals_int (flu_hls_session_token_verify (key, NULL, "/room1/",
          NULL, NOW, NULL), FLU_HLS_TOKEN_MALFORMED);
  fail_unless_equals_int (flu_hls_session_token_verify (key, "", "/room1/",
          NULL, NOW, NULL), FLU_HLS_TOKEN_MALFORMED);
  fail_unless_equals_int (flu_hls_session_token_verify (key, "abc.1.2",
          "/room1/", NULL, NOW, NULL), FLU_HLS_TOKEN_MALFORMED);
  bad = g_ascii_strup (t, -1);
  fail_unless_equals_int (flu_hls_session_token_verify (key, bad, "/room1/",
          "192.0.2.1", NOW, NULL), FLU_HLS_TOKEN_MALFORMED);
  g_free (bad);
  bad = g_strconcat (t, "0", NULL);
  fail_unless_equals_int (flu_hls_session_token_verify (key, bad, "/room1/",
          "192.0.2.1", NOW, NULL), FLU_HLS_TOKEN_MALFORMED);
  g_free (bad);
  g_free (t);
  g_free (id);
  g_bytes_unref (key);
  g_bytes_unref (other);
}

GST_END_TEST;

GST_START_TEST (test_table_expiry)
{
  FluHlsSessions *t = flu_hls_sessions_new (60 * G_USEC_PER_SEC);
  FluHlsSession *a, *b, *c;
  GPtrArray *gone;

  a = flu_hls_sessions_add (t, NULL, "192.0.2.1", 1000);
  b = flu_hls_sessions_add (t, NULL, "192.0.2.1", 2000);
  c = flu_hls_sessions_add (t, "00000000000000000000000c", "192.0.2.9", 3000);
  fail_unless (strcmp (a->id, b->id) != 0);
  fail_unless_equals_int (flu_hls_sessions_count (t), 3);
  fail_unless_equals_int (flu_hls_sessions_count_host (t, "192.0.2.1"), 2);
  fail_unless_equals_int (flu_hls_sessions_count_host (t, "192.0.2.9"), 1);
  fail_unless_equals_int (flu_hls_sessions_count_host (t, "192.0.2.3"), 0);
  fail_unless (flu_hls_sessions_lookup (t, "00000000000000000000000c") == c);
  fail_unless (flu_hls_sessions_lookup (t, "nope") == NULL);

  /* activity renews: b is used late, a and c are not */
  b->last = 50 * G_USEC_PER_SEC;
  gone = flu_hls_sessions_expire (t, 59 * G_USEC_PER_SEC, FALSE);
  fail_unless_equals_int (gone->len, 0);
  g_ptr_array_unref (gone);
  gone = flu_hls_sessions_expire (t, 61 * G_USEC_PER_SEC, FALSE);
  fail_unless_equals_int (gone->len, 2);
  /* oldest first */
  fail_unless (g_ptr_array_index (gone, 0) == a);
  fail_unless (g_ptr_array_index (gone, 1) == c);
  g_ptr_array_unref (gone);
  fail_unless_equals_int (flu_hls_sessions_count (t), 1);
  fail_unless_equals_int (flu_hls_sessions_count_host (t, "192.0.2.1"), 1);
  fail_unless_equals_int (flu_hls_sessions_count_host (t, "192.0.2.9"), 0);

  gone = flu_hls_sessions_expire (t, 0, TRUE);
  fail_unless_equals_int (gone->len, 1);
  g_ptr_array_unref (gone);
  fail_unless_equals_int (flu_hls_sessions_count (t), 0);
  flu_hls_sessions_free (t);
}

GST_END_TEST;

/* the sessions of one request, oldest first, are the ones max-sessions
 * ends; a second request takes a session off that list; expiry too */
GST_START_TEST (test_table_evict)
{
  FluHlsSessions *t = flu_hls_sessions_new (60 * G_USEC_PER_SEC);
  FluHlsSession *a, *b, *c, *d, *x;
  GPtrArray *gone;

  a = flu_hls_sessions_add (t, NULL, "192.0.2.1", 1000);
  b = flu_hls_sessions_add (t, NULL, "192.0.2.1", 2000);
  c = flu_hls_sessions_add (t, NULL, "192.0.2.2", 3000);
  flu_hls_sessions_touch (t, a, 4000);
  flu_hls_sessions_touch (t, b, 4000);
  flu_hls_sessions_touch (t, c, 4000);
  /* a viewer: two requests */
  flu_hls_sessions_touch (t, a, 5000);
  fail_unless_equals_int (a->requests, 2);
  fail_unless_equals_int (a->last, 5000);
  x = flu_hls_sessions_evict_fresh (t);
  fail_unless (x == b);
  fail_unless (flu_hls_sessions_lookup (t, b->id) == NULL);
  fail_unless_equals_int (flu_hls_sessions_count_host (t, "192.0.2.1"), 1);
  flu_hls_session_free (x);
  /* c expires: off the list too */
  c->last = 0;
  d = flu_hls_sessions_add (t, NULL, "192.0.2.3", 61 * G_USEC_PER_SEC);
  gone = flu_hls_sessions_expire (t, 60 * G_USEC_PER_SEC + 1000, FALSE);
  fail_unless_equals_int (gone->len, 1);
  fail_unless (g_ptr_array_index (gone, 0) == c);
  g_ptr_array_unref (gone);
  x = flu_hls_sessions_evict_fresh (t);
  fail_unless (x == d);
  flu_hls_session_free (x);
  fail_unless (flu_hls_sessions_evict_fresh (t) == NULL);
  fail_unless_equals_int (flu_hls_sessions_count (t), 1);
  flu_hls_sessions_free (t);
}

GST_END_TEST;

GST_START_TEST (test_playlist_rewrite)
{
  const gchar *in =
      "#EXTM3U\n"
      "#EXT-X-TARGETDURATION:2\n"
      "#EXT-X-MAP:URI=\"init.mp4\"\n"
      "#EXT-X-PART:DURATION=0.33,URI=\"part5.0.ts\",INDEPENDENT=YES\n"
      "#EXTINF:2.000,\n"
      "seg5.ts\n"
      "\n"
      "seg6.ts?x=1\n"
      "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part7.1.ts\"\n"
      "#EXT-X-RENDITION-REPORT:URI=\"../lo/index.m3u8\",LAST-MSN=7\n";
  const gchar *want =
      "#EXTM3U\n"
      "#EXT-X-TARGETDURATION:2\n"
      "#EXT-X-MAP:URI=\"init.mp4?s=TOK\"\n"
      "#EXT-X-PART:DURATION=0.33,URI=\"part5.0.ts?s=TOK\",INDEPENDENT=YES\n"
      "#EXTINF:2.000,\n"
      "seg5.ts?s=TOK\n"
      "\n"
      "seg6.ts?x=1&s=TOK\n"
      "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part7.1.ts?s=TOK\"\n"
      "#EXT-X-RENDITION-REPORT:URI=\"../lo/index.m3u8?s=TOK\",LAST-MSN=7\n";
  GBytes *b = g_bytes_new_static (in, strlen (in));
  GBytes *out = flu_hls_playlist_add_query (b, "s", "TOK");
  gchar *text = g_strndup (g_bytes_get_data (out, NULL),
      g_bytes_get_size (out));

  fail_unless_equals_string (text, want);
  g_free (text);
  g_bytes_unref (out);
  g_bytes_unref (b);

  /* no trailing newline, CRLF kept */
  b = g_bytes_new_static ("#EXTM3U\r\nseg1.ts\r\nseg2.ts", 25);
  out = flu_hls_playlist_add_query (b, "s", "T");
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  fail_unless_equals_string (text, "#EXTM3U\r\nseg1.ts?s=T\r\nseg2.ts?s=T");
  g_free (text);
  g_bytes_unref (out);
  g_bytes_unref (b);
}

GST_END_TEST;

GST_START_TEST (test_secret_file)
{
  gchar *dir = g_dir_make_tmp ("fluhlssession-XXXXXX", NULL);
  gchar *path = g_build_filename (dir, "secret", NULL);
  GError *err = NULL;
  GBytes *k1, *k2, *r1, *r2;
  gchar *t;

  fail_unless (g_file_set_contents (path, "short\n", -1, NULL));
  fail_unless (flu_hls_session_key_load (path, &err) == NULL);
  fail_unless (err != NULL);
  g_clear_error (&err);
  fail_unless (g_file_set_contents (path, "a shared secret of two origins\n",
          -1, NULL));
  k1 = flu_hls_session_key_load (path, &err);
  fail_unless (k1 != NULL, "%s", err ? err->message : "");
  fail_unless (g_file_set_contents (path, "a shared secret of two origins",
          -1, NULL));
  k2 = flu_hls_session_key_load (path, NULL);
  /* the same secret (the newline cut): one origin verifies the other's */
  t = flu_hls_session_token_make (k1, "0123456789abcdef01234567", "/a/",
      NOW + 5, NULL);
  fail_unless_equals_int (flu_hls_session_token_verify (k2, t, "/a/", NULL,
          NOW, NULL), FLU_HLS_TOKEN_OK);
  g_free (t);
  /* random keys differ */
  r1 = flu_hls_session_key_random ();
  r2 = flu_hls_session_key_random ();
  fail_unless_equals_int (g_bytes_get_size (r1), 32);
  fail_if (g_bytes_equal (r1, r2));
  fail_unless (flu_hls_session_key_load ("/nonexistent/x", NULL) == NULL);
  g_bytes_unref (k1);
  g_bytes_unref (k2);
  g_bytes_unref (r1);
  g_bytes_unref (r2);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

GST_END_TEST;

/* the limits both elements apply (fluhttpgate.c): sessions of fluhlssink,
 * viewers of fluhttpsink */
GST_START_TEST (test_gate_limits)
{
  const gchar *why = NULL;

  fail_unless_equals_int (flu_http_gate_limits (0, 5, 0, 100, 0, 0, &why),
      SOUP_STATUS_NONE);
  fail_unless_equals_int (flu_http_gate_limits (2, 1, 0, 1, 0, 0, &why),
      SOUP_STATUS_NONE);
  fail_unless_equals_int (flu_http_gate_limits (2, 2, 0, 2, 0, 0, &why), 429);
  fail_unless_equals_int (flu_http_gate_limits (0, 0, 3, 2, 0, 0, &why),
      SOUP_STATUS_NONE);
  fail_unless_equals_int (flu_http_gate_limits (0, 0, 3, 3, 0, 0, &why),
      SOUP_STATUS_SERVICE_UNAVAILABLE);
  fail_unless_equals_string (why, "client limit reached");
  /* 4 sessions of 1 Mbit/s fit 5 Mbit/s, a 5th too, a 6th not */
  fail_unless_equals_int (flu_http_gate_limits (0, 0, 0, 4, 5000000, 1000000,
          &why), SOUP_STATUS_NONE);
  fail_unless_equals_int (flu_http_gate_limits (0, 0, 0, 5, 5000000, 1000000,
          &why), SOUP_STATUS_SERVICE_UNAVAILABLE);
  fail_unless_equals_string (why, "bandwidth limit reached");
  /* no bitrate known yet: no bandwidth refusal */
  fail_unless_equals_int (flu_http_gate_limits (0, 0, 0, 50, 5000000, 0,
          &why), SOUP_STATUS_NONE);
}

GST_END_TEST;

/* ---- tokens per segment ---- */

#define MS (G_GUINT64_CONSTANT (1000000))
#define PDT0 (G_GINT64_CONSTANT (1796169600) * G_USEC_PER_SEC)
#define LIFETIME 60

static gint64
token_time (guint64 msn, gpointer window)
{
  return flu_hls_window_token_time (window, msn);
}

/* the expiry in the token of @uri */
static gint64
expiry_of (const gchar * uri)
{
  const gchar *t = strstr (uri, "s=");
  const gchar *dot;

  fail_unless (t != NULL, "no token in %s", uri);
  dot = strchr (t, '.');
  fail_unless (dot != NULL, "%s", uri);
  return g_ascii_strtoll (dot + 1, NULL, 10);
}

static gchar *
name_of (const gchar * uri)
{
  return g_strndup (uri, strcspn (uri, "?"));
}

typedef struct
{
  GHashTable *seen;             /* name -> the URI it was listed with */
  GHashTable *hinted;           /* names of preload hints */
  GHashTable *parts;            /* names listed in EXT-X-PART */
  guint compared;               /* URIs found again in a later playlist */
  guint playlists;
} Listing;

/* @pl of one session: every media name listed before has the same URI */
static void
check_listing (Listing * l, const gchar * pl)
{
  GPtrArray *uris = playlist_uris (pl);
  gchar **lines = g_strsplit (pl, "\n", -1);
  guint i;

  for (i = 0; i < uris->len; i++) {
    const gchar *uri = g_ptr_array_index (uris, i);
    gchar *name = name_of (uri);
    const gchar *before = g_hash_table_lookup (l->seen, name);
    guint64 msn;
    guint part;

    /* media only: a rendition report's token is fresh each time */
    if (flu_hls_parse_name (name, &msn, &part) == FLU_HLS_NAME_UNKNOWN) {
      g_free (name);
      continue;
    }
    if (before) {
      fail_unless_equals_string (uri, before);
      l->compared++;
      g_free (name);
    } else {
      g_hash_table_insert (l->seen, name, g_strdup (uri));
    }
  }
  for (i = 0; lines[i]; i++) {
    const gchar *u = strstr (lines[i], "URI=\"");
    GHashTable *set = g_str_has_prefix (lines[i], "#EXT-X-PRELOAD-HINT") ?
        l->hinted : g_str_has_prefix (lines[i], "#EXT-X-PART:") ? l->parts :
        NULL;

    if (u && set)
      g_hash_table_add (set, g_strndup (u + 5, strcspn (u + 5, "?\"")));
  }
  l->playlists++;
  g_strfreev (lines);
  g_ptr_array_unref (uris);
}

static void
listing_init (Listing * l)
{
  l->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  l->hinted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  l->parts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  l->compared = l->playlists = 0;
}

static void
listing_clear (Listing * l)
{
  g_hash_table_unref (l->seen);
  g_hash_table_unref (l->hinted);
  g_hash_table_unref (l->parts);
}

/* @pl (a window's playlist, a rendition report appended) as session @id
 * gets it at @now (Unix s) */
static gchar *
rewritten (GBytes * key, const gchar * id, FluHlsWindow * w, gint64 now)
{
  GBytes *pl = flu_hls_window_playlist (w), *in, *out;
  gchar *text, *res;

  if (pl == NULL)
    return NULL;
  text = g_strdup_printf ("%.*s#EXT-X-RENDITION-REPORT:URI=\"../lo/"
      "index.m3u8\",LAST-MSN=1\n", (gint) g_bytes_get_size (pl),
      (const gchar *) g_bytes_get_data (pl, NULL));
  in = g_bytes_new_take (text, strlen (text));
  {
    FluHlsTokenSpec spec = { key, id, "/tv/", NULL, LIFETIME, now,
      token_time, w
    };

    out = flu_hls_playlist_add_tokens (in, &spec);
  }
  res = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_bytes_unref (out);
  g_bytes_unref (in);
  g_bytes_unref (pl);
  return res;
}

/* An LL-HLS fMP4 window (segments of 3 parts, 3 listed, 3 kept) grows
 * for 8 segments while one session reloads after every part, a second
 * later each time: every segment, part, map and hint URI comes out the
 * same in every playlist that lists it (its expiry from its segment's
 * PROGRAM-DATE-TIME, the hinted segment's from when it was to start),
 * the hint's URI is the part's once listed, the map's stays after its
 * segment left the window; the rendition report's token is fresh; a
 * second session gets other tokens. */
GST_START_TEST (test_playlist_tokens)
{
  FluHlsWindowConfig cfg = { 1, 400 * MS, 3, 3, TRUE };
  GBytes *key = key_of ("0123456789abcdef0123456789abcdef");
  GBytes *init = g_bytes_new_static ("init", 4);
  gchar *a = flu_hls_session_new_id (), *b = flu_hls_session_new_id ();
  FluHlsWindow *w = flu_hls_window_new (&cfg, 100, NULL, NULL);
  guint64 durations[3] = { 300 * MS, 300 * MS, 400 * MS };
  gint64 now = PDT0 / G_USEC_PER_SEC;
  GHashTableIter it;
  gpointer name;
  Listing l;
  guint k, i, hints_listed = 0;
  gchar *pl, *other = NULL;

  listing_init (&l);
  for (k = 0; k < 8; k++) {
    for (i = 0; i < 3; i++) {
      FluHlsPartInfo info = {
        .duration = durations[i],.independent = i == 0,
        .new_segment = i == 0,.pdt_us = PDT0 + k * G_USEC_PER_SEC,
        .ends_segment = i == 2,.init = init
      };
      GPtrArray *uris;
      guint j;

      flu_hls_window_add_part (w, &info, g_bytes_new_take (g_malloc0 (100),
              100));
      now++;
      if ((pl = rewritten (key, a, w, now)) == NULL)
        continue;
      check_listing (&l, pl);
      /* the expiries: a media URI's from its msn, the report's from now */
      uris = playlist_uris (pl);
      for (j = 0; j < uris->len; j++) {
        const gchar *uri = g_ptr_array_index (uris, j);
        guint64 msn;
        guint part;
        gchar *n = name_of (uri);

        if (flu_hls_parse_name (n, &msn, &part) != FLU_HLS_NAME_UNKNOWN) {
          fail_unless_equals_int64 (expiry_of (uri), (PDT0 + (gint64) (msn -
                      100) * G_USEC_PER_SEC) / G_USEC_PER_SEC + LIFETIME);
        } else {
          fail_unless_equals_int64 (expiry_of (uri), now + LIFETIME);
        }
        g_free (n);
      }
      g_ptr_array_unref (uris);
      if (other == NULL)
        other = rewritten (key, b, w, now);
      g_free (pl);
    }
  }
  /* the first segment and its init segment left the window; the map
   * kept its URI (compared in check_listing) */
  fail_unless (flu_hls_window_token_time (w, 100) ==
      PDT0, "init100.mp4's token time");
  pl = rewritten (key, a, w, now);
  fail_unless (strstr (pl, "seg100.m4s") == NULL, "%s", pl);
  fail_unless (strstr (pl, "#EXT-X-MAP:URI=\"init100.mp4?s=") != NULL, "%s",
      pl);
  g_free (pl);
  /* several reloads compared, each name against its first listing */
  fail_unless (l.playlists >= 20, "%u playlists", l.playlists);
  fail_unless (l.compared >= 200, "%u URIs compared", l.compared);
  /* the hints that became parts: the same URI (the table holds one per
   * name) */
  g_hash_table_iter_init (&it, l.hinted);
  while (g_hash_table_iter_next (&it, &name, NULL))
    if (g_hash_table_contains (l.parts, name))
      hints_listed++;
  fail_unless (hints_listed >= 20, "%u hints listed as parts", hints_listed);
  /* another session: other tokens for the same names */
  {
    GPtrArray *uris = playlist_uris (other);

    for (i = 0; i < uris->len; i++) {
      const gchar *uri = g_ptr_array_index (uris, i);
      gchar *n = name_of (uri);
      const gchar *mine = g_hash_table_lookup (l.seen, n);

      fail_unless (mine != NULL || g_str_has_prefix (n, "../"), "%s", n);
      fail_if (mine && strcmp (mine, uri) == 0, "%s shared by two sessions",
          uri);
      fail_unless (strstr (uri, b) != NULL, "%s", uri);
      g_free (n);
    }
    g_ptr_array_unref (uris);
  }
  listing_clear (&l);
  g_free (other);
  flu_hls_window_free (w);
  g_bytes_unref (init);
  g_bytes_unref (key);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* The window's token times: a segment's PROGRAM-DATE-TIME; the hinted
 * next segment's fixed when hinted (the last one's end) and kept for it
 * whatever its own PROGRAM-DATE-TIME; none for what it neither holds nor
 * hints; plain HLS (no hint): the PROGRAM-DATE-TIME. */
GST_START_TEST (test_window_token_time)
{
  FluHlsWindowConfig ll = { 1, 500 * MS, 3, 3, FALSE };
  FluHlsWindowConfig plain = { 1, 0, 3, 3, FALSE };
  FluHlsPartInfo info = {.duration = 500 * MS,.independent = TRUE,
    .new_segment = TRUE,.pdt_us = PDT0
  };
  FluHlsWindow *w = flu_hls_window_new (&ll, 7, NULL, NULL);

  fail_unless_equals_int64 (flu_hls_window_token_time (w, 7), -1);
  flu_hls_window_add_part (w, &info, g_bytes_new_take (g_malloc0 (10), 10));
  fail_unless_equals_int64 (flu_hls_window_token_time (w, 7), PDT0);
  info.new_segment = info.independent = FALSE;
  info.ends_segment = TRUE;
  flu_hls_window_add_part (w, &info, g_bytes_new_take (g_malloc0 (10), 10));
  /* part8.0 is hinted: segment 8 starts 1 s after segment 7 */
  fail_unless_equals_int64 (flu_hls_window_token_time (w, 8),
      PDT0 + G_USEC_PER_SEC);
  fail_unless_equals_int64 (flu_hls_window_token_time (w, 9), -1);
  /* it comes 250 ms late (a clock step): the hint's time stays */
  info.new_segment = info.independent = TRUE;
  info.ends_segment = FALSE;
  info.pdt_us = PDT0 + 1250 * 1000;
  flu_hls_window_add_part (w, &info, g_bytes_new_take (g_malloc0 (10), 10));
  fail_unless_equals_int64 (flu_hls_window_token_time (w, 8),
      PDT0 + G_USEC_PER_SEC);
  fail_unless_equals_int64 (flu_hls_window_token_time (w, 7), PDT0);
  flu_hls_window_free (w);

  w = flu_hls_window_new (&plain, 0, NULL, NULL);
  info.pdt_us = PDT0;
  info.ends_segment = TRUE;
  flu_hls_window_add_part (w, &info, g_bytes_new_take (g_malloc0 (10), 10));
  fail_unless_equals_int64 (flu_hls_window_token_time (w, 0), PDT0);
  fail_unless_equals_int64 (flu_hls_window_token_time (w, 1), -1);
  flu_hls_window_free (w);
}

GST_END_TEST;

/* a token whose MAC is right and whose expiry passed: good for a session
 * the table holds and that is alive, refused for an unknown one or one
 * idle past the timeout */
GST_START_TEST (test_sessions_verify)
{
  GBytes *key = key_of ("0123456789abcdef0123456789abcdef");
  GBytes *other = key_of ("fedcba9876543210fedcba9876543210");
  FluHlsSessions *t = flu_hls_sessions_new (60 * G_USEC_PER_SEC);
  FluHlsSession *s = flu_hls_sessions_add (t, NULL, "192.0.2.1",
      G_USEC_PER_SEC);
  gchar *unknown = flu_hls_session_new_id (), *id = NULL, *tok;

  /* the live session's, expired an hour ago: OK, its id */
  tok = flu_hls_session_token_make (key, s->id, "/tv/", NOW - 3600, NULL);
  fail_unless_equals_int (flu_hls_session_token_verify (key, tok, "/tv/",
          NULL, NOW, NULL), FLU_HLS_TOKEN_EXPIRED);
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/", NULL,
          NOW, 2 * G_USEC_PER_SEC, &id), FLU_HLS_TOKEN_OK);
  fail_unless_equals_string (id, s->id);
  g_clear_pointer (&id, g_free);
  /* another scope or key: forged */
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/radio/",
          NULL, NOW, 2 * G_USEC_PER_SEC, &id), FLU_HLS_TOKEN_FORGED);
  fail_unless_equals_int (flu_hls_sessions_verify (t, other, tok, "/tv/",
          NULL, NOW, 2 * G_USEC_PER_SEC, &id), FLU_HLS_TOKEN_FORGED);
  fail_unless (id == NULL);
  /* no table: the expiry holds */
  fail_unless_equals_int (flu_hls_sessions_verify (NULL, key, tok, "/tv/",
          NULL, NOW, 2 * G_USEC_PER_SEC, &id), FLU_HLS_TOKEN_EXPIRED);
  /* idle for the timeout (not yet reaped): the expiry holds */
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/", NULL,
          NOW, 61 * G_USEC_PER_SEC, &id), FLU_HLS_TOKEN_EXPIRED);
  fail_unless (id == NULL);
  g_free (tok);
  /* an unknown session (a restart, another origin): the expiry holds */
  tok = flu_hls_session_token_make (key, unknown, "/tv/", NOW - 1, NULL);
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/", NULL,
          NOW, 2 * G_USEC_PER_SEC, &id), FLU_HLS_TOKEN_EXPIRED);
  fail_unless (id == NULL);
  g_free (tok);
  /* ... and its unexpired token is good (the caller starts it again) */
  tok = flu_hls_session_token_make (key, unknown, "/tv/", NOW + 1, NULL);
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/", NULL,
          NOW, 2 * G_USEC_PER_SEC, &id), FLU_HLS_TOKEN_OK);
  fail_unless_equals_string (id, unknown);
  g_free (id);
  g_free (tok);
  g_free (unknown);
  flu_hls_sessions_free (t);
  g_bytes_unref (key);
  g_bytes_unref (other);
}

GST_END_TEST;

/* @in rewritten for session @id at @now with @cache (may be NULL) */
static GBytes *
tokens_of (GBytes * key, const gchar * id, const gchar * address,
    FluHlsWindow * w, GBytes * in, gint64 now, FluHlsTokenCache * cache)
{
  FluHlsTokenSpec spec = { key, id, "/tv/", address, LIFETIME, now,
    token_time, w, cache
  };

  return flu_hls_playlist_add_tokens (in, &spec);
}

/* A session's token cache: a playlist made with it is byte for byte the
 * one made without (an LL window growing, reloaded after every part, a
 * rendition report timed from now); a reload of the same playlist is
 * the kept one, unless its now-timed URIs would change; its tokens are
 * verified without the HMAC but only for the key, scope and address
 * they were made with, and with their expiry as before; a token of the
 * cached expiry with another MAC, of another session, of a session that
 * ended, or after the key changed is refused as without the cache. */
GST_START_TEST (test_token_cache)
{
  FluHlsWindowConfig cfg = { 1, 400 * MS, 3, 3, TRUE };
  GBytes *key = key_of ("0123456789abcdef0123456789abcdef");
  GBytes *key2 = key_of ("fedcba9876543210fedcba9876543210");
  GBytes *init = g_bytes_new_static ("init", 4);
  FluHlsWindow *w = flu_hls_window_new (&cfg, 100, NULL, NULL);
  FluHlsSessions *t = flu_hls_sessions_new (60 * G_USEC_PER_SEC);
  FluHlsSession *a = flu_hls_sessions_add (t, NULL, "192.0.2.1", 1);
  FluHlsSession *b = flu_hls_sessions_add (t, NULL, "192.0.2.2", 1);
  gint64 now = PDT0 / G_USEC_PER_SEC, expires;
  GBytes *pl, *in, *with, *without, *again;
  gchar *text, *tok, *forged, *id = NULL, *a_id;
  guint k, i, made = 0;
  GPtrArray *uris;

  for (k = 0; k < 6; k++)
    for (i = 0; i < 3; i++) {
      FluHlsPartInfo info = {
        .duration = 300 * MS,.independent = i == 0,.new_segment = i == 0,
        .pdt_us = PDT0 + k * G_USEC_PER_SEC,.ends_segment = i == 2,
        .init = init
      };

      flu_hls_window_add_part (w, &info, g_bytes_new_take (g_malloc0 (100),
              100));
      now++;
      if ((pl = flu_hls_window_playlist (w)) == NULL)
        continue;
      text = g_strdup_printf ("%.*s#EXT-X-RENDITION-REPORT:URI=\"../lo/"
          "index.m3u8\",LAST-MSN=1\n", (gint) g_bytes_get_size (pl),
          (const gchar *) g_bytes_get_data (pl, NULL));
      in = g_bytes_new_take (text, strlen (text));
      without = tokens_of (key, a->id, NULL, w, in, now, NULL);
      with = tokens_of (key, a->id, NULL, w, in, now, a->tokens);
      fail_unless (g_bytes_equal (with, without));
      /* the same playlist again: the kept one; a second later its
       * report's token changes: made again, still the same as without */
      again = tokens_of (key, a->id, NULL, w, in, now, a->tokens);
      fail_unless (again == with);
      g_bytes_unref (again);
      /* ... or the same text in other bytes (rendered again) */
      {
        GBytes *copy = g_bytes_new (g_bytes_get_data (in, NULL),
            g_bytes_get_size (in));

        again = tokens_of (key, a->id, NULL, w, copy, now, a->tokens);
        fail_unless (again == with);
        g_bytes_unref (again);
        g_bytes_unref (copy);
      }
      g_bytes_unref (without);
      without = tokens_of (key, a->id, NULL, w, in, now + 1, NULL);
      again = tokens_of (key, a->id, NULL, w, in, now + 1, a->tokens);
      fail_unless (again != with);
      fail_unless (g_bytes_equal (again, without));
      g_bytes_unref (again);
      g_bytes_unref (without);
      g_bytes_unref (with);
      g_bytes_unref (in);
      /* without a now-timed URI (a bare window playlist): kept whatever
       * now is */
      with = tokens_of (key, a->id, NULL, w, pl, now, a->tokens);
      again = tokens_of (key, a->id, NULL, w, pl, now + 5, a->tokens);
      fail_unless (again == with);
      g_bytes_unref (again);
      g_bytes_unref (with);
      g_bytes_unref (pl);
      made++;
    }
  fail_unless (made >= 10, "%u playlists", made);

  /* every media token of a's last playlist verifies from the cache (the
   * cache holds it) and as without it */
  pl = flu_hls_window_playlist (w);
  with = tokens_of (key, a->id, NULL, w, pl, now, a->tokens);
  text = g_strndup (g_bytes_get_data (with, NULL), g_bytes_get_size (with));
  uris = playlist_uris (text);
  fail_unless (uris->len >= 10);
  for (i = 0; i < uris->len; i++) {
    const gchar *u = strstr (g_ptr_array_index (uris, i), "s=");

    tok = g_strndup (u + 2, strcspn (u + 2, "&#\""));
    fail_unless (flu_hls_token_cache_check (a->tokens, key, a->id, "/tv/",
            NULL, tok, &expires), "%s not kept", tok);
    fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/",
            NULL, now, 2, &id), FLU_HLS_TOKEN_OK);
    fail_unless_equals_string (id, a->id);
    g_clear_pointer (&id, g_free);
    /* another scope, key or an address: refused, as without the cache */
    fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/radio/",
            NULL, now, 2, &id), FLU_HLS_TOKEN_FORGED);
    fail_unless_equals_int (flu_hls_sessions_verify (t, key2, tok, "/tv/",
            NULL, now, 2, &id), FLU_HLS_TOKEN_FORGED);
    fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/",
            "192.0.2.1", now, 2, &id), FLU_HLS_TOKEN_FORGED);
    /* past its expiry: good while the session lives, else expired */
    fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/",
            NULL, expires + 10, 2, &id), FLU_HLS_TOKEN_OK);
    g_clear_pointer (&id, g_free);
    fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/",
            NULL, expires + 10, 61 * G_USEC_PER_SEC, &id),
        FLU_HLS_TOKEN_EXPIRED);
    fail_unless (id == NULL);
    g_free (tok);
  }
  g_ptr_array_unref (uris);
  g_free (text);

  /* a token of a kept expiry with another MAC (the last digit changed,
   * or b's MAC): forged */
  tok = g_strdup (flu_hls_token_cache_lookup (a->tokens, expires));
  fail_unless (tok != NULL);
  forged = g_strdup (tok);
  forged[strlen (forged) - 1] = forged[strlen (forged) - 1] == '0' ? '1' : '0';
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, forged, "/tv/",
          NULL, now, 2, &id), FLU_HLS_TOKEN_FORGED);
  g_free (forged);
  forged = flu_hls_session_token_make (key, b->id, "/tv/", expires, NULL);
  memcpy (forged, a->id, FLU_HLS_SESSION_ID_LEN);
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, forged, "/tv/",
          NULL, now, 2, &id), FLU_HLS_TOKEN_FORGED);
  /* ... and a's token is not b's: b's cache has none of them, and a's
   * token names a (its id is in it) */
  fail_if (flu_hls_token_cache_check (b->tokens, key, b->id, "/tv/", NULL,
          tok, &expires));
  fail_if (flu_hls_token_cache_check (b->tokens, key, a->id, "/tv/", NULL,
          tok, &expires));
  g_free (forged);
  fail_unless (id == NULL);

  /* tokens bound to an address: made for one, refused from another */
  g_bytes_unref (with);
  with = tokens_of (key, b->id, "192.0.2.2", w, pl, now, b->tokens);
  forged = g_strndup (g_bytes_get_data (with, NULL), g_bytes_get_size (with));
  uris = playlist_uris (forged);
  {
    const gchar *u = strstr (g_ptr_array_index (uris, 0), "s=");
    gchar *btok = g_strndup (u + 2, strcspn (u + 2, "&#\""));

    fail_unless_equals_int (flu_hls_sessions_verify (t, key, btok, "/tv/",
            "192.0.2.2", now, 2, &id), FLU_HLS_TOKEN_OK);
    g_clear_pointer (&id, g_free);
    fail_unless_equals_int (flu_hls_sessions_verify (t, key, btok, "/tv/",
            "192.0.2.9", now, 2, &id), FLU_HLS_TOKEN_FORGED);
    fail_unless_equals_int (flu_hls_sessions_verify (t, key, btok, "/tv/",
            NULL, now, 2, &id), FLU_HLS_TOKEN_FORGED);
    g_free (btok);
  }
  g_ptr_array_unref (uris);
  g_free (forged);
  g_bytes_unref (with);

  /* a token verified once (not made here) is kept too */
  forged = flu_hls_session_token_make (key, a->id, "/tv/", now + 999, NULL);
  fail_if (flu_hls_token_cache_check (a->tokens, key, a->id, "/tv/", NULL,
          forged, &expires));
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, forged, "/tv/",
          NULL, now, 2, &id), FLU_HLS_TOKEN_OK);
  g_clear_pointer (&id, g_free);
  fail_unless (flu_hls_token_cache_check (a->tokens, key, a->id, "/tv/",
          NULL, forged, &expires));
  g_free (forged);

  /* the key changes (the cache is bound to it): emptied, the old
   * tokens refused */
  with = tokens_of (key2, a->id, NULL, w, pl, now, a->tokens);
  fail_if (flu_hls_token_cache_check (a->tokens, key, a->id, "/tv/", NULL,
          tok, &expires));
  fail_unless_equals_int (flu_hls_sessions_verify (t, key2, tok, "/tv/",
          NULL, now, 2, &id), FLU_HLS_TOKEN_FORGED);
  g_bytes_unref (with);
  with = tokens_of (key, a->id, NULL, w, pl, now, a->tokens);
  g_bytes_unref (with);

  /* a's session ends: its expired token is expired, its unexpired one
   * starts it again (as without the cache) */
  a_id = g_strdup (a->id);
  g_ptr_array_unref (flu_hls_sessions_expire (t, 0, TRUE));
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/",
          NULL, expires + 10, 2, &id), FLU_HLS_TOKEN_EXPIRED);
  fail_unless_equals_int (flu_hls_sessions_verify (t, key, tok, "/tv/",
          NULL, now, 2, &id), FLU_HLS_TOKEN_OK);
  fail_unless_equals_string (id, a_id);
  g_free (id);
  g_free (a_id);
  g_free (tok);
  g_bytes_unref (pl);

  flu_hls_sessions_free (t);
  flu_hls_window_free (w);
  g_bytes_unref (init);
  g_bytes_unref (key);
  g_bytes_unref (key2);
}

GST_END_TEST;

/* a cache keeps at most FLU_HLS_TOKEN_CACHE_TOKENS tokens, the latest
 * expiries; its cookie only for its expiry; nothing before it is bound */
GST_START_TEST (test_token_cache_bounds)
{
  GBytes *key = key_of ("0123456789abcdef0123456789abcdef");
  FluHlsTokenCache *c = flu_hls_token_cache_new ();
  gchar *id = flu_hls_session_new_id (), *tok;
  gint64 expires;
  guint i;

  tok = flu_hls_session_token_make (key, id, "/tv/", NOW, NULL);
  flu_hls_token_cache_add (c, NOW, tok);
  fail_unless (flu_hls_token_cache_lookup (c, NOW) == NULL);
  fail_if (flu_hls_token_cache_check (c, key, id, "/tv/", NULL, tok, &expires));
  g_free (tok);
  flu_hls_token_cache_bind (c, key, id, "/tv/", NULL);
  for (i = 0; i < 2 * FLU_HLS_TOKEN_CACHE_TOKENS; i++) {
    tok = flu_hls_session_token_make (key, id, "/tv/", NOW + i, NULL);
    flu_hls_token_cache_add (c, NOW + i, tok);
    g_free (tok);
  }
  for (i = 0; i < 2 * FLU_HLS_TOKEN_CACHE_TOKENS; i++)
    fail_unless ((flu_hls_token_cache_lookup (c, NOW + i) != NULL) ==
        (i >= FLU_HLS_TOKEN_CACHE_TOKENS), "%u", i);
  tok = flu_hls_session_token_make (key, id, "/tv/", NOW + 200, NULL);
  fail_if (flu_hls_token_cache_check (c, key, id, "/tv/", NULL, tok, &expires));
  fail_if (flu_hls_token_cache_check (c, key, id, "/tv/", NULL, "", &expires));
  fail_if (flu_hls_token_cache_check (c, key, id, "/tv/", NULL, "x.1",
          &expires));
  g_free (tok);
  flu_hls_token_cache_set_cookie (c, NOW + 60, "c=1");
  fail_unless_equals_string (flu_hls_token_cache_cookie (c, NOW + 60), "c=1");
  fail_unless (flu_hls_token_cache_cookie (c, NOW + 61) == NULL);
  /* another address: emptied */
  flu_hls_token_cache_bind (c, key, id, "/tv/", "192.0.2.1");
  fail_unless (flu_hls_token_cache_cookie (c, NOW + 60) == NULL);
  fail_unless (flu_hls_token_cache_lookup (c, NOW + 100) == NULL);
  flu_hls_token_cache_free (c);
  g_free (id);
  g_bytes_unref (key);
}

GST_END_TEST;

static Suite *
fluhlssession_suite (void)
{
  Suite *s = suite_create ("fluhlssession");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_token_roundtrip);
  tcase_add_test (tc, test_token_refused);
  tcase_add_test (tc, test_table_expiry);
  tcase_add_test (tc, test_table_evict);
  tcase_add_test (tc, test_playlist_rewrite);
  tcase_add_test (tc, test_secret_file);
  tcase_add_test (tc, test_gate_limits);
  tcase_add_test (tc, test_playlist_tokens);
  tcase_add_test (tc, test_window_token_time);
  tcase_add_test (tc, test_sessions_verify);
  tcase_add_test (tc, test_token_cache);
  tcase_add_test (tc, test_token_cache_bounds);
  return s;
}

GST_CHECK_MAIN (fluhlssession);
