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
 * rewrite, a secret file, and the access log's redaction of the token. */

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fluhlssession.h"
#include "fluhttpauth.h"
#include "fluhttpgate.h"

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
  return s;
}

GST_CHECK_MAIN (fluhlssession);
