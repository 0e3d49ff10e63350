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

/*
 * The fan-out engine: its I/O part (writer thread, epoll, gather/write,
 * add/remove, the clients array).  The policy (the ring, header sets,
 * where a client starts, lag and recovery, what the ring keeps) is in
 * flufanoutpolicy.c: pure functions this file calls with its lock held,
 * unit-tested without a socket (tests/check/multifd/flufanoutpolicy.c).
 *
 * Data: one ring of recent buffers.  Every buffer that enters gets a
 * sequence number; the ring holds [tail, head).  Each buffer's GstMemory
 * blocks are mapped once when it enters and stay mapped until it leaves, so
 * a client write is a sendmsg() over an iovec built straight from the ring:
 * no copy, no per-client buffer list.  A client is a cursor (sequence
 * number plus byte offset) and counters: O(1) memory per client.
 *
 * Threads: the streaming thread only appends to the ring (and decides where
 * clients added since the previous buffer start) and wakes the writer
 * through an eventfd.  The writer thread owns the writes: it waits in
 * epoll_wait(), writes to every client that has data and a writable socket,
 * parks a client whose socket is full until EPOLLOUT (edge-triggered), checks
 * lag limits and inactivity timeouts.
 *
 * Lock: one mutex (f->lock) guards everything in FluFanout and every
 * FluClient; the engine has no other lock (io_cond waits on it).  The
 * element's callbacks run without it, so they may call flu_fanout_*()
 * (get_stats from client-removed does).  It is never held across the
 * calls that move data or sleep: sendmsg()/writev()/read() on a client
 * (the writer marks the client in_io and drops the lock around them; the
 * TCP_CORK setsockopt() after a client's first write runs there too),
 * epoll_wait() and malloc_trim().  So a stalled client never blocks the
 * pipeline or another client.  It IS held across calls on a descriptor
 * that return at once whatever the peer does: fcntl(), fstat(),
 * epoll_ctl(ADD) and the DSCP setsockopt() in flu_fanout_add(); the DSCP
 * setsockopt() in flu_fanout_set_config(); epoll_ctl(DEL) when a client is
 * removed; getsockopt(SO_ERROR) on an error event; read()/write() on the
 * eventfd that wakes the writer; and epoll_create1(), eventfd() and
 * close() of the writer's own descriptors in start() and stop().
 *
 * Removing a client takes two steps: client_remove_locked() marks it,
 * takes it out of epoll and queues it in f->leaving, with the lock held
 * throughout; flush_removals() runs the callbacks of the queued clients
 * with the lock released, and is only called outside walks over
 * f->clients (after the writer's event loop and pass, at the end of
 * remove, clear and stop).  A removal never releases the lock inside a
 * walk.
 *
 * The clients array: f->clients_cookie is bumped on every change of the
 * array (a client appended by add, structs dropped by compact_clients()).
 * A write pass drops the lock around each system call, so it notes the
 * cookie first and restarts the walk from the start when it changed
 * (CLIENTS_RESTART_IF_CHANGED()); clients already leaving are skipped (the
 * clients before the change may get one more turn).  A FluClient struct
 * itself is freed only by compact_clients() once it is released and not
 * in_io; the writer thread calls it after a pass (and stop() once the
 * writer is joined), so a pointer the writer holds (an epoll event's)
 * stays valid until its next compaction, and anyone else must not use a
 * client after dropping the lock unless it is in_io or not yet released
 * (a client queued in f->leaving is not).
 *
 * Trimming: the ring is trimmed by the streaming thread as each buffer
 * arrives (and by the writer after each pass), in every state, with or
 * without clients, so buffers-queued is right after every push.  What it
 * keeps (flu_ring_keep_from()) is the oldest of: what time-min/bytes-min/
 * buffers-min ask for, the default burst (back to the keyframe before it
 * for the keyframe methods), the newest keyframe for latest-keyframe, the
 * cursor of the slowest positioned client, and the newest buffer.  The
 * limits are found by scans that only move forward as buffers arrive
 * (ring_scan() in flufanoutpolicy.c), and the slowest client's cursor is
 * a lower bound the writer recomputes after each pass (a cursor only
 * moves forward, except
 * when a client is positioned, which lowers the bound at once): the
 * streaming thread's work per buffer is O(1) amortized, whatever the
 * number of clients or the size of the ring, and no system call.
 *
 * Waking the writer: the streaming thread writes the eventfd only for
 * news, when the writer would otherwise sleep past the moment it must act:
 * new data while the writer waits with no deadline, or something urgent
 * (a client positioned, a flushing removal, a new config).  After each
 * pass with coalesce-time set, the writer sleeps until the end of the
 * next coalescing window (f->deadline_armed) whether or not data has
 * come yet, so the data of a steady stream never wakes it: it wakes once
 * per window, on its own, and passes if data came.  A window that ends
 * with no data disarms the deadline; the next buffer wakes it.
 *
 * Arrivals inside a window: a client that must not wait for the window's
 * end (just positioned: its first bytes; a flushing removal) goes into
 * f->fresh, and the wake-up's pass (fresh_pass()) writes to those clients
 * only.  The others keep one write per window: viewers arriving one by
 * one (2,500/s) would otherwise each cause a pass over every client,
 * with a write of the few buffers since the previous arrival to each.
 * A full pass (the window's end, a new config) serves the fresh ones too.
 *
 * Small buffers (config.merge_small, fluhttpsink with a coalescing
 * window): the streaming thread copies consecutive small buffers into one
 * open chunk (flufanoutmerge.c, one copy per buffer for every client)
 * instead of a ring entry each; the chunk enters the ring when the writer
 * starts a pass (and before a header change, a flushing removal, or when
 * a buffer that cannot follow arrives), so a client's write is one or two
 * iovecs per window instead of one per frame.  Off for flumultifdsink:
 * buffers-queued and buffer units would count chunks.
 *
 * Stream headers: every caps change that brings a different streamheader
 * creates a header set; each ring entry points at the set that was current
 * when it arrived.  A client gets the set of the first entry it is sent
 * (once), and a new set again before the first entry that carries it when
 * its content differs and resend-streamheader is TRUE.
 *
 * Interleave (flu_fanout_add_interleaved()): a client may get a block
 * every N bytes of what it is written (fluhttpsink's ICY metadata).  The
 * gather step cuts the client's iovecs at each boundary and puts the
 * block due there between them, by reference (shared GBytes: the owner's
 * callback's at the first boundary of a write, kept until written, the
 * filler at later ones), so one sendmsg() still carries the whole batch;
 * the accounting step takes the blocks' bytes off before the ring cursor
 * moves.  A client without one costs one test.
 *
 * Positions for new clients are decided when the first buffer after the
 * add arrives, with that buffer in the ring, exactly as the stock
 * multihandlesink does; the sync methods follow its rules (see
 * flu_ring_decide_position()).  Where we differ on purpose:
 *  - burst in buffers counts buffers (stock ignores buffers in its burst
 *    limits);
 *  - burst-keyframe without a max accepts a keyframe at the oldest queued
 *    buffer;
 *  - the ring keeps enough data for the element's default burst, back to
 *    the keyframe before it, so burst-keyframe gives at least the burst
 *    amount starting at a keyframe (stock only keeps what time-min/bytes-min
 *    ask for);
 *  - recover-policy=keyframe with no keyframe inside the soft limit waits
 *    for the next keyframe instead of sending a delta frame;
 *  - a client whose backlog exceeds backlog-limit bytes is dropped as slow
 *    even when units-max is -1, so one stalled client can never pin
 *    unbounded memory.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "flufanout.h"
#include "flufanoutpolicy.h"
#include "flufanoutmerge.h"

#include <gio/gio.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <pthread.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

GST_DEBUG_CATEGORY_STATIC (flu_fanout_debug);
#define GST_CAT_DEFAULT flu_fanout_debug

/* iovecs gathered for one sendmsg() */
#define BATCH_IOV 64
/* bytes one client may be written per turn of a pass before the others
 * get theirs: a burst to a new client does not delay everybody else */
#define TURN_BUDGET (64 * 1024)
/* events fetched by one epoll_wait() */
#define MAX_EVENTS 256
/* how often idle timeouts are checked when nothing else wakes the writer */
#define TIMEOUT_TICK_MS 250
/* after this many clients left since the last time, and no sooner than
 * TRIM_INTERVAL, the writer gives the allocator's free pages back to the
 * system (malloc_trim): thousands of viewers arriving and leaving leave
 * the freed memory of their connections (ours, libsoup's, GIO's) spread
 * over the heaps of the threads that served them, resident until
 * trimmed */
#define TRIM_AFTER_CLIENTS 256
#define TRIM_INTERVAL (2 * GST_SECOND)

/* Walks over f->clients that may drop the lock: note f->clients_cookie
 * before the loop and check it with this after every call that may
 * drop the lock; when the array changed, restart at index 0 (see the top). */
#define CLIENTS_RESTART_IF_CHANGED(f, cookie, i) \
  G_STMT_START { \
    if ((f)->clients_cookie != (cookie)) { \
      (cookie) = (f)->clients_cookie; \
      (i) = (guint) -1; \
    } \
  } G_STMT_END

typedef struct
{
  gint fd;
  FluClientStatus status;
  gboolean removing;            /* removal under way or done */
  gboolean released;            /* fd handed back to the application */
  gboolean is_socket;
  gboolean pollable;            /* registered in epoll */
  gboolean blocked;             /* last write hit EAGAIN: wait for EPOLLOUT */
  gboolean in_io;               /* writer is in a syscall on this client */
  gboolean uncork;              /* first write still to come: push out */
  gboolean fresh;               /* in f->fresh */

  FluSyncMethod sync_method;
  GstFormat min_format, max_format;
  guint64 min_value, max_value;

  FluWait wait;
  guint64 cursor;               /* next entry to send */
  gsize offset;                 /* bytes of the cursor entry already sent */
  guint64 resume;               /* after the partial entry: jump here */
  FluWait resume_wait;          /* ... or start waiting */
  guint64 flush_until;          /* remove-flush: stop before this seq */

  FluHeaders *headers;          /* header set of the last entry considered */
  FluHeaders *sent_headers;     /* last header set actually sent */
  FluHeaders *pending_headers;  /* header set being written */
  gsize headers_offset;

  /* flu_fanout_add_interleaved(): interval 0 = none */
  FluFanoutInterleave il;
  gsize il_left;                /* bytes before the next block */
  GBytes *il_block;             /* block being written */
  gsize il_block_off;

  /* accounting */
  guint64 bytes_sent;
  guint64 connect_time, connect_time_mono;
  guint64 disconnect_time, disconnect_time_mono;
  guint64 last_activity_mono;
  guint64 buffers_dropped;
  guint64 resyncs;
  GstClockTime first_ts, last_ts;
  guint64 peak_lag_bytes;
  guint64 peak_lag_time;
} FluClient;

struct _FluFanout
{
  GstObject *owner;
  FluFanoutCallbacks callbacks;
  gpointer user_data;

  GMutex lock;
  GCond io_cond;
  guint io_waiters;             /* threads in g_cond_wait (&io_cond) */
  FluFanoutConfig config;
  guint64 config_seq;           /* of config (flu_fanout_set_config_seq) */

  /* ring (flufanoutpolicy.h) */
  FluRing r;
  FluMerge merge;               /* open chunk (config.merge_small) */
  guint64 clients_keep;         /* <= every positioned client's cursor */

  /* clients */
  GPtrArray *clients;           /* FluClient*: see clients_cookie */
  GPtrArray *leaving;           /* FluClient* removed, callbacks to run */
  GHashTable *by_fd;            /* fd -> FluClient* for live clients */
  guint n_live;
  guint n_waiting_new;          /* clients in FLU_WAIT_NEW or FLU_WAIT_KEYFRAME */
  guint64 clients_cookie;       /* bumped on every change of clients */

  /* writer */
  gboolean running;
  gboolean quit;
  gint epfd;
  gint wakefd;
  GThread *thread;
  gboolean data_pending;        /* new data or positions since last pass */
  gboolean urgent;              /* a pass must not wait for coalesce-time */
  gboolean urgent_all;          /* ... and must serve every client */
  GPtrArray *fresh;             /* FluClient* whose bytes must not wait */
  guint64 last_pass;            /* monotonic time of the last full pass */
  gboolean deadline_armed;      /* the writer wakes by last_pass + coalesce */
  guint64 wakeups;              /* eventfd writes (counters) */

  /* stats */
  guint64 bytes_to_serve;
  guint64 bytes_served;

  /* giving memory back */
  guint freed_since_trim;       /* client structs freed since the last */
  guint64 last_trim;            /* monotonic */
};

void
flu_fanout_init_debug (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (flu_fanout_debug, "flufanout", 0,
        "gst-flumotion fan-out engine");
    g_once_init_leave (&done, 1);
  }
}

const gchar *
flu_client_status_nick (FluClientStatus status)
{
  static const gchar *nicks[] = { "ok", "closed", "removed", "slow", "error",
    "duplicate", "flushing"
  };

  if ((guint) status < G_N_ELEMENTS (nicks))
    return nicks[status];
  return "unknown";
}

void
flu_fanout_config_init (FluFanoutConfig * config)
{
  config->unit_format = GST_FORMAT_BUFFERS;
  config->units_max = -1;
  config->units_soft_max = -1;
  config->bytes_min = -1;
  config->buffers_min = -1;
  config->time_min = -1;
  config->recover_policy = FLU_RECOVER_POLICY_NONE;
  config->timeout = 0;
  config->sync_method = FLU_SYNC_METHOD_LATEST;
  config->burst_format = GST_FORMAT_UNDEFINED;
  config->burst_value = 0;
  config->qos_dscp = -1;
  config->resend_streamheader = TRUE;
  config->handle_read = TRUE;
  config->backlog_limit = FLU_FANOUT_DEFAULT_BACKLOG_LIMIT;
  config->coalesce_time = FLU_FANOUT_DEFAULT_COALESCE_TIME;
  config->start_on_add = FALSE;
  config->merge_small = FALSE;
}

static guint64
now_mono (void)
{
  return (guint64) g_get_monotonic_time () * GST_USECOND;
}

/* Called with the lock: @c must be written before the coalescing window
 * ends (its first bytes, a flushing removal).  The writer's next pass
 * serves only such clients when the window is not over (fresh_pass()). */
static void
mark_fresh (FluFanout * f, FluClient * c)
{
  if (!c->fresh) {
    c->fresh = TRUE;
    g_ptr_array_add (f->fresh, c);
  }
  f->urgent = TRUE;
}

/* Called with the lock: decide where a waiting client starts, @key
 * telling whether the newest queued buffer is a keyframe.  Returns FALSE
 * while it keeps waiting. */
static gboolean
position_client (FluFanout * f, FluClient * c, gboolean key)
{
  gint64 idx;

  if (c->wait == FLU_WAIT_KEYFRAME) {
    if (!key)
      return FALSE;
    idx = 0;
  } else {
    FluStartSpec spec = { c->sync_method, c->min_format, c->max_format,
      c->min_value, c->max_value
    };

    idx = flu_ring_decide_position (&f->r, &spec, &c->wait);
    if (idx < 0)
      return FALSE;
  }
  c->wait = FLU_WAIT_NONE;
  c->cursor = flu_ring_seq_of_idx (&f->r, idx);
  c->offset = 0;
  f->clients_keep = MIN (f->clients_keep, c->cursor);
  f->n_waiting_new--;
  mark_fresh (f, c);            /* its first bytes go out at once */
  GST_DEBUG_OBJECT (f->owner, "fd %d starts at seq %" G_GUINT64_FORMAT
      " (%" G_GINT64_FORMAT " buffers back)", c->fd, c->cursor, idx);
  return TRUE;
}

/* Called with the lock, right after a buffer was appended. */
static void
position_waiting_clients (FluFanout * f)
{
  gboolean key = flu_ring_entry (&f->r, f->r.head - 1)->keyframe;
  guint i;

  for (i = 0; i < f->clients->len && f->n_waiting_new > 0; i++) {
    FluClient *c = g_ptr_array_index (f->clients, i);

    if (c->removing || c->wait == FLU_WAIT_NONE)
      continue;
    if (c->status == FLU_CLIENT_STATUS_FLUSHING)
      continue;
    position_client (f, c, key);
  }
}

/* ------------------------------------------------------------------ */
/* lag and recovery */

static guint64
client_first_unsent (FluClient * c)
{
  return c->offset > 0 ? c->cursor + 1 : c->cursor;
}

static void
client_jump (FluFanout * f, FluClient * c, guint64 seq, FluWait wait)
{
  guint64 first = client_first_unsent (c);

  if (wait == FLU_WAIT_NONE && seq > first)
    c->buffers_dropped += seq - first;
  else if (wait != FLU_WAIT_NONE && f->r.head > first)
    c->buffers_dropped += f->r.head - first;
  c->resyncs++;
  if (c->offset > 0) {
    /* finish the entry being written first: never cut a buffer */
    c->resume = seq;
    c->resume_wait = wait;
  } else if (wait != FLU_WAIT_NONE) {
    c->wait = wait;
    f->n_waiting_new++;
  } else {
    c->cursor = seq;
  }
}

static void
client_recover (FluFanout * f, FluClient * c)
{
  guint64 seq;
  FluWait wait;

  if (c->resume != FLU_NO_SEQ || c->resume_wait != FLU_WAIT_NONE)
    return;                     /* already recovering */
  if (!flu_ring_recover_target (&f->r, &f->config, client_first_unsent (c),
          &seq, &wait))
    return;
  switch (f->config.recover_policy) {
    case FLU_RECOVER_POLICY_RESYNC_LATEST:
      GST_INFO_OBJECT (f->owner, "fd %d lagging, resync to latest", c->fd);
      break;
    case FLU_RECOVER_POLICY_RESYNC_SOFT_LIMIT:
      GST_INFO_OBJECT (f->owner, "fd %d lagging, resync to soft limit "
          "(seq %" G_GUINT64_FORMAT ")", c->fd, seq);
      break;
    default:
      GST_INFO_OBJECT (f->owner, "fd %d lagging, resync to keyframe %s",
          c->fd, wait == FLU_WAIT_NONE ? "in queue" : "to come");
      break;
  }
  client_jump (f, c, seq, wait);
}

/* How far @c lags (all 0 while it waits for its start). */
static void
client_lag (FluFanout * f, FluClient * c, guint64 * buffers, guint64 * bytes,
    guint64 * time)
{
  if (c->wait != FLU_WAIT_NONE) {
    *buffers = *bytes = *time = 0;
    return;
  }
  flu_ring_lag (&f->r, client_first_unsent (c), buffers, bytes, time);
}

/* ------------------------------------------------------------------ */
/* client removal */

static GstStructure *
client_stats (FluFanout * f, FluClient * c)
{
  guint64 lb = 0, lby = 0, lt = 0, duration;

  if (!c->removing)
    client_lag (f, c, &lb, &lby, &lt);
  if (c->disconnect_time_mono == 0)
    duration = now_mono () - c->connect_time_mono;
  else
    duration = c->disconnect_time_mono - c->connect_time_mono;
  return gst_structure_new ("multihandlesink-stats",
      "bytes-sent", G_TYPE_UINT64, c->bytes_sent,
      "connect-time", G_TYPE_UINT64, c->connect_time,
      "connect-time-monotonic", G_TYPE_UINT64, c->connect_time_mono,
      "disconnect-time", G_TYPE_UINT64, c->disconnect_time,
      "disconnect-time-monotonic", G_TYPE_UINT64, c->disconnect_time_mono,
      "connect-duration", G_TYPE_UINT64, duration,
      "last-activity-time-monotonic", G_TYPE_UINT64, c->last_activity_mono,
      "buffers-dropped", G_TYPE_UINT64, c->buffers_dropped,
      "first-buffer-ts", G_TYPE_UINT64, c->first_ts,
      "last-buffer-ts", G_TYPE_UINT64, c->last_ts,
      "resyncs", G_TYPE_UINT64, c->resyncs,
      "lag-bytes", G_TYPE_UINT64, lby,
      "lag-time", G_TYPE_UINT64, lt,
      "peak-lag-bytes", G_TYPE_UINT64, c->peak_lag_bytes,
      "peak-lag-time", G_TYPE_UINT64, c->peak_lag_time, NULL);
}

static void
wake_writer (FluFanout * f)
{
  guint64 one = 1;

  f->wakeups++;
  if (f->wakefd >= 0 && write (f->wakefd, &one, sizeof (one)) < 0
      && errno != EAGAIN)
    GST_WARNING_OBJECT (f->owner, "could not wake writer: %s",
        g_strerror (errno));
}

/* The writer finished a system call on a client: wake whoever waits to
 * remove it.  GLib's g_cond_broadcast() is a futex call each time, so
 * only when someone waits (once per write otherwise). */
static inline void
io_done (FluFanout * f)
{
  if (f->io_waiters > 0)
    g_cond_broadcast (&f->io_cond);
}

/* Remove a client, step 1 of 2.  Lock held, never released: @c is marked
 * removing, taken out of epoll and of the live counts, and queued in
 * f->leaving; its callbacks run later, in flush_removals (), which the
 * caller runs once it is out of any walk over f->clients.  Until then @c
 * stays allocated (not released) and queryable by fd. */
static void
client_remove_locked (FluFanout * f, FluClient * c, FluClientStatus status)
{
  if (c->removing)
    return;
  c->removing = TRUE;
  c->status = status;

  switch (status) {
    case FLU_CLIENT_STATUS_SLOW:
    case FLU_CLIENT_STATUS_ERROR:
      GST_WARNING_OBJECT (f->owner, "removing client fd %d: %s", c->fd,
          status == FLU_CLIENT_STATUS_SLOW ? "too slow" : "write error");
      break;
    default:
      GST_DEBUG_OBJECT (f->owner, "removing client fd %d: %s", c->fd,
          flu_client_status_nick (status));
      break;
  }
  if (c->pollable && f->epfd >= 0)
    epoll_ctl (f->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  c->pollable = FALSE;
  if (c->wait != FLU_WAIT_NONE)
    f->n_waiting_new--;
  c->wait = FLU_WAIT_NONE;
  c->disconnect_time = (guint64) g_get_real_time () * GST_USECOND;
  c->disconnect_time_mono = now_mono ();
  f->n_live--;
  g_ptr_array_add (f->leaving, c);
}

typedef struct
{
  gint fd;
  FluClientStatus status;
  GstStructure *stats;
} Leaving;

/* Remove the queued clients, step 2 of 2.  Lock held on entry and on
 * return; not inside a walk over f->clients: it waits for a write under
 * way on a queued client (io_cond), then releases the lock while the
 * callbacks run: client-removed while the clients can still be queried,
 * then client-fd-removed once they are released (after it, the fd is never
 * touched again).  A callback may remove more clients: they are flushed
 * too before this returns. */
static void
flush_removals (FluFanout * f)
{
  while (f->leaving->len > 0) {
    GPtrArray *list = f->leaving;
    Leaving *l = g_new (Leaving, list->len);
    guint i, n = list->len;

    f->leaving = g_ptr_array_new ();
    for (i = 0; i < n; i++) {
      FluClient *c = g_ptr_array_index (list, i);

      while (c->in_io) {
        f->io_waiters++;
        g_cond_wait (&f->io_cond, &f->lock);
        f->io_waiters--;
      }
      l[i].fd = c->fd;
      l[i].status = c->status;
    }

    g_mutex_unlock (&f->lock);
    for (i = 0; i < n && f->callbacks.client_removed; i++)
      f->callbacks.client_removed (f, l[i].fd, l[i].status, f->user_data);
    g_mutex_lock (&f->lock);

    for (i = 0; i < n; i++) {
      FluClient *c = g_ptr_array_index (list, i);

      l[i].stats = client_stats (f, c);
      g_hash_table_remove (f->by_fd, GINT_TO_POINTER (l[i].fd));
      c->released = TRUE;
      c->fd = -1;
      flu_headers_unref (c->headers);
      flu_headers_unref (c->sent_headers);
      flu_headers_unref (c->pending_headers);
      c->headers = c->sent_headers = c->pending_headers = NULL;
      g_clear_pointer (&c->il_block, g_bytes_unref);
      g_clear_pointer (&c->il.filler, g_bytes_unref);
      if (c->il.destroy)
        c->il.destroy (c->il.user_data);
      c->il.destroy = NULL;
    }
    g_ptr_array_unref (list);

    g_mutex_unlock (&f->lock);
    for (i = 0; i < n; i++) {
      if (f->callbacks.client_fd_removed)
        f->callbacks.client_fd_removed (f, l[i].fd, l[i].status, l[i].stats,
            f->user_data);
      gst_structure_free (l[i].stats);
    }
    g_free (l);
    g_mutex_lock (&f->lock);
  }
}

/* ------------------------------------------------------------------ */
/* writing */

/* Gather what @c should be sent next into @iov.  Returns the count. */
static gint
client_gather (FluFanout * f, FluClient * c, struct iovec *iov)
{
  gint n = 0;
  guint64 s, stop;
  gsize skip;

  if (c->pending_headers) {
    FluHeaders *h = c->pending_headers;
    guint i;

    skip = c->headers_offset;
    for (i = 0; i < h->n_maps && n < BATCH_IOV; i++) {
      if (skip >= h->maps[i].size) {
        skip -= h->maps[i].size;
        continue;
      }
      iov[n].iov_base = h->maps[i].data + skip;
      iov[n].iov_len = h->maps[i].size - skip;
      skip = 0;
      n++;
    }
    /* the data of the header set follows in the same write (a new
     * viewer's headers and burst are one sendmsg()): the cursor is at the
     * start of an entry of this set (the set is only made pending there),
     * and the walk below stops at the next set */
    if (i < h->n_maps)
      return n;
  }

  if (c->wait != FLU_WAIT_NONE)
    return n;
  stop = f->r.head;
  if (c->flush_until != FLU_NO_SEQ)
    stop = MIN (stop, c->flush_until);
  for (s = c->cursor; s < stop && n < BATCH_IOV; s++) {
    FluEntry *e = flu_ring_entry (&f->r, s);
    GstMapInfo *maps = flu_entry_maps (e);
    guint i;

    skip = (s == c->cursor) ? c->offset : 0;
    if (skip == 0 && e->headers != c->headers) {
      /* entering a new header set */
      if (n > 0)
        break;
      flu_headers_unref (c->headers);
      c->headers = flu_headers_ref (e->headers);
      if (e->headers && (c->sent_headers == NULL ||
              (f->config.resend_streamheader
                  && !flu_headers_equal (c->sent_headers, e->headers)))) {
        c->pending_headers = flu_headers_ref (e->headers);
        c->headers_offset = 0;
        return client_gather (f, c, iov);
      }
    }
    for (i = 0; i < e->n_maps && n < BATCH_IOV; i++) {
      if (skip >= maps[i].size) {
        skip -= maps[i].size;
        continue;
      }
      iov[n].iov_base = maps[i].data + skip;
      iov[n].iov_len = maps[i].size - skip;
      skip = 0;
      n++;
    }
    if (i < e->n_maps)
      break;                    /* batch full in the middle of an entry */
    if (c->resume != FLU_NO_SEQ || c->resume_wait != FLU_WAIT_NONE)
      break;                    /* jumping after this entry */
  }
  return n;
}

/* iovecs of one interleaved write: the gathered ones, cut at each
 * boundary, with a block between */
#define IL_MAX_IOV (BATCH_IOV * 3)

/* The block at the client's next boundary: fetched once, kept until it is
 * written. */
static GBytes *
client_il_block (FluClient * c)
{
  if (c->il_block == NULL) {
    c->il_block = c->il.next_block (c->il.user_data);
    c->il_block_off = 0;
    if (c->il_block == NULL)
      c->il_block = g_bytes_new_static ("", 0);
  }
  return c->il_block;
}

/* client_gather() with the client's interleave, if any, into @buf
 * (IL_MAX_IOV entries; *@out is where the ones to write start).  The
 * first boundary of a write gets the block next_block() returns, the
 * later ones of the same write the filler; a boundary gets its block only
 * when data follows it. */
static gint
client_gather_interleaved (FluFanout * f, FluClient * c, struct iovec *buf,
    struct iovec **out)
{
  struct iovec pay[BATCH_IOV];
  gint n, i, k = 0;
  gsize left;
  gboolean first = TRUE;

  *out = buf;
  if (c->il.interval == 0)
    return client_gather (f, c, buf);
  n = client_gather (f, c, pay);
  left = c->il_left;
  for (i = 0; i < n; i++) {
    guint8 *p = pay[i].iov_base;
    gsize len = pay[i].iov_len;

    while (len > 0) {
      gsize take;

      if (left == 0) {
        GBytes *b = first ? client_il_block (c) : c->il.filler;
        gsize size = 0, off = first ? c->il_block_off : 0;
        const guint8 *d = b ? g_bytes_get_data (b, &size) : NULL;

        if (k + 2 > IL_MAX_IOV)
          return k;
        if (size > off) {
          buf[k].iov_base = (gpointer) (d + off);
          buf[k].iov_len = size - off;
          k++;
        }
        first = FALSE;
        left = c->il.interval;
      }
      if (k + 1 > IL_MAX_IOV)
        return k;
      take = MIN (len, left);
      buf[k].iov_base = p;
      buf[k].iov_len = take;
      k++;
      p += take;
      len -= take;
      left -= take;
    }
  }
  return k;
}

static void client_advance (FluFanout * f, FluClient * c, gsize written);

/* client_advance() for what client_gather_interleaved() gathered: the
 * block bytes are taken off, the rest moves the cursor. */
static void
client_advance_interleaved (FluFanout * f, FluClient * c, gsize written)
{
  if (c->il.interval == 0) {
    client_advance (f, c, written);
    return;
  }
  while (written > 0) {
    gsize rem;

    if (c->il_left > 0) {
      gsize take = MIN (written, c->il_left);

      client_advance (f, c, take);
      c->il_left -= take;
      written -= take;
      continue;
    }
    /* at a boundary: the first of a write has il_block, later ones the
     * filler */
    if (c->il_block == NULL) {
      if (c->il.filler == NULL || g_bytes_get_size (c->il.filler) == 0) {
        c->il_left = c->il.interval;
        continue;
      }
      c->il_block = g_bytes_ref (c->il.filler);
      c->il_block_off = 0;
    }
    rem = g_bytes_get_size (c->il_block) - c->il_block_off;
    if (written < rem) {
      c->il_block_off += written;
      return;
    }
    written -= rem;
    g_clear_pointer (&c->il_block, g_bytes_unref);
    c->il_left = c->il.interval;
  }
}

/* Account for @written bytes sent to @c. */
static void
client_advance (FluFanout * f, FluClient * c, gsize written)
{
  while (written > 0) {
    FluEntry *e;
    gsize rem;

    if (c->pending_headers) {
      FluHeaders *h = c->pending_headers;

      rem = h->size - c->headers_offset;
      if (written < rem) {
        c->headers_offset += written;
        return;
      }
      written -= rem;
      flu_headers_unref (c->sent_headers);
      c->sent_headers = h;      /* takes the pending ref */
      c->pending_headers = NULL;
      c->headers_offset = 0;
      continue;
    }
    e = flu_ring_entry (&f->r, c->cursor);
    rem = e->size - c->offset;
    if (written < rem) {
      c->offset += written;
      return;
    }
    written -= rem;
    if (!GST_CLOCK_TIME_IS_VALID (c->first_ts))
      c->first_ts = e->ts;
    if (GST_CLOCK_TIME_IS_VALID (e->ts))
      c->last_ts = e->ts;
    c->offset = 0;
    if (c->resume_wait != FLU_WAIT_NONE) {
      c->wait = c->resume_wait;
      c->resume_wait = FLU_WAIT_NONE;
      c->resume = FLU_NO_SEQ;
      f->n_waiting_new++;
      c->cursor = f->r.head;
      g_warn_if_fail (written == 0);
      return;
    } else if (c->resume != FLU_NO_SEQ) {
      c->cursor = MAX (c->resume, c->cursor + 1);
      c->resume = FLU_NO_SEQ;
      g_warn_if_fail (written == 0);
      return;
    }
    c->cursor++;
  }
}

static gboolean
client_has_data (FluFanout * f, FluClient * c)
{
  if (c->pending_headers)
    return TRUE;
  if (c->wait != FLU_WAIT_NONE)
    return FALSE;
  if (c->flush_until != FLU_NO_SEQ && c->cursor >= c->flush_until)
    return FALSE;
  return c->cursor < f->r.head;
}

static gsize
iov_bytes (const struct iovec *iov, gint n)
{
  gsize size = 0;
  gint i;

  for (i = 0; i < n; i++)
    size += iov[i].iov_len;
  return size;
}

static FluClientStatus
status_for_errno (gint err)
{
  return (err == ECONNRESET || err == EPIPE || err == 0) ?
      FLU_CLIENT_STATUS_CLOSED : FLU_CLIENT_STATUS_ERROR;
}

/* Write as much as the socket takes, up to @budget bytes (0 = no limit).
 * Called with the lock held; drops it around the system calls.  Returns
 * TRUE when the budget ran out with more to write. */
static gboolean
client_write (FluFanout * f, FluClient * c, gsize budget)
{
  struct iovec buf[IL_MAX_IOV], *iov;
  gsize done = 0;
  gboolean uncorked = FALSE;

  while (!c->removing && !c->blocked && client_has_data (f, c)) {
    gint n = client_gather_interleaved (f, c, buf, &iov);
    gboolean uncork;
    ssize_t ret;
    int err;

    if (n == 0)
      break;
    if (budget > 0 && done >= budget)
      return TRUE;
    /* push a corked preamble out with the first data, not the headers
     * alone: uncork once the write holds more than the headers left */
    uncork = c->uncork && (c->pending_headers == NULL ||
        iov_bytes (iov, n) > c->pending_headers->size - c->headers_offset);
    c->in_io = TRUE;
    g_mutex_unlock (&f->lock);
    if (c->is_socket) {
      struct msghdr msg;

      memset (&msg, 0, sizeof (msg));
      msg.msg_iov = iov;
      msg.msg_iovlen = n;
      ret = sendmsg (c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (ret > 0 && uncork) {
        gint off = 0;

        /* whoever handed the socket over may have written a preamble
         * (an HTTP response head) with TCP_CORK set so that it leaves
         * together with the first data: let everything go now.  On a
         * socket that is not TCP this fails harmlessly. */
        setsockopt (c->fd, IPPROTO_TCP, TCP_CORK, &off, sizeof (off));
        uncorked = TRUE;
      }
    } else {
      ret = writev (c->fd, iov, n);
    }
    err = errno;
    g_mutex_lock (&f->lock);
    c->in_io = FALSE;
    if (uncorked)
      c->uncork = FALSE;        /* written with the lock, as every field */
    io_done (f);

    if (c->removing)
      return FALSE;
    if (ret < 0) {
      if (err == EAGAIN || err == EWOULDBLOCK) {
        c->blocked = c->pollable;
        if (!c->pollable)
          break;
        continue;
      }
      if (err == EINTR)
        continue;
      GST_DEBUG_OBJECT (f->owner, "fd %d write failed: %s", c->fd,
          g_strerror (err));
      client_remove_locked (f, c, status_for_errno (err));
      return FALSE;
    }
    done += ret;
    c->bytes_sent += ret;
    f->bytes_served += ret;
    c->last_activity_mono = now_mono ();
    client_advance_interleaved (f, c, ret);
    if (c->pollable && (gsize) ret < iov_bytes (iov, n))
      c->blocked = TRUE;        /* socket full: wait for EPOLLOUT */
  }
  if (!c->removing && c->status == FLU_CLIENT_STATUS_FLUSHING &&
      c->pending_headers == NULL && c->offset == 0 &&
      (c->wait != FLU_WAIT_NONE || c->cursor >= c->flush_until)) {
    client_remove_locked (f, c, FLU_CLIENT_STATUS_REMOVED);
  }
  return FALSE;
}

static void
client_read (FluFanout * f, FluClient * c)
{
  gchar buf[4096];

  for (;;) {
    ssize_t r;

    c->in_io = TRUE;
    g_mutex_unlock (&f->lock);
    r = read (c->fd, buf, sizeof (buf));
    g_mutex_lock (&f->lock);
    c->in_io = FALSE;
    io_done (f);
    if (c->removing)
      return;
    if (r > 0)
      continue;
    if (r == 0) {
      client_remove_locked (f, c, FLU_CLIENT_STATUS_CLOSED);
      return;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      client_remove_locked (f, c, status_for_errno (errno));
    return;
  }
}

/* Check limits and timeouts for every client.  Lock held, not released:
 * the clients it removes are flushed by the caller. */
static void
check_clients (FluFanout * f, guint64 now)
{
  guint i;
  gint64 hard = f->config.units_max, soft = f->config.units_soft_max;

  for (i = 0; i < f->clients->len; i++) {
    FluClient *c = g_ptr_array_index (f->clients, i);
    guint64 lb, lby, lt;

    if (c->removing)
      continue;
    if (f->config.timeout > 0
        && now - c->last_activity_mono > f->config.timeout) {
      GST_INFO_OBJECT (f->owner, "fd %d inactive for more than %"
          GST_TIME_FORMAT, c->fd, GST_TIME_ARGS (f->config.timeout));
      client_remove_locked (f, c, FLU_CLIENT_STATUS_SLOW);
      continue;
    }
    client_lag (f, c, &lb, &lby, &lt);
    c->peak_lag_bytes = MAX (c->peak_lag_bytes, lby);
    c->peak_lag_time = MAX (c->peak_lag_time, lt);
    if (flu_lag_exceeds (f->config.unit_format, lb, lby, lt, soft))
      client_recover (f, c);
    client_lag (f, c, &lb, &lby, &lt);
    if (flu_lag_exceeds (f->config.unit_format, lb, lby, lt, hard) ||
        (f->config.backlog_limit > 0 && lby > f->config.backlog_limit)) {
      GST_WARNING_OBJECT (f->owner, "fd %d lags %" G_GUINT64_FORMAT
          " buffers, %" G_GUINT64_FORMAT " bytes: over the limit", c->fd, lb,
          lby);
      client_remove_locked (f, c, FLU_CLIENT_STATUS_SLOW);
    }
  }
}

/* The writer's trim, after a pass: the exact oldest cursor of positioned
 * clients becomes the bound the streaming thread trims to. */
static void
ring_trim (FluFanout * f)
{
  guint64 keep = FLU_NO_SEQ;
  guint i;

  for (i = 0; i < f->clients->len; i++) {
    FluClient *c = g_ptr_array_index (f->clients, i);

    if (c->removing || c->wait != FLU_WAIT_NONE)
      continue;
    keep = MIN (keep, c->cursor);
  }
  f->clients_keep = keep;
  flu_ring_trim_to (&f->r, flu_ring_keep_from (&f->r, &f->config, keep));
}

/* Drop the structs of removed clients.  Lock held, no unlock inside. */
static void
compact_clients (FluFanout * f)
{
  guint i, j = 0;

  for (i = 0; i < f->clients->len; i++) {
    FluClient *c = g_ptr_array_index (f->clients, i);

    if (c->released && !c->in_io) {
      if (c->fresh)
        g_ptr_array_remove_fast (f->fresh, c);
      g_free (c);
      f->freed_since_trim++;
    } else
      f->clients->pdata[j++] = c;
  }
  if (j != f->clients->len)
    f->clients_cookie++;
  g_ptr_array_set_size (f->clients, j);
}

static void seal_chunk (FluFanout * f);

static void
drop_fresh (FluFanout * f)
{
  guint i;

  for (i = 0; i < f->fresh->len; i++)
    ((FluClient *) g_ptr_array_index (f->fresh, i))->fresh = FALSE;
  g_ptr_array_set_size (f->fresh, 0);
}

/* Before the end of the coalescing window: write to the clients that
 * must not wait for it (mark_fresh()), and to no other.  A viewer that
 * arrives gets its burst at once, and the others keep their one write
 * per window: passes for arrivals would otherwise write the few new
 * buffers to every client, once per arrival (O(clients) each). */
static void
fresh_pass (FluFanout * f)
{
  /* a newcomer gets what came up to now, the open chunk too (the others
   * get it at the window's end, with the next one) */
  seal_chunk (f);
  while (f->fresh->len > 0 && !f->quit) {
    FluClient *c = g_ptr_array_steal_index_fast (f->fresh, f->fresh->len - 1);

    c->fresh = FALSE;
    /* drops the lock around its system calls: the array may grow, and
     * c stays valid (only this thread frees clients) */
    while (!c->removing && client_write (f, c, TURN_BUDGET) && !f->quit);
  }
  flush_removals (f);
}

/* Write to every client, in turns of TURN_BUDGET bytes each, until every
 * client is caught up or blocked. */
static void
full_pass (FluFanout * f)
{
  gboolean more = TRUE;
  guint i;
  guint64 cookie;

  /* every client is served: none waits in f->fresh */
  drop_fresh (f);
  check_clients (f, now_mono ());
  while (more && !f->quit) {
    more = FALSE;
    cookie = f->clients_cookie;
    for (i = 0; i < f->clients->len; i++) {
      FluClient *c = g_ptr_array_index (f->clients, i);

      if (!c->removing && client_write (f, c, TURN_BUDGET))
        more = TRUE;
      CLIENTS_RESTART_IF_CHANGED (f, cookie, i);
    }
  }
  flush_removals (f);
  ring_trim (f);
  compact_clients (f);
}

static gpointer
writer_thread (gpointer data)
{
  FluFanout *f = data;
  struct epoll_event events[MAX_EVENTS];
  sigset_t set;

  /* writev() on a pipe whose reader left raises SIGPIPE: keep it away
   * from this thread; the write then fails with EPIPE. */
  sigemptyset (&set);
  sigaddset (&set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &set, NULL);

  g_mutex_lock (&f->lock);
  while (!f->quit) {
    gint n, i, timeout_ms = -1;
    gboolean pass, fresh;
    guint64 now, coalesce = f->config.coalesce_time;

    if (f->config.timeout > 0)
      timeout_ms = (gint) CLAMP (f->config.timeout / GST_MSECOND / 2, 1,
          TIMEOUT_TICK_MS);
    if (f->deadline_armed && !f->data_pending &&
        (coalesce == 0 || now_mono () >= f->last_pass + coalesce))
      f->deadline_armed = FALSE;        /* a window without data */
    if ((f->data_pending || f->deadline_armed) && coalesce > 0) {
      /* data is waiting for the end of the coalescing window, or may come
       * before it ends (armed: it then does not wake us) */
      guint64 due = f->last_pass + coalesce, t = now_mono ();
      gint left = due > t ? (gint) ((due - t + GST_MSECOND - 1) / GST_MSECOND)
          : 0;

      timeout_ms = timeout_ms < 0 ? left : MIN (timeout_ms, left);
    }
    g_mutex_unlock (&f->lock);
    n = epoll_wait (f->epfd, events, MAX_EVENTS, timeout_ms);
    g_mutex_lock (&f->lock);
    if (n < 0) {
      if (errno != EINTR)
        GST_ERROR_OBJECT (f->owner, "epoll_wait failed: %s",
            g_strerror (errno));
      continue;
    }
    if (n == 0 && f->config.timeout > 0)
      check_clients (f, now_mono ());
    now = now_mono ();
    /* a full pass at the end of the window (or for a new config); before
     * it, only the clients that must not wait */
    pass = f->data_pending && (f->urgent_all || coalesce == 0 ||
        now >= f->last_pass + coalesce);
    fresh = !pass && f->urgent;
    for (i = 0; i < n; i++) {
      FluClient *c = events[i].data.ptr;
      guint32 ev = events[i].events;

      if (c == NULL) {
        guint64 v;

        if (read (f->wakefd, &v, sizeof (v)) < 0 && errno != EAGAIN)
          GST_WARNING_OBJECT (f->owner, "eventfd read: %s", g_strerror (errno));
        continue;
      }
      if (c->removing)
        continue;
      if (ev & (EPOLLIN | EPOLLRDHUP)) {
        if (f->config.handle_read)
          client_read (f, c);
        if (c->removing)
          continue;
      }
      if (ev & (EPOLLERR | EPOLLHUP)) {
        gint err = 0;
        socklen_t len = sizeof (err);

        if ((ev & EPOLLERR) && getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err,
                &len) < 0)
          err = errno;
        client_remove_locked (f, c, status_for_errno (err));
        continue;
      }
      if (ev & EPOLLOUT) {
        c->blocked = FALSE;
        if (!pass)
          client_write (f, c, 0);
      }
    }
    /* the clients removed by the events above (and check_clients) */
    flush_removals (f);
    if (pass) {
      /* the chunk the streaming thread filled since the last pass */
      seal_chunk (f);
      f->data_pending = FALSE;
      f->urgent = FALSE;
      f->urgent_all = FALSE;
      f->last_pass = now;
      /* from here on, data for the next window needs no wake-up */
      f->deadline_armed = coalesce > 0;
      full_pass (f);
    } else if (fresh) {
      /* the window's data stays pending: its deadline is unchanged */
      f->urgent = FALSE;
      fresh_pass (f);
    }
    if (f->freed_since_trim >= TRIM_AFTER_CLIENTS
        && now >= f->last_trim + TRIM_INTERVAL) {
      f->freed_since_trim = 0;
      f->last_trim = now;
#ifdef HAVE_MALLOC_TRIM
      /* not under the lock: it walks every heap of the process */
      g_mutex_unlock (&f->lock);
      malloc_trim (0);
      g_mutex_lock (&f->lock);
#endif
    }
  }
  g_mutex_unlock (&f->lock);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* public API */

FluFanout *
flu_fanout_new (GstObject * owner, const FluFanoutCallbacks * callbacks,
    gpointer user_data)
{
  FluFanout *f = g_new0 (FluFanout, 1);

  flu_fanout_init_debug ();
  f->owner = owner;
  if (callbacks)
    f->callbacks = *callbacks;
  f->user_data = user_data;
  g_mutex_init (&f->lock);
  g_cond_init (&f->io_cond);
  flu_fanout_config_init (&f->config);
  f->clients = g_ptr_array_new ();
  f->leaving = g_ptr_array_new ();
  f->fresh = g_ptr_array_new ();
  f->by_fd = g_hash_table_new (g_direct_hash, g_direct_equal);
  f->epfd = -1;
  f->wakefd = -1;
  flu_ring_init (&f->r);
  f->clients_keep = FLU_NO_SEQ;
  return f;
}

void
flu_fanout_free (FluFanout * f)
{
  flu_fanout_stop (f);
  flu_merge_clear (&f->merge);
  g_ptr_array_free (f->clients, TRUE);
  g_ptr_array_unref (f->leaving);
  g_ptr_array_unref (f->fresh);
  g_hash_table_destroy (f->by_fd);
  flu_ring_free (&f->r);
  g_cond_clear (&f->io_cond);
  g_mutex_clear (&f->lock);
  g_free (f);
}

gboolean
flu_fanout_start (FluFanout * f, GError ** error)
{
  struct epoll_event ev;

  g_mutex_lock (&f->lock);
  if (f->running) {
    g_mutex_unlock (&f->lock);
    return TRUE;
  }
  f->epfd = epoll_create1 (EPOLL_CLOEXEC);
  f->wakefd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (f->epfd < 0 || f->wakefd < 0)
    goto failed;
  memset (&ev, 0, sizeof (ev));
  ev.events = EPOLLIN;
  ev.data.ptr = NULL;
  if (epoll_ctl (f->epfd, EPOLL_CTL_ADD, f->wakefd, &ev) < 0)
    goto failed;
  f->quit = FALSE;
  f->running = TRUE;
  /* whatever set_config or a previous run left: the writer starts with
   * nothing to do, so the first buffer wakes it */
  f->data_pending = FALSE;
  f->urgent = FALSE;
  f->urgent_all = FALSE;
  f->deadline_armed = FALSE;
  f->bytes_to_serve = 0;
  f->bytes_served = 0;
  f->thread = g_thread_new ("flufanout", writer_thread, f);
  g_mutex_unlock (&f->lock);
  return TRUE;

failed:
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
      "could not set up epoll for the writer thread: %s", g_strerror (errno));
  if (f->epfd >= 0)
    close (f->epfd);
  if (f->wakefd >= 0)
    close (f->wakefd);
  f->epfd = f->wakefd = -1;
  g_mutex_unlock (&f->lock);
  return FALSE;
}

void
flu_fanout_stop (FluFanout * f)
{
  GThread *thread;
  guint i;

  g_mutex_lock (&f->lock);
  if (!f->running) {
    g_mutex_unlock (&f->lock);
    return;
  }
  f->quit = TRUE;
  thread = f->thread;
  f->thread = NULL;
  wake_writer (f);
  g_mutex_unlock (&f->lock);
  g_thread_join (thread);

  g_mutex_lock (&f->lock);
  for (i = 0; i < f->clients->len; i++)
    client_remove_locked (f, g_ptr_array_index (f->clients, i),
        FLU_CLIENT_STATUS_REMOVED);
  flush_removals (f);
  compact_clients (f);
  f->running = FALSE;
  close (f->epfd);
  close (f->wakefd);
  f->epfd = f->wakefd = -1;
  flu_merge_clear (&f->merge);
  flu_ring_clear (&f->r);
  f->n_waiting_new = 0;
  f->clients_keep = FLU_NO_SEQ;
  f->data_pending = FALSE;
  f->urgent = FALSE;
  f->urgent_all = FALSE;
  f->deadline_armed = FALSE;
  g_mutex_unlock (&f->lock);
}

static void
client_setup_dscp (FluFanout * f, FluClient * c)
{
  struct sockaddr_storage sa;
  socklen_t slen = sizeof (sa);
  gint tos, af, ret = 0;

  if (f->config.qos_dscp < 0 || !c->is_socket)
    return;
  if (getsockname (c->fd, (struct sockaddr *) &sa, &slen) < 0)
    return;
  af = sa.ss_family;
  if (af == AF_INET6 &&
      IN6_IS_ADDR_V4MAPPED (&((struct sockaddr_in6 *) &sa)->sin6_addr))
    af = AF_INET;
  tos = (f->config.qos_dscp & 0x3f) << 2;
  if (af == AF_INET)
    ret = setsockopt (c->fd, IPPROTO_IP, IP_TOS, &tos, sizeof (tos));
  else if (af == AF_INET6)
    ret = setsockopt (c->fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof (tos));
  if (ret < 0)
    GST_DEBUG_OBJECT (f->owner, "could not set DSCP on fd %d: %s", c->fd,
        g_strerror (errno));
}

/* Lock held */
static void
set_config_locked (FluFanout * f, const FluFanoutConfig * config)
{
  gboolean dscp_changed;
  guint i;

  dscp_changed = f->config.qos_dscp != config->qos_dscp;
  if (!config->merge_small)
    seal_chunk (f);
  f->config = *config;
  if (dscp_changed)
    for (i = 0; i < f->clients->len; i++) {
      FluClient *c = g_ptr_array_index (f->clients, i);

      if (!c->removing)
        client_setup_dscp (f, c);
    }
  /* new limits: scan again, and keep what they ask for from now on */
  flu_ring_reset_scans (&f->r);
  if (f->running) {
    flu_ring_trim_to (&f->r, flu_ring_keep_from (&f->r, &f->config,
            f->clients_keep));
    f->data_pending = TRUE;
    f->urgent = TRUE;
    f->urgent_all = TRUE;
    wake_writer (f);
  }
}

void
flu_fanout_set_config (FluFanout * f, const FluFanoutConfig * config)
{
  g_mutex_lock (&f->lock);
  set_config_locked (f, config);
  g_mutex_unlock (&f->lock);
}

gboolean
flu_fanout_set_config_seq (FluFanout * f, const FluFanoutConfig * config,
    guint64 seq)
{
  gboolean newer;

  g_mutex_lock (&f->lock);
  /* a setter that lost the race to a later one: its config is older than
   * the one applied (the later setter's copy includes its change) */
  newer = seq > f->config_seq;
  if (newer) {
    f->config_seq = seq;
    set_config_locked (f, config);
  }
  g_mutex_unlock (&f->lock);
  return newer;
}

void
flu_fanout_get_config (FluFanout * f, FluFanoutConfig * config)
{
  g_mutex_lock (&f->lock);
  *config = f->config;
  g_mutex_unlock (&f->lock);
}

void
flu_fanout_set_caps (FluFanout * f, GstCaps * caps)
{
  FluHeaders *h = flu_headers_from_caps (caps);

  g_mutex_lock (&f->lock);
  if (flu_headers_equal (h, f->r.headers)) {
    /* same headers as before: nothing changes for the clients */
    flu_headers_unref (h);
  } else {
    GST_DEBUG_OBJECT (f->owner, "new stream headers: %u buffers, %"
        G_GSIZE_FORMAT " bytes", h ? h->n_buffers : 0, h ? h->size : 0);
    /* what came before goes with the old headers */
    seal_chunk (f);
    flu_headers_unref (f->r.headers);
    f->r.headers = h;
  }
  g_mutex_unlock (&f->lock);
}

/* Lock held: @buf enters the ring (bytes_to_serve is counted by the
 * caller). */
static void
ring_push_locked (FluFanout * f, GstBuffer * buf)
{
  FluRingAppendResult res;
  guint failed = 0;

  res = flu_ring_append (&f->r, buf, &failed);
  if (res == FLU_RING_APPEND_MAP_FAILED)
    GST_WARNING_OBJECT (f->owner, "could not map memory %u of a buffer, "
        "dropping the buffer", failed);
  if (res == FLU_RING_APPEND_OK) {
    gboolean was_pending = f->data_pending, was_urgent = f->urgent;

    if (f->n_waiting_new > 0)
      position_waiting_clients (f);
    /* trim now, not only when the writer serves someone: the ring is
     * bounded with no client and before the writer's next pass */
    flu_ring_trim_to (&f->r, flu_ring_keep_from (&f->r, &f->config,
            f->clients_keep));
    f->data_pending = TRUE;
    /* the writer already knows about pending data, or wakes at the end of
     * its coalescing window anyway (armed): wake it only for news */
    if ((!was_pending && !f->deadline_armed) || (f->urgent && !was_urgent))
      wake_writer (f);
  }
}

/* Lock held: the open chunk (if any) enters the ring. */
static void
seal_chunk (FluFanout * f)
{
  GstBuffer *chunk = flu_merge_seal (&f->merge);

  if (chunk) {
    ring_push_locked (f, chunk);
    gst_buffer_unref (chunk);
  }
}

/* Lock held: @buf went into the open chunk; the writer seals it at its
 * next pass, at the end of the coalescing window. */
static void
chunk_grew (FluFanout * f)
{
  gboolean was_pending = f->data_pending;

  f->data_pending = TRUE;
  if (!was_pending && !f->deadline_armed)
    wake_writer (f);
}

void
flu_fanout_push (FluFanout * f, GstBuffer * buf)
{
  g_mutex_lock (&f->lock);
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_HEADER) &&
      flu_ring_is_header (&f->r, buf)) {
    GST_DEBUG_OBJECT (f->owner, "not queueing a header buffer that is in "
        "the caps (%" G_GSIZE_FORMAT " bytes)", gst_buffer_get_size (buf));
    g_mutex_unlock (&f->lock);
    return;
  }
  f->bytes_to_serve += gst_buffer_get_size (buf);
  if (f->config.merge_small) {
    /* small buffers are copied into one chunk (see flufanoutmerge.h) */
    if (flu_merge_append (&f->merge, buf)) {
      chunk_grew (f);
      g_mutex_unlock (&f->lock);
      return;
    }
    seal_chunk (f);
    if (flu_merge_start (&f->merge, buf)) {
      chunk_grew (f);
      g_mutex_unlock (&f->lock);
      return;
    }
  }
  ring_push_locked (f, buf);
  g_mutex_unlock (&f->lock);
}

FluFanoutAddResult
flu_fanout_add (FluFanout * f, gint fd, FluSyncMethod sync_method,
    GstFormat min_format, guint64 min_value, GstFormat max_format,
    guint64 max_value)
{
  return flu_fanout_add_interleaved (f, fd, sync_method, min_format,
      min_value, max_format, max_value, NULL);
}

FluFanoutAddResult
flu_fanout_add_interleaved (FluFanout * f, gint fd, FluSyncMethod sync_method,
    GstFormat min_format, guint64 min_value, GstFormat max_format,
    guint64 max_value, const FluFanoutInterleave * interleave)
{
  FluClient *c;
  struct stat st;
  struct epoll_event ev;
  gint flags;
  gboolean running;

  /* not running comes first, whatever the fd and limits: the stock
   * element warns about the state before it looks at the fd */
  g_mutex_lock (&f->lock);
  running = f->running;
  g_mutex_unlock (&f->lock);
  if (!running)
    return FLU_FANOUT_ADD_NOT_RUNNING;
  /* one F_GETFL both checks the fd and gives its flags */
  if (fd < 0 || (flags = fcntl (fd, F_GETFL)) < 0)
    return FLU_FANOUT_ADD_BAD_FD;
  if (min_format == max_format && max_value != (guint64) - 1 &&
      min_value != (guint64) - 1 && max_value < min_value)
    return FLU_FANOUT_ADD_WRONG_LIMITS;

  g_mutex_lock (&f->lock);
  if (!f->running) {
    g_mutex_unlock (&f->lock);
    return FLU_FANOUT_ADD_NOT_RUNNING;
  }
  if (g_hash_table_contains (f->by_fd, GINT_TO_POINTER (fd))) {
    g_mutex_unlock (&f->lock);
    return FLU_FANOUT_ADD_DUPLICATE;
  }
  c = g_new0 (FluClient, 1);
  c->fd = fd;
  c->status = FLU_CLIENT_STATUS_OK;
  c->sync_method = sync_method;
  c->min_format = min_format;
  c->min_value = min_value;
  c->max_format = max_format;
  c->max_value = max_value;
  c->wait = FLU_WAIT_NEW;
  c->resume = FLU_NO_SEQ;
  c->flush_until = FLU_NO_SEQ;
  c->first_ts = c->last_ts = GST_CLOCK_TIME_NONE;
  c->connect_time = (guint64) g_get_real_time () * GST_USECOND;
  c->connect_time_mono = now_mono ();
  c->last_activity_mono = c->connect_time_mono;
  if (interleave && interleave->interval > 0 && interleave->next_block) {
    c->il = *interleave;
    c->il_left = interleave->interval;
    if (c->il.filler)
      g_bytes_ref (c->il.filler);
  }

  /* a socket from GIO (fluhttpsink's) is non-blocking already */
  if (!(flags & O_NONBLOCK) && fcntl (fd, F_SETFL, flags | O_NONBLOCK) < 0)
    GST_WARNING_OBJECT (f->owner, "could not make fd %d non-blocking: %s",
        fd, g_strerror (errno));
  c->is_socket = fstat (fd, &st) == 0 && S_ISSOCK (st.st_mode);
  c->uncork = c->is_socket;

  /* one epoll_ctl(ADD) here and one epoll_ctl(DEL) at removal: the DEL
   * is needed, the fd outlives the removal (flumultifdsink gives it back
   * to the application, which may keep it open: a registration left
   * behind would report events for a freed client) */
  memset (&ev, 0, sizeof (ev));
  ev.events = EPOLLOUT | EPOLLET;
  if (f->config.handle_read && (flags & O_ACCMODE) != O_WRONLY)
    ev.events |= EPOLLIN | EPOLLRDHUP;
  ev.data.ptr = c;
  if (epoll_ctl (f->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
    c->pollable = TRUE;
  } else {
    /* regular files cannot be polled: they are always writable */
    GST_DEBUG_OBJECT (f->owner, "fd %d not pollable (%s), writing blindly",
        fd, g_strerror (errno));
  }
  client_setup_dscp (f, c);

  g_ptr_array_add (f->clients, c);
  f->clients_cookie++;
  g_hash_table_insert (f->by_fd, GINT_TO_POINTER (fd), c);
  f->n_live++;
  f->n_waiting_new++;
  GST_DEBUG_OBJECT (f->owner, "added fd %d, sync method %d", fd, sync_method);
  /* start-on-add: the queued data is enough to decide where this client
   * starts; the stock element waits for the next buffer instead */
  if (f->config.start_on_add && f->r.head > f->r.tail) {
    /* clients arriving faster than the writer passes: the first one's
     * wake-up serves them all (an urgent pass pending has been signalled:
     * whoever sets both flags wakes the writer, whose pass clears them) */
    gboolean signalled = f->data_pending && f->urgent;

    if (position_client (f, c, flu_ring_entry (&f->r, f->r.head - 1)->keyframe)) {
      f->data_pending = TRUE;
      if (!signalled)
        wake_writer (f);
    }
  }
  g_mutex_unlock (&f->lock);
  return FLU_FANOUT_ADD_OK;
}

gboolean
flu_fanout_remove (FluFanout * f, gint fd, gboolean flush)
{
  FluClient *c;

  g_mutex_lock (&f->lock);
  c = g_hash_table_lookup (f->by_fd, GINT_TO_POINTER (fd));
  if (c == NULL) {
    g_mutex_unlock (&f->lock);
    return FALSE;
  }
  if (c->removing || c->status != FLU_CLIENT_STATUS_OK) {
    GST_INFO_OBJECT (f->owner, "fd %d already leaving (status %s)", fd,
        flu_client_status_nick (c->status));
  } else if (flush) {
    /* send what is queued for it now, then remove it */
    seal_chunk (f);
    c->status = FLU_CLIENT_STATUS_FLUSHING;
    c->flush_until = f->r.head;
    f->data_pending = TRUE;
    mark_fresh (f, c);
    wake_writer (f);
  } else {
    client_remove_locked (f, c, FLU_CLIENT_STATUS_REMOVED);
    flush_removals (f);
  }
  g_mutex_unlock (&f->lock);
  return TRUE;
}

void
flu_fanout_clear (FluFanout * f)
{
  guint i;

  g_mutex_lock (&f->lock);
  /* marked and queued without releasing the lock, then flushed */
  for (i = 0; i < f->clients->len; i++)
    client_remove_locked (f, g_ptr_array_index (f->clients, i),
        FLU_CLIENT_STATUS_REMOVED);
  flush_removals (f);
  g_mutex_unlock (&f->lock);
}

GstStructure *
flu_fanout_get_stats (FluFanout * f, gint fd)
{
  FluClient *c;
  GstStructure *s = NULL;

  g_mutex_lock (&f->lock);
  c = g_hash_table_lookup (f->by_fd, GINT_TO_POINTER (fd));
  if (c)
    s = client_stats (f, c);
  g_mutex_unlock (&f->lock);
  return s;
}

void
flu_fanout_get_counters (FluFanout * f, FluFanoutCounters * out)
{
  g_mutex_lock (&f->lock);
  out->num_clients = g_hash_table_size (f->by_fd);
  out->buffers_queued = f->r.head - f->r.tail;
  flu_ring_queued (&f->r, &out->bytes_queued, &out->time_queued);
  out->bytes_to_serve = f->bytes_to_serve;
  out->bytes_served = f->bytes_served;
  out->wakeups = f->wakeups;
  g_mutex_unlock (&f->lock);
}
