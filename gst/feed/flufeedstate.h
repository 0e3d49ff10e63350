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


/* The connection state machine of flufeedsrc, apart from its sockets so
 * that it is unit-tested without any (tests/check/feed/feed_state.c).
 *
 *   IDLE --start--> CONNECTING --confirm--> STREAMING
 *   STREAMING --lose, switch--> OUTAGE --confirm--> STREAMING
 *   STREAMING, OUTAGE --flush--> RESUMING --confirm--> STREAMING
 *   RESUMING --switch--> OUTAGE
 *   any --start--> CONNECTING
 *
 * Every other (state, event) pair leaves the state as it is: a connection
 * that fails before it delivers the stream's caps is a failed attempt,
 * not a change of state.  "confirm" is a connection delivering the
 * stream's caps (it then counts: connects, messages, reset backoff). */

#ifndef __FLU_FEED_STATE_H__
#define __FLU_FEED_STATE_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  /* not started */
  FLU_FEED_SRC_IDLE,
  /* no stream yet since start: connecting (or accepting), or a
   * connection up that has not delivered caps yet */
  FLU_FEED_SRC_CONNECTING,
  /* a connection delivered the stream's caps and is read */
  FLU_FEED_SRC_STREAMING,
  /* the stream was lost (or left for the first upstream, prefer-first):
   * reconnecting; the outage is timed, and fill output runs */
  FLU_FEED_SRC_OUTAGE,
  /* the stream was dropped by a flush: reconnecting when resumed; no
   * outage is timed */
  FLU_FEED_SRC_RESUMING
} FluFeedSrcState;

typedef enum
{
  FLU_FEED_SRC_EVENT_START,     /* the element starts */
  FLU_FEED_SRC_EVENT_CONFIRM,   /* a connection delivered the caps */
  FLU_FEED_SRC_EVENT_LOSE,      /* the connection went away */
  FLU_FEED_SRC_EVENT_SWITCH,    /* prefer-first: the first upstream is back */
  FLU_FEED_SRC_EVENT_FLUSH      /* flushing: our place in the stream lost */
} FluFeedSrcEvent;

/* The state after @event in @state. */
FluFeedSrcState flu_feed_src_state_next (FluFeedSrcState state,
    FluFeedSrcEvent event);
/* TRUE once a stream was had since start (later connections are
 * reconnections, and an outage is filled). */
gboolean flu_feed_src_state_had_stream (FluFeedSrcState state);
const gchar *flu_feed_src_state_name (FluFeedSrcState state);
const gchar *flu_feed_src_event_name (FluFeedSrcEvent event);

G_END_DECLS

#endif /* __FLU_FEED_STATE_H__ */
