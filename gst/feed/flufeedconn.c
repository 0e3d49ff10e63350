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

#define NONCE_LEN 32
#define MAC_LEN 32

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

static gboolean
wait_for (GSocket * socket, GIOCondition cond, guint timeout_ms,
    GCancellable * cancellable, GError ** error)
{
  gint64 timeout_us = timeout_ms ? (gint64) timeout_ms * 1000 : -1;

  return g_socket_condition_timed_wait (socket, cond, timeout_us, cancellable,
      error);
}

gboolean
flu_feed_read_all (GSocket * socket, guint8 * data, gsize length,
    guint timeout_ms, GCancellable * cancellable, GError ** error)
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
      if (!wait_for (socket, G_IO_IN, timeout_ms, cancellable, error))
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
      if (!wait_for (socket, G_IO_OUT, timeout_ms, cancellable, error))
        return FALSE;
      continue;
    }
    data += n;
    length -= n;
  }
  return TRUE;
}

static void
compute_mac (const gchar * secret, const gchar * label,
    const guint8 * nonce_a, const guint8 * nonce_c, guint8 * mac)
{
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret,
      strlen (secret));
  gsize len = MAC_LEN;

  g_hmac_update (hmac, (const guchar *) label, strlen (label));
  g_hmac_update (hmac, nonce_a, NONCE_LEN);
  g_hmac_update (hmac, nonce_c, NONCE_LEN);
  g_hmac_get_digest (hmac, mac, &len);
  g_hmac_unref (hmac);
}

static gboolean
mac_equal (const guint8 * a, const guint8 * b)
{
  guint8 diff = 0;
  gint i;

  for (i = 0; i < MAC_LEN; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
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

static gboolean
auth_steps (GSocket * socket, const gchar * secret, gboolean acceptor,
    GCancellable * cancellable, GError ** error)
{
  const guint t = FLU_FEED_AUTH_TIMEOUT_MS;
  guint8 nonce_a[NONCE_LEN], nonce_c[NONCE_LEN];
  guint8 mine[MAC_LEN], theirs[MAC_LEN];
  guint8 msg[FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN + MAC_LEN];
  guint8 status;

  if (acceptor) {
    if (!make_nonce (nonce_a, error))
      return FALSE;
    memcpy (msg, FLU_FEED_AUTH_MAGIC, FLU_FEED_AUTH_MAGIC_LEN);
    memcpy (msg + FLU_FEED_AUTH_MAGIC_LEN, nonce_a, NONCE_LEN);
    if (!flu_feed_write_all (socket, msg, FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN,
            t, cancellable, error) ||
        !flu_feed_read_all (socket, msg, sizeof (msg), t, cancellable, error))
      return FALSE;
    if (memcmp (msg, FLU_FEED_AUTH_MAGIC, FLU_FEED_AUTH_MAGIC_LEN) != 0) {
      g_set_error (error, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_PROTOCOL,
          "the peer did not answer the secret challenge (is the same "
          "secret set on both ends?)");
      return FALSE;
    }
    memcpy (nonce_c, msg + FLU_FEED_AUTH_MAGIC_LEN, NONCE_LEN);
    compute_mac (secret, "flufeed-connector", nonce_a, nonce_c, mine);
    if (!mac_equal (mine, msg + FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN)) {
      status = 0;
      flu_feed_write_all (socket, &status, 1, t, cancellable, NULL);
      g_set_error (error, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_FAILED,
          "the peer does not know the secret (wrong secret)");
      return FALSE;
    }
    msg[0] = 1;
    compute_mac (secret, "flufeed-acceptor", nonce_a, nonce_c, msg + 1);
    return flu_feed_write_all (socket, msg, 1 + MAC_LEN, t, cancellable, error);
  }

  if (!flu_feed_read_all (socket, msg, FLU_FEED_AUTH_MAGIC_LEN + NONCE_LEN, t,
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
  if (!flu_feed_write_all (socket, msg, sizeof (msg), t, cancellable, error))
    return FALSE;
  if (!flu_feed_read_all (socket, &status, 1, t, cancellable, error)) {
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
  if (!flu_feed_read_all (socket, theirs, MAC_LEN, t, cancellable, error))
    return FALSE;
  compute_mac (secret, "flufeed-acceptor", nonce_a, nonce_c, mine);
  if (!mac_equal (mine, theirs)) {
    g_set_error (error, FLU_FEED_ERROR, FLU_FEED_ERROR_AUTH_FAILED,
        "the peer does not know the secret (wrong secret)");
    return FALSE;
  }
  return TRUE;
}

gboolean
flu_feed_auth (GSocket * socket, const gchar * secret, gboolean acceptor,
    GCancellable * cancellable, GError ** error)
{
  GError *err = NULL;

  if (auth_steps (socket, secret, acceptor, cancellable, &err))
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
flu_feed_link_clear (FluFeedLink * link)
{
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
