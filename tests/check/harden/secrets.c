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

/* Security defaults: no secret, password or token in the debug log even
 * at level 9, htpasswd re-read when the file changes, and a feed with a
 * secret gives nothing to a peer that does not know it. */

#include "fluhttptest.h"
#include "fluhttpauth.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOKEN_SECRET "TokSecret-4f1d9a"
#define PASSWORD "Pw-7c2e91"
#define WRONG_PASSWORD "Wrong-5d3f"
#define FEED_SECRET "FeedSecret-93ab"

static gchar *secrets[8];
static gint leaks;
static gint messages;

static void
check_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text = gst_debug_message_get (message);
  guint i;

  g_atomic_int_inc (&messages);
  for (i = 0; text && secrets[i]; i++) {
    if (strstr (text, secrets[i])) {
      g_atomic_int_inc (&leaks);
      g_printerr ("secret in the log: %s:%d %s\n", file, line, text);
    }
  }
}

static gchar *
sha_hash (const gchar * password)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof (digest);

  g_checksum_update (sum, (const guchar *) password, -1);
  g_checksum_get_digest (sum, digest, &len);
  g_checksum_free (sum);
  return g_base64_encode (digest, len);
}

/* A fresh directory (in @dir) and the path of an htpasswd file there. */
static gchar *
htpasswd_path (gchar ** dir)
{
  *dir = g_dir_make_tmp ("flu-harden-XXXXXX", NULL);
  fail_unless (*dir != NULL);
  return g_build_filename (*dir, "htpasswd", NULL);
}

static void
remove_htpasswd (gchar * dir, gchar * file)
{
  g_unlink (file);
  g_rmdir (dir);
  g_free (file);
  g_free (dir);
}

static void
write_htpasswd (const gchar * file, const gchar * user, const gchar * pw)
{
  gchar *hash = sha_hash (pw);
  gchar *text = g_strdup_printf ("%s:{SHA}%s\n", user, hash);

  fail_unless (g_file_set_contents (file, text, -1, NULL));
  g_free (text);
  g_free (hash);
}

static void
http_requests (const gchar * htpasswd)
{
  GstElement *sink, *p;
  gchar *props = g_strdup_printf ("htpasswd=%s", htpasswd);
  gint64 expires = g_get_real_time () / G_USEC_PER_SEC + 600;
  gchar *token = flu_http_token_make (TOKEN_SECRET, "/", expires);
  gchar *good = g_strdup_printf ("/?expires=%" G_GINT64_FORMAT "&token=%s",
      expires, token);
  gchar *ok = http_basic_header ("viewer", PASSWORD);
  gchar *wrong = http_basic_header ("viewer", WRONG_PASSWORD);
  guint port;

  secrets[3] = g_strdup (token);
  secrets[4] = g_strdup (strstr (ok, "Basic ") + 6);
  g_strchomp (secrets[4]);
  secrets[5] = g_strdup (strstr (wrong, "Basic ") + 6);
  g_strchomp (secrets[5]);

  /* secrets are set as properties: a gst-launch line is logged whole by
   * GStreamer's parser at DEBUG level (and visible in ps) */
  p = start_webm_pipeline (props, &sink);
  g_object_set (sink, "token-secret", TOKEN_SECRET, NULL);
  port = sink_port (sink);
  fail_unless_equals_int (http_status (port, good, ok), 200);
  fail_unless_equals_int (http_status (port, good, wrong), 401);
  fail_unless_equals_int (http_status (port, "/?expires=1&token=00", ok), 403);
  stop_pipeline (p);
  g_free (props);
  g_free (token);
  g_free (good);
  g_free (ok);
  g_free (wrong);
}

/* @desc with an element named "s" that gets @secret */
static GstElement *
launch (const gchar * desc, const gchar * secret)
{
  GstElement *p = gst_parse_launch (desc, NULL), *s;

  fail_unless (p != NULL, "%s", desc);
  s = gst_bin_get_by_name (GST_BIN (p), "s");
  g_object_set (s, "secret", secret, NULL);
  gst_object_unref (s);
  fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  return p;
}

static guint
feed_port (GstElement * p)
{
  GstElement *s = gst_bin_get_by_name (GST_BIN (p), "s");
  gint port = -1;
  guint i;

  for (i = 0; i < 100 && port <= 0; i++) {
    g_object_get (s, "current-port", &port, NULL);
    if (port <= 0)
      g_usleep (50 * 1000);
  }
  gst_object_unref (s);
  fail_unless (port > 0);
  return port;
}

/* What a peer that does not know the secret gets: the challenge only. */
static gsize
unknown_peer (guint port, const gchar * send)
{
  gint fd = tcp_connect ("127.0.0.1", port);
  struct timeval tv = { 8, 0 };
  guint8 buf[4096];
  gsize got = 0;
  ssize_t n;

  fail_unless (fd >= 0);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof (tv));
  if (send)
    fail_unless (write (fd, send, strlen (send)) > 0);
  while (got < sizeof (buf) && (n = read (fd, buf + got,
              sizeof (buf) - got)) > 0)
    got += n;
  close (fd);
  fail_unless (got >= 8 && memcmp (buf, "FLUFEED1", 8) == 0);
  return got;
}

static void
feed_requests (void)
{
  GstElement *src, *good, *bad;
  gchar *desc;
  guint port;
  const gchar *garbage = "FLUFEED1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

  src = launch ("videotestsrc is-live=true ! video/x-raw,width=32,height=24 "
      "! jpegenc ! flufeedsink name=s host=127.0.0.1 port=0", FEED_SECRET);
  port = feed_port (src);
  desc = g_strdup_printf ("flufeedsrc name=s host=127.0.0.1 port=%u ! "
      "fakesink", port);
  good = launch (desc, FEED_SECRET);
  g_free (desc);
  desc = g_strdup_printf ("flufeedsrc name=s host=127.0.0.1 port=%u "
      "retry-initial=100 ! fakesink", port);
  bad = launch (desc, "Guess-1");
  g_free (desc);
  /* challenge (8 + 32 bytes) and at most the refusal byte: no GDP */
  fail_unless (unknown_peer (port, garbage) <= 41);
  fail_unless (unknown_peer (port, NULL) <= 41);
  stop_pipeline (bad);
  stop_pipeline (good);
  stop_pipeline (src);
}

GST_START_TEST (test_no_secret_in_debug_log)
{
  gchar *dir, *file = htpasswd_path (&dir);
  guint i;

  write_htpasswd (file, "viewer", PASSWORD);
  secrets[0] = g_strdup (TOKEN_SECRET);
  secrets[1] = g_strdup (PASSWORD);
  secrets[2] = g_strdup (WRONG_PASSWORD);
  secrets[6] = g_strdup (FEED_SECRET);

  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (check_log, NULL, NULL);
  gst_debug_set_active (TRUE);
  gst_debug_set_threshold_from_string ("*:9", TRUE);

  http_requests (file);
  feed_requests ();

  gst_debug_set_threshold_from_string ("flu*:2,*:1", TRUE);
  gst_debug_remove_log_function (check_log);
  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  g_print ("debug log at level 9: %d messages, %d with a secret\n",
      g_atomic_int_get (&messages), g_atomic_int_get (&leaks));
  fail_unless (g_atomic_int_get (&messages) > 1000);
  fail_unless_equals_int (g_atomic_int_get (&leaks), 0);

  for (i = 0; i < G_N_ELEMENTS (secrets); i++)
    g_clear_pointer (&secrets[i], g_free);
  remove_htpasswd (dir, file);
}

GST_END_TEST;

GST_START_TEST (test_htpasswd_reread)
{
  gchar *dir, *file = htpasswd_path (&dir);
  gchar *props = g_strdup_printf ("htpasswd=%s", file);
  gchar *alice = http_basic_header ("alice", "one");
  gchar *bob = http_basic_header ("bob", "two");
  GstElement *sink, *p;
  guint port;

  write_htpasswd (file, "alice", "one");
  p = start_webm_pipeline (props, &sink);
  port = sink_port (sink);
  fail_unless_equals_int (http_status (port, "/", alice), 200);
  fail_unless_equals_int (http_status (port, "/", bob), 401);

  /* replaced (a new file renamed over it): bob in, alice out */
  write_htpasswd (file, "bob", "two");
  fail_unless_equals_int (http_status (port, "/", bob), 200);
  fail_unless_equals_int (http_status (port, "/", alice), 401);

  /* gone: the last users stay */
  g_unlink (file);
  fail_unless_equals_int (http_status (port, "/", bob), 200);
  /* back, edited in place */
  write_htpasswd (file, "alice", "one");
  fail_unless_equals_int (http_status (port, "/", alice), 200);
  fail_unless_equals_int (http_status (port, "/", bob), 401);
  stop_pipeline (p);
  remove_htpasswd (dir, file);
  g_free (props);
  g_free (alice);
  g_free (bob);
}

GST_END_TEST;

static Suite *
secrets_suite (void)
{
  Suite *s = suite_create ("harden-secrets");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_htpasswd_reread);
  tcase_add_test (tc, test_no_secret_in_debug_log);
  return s;
}

GST_CHECK_MAIN (secrets);
