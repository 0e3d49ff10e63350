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

/* Credentials: password hashes (bcrypt, SHA-1, apr1, crypt), signed URLs,
 * CIDR lists, and fluhttpsink answering 401/403 for each. */

#include "fluhttptest.h"
#include "fluhttpauth.h"
#include "fluhttplog.h"

#include <crypt.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib/gstdio.h>

GST_START_TEST (test_password_hashes)
{
  gchar salt[CRYPT_GENSALT_OUTPUT_SIZE];
  gchar *bcrypt;
  struct crypt_data *cd = g_new0 (struct crypt_data, 1);

  /* as `htpasswd -B` writes them */
  fail_unless (crypt_gensalt_rn ("$2y$", 5, NULL, 0, salt,
          sizeof (salt)) != NULL);
  bcrypt = g_strdup (crypt_r ("secret", salt, cd));
  fail_unless (g_str_has_prefix (bcrypt, "$2y$05$"));
  fail_unless (flu_http_password_verify (bcrypt, "secret"));
  fail_if (flu_http_password_verify (bcrypt, "Secret"));
  g_free (bcrypt);
  g_free (cd);

  /* `htpasswd -s`: {SHA} base64 SHA-1 */
  fail_unless (flu_http_password_verify ("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
          "secret"));
  fail_if (flu_http_password_verify ("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
          "secreT"));
  /* `htpasswd -m` / `openssl passwd -apr1 -salt abcdefgh secret` */
  fail_unless (flu_http_password_verify
      ("$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/", "secret"));
  fail_if (flu_http_password_verify ("$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/",
          "secre"));
  /* `htpasswd -d`: traditional crypt, and MD5-crypt */
  fail_unless (flu_http_password_verify ("abNANd1rDfiNc", "secret"));
  fail_if (flu_http_password_verify ("abNANd1rDfiNc", "other"));
  fail_unless (flu_http_password_verify ("$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1",
          "secret"));
  /* garbage never matches */
  fail_if (flu_http_password_verify ("", ""));
  fail_if (flu_http_password_verify ("*", "secret"));
  fail_if (flu_http_password_verify ("$2y$05$short", "secret"));
}

GST_END_TEST;

GST_START_TEST (test_tokens_and_lists)
{
  gchar *t = flu_http_token_make ("s3cret", "/live.webm", 2000000000);
  gchar *u = NULL, *pw = NULL;
  GPtrArray *list;
  GInetAddress *a, *n;
  GError *err = NULL;

  fail_unless_equals_int (strlen (t), 64);
  fail_unless (flu_http_token_check ("s3cret", "/live.webm", t, "2000000000",
          1000));
  fail_if (flu_http_token_check ("s3cret", "/live.webm", t, "2000000000",
          2000000001));
  fail_if (flu_http_token_check ("s3cret", "/other.webm", t, "2000000000",
          1000));
  fail_if (flu_http_token_check ("other", "/live.webm", t, "2000000000", 1000));
  fail_if (flu_http_token_check ("s3cret", "/live.webm", t, "2000000001",
          1000));
  fail_if (flu_http_token_check ("s3cret", "/live.webm", t, "2e9", 1000));
  fail_if (flu_http_token_check ("s3cret", "/live.webm", NULL, "2000000000",
          1000));
  g_free (t);

  fail_unless (flu_http_equal_const ("abc", "abc"));
  fail_if (flu_http_equal_const ("abc", "abd"));
  fail_if (flu_http_equal_const ("abc", "abcd"));
  fail_if (flu_http_equal_const ("", "a"));

  fail_unless (flu_http_parse_basic_auth ("Basic dXNlcjpwYTpzcw==", &u, &pw));
  fail_unless_equals_string (u, "user");
  fail_unless_equals_string (pw, "pa:ss");
  g_free (u);
  g_free (pw);
  fail_if (flu_http_parse_basic_auth ("Bearer xyz", &u, &pw));
  fail_if (flu_http_parse_basic_auth ("Basic !!!", &u, &pw));

  list = flu_http_cidr_list_parse ("10.0.0.0/8, 192.168.1.7 2001:db8::/32",
      &err);
  fail_unless (list != NULL);
  a = g_inet_address_new_from_string ("10.1.2.3");
  fail_unless (flu_http_cidr_list_match (list, a));
  g_object_unref (a);
  a = g_inet_address_new_from_string ("11.1.2.3");
  fail_if (flu_http_cidr_list_match (list, a));
  g_object_unref (a);
  a = g_inet_address_new_from_string ("2001:db8:1::5");
  fail_unless (flu_http_cidr_list_match (list, a));
  g_object_unref (a);
  a = g_inet_address_new_from_string ("::ffff:192.168.1.7");
  n = flu_http_address_normalize (a);
  fail_unless (flu_http_cidr_list_match (list, n));
  g_object_unref (n);
  g_object_unref (a);
  g_ptr_array_unref (list);
  fail_if (flu_http_cidr_list_parse ("10.0.0.0/99", &err));
  g_clear_error (&err);
  /* refused, without GLib's property warning (fatal here) on the way */
  fail_if (flu_http_cidr_list_parse ("::/129", &err));
  g_clear_error (&err);
  fail_if (flu_http_cidr_list_parse ("10.0.0.0/-1", &err));
  g_clear_error (&err);
  fail_if (flu_http_cidr_list_parse ("10.0.0.0/4294967297", &err));
  g_clear_error (&err);
  list = flu_http_cidr_list_parse ("::/128 10.0.0.1/32", &err);
  fail_unless (list != NULL && list->len == 2);
  g_ptr_array_unref (list);
}

GST_END_TEST;

GST_START_TEST (test_log_format)
{
  FluHttpLogEntry e = { "10.0.0.1", "bob", "GET", "/a b", "HTTP/1.0", 200,
    1234, NULL, "Evil \"agent\"\n", 0, 42
  };
  gchar *line = flu_http_log_format (&e);

  fail_unless (g_regex_match_simple ("^10\\.0\\.0\\.1 - bob \\[[^]]+\\] "
          "\"GET /a b HTTP/1\\.0\" 200 1234 \"-\" "
          "\"Evil \\\\\"agent\\\\\"\\\\x0a\" 42\n$", line, 0, 0), "%s", line);
  g_free (line);
}

GST_END_TEST;

GST_START_TEST (test_htpasswd)
{
  gchar *dir = g_dir_make_tmp ("fluhttpXXXXXX", NULL);
  gchar *file = g_build_filename (dir, "htpasswd", NULL);
  gchar *log = g_build_filename (dir, "access.log", NULL);
  gchar salt[CRYPT_GENSALT_OUTPUT_SIZE], *contents, *props;
  struct crypt_data *cd = g_new0 (struct crypt_data, 1);
  GstElement *sink, *p;
  HttpResponse *r;
  guint port;
  gchar *h, *v;

  crypt_gensalt_rn ("$2y$", 5, NULL, 0, salt, sizeof (salt));
  contents =
      g_strdup_printf ("# users\nbc:%s\nsha:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"
      "md5:$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/\ndes:abNANd1rDfiNc\n",
      crypt_r ("secret", salt, cd));
  g_free (cd);
  fail_unless (g_file_set_contents (file, contents, -1, NULL));
  g_free (contents);
  props = g_strdup_printf ("htpasswd=%s realm=Members access-log=%s", file,
      log);
  p = start_webm_pipeline (props, &sink);
  port = sink_port (sink);

  r = http_get (port, "/", NULL, 1, 5000);
  fail_unless_equals_int (r->status, 401);
  v = http_header (r, "WWW-Authenticate");
  fail_unless_equals_string (v, "Basic realm=\"Members\"");
  g_free (v);
  http_response_free (r);

  h = http_basic_header ("bc", "wrong");
  fail_unless_equals_int (http_status (port, "/", h), 401);
  g_free (h);
  h = http_basic_header ("nobody", "secret");
  fail_unless_equals_int (http_status (port, "/", h), 401);
  g_free (h);
  {
    const gchar *users[] = { "bc", "sha", "md5", "des" };
    guint i;

    for (i = 0; i < G_N_ELEMENTS (users); i++) {
      h = http_basic_header (users[i], "secret");
      fail_unless_equals_int (http_status (port, "/", h), 200);
      g_free (h);
    }
  }
  stop_pipeline (p);
  fail_unless (g_file_get_contents (log, &contents, NULL, NULL));
  fail_unless (strstr (contents, "\"GET / HTTP/1.1\" 401 0") != NULL);
  fail_unless (strstr (contents, " - bc [") != NULL);
  fail_unless (strstr (contents, " - md5 [") != NULL);
  g_free (contents);
  g_remove (log);
  g_remove (file);
  g_rmdir (dir);
  g_free (props);
  g_free (log);
  g_free (file);
  g_free (dir);
}

GST_END_TEST;

/* An htpasswd file with one bcrypt user "slow" / "secret" of @cost. */
static gchar *
write_bcrypt_htpasswd (const gchar * dir, guint cost)
{
  gchar salt[CRYPT_GENSALT_OUTPUT_SIZE], *contents;
  gchar *file = g_build_filename (dir, "htpasswd", NULL);
  struct crypt_data *cd = g_new0 (struct crypt_data, 1);

  crypt_gensalt_rn ("$2y$", cost, NULL, 0, salt, sizeof (salt));
  contents = g_strdup_printf ("slow:%s\n", crypt_r ("secret", salt, cd));
  g_free (cd);
  fail_unless (g_file_set_contents (file, contents, -1, NULL));
  g_free (contents);
  return file;
}

/* @n connections, each sending a GET of / with the slow user's
 * credentials, not read yet */
static gint *
send_logins (guint port, guint n)
{
  gchar *h = http_basic_header ("slow", "secret");
  gchar *req = g_strdup_printf ("GET / HTTP/1.1\r\nHost: localhost\r\n%s"
      "\r\n", h);
  gint *fds = g_new (gint, n);
  guint i;

  for (i = 0; i < n; i++) {
    fds[i] = tcp_connect ("127.0.0.1", port);
    fail_unless (fds[i] >= 0);
    fail_unless (write (fds[i], req, strlen (req)) == (gssize) strlen (req));
  }
  g_free (req);
  g_free (h);
  return fds;
}

/* The status in the first answer bytes on @fd, waiting up to @ms (-1: for
 * ever); 0 when nothing came yet. */
static guint
answer_status (gint fd, gint ms)
{
  struct pollfd pfd = { fd, POLLIN, 0 };
  gchar buf[16] = { 0 };
  guint status = 0;

  if (poll (&pfd, 1, ms) <= 0)
    return 0;
  if (recv (fd, buf, 12, MSG_PEEK | MSG_WAITALL) == 12)
    sscanf (buf + 9, "%3u", &status);
  return status;
}

/* Passwords are checked by the auth workers, not the server thread: while
 * slow bcrypt logins are checked, a plain request (the stats path) is
 * answered, before the last login is.  Checked by order, not time: with
 * the hashing in the server thread every login was answered before the
 * plain request was read. */
GST_START_TEST (test_plain_request_during_slow_logins)
{
  gchar *dir = g_dir_make_tmp ("fluhttpXXXXXX", NULL);
  gchar *file = write_bcrypt_htpasswd (dir, 12);
  gchar *props = g_strdup_printf ("htpasswd=%s stats-path=/stats", file);
  const guint n = 6;
  GstElement *sink, *p;
  gint *fds;
  guint port, i, pending = 0;

  p = start_webm_pipeline (props, &sink);
  port = sink_port (sink);
  fds = send_logins (port, n);
  /* the server thread has read the logins (they wait in its order) */
  g_usleep (100 * 1000);
  fail_unless_equals_int (http_status (port, "/stats", NULL), 200);
  for (i = 0; i < n; i++)
    if (answer_status (fds[i], 0) == 0)
      pending++;
  fail_unless (pending > 0, "every login was answered before the plain "
      "request: the hashing held up the server thread");
  for (i = 0; i < n; i++) {
    fail_unless_equals_int (answer_status (fds[i], -1), 200);
    close (fds[i]);
  }
  g_free (fds);
  stop_pipeline (p);
  g_remove (file);
  g_rmdir (dir);
  g_free (props);
  g_free (file);
  g_free (dir);
}

GST_END_TEST;

/* At most max-pending-logins (16 here) checks wait: a storm past that
 * gets 503 with Retry-After at once, and the queued ones still pass. */
GST_START_TEST (test_login_queue_bounded)
{
  gchar *dir = g_dir_make_tmp ("fluhttpXXXXXX", NULL);
  gchar *file = write_bcrypt_htpasswd (dir, 10);
  gchar *props = g_strdup_printf ("htpasswd=%s max-pending-logins=16",
      file);
  const guint n = 40;
  GstElement *sink, *p;
  gint *fds;
  guint port, i, ok = 0, busy = 0;

  p = start_webm_pipeline (props, &sink);
  port = sink_port (sink);
  fds = send_logins (port, n);
  for (i = 0; i < n; i++) {
    guint status = answer_status (fds[i], -1);

    if (status == 200)
      ok++;
    else if (status == 503)
      busy++;
    else
      fail ("login %u: status %u", i, status);
    close (fds[i]);
  }
  GST_INFO ("%u logins: %u passed, %u refused busy", n, ok, busy);
  fail_unless (busy > 0, "no login refused: the queue is not bounded");
  fail_unless (ok >= 16, "only %u logins passed", ok);
  g_free (fds);
  stop_pipeline (p);
  g_remove (file);
  g_rmdir (dir);
  g_free (props);
  g_free (file);
  g_free (dir);
}

GST_END_TEST;

GST_START_TEST (test_signed_urls)
{
  GstElement *sink, *p = start_webm_pipeline ("mount-point=/tv.webm "
      "token-secret=k3y", &sink);
  guint port = sink_port (sink);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gchar *t = flu_http_token_make ("k3y", "/tv.webm", now + 600);
  gchar *path = g_strdup_printf ("/tv.webm?expires=%" G_GINT64_FORMAT
      "&token=%s", now + 600, t);
  gchar *old;

  fail_unless_equals_int (http_status (port, "/tv.webm", NULL), 403);
  fail_unless_equals_int (http_status (port, path, NULL), 200);
  g_free (t);
  t = flu_http_token_make ("k3y", "/tv.webm", now - 1);
  old = g_strdup_printf ("/tv.webm?expires=%" G_GINT64_FORMAT "&token=%s",
      now - 1, t);
  fail_unless_equals_int (http_status (port, old, NULL), 403);
  path[strlen (path) - 1] = path[strlen (path) - 1] == '0' ? '1' : '0';
  fail_unless_equals_int (http_status (port, path, NULL), 403);
  g_free (old);
  g_free (t);
  g_free (path);
  stop_pipeline (p);
}

GST_END_TEST;

GST_START_TEST (test_ip_lists)
{
  GstElement *sink, *p = start_webm_pipeline ("deny=127.0.0.0/8", &sink);
  guint port = sink_port (sink);
  HttpResponse *r;

  fail_unless_equals_int (http_status (port, "/", NULL), 403);
  g_object_set (sink, "deny", NULL, "allow", "10.0.0.0/8, ::1", NULL);
  fail_unless_equals_int (http_status (port, "/", NULL), 403);
  /* IPv6 loopback is in the allow list */
  r = http_request ("::1", port, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 4, 10000);
  fail_unless_equals_int (r->status, 200);
  http_response_free (r);
  g_object_set (sink, "allow", "127.0.0.1/32", "deny", "::1/128", NULL);
  fail_unless_equals_int (http_status (port, "/", NULL), 200);
  r = http_request ("::1", port, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 4, 10000);
  fail_unless_equals_int (r->status, 403);
  http_response_free (r);
  stop_pipeline (p);
}

GST_END_TEST;

static gint
compare_doubles (const gdouble * a, const gdouble * b)
{
  return *a < *b ? -1 : *a > *b;
}

static gdouble
median (gdouble * t, guint n)
{
  qsort (t, n, sizeof (gdouble), (GCompareFunc) compare_doubles);
  return t[n / 2];
}

/* the medians of @n checks of each of @users' names, interleaved (so that
 * a change in the machine's load hits them alike) */
static void
median_checks_us (GHashTable * users, const gchar * const *names,
    gdouble * medians, guint n_names, guint n)
{
  gdouble *t = g_new (gdouble, n_names * n);
  guint i, j;

  for (i = 0; i < n; i++) {
    for (j = 0; j < n_names; j++) {
      gint64 start = g_get_monotonic_time ();

      fail_if (flu_http_htpasswd_check (users, names[j], "wrong"));
      t[j * n + i] = g_get_monotonic_time () - start;
    }
  }
  for (j = 0; j < n_names; j++)
    medians[j] = median (t + j * n, n);
  g_free (t);
}

/* An unknown user was checked against whichever hash came first in the
 * table, and a user's own hash answered at its own speed: both told who
 * exists.  Medians over many tries, and a generous factor: every check
 * must cost about what the file's costliest hash (bcrypt here) costs. */
GST_START_TEST (test_user_timing)
{
  gchar salt[CRYPT_GENSALT_OUTPUT_SIZE];
  struct crypt_data *cd = g_new0 (struct crypt_data, 1);
  GString *file = g_string_new (NULL);
  GHashTable *users;
  gdouble bc, unknown, sha;
  guint i;

  for (i = 0; i < 30; i++)
    g_string_append_printf (file, "sha%u:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n",
        i);
  fail_unless (crypt_gensalt_rn ("$2y$", 8, NULL, 0, salt, sizeof (salt)));
  g_string_append_printf (file, "bc:%s\n", crypt_r ("secret", salt, cd));
  g_free (cd);
  users = flu_http_htpasswd_parse (file->str, file->len);
  g_string_free (file, TRUE);
  {
    const gchar *names[] = { "bc", "nobody", "sha3" };
    gdouble m[3];

    median_checks_us (users, names, m, 3, 15);
    bc = m[0];
    unknown = m[1];
    sha = m[2];
  }
  GST_INFO ("median check: bcrypt user %.0f us, unknown user %.0f us, "
      "{SHA} user %.0f us", bc, unknown, sha);
  /* before: unknown and {SHA} users took ~1/1000 of the bcrypt time */
  fail_unless (unknown > bc / 3, "unknown %.0f us, bcrypt user %.0f us",
      unknown, bc);
  fail_unless (sha > bc / 3, "{SHA} user %.0f us, bcrypt user %.0f us", sha,
      bc);
  /* the decoy is the costliest hash, and logs nobody in */
  fail_unless (g_str_has_prefix (g_hash_table_lookup (users,
              FLU_HTTP_DECOY_USER), "$2y$08$"));
  fail_if (flu_http_htpasswd_check (users, FLU_HTTP_DECOY_USER, "secret"));
  fail_if (flu_http_htpasswd_check (users, "", "secret"));
  fail_unless (flu_http_htpasswd_check (users, "bc", "secret"));
  fail_unless (flu_http_htpasswd_check (users, "sha7", "secret"));

  /* and the cost estimate orders the hash kinds as measured */
  fail_unless (flu_http_hash_cost ("{SHA}x") <
      flu_http_hash_cost ("abNANd1rDfiNc"));
  fail_unless (flu_http_hash_cost ("abNANd1rDfiNc") <
      flu_http_hash_cost ("$apr1$abcdefgh$x"));
  fail_unless (flu_http_hash_cost ("$apr1$abcdefgh$x") <
      flu_http_hash_cost ("$6$salt$x"));
  fail_unless (flu_http_hash_cost ("$6$salt$x") <
      flu_http_hash_cost ("$2y$10$x"));
  fail_unless (flu_http_hash_cost ("$2y$05$x") <
      flu_http_hash_cost ("$2y$10$x"));
  g_hash_table_unref (users);
}

GST_END_TEST;

/* a token under another spelling of its key was logged in full */
GST_START_TEST (test_query_redact)
{
  const gchar *cases[][2] = {
    {"token=abc&expires=1", "token=-&expires=1"},
    {"%74oken=abc", "%74oken=-"},
    {"+token=abc&a=b", "+token=-&a=b"},
    {"TOKEN=abc", "TOKEN=-"},
    {"x=0123456789abcdef0123456789abcdef", "x=-"},
    {"sig=a&password=b&api_key=c&auth=d", "sig=-&password=-&api_key=-&auth=-"},
    {"%zz=abc", "%zz=-"},
    {"q=hello&n=5&token=", "q=hello&n=5&token=-"},
    {"plain", "plain"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *r = flu_http_query_redact (cases[i][0]);

    fail_unless_equals_string (r, cases[i][1]);
    g_free (r);
  }
}

GST_END_TEST;

static Suite *
fluhttpauth_suite (void)
{
  Suite *s = suite_create ("fluhttpauth");
  TCase *tc = tcase_create ("auth");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_password_hashes);
  tcase_add_test (tc, test_tokens_and_lists);
  tcase_add_test (tc, test_log_format);
  tcase_add_test (tc, test_htpasswd);
  tcase_add_test (tc, test_signed_urls);
  tcase_add_test (tc, test_ip_lists);
  tcase_add_test (tc, test_query_redact);
  tcase_add_test (tc, test_user_timing);
  tcase_add_test (tc, test_plain_request_during_slow_logins);
  tcase_add_test (tc, test_login_queue_bounded);
  return s;
}

GST_CHECK_MAIN (fluhttpauth);
