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

/* The streamer side of flu-porter (ext/soup/fluhttpporter.c, through the
 * shared server's flu_http_server_acquire_porter) against a fake porter
 * written here with the protocol functions: the handshake proves the
 * secret both ways (and a porter that cannot is left), every mount is
 * registered, also those added before the welcome, exact mounts under an
 * own prefix cost no message, a passed connection is served by libsoup
 * from its first byte, and the client reconnects and registers again
 * when the porter goes.  In-process and deterministic: it runs under
 * AddressSanitizer too. */

#define _GNU_SOURCE             /* accept4, memmem */
#include <gst/check/gstcheck.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include "fluhttpserver.h"
#include "fluporterproto.h"

#define SECRET "fake-porter-test-secret"

static gchar *dir, *sock_path, *secret_path;
static gint listen_fd = -1;

static void
setup (void)
{
  struct sockaddr_un sun;

  dir = g_dir_make_tmp ("fluporter-XXXXXX", NULL);
  fail_unless (dir != NULL);
  sock_path = g_build_filename (dir, "porter.sock", NULL);
  secret_path = g_build_filename (dir, "secret", NULL);
  fail_unless (g_file_set_contents (secret_path, SECRET "\n", -1, NULL));
  memset (&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  g_strlcpy (sun.sun_path, sock_path, sizeof sun.sun_path);
  listen_fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  fail_unless (bind (listen_fd, (struct sockaddr *) &sun, sizeof sun) == 0);
  fail_unless (listen (listen_fd, 4) == 0);
}

static void
teardown (void)
{
  close (listen_fd);
  unlink (sock_path);
  unlink (secret_path);
  rmdir (dir);
  g_free (sock_path);
  g_free (secret_path);
  g_free (dir);
}

static gboolean
wait_in (gint fd, gint ms)
{
  struct pollfd p = { fd, POLLIN, 0 };

  return poll (&p, 1, ms) == 1;
}

/* the next streamer connection (within 5 s) */
static gint
accept_streamer (void)
{
  fail_unless (wait_in (listen_fd, 5000), "the streamer did not connect");
  return accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
}

/* the next message, or type 0 after @ms of silence, -1 on close */
static gint
next (gint fd, guint8 * buf, FluPorterMsg * m, gint ms)
{
  const gchar *why;
  gssize n;

  if (!wait_in (fd, ms))
    return 0;
  n = recv (fd, buf, FLU_PORTER_MSG_MAX, 0);
  if (n <= 0)
    return -1;
  fail_unless (flu_porter_msg_parse (buf, n, m, &why), "%s", why);
  return m->type;
}

static void
send_msg (gint fd, guint8 type, const guint8 * body, gsize len)
{
  guint8 buf[FLU_PORTER_MSG_MAX];
  gsize n = flu_porter_msg_encode (buf, type, body, len);

  fail_unless (send (fd, buf, n, MSG_NOSIGNAL) == (gssize) n);
}

/* HELLO, a checked AUTH, then WELCOME (with a wrong MAC if @lie) */
static void
handshake (gint fd, gboolean lie)
{
  guint8 np[FLU_PORTER_NONCE_LEN], mac[FLU_PORTER_MAC_LEN];
  guint8 body[FLU_PORTER_MAC_LEN + 2], buf[FLU_PORTER_MSG_MAX];
  FluPorterMsg m;

  flu_porter_random (np, sizeof np);
  send_msg (fd, FLU_PORTER_MSG_HELLO, np, sizeof np);
  fail_unless_equals_int (next (fd, buf, &m, 5000), FLU_PORTER_MSG_AUTH);
  flu_porter_mac (SECRET, FLU_PORTER_LABEL_STREAMER, np, m.body, mac);
  fail_unless (flu_porter_mac_equal (mac, m.body + FLU_PORTER_NONCE_LEN),
      "the streamer's MAC is wrong");
  /* the secret never crosses */
  fail_if (memmem (m.body, m.len, SECRET, strlen (SECRET)) != NULL);
  flu_porter_mac (lie ? "another secret" : SECRET, FLU_PORTER_LABEL_PORTER,
      np, m.body, body);
  body[FLU_PORTER_MAC_LEN] = 4242 >> 8;
  body[FLU_PORTER_MAC_LEN + 1] = 4242 & 0xff;
  send_msg (fd, FLU_PORTER_MSG_WELCOME, body, sizeof body);
}

/* the next message must be a route of @type, @kind, @path */
static void
expect_route (gint fd, guint8 type, FluPorterRouteKind kind, const gchar * path)
{
  guint8 buf[FLU_PORTER_MSG_MAX];
  FluPorterMsg m;
  FluPorterRouteKind k;
  gchar *p;

  fail_unless_equals_int (next (fd, buf, &m, 5000), type);
  fail_unless (flu_porter_route_parse (&m, &k, &p));
  fail_unless_equals_int (k, kind);
  fail_unless_equals_string (p, path);
  g_free (p);
}

static void
expect_silence (gint fd)
{
  guint8 buf[FLU_PORTER_MSG_MAX];
  FluPorterMsg m;

  fail_unless_equals_int (next (fd, buf, &m, 300), 0);
}

static void
hello (FluHttpServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  flu_http_server_respond (msg, SOUP_STATUS_OK, "hello from the streamer");
}

GST_START_TEST (test_register)
{
  GError *err = NULL;
  FluHttpServer *server;
  gint fd;

  server = flu_http_server_acquire_porter (sock_path, secret_path, 10, &err);
  fail_unless (server != NULL);
  /* added before the welcome: sent with it */
  fail_unless (flu_http_server_add_mount (server, "/a.webm", hello, NULL,
          NULL));
  fd = accept_streamer ();
  handshake (fd, FALSE);
  expect_route (fd, FLU_PORTER_MSG_ROUTE, FLU_PORTER_ROUTE_EXACT, "/a.webm");
  expect_silence (fd);
  fail_unless_equals_int (flu_http_server_get_port (server), 4242);

  /* a prefix, and exact mounts under it: one message */
  flu_http_server_route_prefix (server, "/hls/", TRUE);
  expect_route (fd, FLU_PORTER_MSG_ROUTE, FLU_PORTER_ROUTE_PREFIX, "/hls/");
  fail_unless (flu_http_server_add_mount (server, "/hls/index.m3u8", hello,
          NULL, NULL));
  fail_unless (flu_http_server_add_mount (server, "/hls/seg1.ts", hello,
          NULL, NULL));
  flu_http_server_remove_mount (server, "/hls/seg1.ts");
  expect_silence (fd);
  /* the prefix goes: the exact mount under it needs its own route */
  flu_http_server_route_prefix (server, "/hls/", FALSE);
  expect_route (fd, FLU_PORTER_MSG_UNROUTE, FLU_PORTER_ROUTE_PREFIX, "/hls/");
  expect_route (fd, FLU_PORTER_MSG_ROUTE, FLU_PORTER_ROUTE_EXACT,
      "/hls/index.m3u8");
  flu_http_server_remove_mount (server, "/a.webm");
  expect_route (fd, FLU_PORTER_MSG_UNROUTE, FLU_PORTER_ROUTE_EXACT, "/a.webm");

  /* a second element on the same porter socket shares the server */
  fail_unless (flu_http_server_acquire_porter (sock_path, secret_path, 10,
          NULL) == server);
  flu_http_server_release (server);
  flu_http_server_release (server);
  /* the server closed its porter connection */
  {
    guint8 buf[FLU_PORTER_MSG_MAX];
    FluPorterMsg m;

    fail_unless_equals_int (next (fd, buf, &m, 5000), -1);
  }
  close (fd);
}

GST_END_TEST;

/* a TCP connection pair on loopback: *client, and the server's end */
static gint
tcp_pair (gint * client)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  gint l = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s;

  memset (&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fail_unless (bind (l, (struct sockaddr *) &sa, sizeof sa) == 0);
  fail_unless (listen (l, 1) == 0);
  fail_unless (getsockname (l, (struct sockaddr *) &sa, &len) == 0);
  *client = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  fail_unless (connect (*client, (struct sockaddr *) &sa, sizeof sa) == 0);
  s = accept4 (l, NULL, NULL, SOCK_CLOEXEC);
  fail_unless (s >= 0);
  close (l);
  return s;
}

static void
pass_fd (gint fd, gint conn)
{
  guint8 buf[FLU_PORTER_MSG_MAX];
  gchar cbuf[CMSG_SPACE (sizeof (gint))];
  struct iovec iov = { buf, 0 };
  struct msghdr mh;
  struct cmsghdr *cm;

  iov.iov_len = flu_porter_msg_encode (buf, FLU_PORTER_MSG_CONN, NULL, 0);
  memset (&mh, 0, sizeof mh);
  memset (cbuf, 0, sizeof cbuf);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = cbuf;
  mh.msg_controllen = sizeof cbuf;
  cm = CMSG_FIRSTHDR (&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (gint));
  memcpy (CMSG_DATA (cm), &conn, sizeof conn);
  fail_unless (sendmsg (fd, &mh, MSG_NOSIGNAL) >= 0);
}

static gchar *
read_all (gint fd)
{
  GString *s = g_string_new (NULL);
  gchar buf[4096];
  gssize n;

  while (wait_in (fd, 5000) && (n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (s, buf, n);
  return g_string_free (s, FALSE);
}

GST_START_TEST (test_connection)
{
  FluHttpServer *server;
  gint fd, client, conn;
  gchar *answer;
  const gchar req[] = "GET /a.webm HTTP/1.1\r\nHost: x\r\n\r\n";

  server = flu_http_server_acquire_porter (sock_path, secret_path, 10, NULL);
  fail_unless (flu_http_server_add_mount (server, "/a.webm", hello, NULL,
          NULL));
  fd = accept_streamer ();
  handshake (fd, FALSE);
  expect_route (fd, FLU_PORTER_MSG_ROUTE, FLU_PORTER_ROUTE_EXACT, "/a.webm");

  /* the request is in before the hand-off, as the porter peeked at it */
  conn = tcp_pair (&client);
  fail_unless (write (client, req, strlen (req)) == (gssize) strlen (req));
  pass_fd (fd, conn);
  close (conn);
  answer = read_all (client);
  fail_unless (g_str_has_prefix (answer, "HTTP/1.1 200"), "%s", answer);
  fail_unless (strstr (answer, "hello from the streamer") != NULL);
  g_free (answer);
  close (client);

  /* a CONN without a descriptor is a protocol error: the client leaves
   * and comes back (backoff), registering again */
  send_msg (fd, FLU_PORTER_MSG_CONN, NULL, 0);
  {
    guint8 buf[FLU_PORTER_MSG_MAX];
    FluPorterMsg m;

    fail_unless_equals_int (next (fd, buf, &m, 5000), -1);
  }
  close (fd);
  fd = accept_streamer ();
  handshake (fd, FALSE);
  expect_route (fd, FLU_PORTER_MSG_ROUTE, FLU_PORTER_ROUTE_EXACT, "/a.webm");

  /* the porter restarts: the same again */
  close (fd);
  fd = accept_streamer ();
  handshake (fd, FALSE);
  expect_route (fd, FLU_PORTER_MSG_ROUTE, FLU_PORTER_ROUTE_EXACT, "/a.webm");
  close (fd);
  flu_http_server_release (server);
}

GST_END_TEST;

/* a porter that does not prove the secret gets no route */
GST_START_TEST (test_porter_without_secret)
{
  FluHttpServer *server;
  guint8 buf[FLU_PORTER_MSG_MAX];
  FluPorterMsg m;
  gint fd;

  server = flu_http_server_acquire_porter (sock_path, secret_path, 10, NULL);
  fail_unless (flu_http_server_add_mount (server, "/a.webm", hello, NULL,
          NULL));
  fd = accept_streamer ();
  handshake (fd, TRUE);
  fail_unless_equals_int (next (fd, buf, &m, 5000), -1);
  close (fd);
  fail_unless_equals_int (flu_http_server_get_port (server), 0);
  flu_http_server_release (server);
}

GST_END_TEST;

GST_START_TEST (test_no_secret_file)
{
  GError *err = NULL;

  fail_unless (flu_http_server_acquire_porter (sock_path,
          "/nonexistent/secret", 10, &err) == NULL);
  fail_unless (err != NULL);
  g_error_free (err);
}

GST_END_TEST;

static Suite *
fluhttpporter_suite (void)
{
  Suite *s = suite_create ("fluhttpporter");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_register);
  tcase_add_test (tc, test_connection);
  tcase_add_test (tc, test_porter_without_secret);
  tcase_add_test (tc, test_no_secret_file);
  return s;
}

GST_CHECK_MAIN (fluhttpporter);
