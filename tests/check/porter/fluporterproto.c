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

/* flu-porter's wire protocol, request-line reader and routing table, as
 * plain functions: well-formed messages round-trip, every malformed one
 * is refused (and random or mutated packets never crash), MACs, secrets,
 * longest-match routing, the porter's own answers. */

#define _GNU_SOURCE             /* memmem */
#include <gst/check/gstcheck.h>
#include <string.h>
#include <unistd.h>

#include "fluporterproto.h"

static gboolean
parse (const guint8 * buf, gsize len, FluPorterMsg * m)
{
  const gchar *why = NULL;
  gboolean ok = flu_porter_msg_parse (buf, len, m, &why);

  fail_unless (ok == (why == NULL));
  return ok;
}

GST_START_TEST (test_msg_roundtrip)
{
  guint8 buf[FLU_PORTER_MSG_MAX], body[64];
  FluPorterMsg m;
  gsize n;

  memset (body, 0xab, sizeof body);
  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_HELLO, body, 32);
  fail_unless_equals_int (n, FLU_PORTER_HEADER_LEN + 32);
  fail_unless (buf[0] == 'F' && buf[1] == 'P' && buf[2] == 1);
  fail_unless (parse (buf, n, &m));
  fail_unless_equals_int (m.type, FLU_PORTER_MSG_HELLO);
  fail_unless_equals_int (m.len, 32);
  fail_unless (memcmp (m.body, body, 32) == 0);

  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_AUTH, body, 64);
  fail_unless (parse (buf, n, &m));
  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_WELCOME, body, 34);
  fail_unless (parse (buf, n, &m));
  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_CONN, NULL, 0);
  fail_unless_equals_int (n, FLU_PORTER_HEADER_LEN);
  fail_unless (parse (buf, n, &m));
  fail_unless_equals_int (m.type, FLU_PORTER_MSG_CONN);
  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_REFUSED,
      (const guint8 *) "no", 2);
  fail_unless (parse (buf, n, &m));
  /* too long a body is not encoded */
  fail_unless_equals_int (flu_porter_msg_encode (buf, FLU_PORTER_MSG_REFUSED,
          body, FLU_PORTER_MSG_MAX), 0);
}

GST_END_TEST;

GST_START_TEST (test_msg_malformed)
{
  guint8 buf[FLU_PORTER_MSG_MAX + 8], body[64] = { 0 };
  FluPorterMsg m;
  gsize n;

  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_HELLO, body, 32);
  /* short, truncated, over-long */
  fail_if (parse (buf, 0, &m));
  fail_if (parse (buf, 5, &m));
  fail_if (parse (buf, n - 1, &m));
  fail_if (parse (buf, FLU_PORTER_MSG_MAX + 1, &m));
  /* magic, version, type */
  buf[0] = 'X';
  fail_if (parse (buf, n, &m));
  buf[0] = 'F';
  buf[2] = 2;
  fail_if (parse (buf, n, &m));
  buf[2] = 1;
  buf[3] = 0;
  fail_if (parse (buf, n, &m));
  buf[3] = 99;
  fail_if (parse (buf, n, &m));
  /* length field disagrees with the packet */
  buf[3] = FLU_PORTER_MSG_HELLO;
  buf[5] = 31;
  fail_if (parse (buf, n, &m));
  buf[5] = 32;
  fail_unless (parse (buf, n, &m));
  /* a body of the wrong size for its type */
  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_HELLO, body, 31);
  fail_if (parse (buf, n, &m));
  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_AUTH, body, 32);
  fail_if (parse (buf, n, &m));
  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_CONN, body, 1);
  fail_if (parse (buf, n, &m));
  n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_ROUTE, body, 1);
  fail_if (parse (buf, n, &m));
}

GST_END_TEST;

GST_START_TEST (test_route_messages)
{
  guint8 buf[FLU_PORTER_MSG_MAX];
  FluPorterMsg m;
  FluPorterRouteKind kind;
  gchar *path, *longp;
  gsize n;

  n = flu_porter_route_encode (buf, FLU_PORTER_MSG_ROUTE,
      FLU_PORTER_ROUTE_EXACT, "/live.webm");
  fail_unless (n > 0);
  fail_unless (parse (buf, n, &m));
  fail_unless (flu_porter_route_parse (&m, &kind, &path));
  fail_unless_equals_int (kind, FLU_PORTER_ROUTE_EXACT);
  fail_unless_equals_string (path, "/live.webm");
  g_free (path);

  n = flu_porter_route_encode (buf, FLU_PORTER_MSG_UNROUTE,
      FLU_PORTER_ROUTE_PREFIX, "/room1/");
  fail_unless (parse (buf, n, &m));
  fail_unless (flu_porter_route_parse (&m, &kind, &path));
  fail_unless_equals_int (kind, FLU_PORTER_ROUTE_PREFIX);
  fail_unless_equals_string (path, "/room1/");
  g_free (path);

  /* what is not a path is neither encoded nor accepted */
  fail_unless_equals_int (flu_porter_route_encode (buf, FLU_PORTER_MSG_ROUTE,
          FLU_PORTER_ROUTE_PREFIX, "/room1"), 0);
  fail_unless_equals_int (flu_porter_route_encode (buf, FLU_PORTER_MSG_ROUTE,
          FLU_PORTER_ROUTE_EXACT, "live"), 0);
  fail_unless_equals_int (flu_porter_route_encode (buf, FLU_PORTER_MSG_ROUTE,
          FLU_PORTER_ROUTE_EXACT, "/a b"), 0);
  fail_unless_equals_int (flu_porter_route_encode (buf, FLU_PORTER_MSG_ROUTE,
          FLU_PORTER_ROUTE_EXACT, ""), 0);
  longp = g_strnfill (FLU_PORTER_PATH_MAX + 1, 'a');
  longp[0] = '/';
  fail_unless_equals_int (flu_porter_route_encode (buf, FLU_PORTER_MSG_ROUTE,
          FLU_PORTER_ROUTE_EXACT, longp), 0);
  longp[FLU_PORTER_PATH_MAX] = '\0';
  n = flu_porter_route_encode (buf, FLU_PORTER_MSG_ROUTE,
      FLU_PORTER_ROUTE_EXACT, longp);
  fail_unless_equals_int (n, FLU_PORTER_MSG_MAX);
  fail_unless (parse (buf, n, &m));
  fail_unless (flu_porter_route_parse (&m, &kind, &path));
  g_free (path);
  g_free (longp);

  /* hand-made bodies: bad kind, NUL, control byte, no slash */
  {
    const gchar *bad[] = { "\x02/a", "\x00/a\x00b", "\x00/a\x01", "\x00a",
      "\x01/a"
    };
    const gsize len[] = { 3, 5, 4, 2, 3 };
    guint i;

    for (i = 0; i < G_N_ELEMENTS (bad); i++) {
      n = flu_porter_msg_encode (buf, FLU_PORTER_MSG_ROUTE,
          (const guint8 *) bad[i], len[i]);
      fail_unless (parse (buf, n, &m));
      fail_if (flu_porter_route_parse (&m, &kind, &path), "body %u", i);
    }
  }
}

GST_END_TEST;

/* random packets and mutations of valid ones: no crash, nothing read
 * past the packet (run under ASan), every accepted one well-formed */
GST_START_TEST (test_fuzz)
{
  GRand *r = g_rand_new_with_seed (15);
  guint8 buf[FLU_PORTER_MSG_MAX + 16], *pkt;
  FluPorterMsg m;
  FluPorterRouteKind kind;
  gchar *path;
  guint i, j;
  gsize n;

  for (i = 0; i < 200000; i++) {
    if (i % 2) {
      n = g_rand_int_range (r, 0, sizeof buf);
      for (j = 0; j < n; j++)
        buf[j] = g_rand_int_range (r, 0, 256);
      if (n >= 3 && i % 4 == 1) {
        buf[0] = 'F';
        buf[1] = 'P';
        buf[2] = 1;
      }
    } else {
      n = flu_porter_route_encode (buf, FLU_PORTER_MSG_ROUTE,
          FLU_PORTER_ROUTE_PREFIX, "/some/mount/");
      for (j = 0; j < 3; j++)
        buf[g_rand_int_range (r, 0, n)] = g_rand_int_range (r, 0, 256);
      if (i % 8 == 0)
        n = g_rand_int_range (r, 0, n + 1);
    }
    /* an exact-size copy, so ASan sees any read past it */
    pkt = g_memdup2 (buf, n);
    if (parse (pkt, n, &m)) {
      fail_unless (m.len + FLU_PORTER_HEADER_LEN == n);
      if (m.type == FLU_PORTER_MSG_ROUTE || m.type == FLU_PORTER_MSG_UNROUTE
          || m.type == FLU_PORTER_MSG_TAKEN) {
        if (flu_porter_route_parse (&m, &kind, &path)) {
          fail_unless (path[0] == '/');
          fail_unless (strlen (path) == m.len - 1);
          g_free (path);
        }
      }
    }
    g_free (pkt);
  }
  g_rand_free (r);
}

GST_END_TEST;

GST_START_TEST (test_mac)
{
  guint8 np[FLU_PORTER_NONCE_LEN], ns[FLU_PORTER_NONCE_LEN];
  guint8 a[FLU_PORTER_MAC_LEN], b[FLU_PORTER_MAC_LEN];

  flu_porter_random (np, sizeof np);
  flu_porter_random (ns, sizeof ns);
  flu_porter_mac ("s3cret", FLU_PORTER_LABEL_STREAMER, np, ns, a);
  flu_porter_mac ("s3cret", FLU_PORTER_LABEL_STREAMER, np, ns, b);
  fail_unless (flu_porter_mac_equal (a, b));
  /* another secret, label or nonce: another MAC */
  flu_porter_mac ("s3creT", FLU_PORTER_LABEL_STREAMER, np, ns, b);
  fail_if (flu_porter_mac_equal (a, b));
  flu_porter_mac ("s3cret", FLU_PORTER_LABEL_PORTER, np, ns, b);
  fail_if (flu_porter_mac_equal (a, b));
  flu_porter_mac ("s3cret", FLU_PORTER_LABEL_STREAMER, ns, np, b);
  fail_if (flu_porter_mac_equal (a, b));
  /* the MAC does not hold the secret */
  fail_if (memmem (a, sizeof a, "s3cret", 6) != NULL);
}

GST_END_TEST;

static gchar *
write_tmp (const gchar * data, gsize len)
{
  gchar *path = NULL;
  gint fd = g_file_open_tmp ("fluporter-XXXXXX", &path, NULL);

  fail_unless (fd >= 0);
  fail_unless (write (fd, data, len) == (gssize) len);
  close (fd);
  return path;
}

GST_START_TEST (test_secret_file)
{
  GError *err = NULL;
  gchar *path, *s;

  path = write_tmp ("top secret\n", 11);
  s = flu_porter_read_secret (path, &err);
  fail_unless_equals_string (s, "top secret");
  flu_porter_secret_free (s);
  unlink (path);
  g_free (path);

  path = write_tmp ("\n", 1);
  fail_unless (flu_porter_read_secret (path, &err) == NULL);
  fail_unless (err != NULL);
  g_clear_error (&err);
  unlink (path);
  g_free (path);

  path = write_tmp ("a\0b", 3);
  fail_unless (flu_porter_read_secret (path, &err) == NULL);
  g_clear_error (&err);
  unlink (path);
  g_free (path);

  fail_unless (flu_porter_read_secret ("/nonexistent/secret", &err) == NULL);
  g_clear_error (&err);
}

GST_END_TEST;

static FluPorterLine
line (const gchar * text, gsize max, gchar ** path)
{
  return flu_porter_request_line (text, strlen (text), max, path);
}

GST_START_TEST (test_request_line)
{
  gchar *path;
  gchar *big;

  fail_unless_equals_int (line ("GET /live.webm HTTP/1.1\r\nHost: x\r\n",
          8192, &path), FLU_PORTER_LINE_OK);
  fail_unless_equals_string (path, "/live.webm");
  g_free (path);
  fail_unless_equals_int (line ("HEAD /a/b?token=1#x HTTP/1.0\n", 8192,
          &path), FLU_PORTER_LINE_OK);
  fail_unless_equals_string (path, "/a/b");
  g_free (path);
  fail_unless_equals_int (line ("\r\n\r\nGET / HTTP/1.1\r\n", 8192, &path),
      FLU_PORTER_LINE_OK);
  fail_unless_equals_string (path, "/");
  g_free (path);
  fail_unless_equals_int (line ("GET http://example.com:8800/room1/x.m3u8?a "
          "HTTP/1.1\r\n", 8192, &path), FLU_PORTER_LINE_OK);
  fail_unless_equals_string (path, "/room1/x.m3u8");
  g_free (path);
  fail_unless_equals_int (line ("GET http://example.com HTTP/1.1\r\n", 8192,
          &path), FLU_PORTER_LINE_OK);
  fail_unless_equals_string (path, "/");
  g_free (path);

  /* normalized as libsoup does before it looks for a handler */
  fail_unless_equals_int (line ("GET /b/../a%2Ewebm HTTP/1.1\r\n", 8192,
          &path), FLU_PORTER_LINE_OK);
  fail_unless_equals_string (path, "/a.webm");
  g_free (path);

  /* not yet */
  fail_unless_equals_int (line ("", 8192, &path), FLU_PORTER_LINE_MORE);
  fail_unless_equals_int (line ("GET /live", 8192, &path),
      FLU_PORTER_LINE_MORE);
  fail_unless_equals_int (line ("\r\n", 8192, &path), FLU_PORTER_LINE_MORE);
  fail_unless (path == NULL);

  /* too long: no end of line within the limit, or one past it */
  fail_unless_equals_int (line ("GET /aaaaaaaaaaaaaaaaaa", 16, &path),
      FLU_PORTER_LINE_TOO_LONG);
  fail_unless_equals_int (line ("GET /aaaaaaaaaaaaa HTTP/1.1\r\n", 16, &path),
      FLU_PORTER_LINE_TOO_LONG);
  big = g_strnfill (9000, 'a');
  memcpy (big, "GET /", 5);
  fail_unless_equals_int (line (big, 8192, &path), FLU_PORTER_LINE_TOO_LONG);
  g_free (big);

  /* not a request line */
  fail_unless_equals_int (line ("garbage\r\n", 8192, &path),
      FLU_PORTER_LINE_BAD);
  fail_unless_equals_int (line ("GET /a\r\n", 8192, &path),
      FLU_PORTER_LINE_BAD);
  fail_unless_equals_int (line ("GET  /a HTTP/1.1\r\n", 8192, &path),
      FLU_PORTER_LINE_BAD);
  fail_unless_equals_int (line ("GET /a HTTP/1.1 x\r\n", 8192, &path),
      FLU_PORTER_LINE_BAD);
  fail_unless_equals_int (line ("GET /a FTP/1.1\r\n", 8192, &path),
      FLU_PORTER_LINE_BAD);
  fail_unless_equals_int (line ("G(T /a HTTP/1.1\r\n", 8192, &path),
      FLU_PORTER_LINE_BAD);
  fail_unless_equals_int (line ("GET a HTTP/1.1\r\n", 8192, &path),
      FLU_PORTER_LINE_BAD);
  fail_unless_equals_int (flu_porter_request_line ("GET /\0a HTTP/1.1\r\n",
          18, 8192, &path), FLU_PORTER_LINE_BAD);
  fail_unless_equals_int (line ("GET /\x7f HTTP/1.1\r\n", 8192, &path),
      FLU_PORTER_LINE_BAD);
  fail_unless (path == NULL);
}

GST_END_TEST;

GST_START_TEST (test_normalize)
{
  const gchar *cases[][2] = {
    {"/a.webm", "/a.webm"},
    {"/./a.webm", "/a.webm"},
    {"/b/../a.webm", "/a.webm"},
    {"/../../a.webm", "/a.webm"},
    {"/room1/hd/../seg1.ts", "/room1/seg1.ts"},
    {"/a/..", "/"},
    {"/a/.", "/a/"},
    {"/a/./", "/a/"},
    {"/", "/"},
    {"//a.webm", "//a.webm"},
    {"/%61%2e%7E%2D_", "/a.~-_"},
    {"/a%2Fb", "/a%2Fb"},
    {"/a%20b%", "/a%20b%"},
    {"/a%zz%4", "/a%zz%4"},
    {"/room1/", "/room1/"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *n = flu_porter_path_normalize (cases[i][0]);

    fail_unless_equals_string (n, cases[i][1]);
    g_free (n);
  }
}

GST_END_TEST;

GST_START_TEST (test_routes)
{
  FluPorterRoutes *r = flu_porter_routes_new ();
  gint a, b;

  fail_unless (flu_porter_routes_lookup (r, "/x") == NULL);
  fail_unless (flu_porter_routes_add (r, FLU_PORTER_ROUTE_EXACT, "/a.webm",
          &a));
  fail_unless (flu_porter_routes_add (r, FLU_PORTER_ROUTE_PREFIX, "/room1/",
          &a));
  fail_unless (flu_porter_routes_add (r, FLU_PORTER_ROUTE_PREFIX,
          "/room1/hd/", &b));
  fail_unless (flu_porter_routes_add (r, FLU_PORTER_ROUTE_EXACT,
          "/room1/hd/special", &a));
  /* the same owner again: fine; another: refused */
  fail_unless (flu_porter_routes_add (r, FLU_PORTER_ROUTE_EXACT, "/a.webm",
          &a));
  fail_if (flu_porter_routes_add (r, FLU_PORTER_ROUTE_EXACT, "/a.webm", &b));
  /* an exact path and a prefix of the same name are different routes */
  fail_unless (flu_porter_routes_add (r, FLU_PORTER_ROUTE_PREFIX, "/", &b));

  fail_unless (flu_porter_routes_lookup (r, "/a.webm") == &a);
  fail_unless (flu_porter_routes_lookup (r, "/room1/") == &a);
  fail_unless (flu_porter_routes_lookup (r, "/room1/seg1.ts") == &a);
  fail_unless (flu_porter_routes_lookup (r, "/room1/hd/seg1.ts") == &b);
  fail_unless (flu_porter_routes_lookup (r, "/room1/hd/special") == &a);
  fail_unless (flu_porter_routes_lookup (r, "/room1") == &b);
  fail_unless (flu_porter_routes_lookup (r, "/other") == &b);
  fail_unless_equals_int (flu_porter_routes_count (r, &a), 3);
  fail_unless_equals_int (flu_porter_routes_count (r, &b), 2);

  /* only the owner removes */
  flu_porter_routes_remove (r, FLU_PORTER_ROUTE_EXACT, "/a.webm", &b);
  fail_unless (flu_porter_routes_lookup (r, "/a.webm") == &a);
  flu_porter_routes_remove (r, FLU_PORTER_ROUTE_PREFIX, "/", &b);
  fail_unless (flu_porter_routes_lookup (r, "/other") == NULL);

  /* an owner that goes takes every path with it */
  fail_unless_equals_int (flu_porter_routes_remove_owner (r, &a), 3);
  fail_unless (flu_porter_routes_lookup (r, "/a.webm") == NULL);
  fail_unless (flu_porter_routes_lookup (r, "/room1/x") == NULL);
  fail_unless (flu_porter_routes_lookup (r, "/room1/hd/special") == &b);
  /* and another may take them */
  fail_unless (flu_porter_routes_add (r, FLU_PORTER_ROUTE_EXACT, "/a.webm",
          &b));
  flu_porter_routes_free (r);
}

GST_END_TEST;

GST_START_TEST (test_answers)
{
  guint status[] = { 400, 404, 408, 414, 503 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (status); i++) {
    gchar *a = flu_porter_answer (status[i]);
    gchar *head = g_strdup_printf ("HTTP/1.1 %u ", status[i]);
    const gchar *body = strstr (a, "\r\n\r\n");
    const gchar *cl = strstr (a, "Content-Length: ");

    fail_unless (g_str_has_prefix (a, head), "%s", a);
    fail_unless (strstr (a, "Connection: close\r\n") != NULL);
    fail_unless (body && cl);
    fail_unless_equals_int (atoi (cl + 16), strlen (body + 4));
    g_free (head);
    g_free (a);
  }
}

GST_END_TEST;

static Suite *
fluporterproto_suite (void)
{
  Suite *s = suite_create ("fluporterproto");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_msg_roundtrip);
  tcase_add_test (tc, test_msg_malformed);
  tcase_add_test (tc, test_route_messages);
  tcase_add_test (tc, test_fuzz);
  tcase_add_test (tc, test_mac);
  tcase_add_test (tc, test_secret_file);
  tcase_add_test (tc, test_request_line);
  tcase_add_test (tc, test_normalize);
  tcase_add_test (tc, test_routes);
  tcase_add_test (tc, test_answers);
  return s;
}

GST_CHECK_MAIN (fluporterproto);
