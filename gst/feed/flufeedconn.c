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

#include <string.h>
#include <errno.h>
#include <sys/random.h>

#include "flufeedconn.h"
#include "flusecret.h"          /* tools/porter: header-only */

#define NONCE_LEN 32
#define MAC_LEN FLU_MAC_LEN

G_DEFINE_QUARK (flu_feed_error_quark, flu_feed_error);

GType
flu_feed_mode_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    {FLU_FEED_MODE_SERVER, "Listen on host:port for peers to connect",
        "server"},
    {FLU_FEED_MODE_CLIENT, "Connect to a peer at host:port", "client"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("FluFeedMode", values);

    g_once_init_leave (&type, t);
  }
  return type;
}

gboolean
flu_feed_parse_address (const gchar * address, guint default_port,
    gchar ** host, guint * port)
{
  const gchar *colon;
  gchar *end = NULL;
  guint64 p;

  if (!address || !*address)
    return FALSE;
  address += strspn (address, " \t");
  if (address[0] == '[') {
    /* [v6-address]:port */
    const gchar *close = strchr (address, ']');

    if (!close)
      return FALSE;
    colon = close[1] == ':' ? close + 1 : NULL;
    if (close[1] != '\0' && !colon)
      return FALSE;
    *host = g_strndup (address + 1, close - address - 1);
  } else {
    colon = strrchr (address, ':');
    if (colon && strchr (address, ':') != colon)
      colon = NULL;             /* bare IPv6 address, no port */
    *host = colon ? g_strndup (address, colon - address) : g_strdup (address);
  }
  g_strstrip (*host);
  if (!colon) {
    *port = default_port;
  } else {
    p = g_ascii_strtoull (colon + 1, &end, 10);
    if (end == colon + 1 || (*end && !g_ascii_isspace (*end)) || p > 65535) {
      g_clear_pointer (host, g_free);
      return FALSE;
    }
    *port = (guint) p;
  }
  if (!**host || *port == 0) {
    g_clear_pointer (host, g_free);
    return FALSE;
  }
  return TRUE;
}

static GInetAddress *
resolve (const gchar * host, GError ** error)
{
  GResolver *resolver;
  GList *list;
  GInetAddress *addr;

  addr = g_inet_address_new_from_string (host);
  if (addr)
    return addr;
  resolver = g_resolver_get_default ();
  list = g_resolver_lookup_by_name (resolver, host, NULL, error);
  g_object_unref (resolver);
  if (!list)
    return NULL;
  addr = g_object_ref (list->data);
  g_resolver_free_addresses (list);
  return addr;
}

GSocket *
flu_feed_listen (const gchar * host, guint port, guint * bound_port,
    GError ** error)
{
  GInetAddress *addr;
  GSocketAddress *saddr, *local;
  GSocket *socket;

  if (host && *host)
    addr = resolve (host, error);
  else
    addr = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  if (!addr)
    return NULL;
  socket = g_socket_new (g_inet_address_get_family (addr),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (!socket) {
    g_object_unref (addr);
    return NULL;
  }
  saddr = g_inet_socket_address_new (addr, port);
  g_object_unref (addr);
  if (!g_socket_bind (socket, saddr, TRUE, error) ||
      !g_socket_listen (socket, error)) {
    g_object_unref (saddr);
    g_object_unref (socket);
    return NULL;
  }
  g_object_unref (saddr);
  local = g_socket_get_local_address (socket, error);
  if (!local) {
    g_object_unref (socket);
    return NULL;
  }
  *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_object_unref (local);
  g_socket_set_blocking (socket, FALSE);
  return socket;
}

GSocketConnection *
flu_feed_connect (const gchar * host, guint port, guint timeout_ms,
    GCancellable * cancellable, GError ** error)
{
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *conn;

  /* GSocketClient counts whole seconds */
  g_socket_client_set_timeout (client, MAX (1, (timeout_ms + 999) / 1000));
  /* A feed is a direct TCP connection, as flufeedsink's side is.  With
   * proxies enabled (GLib's default) every connect asked the system's
   * proxy resolver first: libproxy or the desktop's settings (dconf)
   * loaded into the streamer, a thread per lookup, and a SOCKS proxy
   * configured for the desktop would have carried the feed. */
  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, host, port, cancellable,
      error);
  g_object_unref (client);
  if (conn) {
    GSocket *socket = g_socket_connection_get_socket (conn);

    g_socket_set_blocking (socket, FALSE);
    g_socket_set_timeout (socket, 0);
  }
  return conn;
}

/* Waits for @cond until @deadline (monotonic µs; 0 = none), or at most
 * @timeout_ms (0 = no bound) when there is no deadline. */
static gboolean
wait_for (GSocket * socket, GIOCondition cond, guint timeout_ms,
    gint64 deadline, GCancellable * cancellable, GError ** error)
{
  gint64 timeout_us = timeout_ms ? (gint64) timeout_ms * 1000 : -1;

  if (deadline) {
    timeout_us = deadline - g_get_monotonic_time ();
    if (timeout_us <= 0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
          "Socket I/O timed out");
      return FALSE;
    }
  }
  return g_socket_condition_timed_wait (socket, cond, timeout_us, cancellable,
      error);
}

static gboolean
read_all (GSocket * socket, guint8 * data, gsize length, guint timeout_ms,
    gint64 deadline, GCancellable * cancellable, GError ** error)
{
  while (length > 0) {
    gssize n;
    GError *err = NULL;

    n = g_socket_receive_with_blocking (socket, (gchar *) data, length, FALSE,
        cancellable, &err);
    if (n == 0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
          "the peer closed the connection");
      return FALSE;
    }
    if (n < 0) {
      if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        g_propagate_error (error, err);
        return FALSE;
      }
      g_clear_error (&err);
      if (!wait_for (socket, G_IO_IN, timeout_ms, deadline, cancellable, error))
        return FALSE;
      continue;
    }
    data += n;
    length -= n;
  }
  return TRUE;
}

static gboolean
write_all (GSocket * socket, const guint8 * data, gsize length,
    guint timeout_ms, gint64 deadline, GCancellable * cancellable,
    GError ** error)
{
  while (length > 0) {
    gssize n;
    GError *err = NULL;

    n = g_socket_send_with_blocking (socket, (const gchar *) data, length,
        FALSE, cancellable, &err);
    if (n < 0) {
      if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        g_propagate_error (error, err);
        return FALSE;
      }
      g_clear_error (&err);
      if (!wait_for (socket, G_IO_OUT, timeout_ms, deadline, cancellable,
              error))
        return FALSE;
      continue;
    }
    data += n;
    length -= n;
  }
  return TRUE;
}

gboolean
flu_feed_write_all (GSocket * socket, const guint8 * data, gsize length,
    guint timeout_ms, GCancellable * cancellable, GError ** error)
{
  return write_all (socket, data, length, timeout_ms, 0, cancellable, error);
}

/* the MAC: HMAC-SHA256 (secret, label || nonce_a || nonce_c), shared
 * with the porter's handshake (header-only, no link between the two) */
static void
compute_mac (const gchar * secret, const gchar * label,
    const guint8 * nonce_a, const guint8 * nonce_c, guint8 * mac)
{
  flu_mac_compute (secret, label, nonce_a, nonce_c, NONCE_LEN, mac);
}

static gboolean
make_nonce (guint8 * nonce, GError ** error)
{
  gsize got = 0;

  while (got < NONCE_LEN) {
    gssize n = getrandom (nonce + got, NONCE_LEN - got, 0);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
          "getrandom: %s", g_strerror (errno));
      return FALSE;
    }
    got += n;
  }
  return TRUE;
}

/* The connector's side, blocking, within one deadline for the whole
 * handshake (a peer sending a byte at a time cannot stretch it). */
static gboolean
connector_steps (GSocket * socket, const gchar * secret,
    GCancellable * cancellable, GError ** error)
{
  gint64 d = g_get_monotonic_time () + FLU_FEED_AUTH_TIMEOUT_MS * 1000;
  guint8 nonce_a[NONCE_LEN], nonce_c[NONCE_LEN];
  guint8 mine[MAC_LEN], theirs[MAC_LEN];
  guint8 msg[FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN + MAC_LEN];
  guint8 status;

  if (!read_all (socket, msg, FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN, 0, d,
          cancellable, error))
    return FALSE;
  if (memcmp (msg, FLU_FEED_AUTH_MAGIC, FLU_FEED_AUTH_MAGIC_LEN) != 0) {
    g_set_error (error, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_PROTOCOL,
        "the peer sent no secret challenge: it has no secret set, or is "
        "not a flufeed element");
    return FALSE;
  }
  memcpy (nonce_a, msg + FLU_FEED_AUTH_MAGIC_LEN, NONCE_LEN);
  if (!make_nonce (nonce_c, error))
    return FALSE;
  memcpy (msg, FLU_FEED_AUTH_MAGIC, FLU_FEED_AUTH_MAGIC_LEN);
  memcpy (msg + FLU_FEED_AUTH_MAGIC_LEN, nonce_c, NONCE_LEN);
  compute_mac (secret, "flufeed-connector", nonce_a, nonce_c,
      msg + FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN);
  if (!write_all (socket, msg, sizeof (msg), 0, d, cancellable, error))
    return FALSE;
  if (!read_all (socket, &status, 1, 0, d, cancellable, error)) {
    if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
      g_clear_error (error);
      g_set_error (error, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_REFUSED,
          "the peer refused our secret");
    }
    return FALSE;
  }
  if (status != 1) {
    g_set_error (error, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_REFUSED,
        "the peer refused our secret (wrong secret)");
    return FALSE;
  }
  if (!read_all (socket, theirs, MAC_LEN, 0, d, cancellable, error))
    return FALSE;
  compute_mac (secret, "flufeed-acceptor", nonce_a, nonce_c, mine);
  if (!flu_mac_equal (mine, theirs)) {
    g_set_error (error, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_FAILED,
        "the peer does not know the secret (wrong secret)");
    return FALSE;
  }
  return TRUE;
}

/* ---- the acceptor's side: many handshakes at once, never blocking ---- */

typedef enum
{
  STEP_CHALLENGE,               /* writing magic + nonce_a */
  STEP_ANSWER,                  /* reading magic + nonce_c + MAC */
  STEP_RESULT,                  /* writing 0x01 + MAC, or 0x00 */
} Step;

typedef struct
{
  GSocket *socket;
  gint64 deadline;
  Step step;
  guint8 nonce_a[NONCE_LEN];
  guint8 out[FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN];
  gsize out_len, out_done;
  guint8 in[FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN + MAC_LEN];
  gsize in_done;
  GError *refused;              /* set when a refusal is being written */
} Pending;

struct _FluFeedGate
{
  gchar *secret;
  guint max_pending;
  guint timeout_ms;
  GPtrArray *pending;           /* of Pending, oldest first */
};

static void
pending_free (Pending * p)
{
  if (p->socket) {
    g_socket_close (p->socket, NULL);
    g_object_unref (p->socket);
  }
  g_clear_error (&p->refused);
  g_free (p);
}

FluFeedGate *
flu_feed_gate_new (const gchar * secret, guint max_pending, guint timeout_ms)
{
  FluFeedGate *gate = g_new0 (FluFeedGate, 1);

  gate->secret = g_strdup (secret);
  gate->max_pending = MAX (1, max_pending);
  gate->timeout_ms = timeout_ms;
  gate->pending = g_ptr_array_new_with_free_func ((GDestroyNotify)
      pending_free);
  return gate;
}

void
flu_feed_gate_free (FluFeedGate * gate)
{
  if (gate == NULL)
    return;
  g_ptr_array_unref (gate->pending);
  /* the secret is not left in freed memory */
  memset (gate->secret, 0, strlen (gate->secret));
  g_free (gate->secret);
  g_free (gate);
}

guint
flu_feed_gate_n_pending (FluFeedGate * gate)
{
  return gate->pending->len;
}

void
flu_feed_gate_clear (FluFeedGate * gate)
{
  g_ptr_array_set_size (gate->pending, 0);
}

gboolean
flu_feed_gate_add (FluFeedGate * gate, GSocket * socket, GError ** error)
{
  Pending *p;

  if (gate->pending->len >= gate->max_pending) {
    /* the oldest gives way: an honest peer answers within a round trip,
     * so only handshakes that dawdle are ever dropped here */
    g_ptr_array_remove_index (gate->pending, 0);
  }
  p = g_new0 (Pending, 1);
  if (!make_nonce (p->nonce_a, error)) {
    g_free (p);
    return FALSE;
  }
  p->socket = g_object_ref (socket);
  g_socket_set_blocking (socket, FALSE);
  p->deadline = g_get_monotonic_time () + (gint64) gate->timeout_ms * 1000;
  p->step = STEP_CHALLENGE;
  memcpy (p->out, FLU_FEED_AUTH_MAGIC, FLU_FEED_AUTH_MAGIC_LEN);
  memcpy (p->out + FLU_FEED_AUTH_MAGIC_LEN, p->nonce_a, NONCE_LEN);
  p->out_len = FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN;
  g_ptr_array_add (gate->pending, p);
  return TRUE;
}

/* Moves @p on as far as its socket allows: TRUE when it is finished,
 * authenticated (*error NULL) or not. */
static gboolean
pending_step (FluFeedGate * gate, Pending * p, GError ** error)
{
  for (;;) {
    GError *err = NULL;
    gssize n;

    if (p->out_done < p->out_len) {
      n = g_socket_send_with_blocking (p->socket,
          (const gchar *) p->out + p->out_done, p->out_len - p->out_done,
          FALSE, NULL, &err);
    } else if (p->step == STEP_RESULT) {
      if (p->refused) {
        g_propagate_error (error, g_steal_pointer (&p->refused));
        return TRUE;
      }
      return TRUE;
    } else if (p->step == STEP_CHALLENGE) {
      p->step = STEP_ANSWER;
      continue;
    } else {
      n = g_socket_receive_with_blocking (p->socket,
          (gchar *) p->in + p->in_done, sizeof (p->in) - p->in_done, FALSE,
          NULL, &err);
      if (n == 0) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
            "the peer closed the connection");
        return TRUE;
      }
    }
    if (n < 0) {
      if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        g_clear_error (&err);
        return FALSE;
      }
      g_propagate_error (error, err);
      return TRUE;
    }
    if (p->out_done < p->out_len) {
      p->out_done += n;
      continue;
    }
    p->in_done += n;
    if (p->in_done < FLU_FEED_AUTH_MAGIC_LEN && memcmp (p->in,
            FLU_FEED_AUTH_MAGIC, p->in_done) != 0) {
      /* not the handshake: no need to wait for the rest */
      p->in_done = sizeof (p->in);
    }
    if (p->in_done < sizeof (p->in))
      continue;
    /* the whole answer is in */
    p->step = STEP_RESULT;
    p->out_done = 0;
    if (memcmp (p->in, FLU_FEED_AUTH_MAGIC, FLU_FEED_AUTH_MAGIC_LEN) != 0) {
      g_set_error (error, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_PROTOCOL,
          "the peer did not answer the secret challenge (is the same "
          "secret set on both ends?)");
      return TRUE;
    } else {
      guint8 mine[MAC_LEN];
      const guint8 *nonce_c = p->in + FLU_FEED_AUTH_MAGIC_LEN;

      compute_mac (gate->secret, "flufeed-connector", p->nonce_a, nonce_c,
          mine);
      if (!flu_mac_equal (mine, p->in + FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN)) {
        p->out[0] = 0;
        p->out_len = 1;
        g_set_error (&p->refused, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_FAILED,
            "the peer does not know the secret (wrong secret)");
      } else {
        p->out[0] = 1;
        compute_mac (gate->secret, "flufeed-acceptor", p->nonce_a, nonce_c,
            p->out + 1);
        p->out_len = 1 + MAC_LEN;
      }
    }
  }
}

gint
flu_feed_gate_fill_pollfds (FluFeedGate * gate, GPollFD * fds, guint max)
{
  guint i;

  for (i = 0; i < gate->pending->len && i < max; i++) {
    Pending *p = g_ptr_array_index (gate->pending, i);

    fds[i].fd = g_socket_get_fd (p->socket);
    fds[i].events = p->out_done < p->out_len ? G_IO_OUT : G_IO_IN;
    fds[i].revents = 0;
  }
  return i;
}

gint
flu_feed_gate_timeout_ms (FluFeedGate * gate)
{
  gint64 now = g_get_monotonic_time (), first = G_MAXINT64;
  guint i;

  for (i = 0; i < gate->pending->len; i++) {
    Pending *p = g_ptr_array_index (gate->pending, i);

    first = MIN (first, p->deadline);
  }
  if (first == G_MAXINT64)
    return -1;
  return first <= now ? 0 : (gint) MIN ((first - now + 999) / 1000, G_MAXINT);
}

void
flu_feed_gate_step (FluFeedGate * gate, FluFeedGateFunc func,
    gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  guint i = 0;

  while (i < gate->pending->len) {
    Pending *p = g_ptr_array_index (gate->pending, i);
    GError *err = NULL;
    gboolean done = pending_step (gate, p, &err);

    if (!done && now >= p->deadline) {
      done = TRUE;
      g_set_error (&err, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_PROTOCOL,
          "the peer did not go through the secret handshake within %u ms "
          "(is the same secret set on both ends?)", gate->timeout_ms);
    }
    if (!done) {
      i++;
      continue;
    }
    {
      GSocket *socket = g_steal_pointer (&p->socket);

      g_ptr_array_remove_index (gate->pending, i);
      if (err == NULL) {
        func (socket, NULL, user_data);
      } else {
        func (socket, err, user_data);
        g_socket_close (socket, NULL);
      }
      g_object_unref (socket);
      g_clear_error (&err);
    }
  }
}

typedef struct
{
  GSocket *socket;
  GError *error;
  gboolean done;
} OneResult;

static void
one_done (GSocket * socket, const GError * error, gpointer data)
{
  OneResult *r = data;

  r->done = TRUE;
  if (error)
    r->error = g_error_copy (error);
  else
    r->socket = g_object_ref (socket);
}

/* The acceptor's side of one handshake, blocking, through the gate. */
static gboolean
acceptor_steps (GSocket * socket, const gchar * secret,
    GCancellable * cancellable, GError ** error)
{
  FluFeedGate *gate = flu_feed_gate_new (secret, 1, FLU_FEED_AUTH_TIMEOUT_MS);
  OneResult r = { NULL, NULL, FALSE };
  gboolean ok;

  /* the gate closes sockets it refuses: it works on its own reference,
   * and the caller's socket stays open for the caller to close */
  if (!flu_feed_gate_add (gate, socket, error)) {
    flu_feed_gate_free (gate);
    return FALSE;
  }
  for (;;) {
    GPollFD fds[2];
    gint n = flu_feed_gate_fill_pollfds (gate, fds, 1);

    flu_feed_gate_step (gate, one_done, &r);
    if (r.done)
      break;
    if (cancellable && g_cancellable_make_pollfd (cancellable, &fds[n]))
      n++;
    g_poll (fds, n, flu_feed_gate_timeout_ms (gate));
    if (cancellable) {
      g_cancellable_release_fd (cancellable);
      if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
        flu_feed_gate_free (gate);
        return FALSE;
      }
    }
  }
  flu_feed_gate_free (gate);
  ok = r.error == NULL;
  if (r.error)
    g_propagate_error (error, r.error);
  g_clear_object (&r.socket);
  return ok;
}

gboolean
flu_feed_auth (GSocket * socket, const gchar * secret, gboolean acceptor,
    GCancellable * cancellable, GError ** error)
{
  GError *err = NULL;

  if (acceptor ? acceptor_steps (socket, secret, cancellable, &err) :
      connector_steps (socket, secret, cancellable, &err))
    return TRUE;
  if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
    g_clear_error (&err);
    g_set_error (&err, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_PROTOCOL,
        "the peer did not go through the secret handshake within %u ms "
        "(is the same secret set on both ends?)", FLU_FEED_AUTH_TIMEOUT_MS);
  }
  g_propagate_error (error, err);
  return FALSE;
}

guint
flu_feed_backoff_next (guint previous_ms, guint initial_ms, guint max_ms)
{
  guint64 next = previous_ms ? (guint64) previous_ms * 2 : initial_ms;

  return (guint) MIN (next, (guint64) max_ms);
}

gchar *
flu_feed_socket_peer (GSocket * socket)
{
  GSocketAddress *addr = g_socket_get_remote_address (socket, NULL);
  gchar *s, *ip;

  if (!addr)
    return g_strdup ("?");
  ip = g_inet_address_to_string (g_inet_socket_address_get_address
      (G_INET_SOCKET_ADDRESS (addr)));
  s = g_strdup_printf ("%s:%u", ip,
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr)));
  g_free (ip);
  g_object_unref (addr);
  return s;
}

void
flu_feed_link_init (FluFeedLink * link, FluFeedMode mode, const gchar * host,
    guint port)
{
  link->mode = mode;
  link->host = g_strdup (host);
  link->port = port;
  link->secret = NULL;
  link->retry_initial = FLU_FEED_DEFAULT_RETRY_INITIAL_MS;
  link->retry_max = FLU_FEED_DEFAULT_RETRY_MAX_MS;
}

void
flu_feed_link_copy (FluFeedLink * dest, const FluFeedLink * src)
{
  *dest = *src;
  dest->host = g_strdup (src->host);
  dest->secret = g_strdup (src->secret);
}

void
flu_feed_link_clear (FluFeedLink * link)
{
  if (link->secret)
    memset (link->secret, 0, strlen (link->secret));
  g_clear_pointer (&link->host, g_free);
  g_clear_pointer (&link->secret, g_free);
}

gboolean
flu_feed_link_set_property (FluFeedLink * link, const gchar * name,
    const GValue * value)
{
  if (g_str_equal (name, "mode")) {
    link->mode = g_value_get_enum (value);
  } else if (g_str_equal (name, "host")) {
    g_free (link->host);
    link->host = g_value_dup_string (value);
  } else if (g_str_equal (name, "port")) {
    link->port = g_value_get_uint (value);
  } else if (g_str_equal (name, "secret")) {
    g_free (link->secret);
    link->secret = g_value_dup_string (value);
  } else if (g_str_equal (name, "retry-initial")) {
    link->retry_initial = g_value_get_uint (value);
  } else if (g_str_equal (name, "retry-max")) {
    link->retry_max = g_value_get_uint (value);
  } else {
    return FALSE;
  }
  return TRUE;
}

gchar *
flu_feed_read_secret_file (const gchar * path, GError ** error)
{
  gchar *secret = flu_secret_read_file (path, error);
  guint8 r[32];
  guint i;

  if (secret)
    return secret;
  flu_secret_random (r, sizeof r);
  secret = g_malloc (2 * sizeof r + 1);
  for (i = 0; i < sizeof r; i++)
    g_snprintf (secret + 2 * i, 3, "%02x", r[i]);
  return secret;
}

gboolean
flu_feed_link_get_property (const FluFeedLink * link, const gchar * name,
    GValue * value)
{
  if (g_str_equal (name, "mode"))
    g_value_set_enum (value, link->mode);
  else if (g_str_equal (name, "host"))
    g_value_set_string (value, link->host);
  else if (g_str_equal (name, "port"))
    g_value_set_uint (value, link->port);
  else if (g_str_equal (name, "retry-initial"))
    g_value_set_uint (value, link->retry_initial);
  else if (g_str_equal (name, "retry-max"))
    g_value_set_uint (value, link->retry_max);
  else
    return FALSE;               /* "secret" is write-only */
  return TRUE;
}

void
flu_feed_link_install_secret_file (GObjectClass * klass, guint prop_id)
{
  g_object_class_install_property (klass, prop_id,
      g_param_spec_string ("secret-file", "Secret file",
          "Read the shared secret from this file (its bytes, one trailing "
          "newline dropped), so that it is on no command line; an unreadable "
          "or empty file refuses every peer (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
}

void
flu_feed_link_install_properties (GObjectClass * klass,
    const FluFeedLinkSpec * spec)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  g_object_class_install_property (klass, spec->mode_id,
      g_param_spec_enum ("mode", "Mode", spec->mode, FLU_TYPE_FEED_MODE,
          spec->default_mode, rw));
  g_object_class_install_property (klass, spec->host_id,
      g_param_spec_string ("host", "Host", spec->host, spec->default_host, rw));
  g_object_class_install_property (klass, spec->port_id,
      g_param_spec_uint ("port", "Port", spec->port, 0, 65535, 0, rw));
  g_object_class_install_property (klass, spec->secret_id,
      g_param_spec_string ("secret", "Secret", spec->secret, NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  flu_feed_link_install_secret_file (klass, spec->secret_file_id);
  g_object_class_install_property (klass, spec->retry_initial_id,
      g_param_spec_uint ("retry-initial", "Initial retry delay",
          spec->retry_initial, 1, 3600000,
          FLU_FEED_DEFAULT_RETRY_INITIAL_MS, rw));
  g_object_class_install_property (klass, spec->retry_max_id,
      g_param_spec_uint ("retry-max", "Maximum retry delay",
          spec->retry_max, 1, 3600000, FLU_FEED_DEFAULT_RETRY_MAX_MS, rw));
}

void
flu_feed_link_set_secret_file (FluFeedLink * link, GstObject * owner,
    const gchar * path)
{
  GError *err = NULL;
  gchar *secret = path ? flu_feed_read_secret_file (path, &err) : NULL;

  if (err) {
    GST_ERROR_OBJECT (owner, "secret-file: %s; every peer will be refused",
        err->message);
    g_error_free (err);
  }
  GST_OBJECT_LOCK (owner);
  g_free (link->secret);
  link->secret = secret;
  GST_OBJECT_UNLOCK (owner);
}
