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
/* Messages in batches (see flubusbatch.h).
 *
 * Order: every message enters the queue first; one thread at a time
 * drains it (b->draining), posting without the lock, so messages from
 * several threads reach the bus in the order they were queued, and
 * gst_element_post_message () (with the application's sync handler,
 * which may call back into the element) never runs under our lock.
 * The lock is a leaf: nothing else is taken while it is held. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "flubusbatch.h"

struct _FluBusBatch
{
  GstElement *owner;            /* not reffed: the batch is the owner's */
  GMutex lock;
  GQueue queue;                 /* GstMessage* */
  gboolean draining;
  gint64 last_drain;            /* monotonic us */
  GMainContext *context;        /* reffed; NULL: no waiting */
  GSource *timer;
  gint64 period_us;
};

FluBusBatch *
flu_bus_batch_new (GstElement * owner, guint period_ms)
{
  FluBusBatch *b = g_new0 (FluBusBatch, 1);

  b->owner = owner;
  b->period_us = (gint64) period_ms *1000;
  g_mutex_init (&b->lock);
  g_queue_init (&b->queue);
  return b;
}

/* lock held: post what is queued, in order, dropping the lock for each
 * post; messages queued meanwhile by other threads go out in this drain */
static void
drain_locked (FluBusBatch * b)
{
  GstMessage *m;

  b->draining = TRUE;
  while ((m = g_queue_pop_head (&b->queue))) {
    g_mutex_unlock (&b->lock);
    gst_element_post_message (b->owner, m);
    g_mutex_lock (&b->lock);
  }
  b->draining = FALSE;
  b->last_drain = g_get_monotonic_time ();
}

static gboolean
timer_fired (gpointer data)
{
  FluBusBatch *b = data;

  g_mutex_lock (&b->lock);
  g_clear_pointer (&b->timer, g_source_unref);
  if (!b->draining)
    drain_locked (b);
  g_mutex_unlock (&b->lock);
  return G_SOURCE_REMOVE;
}

void
flu_bus_batch_post (FluBusBatch * b, GstStructure * s)
{
  GstMessage *m = gst_message_new_element (GST_OBJECT (b->owner), s);
  gint64 now, wait_us;

  g_mutex_lock (&b->lock);
  g_queue_push_tail (&b->queue, m);
  if (b->draining) {
    /* goes out with the drain under way */
    g_mutex_unlock (&b->lock);
    return;
  }
  now = g_get_monotonic_time ();
  wait_us = b->last_drain + b->period_us - now;
  if (b->context == NULL || wait_us <= 0 ||
      b->queue.length >= FLU_BUS_BATCH_MAX) {
    /* a full batch goes now; the timer, if any, finds nothing left */
    drain_locked (b);
  } else if (b->timer == NULL) {
    b->timer = g_timeout_source_new ((guint) ((wait_us + 999) / 1000));
    g_source_set_callback (b->timer, timer_fired, b, NULL);
    g_source_attach (b->timer, b->context);
  }
  g_mutex_unlock (&b->lock);
}

void
flu_bus_batch_start (FluBusBatch * b, GMainContext * context)
{
  g_mutex_lock (&b->lock);
  g_clear_pointer (&b->context, g_main_context_unref);
  b->context = g_main_context_ref (context);
  g_mutex_unlock (&b->lock);
}

void
flu_bus_batch_stop (FluBusBatch * b)
{
  g_mutex_lock (&b->lock);
  if (b->timer) {
    g_source_destroy (b->timer);
    g_clear_pointer (&b->timer, g_source_unref);
  }
  g_clear_pointer (&b->context, g_main_context_unref);
  if (!b->draining)
    drain_locked (b);
  g_mutex_unlock (&b->lock);
}

void
flu_bus_batch_free (FluBusBatch * b)
{
  if (b->timer) {
    g_source_destroy (b->timer);
    g_source_unref (b->timer);
  }
  if (b->context)
    g_main_context_unref (b->context);
  g_queue_clear_full (&b->queue, (GDestroyNotify) gst_message_unref);
  g_mutex_clear (&b->lock);
  g_free (b);
}
