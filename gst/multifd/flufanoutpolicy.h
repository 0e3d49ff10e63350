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

/* The fan-out engine's policy: the ring of recent buffers, the header
 * sets, where a new client starts, how far a client lags and where it
 * recovers to, and what the ring keeps.  Pure: no lock, no thread, no
 * file descriptor, no system call; flufanout.c (the I/O part: writer
 * thread, epoll, gather/write, add/remove) calls it with its lock held.
 * Sequence numbers: every buffer that enters gets the next one; the ring
 * holds [tail, head).  An "index" counts back from the newest entry
 * (0 is the newest), as in the stock multihandlesink. */

#ifndef __FLU_FANOUT_POLICY_H__
#define __FLU_FANOUT_POLICY_H__

#include "flufanout.h"

G_BEGIN_DECLS

#define FLU_NO_SEQ G_MAXUINT64

/* A set of stream headers (the caps' streamheader buffers), mapped once. */
typedef struct
{
  gint refcount;
  GstBuffer **buffers;
  guint n_buffers;
  GstMapInfo *maps;             /* every mapped memory of every buffer */
  guint n_maps;
  gsize size;
  GBytes *content;              /* the bytes, to compare two sets */
} FluHeaders;

typedef struct
{
  GstBuffer *buffer;
  FluHeaders *headers;
  guint64 offset;               /* stream byte offset of the first byte */
  GstClockTime ts;
  gsize size;
  guint n_maps;
  gboolean keyframe;
  GstMapInfo map1;              /* the common case: one memory */
  GstMapInfo *maps;             /* n_maps > 1 */
} FluEntry;

/* Where the ring starts holding some limits: the newest seq from which the
 * entries up to the head hold them, and the newest keyframe at or before
 * it (FLU_NO_SEQ: not known / none).  Only moves forward as buffers
 * arrive. */
typedef struct
{
  guint64 seq;
  guint64 kf;
} FluScan;

typedef struct
{
  FluEntry *entries;
  guint64 cap;                  /* power of two */
  guint64 tail, head;
  guint64 stream_bytes;         /* offset of the next byte to enter */
  FluHeaders *headers;          /* current header set (may be NULL) */
  GstClockTime newest_ts;       /* newest valid timestamp in the ring */
  guint64 ts_run_start;         /* first seq after timestamps went back */
  guint64 last_kf;              /* seq of the newest keyframe, or NO_SEQ */
  FluScan min_scan;             /* time-min, bytes-min, buffers-min */
  FluScan burst_scan;           /* the default burst */
} FluRing;

/* Limits in three units at once; -1 is unset. */
typedef struct
{
  gint64 bytes;
  gint64 buffers;
  gint64 time;
} FluLimits;

typedef enum
{
  FLU_WAIT_NONE = 0,            /* positioned: cursor is valid */
  FLU_WAIT_NEW,                 /* new client: decide on the next buffer */
  FLU_WAIT_KEYFRAME             /* start at the next keyframe that arrives */
} FluWait;

/* What a new client asked for (add-full's arguments). */
typedef struct
{
  FluSyncMethod sync_method;
  GstFormat min_format, max_format;
  guint64 min_value, max_value;
} FluStartSpec;

typedef enum
{
  FLU_RING_APPEND_OK = 0,
  FLU_RING_APPEND_EMPTY,        /* no memory or no bytes: not queued */
  FLU_RING_APPEND_MAP_FAILED    /* a memory could not be mapped */
} FluRingAppendResult;

/* header sets */
FluHeaders *flu_headers_ref (FluHeaders * h);
void flu_headers_unref (FluHeaders * h);
gboolean flu_headers_equal (const FluHeaders * a, const FluHeaders * b);
FluHeaders *flu_headers_from_caps (GstCaps * caps);

/* the ring */
void flu_ring_init (FluRing * r);
void flu_ring_clear (FluRing * r);
void flu_ring_free (FluRing * r);

static inline FluEntry *
flu_ring_entry (const FluRing * r, guint64 seq)
{
  return &r->entries[seq & (r->cap - 1)];
}

static inline GstMapInfo *
flu_entry_maps (FluEntry * e)
{
  return e->n_maps == 1 ? &e->map1 : e->maps;
}

static inline guint64
flu_ring_seq_of_idx (const FluRing * r, gint64 idx)
{
  return r->head - 1 - idx;
}

FluRingAppendResult flu_ring_append (FluRing * r, GstBuffer * buf,
    guint * failed_memory);
void flu_ring_trim_to (FluRing * r, guint64 keep);
void flu_ring_reset_scans (FluRing * r);
gboolean flu_ring_is_header (const FluRing * r, GstBuffer * buf);
void flu_ring_queued (const FluRing * r, guint64 * bytes, guint64 * time);

/* limits and positions */
void flu_limits_from_format (FluLimits * l, GstFormat format, guint64 value);
gboolean flu_ring_find_limits (const FluRing * r, const FluLimits * min,
    const FluLimits * max, gint64 * min_idx, gint64 * max_idx);
gint64 flu_ring_find_keyframe (const FluRing * r, gint64 idx, gint dir);
gint64 flu_ring_decide_position (const FluRing * r, const FluStartSpec * spec,
    FluWait * wait);

/* lag and recovery */
void flu_ring_lag (const FluRing * r, guint64 first_unsent,
    guint64 * buffers, guint64 * bytes, guint64 * time);
gboolean flu_lag_exceeds (GstFormat unit_format, guint64 buffers,
    guint64 bytes, guint64 time, gint64 limit);
guint64 flu_ring_soft_limit_seq (const FluRing * r, GstFormat unit_format,
    gint64 limit);
gboolean flu_ring_recover_target (const FluRing * r,
    const FluFanoutConfig * config, guint64 first_unsent, guint64 * seq,
    FluWait * wait);

/* what the ring keeps */
guint64 flu_ring_keep_from (FluRing * r, const FluFanoutConfig * config,
    guint64 clients_keep);

G_END_DECLS
#endif /* __FLU_FANOUT_POLICY_H__ */
