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

/* Stream and client statistics of one fluhttpsink: current/peak clients,
 * time-weighted average, bytes, stream and consumption bitrates, uptime;
 * rendered as a GstStructure, JSON and Prometheus text. */

#ifndef __FLU_HTTP_STATS_H__
#define __FLU_HTTP_STATS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Viewers over the last hour: one sample (the most viewers seen) per
 * 10 s slot. */
#define FLU_HTTP_HISTORY_LEN 360
#define FLU_HTTP_HISTORY_STEP (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC)

typedef struct
{
  GMutex lock;
  gint64 start;                 /* monotonic us; 0 = not started */
  gint64 start_wall;
  guint clients;
  guint waiting;                /* requests waiting for the caps */
  guint peak;
  gint64 peak_wall;             /* wall clock us of the peak */
  gdouble client_us;            /* integral of clients over time */
  gint64 last_change;
  guint64 connections;          /* served */
  guint64 refused;
  guint64 fast_answers;         /* viewers taken on the fast path */
  guint64 bytes_finished;       /* sent to clients that left */
  guint64 stream_bytes;         /* received from upstream */
  gint64 first_buffer;
  gint64 last_buffer;           /* monotonic us of the latest buffer */
  gboolean eos;                 /* upstream ended; cleared by new data */
  guint64 restarts;             /* upstream restarts (flu_http_stats_restart) */
  gint64 last_restart_wall;     /* wall clock us of the latest one */
  gboolean restart_open;        /* one counted, no buffer since */
  guint restart_event;          /* highest count of the upstream's event */
  gint64 window_start;
  guint64 window_bytes;
  guint64 bitrate;              /* bits/s over the last window */
  gint64 sample_time;           /* for the consumption rate */
  guint64 sample_bytes;
  guint64 consumption;          /* bits/s */
  guint history[FLU_HTTP_HISTORY_LEN];  /* ring of viewer samples */
  guint history_pos;            /* current slot */
  guint history_len;            /* slots filled */
  gint64 history_slot;          /* monotonic us start of the current slot */
} FluHttpStats;

/* What the mount's source does: OFFLINE before the first buffer and after
 * EOS, ONLINE while buffers come, STALLED when the latest buffer is older
 * than the stall timeout. */
typedef enum
{
  FLU_HTTP_STREAM_OFFLINE,
  FLU_HTTP_STREAM_ONLINE,
  FLU_HTTP_STREAM_STALLED,
} FluHttpStreamState;

/* One connected client, for the per-client list. */
typedef struct
{
  gchar *host;
  gchar *user;
  gchar *user_agent;
  guint64 seconds;
  guint64 bytes;
  gint fd;                      /* the viewer's socket in the engine */
} FluHttpClientStat;

void flu_http_stats_init (FluHttpStats * st);
void flu_http_stats_clear (FluHttpStats * st);
void flu_http_stats_start (FluHttpStats * st);
void flu_http_stats_client_added (FluHttpStats * st);
void flu_http_stats_client_removed (FluHttpStats * st, guint64 bytes);
void flu_http_stats_refused (FluHttpStats * st);
/* one viewer's request answered without libsoup (fluhttpfaststream.c) */
void flu_http_stats_fast_answer (FluHttpStats * st);
void flu_http_stats_waiting (FluHttpStats * st, gint delta);
void flu_http_stats_stream_bytes (FluHttpStats * st, guint64 bytes);
/* The upstream restarted (a DISCONT buffer, a new stream-start or new
 * data after EOS, once data has come): counted once per restart (until the
 * next buffer), with its time, for the stats and the status page. */
void flu_http_stats_restart (FluHttpStats * st);
/* The upstream's restart event with its count @n: a restart when @n is
 * higher than any seen (the event comes once per feed reader, and is
 * replayed as a sticky event). */
void flu_http_stats_restart_seen (FluHttpStats * st, guint n);
void flu_http_stats_eos (FluHttpStats * st);
/* @stall_us: age of the latest buffer after which the stream counts as
 * stalled (0 = never). */
FluHttpStreamState flu_http_stats_stream_state (FluHttpStats * st,
    gint64 stall_us);
/* TRUE when data came and then stopped: stalled, or offline after EOS. */
gboolean flu_http_stats_gone_silent (FluHttpStats * st, gint64 stall_us);
const gchar *flu_http_stream_state_name (FluHttpStreamState state);
/* bits/s over the last 2 s; falls as the stream goes silent */
guint64 flu_http_stats_stream_bitrate (FluHttpStats * st);
guint flu_http_stats_clients (FluHttpStats * st);

/* @bytes_sent: bytes sent to all clients so far (the engine's count);
 * @stall_us as for flu_http_stats_stream_state(). */
GstStructure *flu_http_stats_to_structure (FluHttpStats * st,
    guint64 bytes_sent, gint64 stall_us);
/* @clients: NULL leaves the client list out; @history: a JSON array
 * (flu_http_stats_history_json()) or NULL. */
gchar *flu_http_stats_to_json (const GstStructure * s, const gchar * mount,
    GPtrArray * clients, const gchar * history);
/* The viewer samples of the last hour, oldest first, as a JSON array. */
gchar *flu_http_stats_history_json (FluHttpStats * st);
gchar *flu_http_stats_to_prometheus (const GstStructure * s,
    const gchar * mount);
void flu_http_client_stat_free (FluHttpClientStat * c);

G_END_DECLS

#endif /* __FLU_HTTP_STATS_H__ */
