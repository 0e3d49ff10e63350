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

#include "flufeedstate.h"

FluFeedSrcState
flu_feed_src_state_next (FluFeedSrcState state, FluFeedSrcEvent event)
{
  switch (event) {
    case FLU_FEED_SRC_EVENT_START:
      return FLU_FEED_SRC_CONNECTING;
    case FLU_FEED_SRC_EVENT_CONFIRM:
      return state == FLU_FEED_SRC_IDLE ? state : FLU_FEED_SRC_STREAMING;
    case FLU_FEED_SRC_EVENT_LOSE:
      return state == FLU_FEED_SRC_STREAMING ? FLU_FEED_SRC_OUTAGE : state;
    case FLU_FEED_SRC_EVENT_SWITCH:
      return state == FLU_FEED_SRC_STREAMING ||
          state == FLU_FEED_SRC_RESUMING ? FLU_FEED_SRC_OUTAGE : state;
    case FLU_FEED_SRC_EVENT_FLUSH:
      return state == FLU_FEED_SRC_STREAMING || state == FLU_FEED_SRC_OUTAGE ?
          FLU_FEED_SRC_RESUMING : state;
  }
  return state;
}

gboolean
flu_feed_src_state_had_stream (FluFeedSrcState state)
{
  return state == FLU_FEED_SRC_STREAMING || state == FLU_FEED_SRC_OUTAGE ||
      state == FLU_FEED_SRC_RESUMING;
}

const gchar *
flu_feed_src_state_name (FluFeedSrcState state)
{
  switch (state) {
    case FLU_FEED_SRC_IDLE:
      return "idle";
    case FLU_FEED_SRC_CONNECTING:
      return "connecting";
    case FLU_FEED_SRC_STREAMING:
      return "streaming";
    case FLU_FEED_SRC_OUTAGE:
      return "outage";
    case FLU_FEED_SRC_RESUMING:
      return "resuming";
  }
  return "?";
}

const gchar *
flu_feed_src_event_name (FluFeedSrcEvent event)
{
  switch (event) {
    case FLU_FEED_SRC_EVENT_START:
      return "start";
    case FLU_FEED_SRC_EVENT_CONFIRM:
      return "confirm";
    case FLU_FEED_SRC_EVENT_LOSE:
      return "lose";
    case FLU_FEED_SRC_EVENT_SWITCH:
      return "switch";
    case FLU_FEED_SRC_EVENT_FLUSH:
      return "flush";
  }
  return "?";
}
