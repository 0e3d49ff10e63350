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

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#define _GNU_SOURCE             /* accept4 */
#include "fluhttpserver.h"
#include "flulisten.h"
#include "fluhttpauthpool.h"
#include "fluhttpauth.h"
#include "fluhttpporter.h"
#include "fluhttpkeep.h"
#include "fluhttpinput.h"
#include "fluporterproto.h"

#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

GST_DEBUG_CATEGORY_STATIC (flu_http_server_debug);
#define GST_CAT_DEFAULT flu_http_server_debug

#define LISTEN_BACKLOG 4096
/* how soon to accept again after accept() failed for want of resources */
#define RETRY_MS 200
/* connections accepted in one go before the other sources run */
#define ACCEPT_BATCH 32
#define SERVER_HEADER "gst-flumotion/" VERSION " fluhttpsink"
/* how often a server looks whether a burst of connections went away, and
 * how many must have gone for the heap to be given back (see trim_check) */
#define TRIM_CHECK_SECONDS 5
#define TRIM_AFTER_CONNECTIONS 512
/* kept-alive connections between requests (fluhttpkeep.c): idle ones
 * are closed after the header timeout, or this with no header timeout
 * (nginx's keepalive_timeout); an answer must be all written within
 * KEEP_STALL_S */
#define KEEP_IDLE_NO_TIMEOUT_S 75
#define KEEP_STALL_S 60

/* Our connection class, given to libsoup: it answers 431 to a peer whose
 * request head libsoup gave up on (over its 64 KB limit), which libsoup
 * closes without a word.  Server thread only. */
typedef struct
{
  GTcpConnection parent;
  gboolean head_done;           /* got-headers came */
  gboolean answered;            /* libsoup or we wrote an answer */
  gboolean quiet;               /* server stopping, or closed by a timer */
  gchar *key;                   /* in conn_table */
  GSocketAddress *local, *remote;       /* for a kept connection's return */
  gboolean head_ready;          /* back from fluhttpkeep.c, whole head in */
  gint64 accepted;              /* monotonic us; until its first request
                                 * goes to libsoup (header timeout) */
  GInputStream *input;          /* fluhttpinput.c's, over the socket's */
} FluHttpConnection;

typedef GTcpConnectionClass FluHttpConnectionClass;

static GType flu_http_connection_get_type (void);
G_DEFINE_TYPE (FluHttpConnection, flu_http_connection, G_TYPE_TCP_CONNECTION);

/* set while a server thread closes every connection it has (stopping):
 * no 431 for those */
static __thread gboolean disconnecting;

/* connections alive in the process (every server), and the most since
 * the heap was last trimmed */
static gint live_connections;
static gint live_peak;
/* trim_check (): a burst's trim happened, and the count at the previous
 * check */
static gint trim_tail;
static gint trim_last_now = -1;

struct _FluHttpServer
{
  gint refcount;                /* under registry_lock */
  gchar *key;                   /* address:port in the registry */
  SoupServer *soup;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  guint port;
  guint header_timeout;         /* seconds, 0 = none */
  GHashTable *mounts;           /* path -> Mount; server thread only */
  GPtrArray *prefixes;          /* PrefixMount, longest first; server thread */
  GSocket *listen_sock;
  GSource *accept_watch;        /* server thread only, as retry */
  GSource *retry;
  GSource *trim;
  GSocket *accepting;           /* in soup_server_accept_iostream () */
  FluHttpConnection *accepting_conn;
  GSocket *inert;               /* see inert_listener () */
  gint inert_peer;
  gboolean stopping;
  guint64 stalls;
  FluHttpPorter *porter;        /* behind a porter: no listen_sock */
  GArray *porter_watches;       /* PorterWatch; server thread only */
  FluHttpKeep *keep;            /* server thread only */
  gboolean first_fast;          /* fresh connections wait in keep too */
  GPtrArray *fast;              /* FastPrefix; server thread only */
};

/* A fast handler (flu_http_server_add_fast_prefix ()). */
typedef struct
{
  gchar *prefix;
  FluHttpKeepFastFunc func;
  gpointer user_data;
  gboolean takes;               /* may take the connection */
} FastPrefix;

typedef struct
{
  gpointer owner;
  FluHttpPorterEventFunc func;
  gpointer user_data;
} PorterWatch;

typedef struct
{
  FluHttpMountFunc func;
  FluHttpStreamStatsFunc stats; /* streams only */
  FluHttpRefusedFunc refused;
  gpointer user_data;
} Mount;

/* A mount of every path under a prefix (after the exact mounts). */
typedef struct
{
  gchar *prefix;
  Mount m;
} PrefixMount;

/* Header timeout of one connection, server thread only. */
typedef struct
{
  SoupServerMessage *msg;
  GSource *source;
  gulong handlers[3];
} HeaderTimer;

static GMutex registry_lock;
static GHashTable *registry;    /* key -> FluHttpServer */

/* Kept-alive connections: a request after the first on a connection
 * (libsoup reads it after an answer without "Connection: close", see
 * flu_http_server_keep_alive()) finds its connection and GSocket here,
 * by its local and remote addresses, which libsoup knows for every
 * message.  "local|remote" -> FluHttpConnection (not reffed: removed when
 * the connection is finalized).  Any thread (finalize), under conn_lock. */
static GMutex conn_lock;
static GHashTable *conn_table;

/* the GSocket of a message, on the message */
static GQuark
message_socket_quark (void)
{
  static gsize q = 0;

  if (g_once_init_enter (&q))
    g_once_init_leave (&q, g_quark_from_static_string ("flu-http-socket"));
  return (GQuark) q;
}

static void
debug_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (flu_http_server_debug, "fluhttpserver", 0,
        "fluhttpsink shared HTTP servers");
    g_once_init_leave (&done, 1);
  }
}

void
flu_http_server_keep_alive (SoupServerMessage * msg)
{
  soup_message_headers_remove (soup_server_message_get_response_headers
      (msg), "Connection");
}

void
flu_http_server_set_common_headers (SoupServerMessage * msg)
{
  flu_http_server_fill_common_headers (soup_server_message_get_response_headers
      (msg));
}

void
flu_http_server_fill_common_headers (SoupMessageHeaders * h)
{
  soup_message_headers_replace (h, "Server", SERVER_HEADER);
  soup_message_headers_replace (h, "Connection", "close");
  soup_message_headers_replace (h, "Cache-Control", "no-cache");
}

/* libsoup 3.2 knows no phrase for some statuses we send ("Unknown
 * Error"): the RFC's reason phrases */
const gchar *
flu_http_server_status_phrase (guint status)
{
  switch (status) {
    case FLU_HTTP_STATUS_TOO_MANY_REQUESTS:
      return "Too Many Requests";
    case FLU_HTTP_STATUS_HEADERS_TOO_LARGE:
      return "Request Header Fields Too Large";
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      return "Content Too Large";
    case SOUP_STATUS_REQUEST_URI_TOO_LONG:
      return "URI Too Long";
    default:
      return soup_status_get_phrase (status);
  }
}

void
flu_http_server_respond (SoupServerMessage * msg, guint status,
    const gchar * text)
{
  const gchar *phrase = flu_http_server_status_phrase (status);
  gchar *body;

  flu_http_server_set_common_headers (msg);
  body = g_strdup_printf ("%u %s%s%s\n", status, phrase, text ? ": " : "",
      text ? text : "");
  soup_server_message_set_status (msg, status, phrase);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8",
      SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
header_timer_free (HeaderTimer * t)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (t->handlers); i++)
    g_signal_handler_disconnect (t->msg, t->handlers[i]);
  g_source_destroy (t->source);
  g_source_unref (t->source);
  g_object_unref (t->msg);
  g_free (t);
}

/* libsoup has no GSocket for a connection given to it as a stream
 * (soup_server_message_get_socket() is NULL then): ours rides on the
 * message, set in request_started(). */
GSocket *
flu_http_server_message_get_socket (SoupServerMessage * msg)
{
  return g_object_get_qdata (G_OBJECT (msg), message_socket_quark ());
}

static gboolean
flu_http_connection_close (GIOStream * stream, GCancellable * cancellable,
    GError ** error)
{
  FluHttpConnection *self = (FluHttpConnection *) stream;
  GSocket *sock = g_socket_connection_get_socket (G_SOCKET_CONNECTION (self));

  if (!self->head_done && !self->answered && !self->quiet && !disconnecting
      && sock && !g_socket_is_closed (sock)) {
    gchar c;
    gssize n = recv (g_socket_get_fd (sock), &c, 1, MSG_PEEK | MSG_DONTWAIT);

    /* the peer is still there (not gone, not shut down by the header
     * timer): libsoup stopped reading a head too large for it */
    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
#define BODY_431 "431 Request Header Fields Too Large: over 64 KB of " \
      "request head\n"
      static const gchar answer[] = "HTTP/1.1 431 Request Header Fields Too "
          "Large\r\nServer: " SERVER_HEADER "\r\nConnection: close\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n"
          "Content-Length: %u\r\n\r\n" BODY_431;
      gchar *text = g_strdup_printf (answer, (guint) strlen (BODY_431));

      GST_INFO ("closing a connection whose request head is over 64 KB: 431");
      g_socket_send_with_blocking (sock, text, strlen (text), FALSE, NULL,
          NULL);
      g_free (text);
#undef BODY_431
      /* the rest of the head waits unread: a close now would reset the
       * connection and lose the answer */
      g_socket_shutdown (sock, FALSE, TRUE, NULL);
    }
  }
  return G_IO_STREAM_CLASS (flu_http_connection_parent_class)->close_fn
      (stream, cancellable, error);
}

static gchar *
connection_key (GSocketAddress * local, GSocketAddress * remote)
{
  gchar *l, *r, *key;

  if (!G_IS_INET_SOCKET_ADDRESS (local) || !G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  l = g_inet_address_to_string (g_inet_socket_address_get_address
      (G_INET_SOCKET_ADDRESS (local)));
  r = g_inet_address_to_string (g_inet_socket_address_get_address
      (G_INET_SOCKET_ADDRESS (remote)));
  key = g_strdup_printf ("%s:%u|%s:%u", l,
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)), r,
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)));
  g_free (l);
  g_free (r);
  return key;
}

static void
flu_http_connection_finalize (GObject * object)
{
  FluHttpConnection *self = (FluHttpConnection *) object;

  if (self->key) {
    g_mutex_lock (&conn_lock);
    if (conn_table && g_hash_table_lookup (conn_table, self->key) == self)
      g_hash_table_remove (conn_table, self->key);
    g_mutex_unlock (&conn_lock);
    g_free (self->key);
  }
  g_clear_object (&self->local);
  g_clear_object (&self->remote);
  g_clear_object (&self->input);
  g_atomic_int_add (&live_connections, -1);
  G_OBJECT_CLASS (flu_http_connection_parent_class)->finalize (object);
}

/* the socket's input stream under fluhttpinput.c's: the bytes
 * fluhttpkeep.c read off are given back there */
static GInputStream *
flu_http_connection_get_input (GIOStream * stream)
{
  FluHttpConnection *self = (FluHttpConnection *) stream;

  if (self->input == NULL)
    self->input = flu_http_input_new (G_IO_STREAM_CLASS
        (flu_http_connection_parent_class)->get_input_stream (stream));
  return self->input;
}

static void
flu_http_connection_class_init (FluHttpConnectionClass * klass)
{
  G_IO_STREAM_CLASS (klass)->close_fn = flu_http_connection_close;
  G_IO_STREAM_CLASS (klass)->get_input_stream = flu_http_connection_get_input;
  G_OBJECT_CLASS (klass)->finalize = flu_http_connection_finalize;
}

static void
connection_counted (void)
{
  gint n = g_atomic_int_add (&live_connections, 1) + 1, peak;

  do
    peak = g_atomic_int_get (&live_peak);
  while (n > peak && !g_atomic_int_compare_and_exchange (&live_peak, peak, n));
}

/* After thousands of connections that each held a request head for a
 * while (slowloris, a flash crowd) have gone, glibc keeps the memory they
 * used: freed, but in the middle of the server thread's malloc arena,
 * which it only shrinks from the top.  Measured after 2,000 slowloris
 * (2,000 at once, 10,000 in 15 s): RSS 18.8 MB before, 64.5 MB after
 * they were all gone, of which malloc held 6.9 MB in use and 54 MB in
 * all (G_SLICE=always-malloc; with GLib 2.74's slice allocator another
 * ~7 MB stays cached in its magazines, reused by the next burst).  No
 * object of ours or libsoup's is kept: malloc_trim () gives the free
 * pages back (21.2 MB).  So once that many connections have gone since
 * the last trim, it runs, in the server thread, at most every
 * TRIM_CHECK_SECONDS (a few ms; no lock of ours is held). */
static gboolean
trim_check (gpointer data)
{
  static gsize enabled = 0;     /* 1 = no, 2 = yes */
  gint now = g_atomic_int_get (&live_connections);
  gint peak = g_atomic_int_get (&live_peak);

  /* FLU_HTTP_MALLOC_TRIM=0 leaves glibc to itself (harden/churn measures
   * RSS per connection that way: a trim between its two figures would
   * only move them) */
  if (g_once_init_enter (&enabled))
    g_once_init_leave (&enabled,
        g_strcmp0 (g_getenv ("FLU_HTTP_MALLOC_TRIM"), "0") == 0 ? 1 : 2);
  if (enabled == 2 && peak - now >= TRIM_AFTER_CONNECTIONS &&
      g_atomic_int_compare_and_exchange (&live_peak, peak, now)) {
    GST_DEBUG ("%d connections gone since the last trim: giving the heap "
        "back", peak - now);
    malloc_trim (0);
    /* a trim in the middle of a burst: its tail, fewer than
     * TRIM_AFTER_CONNECTIONS maybe, is trimmed once it is over */
    g_atomic_int_set (&trim_tail, 1);
  } else if (enabled == 2 && peak > now &&
      now == g_atomic_int_get (&trim_last_now) &&
      g_atomic_int_compare_and_exchange (&trim_tail, 1, 0) &&
      g_atomic_int_compare_and_exchange (&live_peak, peak, now)) {
    /* no change since the previous check: the burst is over */
    GST_DEBUG ("the last %d connections of a burst gone: giving the heap "
        "back", peak - now);
    malloc_trim (0);
  }
  g_atomic_int_set (&trim_last_now, now);
  return G_SOURCE_CONTINUE;
}

static void
flu_http_connection_init (FluHttpConnection * self)
{
}

static GQuark
message_connection_quark (void)
{
  static gsize q = 0;

  if (g_once_init_enter (&q))
    g_once_init_leave (&q, g_quark_from_static_string ("flu-http-conn"));
  return (GQuark) q;
}

/* the connection a message came on; it outlives the message */
static FluHttpConnection *
message_connection (SoupServerMessage * msg)
{
  return g_object_get_qdata (G_OBJECT (msg), message_connection_quark ());
}

static gboolean
header_timer_fired (gpointer data)
{
  HeaderTimer *t = data;
  GSocket *sock = flu_http_server_message_get_socket (t->msg);

  GST_INFO ("client %s did not send its request headers in time, closing",
      GST_STR_NULL (soup_server_message_get_remote_host (t->msg)));
  /* libsoup sees end of stream on its next read and drops the
   * connection; other connections are not affected. */
  if (message_connection (t->msg))
    message_connection (t->msg)->quiet = TRUE;
  if (sock)
    g_socket_shutdown (sock, TRUE, TRUE, NULL);
  header_timer_free (t);
  return G_SOURCE_REMOVE;
}

static void
header_timer_cancel (SoupServerMessage * msg, gpointer data)
{
  header_timer_free (data);
}

static GQuark
message_refused_quark (void)
{
  static gsize q = 0;

  if (g_once_init_enter (&q))
    g_once_init_leave (&q, g_quark_from_static_string ("flu-http-refused"));
  return (GQuark) q;
}

/* Answers @msg on its socket, bypassing libsoup, and closes the
 * connection: libsoup reads the request body after "got-headers" whatever
 * the status (into memory, before any handler runs), and has no way to
 * skip it; here it sees the end of the stream on its next read and drops
 * the connection without calling a handler (dispatch () checks too).  A
 * peer still sending its body may see a reset instead of this answer. */
static void
refuse_raw (FluHttpServer * self, SoupServerMessage * msg, guint status,
    const gchar * why)
{
  GSocket *sock = flu_http_server_message_get_socket (msg);
  const gchar *phrase = flu_http_server_status_phrase (status);
  gchar *body = g_strdup_printf ("%u %s: %s\n", status, phrase, why);
  gchar *answer = g_strdup_printf ("HTTP/1.1 %u %s\r\nServer: %s\r\n"
      "Connection: close\r\nCache-Control: no-cache\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n%s", status, phrase,
      SERVER_HEADER, strlen (body), body);

  GST_INFO ("port %u: %s %s from %s: %u (%s)", self->port,
      GST_STR_NULL (soup_server_message_get_method (msg)),
      g_uri_get_path (soup_server_message_get_uri (msg)),
      GST_STR_NULL (soup_server_message_get_remote_host (msg)), status, why);
  g_object_set_qdata (G_OBJECT (msg), message_refused_quark (),
      GUINT_TO_POINTER (status));
  if (message_connection (msg))
    message_connection (msg)->answered = TRUE;
  if (sock) {
    /* a few hundred bytes into an empty send buffer: never blocks */
    g_socket_send_with_blocking (sock, answer, strlen (answer), FALSE, NULL,
        NULL);
    g_socket_shutdown (sock, TRUE, TRUE, NULL);
  }
  g_free (answer);
  g_free (body);
}

/* got-headers: what can be refused before libsoup reads on.  A request
 * with a body (Content-Length > 0, or any Transfer-Encoding) is refused:
 * fluhttpsink serves GET, HEAD and OPTIONS only, and libsoup would buffer
 * the whole body in memory first (a GET with Content-Length: 1 GB took
 * 1 GB of RSS), or wait for ever for a body that never comes, after the
 * header timeout stopped. */
static void
check_head (SoupServerMessage * msg, gpointer data)
{
  FluHttpServer *self = data;
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *why = NULL;
  guint status;

  if (message_connection (msg))
    message_connection (msg)->head_done = TRUE;
  status = flu_http_head_check (soup_server_message_get_request_headers (msg),
      uri ? g_uri_get_path (uri) : NULL, uri ? g_uri_get_query (uri) : NULL,
      &why);
  if (status != SOUP_STATUS_NONE) {
    Mount *m = uri ? g_hash_table_lookup (self->mounts,
        g_uri_get_path (uri)) : NULL;

    refuse_raw (self, msg, status, why);
    if (m && m->refused)
      m->refused (m->user_data, msg, status, why);
  }
}

static void
wrote_headers (SoupServerMessage * msg, gpointer data)
{
  if (message_connection (msg))
    message_connection (msg)->answered = TRUE;
}

static void
request_started (SoupServer * soup, SoupServerMessage * msg, gpointer data)
{
  FluHttpServer *self = data;
  HeaderTimer *t;

  /* the first request of a connection we are handing to libsoup; every
   * answer says "Connection: close" (flu_http_server_set_common_headers)
   * except fluhlssink's (flu_http_server_keep_alive), after which the
   * next request of the connection comes here too */
  if (self->accepting) {
    g_object_set_qdata_full (G_OBJECT (msg), message_socket_quark (),
        g_object_ref (self->accepting), g_object_unref);
    g_object_set_qdata (G_OBJECT (msg), message_connection_quark (),
        self->accepting_conn);
  } else {
    /* a later request on a kept-alive connection */
    gchar *key = connection_key (soup_server_message_get_local_address (msg),
        soup_server_message_get_remote_address (msg));
    FluHttpConnection *c = NULL;

    g_mutex_lock (&conn_lock);
    if (key && conn_table)
      c = g_hash_table_lookup (conn_table, key);
    if (c) {
      g_object_set_qdata_full (G_OBJECT (msg), message_socket_quark (),
          g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION
                  (c))), g_object_unref);
      g_object_set_qdata (G_OBJECT (msg), message_connection_quark (), c);
    }
    g_mutex_unlock (&conn_lock);
    g_free (key);
  }
  g_signal_connect (msg, "got-headers", G_CALLBACK (check_head), self);
  g_signal_connect (msg, "wrote-headers", G_CALLBACK (wrote_headers), NULL);
  /* back from fluhttpkeep.c with the whole head readable: read now,
   * within soup_server_accept_iostream (), no timer to set */
  if (self->accepting_conn && self->accepting_conn->head_ready) {
    self->accepting_conn->head_ready = FALSE;
    return;
  }
  if (self->header_timeout == 0)
    return;
  t = g_new0 (HeaderTimer, 1);
  t->msg = g_object_ref (msg);
  if (self->accepting_conn && self->accepting_conn->accepted) {
    /* a first request that waited in fluhttpkeep.c since the accept:
     * the bound counts from then */
    gint64 left = (gint64) self->header_timeout * 1000 -
        (g_get_monotonic_time () - self->accepting_conn->accepted) / 1000;

    t->source = g_timeout_source_new (MAX (left, 1));
  } else {
    t->source = g_timeout_source_new_seconds (self->header_timeout);
  }
  g_source_set_callback (t->source, header_timer_fired, t, NULL);
  g_source_attach (t->source, self->context);
  t->handlers[0] = g_signal_connect (msg, "got-headers",
      G_CALLBACK (header_timer_cancel), t);
  t->handlers[1] = g_signal_connect (msg, "finished",
      G_CALLBACK (header_timer_cancel), t);
  t->handlers[2] = g_signal_connect (msg, "disconnected",
      G_CALLBACK (header_timer_cancel), t);
}

static void
dispatch (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  FluHttpServer *self = data;
  Mount *m = g_hash_table_lookup (self->mounts, path);
  guint refused = GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (msg),
          message_refused_quark ()));

  if (refused) {
    /* answered and closed in check_head (), the body was buffered before
     * libsoup saw the closed socket */
    soup_server_message_set_status (msg, refused, NULL);
    return;
  }
  if (m == NULL) {
    guint i;

    /* longest prefix first (kept sorted by add_prefix_in_thread) */
    for (i = 0; i < self->prefixes->len && m == NULL; i++) {
      PrefixMount *p = g_ptr_array_index (self->prefixes, i);

      if (g_str_has_prefix (path, p->prefix))
        m = &p->m;
    }
  }
  if (m == NULL) {
    GST_DEBUG ("no mount at %s", path);
    flu_http_server_respond (msg, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  m->func (self, msg, path, query, m->user_data);
}

/* We accept the connections ourselves and give each to libsoup with
 * soup_server_accept_iostream(), instead of letting a libsoup listener
 * accept them (soup_server_listen_socket()), for two bugs of libsoup
 * 3.2's listener (soup-listener.c):
 *
 * - it never drops the reference that g_socket_accept() gave it, so every
 *   GSocket it accepts outlives its connection: closed, but never freed,
 *   ~350 bytes per connection for as long as the process runs;
 * - it stops for good on the first accept() that fails (EMFILE when the
 *   process is out of descriptors, ENFILE, ENOBUFS...), and the port then
 *   never takes a connection again.
 *
 * Here the GSocket is ours: the GSocketConnection given to libsoup holds
 * it, and it is freed when libsoup drops that connection (closed or
 * stolen).  When accept() fails for want of resources, accepting pauses
 * and starts again RETRY_MS later, for as long as it takes; meanwhile
 * connections wait in the listen backlog.  Server thread. */
static void watch_listener (FluHttpServer * self);

/* libsoup 3.2 keeps a connection for the next request (keep-alive) only
 * while the server has a listener of its own (request_finished () in
 * soup-server.c checks its list of listeners); ours accepts the
 * connections itself (above).  So it gets one that never takes a
 * connection: one end of a socket pair nobody writes to, which never
 * becomes readable. */
static void
inert_listener (FluHttpServer * self)
{
  gint fds[2];
  GError *err = NULL;

  self->inert_peer = -1;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
    GST_WARNING ("socketpair: %s: no keep-alive", g_strerror (errno));
    return;
  }
  self->inert = g_socket_new_from_fd (fds[0], &err);
  if (self->inert == NULL ||
      !soup_server_listen_socket (self->soup, self->inert, 0, &err)) {
    GST_WARNING ("no keep-alive: %s", err ? err->message : "?");
    g_clear_error (&err);
    g_clear_object (&self->inert);
    close (fds[1]);
    return;
  }
  self->inert_peer = fds[1];
}

static gboolean
retry_accept (gpointer data)
{
  FluHttpServer *self = data;

  g_clear_pointer (&self->retry, g_source_unref);
  watch_listener (self);
  return G_SOURCE_REMOVE;
}

/* The addresses of @c and its entry in conn_table, for libsoup (made
 * when it first goes there: a connection answered on the fast path
 * never needs them).  FALSE when the peer is gone. */
static gboolean
connection_bind (FluHttpConnection * c, GSocket * sock)
{
  if (c->local == NULL)
    c->local = g_socket_get_local_address (sock, NULL);
  if (c->remote == NULL)
    c->remote = g_socket_get_remote_address (sock, NULL);
  if (c->local == NULL || c->remote == NULL)
    return FALSE;
  if (c->key == NULL) {
    c->key = connection_key (c->local, c->remote);
    if (c->key) {
      g_mutex_lock (&conn_lock);
      if (conn_table == NULL)
        conn_table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
            NULL);
      g_hash_table_replace (conn_table, g_strdup (c->key), c);
      g_mutex_unlock (&conn_lock);
    }
  }
  return TRUE;
}

/* Gives one accepted connection to libsoup.  Its first request starts
 * inside soup_server_accept_iostream(): request_started() keeps the
 * GSocket on the message (see flu_http_server_message_get_socket()). */
static void
hand_to_soup (FluHttpServer * self, FluHttpConnection * c, GSocket * sock)
{
  GError *err = NULL;

  if (!connection_bind (c, sock)) {
    /* the peer left before we served it */
    c->quiet = TRUE;
    g_io_stream_close (G_IO_STREAM (c), NULL, NULL);
    return;
  }
  self->accepting = sock;
  self->accepting_conn = c;
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (c), c->local,
          c->remote, &err)) {
    GST_DEBUG ("port %u: libsoup refused a connection: %s", self->port,
        err->message);
    g_clear_error (&err);
  }
  self->accepting = NULL;
  self->accepting_conn = NULL;
  c->accepted = 0;
}

/* fluhttpkeep.c: the next request of a kept connection is readable; it
 * goes back to libsoup as a new connection does, the same object (its
 * socket and addresses) */
static void
kept_resume (gpointer data, GIOStream * conn, gboolean head_complete)
{
  FluHttpServer *self = data;
  FluHttpConnection *c = (FluHttpConnection *) conn;

  if (self->stopping || self->soup == NULL) {
    g_io_stream_close (conn, NULL, NULL);
    return;
  }
  c->head_done = FALSE;
  c->answered = FALSE;
  c->quiet = FALSE;
  c->head_ready = head_complete;
  hand_to_soup (self, c,
      g_socket_connection_get_socket (G_SOCKET_CONNECTION (c)));
}

/* fluhttpkeep.c read the start of the next request off before it goes
 * back to libsoup: read first */
static void
kept_unread (gpointer data, GIOStream * conn, const gchar * bytes, gsize len)
{
  flu_http_input_unread (g_io_stream_get_input_stream (conn), bytes, len);
}

static void
fast_prefix_free (gpointer data)
{
  FastPrefix *f = data;

  g_free (f->prefix);
  g_free (f);
}

static void
add_fast (FluHttpServer * self, const gchar * prefix,
    FluHttpKeepFastFunc func, gpointer user_data, gboolean takes)
{
  FastPrefix *f = g_new0 (FastPrefix, 1);

  f->prefix = g_strdup (prefix);
  f->func = func;
  f->user_data = user_data;
  f->takes = takes;
  if (self->fast == NULL)
    self->fast = g_ptr_array_new_with_free_func (fast_prefix_free);
  g_ptr_array_add (self->fast, f);
}

void
flu_http_server_add_fast_prefix (FluHttpServer * self, const gchar * prefix,
    FluHttpKeepFastFunc func, gpointer user_data)
{
  add_fast (self, prefix, func, user_data, FALSE);
}

void
flu_http_server_add_fast_taker (FluHttpServer * self, const gchar * prefix,
    FluHttpKeepFastFunc func, gpointer user_data)
{
  add_fast (self, prefix, func, user_data, TRUE);
}

void
flu_http_server_remove_fast_prefix (FluHttpServer * self,
    const gchar * prefix, gpointer user_data)
{
  guint i;

  for (i = 0; self->fast && i < self->fast->len; i++) {
    FastPrefix *f = g_ptr_array_index (self->fast, i);

    if (f->user_data == user_data && strcmp (f->prefix, prefix) == 0) {
      g_ptr_array_remove_index (self->fast, i);
      return;
    }
  }
}

/* fluhttpkeep.c: a plain request on a kept connection; the fast handler
 * of its path answers it, or libsoup does (FALSE).  Not for a path with
 * an exact mount of the same element (as dispatch () would route it). */
static gboolean
kept_fast (gpointer data, const gchar * method, const gchar * path,
    GHashTable * query, SoupMessageHeaders * request,
    FluHttpFastAnswer * answer)
{
  FluHttpServer *self = data;
  Mount *m;
  guint i;

  if (self->stopping || self->soup == NULL || self->fast == NULL)
    return FALSE;
  /* only where dispatch () would call the same element */
  m = g_hash_table_lookup (self->mounts, path);
  if (m == NULL)
    return FALSE;
  for (i = 0; i < self->fast->len; i++) {
    FastPrefix *f = g_ptr_array_index (self->fast, i);

    /* a request that closes its connection: HTTP/1.1 ones (answered as
     * libsoup answers them, closed after), or a taker's */
    if (f->user_data == m->user_data && g_str_has_prefix (path, f->prefix)
        && (f->takes || !answer->closing || answer->version == SOUP_HTTP_1_1))
      return f->func (f->user_data, method, path, query, request, answer);
  }
  return FALSE;
}

/* the answer we wrote on a kept connection is done: its body bytes as
 * libsoup would have told them ("wrote-body-data", for the access
 * accounting of fluhlsaccess.c) */
static void
kept_done (gpointer data, guint64 body_bytes, gboolean ok)
{
  if (body_bytes > 0)
    g_signal_emit_by_name (data, "wrote-body-data", (guint) body_bytes);
}

gboolean
flu_http_server_send_kept (FluHttpServer * self, SoupServerMessage * msg)
{
  FluHttpConnection *c = message_connection (msg);
  GSocket *sock = flu_http_server_message_get_socket (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  guint status = soup_server_message_get_status (msg);
  GIOStream *stolen;
  GInputStream *input;
  GPtrArray *chunks;
  gchar *head;
  gboolean keep;

  if (self->keep == NULL || self->stopping || c == NULL || sock == NULL ||
      status < 200 || status == SOUP_STATUS_NO_CONTENT ||
      status == SOUP_STATUS_NOT_MODIFIED ||
      soup_message_headers_get_one (resp, "Transfer-Encoding") ||
      !flu_http_keep_allowed (msg))
    return FALSE;
  g_object_ref (c);
  g_object_ref (msg);
  stolen = soup_server_message_steal_connection (msg);
  if (stolen == NULL) {
    /* gone already */
    g_object_unref (c);
    g_object_unref (msg);
    return TRUE;
  }
  /* bytes of a pipelined request that libsoup buffered would be lost
   * with its stream: answer and close (the client asks again); those in
   * the socket are fluhttpkeep.c's, so no poll () of it (quiet) */
  input = g_io_stream_get_input_stream (G_IO_STREAM (c));
  flu_http_input_set_quiet (input, TRUE);
  keep = !g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM
      (g_io_stream_get_input_stream (stolen)));
  flu_http_input_set_quiet (input, FALSE);
  /* not closing @c (close-on-dispose unset) */
  g_object_unref (stolen);
  flu_http_keep_build (msg, keep, &head, &chunks);
  /* ours now: no 431 on its close */
  c->answered = TRUE;
  c->quiet = TRUE;
  flu_http_keep_send (self->keep, G_IO_STREAM (c), g_socket_get_fd (sock),
      head, (GBytes **) chunks->pdata, chunks->len, keep, kept_done, msg,
      g_object_unref);
  g_ptr_array_unref (chunks);
  return TRUE;
}

/* A new connection (@peer: its client's address from accept (), or
 * NULL: asked when needed).  It waits for its first request in
 * fluhttpkeep.c, as a kept connection does for its next one: a plain
 * request is then answered on the fast path without libsoup, any other
 * goes to libsoup (kept_resume ()), which then asks for the addresses
 * (connection_bind ()).  A peer that sends nothing is closed after the
 * header timeout (KEEP_IDLE_NO_TIMEOUT_S without one), as libsoup's
 * header timer did; quiet there (no 431 on that close). */
static void
serve (FluHttpServer * self, GSocket * sock, const struct sockaddr *peer,
    socklen_t peer_len)
{
  FluHttpConnection *c;

  g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  c = g_object_new (flu_http_connection_get_type (), "socket", sock, NULL);
  connection_counted ();
  c->quiet = self->stopping;
  if (peer)
    c->remote = g_socket_address_new_from_native ((gpointer) peer, peer_len);
  if (c->remote && !G_IS_INET_SOCKET_ADDRESS (c->remote))
    g_clear_object (&c->remote);
  if (self->keep && self->first_fast && !self->stopping) {
    if (c->remote) {
      GInetAddress *a = flu_http_address_normalize
          (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS
              (c->remote)));

      flu_http_keep_set_peer (G_IO_STREAM (c), a);
      g_object_unref (a);
    }
    c->quiet = TRUE;
    c->accepted = g_get_monotonic_time ();
    /* takes our reference */
    flu_http_keep_park (self->keep, G_IO_STREAM (c), g_socket_get_fd (sock));
    return;
  }
  hand_to_soup (self, c, sock);
  g_object_unref (c);
}

/* the owner of the mounts at or under @path (the user_data they were
 * added with), NULL when none; server thread */
static gpointer
path_owner (FluHttpServer * self, const gchar * path)
{
  GHashTableIter it;
  gpointer key, value;
  Mount *m = g_hash_table_lookup (self->mounts, path);
  guint i;

  if (m)
    return m->user_data;
  if (!g_str_has_suffix (path, "/"))
    return NULL;
  for (i = 0; i < self->prefixes->len; i++) {
    PrefixMount *p = g_ptr_array_index (self->prefixes, i);

    if (g_str_has_prefix (p->prefix, path))
      return p->m.user_data;
  }
  g_hash_table_iter_init (&it, self->mounts);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (g_str_has_prefix (key, path))
      return ((Mount *) value)->user_data;
  return NULL;
}

/* fluhttpporter.c's events, to the watches; server thread */
static void
porter_event (FluHttpPorterEvent event, const gchar * detail, gpointer data)
{
  FluHttpServer *self = data;
  gpointer owner = NULL;
  guint i;

  if (event == FLU_HTTP_PORTER_TAKEN)
    owner = path_owner (self, detail);
  /* a path mounted with another user_data than its element's watch
   * (fluhlssink's stats paths): every watch hears it */
  for (i = 0; owner && i < self->porter_watches->len; i++)
    if (g_array_index (self->porter_watches, PorterWatch, i).owner == owner)
      break;
  if (owner && i == self->porter_watches->len)
    owner = NULL;
  for (i = 0; i < self->porter_watches->len; i++) {
    PorterWatch *w = &g_array_index (self->porter_watches, PorterWatch, i);

    if (owner == NULL || w->owner == owner)
      w->func (event, detail, w->user_data);
  }
}

/* a connection the porter passed (fluhttpporter.c), server thread */
static void
porter_conn (GSocket * sock, gpointer data)
{
  serve (data, sock, NULL, 0);
}

static gboolean
accept_ready (GSocket * listener, GIOCondition cond, gpointer data)
{
  FluHttpServer *self = data;
  GSocket *sock;
  GError *err = NULL;
  gint i, fd, e;

  for (i = 0; i < ACCEPT_BATCH; i++) {
    struct sockaddr_storage peer;
    socklen_t peer_len = sizeof (peer);

    fd = accept4 (g_socket_get_fd (listener), (struct sockaddr *) &peer,
        &peer_len, SOCK_CLOEXEC);
    if (fd < 0) {
      e = errno;
      if (e == EAGAIN || e == EWOULDBLOCK)
        return G_SOURCE_CONTINUE;
      /* a connection that failed before we took it (Linux reports the
       * pending network errors of the new socket here): the next one */
      if (e == EINTR || e == ECONNABORTED || e == EPROTO || e == EPERM
          || e == ENETDOWN || e == ENOPROTOOPT || e == EHOSTDOWN
          || e == ENONET || e == EHOSTUNREACH || e == EOPNOTSUPP
          || e == ENETUNREACH || e == ETIMEDOUT)
        continue;
      /* EMFILE, ENFILE, ENOBUFS, ENOMEM...: pause */
      if (self->stalls++ % 50 == 0)
        GST_WARNING ("port %u: cannot accept connections (%s), trying "
            "again every %d ms", self->port, g_strerror (e), RETRY_MS);
      g_clear_pointer (&self->accept_watch, g_source_unref);
      self->retry = g_timeout_source_new (RETRY_MS);
      g_source_set_callback (self->retry, retry_accept, self, NULL);
      g_source_attach (self->retry, self->context);
      return G_SOURCE_REMOVE;
    }
    sock = g_socket_new_from_fd (fd, &err);
    if (sock == NULL) {
      GST_DEBUG ("port %u: %s", self->port, err->message);
      g_clear_error (&err);
      close (fd);
      continue;
    }
    serve (self, sock, (struct sockaddr *) &peer, peer_len);
    g_object_unref (sock);
  }
  /* more may wait: the other sources of the context get their turn */
  return G_SOURCE_CONTINUE;
}

static void
watch_listener (FluHttpServer * self)
{
  self->accept_watch = g_socket_create_source (self->listen_sock, G_IO_IN,
      NULL);
  g_source_set_callback (self->accept_watch, G_SOURCE_FUNC (accept_ready),
      self, NULL);
  g_source_attach (self->accept_watch, self->context);
}

static void
unwatch_listener (FluHttpServer * self)
{
  GSource **s[] = { &self->accept_watch, &self->retry, &self->trim };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (s); i++) {
    if (*s[i]) {
      g_source_destroy (*s[i]);
      g_clear_pointer (s[i], g_source_unref);
    }
  }
}

static gpointer
server_thread (gpointer data)
{
  FluHttpServer *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static guint
find_port (GSocket * sock)
{
  GSocketAddress *sa = g_socket_get_local_address (sock, NULL);
  guint port = 0;

  if (sa) {
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (sa));
    g_object_unref (sa);
  }
  return port;
}

/* A listening socket with a backlog fit for thousands of viewers arriving
 * at once (GLib's default of 10 makes the kernel drop SYNs, which clients
 * retry only after a second).  No address: IPv6 any, accepting IPv4 too,
 * or IPv4 any without IPv6. */
static GSocket *
listen_socket (const gchar * address, guint port, GError ** error)
{
  return flu_listen_tcp (address, port, LISTEN_BACKLOG, error);
}

static void
prefix_mount_free (gpointer data)
{
  PrefixMount *p = data;

  g_free (p->prefix);
  g_free (p);
}

/* @porter_socket: behind that porter, with @secret (taken), instead of
 * listening on @address:@port */
static FluHttpServer *
server_new (const gchar * address, guint port, guint header_timeout,
    const gchar * porter_socket, gchar * secret, GError ** error)
{
  FluHttpServer *self = g_new0 (FluHttpServer, 1);
  GSocket *sock;
  gboolean ok;

  self->refcount = 1;
  self->header_timeout = header_timeout;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->mounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  self->prefixes = g_ptr_array_new_with_free_func (prefix_mount_free);

  /* libsoup attaches its sources to the thread-default context: it is
   * ours here and in the server thread, where connections are accepted
   * (accept_ready ()), not by libsoup's listener */
  g_main_context_push_thread_default (self->context);
  self->soup = soup_server_new ("server-header", SERVER_HEADER, NULL);
  g_signal_connect (self->soup, "request-started",
      G_CALLBACK (request_started), self);
  soup_server_add_handler (self->soup, NULL, dispatch, self, NULL);
  inert_listener (self);
  sock = porter_socket ? NULL : listen_socket (address, port, error);
  ok = sock != NULL || porter_socket != NULL;
  if (sock)
    g_socket_set_blocking (sock, FALSE);
  self->listen_sock = sock;
  g_main_context_pop_thread_default (self->context);

  if (!ok) {
    g_clear_object (&self->listen_sock);
    g_object_unref (self->soup);
    g_clear_object (&self->inert);
    if (self->inert_peer >= 0)
      close (self->inert_peer);
    g_hash_table_unref (self->mounts);
    g_ptr_array_unref (self->prefixes);
    g_clear_pointer (&self->fast, g_ptr_array_unref);
    g_main_loop_unref (self->loop);
    g_main_context_unref (self->context);
    g_free (self);
    return NULL;
  }
  if (porter_socket) {
    self->porter = flu_http_porter_new (porter_socket, secret, self->context,
        porter_conn, self);
    self->porter_watches = g_array_new (FALSE, FALSE, sizeof (PorterWatch));
    flu_http_porter_set_event_func (self->porter, porter_event, self);
  } else {
    self->port = find_port (self->listen_sock);
    watch_listener (self);
  }
  {
    guint idle_ms = (header_timeout ? header_timeout :
        KEEP_IDLE_NO_TIMEOUT_S) * 1000;

    self->keep = flu_http_keep_new (self->context, idle_ms,
        KEEP_STALL_S * 1000, CLAMP (idle_ms / 4, 100, 1000), kept_resume, self);
    if (self->keep) {
      flu_http_keep_set_fast (self->keep, kept_fast, self);
      flu_http_keep_set_unread (self->keep, kept_unread);
    }
    /* FLU_HTTP_FIRST_FAST=0: every first request to libsoup, as before
     * (tests comparing both paths, benchmarks of both) */
    self->first_fast = g_strcmp0 (g_getenv ("FLU_HTTP_FIRST_FAST"), "0") != 0;
  }
  self->trim = g_timeout_source_new_seconds (TRIM_CHECK_SECONDS);
  g_source_set_callback (self->trim, trim_check, self, NULL);
  g_source_attach (self->trim, self->context);
  self->thread = g_thread_new ("fluhttpserver", server_thread, self);
  if (porter_socket)
    GST_INFO ("serving behind the porter at %s", porter_socket);
  else
    GST_INFO ("listening on %s port %u", address ? address : "*", self->port);
  return self;
}

FluHttpServer *
flu_http_server_acquire (const gchar * address, guint port,
    guint header_timeout, GError ** error)
{
  FluHttpServer *self = NULL;
  gchar *key;

  debug_init ();
  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  /* Port 0 asks the kernel for a fresh port; the server is then shared
   * under the port it got. */
  if (port != 0) {
    key = g_strdup_printf ("%s:%u", address ? address : "", port);
    self = g_hash_table_lookup (registry, key);
    g_free (key);
  }
  if (self) {
    self->refcount++;
  } else {
    self = server_new (address, port, header_timeout, NULL, NULL, error);
    if (self) {
      self->key = g_strdup_printf ("%s:%u", address ? address : "", self->port);
      g_hash_table_insert (registry, self->key, self);
    }
  }
  g_mutex_unlock (&registry_lock);
  return self;
}

static gboolean
shutdown_in_thread (gpointer data)
{
  FluHttpServer *self = data;

  unwatch_listener (self);
  self->stopping = TRUE;
  disconnecting = TRUE;
  g_clear_pointer (&self->keep, flu_http_keep_free);
  soup_server_disconnect (self->soup);
  disconnecting = FALSE;
  g_clear_pointer (&self->porter, flu_http_porter_free);
  if (self->listen_sock)
    g_socket_close (self->listen_sock, NULL);
  g_clear_object (&self->listen_sock);
  g_clear_object (&self->soup);
  g_clear_object (&self->inert);
  if (self->inert_peer >= 0)
    close (self->inert_peer);
  self->inert_peer = -1;
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

void
flu_http_server_release (FluHttpServer * self)
{
  gboolean last;

  g_mutex_lock (&registry_lock);
  last = --self->refcount == 0;
  if (last)
    g_hash_table_remove (registry, self->key);
  g_mutex_unlock (&registry_lock);
  if (!last)
    return;

  GST_INFO ("closing server on port %u", self->port);
  g_main_context_invoke (self->context, shutdown_in_thread, self);
  g_thread_join (self->thread);
  /* password checks still running hand their requests back first */
  flu_http_auth_pool_drain (self->context);
  /* Finish whatever the server left behind (closing connections). */
  while (g_main_context_iteration (self->context, FALSE));
  g_hash_table_unref (self->mounts);
  g_ptr_array_unref (self->prefixes);
  g_clear_pointer (&self->porter_watches, g_array_unref);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_free (self->key);
  g_free (self);
}

FluHttpServer *
flu_http_server_acquire_porter (const gchar * socket_path,
    const gchar * secret_file, guint header_timeout, GError ** error)
{
  FluHttpServer *self;
  gchar *key, *secret;

  debug_init ();
  /* read here, in the element's thread: a file read is slow work */
  secret = flu_porter_read_secret (secret_file, error);
  if (secret == NULL)
    return NULL;
  key = g_strdup_printf ("porter:%s", socket_path);
  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  self = g_hash_table_lookup (registry, key);
  if (self) {
    self->refcount++;
    g_free (key);
    flu_porter_secret_free (secret);
  } else {
    self = server_new (NULL, 0, header_timeout, socket_path, secret, error);
    if (self) {
      self->key = key;
      g_hash_table_insert (registry, self->key, self);
    } else {
      g_free (key);
    }
  }
  g_mutex_unlock (&registry_lock);
  return self;
}

typedef struct
{
  FluHttpServer *self;
  const gchar *path;
  gboolean add;
} RouteCall;

static gboolean
route_prefix_in_thread (gpointer data)
{
  RouteCall *c = data;

  if (c->self->porter)
    flu_http_porter_route (c->self->porter, c->path, TRUE, c->add);
  return G_SOURCE_REMOVE;
}

void
flu_http_server_route_prefix (FluHttpServer * self, const gchar * prefix,
    gboolean add)
{
  RouteCall c = { self, prefix, add };

  flu_http_server_invoke_sync (self, route_prefix_in_thread, &c);
}

typedef struct
{
  FluHttpServer *self;
  PorterWatch w;
} WatchCall;

static gboolean
watch_porter_in_thread (gpointer data)
{
  WatchCall *c = data;

  g_array_append_val (c->self->porter_watches, c->w);
  if (flu_http_porter_is_refused (c->self->porter))
    c->w.func (FLU_HTTP_PORTER_REFUSED, "refused before this element "
        "started", c->w.user_data);
  return G_SOURCE_REMOVE;
}

void
flu_http_server_watch_porter (FluHttpServer * self, gpointer owner,
    FluHttpPorterEventFunc func, gpointer user_data)
{
  WatchCall c = { self, {owner, func, user_data} };

  if (self->porter)
    flu_http_server_invoke_sync (self, watch_porter_in_thread, &c);
}

static gboolean
unwatch_porter_in_thread (gpointer data)
{
  WatchCall *c = data;
  guint i;

  for (i = 0; i < c->self->porter_watches->len; i++) {
    if (g_array_index (c->self->porter_watches, PorterWatch, i).owner ==
        c->w.owner) {
      g_array_remove_index (c->self->porter_watches, i);
      break;
    }
  }
  return G_SOURCE_REMOVE;
}

void
flu_http_server_unwatch_porter (FluHttpServer * self, gpointer owner)
{
  WatchCall c = { self, {owner, NULL, NULL} };

  if (self->porter)
    flu_http_server_invoke_sync (self, unwatch_porter_in_thread, &c);
}

guint
flu_http_server_get_port (FluHttpServer * self)
{
  /* behind a porter: its public port, once it told us */
  return self->porter ? flu_http_porter_get_port (self->porter) : self->port;
}

GMainContext *
flu_http_server_get_context (FluHttpServer * self)
{
  return self->context;
}

typedef struct
{
  GSourceFunc func;
  gpointer data;
  GMutex lock;
  GCond cond;
  gboolean done;
} SyncCall;

static gboolean
sync_call_run (gpointer data)
{
  SyncCall *c = data;

  c->func (c->data);
  g_mutex_lock (&c->lock);
  c->done = TRUE;
  g_cond_signal (&c->cond);
  g_mutex_unlock (&c->lock);
  return G_SOURCE_REMOVE;
}

void
flu_http_server_invoke_sync (FluHttpServer * self, GSourceFunc func,
    gpointer data)
{
  SyncCall c = { func, data };
  GSource *s;

  if (g_main_context_is_owner (self->context)) {
    func (data);
    return;
  }
  g_mutex_init (&c.lock);
  g_cond_init (&c.cond);
  s = g_idle_source_new ();
  g_source_set_priority (s, G_PRIORITY_HIGH);
  g_source_set_callback (s, sync_call_run, &c, NULL);
  g_source_attach (s, self->context);
  g_source_unref (s);
  g_mutex_lock (&c.lock);
  while (!c.done)
    g_cond_wait (&c.cond, &c.lock);
  g_mutex_unlock (&c.lock);
  g_mutex_clear (&c.lock);
  g_cond_clear (&c.cond);
}

typedef struct
{
  FluHttpServer *self;
  const gchar *path;
  FluHttpMountFunc func;
  gpointer user_data;
  gboolean ok;
  FluHttpStreamStatsFunc stats;
  FluHttpRefusedFunc refused;
} MountCall;

static gboolean
add_mount_in_thread (gpointer data)
{
  MountCall *c = data;
  Mount *m;

  if (g_hash_table_contains (c->self->mounts, c->path)) {
    c->ok = FALSE;
    return G_SOURCE_REMOVE;
  }
  m = g_new0 (Mount, 1);
  m->func = c->func;
  m->user_data = c->user_data;
  g_hash_table_insert (c->self->mounts, g_strdup (c->path), m);
  if (c->self->porter)
    flu_http_porter_route (c->self->porter, c->path, FALSE, TRUE);
  c->ok = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
flu_http_server_add_mount (FluHttpServer * self, const gchar * path,
    FluHttpMountFunc func, gpointer user_data, GError ** error)
{
  MountCall c = { self, path, func, user_data, FALSE };

  flu_http_server_invoke_sync (self, add_mount_in_thread, &c);
  if (!c.ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
        "path %s is already served on port %u by another element", path,
        self->port);
  return c.ok;
}

static gboolean
remove_mount_in_thread (gpointer data)
{
  MountCall *c = data;

  if (g_hash_table_remove (c->self->mounts, c->path) && c->self->porter)
    flu_http_porter_route (c->self->porter, c->path, FALSE, FALSE);
  return G_SOURCE_REMOVE;
}

void
flu_http_server_remove_mount (FluHttpServer * self, const gchar * path)
{
  MountCall c = { self, path };

  flu_http_server_invoke_sync (self, remove_mount_in_thread, &c);
}

static gboolean
add_prefix_in_thread (gpointer data)
{
  MountCall *c = data;
  PrefixMount *p;
  gsize len = strlen (c->path);
  guint i;

  for (i = 0; i < c->self->prefixes->len; i++) {
    p = g_ptr_array_index (c->self->prefixes, i);
    if (g_str_equal (p->prefix, c->path))
      return G_SOURCE_REMOVE;
    if (strlen (p->prefix) < len)
      break;
  }
  p = g_new0 (PrefixMount, 1);
  p->prefix = g_strdup (c->path);
  p->m.func = c->func;
  p->m.user_data = c->user_data;
  g_ptr_array_insert (c->self->prefixes, i, p);
  if (c->self->porter)
    flu_http_porter_route (c->self->porter, c->path, TRUE, TRUE);
  c->ok = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
flu_http_server_add_prefix_mount (FluHttpServer * self, const gchar * prefix,
    FluHttpMountFunc func, gpointer user_data, GError ** error)
{
  MountCall c = { self, prefix, func, user_data, FALSE };

  flu_http_server_invoke_sync (self, add_prefix_in_thread, &c);
  if (!c.ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
        "prefix %s is already served on port %u by another element", prefix,
        self->port);
  return c.ok;
}

static gboolean
remove_prefix_in_thread (gpointer data)
{
  MountCall *c = data;
  guint i;

  for (i = 0; i < c->self->prefixes->len; i++) {
    PrefixMount *p = g_ptr_array_index (c->self->prefixes, i);

    if (g_str_equal (p->prefix, c->path)) {
      g_ptr_array_remove_index (c->self->prefixes, i);
      if (c->self->porter)
        flu_http_porter_route (c->self->porter, c->path, TRUE, FALSE);
      break;
    }
  }
  return G_SOURCE_REMOVE;
}

void
flu_http_server_remove_prefix_mount (FluHttpServer * self, const gchar * prefix)
{
  MountCall c = { self, prefix };

  flu_http_server_invoke_sync (self, remove_prefix_in_thread, &c);
}

static gboolean
set_stream_in_thread (gpointer data)
{
  MountCall *c = data;
  Mount *m = g_hash_table_lookup (c->self->mounts, c->path);
  guint i;

  /* or a prefix mount (fluondemand) */
  for (i = 0; m == NULL && i < c->self->prefixes->len; i++) {
    PrefixMount *p = g_ptr_array_index (c->self->prefixes, i);

    if (g_str_equal (p->prefix, c->path))
      m = &p->m;
  }
  if (m)
    m->stats = c->stats;
  return G_SOURCE_REMOVE;
}

void
flu_http_server_set_stream (FluHttpServer * self, const gchar * path,
    FluHttpStreamStatsFunc func)
{
  MountCall c = { self, path };

  c.stats = func;
  flu_http_server_invoke_sync (self, set_stream_in_thread, &c);
}

static gboolean
set_refused_in_thread (gpointer data)
{
  MountCall *c = data;
  Mount *m = g_hash_table_lookup (c->self->mounts, c->path);

  if (m)
    m->refused = c->refused;
  return G_SOURCE_REMOVE;
}

void
flu_http_server_set_refused (FluHttpServer * self, const gchar * path,
    FluHttpRefusedFunc func)
{
  MountCall c = { self, path };

  c.refused = func;
  flu_http_server_invoke_sync (self, set_refused_in_thread, &c);
}

gchar *
flu_http_server_streams_json (FluHttpServer * self, GInetAddress * client)
{
  GList *paths = g_hash_table_get_keys (self->mounts), *l;
  GString *out = g_string_new ("[");
  gboolean first = TRUE;
  guint i;

  /* prefix mounts (fluondemand) too, sorted with the exact ones */
  for (i = 0; i < self->prefixes->len; i++) {
    PrefixMount *p = g_ptr_array_index (self->prefixes, i);

    if (!g_hash_table_contains (self->mounts, p->prefix))
      paths = g_list_prepend (paths, p->prefix);
  }
  paths = g_list_sort (paths, (GCompareFunc) strcmp);
  for (l = paths; l; l = l->next) {
    Mount *m = g_hash_table_lookup (self->mounts, l->data);
    gchar *json;

    for (i = 0; m == NULL && i < self->prefixes->len; i++) {
      PrefixMount *p = g_ptr_array_index (self->prefixes, i);

      if (g_str_equal (p->prefix, l->data))
        m = &p->m;
    }

    if (m->stats == NULL)
      continue;
    /* NULL: a stream @client may not know of (its allow/deny lists) */
    json = m->stats (m->user_data, client);
    if (json == NULL)
      continue;
    g_string_append (out, first ? "\n" : ",\n");
    g_string_append (out, json);
    g_free (json);
    first = FALSE;
  }
  g_list_free (paths);
  g_string_append (out, "]\n");
  return g_string_free (out, FALSE);
}
