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

/*
 * The fan-out engine's policy (see flufanoutpolicy.h): pure functions of
 * the ring, the config and a client's cursor.  No lock is taken here: the
 * caller (flufanout.c) holds its own.  See flufanout.c's top comment for
 * the rules (what the ring keeps, the sync methods, where we differ from
 * the stock element on purpose).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "flufanoutpolicy.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* header sets */

FluHeaders *
flu_headers_ref (FluHeaders * h)
{
  if (h)
    g_atomic_int_inc (&h->refcount);
  return h;
}

void
flu_headers_unref (FluHeaders * h)
{
  guint i;

  if (h == NULL || !g_atomic_int_dec_and_test (&h->refcount))
    return;
  for (i = 0; i < h->n_maps; i++)
    gst_memory_unmap (h->maps[i].memory, &h->maps[i]);
  for (i = 0; i < h->n_buffers; i++)
    gst_buffer_unref (h->buffers[i]);
  g_bytes_unref (h->content);
  g_free (h->maps);
  g_free (h->buffers);
  g_free (h);
}

gboolean
flu_headers_equal (const FluHeaders * a, const FluHeaders * b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  return g_bytes_equal (a->content, b->content);
}

static guint
caps_header_memories (const GValue * sh)
{
  guint i, n = gst_value_array_get_size (sh), total = 0;

  for (i = 0; i < n; i++) {
    const GValue *v = gst_value_array_get_value (sh, i);

    if (GST_VALUE_HOLDS_BUFFER (v))
      total += gst_buffer_n_memory (gst_value_get_buffer (v));
  }
  return total;
}

/* Collect the streamheader buffers of @caps.  Returns NULL when the caps
 * have none. */
FluHeaders *
flu_headers_from_caps (GstCaps * caps)
{
  const GValue *sh;
  GstStructure *s;
  FluHeaders *h;
  GByteArray *bytes;
  guint i, n, total_mem;

  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return NULL;
  s = gst_caps_get_structure (caps, 0);
  sh = gst_structure_get_value (s, "streamheader");
  if (sh == NULL || !GST_VALUE_HOLDS_ARRAY (sh))
    return NULL;
  n = gst_value_array_get_size (sh);
  total_mem = caps_header_memories (sh);
  if (total_mem == 0)
    return NULL;

  h = g_new0 (FluHeaders, 1);
  h->refcount = 1;
  h->buffers = g_new0 (GstBuffer *, n);
  h->maps = g_new0 (GstMapInfo, total_mem);
  bytes = g_byte_array_new ();
  for (i = 0; i < n; i++) {
    const GValue *v = gst_value_array_get_value (sh, i);
    GstBuffer *buf;
    guint j, nm;

    if (!GST_VALUE_HOLDS_BUFFER (v))
      continue;
    buf = gst_buffer_ref (gst_value_get_buffer (v));
    h->buffers[h->n_buffers++] = buf;
    nm = gst_buffer_n_memory (buf);
    for (j = 0; j < nm; j++) {
      GstMapInfo *map = &h->maps[h->n_maps];

      if (!gst_memory_map (gst_buffer_peek_memory (buf, j), map, GST_MAP_READ))
        continue;
      g_byte_array_append (bytes, map->data, map->size);
      h->size += map->size;
      h->n_maps++;
    }
  }
  h->content = g_byte_array_free_to_bytes (bytes);
  return h;
}

/* ------------------------------------------------------------------ */
/* the ring */

static void
scan_reset (FluScan * scan)
{
  scan->seq = scan->kf = FLU_NO_SEQ;
}

void
flu_ring_reset_scans (FluRing * r)
{
  scan_reset (&r->min_scan);
  scan_reset (&r->burst_scan);
}

void
flu_ring_init (FluRing * r)
{
  memset (r, 0, sizeof (FluRing));
  r->newest_ts = GST_CLOCK_TIME_NONE;
  r->last_kf = FLU_NO_SEQ;
  flu_ring_reset_scans (r);
}

static void
entry_clear (FluEntry * e)
{
  GstMapInfo *maps = flu_entry_maps (e);
  guint i;

  for (i = 0; i < e->n_maps; i++)
    gst_memory_unmap (maps[i].memory, &maps[i]);
  if (e->n_maps > 1)
    g_free (e->maps);
  flu_headers_unref (e->headers);
  gst_buffer_unref (e->buffer);
  memset (e, 0, sizeof (FluEntry));
}

/* Empty the ring and forget the stream (headers, timestamps, offsets);
 * the storage stays for the next run. */
void
flu_ring_clear (FluRing * r)
{
  while (r->tail < r->head) {
    entry_clear (flu_ring_entry (r, r->tail));
    r->tail++;
  }
  flu_headers_unref (r->headers);
  r->headers = NULL;
  r->stream_bytes = 0;
  r->newest_ts = GST_CLOCK_TIME_NONE;
  r->last_kf = FLU_NO_SEQ;
  flu_ring_reset_scans (r);
}

void
flu_ring_free (FluRing * r)
{
  flu_ring_clear (r);
  g_free (r->entries);
  r->entries = NULL;
  r->cap = 0;
}

static void
ring_grow (FluRing * r)
{
  guint64 newcap = r->cap ? r->cap * 2 : 256;
  FluEntry *n = g_new0 (FluEntry, newcap);
  guint64 s;

  for (s = r->tail; s < r->head; s++)
    n[s & (newcap - 1)] = *flu_ring_entry (r, s);
  g_free (r->entries);
  r->entries = n;
  r->cap = newcap;
}

static gboolean
entry_map (FluEntry * e, GstBuffer * buf, guint n, guint * failed_memory)
{
  GstMapInfo *maps;
  guint i;

  e->n_maps = n;
  if (n > 1)
    e->maps = g_new0 (GstMapInfo, n);
  maps = flu_entry_maps (e);
  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_peek_memory (buf, i);

    if (!gst_memory_map (mem, &maps[i], GST_MAP_READ)) {
      guint j;

      for (j = 0; j < i; j++)
        gst_memory_unmap (maps[j].memory, &maps[j]);
      if (n > 1)
        g_free (e->maps);
      memset (e, 0, sizeof (FluEntry));
      if (failed_memory)
        *failed_memory = i;
      return FALSE;
    }
    e->size += maps[i].size;
  }
  return TRUE;
}

/* Queue @buf at the head, its memory mapped until it leaves the ring. */
FluRingAppendResult
flu_ring_append (FluRing * r, GstBuffer * buf, guint * failed_memory)
{
  FluEntry *e;
  guint n = gst_buffer_n_memory (buf);

  if (n == 0 || gst_buffer_get_size (buf) == 0)
    return FLU_RING_APPEND_EMPTY;
  if (r->head - r->tail == r->cap)
    ring_grow (r);
  e = flu_ring_entry (r, r->head);
  if (!entry_map (e, buf, n, failed_memory))
    return FLU_RING_APPEND_MAP_FAILED;
  e->buffer = gst_buffer_ref (buf);
  e->headers = flu_headers_ref (r->headers);
  e->offset = r->stream_bytes;
  e->ts = GST_BUFFER_PTS (buf);
  e->keyframe = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  if (GST_CLOCK_TIME_IS_VALID (e->ts)) {
    /* timestamps went back (a restarted source): what came before is
     * older than any time limit, or the ring would keep it until the new
     * timestamps caught up with the old ones */
    if (GST_CLOCK_TIME_IS_VALID (r->newest_ts) && e->ts < r->newest_ts)
      r->ts_run_start = r->head;
    r->newest_ts = e->ts;
  }
  if (e->keyframe)
    r->last_kf = r->head;
  r->stream_bytes += e->size;
  r->head++;
  return FLU_RING_APPEND_OK;
}

void
flu_ring_trim_to (FluRing * r, guint64 keep)
{
  while (r->tail < keep) {
    entry_clear (flu_ring_entry (r, r->tail));
    r->tail++;
  }
}

/* Is @buf one of the current streamheader buffers (byte for byte)? */
gboolean
flu_ring_is_header (const FluRing * r, GstBuffer * buf)
{
  gsize size, off = 0, hsize;
  const guint8 *hdata;
  gboolean found = FALSE;
  guint i;

  if (r->headers == NULL)
    return FALSE;
  hdata = g_bytes_get_data (r->headers->content, &hsize);
  size = gst_buffer_get_size (buf);
  for (i = 0; i < r->headers->n_buffers && !found; i++) {
    gsize bsize = gst_buffer_get_size (r->headers->buffers[i]);

    if (r->headers->buffers[i] == buf)
      found = TRUE;
    else if (bsize == size && off + bsize <= hsize &&
        gst_buffer_memcmp (buf, 0, hdata + off, size) == 0)
      found = TRUE;
    off += bsize;
  }
  return found;
}

/* bytes-queued and time-queued */
void
flu_ring_queued (const FluRing * r, guint64 * bytes, guint64 * time)
{
  const FluEntry *o, *n;

  *bytes = *time = 0;
  if (r->head == r->tail)
    return;
  o = flu_ring_entry (r, r->tail);
  n = flu_ring_entry (r, r->head - 1);
  *bytes = r->stream_bytes - o->offset;
  if (GST_CLOCK_TIME_IS_VALID (o->ts) && GST_CLOCK_TIME_IS_VALID (n->ts)
      && n->ts > o->ts)
    *time = n->ts - o->ts;
}

/* Do the entries [@s, head) hold @l (newest timestamp minus the timestamp
 * of @s for the time; entries from before timestamps last went back hold
 * any time)? */
static gboolean
ring_suffix_holds (const FluRing * r, guint64 s, const FluLimits * l)
{
  const FluEntry *e = flu_ring_entry (r, s);

  if (l->bytes >= 0 && r->stream_bytes - e->offset < (guint64) l->bytes)
    return FALSE;
  if (l->buffers >= 0 && r->head - s < (guint64) l->buffers)
    return FALSE;
  if (l->time >= 0 && s >= r->ts_run_start && (!GST_CLOCK_TIME_IS_VALID (e->ts)
          || !GST_CLOCK_TIME_IS_VALID (r->newest_ts) || r->newest_ts < e->ts
          || r->newest_ts - e->ts < (guint64) l->time))
    return FALSE;
  return TRUE;
}

/* Move @scan to the newest seq from which the ring holds @l, noting the
 * newest keyframe up to there.  Leaves scan->seq at FLU_NO_SEQ while even
 * the whole ring does not hold them.  The position only moves forward as
 * buffers arrive, so the cost is O(1) amortized per buffer. */
static void
ring_scan (const FluRing * r, FluScan * scan, const FluLimits * l)
{
  if (scan->seq != FLU_NO_SEQ && scan->seq < r->tail)
    scan_reset (scan);
  if (scan->kf != FLU_NO_SEQ && scan->kf < r->tail)
    scan->kf = FLU_NO_SEQ;
  if (r->head == r->tail)
    return;
  if (scan->seq == FLU_NO_SEQ) {
    if (!ring_suffix_holds (r, r->tail, l))
      return;
    scan->seq = r->tail;
    if (flu_ring_entry (r, r->tail)->keyframe)
      scan->kf = r->tail;
  }
  while (scan->seq + 1 < r->head && ring_suffix_holds (r, scan->seq + 1, l)) {
    scan->seq++;
    if (flu_ring_entry (r, scan->seq)->keyframe)
      scan->kf = scan->seq;
  }
}

/* ------------------------------------------------------------------ */
/* limits and positions */

/* @l gets -1 everywhere but in the unit of @format, which gets @value. */
void
flu_limits_from_format (FluLimits * l, GstFormat format, guint64 value)
{
  l->bytes = l->buffers = l->time = -1;
  switch (format) {
    case GST_FORMAT_BUFFERS:
      l->buffers = (gint64) value;
      break;
    case GST_FORMAT_TIME:
      l->time = (gint64) value;
      break;
    case GST_FORMAT_BYTES:
      l->bytes = (gint64) value;
      break;
    default:
      break;
  }
}

/* First keyframe from index @idx going older (@dir = +1) or newer (-1). */
gint64
flu_ring_find_keyframe (const FluRing * r, gint64 idx, gint dir)
{
  gint64 len = r->head - r->tail;
  gint64 i;

  for (i = idx; i >= 0 && i < len; i += dir)
    if (flu_ring_entry (r, flu_ring_seq_of_idx (r, i))->keyframe)
      return i;
  return -1;
}

/* Find the indexes where the @min limits are satisfied (the oldest entry
 * needed so that entries 0..min_idx hold at least the minimum) and where
 * a @max limit is reached.  Returns whether the min limits could all be
 * met. */
gboolean
flu_ring_find_limits (const FluRing * r, const FluLimits * min,
    const FluLimits * max, gint64 * min_idx, gint64 * max_idx)
{
  gint64 len = r->head - r->tail;
  gint64 i, bytes = 0;
  gint64 bytes_min = min->bytes, buffers_min = min->buffers;
  gint64 time_min = min->time;
  GstClockTime first = GST_CLOCK_TIME_NONE;
  gboolean max_hit = FALSE, min_met = FALSE;

  *min_idx = -1;
  *max_idx = -1;
  if (len <= 0)
    return FALSE;
  for (i = 0; i < len; i++) {
    const FluEntry *e = flu_ring_entry (r, flu_ring_seq_of_idx (r, i));

    if (bytes_min == -1 && time_min == -1 && buffers_min == -1
        && *min_idx == -1) {
      *min_idx = MAX (i - 1, 0);
      min_met = TRUE;
    }
    if (max_hit) {
      *max_idx = i - 1;
      break;
    }
    bytes += e->size;
    if (GST_CLOCK_TIME_IS_VALID (e->ts)) {
      if (!GST_CLOCK_TIME_IS_VALID (first))
        first = e->ts;
      if (time_min != -1 && (gint64) (first - e->ts) >= time_min)
        time_min = -1;
      if (max->time != -1 && (gint64) (first - e->ts) >= max->time)
        max_hit = TRUE;
    }
    if (bytes_min != -1 && bytes >= bytes_min)
      bytes_min = -1;
    if (max->bytes != -1 && bytes >= max->bytes)
      max_hit = TRUE;
    if (buffers_min != -1 && i + 1 >= buffers_min)
      buffers_min = -1;
    if (max->buffers != -1 && i + 1 >= max->buffers)
      max_hit = TRUE;
  }
  if (*max_idx == -1)
    *max_idx = len - 1;
  if (*min_idx == -1)
    *min_idx = *max_idx;
  return min_met;
}

static void
burst_limits (const FluRing * r, const FluStartSpec * spec, gint64 * min_idx,
    gint64 * max_idx, gboolean * has_max)
{
  FluLimits min, max;

  flu_limits_from_format (&min, spec->min_format, spec->min_value);
  flu_limits_from_format (&max, spec->max_format, spec->max_value);
  *has_max = max.bytes != -1 || max.buffers != -1 || max.time != -1;
  flu_ring_find_limits (r, &min, &max, min_idx, max_idx);
}

/* Decide where a new client starts, with the newest buffer just appended
 * (the ring is not empty).  Returns the index to start at, or -1 to keep
 * waiting (*@wait tells for what; it is left alone otherwise). */
gint64
flu_ring_decide_position (const FluRing * r, const FluStartSpec * spec,
    FluWait * wait)
{
  gint64 min_idx, max_idx, kf;
  gboolean has_max;

  switch (spec->sync_method) {
    case FLU_SYNC_METHOD_LATEST:
      return 0;
    case FLU_SYNC_METHOD_NEXT_KEYFRAME:
      if (flu_ring_entry (r, r->head - 1)->keyframe)
        return 0;
      *wait = FLU_WAIT_KEYFRAME;
      return -1;
    case FLU_SYNC_METHOD_LATEST_KEYFRAME:
      kf = flu_ring_find_keyframe (r, 0, +1);
      if (kf != -1)
        return kf;
      *wait = FLU_WAIT_KEYFRAME;
      return -1;
    case FLU_SYNC_METHOD_BURST:
      burst_limits (r, spec, &min_idx, &max_idx, &has_max);
      if (max_idx <= min_idx)
        return MAX (max_idx - 1, 0);
      return min_idx;
    case FLU_SYNC_METHOD_BURST_KEYFRAME:
      burst_limits (r, spec, &min_idx, &max_idx, &has_max);
      kf = flu_ring_find_keyframe (r, min_idx, +1);
      if (kf != -1 && (kf < max_idx || (!has_max && kf <= max_idx)))
        return kf;
      kf = flu_ring_find_keyframe (r, min_idx, -1);
      if (kf != -1)
        return kf;
      *wait = FLU_WAIT_KEYFRAME;
      return -1;
    case FLU_SYNC_METHOD_BURST_WITH_KEYFRAME:
      burst_limits (r, spec, &min_idx, &max_idx, &has_max);
      kf = flu_ring_find_keyframe (r, min_idx, +1);
      if (kf != -1 && (kf < max_idx || (!has_max && kf <= max_idx)))
        return kf;
      if (max_idx <= min_idx)
        return MAX (max_idx - 1, 0);
      return min_idx;
    default:
      return 0;
  }
}

/* ------------------------------------------------------------------ */
/* lag and recovery */

/* What a client whose first unsent entry is @first_unsent has still to
 * get: buffers, bytes and stream time.  All 0 when it is caught up. */
void
flu_ring_lag (const FluRing * r, guint64 first_unsent, guint64 * buffers,
    guint64 * bytes, guint64 * time)
{
  const FluEntry *newest, *e;

  *buffers = *bytes = *time = 0;
  if (first_unsent >= r->head)
    return;
  *buffers = r->head - first_unsent;
  e = flu_ring_entry (r, first_unsent);
  *bytes = r->stream_bytes - e->offset;
  newest = flu_ring_entry (r, r->head - 1);
  if (GST_CLOCK_TIME_IS_VALID (newest->ts) && GST_CLOCK_TIME_IS_VALID (e->ts)
      && newest->ts > e->ts)
    *time = newest->ts - e->ts;
}

/* Is the lag over @limit in @unit_format (buffers for anything but bytes
 * and time)?  A @limit <= 0 is no limit. */
gboolean
flu_lag_exceeds (GstFormat unit_format, guint64 buffers, guint64 bytes,
    guint64 time, gint64 limit)
{
  if (limit <= 0)
    return FALSE;
  switch (unit_format) {
    case GST_FORMAT_BYTES:
      return bytes > (guint64) limit;
    case GST_FORMAT_TIME:
      return time > (guint64) limit;
    default:
      return buffers > (guint64) limit;
  }
}

/* Oldest seq such that a client starting there is within @limit units
 * (head when the ring is empty). */
guint64
flu_ring_soft_limit_seq (const FluRing * r, GstFormat unit_format, gint64 limit)
{
  guint64 s = r->head;
  const FluEntry *newest;

  if (r->head == r->tail)
    return s;
  newest = flu_ring_entry (r, r->head - 1);
  while (s > r->tail) {
    const FluEntry *e = flu_ring_entry (r, s - 1);
    guint64 b = r->head - (s - 1), by = r->stream_bytes - e->offset, t = 0;

    if (GST_CLOCK_TIME_IS_VALID (newest->ts) && GST_CLOCK_TIME_IS_VALID (e->ts)
        && newest->ts > e->ts)
      t = newest->ts - e->ts;
    if (flu_lag_exceeds (unit_format, b, by, t, limit))
      break;
    s--;
  }
  return s;
}

/* Where recover-policy sends a client over the soft limit whose first
 * unsent entry is @first_unsent: jump to *@seq (*@wait FLU_WAIT_NONE) or
 * wait for what *@wait says.  FALSE for the policy none. */
gboolean
flu_ring_recover_target (const FluRing * r, const FluFanoutConfig * config,
    guint64 first_unsent, guint64 * seq, FluWait * wait)
{
  guint64 start, s;

  *wait = FLU_WAIT_NONE;
  switch (config->recover_policy) {
    case FLU_RECOVER_POLICY_RESYNC_LATEST:
      *seq = r->head;
      return TRUE;
    case FLU_RECOVER_POLICY_RESYNC_SOFT_LIMIT:
      *seq = flu_ring_soft_limit_seq (r, config->unit_format,
          config->units_soft_max);
      return TRUE;
    case FLU_RECOVER_POLICY_RESYNC_KEYFRAME:
      start = flu_ring_soft_limit_seq (r, config->unit_format,
          config->units_soft_max);
      for (s = MAX (start, first_unsent); s < r->head; s++)
        if (flu_ring_entry (r, s)->keyframe)
          break;
      *seq = MIN (s, r->head);
      if (s >= r->head)
        *wait = FLU_WAIT_KEYFRAME;
      return TRUE;
    default:
      return FALSE;
  }
}

/* ------------------------------------------------------------------ */
/* what the ring keeps */

/* The oldest seq the ring must keep, @clients_keep being the oldest
 * cursor a positioned client may have (FLU_NO_SEQ: none).  Only the
 * scans' caches change: the decision depends on the ring, @config and
 * @clients_keep alone. */
guint64
flu_ring_keep_from (FluRing * r, const FluFanoutConfig * config,
    guint64 clients_keep)
{
  FluLimits l;
  guint64 keep, from;

  if (r->head == r->tail)
    return r->head;
  /* the newest buffer stays: LATEST and NEXT_KEYFRAME decisions use it */
  keep = MIN (clients_keep, r->head - 1);

  /* time-min, bytes-min, buffers-min */
  l.bytes = config->bytes_min;
  l.buffers = config->buffers_min;
  l.time = config->time_min;
  ring_scan (r, &r->min_scan, &l);
  keep = MIN (keep, r->min_scan.seq == FLU_NO_SEQ ? r->tail : r->min_scan.seq);

  /* what the default sync method needs to serve a new client */
  switch (config->sync_method) {
    case FLU_SYNC_METHOD_BURST:
    case FLU_SYNC_METHOD_BURST_KEYFRAME:
    case FLU_SYNC_METHOD_BURST_WITH_KEYFRAME:
      flu_limits_from_format (&l, config->burst_format, config->burst_value);
      ring_scan (r, &r->burst_scan, &l);
      from = r->burst_scan.seq;
      if (from == FLU_NO_SEQ)
        from = r->tail;
      else if (config->sync_method != FLU_SYNC_METHOD_BURST
          && r->burst_scan.kf != FLU_NO_SEQ)
        from = r->burst_scan.kf;        /* back to the keyframe before */
      keep = MIN (keep, from);
      break;
    case FLU_SYNC_METHOD_LATEST_KEYFRAME:
      if (r->last_kf != FLU_NO_SEQ)
        keep = MIN (keep, r->last_kf);
      break;
    default:
      break;
  }
  return MAX (keep, r->tail);
}
