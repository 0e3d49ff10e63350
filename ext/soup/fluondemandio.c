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

/* fluondemand's file I/O off the server thread: one pool of
 * FLU_ON_DEMAND_IO_THREADS threads shared by every fluondemand of the
 * process opens, stats, lists and reads; the result goes back to the
 * server thread of the port (g_main_context_invoke on its context),
 * where every SoupServerMessage call stays.  A job owns what it works
 * on (a duplicated directory fd, a reference to its request); the
 * context is referenced only until the result is handed to it, so a
 * server that stops meanwhile frees the job with its context. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluondemandpriv.h"

#define GST_CAT_DEFAULT flu_on_demand_debug

G_MODULE_EXPORT FluOnDemandTestHook flu_on_demand_test_hook = NULL;

typedef struct
{
  GMainContext *context;
  GFunc work;
  GSourceFunc done;
  gpointer data;
  GDestroyNotify destroy;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->destroy)
    job->destroy (job->data);
  g_free (job);
}

static gboolean
job_done (gpointer data)
{
  Job *job = data;

  job->done (job->data);
  return G_SOURCE_REMOVE;
}

/* a pool thread: the work, then its result to the server thread */
static void
job_run (gpointer data, gpointer unused)
{
  Job *job = data;
  GMainContext *context = g_steal_pointer (&job->context);

  job->work (job->data, NULL);
  /* after this the job belongs to the context (the server thread may
   * already have freed it) */
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, job_done, job,
      job_free);
  g_main_context_unref (context);
}

static GThreadPool *
pool (void)
{
  static gsize once = 0;
  static GThreadPool *p;

  if (g_once_init_enter (&once)) {
    /* never freed: the threads end with the process, idle ones sooner
     * (GLib stops unused threads after a while) */
    p = g_thread_pool_new (job_run, NULL, FLU_ON_DEMAND_IO_THREADS, FALSE,
        NULL);
    g_once_init_leave (&once, 1);
  }
  return p;
}

void
flu_on_demand_io_push (GMainContext * context, GFunc work, GSourceFunc done,
    gpointer data, GDestroyNotify destroy)
{
  Job *job = g_new0 (Job, 1);
  GError *err = NULL;

  job->context = g_main_context_ref (context);
  job->work = work;
  job->done = done;
  job->data = data;
  job->destroy = destroy;
  /* a non-exclusive pool queues the job even when it cannot start a
   * thread (a later push or a running thread takes it) */
  if (!g_thread_pool_push (pool (), job, &err)) {
    GST_WARNING ("cannot start a file-reading thread: %s", err->message);
    g_error_free (err);
  }
}
