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

/* FluSwitchPolicy: the decisions of fluswitch, as plain functions over
 * plain structs (no GObject, no locks), so that they are unit-tested
 * without pads, threads or clocks.
 *
 * Times are nanoseconds on one monotonic time base (fluswitch uses the
 * pipeline clock).  A pad is alive until it has had no data for more than
 * `timeout`; a dead pad is alive again once it has delivered data steadily
 * (no gap longer than `timeout`) for `recovery`.  The preferred pad is the
 * alive pad with the lowest priority (ties: the earlier requested one); when
 * no pad is alive, the best pad that is receiving data at all. */

#ifndef __FLU_SWITCH_POLICY_H__
#define __FLU_SWITCH_POLICY_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint priority;                /* lower = preferred */
  guint order;                  /* request order, breaks ties */
  gboolean alive;
  gboolean eos;
  gboolean seen;                /* has had data at least once */
  guint64 last_seen;            /* arrival of the last data */
  guint64 steady_since;         /* start of the current run of steady data */
} FluSwitchPadState;

typedef enum
{
  FLU_SWITCH_REASON_NONE = 0,   /* first activation: not a switch */
  FLU_SWITCH_REASON_TIMEOUT,    /* the active pad went quiet */
  FLU_SWITCH_REASON_RECOVERED,  /* a preferred pad is alive again */
  FLU_SWITCH_REASON_MANUAL,     /* active-pad was set */
  FLU_SWITCH_REASON_EOS,        /* the active pad ended */
  FLU_SWITCH_REASON_FOLLOW,     /* the leader switch (follow) switched */
  FLU_SWITCH_REASON_RELEASED    /* the active pad was released */
} FluSwitchReason;

void flu_switch_pad_state_init (FluSwitchPadState * s, gint priority,
    guint order, guint64 now);

/* Data arrived at @now.  Returns TRUE when this made a dead pad alive. */
gboolean flu_switch_pad_state_data (FluSwitchPadState * s, guint64 now,
    guint64 timeout, guint64 recovery);

/* Time passed until @now.  Returns TRUE when the pad just died. */
gboolean flu_switch_pad_state_check (FluSwitchPadState * s, guint64 now,
    guint64 timeout);

/* The pad has ended: dead for good (until a flush). */
void flu_switch_pad_state_eos (FluSwitchPadState * s);

/* Index of the preferred pad among @n, or -1 when no pad is alive or
 * receiving. */
gint flu_switch_policy_choose (FluSwitchPadState * const *states, guint n,
    guint64 now, guint64 timeout);

/* Why the output moves from @from (NULL: nothing active) to another pad. */
FluSwitchReason flu_switch_policy_reason (const FluSwitchPadState * from,
    gboolean manual, gboolean following, gboolean from_released);

/* Whether a buffer may be the first one output from a pad: any buffer of
 * raw media, only keyframes (no DELTA_UNIT, not a header) of encoded
 * media. */
gboolean flu_switch_policy_can_switch (gboolean encoded, gboolean delta_unit,
    gboolean header);

/* Offset to add to the timestamps of a newly active pad whose first
 * position (DTS, or PTS) is @pos, when the output has reached @out_end
 * (@have_out FALSE: nothing output yet): the output never goes back, and
 * never jumps ahead of the pad's own running time. */
guint64 flu_switch_policy_offset (gboolean have_out, guint64 out_end,
    guint64 pos);

const gchar *flu_switch_reason_nick (FluSwitchReason reason);

G_END_DECLS

#endif /* __FLU_SWITCH_POLICY_H__ */
