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

/* The porter client of the shared server (see fluhttpporter.h). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpporter.h"
#include "fluporterproto.h"

#include <gst/gst.h>
#include <glib-unix.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

GST_DEBUG_CATEGORY_STATIC (flu_http_porter_debug);
#define GST_CAT_DEFAULT flu_http_porter_debug

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define HANDSHAKE_TIMEOUT_S 5
/* descriptors one packet may bring (only CONN brings one; extra ones
 * are closed) */
#define MAX_FDS 4

typedef enum
{
  STATE_DOWN,
  STATE_HELLO,                  /* connected, waiting for HELLO */
  STATE_WELCOME,                /* AUTH sent */
  STATE_READY
} State;

struct _FluHttpPorter
{
  gchar *socket_path;
  gchar *secret;
  GMainContext *context;
  FluHttpPorterConnFunc func;
  gpointer user_data;
  GHashTable *exact;            /* our paths, set */
  GHashTable *prefix;           /* our prefixes, set */
  gint fd;
  State state;
  GSource *watch, *timer;
  guint backoff;
  gint port;                    /* atomic */
  guint8 nonce_p[FLU_PORTER_NONCE_LEN], nonce_s[FLU_PORTER_NONCE_LEN];
  gboolean refused_logged;
};

static void schedule_connect (FluHttpPorter * self);

static void
clear_sources (FluHttpPorter * self)
{
  GSource **s[] = { &self->watch, &self->timer };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (s); i++) {
    if (*s[i]) {
      g_source_destroy (*s[i]);
      g_clear_pointer (s[i], g_source_unref);
    }
  }
}

static void
disconnect (FluHttpPorter * self, const gchar * why, gboolean slow)
{
  if (self->state == STATE_READY)
    GST_WARNING ("porter %s lost (%s): reconnecting", self->socket_path, why);
  else
    GST_INFO ("porter %s: %s", self->socket_path, why);
  clear_sources (self);
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  self->state = STATE_DOWN;
  if (slow)
    self->backoff = BACKOFF_MAX_MS;
  schedule_connect (self);
}

static gboolean
send_msg (FluHttpPorter * self, const guint8 * buf, gsize len)
{
  if (len == 0)
    return FALSE;
  /* small messages on a socket the porter reads at once; a porter that
   * does not take one is stuck: reconnect */
  if (send (self->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (gssize) len)
    return TRUE;
  disconnect (self, errno == EAGAIN ? "porter not reading" :
      g_strerror (errno), FALSE);
  return FALSE;
}

static gboolean
covered (FluHttpPorter * self, const gchar * path)
{
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, self->prefix);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (g_str_has_prefix (path, key))
      return TRUE;
  return FALSE;
}

static gboolean
send_route (FluHttpPorter * self, const gchar * path, gboolean prefix,
    gboolean add)
{
  guint8 buf[FLU_PORTER_MSG_MAX];
  gsize len = flu_porter_route_encode (buf, add ? FLU_PORTER_MSG_ROUTE :
      FLU_PORTER_MSG_UNROUTE, prefix ? FLU_PORTER_ROUTE_PREFIX :
      FLU_PORTER_ROUTE_EXACT, path);

  if (len == 0) {
    GST_WARNING ("path %s cannot be routed by the porter (too long, or a "
        "byte the porter does not route)", path);
    return TRUE;
  }
  return send_msg (self, buf, len);
}

static void
send_all_routes (FluHttpPorter * self)
{
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, self->prefix);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (!send_route (self, key, TRUE, TRUE))
      return;
  g_hash_table_iter_init (&it, self->exact);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (!covered (self, key) && !send_route (self, key, FALSE, TRUE))
      return;
}

static void
close_fds (gint * fds, guint n)
{
  guint i;

  for (i = 0; i < n; i++)
    close (fds[i]);
}

static void
handle (FluHttpPorter * self, const FluPorterMsg * m, gint * fds, guint nfds)
{
  guint8 buf[FLU_PORTER_MSG_MAX], mac[FLU_PORTER_MAC_LEN];
  guint8 body[FLU_PORTER_NONCE_LEN + FLU_PORTER_MAC_LEN];
  FluPorterRouteKind kind;
  gchar *path, *reason;
  GSocket *sock;
  GError *err = NULL;

  if (m->type != FLU_PORTER_MSG_CONN || self->state != STATE_READY) {
    close_fds (fds, nfds);
    nfds = 0;
  }
  switch (self->state == STATE_DOWN ? 0 : m->type) {
    case FLU_PORTER_MSG_HELLO:
      if (self->state != STATE_HELLO)
        break;
      memcpy (self->nonce_p, m->body, FLU_PORTER_NONCE_LEN);
      flu_porter_random (self->nonce_s, FLU_PORTER_NONCE_LEN);
      memcpy (body, self->nonce_s, FLU_PORTER_NONCE_LEN);
      flu_porter_mac (self->secret, FLU_PORTER_LABEL_STREAMER, self->nonce_p,
          self->nonce_s, body + FLU_PORTER_NONCE_LEN);
      if (send_msg (self, buf, flu_porter_msg_encode (buf,
                  FLU_PORTER_MSG_AUTH, body, sizeof body)))
        self->state = STATE_WELCOME;
      return;
    case FLU_PORTER_MSG_WELCOME:
      if (self->state != STATE_WELCOME)
        break;
      flu_porter_mac (self->secret, FLU_PORTER_LABEL_PORTER, self->nonce_p,
          self->nonce_s, mac);
      if (!flu_porter_mac_equal (mac, m->body)) {
        GST_ERROR ("%s: the process on this socket does not know the "
            "porter secret: not registering there", self->socket_path);
        disconnect (self, "porter failed to prove the secret", TRUE);
        return;
      }
      g_atomic_int_set (&self->port, (m->body[FLU_PORTER_MAC_LEN] << 8) |
          m->body[FLU_PORTER_MAC_LEN + 1]);
      GST_INFO ("registered with the porter %s (public port %d)",
          self->socket_path, g_atomic_int_get (&self->port));
      self->state = STATE_READY;
      self->backoff = BACKOFF_MIN_MS;
      self->refused_logged = FALSE;
      if (self->timer) {
        g_source_destroy (self->timer);
        g_clear_pointer (&self->timer, g_source_unref);
      }
      return;
    case FLU_PORTER_MSG_REFUSED:
      reason = g_strndup ((const gchar *) m->body, m->len);
      g_strcanon (reason, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS " .,:-", '?');
      if (!self->refused_logged)
        GST_ERROR ("porter %s refused this server: %s (wrong "
            "porter-secret-file?); retrying every %d s", self->socket_path,
            reason, BACKOFF_MAX_MS / 1000);
      self->refused_logged = TRUE;
      g_free (reason);
      disconnect (self, "refused", TRUE);
      return;
    case FLU_PORTER_MSG_TAKEN:
      if (self->state != STATE_READY)
        break;
      if (flu_porter_route_parse (m, &kind, &path)) {
        GST_WARNING ("porter %s: %s is served by another process behind the "
            "porter: not routed here", self->socket_path, path);
        g_free (path);
      }
      return;
    case FLU_PORTER_MSG_CONN:
      if (self->state != STATE_READY || nfds != 1) {
        close_fds (fds, nfds);
        break;
      }
      sock = g_socket_new_from_fd (fds[0], &err);
      if (sock == NULL) {
        GST_DEBUG ("porter connection: %s", err->message);
        g_clear_error (&err);
        close (fds[0]);
        return;
      }
      self->func (sock, self->user_data);
      g_object_unref (sock);
      return;
    default:
      break;
  }
  disconnect (self, "unexpected message", FALSE);
}

static gboolean readable (gint fd, GIOCondition cond, gpointer data);

static void
watch_fd (FluHttpPorter * self)
{
  self->watch = g_unix_fd_source_new (self->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (self->watch, G_SOURCE_FUNC (readable), self, NULL);
  g_source_attach (self->watch, self->context);
}

static gboolean
readable (gint fd, GIOCondition cond, gpointer data)
{
  FluHttpPorter *self = data;
  guint8 buf[FLU_PORTER_MSG_MAX];
  gchar cbuf[CMSG_SPACE (MAX_FDS * sizeof (gint))];
  gint fds[MAX_FDS];
  guint nfds = 0, i;
  struct iovec iov = { buf, sizeof buf };
  struct msghdr mh;
  struct cmsghdr *cm;
  FluPorterMsg m;
  const gchar *why;
  gssize n;
  State before;

  memset (&mh, 0, sizeof mh);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = cbuf;
  mh.msg_controllen = sizeof cbuf;
  n = recvmsg (fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  for (cm = CMSG_FIRSTHDR (&mh); cm; cm = CMSG_NXTHDR (&mh, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      guint k = (cm->cmsg_len - CMSG_LEN (0)) / sizeof (gint);

      for (i = 0; i < k; i++) {
        gint f;

        memcpy (&f, CMSG_DATA (cm) + i * sizeof (gint), sizeof f);
        if (nfds < MAX_FDS)
          fds[nfds++] = f;
        else
          close (f);
      }
    }
  }
  if (n <= 0) {
    close_fds (fds, nfds);
    /* the source is destroyed by disconnect () */
    disconnect (self, n == 0 ? "closed by the porter" : g_strerror (errno),
        FALSE);
    return G_SOURCE_REMOVE;
  }
  if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
      || !flu_porter_msg_parse (buf, n, &m, &why)) {
    close_fds (fds, nfds);
    disconnect (self, "malformed message from the porter", FALSE);
    return G_SOURCE_REMOVE;
  }
  before = self->state;
  handle (self, &m, fds, nfds);
  if (before != STATE_READY && self->state == STATE_READY) {
    send_all_routes (self);
  }
  return self->state == STATE_DOWN ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean
handshake_timeout (gpointer data)
{
  FluHttpPorter *self = data;

  g_clear_pointer (&self->timer, g_source_unref);
  disconnect (self, "no handshake from the porter in time", FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
try_connect (gpointer data)
{
  FluHttpPorter *self = data;
  struct sockaddr_un sun;

  g_clear_pointer (&self->timer, g_source_unref);
  memset (&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  g_strlcpy (sun.sun_path, self->socket_path, sizeof sun.sun_path);
  self->fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (self->fd < 0 || connect (self->fd, (struct sockaddr *) &sun,
          sizeof sun) < 0) {
    gchar *why = g_strdup_printf ("cannot connect: %s", g_strerror (errno));

    disconnect (self, why, FALSE);
    g_free (why);
    return G_SOURCE_REMOVE;
  }
  self->state = STATE_HELLO;
  watch_fd (self);
  self->timer = g_timeout_source_new_seconds (HANDSHAKE_TIMEOUT_S);
  g_source_set_callback (self->timer, handshake_timeout, self, NULL);
  g_source_attach (self->timer, self->context);
  return G_SOURCE_REMOVE;
}

static void
schedule_connect (FluHttpPorter * self)
{
  guint delay = self->backoff;

  self->backoff = MIN (self->backoff * 2, BACKOFF_MAX_MS);
  self->timer = g_timeout_source_new (delay);
  g_source_set_callback (self->timer, try_connect, self, NULL);
  g_source_attach (self->timer, self->context);
}

FluHttpPorter *
flu_http_porter_new (const gchar * socket_path, gchar * secret,
    GMainContext * context, FluHttpPorterConnFunc func, gpointer user_data)
{
  FluHttpPorter *self = g_new0 (FluHttpPorter, 1);
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (flu_http_porter_debug, "fluhttpporter", 0,
        "porter client of the fluhttpsink shared servers");
    g_once_init_leave (&done, 1);
  }
  self->socket_path = g_strdup (socket_path);
  self->secret = secret;
  self->context = g_main_context_ref (context);
  self->func = func;
  self->user_data = user_data;
  self->exact = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->prefix = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->fd = -1;
  /* the first attempt at once */
  self->backoff = 0;
  schedule_connect (self);
  self->backoff = BACKOFF_MIN_MS;
  return self;
}

void
flu_http_porter_free (FluHttpPorter * self)
{
  clear_sources (self);
  if (self->fd >= 0)
    close (self->fd);
  flu_porter_secret_free (self->secret);
  g_hash_table_unref (self->exact);
  g_hash_table_unref (self->prefix);
  g_main_context_unref (self->context);
  g_free (self->socket_path);
  g_free (self);
}

void
flu_http_porter_route (FluHttpPorter * self, const gchar * path,
    gboolean prefix, gboolean add)
{
  GHashTable *t = prefix ? self->prefix : self->exact;
  gboolean ready = self->state == STATE_READY;
  GHashTableIter it;
  gpointer key;

  if (add) {
    if (!g_hash_table_add (t, g_strdup (path)))
      return;
    if (ready && (prefix || !covered (self, path)))
      send_route (self, path, prefix, TRUE);
    return;
  }
  if (!g_hash_table_remove (t, path))
    return;
  if (!ready || (!prefix && covered (self, path)))
    return;
  if (!send_route (self, path, prefix, FALSE) || !prefix)
    return;
  /* the exact paths that prefix covered need routes of their own now */
  g_hash_table_iter_init (&it, self->exact);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (g_str_has_prefix (key, path) && !covered (self, key)
        && !send_route (self, key, FALSE, TRUE))
      return;
}

guint
flu_http_porter_get_port (FluHttpPorter * self)
{
  return g_atomic_int_get (&self->port);
}
