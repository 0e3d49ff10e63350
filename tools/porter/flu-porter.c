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

/* flu-porter: one public TCP port for many streamer processes.
 *
 * Listens on the public port and on a UNIX socket.  Streamers (the
 * fluhttpsink / fluhlssink elements with porter-socket set) connect to the
 * UNIX socket, prove the shared secret and register mount paths (exact
 * paths and prefixes); the porter peeks (MSG_PEEK, nothing consumed) at the
 * request line of each public connection and passes its descriptor
 * (SCM_RIGHTS) to the streamer holding the longest matching path, which
 * parses the request from its first byte.  Unknown paths get 404 here.
 * Nothing per viewer is kept after the hand-off; a streamer that goes away
 * takes its paths with it.  Protocol: fluporterproto.h.
 *
 * Bounds: at most --max-pending public connections not yet handed off
 * (past it the porter stops accepting; the kernel's backlog holds the
 * rest), each for at most --request-timeout seconds (then 408) and
 * --max-request-line bytes of request line (then 414); at most
 * --max-streamers streamer connections, each with 5 s to authenticate and
 * at most MAX_ROUTES paths.  Single-threaded, no buffer grows. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#define _GNU_SOURCE             /* accept4, struct ucred */
#include "fluporterproto.h"
#include "flulisten.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>

#include <gio/gio.h>
#include <glib-unix.h>

#define ACCEPT_BATCH 32
#define AUTH_TIMEOUT_S 5
/* how long a refused connection is read and drained before it is closed
 * (a close with unread bytes would reset it and lose the answer) */
#define LINGER_MS 1000
#define MAX_ROUTES 4096
#define RETRY_MS 200
#define REWATCH_MS 50

typedef struct _Porter Porter;

typedef struct
{
  Porter *porter;
  gint fd;
  guint watch;
  guint timer;
  gboolean authed;
  gint pid;
  guint8 nonce_p[FLU_PORTER_NONCE_LEN];
  /* connections routed here that did not fit in the socket's send
   * buffer (a flash crowd faster than the streamer takes them), in
   * order; sent when it is writable again (out_watch) */
  GQueue waiting;
  guint out_watch;
} Streamer;

typedef struct
{
  Porter *porter;
  gint fd;
  guint watch;
  guint timer;
  gssize peeked;
  gboolean answered;            /* refused: draining until closed */
  guint rewatch;                /* woken without a new byte: look later */
  Streamer *queued;             /* in queued->waiting */
  GList *qlink;
} Pending;

struct _Porter
{
  gchar *secret;
  gchar *socket_path;
  gint public_fd, unix_fd;
  guint public_watch, unix_watch, retry;
  guint port;
  FluPorterRoutes *routes;
  GHashTable *streamers;        /* Streamer * set */
  GHashTable *pending;          /* Pending * set */
  guint max_pending, max_streamers, timeout, max_line;
  gchar *scratch;               /* max_line bytes, for peeks */
  gboolean verbose;
  gboolean stopping;
  GMainLoop *loop;
};

static void
say (const gchar * fmt, ...)
G_GNUC_PRINTF (1, 2);

     static void say (const gchar * fmt, ...)
{
  GDateTime *now = g_date_time_new_now_utc ();
  gchar *when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  gchar *text;
  va_list ap;

  va_start (ap, fmt);
  text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fprintf (stderr, "%sZ flu-porter: %s\n", when, text);
  g_free (text);
  g_free (when);
  g_date_time_unref (now);
}

#define DEBUG(p, ...) G_STMT_START { if ((p)->verbose) say (__VA_ARGS__); } \
    G_STMT_END

static void watch_public (Porter * p);

/* --- public connections --------------------------------------------- */

static void
pending_free (Pending * c)
{
  Porter *p = c->porter;

  if (c->queued)
    g_queue_delete_link (&c->queued->waiting, c->qlink);
  if (c->rewatch)
    g_source_remove (c->rewatch);
  if (c->watch)
    g_source_remove (c->watch);
  if (c->timer)
    g_source_remove (c->timer);
  if (c->fd >= 0)
    close (c->fd);
  g_hash_table_remove (p->pending, c);
  g_free (c);
  if (p->public_watch == 0 && p->retry == 0 && !p->stopping
      && g_hash_table_size (p->pending) < p->max_pending)
    watch_public (p);
}

static gboolean
linger_done (gpointer data)
{
  Pending *c = data;

  c->timer = 0;
  pending_free (c);
  return G_SOURCE_REMOVE;
}

static gboolean pending_readable (gint fd, GIOCondition cond, gpointer data);

/* answers @status, then reads and drops whatever comes for LINGER_MS */
static void
refuse (Pending * c, guint status)
{
  gchar *answer = flu_porter_answer (status);
  gint one = 1;

  DEBUG (c->porter, "public connection %d: %u", c->fd, status);
  if (c->queued) {
    g_queue_delete_link (&c->queued->waiting, c->qlink);
    c->queued = NULL;
  }
  if (c->rewatch) {
    g_source_remove (c->rewatch);
    c->rewatch = 0;
  }
  if (c->watch == 0)
    c->watch = g_unix_fd_add (c->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
        pending_readable, c);
  setsockopt (c->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
  if (c->peeked > 0)
    (void) !recv (c->fd, c->porter->scratch, c->peeked, MSG_DONTWAIT);
  (void) !send (c->fd, answer, strlen (answer), MSG_DONTWAIT | MSG_NOSIGNAL);
  g_free (answer);
  shutdown (c->fd, SHUT_WR);
  c->answered = TRUE;
  if (c->timer)
    g_source_remove (c->timer);
  c->timer = g_timeout_add (LINGER_MS, linger_done, c);
}

static void streamer_free (Streamer * s, const gchar * why);

/* sends @cfd to the streamer socket @sfd: 0, or errno */
static gint
send_conn (gint sfd, gint cfd)
{
  guint8 buf[FLU_PORTER_MSG_MAX];
  gchar cbuf[CMSG_SPACE (sizeof (gint))];
  struct iovec iov;
  struct msghdr mh;
  struct cmsghdr *cm;
  gint one = 1;

  /* the descriptor is the streamer's: as it was accepted, but for the
   * peek threshold */
  setsockopt (cfd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
  iov.iov_base = buf;
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
  memcpy (CMSG_DATA (cm), &cfd, sizeof (gint));
  if (sendmsg (sfd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
    return 0;
  return errno == EWOULDBLOCK ? EAGAIN : errno;
}

static gboolean
full (gint e)
{
  return e == EAGAIN || e == ENOBUFS || e == ENOMEM;
}

/* the streamer's socket has room again: the waiting connections, in
 * order */
static gboolean
streamer_writable (gint fd, GIOCondition cond, gpointer data)
{
  Streamer *s = data;
  Pending *c;
  gint e;

  while ((c = g_queue_peek_head (&s->waiting))) {
    e = send_conn (s->fd, c->fd);
    if (full (e))
      return G_SOURCE_CONTINUE;
    if (e) {
      s->out_watch = 0;
      streamer_free (s, g_strerror (e));
      return G_SOURCE_REMOVE;
    }
    pending_free (c);           /* unlinks it from the queue */
  }
  s->out_watch = 0;
  return G_SOURCE_REMOVE;
}

/* gives @c's descriptor to @s, now or, when @s's socket is full, once it
 * has room (within the request timeout, else 503); FALSE when @s is
 * gone */
static gboolean
hand_off (Pending * c, Streamer * s)
{
  gint e = 0;

  if (g_queue_is_empty (&s->waiting)) {
    e = send_conn (s->fd, c->fd);
    if (e == 0) {
      pending_free (c);
      return TRUE;
    }
    if (!full (e)) {
      streamer_free (s, g_strerror (e));
      return FALSE;
    }
  }
  if (c->watch) {
    g_source_remove (c->watch);
    c->watch = 0;
  }
  g_queue_push_tail (&s->waiting, c);
  c->qlink = s->waiting.tail;
  c->queued = s;
  if (s->out_watch == 0)
    s->out_watch = g_unix_fd_add (s->fd, G_IO_OUT, streamer_writable, s);
  return TRUE;
}

static gboolean
pending_rewatch (gpointer data)
{
  Pending *c = data;

  c->rewatch = 0;
  c->watch = g_unix_fd_add (c->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
      pending_readable, c);
  return G_SOURCE_REMOVE;
}

static gboolean
pending_timeout (gpointer data)
{
  Pending *c = data;

  c->timer = 0;
  /* routed but its streamer did not take it in time: 503 */
  refuse (c, c->queued ? 503 : 408);
  return G_SOURCE_REMOVE;
}

static gboolean
pending_readable (gint fd, GIOCondition cond, gpointer data)
{
  Pending *c = data;
  Porter *p = c->porter;
  gssize n;
  gchar *path = NULL;
  Streamer *s;
  gint lowat;

  if (c->answered) {
    n = recv (fd, p->scratch, p->max_line, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      c->watch = 0;
      pending_free (c);
      return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
  }
  n = recv (fd, p->scratch, p->max_line, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0) {
    c->watch = 0;
    pending_free (c);
    return G_SOURCE_REMOVE;
  }
  if (n == c->peeked) {
    struct pollfd pf = { fd, POLLRDHUP, 0 };

    c->watch = 0;
    if (poll (&pf, 1, 0) == 1) {
      /* shut down its side before a whole request line */
      refuse (c, 400);
    } else {
      /* readable with no new byte and not shut down: TCP wakes a reader
       * below SO_RCVLOWAT under receive-memory pressure; look again a
       * little later rather than spin */
      c->rewatch = g_timeout_add (REWATCH_MS, pending_rewatch, c);
    }
    return G_SOURCE_REMOVE;
  }
  c->peeked = n;
  switch (flu_porter_request_line (p->scratch, n, p->max_line, &path)) {
    case FLU_PORTER_LINE_MORE:
      /* readable again only once more bytes came */
      lowat = n + 1;
      setsockopt (fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
      return G_SOURCE_CONTINUE;
    case FLU_PORTER_LINE_TOO_LONG:
      refuse (c, 414);
      return G_SOURCE_CONTINUE;
    case FLU_PORTER_LINE_BAD:
      refuse (c, 400);
      return G_SOURCE_CONTINUE;
    case FLU_PORTER_LINE_OK:
      break;
  }
  s = flu_porter_routes_lookup (p->routes, path);
  if (s == NULL) {
    DEBUG (p, "no streamer for %s", path);
    refuse (c, 404);
  } else {
    DEBUG (p, "%s to streamer pid %d", path, s->pid);
    /* hand_off frees or queues @c, or the streamer is gone: its watch
     * is no more (this one) */
    c->watch = 0;
    if (!hand_off (c, s)) {
      refuse (c, 503);
      g_free (path);
      return G_SOURCE_REMOVE;   /* refuse added a new watch */
    }
    g_free (path);
    return G_SOURCE_REMOVE;
  }
  g_free (path);
  return G_SOURCE_CONTINUE;
}

static gboolean
retry_public (gpointer data)
{
  Porter *p = data;

  p->retry = 0;
  if (g_hash_table_size (p->pending) < p->max_pending)
    watch_public (p);
  return G_SOURCE_REMOVE;
}

static gboolean
public_ready (gint fd, GIOCondition cond, gpointer data)
{
  Porter *p = data;
  Pending *c;
  gint i, cfd, one = 1;

  for (i = 0; i < ACCEPT_BATCH; i++) {
    if (g_hash_table_size (p->pending) >= p->max_pending) {
      /* the rest wait in the listen backlog */
      DEBUG (p, "%u connections waiting for their request line: pausing",
          p->max_pending);
      p->public_watch = 0;
      return G_SOURCE_REMOVE;
    }
    cfd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return G_SOURCE_CONTINUE;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS
          || errno == ENOMEM) {
        say ("cannot accept (%s), trying again in %d ms", g_strerror (errno),
            RETRY_MS);
        p->public_watch = 0;
        p->retry = g_timeout_add (RETRY_MS, retry_public, p);
        return G_SOURCE_REMOVE;
      }
      continue;
    }
    setsockopt (cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c = g_new0 (Pending, 1);
    c->porter = p;
    c->fd = cfd;
    g_hash_table_add (p->pending, c);
    c->watch = g_unix_fd_add (cfd, G_IO_IN | G_IO_HUP | G_IO_ERR,
        pending_readable, c);
    if (p->timeout)
      c->timer = g_timeout_add_seconds (p->timeout, pending_timeout, c);
  }
  return G_SOURCE_CONTINUE;
}

static void
watch_public (Porter * p)
{
  p->public_watch = g_unix_fd_add (p->public_fd, G_IO_IN, public_ready, p);
}

/* --- streamers ------------------------------------------------------ */

static void
streamer_free (Streamer * s, const gchar * why)
{
  Porter *p = s->porter;
  guint n = flu_porter_routes_remove_owner (p->routes, s);

  if (s->authed || why)
    say ("streamer pid %d gone (%s): %u paths removed", s->pid,
        why ? why : "closed", n);
  if (s->watch)
    g_source_remove (s->watch);
  if (s->timer)
    g_source_remove (s->timer);
  if (s->out_watch)
    g_source_remove (s->out_watch);
  while (!g_queue_is_empty (&s->waiting))
    refuse (g_queue_peek_head (&s->waiting), 503);      /* unlinks it */
  close (s->fd);
  g_hash_table_remove (p->streamers, s);
  g_free (s);
}

static void
streamer_send (Streamer * s, const guint8 * buf, gsize len)
{
  /* a few bytes on a socket we only write small messages to; one that
   * does not fit means a stuck streamer: dropped on its next read */
  (void) !send (s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static gboolean
streamer_auth_timeout (gpointer data)
{
  Streamer *s = data;

  s->timer = 0;
  streamer_free (s, "did not authenticate in time");
  return G_SOURCE_REMOVE;
}

static gboolean
streamer_auth (Streamer * s, const FluPorterMsg * m)
{
  Porter *p = s->porter;
  guint8 mac[FLU_PORTER_MAC_LEN], body[FLU_PORTER_MAC_LEN + 2];
  guint8 buf[FLU_PORTER_MSG_MAX];
  const guint8 *nonce_s = m->body;
  const gchar *no = "authentication failed";

  flu_porter_mac (p->secret, FLU_PORTER_LABEL_STREAMER, s->nonce_p, nonce_s,
      mac);
  if (!flu_porter_mac_equal (mac, m->body + FLU_PORTER_NONCE_LEN)) {
    say ("streamer pid %d failed to prove the shared secret: refused", s->pid);
    streamer_send (s, buf, flu_porter_msg_encode (buf, FLU_PORTER_MSG_REFUSED,
            (const guint8 *) no, strlen (no)));
    return FALSE;
  }
  flu_porter_mac (p->secret, FLU_PORTER_LABEL_PORTER, s->nonce_p, nonce_s,
      body);
  body[FLU_PORTER_MAC_LEN] = (p->port >> 8) & 0xff;
  body[FLU_PORTER_MAC_LEN + 1] = p->port & 0xff;
  streamer_send (s, buf, flu_porter_msg_encode (buf, FLU_PORTER_MSG_WELCOME,
          body, sizeof body));
  s->authed = TRUE;
  if (s->timer) {
    g_source_remove (s->timer);
    s->timer = 0;
  }
  say ("streamer pid %d authenticated", s->pid);
  return TRUE;
}

static gboolean
streamer_route (Streamer * s, const FluPorterMsg * m)
{
  Porter *p = s->porter;
  FluPorterRouteKind kind;
  gchar *path;
  guint8 buf[FLU_PORTER_MSG_MAX];
  const gchar *what;

  if (!flu_porter_route_parse (m, &kind, &path))
    return FALSE;
  what = kind == FLU_PORTER_ROUTE_PREFIX ? "prefix" : "path";
  if (m->type == FLU_PORTER_MSG_UNROUTE) {
    flu_porter_routes_remove (p->routes, kind, path, s);
    say ("streamer pid %d: %s %s removed", s->pid, what, path);
  } else if (flu_porter_routes_count (p->routes, s) >= MAX_ROUTES) {
    say ("streamer pid %d: over %d paths", s->pid, MAX_ROUTES);
    g_free (path);
    return FALSE;
  } else if (flu_porter_routes_add (p->routes, kind, path, s)) {
    say ("streamer pid %d: %s %s", s->pid, what, path);
  } else {
    say ("streamer pid %d: %s %s is another streamer's, refused", s->pid,
        what, path);
    streamer_send (s, buf, flu_porter_route_encode (buf, FLU_PORTER_MSG_TAKEN,
            kind, path));
  }
  g_free (path);
  return TRUE;
}

static gboolean
streamer_readable (gint fd, GIOCondition cond, gpointer data)
{
  Streamer *s = data;
  guint8 buf[FLU_PORTER_MSG_MAX];
  FluPorterMsg m;
  const gchar *why = NULL;
  gssize n;
  gboolean ok;

  /* MSG_TRUNC: the size of the whole packet, however big */
  n = recv (fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0) {
    s->watch = 0;
    streamer_free (s, NULL);
    return G_SOURCE_REMOVE;
  }
  ok = flu_porter_msg_parse (buf, n, &m, &why);
  if (ok && !s->authed)
    ok = m.type == FLU_PORTER_MSG_AUTH && streamer_auth (s, &m);
  else if (ok)
    ok = (m.type == FLU_PORTER_MSG_ROUTE || m.type == FLU_PORTER_MSG_UNROUTE)
        && streamer_route (s, &m);
  if (!ok) {
    s->watch = 0;
    streamer_free (s, s->authed || why ? (why ? why : "protocol error") :
        "refused");
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
unix_ready (gint fd, GIOCondition cond, gpointer data)
{
  Porter *p = data;
  guint8 buf[FLU_PORTER_MSG_MAX];
  struct ucred cred;
  socklen_t clen = sizeof cred;
  Streamer *s;
  gint sfd;

  sfd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (sfd < 0)
    return G_SOURCE_CONTINUE;
  if (g_hash_table_size (p->streamers) >= p->max_streamers) {
    say ("%u streamer connections already: one more refused", p->max_streamers);
    close (sfd);
    return G_SOURCE_CONTINUE;
  }
  s = g_new0 (Streamer, 1);
  s->porter = p;
  s->fd = sfd;
  s->pid = -1;
  if (getsockopt (sfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
    s->pid = cred.pid;
  flu_porter_random (s->nonce_p, sizeof s->nonce_p);
  g_hash_table_add (p->streamers, s);
  s->watch = g_unix_fd_add (sfd, G_IO_IN | G_IO_HUP | G_IO_ERR,
      streamer_readable, s);
  s->timer = g_timeout_add_seconds (AUTH_TIMEOUT_S, streamer_auth_timeout, s);
  streamer_send (s, buf, flu_porter_msg_encode (buf, FLU_PORTER_MSG_HELLO,
          s->nonce_p, sizeof s->nonce_p));
  DEBUG (p, "streamer pid %d connected", s->pid);
  return G_SOURCE_CONTINUE;
}

/* --- setup ---------------------------------------------------------- */

static gint
listen_public (const gchar * address, guint port, guint * bound,
    GError ** error)
{
  GSocket *sock = flu_listen_tcp (address, port, 4096, error);
  GSocketAddress *sa;
  gint fd;

  if (sock == NULL)
    return -1;
  sa = g_socket_get_local_address (sock, NULL);
  *bound = sa ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (sa)) :
      port;
  g_clear_object (&sa);
  fd = dup (g_socket_get_fd (sock));
  g_object_unref (sock);
  return fd;
}

static gint
listen_unix (const gchar * path, GError ** error)
{
  struct sockaddr_un sun;
  gint fd, probe;

  if (strlen (path) >= sizeof sun.sun_path) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "socket path too long: %s", path);
    return -1;
  }
  memset (&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  strcpy (sun.sun_path, path);
  /* a socket left by a porter that died is removed; a live one is not */
  probe = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (connect (probe, (struct sockaddr *) &sun, sizeof sun) == 0) {
    close (probe);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
        "another porter listens on %s", path);
    return -1;
  }
  if (errno == ECONNREFUSED)
    unlink (path);
  close (probe);
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &sun, sizeof sun) < 0
      || listen (fd, 64) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
        "%s: %s", path, g_strerror (errno));
    if (fd >= 0)
      close (fd);
    return -1;
  }
  return fd;
}

static gboolean
quit (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  gchar *address = NULL, *socket_path = NULL, *secret_file = NULL;
  gint port = 8800, max_pending = 1024, timeout = 10, max_line = 8192;
  gint max_streamers = 64;
  gboolean verbose = FALSE, version = FALSE;
  GOptionEntry entries[] = {
    {"address", 'a', 0, G_OPTION_ARG_STRING, &address,
        "Numeric address of the public port (default: every interface)", "IP"},
    {"port", 'p', 0, G_OPTION_ARG_INT, &port,
        "Public TCP port (default 8800; 0 = any free port)", "PORT"},
    {"socket", 's', 0, G_OPTION_ARG_FILENAME, &socket_path,
        "UNIX socket the streamers connect to (required)", "PATH"},
    {"secret-file", 'k', 0, G_OPTION_ARG_FILENAME, &secret_file,
        "File holding the secret the streamers must prove (required)", "FILE"},
    {"max-pending", 0, 0, G_OPTION_ARG_INT, &max_pending,
        "Public connections waiting for their request line at once "
          "(default 1024)", "N"},
    {"request-timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
        "Seconds a connection has to send its request line, then 408 "
          "(default 10, 0 = no limit)", "S"},
    {"max-request-line", 0, 0, G_OPTION_ARG_INT, &max_line,
        "Longest request line, then 414 (default 8192, 256..65536)", "BYTES"},
    {"max-streamers", 0, 0, G_OPTION_ARG_INT, &max_streamers,
        "Streamer connections at once (default 64)", "N"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
        "Log every connection", NULL},
    {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- one public HTTP port for "
      "many streamer processes");
  GError *err = NULL;
  Porter p = { 0 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "flu-porter: %s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (version) {
    printf ("flu-porter %s (protocol %d)\n", VERSION, FLU_PORTER_VERSION);
    return 0;
  }
  if (!socket_path || !secret_file) {
    fprintf (stderr, "flu-porter: --socket and --secret-file are required\n");
    return 2;
  }
  if (port < 0 || port > 65535 || max_pending < 1 || timeout < 0
      || max_line < 256 || max_line > 65536 || max_streamers < 1) {
    fprintf (stderr, "flu-porter: option out of range\n");
    return 2;
  }
  p.secret = flu_porter_read_secret (secret_file, &err);
  if (p.secret == NULL) {
    fprintf (stderr, "flu-porter: secret file: %s\n", err->message);
    return 1;
  }
  signal (SIGPIPE, SIG_IGN);
  p.max_pending = max_pending;
  p.max_streamers = max_streamers;
  p.timeout = timeout;
  p.max_line = max_line;
  p.verbose = verbose;
  p.scratch = g_malloc (max_line);
  p.routes = flu_porter_routes_new ();
  p.streamers = g_hash_table_new (NULL, NULL);
  p.pending = g_hash_table_new (NULL, NULL);
  p.public_fd = listen_public (address, port, &p.port, &err);
  if (p.public_fd < 0) {
    fprintf (stderr, "flu-porter: cannot listen on port %d: %s\n", port,
        err->message);
    return 1;
  }
  p.unix_fd = listen_unix (socket_path, &err);
  if (p.unix_fd < 0) {
    fprintf (stderr, "flu-porter: %s\n", err->message);
    return 1;
  }
  p.socket_path = socket_path;
  g_unix_set_fd_nonblocking (p.public_fd, TRUE, NULL);
  watch_public (&p);
  p.unix_watch = g_unix_fd_add (p.unix_fd, G_IO_IN, unix_ready, &p);
  p.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit, p.loop);
  g_unix_signal_add (SIGTERM, quit, p.loop);
  say ("listening on %s port %u, streamers on %s", address ? address : "*",
      p.port, socket_path);
  g_main_loop_run (p.loop);
  say ("stopping");
  unlink (socket_path);
  p.stopping = TRUE;
  {
    GList *l, *all = g_hash_table_get_keys (p.streamers);

    for (l = all; l; l = l->next)
      streamer_free (l->data, "porter stopping");
    g_list_free (all);
    all = g_hash_table_get_keys (p.pending);
    for (l = all; l; l = l->next)
      pending_free (l->data);
    g_list_free (all);
  }
  if (p.public_watch)
    g_source_remove (p.public_watch);
  if (p.retry)
    g_source_remove (p.retry);
  g_source_remove (p.unix_watch);
  close (p.public_fd);
  close (p.unix_fd);
  g_hash_table_unref (p.streamers);
  g_hash_table_unref (p.pending);
  flu_porter_routes_free (p.routes);
  g_main_loop_unref (p.loop);
  g_free (p.scratch);
  g_free (address);
  g_free (socket_path);
  g_free (secret_file);
  flu_porter_secret_free (p.secret);
  return 0;
}
