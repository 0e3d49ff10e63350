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
 * first byte is readable, the connection goes back to libsoup as a new
 * connection would, the same GIOStream; EPOLLRDHUP, a read of 0 or an
 * error close it).  Each fd is registered once, edge-triggered, and
 * stays in the set (see set_events ()): no epoll_ctl per request.
 * Bounds: a parked connection is
 * closed after the idle timeout, one whose answer is not all written
 * within the stall bound too; both lists are kept in deadline order (a
 * connection enters at the tail, with now + a constant), so one timer
 * sweeps them, O(expired).  Per connection: one Kept struct (~120
 * bytes) and the references of its answer.
 *
 * The fast path: when the next request of a parked connection is a
 * plain GET or HEAD whose whole head is in the socket, it is parsed here
 * with libsoup's parser and offered to the server's fast handler of its
 * path (flu_http_keep_set_fast ()); when that answers, the answer is
 * written as any other, with the same serializer
 * (flu_http_keep_build_answer ()), and the connection parked again; else
 * it goes back to libsoup with every byte it sent.  The server's
 * connections take bytes back (flu_http_keep_set_unread (),
 * fluhttpinput.c), so a request is read with ONE recv (what came after
 * its head, a pipelined request, kept in the fd's slot for the next
 * turn); without that (the tests' socket pairs) it is peeked, then its
 * head read off when answered here, nothing read when not.
 * Or the handler answers later (a held request): the head is read off,
 * the connection stays in a third list, waiting for hang-ups only (its
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
  guint32 events;               /* what we wait for, 0 = nothing */
  gint64 deadline;              /* monotonic us */
  gboolean park;
  gboolean fresh;               /* flu_http_keep_park (): not registered yet */
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
  gpointer tag;                 /* the epoll fd's */
} EpollSource;

typedef struct
{
  Kept *k;
  guint32 seen;
  guint32 gen;                  /* of its registration */
  /* read off with a head and not yet looked at (a pipelined request) */
  gchar *unread;
  gsize n_unread;
} Slot;

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
  /* by fd: the Kept that has it now, if any, and the events that came
   * while nobody waited for them (see set_events ()) */
  Slot *slots;
  gsize n_slots;
  /* fds whose events came before they were waited for: looked at by the
   * next dispatch */
  GArray *recheck, *recheck_spare;
  FluHttpKeepResumeFunc resume;
  gpointer user_data;
  FluHttpKeepFastFunc fast;
  gpointer fast_data;
  FluHttpKeepUnreadFunc unread;
  guint32 gen;                  /* registrations made */
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

/* the events a waiting connection acts on, and those remembered */
#define WAKE_EVENTS (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)

static GQuark
registered_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("flu-http-keep-set");
  return quark;
}

static Slot *
slot_of (FluHttpKeep * keep, gint fd)
{
  if ((gsize) fd >= keep->n_slots) {
    gsize len = MAX (keep->n_slots * 2, (gsize) fd + 64);

    keep->slots = g_renew (Slot, keep->slots, len);
    memset (keep->slots + keep->n_slots, 0,
        (len - keep->n_slots) * sizeof (Slot));
    keep->n_slots = len;
  }
  return &keep->slots[fd];
}

/* an fd whose remembered events are to be looked at by the next
 * dispatch: the source's prepare () says it is ready (no wake-up to
 * write: this is the server thread, before its next poll) */
static void
recheck_later (FluHttpKeep * keep, gint fd)
{
  g_array_append_val (keep->recheck, fd);
}

/* Each fd is registered once, edge-triggered, for everything
 * (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET; as its data the fd and a
 * registration number, so that the events of a registration left from
 * an older socket on the same fd number, were it still open elsewhere,
 * are ignored), when its connection first comes here, and stays
 * registered until it is closed (by us or by libsoup: GSocket never
 * duplicates it, and the close takes it out of the set), also while
 * libsoup has it: no
 * epoll_ctl per request.  What a connection waits for is ours only
 * (@events: EPOLLOUT while writing, EPOLLIN | EPOLLRDHUP parked,
 * EPOLLRDHUP pending; EPOLLHUP and EPOLLERR always), in k->events.  An
 * edge comes once: one that nobody waits for (while libsoup has the
 * connection, a next request sent while one is written or pending) is
 * remembered in the fd's slot, and looked at (recheck_later ()) when the
 * connection waits for it.  The registration is kept on the connection
 * object (a new connection on a reused fd number is another object, and
 * is added). */
static void
set_events (FluHttpKeep * keep, Kept * k, guint32 events)
{
  Slot *slot;

  k->events = events;
  if (events == 0)
    /* closed by the caller next, or no longer waiting */
    return;
  slot = slot_of (keep, k->fd);
  slot->k = k;
  if (g_object_get_qdata (G_OBJECT (k->conn), registered_quark ()) != keep) {
    struct epoll_event ev = { 0 };

    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    /* the fd and this registration's number: events of an older one
     * (its socket still open elsewhere, under the same fd number) are
     * not this connection's */
    slot->gen = ++keep->gen;
    ev.data.u64 = (guint64) slot->gen << 32 | (guint32) k->fd;
    /* the set tells what is ready now, as an edge */
    slot->seen = 0;
    g_clear_pointer (&slot->unread, g_free);
    slot->n_unread = 0;
    if (epoll_ctl (keep->epfd, EPOLL_CTL_ADD, k->fd, &ev) < 0 &&
        (errno != EEXIST ||
            epoll_ctl (keep->epfd, EPOLL_CTL_MOD, k->fd, &ev) < 0)) {
      GST_WARNING ("epoll_ctl on fd %d: %s", k->fd, g_strerror (errno));
      return;
    }
    g_object_set_qdata (G_OBJECT (k->conn), registered_quark (), keep);
  } else if (slot->seen & (events | EPOLLHUP | EPOLLERR)) {
    recheck_later (keep, k->fd);
  }
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
  if ((gsize) k->fd < keep->n_slots && keep->slots[k->fd].k == k)
    keep->slots[k->fd].k = NULL;
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
  if ((gsize) k->fd < keep->n_slots) {
    keep->slots[k->fd].seen = 0;
    g_clear_pointer (&keep->slots[k->fd].unread, g_free);
    keep->slots[k->fd].n_unread = 0;
  }
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
    gsize off, want = 0;
    gboolean full;
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
    for (i = 0; i < n; i++)
      want += iov[i].iov_len;
    mh.msg_iov = iov;
    mh.msg_iovlen = n;
    r = sendmsg (k->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return FALSE;
    /* short: the socket buffer is full (a short write sets the
     * socket's no-space flag as EAGAIN does: the EPOLLOUT edge comes
     * when it drains), no second sendmsg to be told so */
    full = (gsize) r < want;
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
    if (full) {
      errno = EAGAIN;
      return FALSE;
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
  Slot *slot = slot_of (keep, k->fd);
  gboolean consume = keep->unread != NULL;
  guint32 gone = 0;
  gsize have = 0;
  GIOStream *conn;
  gssize n = 0;

  if (slot->unread) {
    /* read with the last head: a pipelined request */
    have = slot->n_unread;
    memcpy (buf, slot->unread, have);
    g_clear_pointer (&slot->unread, g_free);
    slot->n_unread = 0;
  }
  if (have == 0 || !memmem (buf, have, "\r\n\r\n", 4)) {
    /* consumed when the bytes can be given back to libsoup, else
     * peeked (and the head read off if answered here) */
    do
      n = recv (k->fd, buf + have, sizeof (buf) - have,
          consume ? MSG_DONTWAIT : MSG_PEEK | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n > 0)
      have += n;
    else if (n == 0)
      gone = EPOLLRDHUP;
    else if (errno != EAGAIN && errno != EWOULDBLOCK)
      gone = EPOLLERR;
  }
  if (have > 0) {
    /* the next request: back to libsoup (still registered, its events
     * remembered), or answered here */
    const gchar *end = memmem (buf, have, "\r\n\r\n", 4);
    gsize head_len = end ? (gsize) (end + 4 - buf) : have;

    k->events = 0;
    /* what the next wait must look at first, as no edge comes for it:
     * bytes beyond this head (a pipelined request: kept here when
     * consumed), a hang-up */
    if (have > head_len) {
      slot->seen |= EPOLLIN;
      if (consume) {
        slot->unread = g_memdup2 (buf + head_len, have - head_len);
        slot->n_unread = have - head_len;
      }
    }
    slot->seen |= (revents | gone) & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
    if (end && keep->fast && try_fast (keep, k, buf, head_len))
      return;
    g_clear_pointer (&slot->unread, g_free);
    slot->n_unread = 0;
    conn = kept_remove (keep, k, TRUE);
    if (consume)
      keep->unread (keep->user_data, conn, buf, have);
    keep->resume (keep->user_data, conn, end != NULL);
    g_object_unref (conn);
    return;
  }
  if (n < 0 && !gone && !(revents & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    /* nothing after all (a remembered edge whose bytes libsoup read):
     * still waiting, the next bytes come as an edge; a fresh connection
     * (flu_http_keep_park ()) is registered now */
    if (k->fresh) {
      k->fresh = FALSE;
      set_events (keep, k, EPOLLIN | EPOLLRDHUP);
    }
    return;
  }
  kept_close (keep, k, "peer closed while parked");
}

/* an event of @fd (or its remembered ones): to the connection that
 * waits for it, or remembered (see set_events ()) */
static void
kept_event (FluHttpKeep * keep, gint fd, guint32 e)
{
  Slot *slot = slot_of (keep, fd);
  Kept *k = slot->k;

  if (k == NULL || !(e & (k->events | EPOLLHUP | EPOLLERR))) {
    slot->seen |= e & WAKE_EVENTS;
    return;
  }
  e |= slot->seen;
  slot->seen = 0;
  if (k->state == KEPT_PENDING) {
    if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
      pending_cancel (keep, k, "peer closed while pending");
    else
      slot->seen |= e & EPOLLIN;
  } else if (k->state == KEPT_WRITING) {
    if (e & (EPOLLERR | EPOLLHUP)) {
      kept_close (keep, k, "error while writing");
    } else {
      /* a next request or a hang-up: for when it is parked */
      slot->seen |= e & (EPOLLIN | EPOLLRDHUP);
      kept_write (keep, k);
    }
  } else {
    kept_readable (keep, k, e);
  }
}

static gboolean
epoll_dispatch (GSource * source, GSourceFunc callback, gpointer user_data)
{
  EpollSource *es = (EpollSource *) source;
  FluHttpKeep *keep = es->keep;
  struct epoll_event evs[MAX_EVENTS];
  gint n, i, rounds = 0;
  GArray *todo;
  guint j;

  if (g_source_query_unix_fd (source, es->tag) & G_IO_IN) {
    do {
      n = epoll_wait (keep->epfd, evs, MAX_EVENTS, 0);
      for (i = 0; i < n; i++)
        if ((guint32) (evs[i].data.u64 >> 32) ==
            slot_of (keep, (gint) (guint32) evs[i].data.u64)->gen)
          kept_event (keep, (gint) (guint32) evs[i].data.u64, evs[i].events);
    } while (n == MAX_EVENTS && ++rounds < 8);
  }
  /* remembered events of connections that now wait for them (those
   * added meanwhile: the next dispatch) */
  todo = keep->recheck;
  keep->recheck = keep->recheck_spare;
  for (j = 0; j < todo->len; j++) {
    gint fd = g_array_index (todo, gint, j);
    Slot *slot = slot_of (keep, fd);
    guint32 e = slot->seen;

    if (slot->k && e) {
      slot->seen = 0;
      kept_event (keep, fd, e);
    }
  }
  g_array_set_size (todo, 0);
  keep->recheck_spare = todo;
  return G_SOURCE_CONTINUE;
}

/* ready with fds to recheck, else when the epoll fd is readable */
static gboolean
epoll_prepare (GSource * source, gint * timeout)
{
  *timeout = -1;
  return ((EpollSource *) source)->keep->recheck->len > 0;
}

static gboolean
epoll_check (GSource * source)
{
  return ((EpollSource *) source)->keep->recheck->len > 0;
}

static GSourceFuncs epoll_funcs = {
  epoll_prepare, epoll_check, epoll_dispatch, NULL, NULL, NULL
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
  keep->recheck = g_array_new (FALSE, FALSE, sizeof (gint));
  keep->recheck_spare = g_array_new (FALSE, FALSE, sizeof (gint));
  keep->watch = g_source_new (&epoll_funcs, sizeof (EpollSource));
  ((EpollSource *) keep->watch)->keep = keep;
  g_source_set_name (keep->watch, "flu-http-keep epoll");
  ((EpollSource *) keep->watch)->tag =
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
  gsize i;

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
  for (i = 0; i < keep->n_slots; i++)
    g_free (keep->slots[i].unread);
  g_free (keep->slots);
  g_array_unref (keep->recheck);
  g_array_unref (keep->recheck_spare);
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
 * registered only when it is not there yet (kept_readable ()).  What
 * the fd's slot remembers is an older connection's. */
void
flu_http_keep_park (FluHttpKeep * keep, GIOStream * conn, gint fd)
{
  Kept *k = kept_alloc (keep);
  Slot *slot = slot_of (keep, fd);

  slot->seen = 0;
  g_clear_pointer (&slot->unread, g_free);
  slot->n_unread = 0;
  k->conn = conn;
  k->fd = fd;
  k->park = TRUE;
  k->fresh = TRUE;
  k->state = KEPT_PARKED;
  k->deadline = g_get_monotonic_time () + keep->idle_us;
  g_queue_push_tail_link (&keep->parked, &k->link);
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

void
flu_http_keep_set_unread (FluHttpKeep * keep, FluHttpKeepUnreadFunc func)
{
  keep->unread = func;
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

/* The head (@head_len bytes of @buf, peeked or read) of the next
 * request of @k: when it is a plain GET or HEAD that keeps the
 * connection and the fast handler answers it, the head is read off the
 * socket (when peeked) and the answer written as any other, the
 * connection parked after it; else (FALSE) nothing more is consumed and
 * the connection goes to libsoup. */
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
  /* ours: the head off the socket (read already when consumed), the
   * pipelined rest left in it */
  r = head_len;
  if (keep->unread == NULL) {
    scratch = g_alloca (head_len);
    do
      r = recv (k->fd, scratch, head_len, MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
  }
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
    /* the handler's now, on a descriptor of its own: out of the set
     * first when it is in (the dup would keep its registration, and its
     * events, alive) */
    gint own;

    if (g_object_get_qdata (G_OBJECT (k->conn), registered_quark ()) == keep)
      epoll_ctl (keep->epfd, EPOLL_CTL_DEL, k->fd, NULL);
    own = fcntl (k->fd, F_DUPFD_CLOEXEC, 3);

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
     * pipelined next request waits in the socket or the fd's slot) */
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
