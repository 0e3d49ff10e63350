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

/**
 * SECTION:element-flufeedsrc
 * @title: flufeedsrc
 *
 * Reads a feed (GDP over TCP, from a flufeedsink or a stock
 * `gdppay ! tcpserversink`) and keeps its downstream running through
 * upstream losses: it reconnects with exponential backoff, fails over
 * between the upstreams of #FluFeedSrc:hosts, detects a silent upstream
 * with #FluFeedSrc:data-timeout, rebases timestamps so downstream running
 * time stays continuous and monotonic (an empty leading buffer of a
 * connection, such as a Vorbis encoder's first packet, is dropped: it
 * would repeat the next one's timestamp), flags the first buffer after a
 * reconnection DISCONT, and can fill the outage (#FluFeedSrc:fill).  In
 * server mode it listens and a `flufeedsink mode=client` pushes to it.
 *
 * It reads the socket into a buffer of its own (64 KiB, grown for a
 * bigger caps or event packet): one recv takes every packet that arrived
 * together, and it waits for the socket only when the buffer holds no
 * whole packet; a big buffer payload is read straight into its GstBuffer.
 *
 * |[
 * gst-launch-1.0 flufeedsrc hosts=cam1:5000,cam2:5000 ! jpegdec ! autovideosink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "flufeedsrc.h"
#include "flufeedconn.h"
#include "flufeedfill.h"
#include "flufeedread.h"
#include "flufeedstate.h"
#include "flufeedtimeline.h"
#include "flugdp.h"
#include "fluenums.h"

/* Lock order.
 *
 * Locks: the object lock (GST_OBJECT_LOCK) guards the properties
 * (self->settings) and current_port.  start() copies the settings into
 * self->run under it; the streaming thread and the connect job read
 * self->run without a lock (nothing writes it until the next start, after
 * stop() has joined the connect job).
 *
 * self->lock (with self->job_cond) guards what other threads read of the
 * running state: the connection state and outage_start (see
 * transition()), the stats, and the connect job's done flag.  The
 * streaming thread (and start(), before it runs) is the only writer of
 * the state and the stats, and reads them without the lock.
 *
 * Order: the two are never held together: each is taken alone, for a
 * copy or a store (get_property releases the object lock before
 * make_stats takes self->lock).
 *
 * Never called with a lock held: socket I/O and the handshake
 * (flu_feed_connect, flu_feed_auth, flu_feed_reader_need and _read_into,
 * g_poll),
 * g_thread_join, gst_element_post_message / GST_ELEMENT_WARNING /
 * GST_ELEMENT_ERROR, gst_pad_push_event, gst_base_src_set_caps and
 * g_object_notify. */

GST_DEBUG_CATEGORY_STATIC (flu_feed_src_debug);
#define GST_CAT_DEFAULT flu_feed_src_debug

#define DEFAULT_MODE FLU_FEED_MODE_CLIENT
#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 0
#define DEFAULT_MAX_RETRIES -1
#define DEFAULT_DATA_TIMEOUT_MS 5000
#define DEFAULT_PREFER_FIRST FALSE
#define DEFAULT_FILL FLU_FEED_FILL_NONE
#define PROBE_CONNECT_TIMEOUT_MS 1000
#define DEFAULT_LATENCY_MS 200
/* a buffer payload at least this big, not whole in the read buffer yet,
 * is read straight into its GstBuffer */
#define DIRECT_READ_MIN 4096

enum
{
  PROP_0,
  PROP_MODE,
  PROP_HOST,
  PROP_PORT,
  PROP_HOSTS,
  PROP_CURRENT_PORT,
  PROP_SECRET,
  PROP_SECRET_FILE,
  PROP_RETRY_INITIAL,
  PROP_RETRY_MAX,
  PROP_MAX_RETRIES,
  PROP_DATA_TIMEOUT,
  PROP_PREFER_FIRST,
  PROP_FILL,
  PROP_MAX_PACKET_SIZE,
  PROP_LATENCY,
  PROP_STATS
};

typedef struct
{
  gchar *host;
  guint port;
} Upstream;

/* What the stats property reports. */
typedef struct
{
  guint64 connects;             /* connections that delivered the caps */
  guint64 losses;               /* of those, lost */
  guint64 bytes;                /* GDP bytes read (headers and payloads) */
  guint64 buffers;              /* buffers output (fill output excepted) */
  GstClockTime outage_total;    /* the outages that ended, ns */
  gchar *last_error;
  gchar *current_upstream;      /* "host:port" of the connection, if any */
} FluFeedSrcStats;

/* What the properties set. */
typedef struct
{
  FluFeedLink link;             /* mode, host, port, secret, retry-* */
  gchar *hosts;
  gint max_retries;
  guint data_timeout;
  gboolean prefer_first;
  FluFeedFill fill;
  guint max_packet_size;
  guint latency;
} FluFeedSrcSettings;

struct _FluFeedSrc
{
  GstPushSrc parent;

  /* the properties, under the object lock */
  FluFeedSrcSettings settings;
  /* their copy taken at start, which the streaming thread and the connect
   * job read without a lock: it does not change while running */
  FluFeedSrcSettings run;

  /* server mode */
  GSocket *listen;
  guint current_port;
  FluFeedGate *gate;            /* handshakes in progress (streaming thread) */
  gint64 refused_logged;        /* last refusal posted (rate limit) */
  guint refused_quiet;          /* refusals since, not posted */

  /* streaming thread only */
  GArray *upstreams;
  guint current;
  GSocketConnection *conn;      /* client mode */
  GSocket *socket;
  GCancellable *cancellable;
  /* its wakeup fd, made with it and kept: GLib otherwise makes one per
   * wait, and aborts when none can be made (out of descriptors) */
  GPollFD cancel_wake;
  gint attempts;                /* failed attempts in this outage */
  guint delay;                  /* backoff, ms */
  gint64 next_attempt;          /* monotonic, us */
  gint64 last_probe;            /* monotonic, us */
  gboolean have_caps;           /* caps packet seen on this connection */
  gboolean discont;
  guint restarts;               /* reconnections, streaming thread */
  gboolean announce_restart;    /* push FLU_UPSTREAM_RESTART_EVENT first */
  gboolean leading;             /* no buffer with a duration on this
                                 * connection yet (drop empty ones) */
  FluFeedTimeline timeline;
  FluFeedFiller filler;
  FluFeedReader reader;         /* the connection's read buffer */
  struct _ConnectJob *job;      /* a connection attempt under way */

  /* under lock, written by the streaming thread only (which reads them
   * without it); job_cond signals the end of a connection attempt */
  GMutex lock;
  GCond job_cond;
  FluFeedSrcState state;        /* changed by transition() only */
  gint64 outage_start;          /* monotonic, us: when OUTAGE began */
  gint64 connected_at;          /* monotonic, us: the connection came up */
  FluFeedSrcStats stats;
};

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define flu_feed_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (FluFeedSrc, flu_feed_src, GST_TYPE_PUSH_SRC,
    GST_DEBUG_CATEGORY_INIT (flu_feed_src_debug, "flufeedsrc", 0,
        "feed source"));
GST_ELEMENT_REGISTER_DEFINE (flufeedsrc, "flufeedsrc", GST_RANK_NONE,
    FLU_TYPE_FEED_SRC);

/* ---- stats and messages ---- */

static void
stats_reset (FluFeedSrcStats * stats)
{
  g_free (stats->last_error);
  g_free (stats->current_upstream);
  memset (stats, 0, sizeof *stats);
}

/* The stats property; @outage is the outage time so far, the one under
 * way included. */
static GstStructure *
stats_to_structure (const FluFeedSrcStats * stats, GstClockTime outage)
{
  return gst_structure_new ("flufeedsrc-stats",
      "connects", G_TYPE_UINT64, stats->connects,
      "losses", G_TYPE_UINT64, stats->losses,
      "bytes", G_TYPE_UINT64, stats->bytes,
      "buffers", G_TYPE_UINT64, stats->buffers,
      "current-upstream", G_TYPE_STRING, stats->current_upstream,
      "last-error", G_TYPE_STRING, stats->last_error,
      "outage-time-total", G_TYPE_UINT64, outage, NULL);
}

static GstStructure *
make_stats (FluFeedSrc * self)
{
  GstStructure *s;
  GstClockTime outage;

  g_mutex_lock (&self->lock);
  outage = self->stats.outage_total;
  if (self->state == FLU_FEED_SRC_OUTAGE)
    outage += (g_get_monotonic_time () - self->outage_start) * GST_USECOND;
  s = stats_to_structure (&self->stats, outage);
  g_mutex_unlock (&self->lock);
  return s;
}

/* The one place the connection state changes (see flufeedstate.h), with
 * what goes with it: a confirm counts a connect, a loss of the stream a
 * loss; entering OUTAGE starts its clock, and a confirm that ends it adds
 * it to the total.  Under self->lock, which the stats getter takes.
 * Returns the state left; *outage (if not NULL) is how long the outage
 * left lasted, 0 if it was not one. */
static FluFeedSrcState
transition (FluFeedSrc * self, FluFeedSrcEvent event, gint64 now,
    GstClockTime * outage)
{
  FluFeedSrcState from, to;
  GstClockTime lasted = 0;

  g_mutex_lock (&self->lock);
  from = self->state;
  to = flu_feed_src_state_next (from, event);
  if (from == FLU_FEED_SRC_OUTAGE)
    lasted = (now - self->outage_start) * GST_USECOND;
  if (event == FLU_FEED_SRC_EVENT_CONFIRM) {
    self->stats.connects++;
    self->stats.outage_total += lasted;
  } else if (event == FLU_FEED_SRC_EVENT_LOSE && from == FLU_FEED_SRC_STREAMING) {
    self->stats.losses++;
  }
  if (to == FLU_FEED_SRC_OUTAGE && from != FLU_FEED_SRC_OUTAGE)
    self->outage_start = now;
  self->state = to;
  g_mutex_unlock (&self->lock);

  if (from != to)
    GST_DEBUG_OBJECT (self, "%s: %s -> %s", flu_feed_src_event_name (event),
        flu_feed_src_state_name (from), flu_feed_src_state_name (to));
  if (outage)
    *outage = lasted;
  return from;
}

static void
post (FluFeedSrc * self, GstStructure * s)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static void
set_last_error (FluFeedSrc * self, const gchar * error)
{
  g_mutex_lock (&self->lock);
  g_free (self->stats.last_error);
  self->stats.last_error = g_strdup (error);
  g_mutex_unlock (&self->lock);
}

/* ---- connection ---- */

static void
close_connection (FluFeedSrc * self)
{
  if (self->socket) {
    GST_DEBUG_OBJECT (self, "closing; %" G_GUINT64_FORMAT " recvs and %"
        G_GUINT64_FORMAT " waits so far", self->reader.recvs,
        self->reader.waits);
    g_socket_close (self->socket, NULL);
  }
  g_clear_object (&self->socket);
  g_clear_object (&self->conn);
  flu_feed_reader_reset (&self->reader);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->stats.current_upstream, g_free);
  g_mutex_unlock (&self->lock);
}

static gchar *
dup_current_upstream (FluFeedSrc * self)
{
  gchar *upstream;

  g_mutex_lock (&self->lock);
  upstream = g_strdup (self->stats.current_upstream);
  g_mutex_unlock (&self->lock);
  return upstream;
}

/* A connection attempt failed (or a connection died before delivering
 * anything): back off and move on to the next upstream. */
static void
attempt_failed (FluFeedSrc * self)
{
  self->attempts++;
  if (self->upstreams->len > 0)
    self->current = (self->current + 1) % self->upstreams->len;
  self->delay =
      flu_feed_backoff_next (self->delay, self->run.link.retry_initial,
      self->run.link.retry_max);
  self->next_attempt = g_get_monotonic_time () + (gint64) self->delay * 1000;
  GST_DEBUG_OBJECT (self, "next attempt in %u ms", self->delay);
}

/* The upstream went away: drop it, say why, start an outage.  A closed
 * connection is retried on the same upstream at once (it may just have
 * restarted); a silent one (data-timeout) is hung: go to the next. */
static void
lose (FluFeedSrc * self, const gchar * reason, gboolean timed_out)
{
  gchar *upstream;
  gint64 now;

  set_last_error (self, reason);
  if (self->state != FLU_FEED_SRC_STREAMING) {
    GST_INFO_OBJECT (self, "upstream failed before sending data: %s", reason);
    close_connection (self);
    if (self->run.link.mode == FLU_FEED_MODE_CLIENT)
      attempt_failed (self);
    return;
  }
  upstream = dup_current_upstream (self);
  now = g_get_monotonic_time ();
  transition (self, FLU_FEED_SRC_EVENT_LOSE, now, NULL);
  GST_WARNING_OBJECT (self, "lost upstream %s: %s", upstream, reason);
  close_connection (self);
  post (self, gst_structure_new ("flufeedsrc-disconnected",
          "upstream", G_TYPE_STRING, upstream,
          "reason", G_TYPE_STRING, reason, NULL));
  g_free (upstream);
  self->attempts = 0;
  self->delay = 0;
  self->next_attempt = now;
  if (timed_out && self->run.link.mode == FLU_FEED_MODE_CLIENT &&
      self->upstreams->len > 1)
    self->current = (self->current + 1) % self->upstreams->len;
  self->discont = TRUE;
}

/* A TCP connection (authenticated if a secret is set) is up; it counts as
 * connected once it delivers its first packet, see confirm(). */
static void
connected (FluFeedSrc * self, GSocket * socket, const gchar * name)
{
  g_socket_set_blocking (socket, FALSE);
  self->socket = socket;
  flu_feed_reader_reset (&self->reader);
  self->have_caps = FALSE;
  flu_feed_timeline_new_upstream (&self->timeline);
  self->last_probe = g_get_monotonic_time ();
  self->connected_at = self->last_probe;

  g_mutex_lock (&self->lock);
  g_free (self->stats.current_upstream);
  self->stats.current_upstream = g_strdup (name);
  g_mutex_unlock (&self->lock);
  GST_DEBUG_OBJECT (self, "connection to %s up", name);
}

/* The connection delivered the stream's caps: it counts. */
static void
confirm (FluFeedSrc * self)
{
  GstStructure *s;
  GstClockTime outage;
  FluFeedSrcState from;
  gchar *name;

  from = transition (self, FLU_FEED_SRC_EVENT_CONFIRM, g_get_monotonic_time (),
      &outage);
  name = dup_current_upstream (self);
  if (from == FLU_FEED_SRC_CONNECTING) {
    s = gst_structure_new ("flufeedsrc-connected", "upstream", G_TYPE_STRING,
        name, NULL);
  } else {
    s = gst_structure_new ("flufeedsrc-reconnected",
        "upstream", G_TYPE_STRING, name,
        "outage-duration", G_TYPE_UINT64, (guint64) outage, NULL);
    self->discont = TRUE;
    self->restarts++;
    self->announce_restart = TRUE;
  }
  self->leading = TRUE;
  GST_INFO_OBJECT (self, "connected to %s", name);
  post (self, s);
  g_free (name);
  self->attempts = 0;
  self->delay = 0;
}

static gboolean
authenticate (FluFeedSrc * self, GSocket * socket, gboolean acceptor,
    const gchar * name, GError ** err)
{
  if (!self->run.link.secret || !*self->run.link.secret)
    return TRUE;
  if (flu_feed_auth (socket, self->run.link.secret, acceptor, self->cancellable,
          err))
    return TRUE;
  if (!g_error_matches (*err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
        ("Authentication with %s failed: %s", name, (*err)->message),
        ("set the same secret on both ends of the feed"));
  return FALSE;
}

/* One connection attempt to upstream @index (client mode). */
static GSocketConnection *
try_connect (FluFeedSrc * self, guint index, guint timeout_ms, GError ** err)
{
  Upstream *u = &g_array_index (self->upstreams, Upstream, index);
  GSocketConnection *conn;
  gchar *name = g_strdup_printf ("%s:%u", u->host, u->port);

  GST_DEBUG_OBJECT (self, "connecting to %s", name);
  conn = flu_feed_connect (u->host, u->port, timeout_ms, self->cancellable,
      err);
  if (conn && !authenticate (self, g_socket_connection_get_socket (conn),
          FALSE, name, err))
    g_clear_object (&conn);
  g_free (name);
  return conn;
}

static void
use_connection (FluFeedSrc * self, GSocketConnection * conn, guint index)
{
  Upstream *u = &g_array_index (self->upstreams, Upstream, index);
  gchar *name = g_strdup_printf ("%s:%u", u->host, u->port);

  self->conn = conn;
  self->current = index;
  connected (self, g_object_ref (g_socket_connection_get_socket (conn)), name);
  g_free (name);
}

typedef struct
{
  FluFeedSrc *self;
  GSocket *socket;
} GateResult;

static void
gate_done (GSocket * socket, const GError * error, gpointer data)
{
  GateResult *r = data;
  FluFeedSrc *self = r->self;
  gchar *peer = flu_feed_socket_peer (socket);
  gint64 now = g_get_monotonic_time ();

  if (error == NULL) {
    if (r->socket == NULL)
      r->socket = g_object_ref (socket);
  } else if (now - self->refused_logged >= G_USEC_PER_SEC) {
    /* one warning a second at most, whatever a flood of peers does */
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
        ("Authentication with %s failed: %s", peer, error->message),
        ("set the same secret on both ends of the feed (%u more refused "
            "since the last warning)", self->refused_quiet));
    self->refused_logged = now;
    self->refused_quiet = 0;
  } else {
    GST_INFO_OBJECT (self, "refused pusher %s: %s", peer, error->message);
    self->refused_quiet++;
  }
  g_free (peer);
}

/* Server mode with a secret: every connecting peer goes through the
 * handshake at once, without blocking (flu_feed_gate): one peer that
 * drips its handshake or never answers no longer holds the real pusher
 * back for as long as it likes; the first to prove the secret wins. */
static GSocket *
accept_with_secret (FluFeedSrc * self, guint timeout_ms, GError ** err)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gint64 paused_until = 0;
  GateResult r = { self, NULL };

  if (self->gate == NULL) {
    gchar *secret;

    secret = g_strdup (self->run.link.secret);
    self->gate = flu_feed_gate_new (secret, FLU_FEED_MAX_PENDING_HANDSHAKES,
        FLU_FEED_AUTH_TIMEOUT_MS);
    memset (secret, 0, strlen (secret));
    g_free (secret);
  }
  for (;;) {
    GPollFD fds[2 + FLU_FEED_MAX_PENDING_HANDSHAKES];
    gint64 now = g_get_monotonic_time ();
    gboolean listening = now >= paused_until;
    gint n = 0, t = flu_feed_gate_timeout_ms (self->gate), timeout;
    guint i;

    /* past the deadline: one pass without waiting, then give up */
    timeout = now >= deadline ? 0 : (gint) ((deadline - now + 999) / 1000);
    if (!listening)
      timeout = MIN (timeout, (gint) ((paused_until - now + 999) / 1000));
    if (t >= 0)
      timeout = MIN (timeout, t);
    fds[n++] = self->cancel_wake;
    if (listening) {
      fds[n].fd = g_socket_get_fd (self->listen);
      fds[n].events = G_IO_IN;
      fds[n++].revents = 0;
    }
    n += flu_feed_gate_fill_pollfds (self->gate, fds + n,
        G_N_ELEMENTS (fds) - n);
    g_poll (fds, n, timeout);
    if (g_cancellable_set_error_if_cancelled (self->cancellable, err))
      return NULL;
    for (i = 0; listening && fds[1].revents && i < 32; i++) {
      GError *e = NULL;
      GSocket *socket = g_socket_accept (self->listen, NULL, &e);

      if (socket == NULL) {
        /* out of descriptors or the like: the listening socket stays
         * readable, so wait instead of spinning */
        if (!g_error_matches (e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
          GST_WARNING_OBJECT (self, "cannot accept: %s", e->message);
          paused_until = g_get_monotonic_time () + 200 * 1000;
        }
        g_clear_error (&e);
        break;
      }
      if (!flu_feed_gate_add (self->gate, socket, &e)) {
        GST_WARNING_OBJECT (self, "%s", e->message);
        g_clear_error (&e);
      }
      g_object_unref (socket);
    }
    flu_feed_gate_step (self->gate, gate_done, &r);
    if (r.socket) {
      /* one pusher at a time: the others start again when it goes */
      flu_feed_gate_clear (self->gate);
      return r.socket;
    }
    if (now >= deadline) {
      g_set_error (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
          "no pusher within %u ms", timeout_ms);
      return NULL;
    }
  }
}

/* Server mode: accept one pusher if one is waiting within @timeout_ms. */
static GSocket *
try_accept (FluFeedSrc * self, guint timeout_ms, gchar ** name, GError ** err)
{
  GSocket *socket;
  gboolean secret;

  secret = self->run.link.secret && *self->run.link.secret;
  if (secret) {
    socket = accept_with_secret (self, timeout_ms, err);
  } else {
    if (!g_socket_condition_timed_wait (self->listen, G_IO_IN,
            (gint64) timeout_ms * 1000, self->cancellable, err))
      return NULL;
    socket = g_socket_accept (self->listen, self->cancellable, err);
  }
  if (!socket)
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  *name = flu_feed_socket_peer (socket);
  return socket;
}

/* ---- timestamps and fill ---- */

static GstClockTime
now_running_time (FluFeedSrc * self)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  GstClockTime now, base;

  if (!clock)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  gst_object_unref (clock);
  base = gst_element_get_base_time (GST_ELEMENT (self));
  return now > base ? now - base : 0;
}

/* When the next fill output is due, as a running time; NONE if never. */
static GstClockTime
fill_due (FluFeedSrc * self)
{
  if (self->filler.mode == FLU_FEED_FILL_NONE ||
      !flu_feed_src_state_had_stream (self->state) ||
      !GST_CLOCK_TIME_IS_VALID (self->timeline.end))
    return GST_CLOCK_TIME_NONE;
  /* one interval of grace: the upstream may just be late */
  return self->timeline.end + flu_feed_filler_interval (&self->filler);
}

/* Produces one fill unit where our output ends: a buffer in @buf, or a
 * GAP event pushed here (then *buf stays NULL). */
static void
fill_once (FluFeedSrc * self, GstBuffer ** buf)
{
  GstClockTime ts = self->timeline.end;
  GstClockTime dur = flu_feed_filler_interval (&self->filler);

  *buf = flu_feed_filler_make (&self->filler, ts);
  if (!*buf) {
    GST_LOG_OBJECT (self, "gap at %" GST_TIME_FORMAT, GST_TIME_ARGS (ts));
    gst_pad_push_event (GST_BASE_SRC_PAD (self), gst_event_new_gap (ts, dur));
  }
  flu_feed_timeline_advance (&self->timeline, dur);
}

/* ---- reading ---- */

typedef enum
{
  READ_OK,
  READ_AGAIN,                   /* packet consumed, nothing to output */
  READ_LOST,                    /* the connection is gone (reason set) */
  READ_TIMEOUT,                 /* no data for data-timeout (reason set) */
  READ_FLUSHING
} ReadResult;

/* A read failed with @err (freed here). */
static ReadResult
io_result (FluFeedSrc * self, GError * err, gchar ** reason)
{
  ReadResult res;

  if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    res = READ_FLUSHING;
  } else if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
    *reason = g_strdup_printf ("no data for %u ms (data-timeout)",
        self->run.data_timeout);
    res = READ_TIMEOUT;
  } else {
    *reason = g_strdup (err->message);
    res = READ_LOST;
  }
  g_error_free (err);
  return res;
}

/* The upstream sent what is no GDP feed (@err, freed here). */
static ReadResult
garbage (FluFeedSrc * self, GError * err, gchar ** reason)
{
  GST_ELEMENT_WARNING (self, STREAM, DECODE,
      ("Invalid data from the upstream, reconnecting"),
      ("%s (is the upstream a GDP feed, flufeedsink or gdppay, and does "
          "max-packet-size allow its buffers?)", err->message));
  *reason = g_strdup_printf ("invalid GDP data: %s", err->message);
  g_error_free (err);
  return READ_LOST;
}

/* Makes @length bytes of the stream available in the read buffer. */
static gboolean
need (FluFeedSrc * self, gsize length, GError ** err)
{
  return flu_feed_reader_need (&self->reader, self->socket, length,
      self->run.data_timeout, self->cancellable, err);
}

/* Reads and checks one GDP header.  Its first bytes tell a GDP stream
 * from an upstream that asks for the secret handshake. */
static ReadResult
read_header (FluFeedSrc * self, FluGdpHeader * header, gchar ** reason)
{
  GError *err = NULL;

  if (!need (self, FLU_FEED_AUTH_MAGIC_LEN, &err))
    return io_result (self, err, reason);
  if (memcmp (flu_feed_reader_peek (&self->reader), FLU_FEED_AUTH_MAGIC,
          FLU_FEED_AUTH_MAGIC_LEN) == 0) {
    *reason = g_strdup ("the upstream asks for a secret: set the secret "
        "property to the upstream's");
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
        ("Upstream requires authentication"), ("%s", *reason));
    return READ_LOST;
  }
  if (!need (self, FLU_GDP_HEADER_LEN, &err))
    return io_result (self, err, reason);
  if (!flu_gdp_parse_header (flu_feed_reader_peek (&self->reader),
          self->run.max_packet_size, header, &err))
    return garbage (self, err, reason);
  flu_feed_reader_consume (&self->reader, FLU_GDP_HEADER_LEN);
  return READ_OK;
}

/* A buffer packet's payload into a buffer of its own: copied from the
 * read buffer when it is there whole or small, else what the read buffer
 * holds of it and the rest straight from the socket (no copy of most of
 * a big frame). */
static ReadResult
read_buffer (FluFeedSrc * self, const FluGdpHeader * header,
    GstBuffer ** out, gchar ** reason)
{
  gsize length = header->payload_length;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, length, NULL);
  GError *err = NULL;
  GstMapInfo map;
  gboolean ok, valid = TRUE;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  if (length >= DIRECT_READ_MIN &&
      flu_feed_reader_available (&self->reader) < length) {
    ok = flu_feed_reader_read_into (&self->reader, self->socket, map.data,
        length, self->run.data_timeout, self->cancellable, &err);
  } else {
    ok = need (self, length, &err);
    if (ok && length > 0) {
      memcpy (map.data, flu_feed_reader_peek (&self->reader), length);
      flu_feed_reader_consume (&self->reader, length);
    }
  }
  if (ok)
    valid = flu_gdp_check_payload (header, map.data, &err);
  gst_buffer_unmap (buf, &map);
  if (!ok || !valid) {
    gst_buffer_unref (buf);
    return ok ? garbage (self, err, reason) : io_result (self, err, reason);
  }
  *out = flu_gdp_buffer_new (header, buf);
  return READ_OK;
}

/* A caps packet: new caps on our pad when the upstream's change. */
static ReadResult
handle_caps (FluFeedSrc * self, const FluGdpHeader * header,
    const guint8 * payload, gchar ** reason)
{
  GError *err = NULL;
  GstCaps *caps = flu_gdp_caps_new (header, payload, &err);
  GstCaps *cur;

  if (!caps)
    return garbage (self, err, reason);
  cur = gst_pad_get_current_caps (GST_BASE_SRC_PAD (self));
  if (!cur || !gst_caps_is_equal (cur, caps)) {
    GST_INFO_OBJECT (self, "caps %" GST_PTR_FORMAT, caps);
    flu_feed_filler_set_caps (&self->filler, caps);
    gst_base_src_set_caps (GST_BASE_SRC (self), caps);
  }
  gst_clear_caps (&cur);
  gst_caps_unref (caps);
  self->have_caps = TRUE;
  return READ_AGAIN;
}

/* An event packet: the segment feeds the timeline, EOS is a loss, tags
 * and custom events go downstream; stream-start, gaps and the like are
 * dropped (ours are our own). */
static ReadResult
handle_event (FluFeedSrc * self, const FluGdpHeader * header,
    const guint8 * payload, gchar ** reason)
{
  GError *err = NULL;
  GstEvent *event = flu_gdp_event_new (header, payload, &err);
  const GstSegment *segment;

  /* a known event type with a payload that does not parse is broken or
   * hostile data, like a bad CRC (and GStreamer 1.22 leaks memory on
   * some of them): read no more from this connection */
  if (!event)
    return garbage (self, err, reason);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_SEGMENT:
      gst_event_parse_segment (event, &segment);
      flu_feed_timeline_set_segment (&self->timeline, segment);
      break;
    case GST_EVENT_EOS:
      gst_event_unref (event);
      *reason = g_strdup ("the upstream ended its stream (EOS)");
      return READ_LOST;
    case GST_EVENT_TAG:
    case GST_EVENT_CUSTOM_DOWNSTREAM:
    case GST_EVENT_CUSTOM_DOWNSTREAM_STICKY:
      gst_pad_push_event (GST_BASE_SRC_PAD (self), event);
      return READ_AGAIN;
    default:
      break;
  }
  gst_event_unref (event);
  return READ_AGAIN;
}

/* A caps or event packet: its payload, at most 1 MiB (the header says
 * so), parsed in the read buffer (which grows for it if need be). */
static ReadResult
read_control (FluFeedSrc * self, const FluGdpHeader * header, gchar ** reason)
{
  GError *err = NULL;
  const guint8 *payload;
  ReadResult res;

  if (!need (self, header->payload_length, &err))
    return io_result (self, err, reason);
  payload = flu_feed_reader_peek (&self->reader);
  if (!flu_gdp_check_payload (header, payload, &err))
    return garbage (self, err, reason);
  if (header->type == FLU_GDP_TYPE_CAPS)
    res = handle_caps (self, header, payload, reason);
  else
    res = handle_event (self, header, payload, reason);
  /* (after the parse: an emptied buffer that grew is freed) */
  flu_feed_reader_consume (&self->reader, header->payload_length);
  return res;
}

/* One GDP packet: a buffer in *out (READ_OK), or a packet consumed here
 * (READ_AGAIN), or why the connection is over. */
static ReadResult
read_packet (FluFeedSrc * self, GstBuffer ** out, gchar ** reason)
{
  FluGdpHeader header;
  ReadResult res;

  res = read_header (self, &header, reason);
  if (res != READ_OK)
    return res;
  if (header.type == FLU_GDP_TYPE_BUFFER)
    res = read_buffer (self, &header, out, reason);
  else
    res = read_control (self, &header, reason);
  if (res == READ_OK || res == READ_AGAIN) {
    g_mutex_lock (&self->lock);
    self->stats.bytes += FLU_GDP_HEADER_LEN + header.payload_length;
    g_mutex_unlock (&self->lock);
  }
  return res;
}

/* ---- the outage loop ---- */

/* Waits until @deadline (monotonic us) or flushing; FALSE if flushing. */
static gboolean
sleep_until (FluFeedSrc * self, gint64 deadline)
{
  GPollFD pfd;
  gint64 left = deadline - g_get_monotonic_time ();

  if (left <= 0)
    return !g_cancellable_is_cancelled (self->cancellable);
  if (!g_cancellable_make_pollfd (self->cancellable, &pfd))
    return FALSE;
  g_poll (&pfd, 1, (gint) ((left + 999) / 1000));
  g_cancellable_release_fd (self->cancellable);
  return !g_cancellable_is_cancelled (self->cancellable);
}

/* Monotonic time at which running time @rt is reached (approximately). */
static gint64
monotonic_at (FluFeedSrc * self, GstClockTime rt)
{
  GstClockTime now = now_running_time (self);

  if (!GST_CLOCK_TIME_IS_VALID (now) || rt <= now)
    return g_get_monotonic_time ();
  return g_get_monotonic_time () + (gint64) ((rt - now) / GST_USECOND);
}

static GstFlowReturn
gave_up (FluFeedSrc * self)
{
  gchar *err;

  g_mutex_lock (&self->lock);
  err = g_strdup (self->stats.last_error ? self->stats.last_error :
      "unknown error");
  g_mutex_unlock (&self->lock);
  GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
      ("Could not reach the upstream after %d retries", self->run.max_retries),
      ("last error: %s; raise max-retries (-1 = forever) or check the "
          "upstream addresses", err));
  g_free (err);
  return GST_FLOW_ERROR;
}

/* A connection attempt (connect plus handshake) runs in its own thread, so
 * that the streaming thread keeps producing fill output while a connect()
 * to an unreachable upstream waits for its timeout. */
typedef struct _ConnectJob
{
  FluFeedSrc *self;
  guint index;
  GThread *thread;
  gboolean done;                /* under self->lock */
  GSocketConnection *conn;
  GError *err;
} ConnectJob;

static gpointer
connect_job_run (gpointer data)
{
  ConnectJob *job = data;
  FluFeedSrc *self = job->self;

  job->conn = try_connect (self, job->index, FLU_FEED_CONNECT_TIMEOUT_MS,
      &job->err);
  g_mutex_lock (&self->lock);
  job->done = TRUE;
  g_cond_broadcast (&self->job_cond);
  g_mutex_unlock (&self->lock);
  return NULL;
}

static void
connect_job_start (FluFeedSrc * self)
{
  ConnectJob *job = g_new0 (ConnectJob, 1);

  job->self = self;
  job->index = self->current;
  self->job = job;
  job->thread = g_thread_new ("flufeedsrc-connect", connect_job_run, job);
}

/* Waits until the attempt ends or @deadline (monotonic, us) passes.
 * Returns the finished job (the caller owns it), or NULL on deadline. */
static ConnectJob *
connect_job_wait (FluFeedSrc * self, gint64 deadline)
{
  ConnectJob *job = self->job;
  gboolean done;

  g_mutex_lock (&self->lock);
  while (!job->done && g_get_monotonic_time () < deadline)
    g_cond_wait_until (&self->job_cond, &self->lock, deadline);
  done = job->done;
  g_mutex_unlock (&self->lock);
  if (!done)
    return NULL;
  g_thread_join (job->thread);
  self->job = NULL;
  return job;
}

static void
connect_job_free (ConnectJob * job)
{
  if (job->conn)
    g_object_unref (job->conn);
  g_clear_error (&job->err);
  g_free (job);
}

/* Connects (or accepts), producing fill output while it waits.  Returns
 * OK with *buf set to a fill buffer, or OK with *buf NULL when connected. */
static GstFlowReturn
establish (FluFeedSrc * self, GstBuffer ** buf)
{
  for (;;) {
    GError *err = NULL;
    gint64 now = g_get_monotonic_time ();
    GstClockTime due = fill_due (self);
    gint64 due_at = GST_CLOCK_TIME_IS_VALID (due) ? monotonic_at (self, due) :
        G_MAXINT64;

    /* fill when due; while an attempt runs in its thread, always */
    if (due_at <= now && (self->job || due_at <= self->next_attempt)) {
      fill_once (self, buf);
      if (*buf)
        return GST_FLOW_OK;
      continue;
    }

    if (self->run.link.mode == FLU_FEED_MODE_SERVER) {
      gint64 until = MIN (due_at, now + 1000 * G_USEC_PER_SEC);
      gchar *name = NULL;
      GSocket *socket = try_accept (self, (guint) ((until - now) / 1000),
          &name, &err);

      if (socket) {
        connected (self, socket, name);
        g_free (name);
        return GST_FLOW_OK;
      }
      if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        g_clear_error (&err);
        return GST_FLOW_FLUSHING;
      }
      if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        set_last_error (self, err->message);
      g_clear_error (&err);
      continue;
    }

    if (self->run.max_retries >= 0 && self->attempts > self->run.max_retries)
      return gave_up (self);
    if (now < self->next_attempt) {
      if (!sleep_until (self, MIN (due_at, self->next_attempt)))
        return GST_FLOW_FLUSHING;
      continue;
    }

    {
      ConnectJob *job;

      if (self->job == NULL)
        connect_job_start (self);
      job = connect_job_wait (self, due_at);
      if (job == NULL)
        continue;               /* fill output is due: the attempt goes on */
      if (job->conn) {
        use_connection (self, g_steal_pointer (&job->conn), job->index);
        connect_job_free (job);
        return GST_FLOW_OK;
      }
      if (g_error_matches (job->err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        connect_job_free (job);
        return GST_FLOW_FLUSHING;
      }
      GST_INFO_OBJECT (self, "upstream %u: %s", job->index, job->err->message);
      set_last_error (self, job->err->message);
      connect_job_free (job);
    }
    attempt_failed (self);
  }
}

/* prefer-first: while on a fallback, try the first upstream now and then,
 * and move back to it when it answers. */
static void
maybe_probe_first (FluFeedSrc * self)
{
  GSocketConnection *conn;
  gint64 now;
  GError *err = NULL;
  gchar *upstream;

  if (!self->run.prefer_first || self->current == 0 ||
      self->run.link.mode != FLU_FEED_MODE_CLIENT)
    return;
  now = g_get_monotonic_time ();
  if (now - self->last_probe < (gint64) self->run.link.retry_max * 1000)
    return;
  self->last_probe = now;
  conn = try_connect (self, 0, PROBE_CONNECT_TIMEOUT_MS, &err);
  if (!conn) {
    g_clear_error (&err);
    return;
  }
  upstream = dup_current_upstream (self);
  GST_INFO_OBJECT (self, "first upstream is back, leaving %s", upstream);
  close_connection (self);
  post (self, gst_structure_new ("flufeedsrc-disconnected",
          "upstream", G_TYPE_STRING, upstream,
          "reason", G_TYPE_STRING, "the first upstream is back (prefer-first)",
          NULL));
  g_free (upstream);
  transition (self, FLU_FEED_SRC_EVENT_SWITCH, now, NULL);
  use_connection (self, conn, 0);
}

/* A new connection that has not delivered the stream yet (an upstream
 * that accepts and stays silent, or a peer still starting): the outage
 * fill goes on while it is quiet, as it does while a connect() waits.
 * Returns TRUE with *buf set (or a GAP pushed and *buf NULL) when fill
 * output was due before the upstream sent anything; FALSE to read.  The
 * data-timeout counts from the connection, whatever was filled. */
static gboolean
fill_while_silent (FluFeedSrc * self, GstBuffer ** buf)
{
  GstClockTime due;
  gint64 due_at, now, limit;
  GPollFD fds[2];
  gint n;

  if (self->state == FLU_FEED_SRC_STREAMING ||
      flu_feed_reader_available (&self->reader) > 0)
    return FALSE;
  due = fill_due (self);
  if (!GST_CLOCK_TIME_IS_VALID (due))
    return FALSE;
  now = g_get_monotonic_time ();
  due_at = monotonic_at (self, due);
  limit = self->run.data_timeout ? self->connected_at +
      (gint64) self->run.data_timeout * 1000 : G_MAXINT64;
  if (due_at >= limit)
    return FALSE;               /* the read's own timeout comes first */
  if (due_at > now) {
    fds[0].fd = g_socket_get_fd (self->socket);
    fds[0].events = G_IO_IN | G_IO_HUP | G_IO_ERR;
    fds[0].revents = 0;
    n = 1;
    if (g_cancellable_make_pollfd (self->cancellable, &fds[1]))
      n = 2;
    g_poll (fds, n, (gint) ((due_at - now + 999) / 1000));
    if (n == 2)
      g_cancellable_release_fd (self->cancellable);
    if (fds[0].revents || g_cancellable_is_cancelled (self->cancellable))
      return FALSE;             /* data (or news) to read */
  }
  fill_once (self, buf);
  return TRUE;
}

static GstFlowReturn
flu_feed_src_create (GstPushSrc * psrc, GstBuffer ** outbuf)
{
  FluFeedSrc *self = FLU_FEED_SRC (psrc);

  for (;;) {
    GstBuffer *buf = NULL;
    gchar *reason = NULL;
    ReadResult res;

    if (!self->socket) {
      GstFlowReturn ret = establish (self, &buf);

      if (ret != GST_FLOW_OK)
        return ret;
      if (buf) {
        *outbuf = buf;
        return GST_FLOW_OK;
      }
    }
    maybe_probe_first (self);
    if (fill_while_silent (self, &buf)) {
      if (buf) {
        *outbuf = buf;
        return GST_FLOW_OK;
      }
      continue;
    }

    res = read_packet (self, &buf, &reason);
    if ((res == READ_OK || res == READ_AGAIN)
        && self->state != FLU_FEED_SRC_STREAMING && self->have_caps)
      confirm (self);
    switch (res) {
      case READ_AGAIN:
        continue;
      case READ_FLUSHING:
        /* we lost our place in the stream: start over when resumed */
        close_connection (self);
        flu_feed_timeline_new_upstream (&self->timeline);
        transition (self, FLU_FEED_SRC_EVENT_FLUSH, g_get_monotonic_time (),
            NULL);
        return GST_FLOW_FLUSHING;
      case READ_LOST:
      case READ_TIMEOUT:
        lose (self, reason, res == READ_TIMEOUT);
        g_free (reason);
        continue;
      case READ_OK:
        break;
    }
    if (!self->have_caps) {
      gst_buffer_unref (buf);
      GST_ELEMENT_WARNING (self, STREAM, DECODE,
          ("Invalid data from the upstream, reconnecting"),
          ("a GDP buffer came before any caps packet"));
      lose (self, "invalid GDP data: buffer before caps", FALSE);
      continue;
    }
    if (flu_feed_timeline_map (&self->timeline, buf, now_running_time (self)))
      GST_INFO_OBJECT (self, "rebased: offset %" GST_STIME_FORMAT,
          GST_STIME_ARGS (self->timeline.offset));
    if (self->leading && GST_BUFFER_DURATION_IS_VALID (buf) &&
        GST_BUFFER_DURATION (buf) == 0) {
      /* an encoder's first packet may cover no time (Vorbis: the first
       * block only primes the overlap) and share its timestamp with the
       * next one: after a restart that would be a timestamp twice in the
       * middle of the stream (WebM viewers see non-monotonic DTS) */
      GST_DEBUG_OBJECT (self, "dropping an empty leading buffer at %"
          GST_TIME_FORMAT, GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
      gst_buffer_unref (buf);
      continue;
    }
    if (!GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_HEADER))
      self->leading = FALSE;    /* (the stream's headers come first) */
    if (self->announce_restart) {
      /* a sticky event goes through muxers (the DISCONT flag does not):
       * sinks downstream may count the restarts (fluhttpsink's status) */
      self->announce_restart = FALSE;
      gst_pad_push_event (GST_BASE_SRC_PAD (self),
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM_STICKY,
              gst_structure_new (FLU_UPSTREAM_RESTART_EVENT, "restarts",
                  G_TYPE_UINT, self->restarts, NULL)));
    }
    if (self->discont) {
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
      self->discont = FALSE;
    }
    flu_feed_filler_remember (&self->filler, buf);
    g_mutex_lock (&self->lock);
    self->stats.buffers++;
    g_mutex_unlock (&self->lock);
    *outbuf = buf;
    return GST_FLOW_OK;
  }
}

/* ---- lifecycle ---- */

static void
settings_copy (FluFeedSrcSettings * dest, const FluFeedSrcSettings * src)
{
  *dest = *src;
  flu_feed_link_copy (&dest->link, &src->link);
  dest->hosts = g_strdup (src->hosts);
}

static void
settings_clear (FluFeedSrcSettings * settings)
{
  flu_feed_link_clear (&settings->link);
  g_clear_pointer (&settings->hosts, g_free);
}

static gboolean
parse_upstreams (FluFeedSrc * self)
{
  gchar **parts;
  guint i;

  g_array_set_size (self->upstreams, 0);
  if (self->run.hosts && *self->run.hosts) {
    parts = g_strsplit (self->run.hosts, ",", -1);
    for (i = 0; parts[i]; i++) {
      Upstream u;

      if (!*g_strstrip (parts[i]))
        continue;
      if (!flu_feed_parse_address (parts[i], self->run.link.port, &u.host,
              &u.port)) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Invalid upstream address \"%s\" in hosts", parts[i]),
            ("hosts is a comma-separated list of host:port"));
        g_strfreev (parts);
        return FALSE;
      }
      g_array_append_val (self->upstreams, u);
    }
    g_strfreev (parts);
  } else if (self->run.link.host && *self->run.link.host && self->run.link.port) {
    Upstream u = { g_strdup (self->run.link.host), self->run.link.port };

    g_array_append_val (self->upstreams, u);
  }
  if (self->upstreams->len == 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("No upstream to read"),
        ("set host and port, or hosts"));
    return FALSE;
  }
  return TRUE;
}

static void
clear_upstream (gpointer data)
{
  g_free (((Upstream *) data)->host);
}

static gboolean
flu_feed_src_start (GstBaseSrc * bsrc)
{
  FluFeedSrc *self = FLU_FEED_SRC (bsrc);

  GST_OBJECT_LOCK (self);
  settings_clear (&self->run);
  settings_copy (&self->run, &self->settings);
  GST_OBJECT_UNLOCK (self);
  if (self->run.link.mode == FLU_FEED_MODE_CLIENT && !parse_upstreams (self))
    return FALSE;
  self->current = 0;
  transition (self, FLU_FEED_SRC_EVENT_START, g_get_monotonic_time (), NULL);
  self->attempts = 0;
  self->delay = 0;
  self->next_attempt = 0;
  self->discont = FALSE;
  flu_feed_timeline_init (&self->timeline);
  flu_feed_filler_init (&self->filler, self->run.fill);
  g_mutex_lock (&self->lock);
  stats_reset (&self->stats);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gboolean
flu_feed_src_stop (GstBaseSrc * bsrc)
{
  FluFeedSrc *self = FLU_FEED_SRC (bsrc);

  if (self->job) {
    /* a connection attempt still running: stop it and wait for it */
    g_cancellable_cancel (self->cancellable);
    connect_job_free (connect_job_wait (self, G_MAXINT64));
    g_cancellable_reset (self->cancellable);
  }
  close_connection (self);
  flu_feed_filler_clear (&self->filler);
  flu_feed_reader_clear (&self->reader);
  g_array_set_size (self->upstreams, 0);
  settings_clear (&self->run);
  return TRUE;
}

static gboolean
flu_feed_src_query (GstBaseSrc * bsrc, GstQuery * query)
{
  FluFeedSrc *self = FLU_FEED_SRC (bsrc);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    guint ms;

    GST_OBJECT_LOCK (self);
    ms = self->settings.latency;
    GST_OBJECT_UNLOCK (self);
    gst_query_set_latency (query, TRUE, ms * GST_MSECOND, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return GST_BASE_SRC_CLASS (parent_class)->query (bsrc, query);
}

static gboolean
flu_feed_src_unlock (GstBaseSrc * bsrc)
{
  g_cancellable_cancel (FLU_FEED_SRC (bsrc)->cancellable);
  return TRUE;
}

static gboolean
flu_feed_src_unlock_stop (GstBaseSrc * bsrc)
{
  g_cancellable_reset (FLU_FEED_SRC (bsrc)->cancellable);
  return TRUE;
}

/* Server mode: listen from READY on, so that current-port is known. */
static gboolean
listen_if_server (FluFeedSrc * self)
{
  FluFeedLink link;
  GError *err = NULL;
  guint port = 0;

  GST_OBJECT_LOCK (self);
  flu_feed_link_copy (&link, &self->settings.link);
  GST_OBJECT_UNLOCK (self);
  if (link.mode == FLU_FEED_MODE_SERVER)
    self->listen = flu_feed_listen (link.host, link.port, &port, &err);
  if (link.mode == FLU_FEED_MODE_SERVER && !self->listen) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Cannot listen on %s:%u: %s", link.host ? link.host : "*",
            link.port, err->message),
        ("choose a free port, or port=0 for any"));
    g_clear_error (&err);
    flu_feed_link_clear (&link);
    return FALSE;
  }
  flu_feed_link_clear (&link);
  if (!self->listen)
    return TRUE;
  GST_OBJECT_LOCK (self);
  self->current_port = port;
  GST_OBJECT_UNLOCK (self);
  g_object_notify (G_OBJECT (self), "current-port");
  return TRUE;
}

static GstStateChangeReturn
flu_feed_src_change_state (GstElement * element, GstStateChange transition)
{
  FluFeedSrc *self = FLU_FEED_SRC (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !listen_if_server (self))
    return GST_STATE_CHANGE_FAILURE;
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    g_clear_pointer (&self->gate, flu_feed_gate_free);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL && self->listen) {
    g_socket_close (self->listen, NULL);
    g_clear_object (&self->listen);
    GST_OBJECT_LOCK (self);
    self->current_port = 0;
    GST_OBJECT_UNLOCK (self);
  }
  return ret;
}

static void
flu_feed_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluFeedSrc *self = FLU_FEED_SRC (object);

  if (prop_id == PROP_SECRET_FILE) {
    flu_feed_link_set_secret_file (&self->settings.link, GST_OBJECT (self),
        g_value_get_string (value));
    return;
  }
  GST_OBJECT_LOCK (self);
  if (flu_feed_link_set_property (&self->settings.link, pspec->name, value)) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_HOSTS:
      g_free (self->settings.hosts);
      self->settings.hosts = g_value_dup_string (value);
      break;
    case PROP_MAX_RETRIES:
      self->settings.max_retries = g_value_get_int (value);
      break;
    case PROP_DATA_TIMEOUT:
      self->settings.data_timeout = g_value_get_uint (value);
      break;
    case PROP_PREFER_FIRST:
      self->settings.prefer_first = g_value_get_boolean (value);
      break;
    case PROP_FILL:
      self->settings.fill = g_value_get_enum (value);
      break;
    case PROP_MAX_PACKET_SIZE:
      self->settings.max_packet_size = g_value_get_uint (value);
      break;
    case PROP_LATENCY:
      self->settings.latency = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
flu_feed_src_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FluFeedSrc *self = FLU_FEED_SRC (object);

  GST_OBJECT_LOCK (self);
  if (flu_feed_link_get_property (&self->settings.link, pspec->name, value)) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_HOSTS:
      g_value_set_string (value, self->settings.hosts);
      break;
    case PROP_CURRENT_PORT:
      g_value_set_uint (value, self->current_port);
      break;
    case PROP_MAX_RETRIES:
      g_value_set_int (value, self->settings.max_retries);
      break;
    case PROP_DATA_TIMEOUT:
      g_value_set_uint (value, self->settings.data_timeout);
      break;
    case PROP_PREFER_FIRST:
      g_value_set_boolean (value, self->settings.prefer_first);
      break;
    case PROP_FILL:
      g_value_set_enum (value, self->settings.fill);
      break;
    case PROP_MAX_PACKET_SIZE:
      g_value_set_uint (value, self->settings.max_packet_size);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, self->settings.latency);
      break;
    case PROP_STATS:
      GST_OBJECT_UNLOCK (self);
      g_value_take_boxed (value, make_stats (self));
      return;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
flu_feed_src_finalize (GObject * object)
{
  FluFeedSrc *self = FLU_FEED_SRC (object);

  settings_clear (&self->settings);
  settings_clear (&self->run);
  stats_reset (&self->stats);
  g_array_unref (self->upstreams);
  g_clear_pointer (&self->gate, flu_feed_gate_free);
  g_cancellable_release_fd (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->listen);
  flu_feed_reader_clear (&self->reader);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->job_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
flu_feed_src_init (FluFeedSrc * self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->job_cond);
  flu_feed_link_init (&self->settings.link, DEFAULT_MODE, DEFAULT_HOST,
      DEFAULT_PORT);
  self->settings.max_retries = DEFAULT_MAX_RETRIES;
  self->settings.data_timeout = DEFAULT_DATA_TIMEOUT_MS;
  self->settings.prefer_first = DEFAULT_PREFER_FIRST;
  self->settings.fill = DEFAULT_FILL;
  self->settings.max_packet_size = FLU_GDP_DEFAULT_MAX_PAYLOAD;
  self->settings.latency = DEFAULT_LATENCY_MS;
  self->upstreams = g_array_new (FALSE, TRUE, sizeof (Upstream));
  g_array_set_clear_func (self->upstreams, clear_upstream);
  flu_feed_reader_init (&self->reader);
  self->cancellable = g_cancellable_new ();
  g_cancellable_make_pollfd (self->cancellable, &self->cancel_wake);
  gst_base_src_set_live (GST_BASE_SRC (self), TRUE);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
}

static const FluFeedLinkSpec link_spec = {
  PROP_MODE, PROP_HOST, PROP_PORT, PROP_SECRET, PROP_SECRET_FILE,
  PROP_RETRY_INITIAL, PROP_RETRY_MAX,
  DEFAULT_MODE, DEFAULT_HOST,
  /* mode */
  "client: connect to the upstream(s) at host:port or hosts; "
      "server: listen on host:port for a flufeedsink mode=client to "
      "push to us",
  /* host */
  "client: upstream host (unless hosts is set); server: address to "
      "listen on (NULL or empty = all IPv4 interfaces)",
  /* port */
  "client: upstream port (and the default port of hosts entries); "
      "server: port to listen on (0 = any free port, see current-port)",
  /* secret */
  "Shared secret: prove it to the peer and require the peer to "
      "prove it (HMAC-SHA256 challenge before the GDP stream); NULL = "
      "no authentication (write-only)",
  /* retry-initial */
  "Milliseconds between the first failed reconnection attempt and "
      "the next; doubled after every failure up to retry-max",
  /* retry-max */
  "Longest delay between reconnection attempts in milliseconds; "
      "also how often prefer-first probes the first upstream",
};

static void
flu_feed_src_class_init (FluFeedSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = flu_feed_src_set_property;
  gobject_class->get_property = flu_feed_src_get_property;
  gobject_class->finalize = flu_feed_src_finalize;

  flu_feed_link_install_properties (gobject_class, &link_spec);
  g_object_class_install_property (gobject_class, PROP_HOSTS,
      g_param_spec_string ("hosts", "Upstreams",
          "client: comma-separated list of host:port upstreams tried in "
          "order for failover (overrides host and port; [v6addr]:port for "
          "IPv6)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_CURRENT_PORT,
      g_param_spec_uint ("current-port", "Current port",
          "server: the port listened on, known from the READY state on",
          0, 65535, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MAX_RETRIES,
      g_param_spec_int ("max-retries", "Maximum retries",
          "Failed connection attempts in a row before giving up with an "
          "error (-1 = retry forever; client mode only)", -1, G_MAXINT,
          DEFAULT_MAX_RETRIES, rw));
  g_object_class_install_property (gobject_class, PROP_DATA_TIMEOUT,
      g_param_spec_uint ("data-timeout", "Data timeout",
          "Milliseconds without any data after which the upstream counts "
          "as lost and is reconnected (0 = wait forever)", 0, 3600000,
          DEFAULT_DATA_TIMEOUT_MS, rw));
  g_object_class_install_property (gobject_class, PROP_PREFER_FIRST,
      g_param_spec_boolean ("prefer-first", "Prefer first upstream",
          "While reading a fallback upstream of hosts, try the first one "
          "every retry-max milliseconds and go back to it when it answers",
          DEFAULT_PREFER_FIRST, rw));
  g_object_class_install_property (gobject_class, PROP_FILL,
      g_param_spec_enum ("fill", "Outage fill",
          "What downstream gets while the upstream is away",
          FLU_TYPE_FEED_FILL, DEFAULT_FILL, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_PACKET_SIZE,
      g_param_spec_uint ("max-packet-size", "Maximum packet size",
          "Largest GDP payload accepted, in bytes; a larger length field is "
          "treated as garbage and the upstream reconnected (caps and event "
          "packets are limited to 1 MiB)", 1024, FLU_GDP_MAX_MAX_PAYLOAD,
          FLU_GDP_DEFAULT_MAX_PAYLOAD, rw));
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Milliseconds of latency reported downstream: buffers are stamped "
          "with their arrival time, so synchronised sinks need this much "
          "room for network jitter", 0, 60000, DEFAULT_LATENCY_MS, rw));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "flufeedsrc-stats structure: connects, losses, bytes, buffers, "
          "current-upstream, last-error, outage-time-total (ns)",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  element_class->change_state = flu_feed_src_change_state;
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "Feed source",
      "Source/Network",
      "Reads a GDP feed over TCP with reconnection, failover and continuous "
      "timestamps", "gst-flumotion developers");

  basesrc_class->start = flu_feed_src_start;
  basesrc_class->stop = flu_feed_src_stop;
  basesrc_class->unlock = flu_feed_src_unlock;
  basesrc_class->unlock_stop = flu_feed_src_unlock_stop;
  basesrc_class->query = flu_feed_src_query;
  pushsrc_class->create = flu_feed_src_create;

  gst_type_mark_as_plugin_api (FLU_TYPE_FEED_FILL, 0);
  gst_type_mark_as_plugin_api (FLU_TYPE_FEED_MODE, 0);
}
