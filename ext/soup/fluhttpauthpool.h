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

/* Password checks off the server thread: a bcrypt hash costs tens of ms,
 * and the port's server thread answers every request of every element on
 * the port.  A check is queued to a small pool of auth workers (one
 * GThreadPool for the process) while its request is paused; the result is
 * handed back to the server thread, where the request goes on.  Each
 * caller bounds its own checks waiting or running (fluhttpsink's
 * max-pending-logins): past that it answers 503, so a login storm costs a
 * bounded queue and the workers' CPU, never the other requests' turn. */

#ifndef __FLU_HTTP_AUTH_POOL_H__
#define __FLU_HTTP_AUTH_POOL_H__

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define FLU_HTTP_AUTH_MAX_WORKERS 2
/* the workers' nice value: below the threads that stream */
#define FLU_HTTP_AUTH_NICE 10

/* Called in @context's thread with the check's result.  @msg is still
 * paused: the callback answers it and unpauses it (or keeps it paused).
 * Not called when the client left meanwhile. */
typedef void (*FluHttpAuthDone) (SoupServerMessage * msg, gboolean ok,
    gpointer data);

/* Server thread (the one iterating @context): pause @msg and check
 * @user / @password against @users (flu_http_htpasswd_check) in a worker;
 * @done then runs in @context.  @notify frees @data once the check is over,
 * whether @done ran or not.  *@pending (atomic) counts the caller's checks
 * queued or running, and is decremented before @notify runs: FALSE
 * (nothing queued, @msg not paused, @notify not called) when it is at
 * @max. */
gboolean flu_http_auth_pool_check (GMainContext * context,
    SoupServerMessage * msg, GHashTable * users, const gchar * user,
    const gchar * password, gint * pending, guint max, FluHttpAuthDone done,
    gpointer data, GDestroyNotify notify);

/* Waits until every check queued for @context was handed back to it
 * (its result is then a source of @context): the server's release calls it
 * after its thread ended, before the last iterations of @context. */
void flu_http_auth_pool_drain (GMainContext * context);


G_END_DECLS

#endif /* __FLU_HTTP_AUTH_POOL_H__ */
