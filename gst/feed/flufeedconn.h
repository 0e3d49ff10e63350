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

/* What both feed elements do with sockets: listen, connect, read and write
 * with an inactivity bound, the shared-secret handshake, address parsing.
 *
 * Handshake (only when a secret is set; runs before any GDP byte, in both
 * directions of use; the side that accepted the TCP connection is A, the
 * side that connected is C; HMAC is HMAC-SHA256 keyed with the secret):
 *
 *   A -> C  "FLUFEED1" nonce_a[32]
 *   C -> A  "FLUFEED1" nonce_c[32] HMAC("flufeed-connector" nonce_a nonce_c)
 *   A -> C  0x01 HMAC("flufeed-acceptor" nonce_a nonce_c)   (accepted)
 *        or 0x00 and close                                  (refused)
 *
 * Both sides prove knowledge of the secret, so neither a stranger reading a
 * feed nor a stranger pushing one gets through; nonces come from
 * getrandom(), MACs are compared in constant time. */

#ifndef __FLU_FEED_CONN_H__
#define __FLU_FEED_CONN_H__

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define FLU_FEED_AUTH_MAGIC "FLUFEED1"
#define FLU_FEED_AUTH_MAGIC_LEN 8
/* how long a whole handshake may take, however the peer sends its bytes */
#define FLU_FEED_AUTH_TIMEOUT_MS 5000
/* handshakes an acceptor runs at once; past this the oldest is dropped */
#define FLU_FEED_MAX_PENDING_HANDSHAKES 64

/* The property values both feed elements share. */
typedef enum
{
  FLU_FEED_MODE_SERVER = 0,
  FLU_FEED_MODE_CLIENT = 1
} FluFeedMode;

#define FLU_TYPE_FEED_MODE (flu_feed_mode_get_type ())
GType flu_feed_mode_get_type (void);

/* The connection settings both feed elements have as properties (with
 * blurbs of their own): one struct and one place that sets and gets them. */
typedef struct
{
  FluFeedMode mode;
  gchar *host;
  guint port;
  gchar *secret;
  guint retry_initial;          /* ms */
  guint retry_max;              /* ms */
} FluFeedLink;

void flu_feed_link_init (FluFeedLink * link, FluFeedMode mode,
    const gchar * host, guint port);
void flu_feed_link_clear (FluFeedLink * link);
/* A deep copy of @src into @dest (free it with flu_feed_link_clear, which
 * also wipes the secret): a thread's own snapshot of the settings. */
void flu_feed_link_copy (FluFeedLink * dest, const FluFeedLink * src);
/* Set or get the property called @name if it is one of the link's
 * ("mode", "host", "port", "secret", "retry-initial", "retry-max");
 * returns FALSE for any other name. */
gboolean flu_feed_link_set_property (FluFeedLink * link, const gchar * name,
    const GValue * value);
gboolean flu_feed_link_get_property (const FluFeedLink * link,
    const gchar * name, GValue * value);
/* The "secret-file" property: the secret read from @path (its bytes, one
 * trailing newline dropped; call it without the element's lock held).  A
 * file that cannot be read, or is empty, gives a random secret nobody
 * knows (every peer is refused) and sets @error: a typo in a path never
 * opens a feed to everyone.  Free the result with g_free. */
gchar *flu_feed_read_secret_file (const gchar * path, GError ** error);
/* Both elements' "secret-file": installs the property, and sets it: reads
 * the file in the calling thread, then stores the secret under @owner's
 * object lock (a file that cannot be read is logged as an error on @owner
 * and refuses every peer, as flu_feed_read_secret_file() says). */
void flu_feed_link_install_secret_file (GObjectClass * klass, guint prop_id);

/* The link's properties as both elements install them: names, nicks,
 * types, ranges and flags here; the ids, the defaults that differ and
 * the blurbs (static strings) are the element's. */
typedef struct
{
  guint mode_id, host_id, port_id, secret_id, secret_file_id;
  guint retry_initial_id, retry_max_id;
  FluFeedMode default_mode;
  const gchar *default_host;
  const gchar *mode, *host, *port, *secret, *retry_initial, *retry_max;
} FluFeedLinkSpec;

/* Installs mode, host, port, secret, secret-file, retry-initial and
 * retry-max (GST_PARAM_MUTABLE_READY; secret and secret-file
 * write-only). */
void flu_feed_link_install_properties (GObjectClass * klass,
    const FluFeedLinkSpec * spec);
void flu_feed_link_set_secret_file (FluFeedLink * link, GstObject * owner,
    const gchar * path);

#define FLU_FEED_DEFAULT_RETRY_INITIAL_MS 250
#define FLU_FEED_DEFAULT_RETRY_MAX_MS 5000
#define FLU_FEED_CONNECT_TIMEOUT_MS 5000

#define FLU_FEED_ERROR (flu_feed_error_quark ())
GQuark flu_feed_error_quark (void);

typedef enum
{
  FLU_FEED_ERROR_AUTH_REFUSED,  /* the peer refused our credentials */
  FLU_FEED_ERROR_AUTH_FAILED,   /* the peer failed to prove the secret */
  FLU_FEED_ERROR_AUTH_PROTOCOL  /* the peer does not speak the handshake */
} FluFeedError;

gboolean flu_feed_parse_address (const gchar * address, guint default_port,
    gchar ** host, guint * port);

GSocket *flu_feed_listen (const gchar * host, guint port, guint * bound_port,
    GError ** error);
GSocketConnection *flu_feed_connect (const gchar * host, guint port,
    guint timeout_ms, GCancellable * cancellable, GError ** error);

/* @timeout_ms bounds each wait for the socket; 0 = no bound. */
gboolean flu_feed_write_all (GSocket * socket, const guint8 * data,
    gsize length, guint timeout_ms, GCancellable * cancellable,
    GError ** error);

/* One handshake, blocking, within FLU_FEED_AUTH_TIMEOUT_MS in all. */
gboolean flu_feed_auth (GSocket * socket, const gchar * secret,
    gboolean acceptor, GCancellable * cancellable, GError ** error);

/* The acceptor's side of many handshakes at once, in one thread, never
 * blocking: a peer that drips its bytes or never answers holds no thread
 * and no other peer back, and is dropped at its deadline (@timeout_ms
 * for the whole handshake) or when @max_pending newer ones are waiting.
 * The caller polls the sockets (flu_feed_gate_fill_pollfds (), with
 * flu_feed_gate_timeout_ms ()) and calls flu_feed_gate_step (), which
 * calls @func for every handshake that ended: @error NULL when the peer
 * proved the secret (the socket is then the caller's to keep, take a
 * reference), else why not (the socket is closed after @func). */
typedef struct _FluFeedGate FluFeedGate;
typedef void (*FluFeedGateFunc) (GSocket * socket, const GError * error,
    gpointer user_data);

FluFeedGate *flu_feed_gate_new (const gchar * secret, guint max_pending,
    guint timeout_ms);
void flu_feed_gate_free (FluFeedGate * gate);
/* Starts a handshake on a newly accepted @socket (the gate takes a
 * reference). */
gboolean flu_feed_gate_add (FluFeedGate * gate, GSocket * socket,
    GError ** error);
guint flu_feed_gate_n_pending (FluFeedGate * gate);
/* Drops every handshake in progress (their sockets are closed). */
void flu_feed_gate_clear (FluFeedGate * gate);
/* Fills up to @max entries of @fds; returns how many. */
gint flu_feed_gate_fill_pollfds (FluFeedGate * gate, GPollFD * fds,
    guint max);
/* ms until the nearest deadline, -1 if none */
gint flu_feed_gate_timeout_ms (FluFeedGate * gate);
void flu_feed_gate_step (FluFeedGate * gate, FluFeedGateFunc func,
    gpointer user_data);

/* Exponential backoff: the delay after @previous_ms (0 = first retry). */
guint flu_feed_backoff_next (guint previous_ms, guint initial_ms,
    guint max_ms);

gchar *flu_feed_socket_peer (GSocket * socket);

G_END_DECLS

#endif /* __FLU_FEED_CONN_H__ */
