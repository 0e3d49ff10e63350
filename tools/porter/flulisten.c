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

#include "flulisten.h"

#include <netinet/in.h>

GSocket *
flu_listen_tcp (const gchar * address, guint port, gint backlog,
    GError ** error)
{
  GSocketAddress *sa = NULL;
  GSocket *sock = NULL;

  if (address && *address) {
    sa = g_inet_socket_address_new_from_string (address, port);
    if (sa == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "'%s' is not a numeric IPv4 or IPv6 address", address);
      return NULL;
    }
    sock = g_socket_new (g_socket_address_get_family (sa),
        G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  } else {
    GInetAddress *any;

    sock = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
        G_SOCKET_PROTOCOL_TCP, NULL);
    if (sock && g_socket_set_option (sock, IPPROTO_IPV6, IPV6_V6ONLY, 0, NULL)) {
      any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
    } else {
      g_clear_object (&sock);
      sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
          G_SOCKET_PROTOCOL_TCP, error);
      any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
    }
    sa = g_inet_socket_address_new (any, port);
    g_object_unref (any);
  }
  if (sock) {
    g_socket_set_listen_backlog (sock, backlog);
    if (!g_socket_bind (sock, sa, TRUE, error) || !g_socket_listen (sock,
            error))
      g_clear_object (&sock);
  }
  g_object_unref (sa);
  return sock;
}
