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


/* fluhttpsink's requests, in the server thread: the mount point (checks,
 * HEAD, waiting for the stream's caps, refusals with their access-log
 * line), the JSON stats, Prometheus metrics, status and player paths. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttprequest.h"
#include "fluhttpcheck.h"
#include "fluhttpclient.h"
#include "fluhttpstatuspage.h"
#include "fluhttpresponse.h"
#include "fluhttpanswer.h"
#include "fluhttpauthpool.h"
#include "fluhttpwait.h"

#include <string.h>

#define GST_CAT_DEFAULT flu_http_sink_debug

#define ALLOWED_METHODS "GET, HEAD, OPTIONS"


/* One access-log line for a request answered without streaming. */
static void
log_request (FluHttpSink * sink, SoupServerMessage * msg, guint status,
    const gchar * user)
{
  GInetAddress *addr = flu_http_client_address (msg);
  gchar *host = addr ? g_inet_address_to_string (addr) : g_strdup ("-");
  gchar *target = flu_http_request_target (msg);
  g_autoptr (FluHttpSinkSettings) p = flu_http_sink_ref_settings (sink);
  FluHttpLogEntry e = { 0 };

  if (!flu_http_cidr_list_match (p->filter_list, addr)) {
    flu_http_log_entry_from_message (&e, msg);
    e.host = host;
    e.user = user;
    e.path = target;
    e.status = status;
    e.start_time = g_get_real_time ();
    flu_http_access_log_write (sink->log, &e);
  }
  g_free (target);
  g_free (host);
  g_clear_object (&addr);
}

static void
refuse (FluHttpSink * sink, SoupServerMessage * msg, guint status,
    const gchar * why, const gchar * user)
{
  GST_INFO_OBJECT (sink, "%s %s from %s: %u (%s)",
      soup_server_message_get_method (msg),
      g_uri_get_path (soup_server_message_get_uri (msg)),
      GST_STR_NULL (soup_server_message_get_remote_host (msg)), status, why);
  flu_http_server_respond (msg, status, why);
  flu_http_stats_refused (&sink->stats);
  log_request (sink, msg, status, user);
}

/* server thread: answered and closed by the server from the head alone */
void
flu_http_request_refused (gpointer data, SoupServerMessage * msg,
    guint status, const gchar * why)
{
  FluHttpSink *sink = data;

  flu_http_stats_refused (&sink->stats);
  log_request (sink, msg, status, NULL);
}

/* A refusal from flu_http_check_limits (): 429 or 503 with Retry-After,
 * or 302 to redirect-on-overflow.  Lock not held. */
static void
refuse_over_limit (FluHttpSink * sink, SoupServerMessage * msg, guint status,
    const gchar * why, const gchar * user)
{
  SoupMessageHeaders *h;
  g_autoptr (FluHttpSinkSettings) p = flu_http_sink_ref_settings (sink);
  gchar *redirect = NULL, *retry;

  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE && p->redirect_on_overflow
      && *p->redirect_on_overflow) {
    status = SOUP_STATUS_FOUND;
    redirect = g_strdup (p->redirect_on_overflow);
  }
  retry = g_strdup_printf ("%u", p->retry_after);
  refuse (sink, msg, status, why, user);
  h = soup_server_message_get_response_headers (msg);
  if (redirect)
    soup_message_headers_replace (h, "Location", redirect);
  else
    soup_message_headers_replace (h, "Retry-After", retry);
  g_free (redirect);
  g_free (retry);
}


/* lock held on entry, released on return: the answer to an accepted
 * request once caps are known.  The access-log line of a HEAD is written
 * after the lock is released (log_request takes it). */
static void
answer (FluHttpSink * sink, SoupServerMessage * msg, const gchar * user)
{
  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD) {
    flu_http_set_stream_headers (sink, msg);
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    g_mutex_unlock (&sink->lock);
    log_request (sink, msg, SOUP_STATUS_OK, user);
  } else {
    flu_http_client_start (sink, msg, user);
    g_mutex_unlock (&sink->lock);
  }
}

/* A request that arrived before the stream had caps. */
typedef struct
{
  FluHttpSink *sink;
  SoupServerMessage *msg;
  GSource *timeout;
  gulong disconnected_id;
  gchar *host;                  /* counted in per_ip (GET only) */
} Waiting;

static void
waiting_free (Waiting * w)
{
  g_free (w->host);
  g_signal_handler_disconnect (w->msg, w->disconnected_id);
  g_source_destroy (w->timeout);
  g_source_unref (w->timeout);
  g_object_unref (w->msg);
  g_free (w);
}

/* server thread */
static void
waiting_finish (Waiting * w, gboolean have_caps)
{
  FluHttpSink *sink = w->sink;
  SoupServerMessage *msg = w->msg;
  const gchar *user = g_object_get_data (G_OBJECT (msg), "flu-user");

  g_mutex_lock (&sink->lock);
  sink->waiting = g_list_remove (sink->waiting, w);
  sink->n_waiting--;
  flu_http_stats_waiting (&sink->stats, -1);
  if (w->host)
    flu_http_per_ip_release (sink, w->host);
  if (have_caps && w->host) {
    const gchar *why = NULL;
    guint status = flu_http_check_limits (sink, sink->settings, w->host,
        &why);

    /* the limits again, now that the stream (and its bitrate) is there:
     * the seat this request held is given back just above */
    if (status != SOUP_STATUS_NONE) {
      g_mutex_unlock (&sink->lock);
      refuse_over_limit (sink, msg, status, why, user);
      soup_server_message_unpause (msg);
      waiting_free (w);
      return;
    }
  }
  if (have_caps) {
    answer (sink, msg, user);
  } else {
    g_mutex_unlock (&sink->lock);
    refuse (sink, msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "the stream has not started", user);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Retry-After", "5");
  }
  soup_server_message_unpause (msg);
  waiting_free (w);
}

static gboolean
waiting_timed_out (gpointer data)
{
  waiting_finish (data, FALSE);
  return G_SOURCE_REMOVE;
}

static void
waiting_disconnected (SoupServerMessage * msg, gpointer data)
{
  Waiting *w = data;
  FluHttpSink *sink = w->sink;

  g_mutex_lock (&sink->lock);
  sink->waiting = g_list_remove (sink->waiting, w);
  sink->n_waiting--;
  flu_http_stats_waiting (&sink->stats, -1);
  if (w->host)
    flu_http_per_ip_release (sink, w->host);
  g_mutex_unlock (&sink->lock);
  waiting_free (w);
}

/* lock held, server thread: @paused when the request is paused already
 * (it came back from an auth worker) */
static void
wait_for_caps (FluHttpSink * sink, FluHttpSinkSettings * p,
    SoupServerMessage * msg, const gchar * user, const gchar * host,
    gboolean paused)
{
  Waiting *w = g_new0 (Waiting, 1);

  /* a viewer to come: it counts for its address from now on, as it does
   * for client-limit (n_waiting) */
  if (host && soup_server_message_get_method (msg) == SOUP_METHOD_GET) {
    w->host = g_strdup (host);
    flu_http_per_ip_take (sink, host);
  }

  GST_DEBUG_OBJECT (sink, "no caps yet, request waits up to %u s",
      p->caps_timeout);
  w->sink = sink;
  w->msg = g_object_ref (msg);
  g_object_set_data_full (G_OBJECT (msg), "flu-user", g_strdup (user), g_free);
  w->timeout = g_timeout_source_new_seconds (p->caps_timeout);
  g_source_set_callback (w->timeout, waiting_timed_out, w, NULL);
  g_source_attach (w->timeout, flu_http_server_get_context (sink->server));
  w->disconnected_id = g_signal_connect (msg, "disconnected",
      G_CALLBACK (waiting_disconnected), w);
  sink->waiting = g_list_prepend (sink->waiting, w);
  sink->n_waiting++;
  flu_http_stats_waiting (&sink->stats, 1);
  if (!paused)
    soup_server_message_pause (msg);
}

/* server thread: the caps came, or the element stops */
gboolean
flu_http_request_release_waiting (gpointer data)
{
  FluHttpSink *sink = data;
  gboolean have_caps;
  GList *list, *l;

  g_mutex_lock (&sink->lock);
  have_caps = sink->caps != NULL;
  list = g_list_copy (sink->waiting);
  g_mutex_unlock (&sink->lock);
  for (l = list; l; l = l->next)
    waiting_finish (l->data, have_caps);
  g_list_free (list);
  flu_http_wait_release (sink, have_caps);
  return G_SOURCE_REMOVE;
}

/* "played" counts the media time that advanced while playing, so it is the
 * same in every browser: Chromium's currentTime starts at the stream's
 * first timestamp (minutes into a live stream), Firefox's at 0.  Jumps
 * larger than the wall time between two samples (the start, a seek, a
 * resync) are not played time. */
static const gchar player_page[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<title>%s</title></head>\n"
    "<body style=\"background:#111;color:#eee;font-family:sans-serif\">\n"
    "<h1>%s</h1>\n"
    "<video id=\"v\" autoplay muted controls playsinline "
    "style=\"max-width:100%%\"></video>\n"
    "<p>played: <span id=\"t\">0</span> s <span id=\"k\"></span></p>\n"
    "<script>\nvar v = document.getElementById('v');\n"
    "var stream = '%s', hls = '%s', hlsType = 'application/vnd.apple.mpegurl';\n"
    "function show(what) { document.getElementById('k').textContent = what; }\n"
    "function progressive() { v.src = stream; show(stream);\n"
    "  v.play().catch(function () {}); }\n"
    "if (hls && v.canPlayType(hlsType)) {\n"
    "  /* a browser may claim HLS and not play it (codecs, MPEG-TS) */\n"
    "  v.addEventListener('error', progressive, { once: true });\n"
    "  v.src = hls; show(hls);\n"
    "} else if (hls && window.Hls && Hls.isSupported()) {\n"
    "  var h = new Hls(); h.loadSource(hls); h.attachMedia(v); show(hls);\n"
    "  h.on(Hls.Events.ERROR, function (e, d) {\n"
    "    if (d.fatal) { h.destroy(); progressive(); } });\n"
    "} else {\n  progressive();\n}\n"
    "var played = 0, last = null, wall = 0;\n"
    "setInterval(function () {\n"
    "  var now = performance.now() / 1000, t = v.currentTime;\n"
    "  if (last !== null && !v.paused && !v.seeking && v.readyState >= 2) {\n"
    "    var d = t - last;\n"
    "    if (d > 0 && d <= now - wall + 0.5) played += d;\n"
    "  }\n"
    "  last = t;\n  wall = now;\n"
    "  document.getElementById('t').textContent = played.toFixed(1);\n"
    "  if (played > 2) document.title = 'playing';\n"
    "}, 250);\n</script>\n</body></html>\n";

/* @s (NULL: empty) as the inside of a JavaScript string in single quotes
 * within an HTML <script>: quotes, backslashes, < > & and controls as \xNN */
static gchar *
js_string (const gchar * s)
{
  GString *out = g_string_new (NULL);

  for (; s && *s; s++) {
    guchar c = (guchar) * s;

    if (c < 0x20 || c == '\'' || c == '"' || c == '\\' || c == '<' ||
        c == '>' || c == '&')
      g_string_append_printf (out, "\\x%02x", c);
    else
      g_string_append_c (out, c);
  }
  return g_string_free (out, FALSE);
}

GstStructure *
flu_http_build_stats (FluHttpSink * sink)
{
  FluFanoutCounters n;
  g_autoptr (FluHttpSinkSettings) p = flu_http_sink_ref_settings (sink);
  gint64 stall_us = (gint64) p->stall_timeout * G_USEC_PER_SEC;

  flu_fanout_get_counters (sink->fanout, &n);
  return flu_http_stats_to_structure (&sink->stats, n.bytes_served, stall_us);
}

static void
serve_stats (FluHttpSink * sink, SoupServerMessage * msg,
    const gchar * mount_point, gboolean json, gboolean details)
{
  GstStructure *s = flu_http_build_stats (sink);
  gchar *body;

  if (json) {
    GPtrArray *list = NULL;
    gchar *history;
    guint i;

    if (details) {
      g_mutex_lock (&sink->lock);
      list = flu_http_client_list (sink);
      g_mutex_unlock (&sink->lock);
    }
    for (i = 0; list && i < list->len; i++) {
      FluHttpClientStat *cs = g_ptr_array_index (list, i);
      GstStructure *st = flu_fanout_get_stats (sink->fanout, cs->fd);
      guint64 bytes = 0;

      if (st) {
        gst_structure_get_uint64 (st, "bytes-sent", &bytes);
        gst_structure_free (st);
      }
      cs->bytes = bytes;
    }
    history = flu_http_stats_history_json (&sink->stats);
    body = flu_http_stats_to_json (s, mount_point, list, history);
    g_free (history);
    g_clear_pointer (&list, g_ptr_array_unref);
    flu_http_serve_text (msg, "application/json", body);
  } else {
    body = flu_http_stats_to_prometheus (s, mount_point);
    flu_http_serve_text (msg, "text/plain; version=0.0.4", body);
  }
  gst_structure_free (s);
}

/* server thread: this stream's entry on the port's status page */
gchar *
flu_http_request_stream_status (gpointer data, GInetAddress * client)
{
  FluHttpSink *sink = data;
  GstStructure *s;
  gchar *history;
  gchar *json;
  g_autoptr (FluHttpSinkSettings) p = flu_http_sink_ref_settings (sink);

  /* a mount that refuses @client is not shown to it */
  if (!flu_http_check_address_in (p, client))
    return NULL;
  s = flu_http_build_stats (sink);
  history = flu_http_stats_history_json (&sink->stats);

  g_mutex_lock (&sink->lock);
  gst_structure_set (s, "content-type", G_TYPE_STRING,
      p->content_type ? p->content_type : sink->mime, NULL);
  g_mutex_unlock (&sink->lock);
  json = flu_http_stats_to_json (s, p->mount_point, NULL, history);
  g_free (history);
  gst_structure_free (s);
  return json;
}

/* A request whose password an auth worker checks (fluhttpauthpool.c). */
typedef struct
{
  FluHttpSink *sink;
  FluHttpServer *server;        /* alive while its thread runs the result */
  FluHttpSinkSettings *p;
  GHashTable *query;
  gchar *path;
  gchar *user;
  gboolean listed;              /* stats paths: stats-allow is set */
} Checking;

static Checking *
checking_new (FluHttpSink * sink, FluHttpServer * server,
    FluHttpSinkSettings * p, GHashTable * query, const gchar * path,
    const gchar * user)
{
  Checking *c = g_new0 (Checking, 1);

  c->sink = gst_object_ref (sink);
  c->server = server;
  c->p = g_atomic_rc_box_acquire (p);
  if (query) {
    GHashTableIter iter;
    gpointer k, v;

    /* a copy: libsoup frees its table when the handler returns */
    c->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_iter_init (&iter, query);
    while (g_hash_table_iter_next (&iter, &k, &v))
      g_hash_table_insert (c->query, g_strdup (k), g_strdup (v));
  }
  c->path = g_strdup (path);
  c->user = g_strdup (user);
  return c;
}

static void
checking_free (gpointer data)
{
  Checking *c = data;

  gst_object_unref (c->sink);
  flu_http_sink_settings_unref (c->p);
  g_clear_pointer (&c->query, g_hash_table_unref);
  g_free (c->path);
  g_free (c->user);
  g_free (c);
}

/* Queue the check of @user / @password to an auth worker; 503 when too
 * many are pending.  @done goes on with the request. */
static void
check_password (FluHttpSink * sink, FluHttpServer * server,
    SoupServerMessage * msg, GHashTable * users, Checking * c, gchar * user,
    gchar * password, FluHttpAuthDone done)
{
  if (!flu_http_auth_pool_check (flu_http_server_get_context (server), msg,
          users, user, password, &sink->auth_pending, c->p->max_pending_logins,
          done, c, checking_free)) {
    g_autoptr (FluHttpSinkSettings) p = flu_http_sink_ref_settings (sink);
    gchar *retry = g_strdup_printf ("%u", p->retry_after);

    checking_free (c);
    refuse (sink, msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "too many logins being checked", user);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Retry-After", retry);
    g_free (retry);
  }
  memset (password, 0, strlen (password));
  g_free (password);
  g_free (user);
}

/* server thread: the stream's checks after the password (when there was
 * one to check: @paused, the request comes back from an auth worker) */
static void
stream_go_on (FluHttpSink * sink, FluHttpSinkSettings * p,
    SoupServerMessage * msg, GHashTable * query, const gchar * user,
    gboolean paused)
{
  gchar *redirect = NULL, *retry = NULL;
  const gchar *why = NULL;
  GInetAddress *addr = flu_http_client_address (msg);
  gchar *host = addr ? g_inet_address_to_string (addr) : NULL;
  guint status;

  g_clear_object (&addr);
  status = flu_http_check_token (p, query, &why);
  g_mutex_lock (&sink->lock);
  if (status == SOUP_STATUS_NONE &&
      soup_server_message_get_method (msg) == SOUP_METHOD_GET) {
    status = flu_http_check_limits (sink, p, host, &why);
    if (status == SOUP_STATUS_SERVICE_UNAVAILABLE &&
        p->redirect_on_overflow && *p->redirect_on_overflow) {
      status = SOUP_STATUS_FOUND;
      redirect = g_strdup (p->redirect_on_overflow);
    } else if (status != SOUP_STATUS_NONE) {
      retry = g_strdup_printf ("%u", p->retry_after);
    }
  }
  if (status == SOUP_STATUS_NONE &&
      (status = flu_http_check_on_air (sink, p, &why)) != SOUP_STATUS_NONE)
    retry = g_strdup_printf ("%u", p->retry_after);
  if (status == SOUP_STATUS_NONE) {
    if (sink->caps) {
      answer (sink, msg, user);
    } else if (soup_server_message_get_method (msg) == SOUP_METHOD_GET &&
        flu_http_wait_take (sink, msg, user, host)) {
      /* libsoup let go of the request: it waits on its socket */
      g_mutex_unlock (&sink->lock);
      paused = FALSE;
    } else {
      wait_for_caps (sink, p, msg, user, host, paused);
      g_mutex_unlock (&sink->lock);
      paused = FALSE;           /* stays paused */
    }
  } else {
    SoupMessageHeaders *h;

    g_mutex_unlock (&sink->lock);
    refuse (sink, msg, status, why, user);
    h = soup_server_message_get_response_headers (msg);
    if (redirect)
      soup_message_headers_replace (h, "Location", redirect);
    if (retry)
      soup_message_headers_replace (h, "Retry-After", retry);
  }
  if (paused)
    soup_server_message_unpause (msg);
  g_free (host);
  g_free (redirect);
  g_free (retry);
}

static void
refuse_unauthorized (FluHttpSink * sink, FluHttpSinkSettings * p,
    SoupServerMessage * msg, const gchar * why, const gchar * user)
{
  gchar *realm = g_strdup_printf ("Basic realm=\"%s\"", p->realm);

  refuse (sink, msg, SOUP_STATUS_UNAUTHORIZED, why, user);
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "WWW-Authenticate", realm);
  g_free (realm);
}

/* server thread: an auth worker checked the password of a stream request */
static void
stream_checked (SoupServerMessage * msg, gboolean ok, gpointer data)
{
  Checking *c = data;

  if (!ok) {
    refuse_unauthorized (c->sink, c->p, msg, "wrong user or password", c->user);
    soup_server_message_unpause (msg);
    return;
  }
  stream_go_on (c->sink, c->p, msg, c->query, c->user, TRUE);
}

static void
handle_stream (FluHttpSink * sink, FluHttpServer * server,
    FluHttpSinkSettings ** p, SoupServerMessage * msg, GHashTable * query)
{
  gchar *user = NULL, *password = NULL;

  /* re-read the file when it changed (no lock) */
  flu_http_check_reload_users (sink, p, FALSE);
  if ((*p)->users == NULL) {
    stream_go_on (sink, *p, msg, query, NULL, FALSE);
    return;
  }
  if (!flu_http_parse_basic_auth (soup_message_headers_get_one
          (soup_server_message_get_request_headers (msg), "Authorization"),
          &user, &password)) {
    refuse_unauthorized (sink, *p, msg, "credentials required", NULL);
    return;
  }
  check_password (sink, server, msg, (*p)->users,
      checking_new (sink, server, *p, query, NULL, user), user, password,
      stream_checked);
}

/* server thread: the stats, metrics or status path, access granted;
 * viewer details only to who passed a check made for these paths */
static void
serve_stats_path (FluHttpSink * sink, FluHttpServer * server,
    FluHttpSinkSettings * p, SoupServerMessage * msg, const gchar * path,
    GHashTable * query, gboolean checked)
{
  GInetAddress *addr = flu_http_client_address (msg);
  gboolean details = checked || (addr && g_inet_address_get_is_loopback (addr));

  g_clear_object (&addr);
  if (g_strcmp0 (path, p->stats_path) == 0)
    serve_stats (sink, msg, p->mount_point, TRUE, details);
  else if (g_strcmp0 (path, p->metrics_path) == 0)
    serve_stats (sink, msg, p->mount_point, FALSE, FALSE);
  else
    flu_http_status_page_serve (server, msg, query);
}

/* server thread: an auth worker checked a stats-htpasswd password */
static void
stats_checked (SoupServerMessage * msg, gboolean ok, gpointer data)
{
  Checking *c = data;

  if (!ok) {
    refuse (c->sink, msg, SOUP_STATUS_UNAUTHORIZED,
        "credentials required for the statistics", NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "WWW-Authenticate", "Basic realm=\"statistics\"");
  } else {
    serve_stats_path (c->sink, c->server, c->p, msg, c->path, c->query, TRUE);
  }
  soup_server_message_unpause (msg);
}

static void
handle_stats (FluHttpSink * sink, FluHttpServer * server,
    FluHttpSinkSettings ** p, SoupServerMessage * msg, const gchar * path,
    GHashTable * query)
{
  GInetAddress *addr = flu_http_client_address (msg);
  gchar *user = NULL, *password = NULL;
  const gchar *why = NULL;
  gboolean listed;
  guint status;

  status = flu_http_check_stats_address (*p, addr, &listed, &why);
  g_clear_object (&addr);
  if (status != SOUP_STATUS_NONE) {
    refuse (sink, msg, status, why, NULL);
    return;
  }
  flu_http_check_reload_users (sink, p, TRUE);
  if ((*p)->stats_users == NULL) {
    serve_stats_path (sink, server, *p, msg, path, query, listed);
    return;
  }
  if (!flu_http_parse_basic_auth (soup_message_headers_get_one
          (soup_server_message_get_request_headers (msg), "Authorization"),
          &user, &password)) {
    refuse (sink, msg, SOUP_STATUS_UNAUTHORIZED,
        "credentials required for the statistics", NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "WWW-Authenticate", "Basic realm=\"statistics\"");
    return;
  }
  check_password (sink, server, msg, (*p)->stats_users,
      checking_new (sink, server, *p, query, path, NULL), user, password,
      stats_checked);
}

/* OPTIONS: 204 with Allow; with cors-origin set, a CORS preflight
 * (Origin and Access-Control-Request-Method) gets the methods and the
 * request headers it asked for, so that a web player on another origin
 * may send them (Range, say).  No credentials are checked: a preflight
 * carries none (Fetch standard), and it reveals nothing but what
 * cors-origin says. */
static void
answer_options (FluHttpSink * sink, SoupServerMessage * msg)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  const gchar *asked = soup_message_headers_get_one (req,
      "Access-Control-Request-Headers");
  gchar *origin;

  g_mutex_lock (&sink->lock);
  origin = sink->settings->cors_origin && *sink->settings->cors_origin ?
      g_strdup (sink->settings->cors_origin) : NULL;
  g_mutex_unlock (&sink->lock);
  flu_http_server_set_common_headers (msg);
  soup_message_headers_replace (h, "Allow", ALLOWED_METHODS);
  if (origin && soup_message_headers_get_one (req, "Origin") &&
      soup_message_headers_get_one (req, "Access-Control-Request-Method")) {
    soup_message_headers_replace (h, "Access-Control-Allow-Origin", origin);
    soup_message_headers_replace (h, "Access-Control-Allow-Methods",
        ALLOWED_METHODS);
    /* header names only (tokens, commas, blanks): anything else is not
     * echoed */
    if (asked && *asked && strlen (asked) < 1024 &&
        asked[strspn (asked, "abcdefghijklmnopqrstuvwxyz"
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~, ")] ==
        '\0')
      soup_message_headers_replace (h, "Access-Control-Allow-Headers", asked);
    soup_message_headers_replace (h, "Access-Control-Max-Age", "600");
    if (g_strcmp0 (origin, "*") != 0)
      soup_message_headers_append (h, "Vary", "Origin");
  }
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  log_request (sink, msg, SOUP_STATUS_NO_CONTENT, NULL);
  g_free (origin);
}

/* server thread: every path this element mounted */
void
flu_http_request_handle (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  FluHttpSink *sink = data;
  const gchar *method = soup_server_message_get_method (msg);
  g_autoptr (FluHttpSinkSettings) p = NULL;

  if (method == SOUP_METHOD_OPTIONS) {
    answer_options (sink, msg);
    return;
  }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    refuse (sink, msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        "only GET, HEAD and OPTIONS", NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", ALLOWED_METHODS);
    return;
  }
  if (!flu_http_check_address (sink, msg)) {
    refuse (sink, msg, SOUP_STATUS_FORBIDDEN, "address not allowed", NULL);
    return;
  }
  /* read without the lock: set_property swaps the snapshot, never
   * changes or frees the one held here */
  p = flu_http_sink_ref_settings (sink);
  if (g_strcmp0 (path, p->mount_point) == 0) {
    handle_stream (sink, server, &p, msg, query);
  } else if (g_strcmp0 (path, p->stats_path) == 0 ||
      g_strcmp0 (path, p->metrics_path) == 0 ||
      g_strcmp0 (path, p->status_path) == 0) {
    handle_stats (sink, server, &p, msg, path, query);
  } else if (g_strcmp0 (path, p->player_path) == 0) {
    gchar *title = g_markup_escape_text (p->mount_point, -1);
    gchar *stream = js_string (p->mount_point);
    gchar *hls = js_string (p->player_hls);

    flu_http_serve_text (msg, "text/html; charset=utf-8",
        g_strdup_printf (player_page, title, title, stream, hls));
    g_free (title);
    g_free (stream);
    g_free (hls);
  } else {
    flu_http_server_respond (msg, SOUP_STATUS_NOT_FOUND, NULL);
  }
}
