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

/* fluondemand's instance and running state, shared by fluondemand.c (the
 * element: properties, start, stop) and fluondemandserve.c (the answers,
 * in the server thread).  Private: not installed. */

#ifndef __FLU_ON_DEMAND_PRIV_H__
#define __FLU_ON_DEMAND_PRIV_H__

#include "fluondemand.h"
#include "fluhttpserver.h"
#include "fluhttpserverprops.h"
#include "fluhttpauth.h"
#include "fluhttplog.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (flu_on_demand_debug);

/* Locking.  lock guards the properties and the running Run pointer
 * (set and cleared in the state changes).  stats_lock guards the
 * counters.  Order: lock, then stats_lock (never taken the other way;
 * in practice never nested).  A Run is immutable while the prefix is
 * mounted, except its requests table, users and log, which only the
 * server thread touches (the log has its own lock), and the status
 * page's rate fields, also the server thread's.  Password hashing runs
 * in the server thread, opens and reads in fluondemandio.c's pool, with
 * no lock of ours held (the pool's jobs take none). */

/* a listing shows at most MAX_LISTING entries, sent a piece at a time:
 * a piece (about 110 bytes an entry) is all the memory a listing request
 * holds, and each piece reads the directory once more.  A piece has
 * LISTING_PIECE entries, or more in a directory of more than
 * LISTING_PIECE * (1 + LISTING_PASSES): then the rest after the first
 * comes in LISTING_PASSES pieces (at most 50,000 / 16 entries, 350 KB,
 * where the whole page was 5.5 MB) */
#define FLU_ON_DEMAND_MAX_LISTING 50000
#define FLU_ON_DEMAND_LISTING_PIECE 256
#define FLU_ON_DEMAND_LISTING_PASSES 16

/* bytes read from the file and handed to libsoup at once: the memory
 * a viewer holds (16 KB: 39 KB per stalled viewer, 32 KB: 55 KB, 64 KB:
 * 87 KB, tests/bench/ondemand-viewers.sh; one download ran at 1 GB/s and
 * more with each) */
#define FLU_ON_DEMAND_CHUNK_MAX (32 * 1024)
#define FLU_ON_DEMAND_CHUNK_MIN 4096

typedef struct
{
  guint64 requests;
  guint64 ok;                   /* 200 */
  guint64 partial;              /* 206 */
  guint64 not_modified;         /* 304 */
  guint64 refused;              /* 4xx, 5xx */
  guint64 bytes;                /* body bytes sent */
  guint64 rate_waits;           /* times a viewer waited for its bucket */
  guint viewers;                /* bodies being sent now */
  guint peak;
} FluOnDemandCounters;

typedef struct _FluOnDemandRun FluOnDemandRun;

struct _FluOnDemand
{
  GstElement parent;

  GMutex lock;
  /* properties */
  FluHttpServerProps server_props;      /* address, port, porter-... */
  gchar *mount_point;
  gchar *directory;
  gboolean listing;
  guint64 rate_limit;
  guint64 burst;
  guint client_limit;
  guint max_clients_per_ip;
  gchar *htpasswd;
  gchar *realm;
  gchar *token_secret;
  gchar *allow;
  gchar *deny;
  gchar *access_log;
  gchar *stats_path;
  gchar *metrics_path;

  /* running */
  FluOnDemandRun *run;

  GMutex stats_lock;
  FluOnDemandCounters counters;
};

/* What the server thread reads while the prefix is mounted: a copy of
 * the settings taken at start, and the state of the requests. */
struct _FluOnDemandRun
{
  FluOnDemand *self;
  FluHttpServer *server;
  gchar *prefix;
  gchar *bare;                  /* the prefix without its '/', if mounted */
  gint root_fd;
  gboolean listing;
  guint64 rate;
  guint64 capacity;             /* of each viewer's bucket */
  gsize chunk;
  guint client_limit;            /* bodies sent at once, 0 = any */
  guint max_per_ip;             /* the same per address, 0 = any */
  GHashTable *per_ip;           /* host -> bodies; server thread */
  gchar *realm;
  gchar *token_secret;
  gchar *htpasswd;
  GHashTable *users;            /* server thread */
  FluHttpFileStamp users_stamp;
  GPtrArray *allow_list;
  GPtrArray *deny_list;
  FluHttpAccessLog *log;
  GSource *sighup;
  GHashTable *requests;         /* Request set; server thread */
  gchar *stats_path;            /* mounted, or NULL */
  gchar *metrics_path;
  /* the status page's entry (server thread) */
  gint64 started;               /* monotonic us */
  gint64 rate_time;
  guint64 rate_bytes;
  guint64 rate_bps;             /* outgoing, bits/s, over >= 1 s */
};

/* fluondemandio.c: the threads (shared by every fluondemand of the
 * process) that open, stat, list and read files.  A bound on the disk
 * requests at once, not on viewers: a viewer has at most one job queued
 * or running (FLU_ON_DEMAND_CHUNK_MAX bytes). */
#define FLU_ON_DEMAND_IO_THREADS 4

/* @work (@data, NULL) in a pool thread, then @done (@data) in the thread
 * of @context (the port's server), then @destroy (@data) there, or
 * wherever @context is freed if it never runs again. */
void flu_on_demand_io_push (GMainContext * context, GFunc work,
    GSourceFunc done, gpointer data, GDestroyNotify destroy);

/* Tests only (found with g_module_symbol): called in the pool thread
 * before each open ("open", the path inside the directory) and each
 * read ("read", the same path), where it may block as a slow disk
 * would, and when the job is freed ("free"; any thread). */
typedef void (*FluOnDemandTestHook) (const gchar * what, const gchar * path);
extern FluOnDemandTestHook flu_on_demand_test_hook;

/* fluondemandserve.c, server thread */
GHashTable *flu_on_demand_requests_new (void);
void flu_on_demand_handle (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer run);
void flu_on_demand_handle_stats (FluHttpServer * server,
    SoupServerMessage * msg, const char *path, GHashTable * query,
    gpointer run);
gboolean flu_on_demand_stop_requests (gpointer run);
gchar *flu_on_demand_stream_status (gpointer run, GInetAddress * client);

/* fluondemand.c: the counters as the stats property has them */
GstStructure *flu_on_demand_stats (FluOnDemand * self);

G_END_DECLS

#endif /* __FLU_ON_DEMAND_PRIV_H__ */
