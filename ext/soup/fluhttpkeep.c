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

/* Kept-alive connections out of GLib's poll, Flumotion style: libsoup
 * parses each request and our handlers check it, but a complete answer
 * of known length (fluhlssink's playlists, segments, parts, refusals)
 * is written here, on the connection taken from libsoup
 * (soup_server_message_steal_connection), and the connection then waits
 * for its next request here too.  libsoup would keep several GSources
 * (and a poll fd) per idle connection in the server's GMainContext, so
 * that every iteration of the server loop walked all of them: with 1000
 * polling viewers that was most of the server's CPU.
 *
 * Here every connection of a server is in ONE epoll set, watched by ONE
 * GSource (the epoll fd as its unix fd): writing (EPOLLOUT until the
 * head and the body chunks, GBytes references sent with sendmsg and
 * never copied, are out) or parked (EPOLLIN: when the next request's
 * first byte is readable, the connection leaves the set and goes back to
 * libsoup as a new connection would, the same GIOStream; EPOLLRDHUP, a
 * read of 0 or an error close it).  Bounds: a parked connection is
 * closed after the idle timeout, one whose answer is not all written
 * within the stall bound too; both lists are kept in deadline order (a
 * connection enters at the tail, with now + a constant), so one timer
 * sweeps them, O(expired).  Per connection: one Kept struct (~120
 * bytes) and the references of its answer.
 *
 * The fast path: when the next request of a parked connection is a
 * plain GET or HEAD whose whole head is in the socket (peeked), it is
 * parsed here with libsoup's parser and offered to the server's fast
 * handler of its path (flu_http_keep_set_fast ()); when that answers,
 * the head is read off the socket and the answer written as any other,
 * with the same serializer (flu_http_keep_build_answer ()), and the
 * connection parked again; else it goes back to libsoup, nothing read.
 * Or the handler answers later (a held request): the head is read off,
 * the connection waits in a third list, armed for hang-ups only (its
 * holder has the deadline), until flu_http_keep_answer_pending () writes
 * the answer and parks it again; a hang-up or the server's stop tells
 * the holder (its cancel function) and closes it.
 *
 * A fresh connection waits here for its first request the same way
 * (flu_http_keep_park ()), so a first request takes the fast path too.
 * A handler may also take the connection (a stream): the head read off,
 * it gets a descriptor of its own (a dup) and the connection object is
 * closed; only takers are offered requests that close their connection.
 *
 * Limit: libsoup reads a request head through a buffer; bytes of a
 * pipelined next request already in that buffer would be lost by the
 * steal, so the caller closes the connection after an answer whose next
 * request is already buffered (see fluhttpserver.c).
 *
 * Server thread only: no lock. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#define _GNU_SOURCE             /* memmem */
#include "fluhttpkeep.h"
#include "fluhttpauth.h"
#include "fluhttpfiles.h"
#include "fluhttpserver.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (flu_http_keep_debug);
#define GST_CAT_DEFAULT flu_http_keep_debug

/* iovecs per sendmsg, events per epoll_wait */
#define MAX_IOV 32
#define MAX_EVENTS 64
/* what a parked connection's readability peeks at: a whole request head
 * of a player fits */
#define PEEK_SIZE 8192
/* chunks of an answer held in the struct itself (more: allocated), and
 * freed structs kept for the next answers */
#define INLINE_CHUNKS 4
#define MAX_SPARE 256

typedef enum
{
  KEPT_WRITING,
  KEPT_PARKED,
  KEPT_PENDING,                 /* a fast request answered later */
} KeptState;

typedef struct
{
  GList link;                   /* in writing or parked; data = self */
  GIOStream *conn;
  gint fd;
  KeptState state;
  guint32 events;               /* armed in the epoll set, 0 = not */
  gint64 deadline;              /* monotonic us */
  gboolean park;
  /* the answer being written */
  gchar *head;
  gsize head_len, head_off;
  GBytes **chunks;              /* inline or allocated */
  GBytes *inline_chunks[INLINE_CHUNKS];
  guint n_chunks, chunk_i;
  gsize chunk_off;
  guint64 body_bytes;
  FluHttpKeepDoneFunc done;
  gpointer data;
  GDestroyNotify notify;
  /* pending: its request, its holder */
  FluHttpKeep *keep;
  SoupHTTPVersion version;
  gboolean is_head;
  gboolean closing;             /* its request closes the connection */
  gchar *range;
  FluHttpKeepCancelFunc cancel;
  gpointer cancel_data;
} Kept;

typedef struct
{
  GSource source;
  FluHttpKeep *keep;
} EpollSource;

struct _FluHttpKeep
{
  gint epfd;
  GSource *watch;
  GSource *sweep;
  GQueue writing;               /* Kept, by deadline */
  GQueue parked;                /* Kept, by deadline */
  GQueue pending;               /* Kept (the holder has the deadline) */
  GList *spare;                 /* freed Kept by their links, MAX_SPARE */
  guint n_spare;
  gint64 idle_us, stall_us;
  /* fds registered in the set (one bit each), disarmed or not: see
   * set_events () */
  guint8 *registered;
  gsize registered_len;
  FluHttpKeepResumeFunc resume;
  gpointer user_data;
  FluHttpKeepFastFunc fast;
  gpointer fast_data;
};

/* answers written by the fast path, every server */
static gint fast_total;

static void
debug_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (flu_http_keep_debug, "fluhttpkeep", 0,
        "kept-alive HTTP connections out of GLib's poll");
    g_once_init_leave (&done, 1);
  }
}

static GQueue *
queue_of (FluHttpKeep * keep, Kept * k)
{
  switch (k->state) {
    case KEPT_WRITING:
      return &keep->writing;
    case KEPT_PARKED:
      return &keep->parked;
    default:
      return &keep->pending;
  }
}

static gboolean
is_registered (FluHttpKeep * keep, gint fd)
{
  return (gsize) fd / 8 < keep->registered_len &&
      (keep->registered[fd / 8] & (1 << (fd % 8)));
}

static void
set_registered (FluHttpKeep * keep, gint fd, gboolean on)
{
  if ((gsize) fd / 8 >= keep->registered_len) {
    gsize len = MAX (keep->registered_len * 2, (gsize) fd / 8 + 64);

    if (!on)
      return;
    keep->registered = g_realloc (keep->registered, len);
    memset (keep->registered + keep->registered_len, 0,
        len - keep->registered_len);
    keep->registered_len = len;
  }
  if (on)
    keep->registered[fd / 8] |= 1 << (fd % 8);
  else
    keep->registered[fd / 8] &= ~(1 << (fd % 8));
}

/* Every registration is EPOLLONESHOT: once an event came the fd is
 * disarmed (no event, not even a hang-up, until re-armed), so a
 * connection that goes back to libsoup stays registered, disarmed, and
 * the next answer on it re-arms it with one EPOLL_CTL_MOD: one epoll_ctl
 * per request instead of an ADD and a DEL.  An fd leaves the set when it
 * is closed (by us or by libsoup: GSocket never duplicates it), so a
 * registration is only believed in: MOD that finds none (ENOENT, a new
 * connection on a reused number) falls back to ADD. */
static void
set_events (FluHttpKeep * keep, Kept * k, guint32 events)
{
  struct epoll_event ev = { 0 };

  if (k->events == events || events == 0) {
    /* 0: closed by the caller next, or the event that disarmed it came */
    k->events = events;
    return;
  }
  ev.events = events | EPOLLONESHOT;
  ev.data.ptr = k;
  if (!is_registered (keep, k->fd) ||
      epoll_ctl (keep->epfd, EPOLL_CTL_MOD, k->fd, &ev) < 0) {
    if (epoll_ctl (keep->epfd, EPOLL_CTL_ADD, k->fd, &ev) < 0)
      GST_WARNING ("epoll_ctl on fd %d: %s", k->fd, g_strerror (errno));
    else
      set_registered (keep, k->fd, TRUE);
  }
  k->events = events;
}

/* the answer is over: done called once, its references dropped */
static void
answer_done (Kept * k, gboolean ok)
{
  guint i;

  if (k->done) {
    k->done (k->data, k->body_bytes, ok);
    k->done = NULL;
  }
  if (k->notify)
    k->notify (k->data);
  k->notify = NULL;
  k->data = NULL;
  for (i = 0; i < k->n_chunks; i++)
    g_bytes_unref (k->chunks[i]);
  if (k->chunks != k->inline_chunks)
    g_free (k->chunks);
  k->chunks = NULL;
  k->n_chunks = k->chunk_i = 0;
  g_clear_pointer (&k->head, g_free);
}

/* out of the set and its list, the struct freed; returns the connection
 * (a ref) */
static GIOStream *
kept_remove (FluHttpKeep * keep, Kept * k, gboolean ok)
{
  GIOStream *conn = k->conn;

  set_events (keep, k, 0);
  g_queue_unlink (queue_of (keep, k), &k->link);
  answer_done (k, ok);
  g_clear_pointer (&k->range, g_free);
  if (keep->n_spare < MAX_SPARE) {
    k->link.next = keep->spare;
    keep->spare = &k->link;
    keep->n_spare++;
  } else {
    g_free (k);
  }
  return conn;
}

static void
kept_close (FluHttpKeep * keep, Kept * k, const gchar * why)
{
  GIOStream *conn;

  GST_LOG ("fd %d: closing (%s)", k->fd, why);
  /* the close takes it out of the set */
  set_registered (keep, k->fd, FALSE);
  conn = kept_remove (keep, k, FALSE);
  g_io_stream_close (conn, NULL, NULL);
  g_object_unref (conn);
}

/* a pending request's peer is gone, or the server stops: its holder
 * told, then closed */
static void
pending_cancel (FluHttpKeep * keep, Kept * k, const gchar * why)
{
  FluHttpKeepCancelFunc cancel = k->cancel;

  k->cancel = NULL;
  if (cancel)
    cancel (k->cancel_data);
  kept_close (keep, k, why);
}

/* Sends what can be sent now: TRUE when all is out (or FALSE and errno:
 * EAGAIN to wait for EPOLLOUT, else the peer is gone). */
static gboolean
write_some (Kept * k)
{
  for (;;) {
    struct iovec iov[MAX_IOV];
    struct msghdr mh = { 0 };
    guint n = 0, i;
    gsize off;
    gssize r;

    if (k->head_off < k->head_len) {
      iov[n].iov_base = k->head + k->head_off;
      iov[n++].iov_len = k->head_len - k->head_off;
    }
    for (i = k->chunk_i, off = k->chunk_off; i < k->n_chunks && n < MAX_IOV;
        i++, off = 0) {
      gsize size;
      const guint8 *d = g_bytes_get_data (k->chunks[i], &size);

      if (size > off) {
        iov[n].iov_base = (gpointer) (d + off);
        iov[n++].iov_len = size - off;
      }
    }
    if (n == 0)
      return TRUE;
    mh.msg_iov = iov;
    mh.msg_iovlen = n;
    r = sendmsg (k->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return FALSE;
    /* what went: the head first, then the chunks in order */
    if (k->head_off < k->head_len) {
      gsize h = MIN ((gsize) r, k->head_len - k->head_off);

      k->head_off += h;
      r -= h;
    }
    while (r > 0 && k->chunk_i < k->n_chunks) {
      gsize size = g_bytes_get_size (k->chunks[k->chunk_i]);
      gsize c = MIN ((gsize) r, size - k->chunk_off);

      k->chunk_off += c;
      k->body_bytes += c;
      r -= c;
      if (k->chunk_off == size) {
        k->chunk_i++;
        k->chunk_off = 0;
      }
    }
  }
}

/* writing: on (again) until all is out, then parked or closed */
static void
kept_write (FluHttpKeep * keep, Kept * k)
{
  if (!write_some (k)) {
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      set_events (keep, k, EPOLLOUT | EPOLLRDHUP);
    else
      kept_close (keep, k, "peer gone while writing");
    return;
  }
  answer_done (k, TRUE);
  if (!k->park) {
    kept_close (keep, k, "answered, not kept");
    return;
  }
  g_queue_unlink (&keep->writing, &k->link);
  k->state = KEPT_PARKED;
  k->deadline = g_get_monotonic_time () + keep->idle_us;
  g_queue_push_tail_link (&keep->parked, &k->link);
  set_events (keep, k, EPOLLIN | EPOLLRDHUP);
}

static gboolean try_fast (FluHttpKeep * keep, Kept * k, const gchar * buf,
    gsize head_len);

/* parked and readable, or hung up */
static void
kept_readable (FluHttpKeep * keep, Kept * k, guint32 revents)
{
  gchar buf[PEEK_SIZE];
  gssize n;
  GIOStream *conn;

  do
    n = recv (k->fd, buf, sizeof (buf), MSG_PEEK | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n > 0) {
    /* the next request: back to libsoup, disarmed */
    const gchar *end = memmem (buf, n, "\r\n\r\n", 4);

    k->events = 0;
    if (end && keep->fast && try_fast (keep, k, buf, end + 4 - buf))
      return;
    conn = kept_remove (keep, k, TRUE);
    keep->resume (keep->user_data, conn, end != NULL);
    g_object_unref (conn);
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
      !(revents & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    /* nothing after all: armed again */
    k->events = 0;
    set_events (keep, k, EPOLLIN | EPOLLRDHUP);
    return;
  }
  kept_close (keep, k, "peer closed while parked");
}

static gboolean
epoll_dispatch (GSource * source, GSourceFunc callback, gpointer user_data)
{
  FluHttpKeep *keep = ((EpollSource *) source)->keep;
  struct epoll_event evs[MAX_EVENTS];
  gint n, i, rounds = 0;

  do {
    n = epoll_wait (keep->epfd, evs, MAX_EVENTS, 0);
    for (i = 0; i < n; i++) {
      Kept *k = evs[i].data.ptr;
      guint32 e = evs[i].events;

      /* one event per connection per epoll_wait: it is still there;
       * disarmed by it */
      k->events = 0;
      if (k->state == KEPT_PENDING) {
        /* armed for hang-ups only */
        pending_cancel (keep, k, "peer closed while pending");
      } else if (k->state == KEPT_WRITING) {
        if (e & (EPOLLERR | EPOLLHUP))
          kept_close (keep, k, "error while writing");
        else
          kept_write (keep, k);
      } else {
        kept_readable (keep, k, e);
      }
    }
  } while (n == MAX_EVENTS && ++rounds < 8);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs epoll_funcs = {
  NULL, NULL, epoll_dispatch, NULL, NULL, NULL
};

static void
sweep_queue (FluHttpKeep * keep, GQueue * q, gint64 now, const gchar * why)
{
  GList *l;

  while ((l = g_queue_peek_head_link (q)) &&
      ((Kept *) l->data)->deadline <= now)
    kept_close (keep, l->data, why);
}

static gboolean
sweep (gpointer data)
{
  FluHttpKeep *keep = data;
  gint64 now = g_get_monotonic_time ();

  sweep_queue (keep, &keep->writing, now, "answer stalled");
  sweep_queue (keep, &keep->parked, now, "idle");
  return G_SOURCE_CONTINUE;
}

FluHttpKeep *
flu_http_keep_new (GMainContext * context, guint idle_ms, guint stall_ms,
    guint sweep_ms, FluHttpKeepResumeFunc resume, gpointer user_data)
{
  FluHttpKeep *keep;
  gint epfd;

  debug_init ();
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0) {
    GST_WARNING ("epoll_create1: %s", g_strerror (errno));
    return NULL;
  }
  keep = g_new0 (FluHttpKeep, 1);
  keep->epfd = epfd;
  keep->idle_us = (gint64) idle_ms *1000;
  keep->stall_us = (gint64) stall_ms *1000;
  keep->resume = resume;
  keep->user_data = user_data;
  g_queue_init (&keep->writing);
  g_queue_init (&keep->parked);
  g_queue_init (&keep->pending);
  keep->watch = g_source_new (&epoll_funcs, sizeof (EpollSource));
  ((EpollSource *) keep->watch)->keep = keep;
  g_source_set_name (keep->watch, "flu-http-keep epoll");
  g_source_add_unix_fd (keep->watch, epfd, G_IO_IN);
  g_source_attach (keep->watch, context);
  keep->sweep = g_timeout_source_new (MAX (sweep_ms, 10));
  g_source_set_callback (keep->sweep, sweep, keep, NULL);
  g_source_attach (keep->sweep, context);
  return keep;
}

void
flu_http_keep_free (FluHttpKeep * keep)
{
  GList *l;

  if (keep == NULL)
    return;
  while ((l = g_queue_peek_head_link (&keep->pending)))
    pending_cancel (keep, l->data, "server stopping");
  while ((l = g_queue_peek_head_link (&keep->writing)))
    kept_close (keep, l->data, "server stopping");
  while ((l = g_queue_peek_head_link (&keep->parked)))
    kept_close (keep, l->data, "server stopping");
  g_source_destroy (keep->watch);
  g_source_unref (keep->watch);
  g_source_destroy (keep->sweep);
  g_source_unref (keep->sweep);
  close (keep->epfd);
  while (keep->spare) {
    GList *l = keep->spare;

    keep->spare = l->next;
    g_free (l->data);
  }
  g_free (keep->registered);
  g_free (keep);
}

/* a cleared struct, a spare one when there is */
static Kept *
kept_alloc (FluHttpKeep * keep)
{
  Kept *k;

  if (keep->spare) {
    k = keep->spare->data;
    keep->spare = keep->spare->next;
    keep->n_spare--;
    memset (k, 0, sizeof (Kept));
  } else {
    k = g_new0 (Kept, 1);
  }
  k->link.data = k;
  return k;
}

/* A fresh connection: parked, as after an answer (see kept_write ()),
 * but its request is looked for at once (a client sends it with the
 * connection: mostly there by the accept, and then never in the set);
 * else armed.  Its fd number may have been registered for a closed
 * connection, whose entry went with the close: ADD at once. */
void
flu_http_keep_park (FluHttpKeep * keep, GIOStream * conn, gint fd)
{
  Kept *k = kept_alloc (keep);

  k->conn = conn;
  k->fd = fd;
  k->park = TRUE;
  k->state = KEPT_PARKED;
  k->deadline = g_get_monotonic_time () + keep->idle_us;
  g_queue_push_tail_link (&keep->parked, &k->link);
  set_registered (keep, fd, FALSE);
  kept_readable (keep, k, 0);
}

void
flu_http_keep_send (FluHttpKeep * keep, GIOStream * conn, gint fd,
    gchar * head, GBytes ** chunks, guint n_chunks, gboolean park,
    FluHttpKeepDoneFunc done, gpointer data, GDestroyNotify notify)
{
  Kept *k = kept_alloc (keep);
  guint i;

  k->conn = conn;
  k->fd = fd;
  k->park = park;
  k->head = head;
  k->head_len = strlen (head);
  k->chunks = n_chunks <= INLINE_CHUNKS ? k->inline_chunks :
      g_new (GBytes *, n_chunks);
  for (i = 0; i < n_chunks; i++)
    k->chunks[i] = g_bytes_ref (chunks[i]);
  k->n_chunks = n_chunks;
  k->done = done;
  k->data = data;
  k->notify = notify;
  k->state = KEPT_WRITING;
  k->deadline = g_get_monotonic_time () + keep->stall_us;
  g_queue_push_tail_link (&keep->writing, &k->link);
  kept_write (keep, k);
}

guint
flu_http_keep_count (FluHttpKeep * keep, guint * parked)
{
  if (parked)
    *parked = keep->parked.length;
  return keep->writing.length + keep->parked.length + keep->pending.length;
}

guint
flu_http_keep_pending_count (FluHttpKeep * keep)
{
  return keep->pending.length;
}

/* ---- the fast path ---- */

void
flu_http_keep_set_fast (FluHttpKeep * keep, FluHttpKeepFastFunc func,
    gpointer user_data)
{
  keep->fast = func;
  keep->fast_data = user_data;
}

guint
flu_http_keep_fast_total (void)
{
  return (guint) g_atomic_int_get (&fast_total);
}

/* A request target we may hand on as libsoup would: an origin-form path
 * of plain characters (no percent-encoding, no dot segment libsoup's URI
 * parser would remove, no fragment), and its query. */
static gboolean
plain_target (const gchar * target, gchar ** path, gchar ** query)
{
  const gchar *q = strchr (target, '?');
  const gchar *p;

  if (target[0] != '/')
    return FALSE;
  for (p = target; *p && p != q; p++) {
    if (*p <= ' ' || *p >= 0x7f || *p == '%' || *p == '#' || *p == '\\')
      return FALSE;
    if (*p == '/' && p[1] == '.')
      return FALSE;
  }
  if (q && (strchr (q, '#') || strchr (q, ' ')))
    return FALSE;
  *path = q ? g_strndup (target, q - target) : g_strdup (target);
  *query = q ? g_strdup (q + 1) : NULL;
  return TRUE;
}

/* a Host header libsoup takes as it is (a name or an address, a port) */
static gboolean
plain_host (const gchar * host)
{
  const gchar *p;

  if (host == NULL || *host == '\0')
    return FALSE;
  for (p = host; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr (".-:[]", *p))
      return FALSE;
  return TRUE;
}

static GQuark
peer_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("flu-http-keep-peer");
  return quark;
}

void
flu_http_keep_set_peer (GIOStream * conn, GInetAddress * peer)
{
  g_object_set_qdata_full (G_OBJECT (conn), peer_quark (),
      g_object_ref (peer), g_object_unref);
}

/* the client's address of @conn: asked once (or told by
 * flu_http_keep_set_peer ()), then kept on it (the same connection
 * object comes back parked request after request) */
static GInetAddress *
peer_of (GIOStream * conn)
{
  GQuark quark = peer_quark ();
  GInetAddress *addr;
  GSocketAddress *sa;

  if ((addr = g_object_get_qdata (G_OBJECT (conn), quark)))
    return addr;
  if (!G_IS_SOCKET_CONNECTION (conn))
    return NULL;
  sa = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (conn),
      NULL);
  if (sa && G_IS_INET_SOCKET_ADDRESS (sa)) {
    addr = flu_http_address_normalize (g_inet_socket_address_get_address
        (G_INET_SOCKET_ADDRESS (sa)));
    g_object_set_qdata_full (G_OBJECT (conn), quark, addr, g_object_unref);
  }
  g_clear_object (&sa);
  return addr;
}

/* The head (@head_len bytes of @buf, peeked) of the next request of @k:
 * when it is a plain GET or HEAD that keeps the connection and the fast
 * handler answers it, the head is read off the socket and the answer
 * written as any other, the connection parked after it; else (FALSE)
 * nothing is consumed and the connection goes to libsoup. */
static gboolean
try_fast (FluHttpKeep * keep, Kept * k, const gchar * buf, gsize head_len)
{
  SoupMessageHeaders *req = soup_message_headers_new
      (SOUP_MESSAGE_HEADERS_REQUEST);
  FluHttpFastAnswer answer = { 0 };
  gchar *method = NULL, *target = NULL, *path = NULL, *query_s = NULL;
  gchar *head = NULL, *scratch;
  GHashTable *query = NULL;
  SoupHTTPVersion version;
  const gchar *cl, *why = NULL;
  GPtrArray *chunks = NULL;
  gboolean ok = FALSE, is_head, closing;
  GIOStream *conn;
  gssize r;
  gint fd;

  if (soup_headers_parse_request (buf, head_len, req, &method, &target,
          &version) != SOUP_STATUS_OK)
    goto out;
  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
    goto out;
  is_head = method[0] == 'H';
  /* a connection that stays open, as flu_http_keep_allowed () wants;
   * else for a handler that takes it only */
  closing = version == SOUP_HTTP_1_1 ?
      soup_message_headers_header_contains (req, "Connection", "close") :
      !soup_message_headers_header_contains (req, "Connection", "keep-alive");
  cl = soup_message_headers_get_one (req, "Content-Length");
  if ((cl && strcmp (cl, "0") != 0) ||
      soup_message_headers_get_one (req, "Transfer-Encoding") ||
      soup_message_headers_get_one (req, "Expect") ||
      !plain_host (soup_message_headers_get_one (req, "Host")))
    goto out;
  if (!plain_target (target, &path, &query_s))
    goto out;
  /* what fluhttpserver.c's check_head () refuses goes to libsoup */
  if (flu_http_head_check (req, path, query_s, &why) != SOUP_STATUS_NONE)
    goto out;
  if (query_s)
    query = soup_form_decode (query_s);
  answer.peer = peer_of (k->conn);
  answer.version = version;
  answer.closing = closing;
  answer.headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  answer.chunks = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  answer.pending = (FluHttpKeepPending *) k;
  if (!keep->fast (keep->fast_data, is_head ? SOUP_METHOD_HEAD :
          SOUP_METHOD_GET, path, query, req, &answer))
    goto out;
  /* ours: the head off the socket, the pipelined rest left in it */
  scratch = g_alloca (head_len);
  do
    r = recv (k->fd, scratch, head_len, MSG_DONTWAIT);
  while (r < 0 && errno == EINTR);
  if (r != (gssize) head_len) {
    /* cannot be (peeked), but then the connection is lost */
    if (answer.take)
      answer.take (answer.take_data, -1);
    if (answer.cancel)
      answer.cancel (answer.cancel_data);
    if (answer.done)
      answer.done (answer.data, 0, FALSE);
    if (answer.notify)
      answer.notify (answer.data);
    kept_close (keep, k, "head not read back");
    ok = TRUE;
    goto out;
  }
  if (answer.take) {
    /* the handler's now, on a descriptor of its own; the registration
     * of the socket in the set stays (the dup keeps the file open) but
     * is disarmed (its event came) and goes with the last close */
    gint own = fcntl (k->fd, F_DUPFD_CLOEXEC, 3);

    if (own < 0)
      GST_WARNING ("fd %d: no descriptor for its taker: %s", k->fd,
          g_strerror (errno));
    else
      g_atomic_int_inc (&fast_total);
    kept_close (keep, k, "taken by its handler");
    answer.take (answer.take_data, own);
    ok = TRUE;
    goto out;
  }
  if (answer.cancel) {
    /* answered later: here until then, watched for hang-ups only (a
     * pipelined next request waits in the socket) */
    g_queue_unlink (&keep->parked, &k->link);
    k->state = KEPT_PENDING;
    k->keep = keep;
    k->version = version;
    k->is_head = is_head;
    k->closing = closing;
    k->range = g_strdup (soup_message_headers_get_one (req, "Range"));
    k->cancel = answer.cancel;
    k->cancel_data = answer.cancel_data;
    g_queue_push_tail_link (&keep->pending, &k->link);
    set_events (keep, k, EPOLLRDHUP);
    ok = TRUE;
    goto out;
  }
  /* a request that closes its connection: the head as libsoup writes
   * it then (HTTP/1.1: no Connection line; 1.0, for no handler: "close"),
   * closed after it */
  flu_http_keep_build_answer (answer.status, NULL, version, is_head,
      answer.headers, (GBytes **) answer.chunks->pdata, answer.chunks->len,
      soup_message_headers_get_one (req, "Range"),
      !closing || version == SOUP_HTTP_1_1, &head, &chunks);
  g_atomic_int_inc (&fast_total);
  fd = k->fd;
  conn = kept_remove (keep, k, TRUE);
  flu_http_keep_send (keep, conn, fd, head, (GBytes **) chunks->pdata,
      chunks->len, !closing, answer.done, answer.data, answer.notify);
  g_ptr_array_unref (chunks);
  ok = TRUE;
out:
  if (answer.headers)
    soup_message_headers_unref (answer.headers);
  if (answer.chunks)
    g_ptr_array_unref (answer.chunks);
  if (query)
    g_hash_table_unref (query);
  soup_message_headers_unref (req);
  g_free (method);
  g_free (target);
  g_free (path);
  g_free (query_s);
  return ok;
}

void
flu_http_keep_answer_pending (FluHttpKeepPending * pending, guint status,
    SoupMessageHeaders * headers, GBytes ** chunks, guint n_chunks,
    gboolean keep_open, FluHttpKeepDoneFunc done, gpointer data,
    GDestroyNotify notify)
{
  Kept *k = (Kept *) pending;
  FluHttpKeep *keep = k->keep;
  GPtrArray *out;
  GIOStream *conn;
  gchar *head;
  gboolean park;
  gint fd;

  g_return_if_fail (k->state == KEPT_PENDING);
  /* a request that closed its connection: closed after its answer */
  park = keep_open && !k->closing;
  flu_http_keep_build_answer (status, NULL, k->version, k->is_head, headers,
      chunks, n_chunks, k->range, keep_open, &head, &out);
  g_atomic_int_inc (&fast_total);
  k->cancel = NULL;
  fd = k->fd;
  conn = kept_remove (keep, k, TRUE);
  flu_http_keep_send (keep, conn, fd, head, (GBytes **) out->pdata, out->len,
      park, done, data, notify);
  g_ptr_array_unref (out);
}

/* ---- the answer ---- */

gboolean
flu_http_keep_allowed (SoupServerMessage * msg)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);

  if (soup_message_headers_header_contains (resp, "Connection", "close"))
    return FALSE;
  switch (soup_server_message_get_http_version (msg)) {
    case SOUP_HTTP_1_1:
      return !soup_message_headers_header_contains (req, "Connection", "close");
    case SOUP_HTTP_1_0:
      return soup_message_headers_header_contains (req, "Connection",
          "keep-alive");
    default:
      return FALSE;
  }
}

static void
append_header (const char *name, const char *value, gpointer data)
{
  GString *s = data;

  /* ours below */
  if (g_ascii_strcasecmp (name, "Content-Length") == 0 ||
      g_ascii_strcasecmp (name, "Connection") == 0 ||
      g_ascii_strcasecmp (name, "Date") == 0)
    return;
  g_string_append (s, name);
  g_string_append (s, ": ");
  g_string_append (s, value);
  g_string_append (s, "\r\n");
}

/* "Date: ...\r\n" of this second, made once a second */
static const gchar *
date_line (void)
{
  static __thread gchar line[64];
  static __thread time_t made;
  time_t now = time (NULL);

  if (now != made) {
    GDateTime *dt = g_date_time_new_from_unix_utc (now);
    gchar *d = g_date_time_format (dt, "%a, %d %b %Y %H:%M:%S GMT");

    g_snprintf (line, sizeof (line), "Date: %s\r\n", d);
    g_free (d);
    g_date_time_unref (dt);
    made = now;
  }
  return line;
}

void
flu_http_head_start (GString * s, const gchar * protocol, guint status,
    const gchar * phrase)
{
  if (phrase == NULL || *phrase == '\0')
    phrase = flu_http_server_status_phrase (status);
  g_string_append_printf (s, "%s %u %s\r\n", protocol, status, phrase);
  g_string_append (s, date_line ());
}

/* The body's chunks over [start, start + len) (sub-buffers, no copy). */
static void
slice_chunks (GBytes ** body, guint n, guint64 start, guint64 len,
    GPtrArray * out)
{
  guint64 off = 0, stop = start + len;
  guint i;

  for (i = 0; i < n && off < stop; i++) {
    gsize size = g_bytes_get_size (body[i]);
    guint64 from = MAX (off, start), to = MIN (off + size, stop);

    if (to > from) {
      if (from == off && to == off + size)
        g_ptr_array_add (out, g_bytes_ref (body[i]));
      else
        g_ptr_array_add (out, g_bytes_new_from_bytes (body[i], from - off,
                to - from));
    }
    off += size;
  }
}

guint64
flu_http_keep_build_answer (guint status, const gchar * phrase,
    SoupHTTPVersion version, gboolean is_head, SoupMessageHeaders * resp,
    GBytes ** body, guint n_body, const gchar * range, gboolean keep,
    gchar ** head, GPtrArray ** chunks)
{
  guint64 size = 0, start = 0, len;
  gchar *content_range = NULL;
  GString *s = g_string_sized_new (512);
  guint i;

  for (i = 0; i < n_body; i++)
    size += g_bytes_get_size (body[i]);
  len = size;
  *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  /* as libsoup's handle_partial_get (): a GET answered 200 with a body */
  if (range && !is_head && status == SOUP_STATUS_OK && size > 0) {
    guint64 end = 0;

    switch (flu_http_range_parse (range, size, &start, &end)) {
      case FLU_HTTP_RANGE_PARTIAL:
        status = SOUP_STATUS_PARTIAL_CONTENT;
        phrase = NULL;
        len = end - start + 1;
        content_range = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%"
            G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, start, end, size);
        break;
      case FLU_HTTP_RANGE_UNSATISFIABLE:
        status = SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE;
        phrase = NULL;
        start = len = 0;
        content_range = g_strdup_printf ("bytes */%" G_GUINT64_FORMAT, size);
        break;
      default:
        break;
    }
  }
  flu_http_head_start (s, version == SOUP_HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1",
      status, phrase);
  soup_message_headers_foreach (resp, append_header, s);
  if (content_range)
    g_string_append_printf (s, "Content-Range: %s\r\n", content_range);
  g_string_append_printf (s, "Content-Length: %" G_GUINT64_FORMAT "\r\n", len);
  if (!keep)
    g_string_append (s, "Connection: close\r\n");
  else if (version == SOUP_HTTP_1_0)
    g_string_append (s, "Connection: keep-alive\r\n");
  g_string_append (s, "\r\n");
  *head = g_string_free (s, FALSE);
  g_free (content_range);
  if (!is_head && len > 0)
    slice_chunks (body, n_body, start, len, *chunks);
  return is_head ? 0 : len;
}

guint64
flu_http_keep_build (SoupServerMessage * msg, gboolean keep, gchar ** head,
    GPtrArray ** chunks)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  GPtrArray *own = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  guint64 off = 0, ret;

  /* the body's own chunks (no copy) */
  while (off < (guint64) body->length) {
    GBytes *c = soup_message_body_get_chunk (body, off);
    gsize csize;

    if (c == NULL)
      break;
    csize = g_bytes_get_size (c);
    if (csize == 0) {
      g_bytes_unref (c);
      break;
    }
    g_ptr_array_add (own, c);
    off += csize;
  }
  ret = flu_http_keep_build_answer (soup_server_message_get_status (msg),
      soup_server_message_get_reason_phrase (msg),
      soup_server_message_get_http_version (msg),
      soup_server_message_get_method (msg) == SOUP_METHOD_HEAD,
      soup_server_message_get_response_headers (msg),
      (GBytes **) own->pdata, own->len,
      soup_message_headers_get_one (req, "Range"), keep, head, chunks);
  g_ptr_array_unref (own);
  return ret;
}
