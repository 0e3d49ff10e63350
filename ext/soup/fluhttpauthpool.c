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

/* The auth workers (see fluhttpauthpool.h).  No lock: a job belongs to the
 * server thread until it is pushed, to a worker until it is handed back
 * (g_main_context_invoke_full), then to the server thread again; the
 * pending count is atomic. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpauthpool.h"
#include "fluhttpauth.h"

#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

typedef struct
{
  GMainContext *context;
  SoupServerMessage *msg;
  gulong disconnected_id;
  gboolean gone;                /* server thread: the client left */
  GHashTable *users;
  gchar *user;
  gchar *password;
  gboolean ok;                  /* worker, read back in the server thread */
  gint *pending;
  FluHttpAuthDone done;
  gpointer data;
  GDestroyNotify notify;
} AuthJob;

static GThreadPool *pool;
/* contexts of the jobs not handed back yet (context -> count), for
 * flu_http_auth_pool_drain () */
static GMutex flight_lock;
static GCond flight_cond;
static GHashTable *in_flight;

static void
flight_add (GMainContext * context, gint n)
{
  gint c;

  g_mutex_lock (&flight_lock);
  if (in_flight == NULL)
    in_flight = g_hash_table_new (g_direct_hash, g_direct_equal);
  c = GPOINTER_TO_INT (g_hash_table_lookup (in_flight, context)) + n;
  if (c > 0)
    g_hash_table_insert (in_flight, context, GINT_TO_POINTER (c));
  else
    g_hash_table_remove (in_flight, context);
  g_cond_broadcast (&flight_cond);
  g_mutex_unlock (&flight_lock);
}

/* where the job ends: the server thread, or whoever frees the context */
static void
job_free (gpointer data)
{
  AuthJob *j = data;

  if (j->disconnected_id)
    g_signal_handler_disconnect (j->msg, j->disconnected_id);
  g_object_unref (j->msg);
  g_hash_table_unref (j->users);
  g_free (j->user);
  if (j->password) {
    memset (j->password, 0, strlen (j->password));
    g_free (j->password);
  }
  g_atomic_int_add (j->pending, -1);
  if (j->notify)
    j->notify (j->data);
  g_main_context_unref (j->context);
  g_free (j);
}

/* server thread */
static gboolean
job_done (gpointer data)
{
  AuthJob *j = data;

  if (!j->gone)
    j->done (j->msg, j->ok, j->data);
  return G_SOURCE_REMOVE;
}

/* worker */
static void
job_run (gpointer data, gpointer unused)
{
  AuthJob *j = data;

  GMainContext *context = j->context;
  static GPrivate niced;

  /* below the streaming and writer threads: a storm takes the CPU they
   * leave (Linux: the nice value is per thread) */
  if (!g_private_get (&niced)) {
    setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), FLU_HTTP_AUTH_NICE);
    g_private_set (&niced, GINT_TO_POINTER (1));
  }
  j->ok = flu_http_htpasswd_check (j->users, j->user, j->password);
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, job_done, j,
      job_free);
  flight_add (context, -1);
}

/* server thread */
static void
job_disconnected (SoupServerMessage * msg, gpointer data)
{
  AuthJob *j = data;

  j->gone = TRUE;
}

static gpointer
pool_new (gpointer unused)
{
  guint n = CLAMP (g_get_num_processors (), 1, FLU_HTTP_AUTH_MAX_WORKERS);

  return g_thread_pool_new (job_run, NULL, n, FALSE, NULL);
}

gboolean
flu_http_auth_pool_check (GMainContext * context, SoupServerMessage * msg,
    GHashTable * users, const gchar * user, const gchar * password,
    gint * pending, guint max, FluHttpAuthDone done, gpointer data,
    GDestroyNotify notify)
{
  static GOnce once = G_ONCE_INIT;
  AuthJob *j;

  if ((guint) g_atomic_int_add (pending, 1) >= max) {
    g_atomic_int_add (pending, -1);
    return FALSE;
  }
  pool = g_once (&once, pool_new, NULL);
  j = g_new0 (AuthJob, 1);
  j->context = g_main_context_ref (context);
  j->msg = g_object_ref (msg);
  j->users = g_hash_table_ref (users);
  j->user = g_strdup (user);
  j->password = g_strdup (password);
  j->done = done;
  j->data = data;
  j->notify = notify;
  j->pending = pending;
  j->disconnected_id = g_signal_connect (msg, "disconnected",
      G_CALLBACK (job_disconnected), j);
  soup_server_message_pause (msg);
  flight_add (context, 1);
  /* with a shared pool a push only fails to start a new thread: the job
   * stays queued for the running ones */
  g_thread_pool_push (pool, j, NULL);
  return TRUE;
}

void
flu_http_auth_pool_drain (GMainContext * context)
{
  g_mutex_lock (&flight_lock);
  while (in_flight && g_hash_table_contains (in_flight, context))
    g_cond_wait (&flight_cond, &flight_lock);
  g_mutex_unlock (&flight_lock);
}
