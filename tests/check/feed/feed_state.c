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


/* Unit tests of flufeedsrc's connection state machine (flufeedstate.c):
 * every transition, without sockets. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "flufeedstate.h"

#define IDLE FLU_FEED_SRC_IDLE
#define CONNECTING FLU_FEED_SRC_CONNECTING
#define STREAMING FLU_FEED_SRC_STREAMING
#define OUTAGE FLU_FEED_SRC_OUTAGE
#define RESUMING FLU_FEED_SRC_RESUMING

#define N_STATES 5
#define N_EVENTS 5

/* the whole table: next[state][event], events in the enum's order
 * (start, confirm, lose, switch, flush) */
static const FluFeedSrcState next[N_STATES][N_EVENTS] = {
  /* idle */ {CONNECTING, IDLE, IDLE, IDLE, IDLE},
  /* connecting */ {CONNECTING, STREAMING, CONNECTING, CONNECTING, CONNECTING},
  /* streaming */ {CONNECTING, STREAMING, OUTAGE, OUTAGE, RESUMING},
  /* outage */ {CONNECTING, STREAMING, OUTAGE, OUTAGE, RESUMING},
  /* resuming */ {CONNECTING, STREAMING, RESUMING, OUTAGE, RESUMING},
};

GST_START_TEST (test_transition_table)
{
  guint s, e;

  for (s = 0; s < N_STATES; s++) {
    for (e = 0; e < N_EVENTS; e++) {
      FluFeedSrcState got = flu_feed_src_state_next (s, e);

      fail_unless_equals_int (got, next[s][e]);
      if (got != next[s][e])
        GST_ERROR ("%s + %s", flu_feed_src_state_name (s),
            flu_feed_src_event_name (e));
    }
  }
}

GST_END_TEST;

/* The life the element's messages describe: connected, a loss,
 * reconnected, a prefer-first switch, a flush, a restart. */
GST_START_TEST (test_a_life)
{
  FluFeedSrcState s = IDLE;

  fail_if (flu_feed_src_state_had_stream (s));
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_START);
  fail_unless_equals_int (s, CONNECTING);
  /* attempts that fail before the caps change nothing */
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_LOSE);
  fail_unless_equals_int (s, CONNECTING);
  fail_if (flu_feed_src_state_had_stream (s));
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_CONFIRM);
  fail_unless_equals_int (s, STREAMING);
  fail_unless (flu_feed_src_state_had_stream (s));
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_LOSE);
  fail_unless_equals_int (s, OUTAGE);
  fail_unless (flu_feed_src_state_had_stream (s));
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_LOSE);
  fail_unless_equals_int (s, OUTAGE);
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_CONFIRM);
  fail_unless_equals_int (s, STREAMING);
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_SWITCH);
  fail_unless_equals_int (s, OUTAGE);
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_FLUSH);
  fail_unless_equals_int (s, RESUMING);
  fail_unless (flu_feed_src_state_had_stream (s));
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_CONFIRM);
  fail_unless_equals_int (s, STREAMING);
  s = flu_feed_src_state_next (s, FLU_FEED_SRC_EVENT_START);
  fail_unless_equals_int (s, CONNECTING);
  fail_if (flu_feed_src_state_had_stream (s));
}

GST_END_TEST;

GST_START_TEST (test_names)
{
  guint i;

  fail_unless_equals_string (flu_feed_src_state_name (OUTAGE), "outage");
  fail_unless_equals_string (flu_feed_src_event_name
      (FLU_FEED_SRC_EVENT_SWITCH), "switch");
  for (i = 0; i < N_STATES; i++)
    fail_if (g_str_equal (flu_feed_src_state_name (i), "?"));
  for (i = 0; i < N_EVENTS; i++)
    fail_if (g_str_equal (flu_feed_src_event_name (i), "?"));
  fail_unless_equals_string (flu_feed_src_state_name (N_STATES), "?");
}

GST_END_TEST;

static Suite *
feed_state_suite (void)
{
  Suite *s = suite_create ("feed_state");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_transition_table);
  tcase_add_test (tc, test_a_life);
  tcase_add_test (tc, test_names);
  return s;
}

GST_CHECK_MAIN (feed_state);
