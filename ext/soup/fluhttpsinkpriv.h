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


/* fluhttpsink's instance, shared by the files that make up the element:
 * fluhttpsink.c (GObject, properties, start/stop), fluhttpcheck.c,
 * fluhttpclient.c and fluhttprequest.c.  Private: not installed. */

#ifndef __FLU_HTTP_SINK_PRIV_H__
#define __FLU_HTTP_SINK_PRIV_H__

#include "flubusbatch.h"
#include "fluhttpsink.h"
#include "fluhttpserverprops.h"
#include "fluhttpauth.h"
#include "fluhttplog.h"
#include "fluhttpstats.h"
#include "fluhttpicy.h"
#include "flufanout.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (flu_http_sink_debug);

/* The settings the server thread reads (the paths the element answers on,
 * the strings of its answers, the request limits, the parsed address
 * lists and the htpasswd users), as set by the properties: an immutable,
 * refcounted snapshot (g_atomic_rc_box).  set_property copies it
 * (flu_http_sink_settings_begin), changes the copy and swaps the pointer
 * under the lock (_commit), and drops the old one outside it; the server
 * thread takes a reference under the lock (flu_http_sink_ref_settings) and
 * reads it without it, so nothing it reads is changed or freed under it.
 * The lists and user tables are shared between snapshots (refcounted,
 * never changed once built). */
typedef struct
{
  /* request limits (numeric properties) */
  guint caps_timeout;
  guint stall_timeout;
  guint client_limit;
  guint retry_after;
  guint64 bandwidth_limit;
  guint max_clients_per_ip;
  guint max_duration;
  guint max_pending_logins;
  /* allow, deny, access-log-exclude, stats-allow as parsed when serving
   * (NULL before) */
  GPtrArray *allow_list;
  GPtrArray *deny_list;
  GPtrArray *filter_list;
  GPtrArray *stats_allow_list;
  /* htpasswd, stats-htpasswd: the file names, and the users read when
   * serving (NULL: no file) with the stamp of the file they came from */
  gchar *htpasswd;
  gchar *stats_htpasswd;
  GHashTable *users;
  GHashTable *stats_users;
  FluHttpFileStamp users_stamp;
  FluHttpFileStamp stats_users_stamp;

  gchar *mount_point;
  gchar *stats_path;
  gchar *metrics_path;
  gchar *player_path;
  gchar *player_hls;            /* HLS playlist the player page tries first */
  gchar *status_path;
  gchar *content_type;
  gchar *cors_origin;
  GstStructure *extra_headers;
  gchar *redirect_on_overflow;
  gchar *realm;
  gchar *token_secret;
} FluHttpSinkSettings;

/* fluhttpsettings.c */
FluHttpSinkSettings *flu_http_sink_ref_settings (FluHttpSink * sink);
FluHttpSinkSettings *flu_http_sink_settings_copy
    (const FluHttpSinkSettings * settings);
void flu_http_sink_settings_unref (FluHttpSinkSettings * settings);
/* mount_lock held (it serialises the swaps of set_property and
 * start_serving): a copy of the current snapshot to change, then published
 * by _commit (or dropped with _unref) */
FluHttpSinkSettings *flu_http_sink_settings_begin (FluHttpSink * sink);
void flu_http_sink_settings_commit (FluHttpSink * sink,
    FluHttpSinkSettings * settings);
/* any thread (the server thread's htpasswd re-read): publish @settings
 * (taken) only if the current snapshot is still @base */
gboolean flu_http_sink_settings_replace (FluHttpSink * sink,
    FluHttpSinkSettings * base, FluHttpSinkSettings * settings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FluHttpSinkSettings, flu_http_sink_settings_unref)

struct _FluHttpSink
{
  GstBin parent;

  GstElement *engine;           /* the FluFanoutSink child */
  FluFanout *fanout;            /* its engine */
  GstPad *ghost;
  FluHttpIcy *icy;              /* ICY metadata, its own lock (a leaf) */
  /* client-added/-removed messages, in batches while serving (its own
   * lock, a leaf) */
  FluBusBatch *messages;

  /* Locking: engine, fanout and ghost are set once in init.  lock guards
   * every field below it except stats and log, which have their own
   * locks.  Functions that expect it held say "lock held".  The engine's
   * client_removed / client_fd_removed callbacks and its pad probe take
   * it, so calls into the engine (flu_fanout_add, _remove, _get_stats)
   * and bus messages go out with it released.  Lock order (see the top
   * of fluhttpsink.c):
   *   1. mount_lock: guards server and mounted against a concurrent
   *      start/stop while set_property re-registers a path.  Mount calls
   *      (flu_http_server_add_mount & co.) run in the server thread, which
   *      takes lock, so they go out with mount_lock held and lock released
   *   2. lock
   *   3. the stats' lock and the access log's lock (a stats or log call
   *      may come with lock held, never the other way round)
   * No password hashing under lock, nor in the server thread: passwords
   * are checked in the auth workers (fluhttpauthpool.c) while the request
   * is paused; a changed htpasswd file is re-read without the lock. */
  GMutex mount_lock;
  GMutex lock;
  /* properties */
  FluHttpServerProps server_props;      /* address, port, porter-... */
  FluHttpSinkSettings *settings; /* never NULL; swapped, never changed */
  guint idle_timeout;
  gboolean burst_on_connect;
  guint64 burst_size;
  guint64 burst_time;
  FluSyncMethod sync_method;
  FluRecoverPolicy recover_policy;
  GstFormat unit_format;
  gint64 units_max;
  gint64 units_soft_max;
  guint64 coalesce_time;
  guint64 input_batch_time;
  gint64 time_min;
  gint bytes_min;
  gint qos_dscp;
  gboolean resend_streamheader;
  gboolean sync;
  gchar *allow;
  gchar *deny;
  gchar *access_log;
  gchar *ip_filter;             /* access-log-exclude (alias ip-filter) */
  gchar *stats_allow;

  /* running */
  FluSyncMethod start_sync;     /* how a new viewer starts (configure_engine) */
  GstFormat start_format;
  guint64 start_value;
  FluHttpServer *server;       /* set and cleared under mount_lock and lock */
  GPtrArray *mounted;           /* paths added to the server (mount_lock) */
  FluHttpAccessLog *log;
  GSource *sighup;
  GstCaps *caps;
  gchar *mime;
  GList *waiting;               /* server thread only */
  GList *waiting_fds;           /* the same on their own sockets */
  guint n_waiting;
  GHashTable *clients;          /* fd -> FluHttpViewer */
  GHashTable *per_ip;           /* host -> count */
  guint64 serial;
  gint auth_pending;            /* atomic: password checks queued/running */
  FluHttpStats stats;
};

G_END_DECLS

#endif /* __FLU_HTTP_SINK_PRIV_H__ */
