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

/* The fan-out engine: one ring of recent buffers shared by every client,
 * each client a cursor into it, written to with non-blocking sendmsg()/
 * writev() from one epoll-driven writer thread.  It knows nothing about
 * GObject properties or signals: flumultifdsink wraps it. */

#ifndef __FLU_FANOUT_H__
#define __FLU_FANOUT_H__

#include <gst/gst.h>

G_BEGIN_DECLS
/* Same numeric values as GstMultiHandleSink's enums. */
    typedef enum
{
  FLU_SYNC_METHOD_LATEST = 0,
  FLU_SYNC_METHOD_NEXT_KEYFRAME,
  FLU_SYNC_METHOD_LATEST_KEYFRAME,
  FLU_SYNC_METHOD_BURST,
  FLU_SYNC_METHOD_BURST_KEYFRAME,
  FLU_SYNC_METHOD_BURST_WITH_KEYFRAME
} FluSyncMethod;

typedef enum
{
  FLU_RECOVER_POLICY_NONE = 0,
  FLU_RECOVER_POLICY_RESYNC_LATEST,
  FLU_RECOVER_POLICY_RESYNC_SOFT_LIMIT,
  FLU_RECOVER_POLICY_RESYNC_KEYFRAME
} FluRecoverPolicy;

typedef enum
{
  FLU_CLIENT_STATUS_OK = 0,
  FLU_CLIENT_STATUS_CLOSED,
  FLU_CLIENT_STATUS_REMOVED,
  FLU_CLIENT_STATUS_SLOW,
  FLU_CLIENT_STATUS_ERROR,
  FLU_CLIENT_STATUS_DUPLICATE,
  FLU_CLIENT_STATUS_FLUSHING
} FluClientStatus;

typedef enum
{
  FLU_FANOUT_ADD_OK = 0,
  FLU_FANOUT_ADD_NOT_RUNNING,
  FLU_FANOUT_ADD_DUPLICATE,
  FLU_FANOUT_ADD_WRONG_LIMITS,
  FLU_FANOUT_ADD_BAD_FD
} FluFanoutAddResult;

/* Default hard bound on what one client may lag behind, in bytes, when
 * units-max does not set a tighter one. */
#define FLU_FANOUT_DEFAULT_BACKLOG_LIMIT (64 * 1024 * 1024)

/* coalesce-time: the engine's default (write every buffer as it comes, as
 * the stock multifdsink) and the largest value any element accepts. */
#define FLU_FANOUT_DEFAULT_COALESCE_TIME 0
#define FLU_FANOUT_MAX_COALESCE_TIME GST_SECOND

typedef struct
{
  GstFormat unit_format;
  gint64 units_max;
  gint64 units_soft_max;
  gint bytes_min;
  gint buffers_min;
  gint64 time_min;
  FluRecoverPolicy recover_policy;
  guint64 timeout;
  FluSyncMethod sync_method;
  GstFormat burst_format;
  guint64 burst_value;
  gint qos_dscp;
  gboolean resend_streamheader;
  gboolean handle_read;
  guint64 backlog_limit;
  guint64 coalesce_time;
  gboolean start_on_add;
  /* copy small consecutive buffers into one ring entry at push time
   * (flufanoutmerge.h), sealed at each pass: fewer iovecs per write, but
   * buffers-queued and buffer units count chunks (off for the
   * multifdsink-compatible element) */
  gboolean merge_small;
} FluFanoutConfig;

typedef struct _FluFanout FluFanout;

/* Called without any engine lock held, from the thread that removed the
 * client (the writer thread for slow, closed and failing clients, the
 * caller's thread for remove and clear).  @stats is the client's final
 * statistics (owned by the engine, valid during the call). */
typedef struct
{
  void (*client_removed) (FluFanout * fanout, gint fd, FluClientStatus status,
      gpointer user_data);
  void (*client_fd_removed) (FluFanout * fanout, gint fd,
      FluClientStatus status, const GstStructure * stats, gpointer user_data);
} FluFanoutCallbacks;

/* An optional per-client interleave: after every @interval bytes the
 * engine writes to that client (stream headers and data alike, as the
 * client receives them), it writes a block, then the next @interval
 * bytes, and so on; blocks are shared, immutable bytes, written by
 * reference (nothing is copied).  The first boundary of each write gets
 * the block @next_block returns, later boundaries of the same write get
 * @filler (NULL = nothing there; the engine takes its own reference, the
 * caller keeps its own).  What ICY metadata needs, kept generic.
 *
 * @next_block runs in the writer thread with the engine's lock held,
 * when a write reaches the client's next boundary with data to follow
 * (the block it returns is kept until written, even across writes that
 * stop short): it must be quick, take only locks that are never held
 * across a call into the engine, and never call flu_fanout_*().  It returns a new reference
 * (NULL or empty = no block at this boundary).  @destroy (may be NULL)
 * frees @user_data when the client is released, with the same rules. */
typedef struct
{
  gsize interval;
  GBytes *(*next_block) (gpointer user_data);
  GBytes *filler;
  gpointer user_data;
  GDestroyNotify destroy;
} FluFanoutInterleave;

void flu_fanout_config_init (FluFanoutConfig * config);

/* Sets up this copy of the engine's debug category (flu_fanout_init() in
 * flufanoutsink.h calls it). */
void flu_fanout_init_debug (void);

FluFanout *flu_fanout_new (GstObject * owner,
    const FluFanoutCallbacks * callbacks, gpointer user_data);
void flu_fanout_free (FluFanout * fanout);

gboolean flu_fanout_start (FluFanout * fanout, GError ** error);
void flu_fanout_stop (FluFanout * fanout);

void flu_fanout_set_config (FluFanout * fanout, const FluFanoutConfig * config);
/* The same for setters that copy their config under their own lock and
 * apply it after releasing it: each copy carries a sequence number taken
 * under that lock, and a copy older than the one applied is ignored
 * (FALSE), so the last change wins whatever order the copies arrive in. */
gboolean flu_fanout_set_config_seq (FluFanout * fanout,
    const FluFanoutConfig * config, guint64 seq);
void flu_fanout_get_config (FluFanout * fanout, FluFanoutConfig * config);
void flu_fanout_set_caps (FluFanout * fanout, GstCaps * caps);
void flu_fanout_push (FluFanout * fanout, GstBuffer * buffer);

FluFanoutAddResult flu_fanout_add (FluFanout * fanout, gint fd,
    FluSyncMethod sync_method, GstFormat min_format, guint64 min_value,
    GstFormat max_format, guint64 max_value);
/* flu_fanout_add() with an interleave (NULL or an interval of 0 = none,
 * which is flu_fanout_add()).  On any result but FLU_FANOUT_ADD_OK the
 * caller keeps @interleave's user_data. */
FluFanoutAddResult flu_fanout_add_interleaved (FluFanout * fanout, gint fd,
    FluSyncMethod sync_method, GstFormat min_format, guint64 min_value,
    GstFormat max_format, guint64 max_value,
    const FluFanoutInterleave * interleave);
gboolean flu_fanout_remove (FluFanout * fanout, gint fd, gboolean flush);
void flu_fanout_clear (FluFanout * fanout);
GstStructure *flu_fanout_get_stats (FluFanout * fanout, gint fd);

typedef struct
{
  guint num_clients;
  guint buffers_queued;
  guint64 bytes_queued;
  guint64 time_queued;
  guint64 bytes_to_serve;
  guint64 bytes_served;
  guint64 wakeups;              /* times the writer's eventfd was written */
} FluFanoutCounters;

void flu_fanout_get_counters (FluFanout * fanout, FluFanoutCounters * out);

const gchar *flu_client_status_nick (FluClientStatus status);

G_END_DECLS
#endif /* __FLU_FANOUT_H__ */
