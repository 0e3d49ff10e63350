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

#include "fluswitchpolicy.h"

void
flu_switch_pad_state_init (FluSwitchPadState * s, gint priority, guint order,
    guint64 now)
{
  s->priority = priority;
  s->order = order;
  s->alive = TRUE;
  s->eos = FALSE;
  s->seen = FALSE;
  /* a pad that never had data gets `timeout` from now to deliver */
  s->last_seen = now;
  s->steady_since = now;
}

gboolean
flu_switch_pad_state_data (FluSwitchPadState * s, guint64 now,
    guint64 timeout, guint64 recovery)
{
  if (s->eos)
    return FALSE;

  if (!s->seen) {
    s->seen = TRUE;
    s->steady_since = now;
  } else if (now > s->last_seen && now - s->last_seen > timeout) {
    /* a gap: steadiness starts again */
    s->steady_since = now;
  }
  if (now > s->last_seen)
    s->last_seen = now;

  if (!s->alive && now >= s->steady_since && now - s->steady_since >= recovery) {
    s->alive = TRUE;
    return TRUE;
  }
  return FALSE;
}

gboolean
flu_switch_pad_state_check (FluSwitchPadState * s, guint64 now, guint64 timeout)
{
  if (s->alive && now > s->last_seen && now - s->last_seen > timeout) {
    s->alive = FALSE;
    return TRUE;
  }
  return FALSE;
}

void
flu_switch_pad_state_eos (FluSwitchPadState * s)
{
  s->eos = TRUE;
  s->alive = FALSE;
}

static gboolean
better (const FluSwitchPadState * a, const FluSwitchPadState * b)
{
  if (b == NULL)
    return TRUE;
  if (a->priority != b->priority)
    return a->priority < b->priority;
  return a->order < b->order;
}

gint
flu_switch_policy_choose (FluSwitchPadState * const *states, guint n,
    guint64 now, guint64 timeout)
{
  const FluSwitchPadState *best = NULL;
  gint best_idx = -1;
  guint i;

  for (i = 0; i < n; i++) {
    if (states[i]->alive && better (states[i], best)) {
      best = states[i];
      best_idx = i;
    }
  }
  if (best_idx >= 0)
    return best_idx;

  /* nothing alive: the best pad that receives data at all (recovering) */
  for (i = 0; i < n; i++) {
    const FluSwitchPadState *s = states[i];

    if (s->eos || !s->seen)
      continue;
    if (now > s->last_seen && now - s->last_seen > timeout)
      continue;
    if (better (s, best)) {
      best = s;
      best_idx = i;
    }
  }
  return best_idx;
}

FluSwitchReason
flu_switch_policy_reason (const FluSwitchPadState * from, gboolean manual,
    gboolean following, gboolean from_released)
{
  if (from_released)
    return FLU_SWITCH_REASON_RELEASED;
  if (from == NULL)
    return FLU_SWITCH_REASON_NONE;
  if (manual)
    return FLU_SWITCH_REASON_MANUAL;
  if (following)
    return FLU_SWITCH_REASON_FOLLOW;
  if (from->eos)
    return FLU_SWITCH_REASON_EOS;
  if (!from->alive)
    return FLU_SWITCH_REASON_TIMEOUT;
  return FLU_SWITCH_REASON_RECOVERED;
}

gboolean
flu_switch_policy_can_switch (gboolean encoded, gboolean delta_unit,
    gboolean header)
{
  if (!encoded)
    return TRUE;
  return !delta_unit && !header;
}

guint64
flu_switch_policy_offset (gboolean have_out, guint64 out_end, guint64 pos)
{
  if (!have_out || pos >= out_end)
    return 0;
  return out_end - pos;
}

const gchar *
flu_switch_reason_nick (FluSwitchReason reason)
{
  switch (reason) {
    case FLU_SWITCH_REASON_TIMEOUT:
      return "timeout";
    case FLU_SWITCH_REASON_RECOVERED:
      return "recovered";
    case FLU_SWITCH_REASON_MANUAL:
      return "manual";
    case FLU_SWITCH_REASON_EOS:
      return "eos";
    case FLU_SWITCH_REASON_FOLLOW:
      return "follow";
    case FLU_SWITCH_REASON_RELEASED:
      return "released";
    case FLU_SWITCH_REASON_NONE:
    default:
      return "none";
  }
}
