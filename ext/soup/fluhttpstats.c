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

#include "fluhttpstats.h"

#include <string.h>

#define BITRATE_WINDOW (2 * G_USEC_PER_SEC)

void
flu_http_stats_init (FluHttpStats * st)
{
  memset (st, 0, sizeof (*st));
  g_mutex_init (&st->lock);
}

void
flu_http_stats_clear (FluHttpStats * st)
{
  g_mutex_clear (&st->lock);
}

void
flu_http_stats_start (FluHttpStats * st)
{
  g_mutex_lock (&st->lock);
  st->start = st->last_change = st->sample_time = g_get_monotonic_time ();
  st->start_wall = g_get_real_time ();
  st->clients = st->peak = st->waiting = 0;
  st->peak_wall = st->start_wall;
  st->client_us = 0;
  st->connections = st->refused = st->fast_answers = 0;
  st->bytes_finished = st->stream_bytes = 0;
  st->first_buffer = st->window_start = st->last_buffer = 0;
  st->eos = FALSE;
  st->window_bytes = st->bitrate = 0;
  st->sample_bytes = st->consumption = 0;
  memset (st->history, 0, sizeof (st->history));
  st->history_pos = 0;
  st->history_len = 1;
  st->history_slot = st->start;
  g_mutex_unlock (&st->lock);
}

/* lock held: move the ring to the slot of @now, then keep the most
 * viewers seen in it */
static void
history_update (FluHttpStats * st, gint64 now)
{
  if (st->start == 0)
    return;
  if (now - st->history_slot >= FLU_HTTP_HISTORY_LEN * FLU_HTTP_HISTORY_STEP) {
    /* idle longer than the ring: skip ahead without a long loop */
    st->history_slot = now - FLU_HTTP_HISTORY_LEN * FLU_HTTP_HISTORY_STEP;
  }
  while (now - st->history_slot >= FLU_HTTP_HISTORY_STEP) {
    st->history_pos = (st->history_pos + 1) % FLU_HTTP_HISTORY_LEN;
    st->history[st->history_pos] = st->clients;
    st->history_slot += FLU_HTTP_HISTORY_STEP;
    st->history_len = MIN (st->history_len + 1, FLU_HTTP_HISTORY_LEN);
  }
  st->history[st->history_pos] = MAX (st->history[st->history_pos],
      st->clients);
}

gchar *
flu_http_stats_history_json (FluHttpStats * st)
{
  GString *out = g_string_new ("[");
  guint i, first;

  g_mutex_lock (&st->lock);
  history_update (st, g_get_monotonic_time ());
  first = (st->history_pos + FLU_HTTP_HISTORY_LEN + 1 - st->history_len) %
      FLU_HTTP_HISTORY_LEN;
  for (i = 0; i < st->history_len; i++)
    g_string_append_printf (out, i ? ",%u" : "%u",
        st->history[(first + i) % FLU_HTTP_HISTORY_LEN]);
  g_mutex_unlock (&st->lock);
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* lock held */
static void
integrate (FluHttpStats * st, gint64 now)
{
  st->client_us += (gdouble) st->clients * (now - st->last_change);
  st->last_change = now;
}

void
flu_http_stats_client_added (FluHttpStats * st)
{
  g_mutex_lock (&st->lock);
  integrate (st, g_get_monotonic_time ());
  st->clients++;
  st->connections++;
  if (st->clients > st->peak) {
    st->peak = st->clients;
    st->peak_wall = g_get_real_time ();
  }
  history_update (st, g_get_monotonic_time ());
  g_mutex_unlock (&st->lock);
}

void
flu_http_stats_client_removed (FluHttpStats * st, guint64 bytes)
{
  g_mutex_lock (&st->lock);
  integrate (st, g_get_monotonic_time ());
  history_update (st, g_get_monotonic_time ());
  if (st->clients > 0)
    st->clients--;
  st->bytes_finished += bytes;
  g_mutex_unlock (&st->lock);
}

void
flu_http_stats_refused (FluHttpStats * st)
{
  g_mutex_lock (&st->lock);
  st->refused++;
  g_mutex_unlock (&st->lock);
}

void
flu_http_stats_fast_answer (FluHttpStats * st)
{
  g_mutex_lock (&st->lock);
  st->fast_answers++;
  g_mutex_unlock (&st->lock);
}

void
flu_http_stats_waiting (FluHttpStats * st, gint delta)
{
  g_mutex_lock (&st->lock);
  st->waiting += delta;
  g_mutex_unlock (&st->lock);
}

void
flu_http_stats_stream_bytes (FluHttpStats * st, guint64 bytes)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&st->lock);
  if (st->first_buffer == 0)
    st->first_buffer = st->window_start = now;
  if (st->eos && st->stream_bytes > 0 && !st->restart_open) {
    /* new data after the upstream ended: a restart */
    st->restarts++;
    st->last_restart_wall = g_get_real_time ();
  }
  st->last_buffer = now;
  st->eos = FALSE;
  st->restart_open = FALSE;
  st->stream_bytes += bytes;
  st->window_bytes += bytes;
  if (now - st->window_start >= BITRATE_WINDOW) {
    st->bitrate = st->window_bytes * 8 * G_USEC_PER_SEC /
        (now - st->window_start);
    st->window_start = now;
    st->window_bytes = 0;
  }
  g_mutex_unlock (&st->lock);
}

/* lock held */
static guint64
mean_bitrate (FluHttpStats * st, gint64 now)
{
  if (st->first_buffer == 0 || now - st->first_buffer < G_USEC_PER_SEC / 2)
    return 0;
  return st->stream_bytes * 8 * G_USEC_PER_SEC / (now - st->first_buffer);
}

/* lock held: bits/s of the last window.  A window closes on the first
 * buffer after it is BITRATE_WINDOW long; when none comes, the open
 * window's bytes over its length so far, which falls to 0 as the silence
 * lasts (and is 0 at once when nothing came since the last window). */
static guint64
current_bitrate (FluHttpStats * st, gint64 now)
{
  if (st->first_buffer == 0)
    return 0;
  if (now - st->window_start >= BITRATE_WINDOW)
    return st->window_bytes * 8 * G_USEC_PER_SEC / (now - st->window_start);
  return st->bitrate ? st->bitrate : mean_bitrate (st, now);
}

/* lock held */
static FluHttpStreamState
stream_state (FluHttpStats * st, gint64 now, gint64 stall_us)
{
  if (st->last_buffer == 0 || st->eos)
    return FLU_HTTP_STREAM_OFFLINE;
  if (stall_us > 0 && now - st->last_buffer >= stall_us)
    return FLU_HTTP_STREAM_STALLED;
  return FLU_HTTP_STREAM_ONLINE;
}

guint64
flu_http_stats_stream_bitrate (FluHttpStats * st)
{
  guint64 r;

  g_mutex_lock (&st->lock);
  r = current_bitrate (st, g_get_monotonic_time ());
  g_mutex_unlock (&st->lock);
  return r;
}

void
flu_http_stats_restart (FluHttpStats * st)
{
  g_mutex_lock (&st->lock);
  if (st->stream_bytes > 0 && !st->restart_open) {
    st->restarts++;
    st->last_restart_wall = g_get_real_time ();
    st->restart_open = TRUE;
  }
  g_mutex_unlock (&st->lock);
}

void
flu_http_stats_restart_seen (FluHttpStats * st, guint n)
{
  gboolean fresh;

  g_mutex_lock (&st->lock);
  fresh = n > st->restart_event;
  if (fresh)
    st->restart_event = n;
  g_mutex_unlock (&st->lock);
  if (fresh)
    flu_http_stats_restart (st);
}

void
flu_http_stats_eos (FluHttpStats * st)
{
  g_mutex_lock (&st->lock);
  st->eos = TRUE;
  g_mutex_unlock (&st->lock);
}

FluHttpStreamState
flu_http_stats_stream_state (FluHttpStats * st, gint64 stall_us)
{
  FluHttpStreamState state;

  g_mutex_lock (&st->lock);
  state = stream_state (st, g_get_monotonic_time (), stall_us);
  g_mutex_unlock (&st->lock);
  return state;
}

gboolean
flu_http_stats_gone_silent (FluHttpStats * st, gint64 stall_us)
{
  gboolean silent;

  g_mutex_lock (&st->lock);
  silent = st->last_buffer != 0 &&
      stream_state (st, g_get_monotonic_time (), stall_us) !=
      FLU_HTTP_STREAM_ONLINE;
  g_mutex_unlock (&st->lock);
  return silent;
}

const gchar *
flu_http_stream_state_name (FluHttpStreamState state)
{
  switch (state) {
    case FLU_HTTP_STREAM_ONLINE:
      return "online";
    case FLU_HTTP_STREAM_STALLED:
      return "stalled";
    default:
      return "offline";
  }
}

guint
flu_http_stats_clients (FluHttpStats * st)
{
  guint n;

  g_mutex_lock (&st->lock);
  n = st->clients;
  g_mutex_unlock (&st->lock);
  return n;
}

GstStructure *
flu_http_stats_to_structure (FluHttpStats * st, guint64 live_bytes,
    gint64 stall_us)
{
  gint64 now = g_get_monotonic_time ();
  FluHttpStreamState state;
  gdouble uptime;
  guint64 sent;
  GDateTime *peak;
  gchar *peak_iso, *restart_iso = NULL;
  GstStructure *s;

  g_mutex_lock (&st->lock);
  if (st->start == 0) {
    g_mutex_unlock (&st->lock);
    return gst_structure_new_empty ("fluhttpsink-stats");
  }
  integrate (st, now);
  uptime = (now - st->start) / (gdouble) G_USEC_PER_SEC;
  sent = MAX (st->bytes_finished, live_bytes);
  if (now - st->sample_time >= G_USEC_PER_SEC) {
    st->consumption = sent > st->sample_bytes ?
        (sent - st->sample_bytes) * 8 * G_USEC_PER_SEC /
        (now - st->sample_time) : 0;
    st->sample_time = now;
    st->sample_bytes = sent;
  }
  state = stream_state (st, now, stall_us);
  peak = g_date_time_new_from_unix_utc (st->peak_wall / G_USEC_PER_SEC);
  peak_iso = g_date_time_format_iso8601 (peak);
  if (st->restarts) {
    GDateTime *t = g_date_time_new_from_unix_utc (st->last_restart_wall /
        G_USEC_PER_SEC);

    restart_iso = g_date_time_format_iso8601 (t);
    g_date_time_unref (t);
  }
  s = gst_structure_new ("fluhttpsink-stats",
      "uptime", G_TYPE_DOUBLE, uptime,
      "clients", G_TYPE_UINT, st->clients,
      "clients-waiting", G_TYPE_UINT, st->waiting,
      "clients-peak", G_TYPE_UINT, st->peak,
      "clients-peak-time", G_TYPE_STRING, peak_iso,
      "clients-average", G_TYPE_DOUBLE,
      uptime > 0 ? st->client_us / (now - st->start) : 0.0,
      "connections", G_TYPE_UINT64, st->connections,
      "refused", G_TYPE_UINT64, st->refused,
      "fast-answers", G_TYPE_UINT64, st->fast_answers,
      "bytes-sent", G_TYPE_UINT64, sent,
      "stream-bytes", G_TYPE_UINT64, st->stream_bytes,
      "stream-bitrate", G_TYPE_UINT64,
      state == FLU_HTTP_STREAM_ONLINE ? current_bitrate (st, now) : 0,
      "stream-bitrate-mean", G_TYPE_UINT64, mean_bitrate (st, now),
      "consumption-bitrate", G_TYPE_UINT64, st->consumption,
      "consumption-bitrate-mean", G_TYPE_UINT64,
      uptime > 0 ? (guint64) (sent * 8 / uptime) : 0,
      "state", G_TYPE_STRING, flu_http_stream_state_name (state),
      "last-buffer-age", G_TYPE_DOUBLE,
      (now - (st->last_buffer ? st->last_buffer : st->start)) /
      (gdouble) G_USEC_PER_SEC,
      "restarts", G_TYPE_UINT64, st->restarts,
      "last-restart-time", G_TYPE_STRING, restart_iso ? restart_iso : "", NULL);
  g_mutex_unlock (&st->lock);
  g_free (peak_iso);
  g_free (restart_iso);
  g_date_time_unref (peak);
  return s;
}

static void
json_string (GString * out, const gchar * v)
{
  const guchar *p;

  g_string_append_c (out, '"');
  for (p = (const guchar *) (v ? v : ""); *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (out, "\\%c", *p);
    else if (*p < 0x20)
      g_string_append_printf (out, "\\u%04x", *p);
    else
      g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
}

static void
json_value (GString * out, const GValue * v)
{
  if (G_VALUE_HOLDS_STRING (v)) {
    json_string (out, g_value_get_string (v));
  } else if (G_VALUE_HOLDS_DOUBLE (v)) {
    gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

    g_string_append (out, g_ascii_formatd (buf, sizeof (buf), "%.3f",
            g_value_get_double (v)));
  } else {
    GValue str = G_VALUE_INIT;

    g_value_init (&str, G_TYPE_STRING);
    g_value_transform (v, &str);
    g_string_append (out, g_value_get_string (&str));
    g_value_unset (&str);
  }
}

typedef struct
{
  GString *out;
  const gchar *mount;
  gboolean first;
} Render;

static gboolean
json_field (GQuark field, const GValue * v, gpointer data)
{
  Render *r = data;

  g_string_append (r->out, r->first ? "\n  " : ",\n  ");
  r->first = FALSE;
  json_string (r->out, g_quark_to_string (field));
  g_string_append (r->out, ": ");
  json_value (r->out, v);
  return TRUE;
}

gchar *
flu_http_stats_to_json (const GstStructure * s, const gchar * mount,
    GPtrArray * clients, const gchar * history)
{
  Render r = { g_string_new ("{"), mount, TRUE };
  guint i;

  g_string_append (r.out, "\n  \"mount\": ");
  json_string (r.out, mount);
  r.first = FALSE;
  gst_structure_foreach (s, json_field, &r);
  if (history)
    g_string_append_printf (r.out, ",\n  \"history-step\": %d,\n"
        "  \"history\": %s", (gint) (FLU_HTTP_HISTORY_STEP / G_USEC_PER_SEC),
        history);
  if (clients == NULL) {
    g_string_append (r.out, "\n}\n");
    return g_string_free (r.out, FALSE);
  }
  g_string_append (r.out, ",\n  \"client-list\": [");
  for (i = 0; i < clients->len; i++) {
    FluHttpClientStat *c = g_ptr_array_index (clients, i);

    g_string_append (r.out, i ? ",\n    {" : "\n    {");
    g_string_append (r.out, "\"address\": ");
    json_string (r.out, c->host);
    g_string_append (r.out, ", \"user\": ");
    json_string (r.out, c->user);
    g_string_append (r.out, ", \"user-agent\": ");
    json_string (r.out, c->user_agent);
    g_string_append_printf (r.out, ", \"seconds\": %" G_GUINT64_FORMAT
        ", \"bytes\": %" G_GUINT64_FORMAT "}", c->seconds, c->bytes);
  }
  g_string_append (r.out, "]\n}\n");
  return g_string_free (r.out, FALSE);
}

/* Prometheus families, in output order: each field of the stats structure
 * with its metric name (base units and _total as Prometheus names them),
 * type and help text.  Bitrates go out in bytes per second, the base
 * unit promtool asks for. */
static const struct
{
  const gchar *field;
  const gchar *name;
  const gchar *type;
  const gchar *help;
  gboolean bits_to_bytes;
} prom_families[] = {
  {"uptime", "uptime_seconds", "gauge",
      "Seconds since the element started serving"},
  {"clients", "clients", "gauge", "Viewers connected now"},
  {"clients-waiting", "clients_waiting", "gauge",
      "Requests waiting for the stream to start"},
  {"clients-peak", "clients_peak", "gauge", "Most viewers connected at once"},
  {"clients-peak-time", "clients_peak_timestamp_seconds", "gauge",
      "Unix time when the most viewers were connected"},
  {"clients-average", "clients_average", "gauge",
      "Viewers connected, time-weighted average since start"},
  {"connections", "connections_total", "counter",
      "Viewers served since start"},
  {"refused", "refused_total", "counter",
      "Requests refused since start (limits, credentials, no stream)"},
  {"fast-answers", "fast_answers_total", "counter",
      "Viewers whose request was answered without libsoup (the fast path)"},
  {"bytes-sent", "sent_bytes_total", "counter", "Bytes sent to viewers"},
  {"stream-bytes", "stream_bytes_total", "counter",
      "Bytes received from upstream"},
  {"stream-bitrate", "stream_bytes_per_second", "gauge",
      "Rate of the incoming stream over the last 2 s (0 unless online)", TRUE},
  {"stream-bitrate-mean", "stream_mean_bytes_per_second", "gauge",
      "Rate of the incoming stream since its first buffer", TRUE},
  {"consumption-bitrate", "consumption_bytes_per_second", "gauge",
      "Rate sent to all viewers together, recent", TRUE},
  {"consumption-bitrate-mean", "consumption_mean_bytes_per_second",
      "gauge", "Rate sent to all viewers together since start", TRUE},
  {"last-buffer-age", "last_buffer_age_seconds", "gauge",
      "Seconds since the latest buffer from upstream (since start before "
        "the first)"},
  {"restarts", "restarts_total", "counter",
      "Upstream restarts (encoder reconnected, new stream) since start"},
  {"last-restart-time", "last_restart_timestamp_seconds", "gauge",
      "Unix time of the latest upstream restart"},
};

static const gchar *const prom_states[] = { "online", "stalled", "offline" };

/* a label value: backslash, double quote and newline escaped */
static void
prom_label (GString * out, const gchar * v)
{
  for (; v && *v; v++) {
    if (*v == '\\')
      g_string_append (out, "\\\\");
    else if (*v == '"')
      g_string_append (out, "\\\"");
    else if (*v == '\n')
      g_string_append (out, "\\n");
    else
      g_string_append_c (out, *v);
  }
}

static void
prom_head (GString * out, const gchar * name, const gchar * type,
    const gchar * help)
{
  g_string_append_printf (out, "# HELP fluhttpsink_%s %s\n"
      "# TYPE fluhttpsink_%s %s\n", name, help, name, type);
}

gchar *
flu_http_stats_to_prometheus (const GstStructure * s, const gchar * mount)
{
  GString *out = g_string_new (NULL);
  GString *label = g_string_new ("mount=\"");
  const gchar *state;
  guint i;

  prom_label (label, mount);
  g_string_append_c (label, '"');
  for (i = 0; i < G_N_ELEMENTS (prom_families); i++) {
    const GValue *v = gst_structure_get_value (s, prom_families[i].field);
    GDateTime *time = NULL;

    /* the one string: an ISO 8601 time, as a Unix timestamp */
    if (v && G_VALUE_HOLDS_STRING (v) && g_value_get_string (v))
      time = g_date_time_new_from_iso8601 (g_value_get_string (v), NULL);
    if (v == NULL || (G_VALUE_HOLDS_STRING (v) && time == NULL))
      continue;
    prom_head (out, prom_families[i].name, prom_families[i].type,
        prom_families[i].help);
    g_string_append_printf (out, "fluhttpsink_%s{%s} ", prom_families[i].name,
        label->str);
    if (time) {
      g_string_append_printf (out, "%" G_GINT64_FORMAT,
          g_date_time_to_unix (time));
      g_date_time_unref (time);
    } else if (prom_families[i].bits_to_bytes && G_VALUE_HOLDS_UINT64 (v)) {
      gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (out, g_ascii_formatd (buf, sizeof (buf), "%.3f",
              g_value_get_uint64 (v) / 8.0));
    } else {
      json_value (out, v);
    }
    g_string_append_c (out, '\n');
  }
  state = gst_structure_get_string (s, "state");
  if (state) {
    prom_head (out, "state", "gauge", "State of the stream's source: 1 for "
        "the current one (online: buffers come; stalled: none for "
        "stall-timeout; offline: none yet, or ended)");
    for (i = 0; i < G_N_ELEMENTS (prom_states); i++)
      g_string_append_printf (out, "fluhttpsink_state{%s,state=\"%s\"} %d\n",
          label->str, prom_states[i], g_str_equal (state, prom_states[i]));
  }
  g_string_free (label, TRUE);
  return g_string_free (out, FALSE);
}

void
flu_http_client_stat_free (FluHttpClientStat * c)
{
  g_free (c->host);
  g_free (c->user);
  g_free (c->user_agent);
  g_free (c);
}
