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

/* The listening TCP socket of the porter's public port and of
 * fluhttpserver (ext/soup): one place for the dual-stack choice.  GIO
 * only, in the porter's library that ext/soup links already. */

#ifndef __FLU_LISTEN_H__
#define __FLU_LISTEN_H__

#include <gio/gio.h>

G_BEGIN_DECLS

/* A TCP socket bound to @address:@port (0: any free port) and listening
 * with a queue of @backlog connections (GLib's default of 10 makes the
 * kernel drop SYNs when thousands arrive at once; clients retry only after
 * a second).  @address must be numeric; NULL or empty: IPv6 any,
 * accepting IPv4 too, or IPv4 any on a host without IPv6.  NULL and
 * @error set on failure. */
GSocket *flu_listen_tcp (const gchar * address, guint port, gint backlog,
    GError ** error);

G_END_DECLS

#endif /* __FLU_LISTEN_H__ */
