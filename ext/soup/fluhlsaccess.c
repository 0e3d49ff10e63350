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


/* Sessions of fluhlssink.  Threads and locks: lock guards the properties,
 * the running snapshot's pointer, the users and address lists and the
 * counters; the stats (FluHttpStats) and the access log have their own
 * locks.  Lock order: lock, then the stats' lock, then the log's.  The
 * session table, the reaper and the key are the server thread's (set up
 * and torn down in it by invoke_sync); the snapshot (Run) is made before
 * the mounts exist and freed after they are gone, and the server thread
 * reads it without the lock.  fluhlssink's own locks are never held when
 * it calls in here, and the group registry's lock (fluhlsgroup.c) is
 * never taken with ours held (nor ours under it).  In a group, the
 * public calls from the server thread run on the group's lead (the first
 * running member's access): its table, key and log.  No password hashing
 * under lock (fluhttpgate.c). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhlsaccess.h"
#include "flubusbatch.h"
#include "fluhlssession.h"
#include "fluhlswindow.h"
#include "fluhttpgate.h"
#include "fluhttplog.h"
#include "fluhttplogwatch.h"
#include "fluhttpstats.h"
#include "fluhttpresponse.h"
#include "fluhttpanswer.h"

#include <string.h>

GST_DEBUG_CATEGORY_EXTERN (flu_hls_sink_debug);
#define GST_CAT_DEFAULT flu_hls_sink_debug

#define DEFAULT_REALM "fluhlssink"
#define DEFAULT_RETRY_AFTER 5
#define DEFAULT_SESSION_TIMEOUT 60
#define DEFAULT_MAX_SESSIONS 10000
#define REAP_INTERVAL_MS 500
/* renewed tokens are timed in steps of session-timeout / RENEW_STEPS */
#define RENEW_STEPS 10

enum
{
  P_HTPASSWD,
  P_REALM,
  P_TOKEN_SECRET,
  P_ALLOW,
  P_DENY,
  P_CLIENT_LIMIT,
  P_MAX_CLIENTS_PER_IP,
  P_BANDWIDTH_LIMIT,
  P_RETRY_AFTER,
  P_ACCESS_LOG,
  P_SESSION_MODE,
  P_SESSION_TIMEOUT,
  P_SESSION_SECRET_FILE,
  P_SESSION_BIND_ADDRESS,
  P_STATS_PATH,
  P_METRICS_PATH,
  P_MAX_SESSIONS,
  P_STATS_ALLOW,
  P_STATS_HTPASSWD,
  N_P
};

static guint first_prop;
static GQuark access_quark;

/* what the server thread reads while serving */
typedef struct
{
  gchar *mount_point;           /* the scope of tokens and signed URLs: the
                                 * group's path in a group */
  gchar *cookie_name;
  gchar *cookie_path;
  gchar *playlist_path;
  gchar *stats_path;
  gchar *metrics_path;
  gchar *cors_origin;
  gchar *realm;
  gchar *token_secret;
  gboolean sessions;            /* tokens issued and asked for */
  gboolean checks;              /* credentials (htpasswd, token-secret) */
  gboolean in_query;
  gboolean in_cookie;
  gboolean bind_address;
  guint client_limit;
  guint per_ip;
  guint64 bandwidth_limit;
  guint retry_after;
  gint64 timeout_s;
  guint max_sessions;
  gboolean stats_mounted;
  gboolean metrics_mounted;
} Run;

struct _FluHlsAccess
{
  GstElement *element;
  /* session messages, in batches while serving (a leaf lock of its own) */
  FluBusBatch *messages;

  GMutex lock;
  /* properties */
  gchar *htpasswd;
  gchar *realm;
  gchar *token_secret;
  gchar *allow;
  gchar *deny;
  guint client_limit;
  guint per_ip;
  guint64 bandwidth_limit;
  guint retry_after;
  gchar *access_log;
  FluHlsSessionMode mode;
  guint session_timeout;
  gchar *secret_file;
  gboolean bind_address;
  gchar *stats_path;
  gchar *metrics_path;
  guint max_sessions;
  gchar *stats_allow;
  gchar *stats_htpasswd;
  /* running, under lock */
  FluHttpServer *server;
  Run *run;
  GHashTable *users;
  FluHttpFileStamp users_stamp;
  GPtrArray *allow_list;
  GPtrArray *deny_list;
  GPtrArray *stats_allow_list;
  GHashTable *stats_users;
  FluHttpFileStamp stats_users_stamp;
  guint64 requests;
  guint64 credential_checks;
  guint64 bytes_sent;

  FluHttpStats stats;
  FluHttpAccessLog *log;

  /* set before the server thread starts the sessions, cleared after */
  FluHlsMember *member;

  /* server thread */
  GBytes *key;
  FluHlsSessions *sessions;
  GSource *reaper;
  GSource *sighup;
};

/* per request, on the message */
typedef struct
{
  gchar *id;
} MsgSession;

GType
flu_hls_session_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {FLU_HLS_SESSION_AUTO, "Sessions (query and cookie) when an access "
          "check, a limit or the access log is set, else none", "auto"},
    {FLU_HLS_SESSION_OFF, "No sessions: the checks run on every request",
        "off"},
    {FLU_HLS_SESSION_QUERY, "The token in the query of every URI of the "
          "playlists", "query"},
    {FLU_HLS_SESSION_COOKIE, "The token in a cookie", "cookie"},
    {FLU_HLS_SESSION_BOTH, "The token in the URIs and in a cookie", "both"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("FluHlsSessionMode", values);

    g_once_init_leave (&type, t);
  }
  return type;
}

#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_READY)

guint
flu_hls_access_install_properties (GObjectClass * klass, guint first_id)
{
  GParamSpec *p[N_P];
  guint i;

  first_prop = first_id;
  access_quark = g_quark_from_static_string ("flu-hls-access");
  p[P_HTPASSWD] = g_param_spec_string ("htpasswd", "htpasswd file",
      "Apache htpasswd file (bcrypt, SHA-1, apr1 or crypt hashes); when set, "
      "a viewer's first playlist request needs HTTP Basic credentials from "
      "it (once per session, re-read when the file changes)", NULL, RW);
  p[P_REALM] = g_param_spec_string ("realm", "Realm",
      "Realm of the Basic authentication challenge", DEFAULT_REALM, RW);
  p[P_TOKEN_SECRET] = g_param_spec_string ("token-secret", "Token secret",
      "When set, a viewer's first playlist request needs a signed URL: "
      "?expires=<unix time>&token=<hex HMAC-SHA256(secret, "
      "\"<mount-point>:<expires>\")>, as fluhttpsink's", NULL,
      G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  p[P_ALLOW] = g_param_spec_string ("allow", "Allow",
      "Addresses allowed in (CIDR list, IPv4 and IPv6, comma separated; "
      "NULL = everybody not denied); checked on every request", NULL, RW);
  p[P_DENY] = g_param_spec_string ("deny", "Deny",
      "Addresses refused with 403 (CIDR list, comma separated)", NULL, RW);
  p[P_CLIENT_LIMIT] = g_param_spec_uint ("client-limit", "Client limit",
      "Live sessions (viewers) allowed at once (0 = no limit); a new viewer "
      "beyond gets 503 with Retry-After", 0, G_MAXUINT, 0, RW);
  p[P_MAX_CLIENTS_PER_IP] = g_param_spec_uint ("max-clients-per-ip",
      "Max clients per IP", "Live sessions allowed from one address (0 = no "
      "limit); more get 429", 0, G_MAXUINT, 0, RW);
  p[P_BANDWIDTH_LIMIT] = g_param_spec_uint64 ("bandwidth-limit",
      "Bandwidth limit", "Bits per second all sessions may take together, "
      "each counted at the stream's bitrate; a new viewer beyond gets 503 "
      "(0 = no limit)", 0, G_MAXUINT64, 0, RW);
  p[P_RETRY_AFTER] = g_param_spec_uint ("retry-after", "Retry after",
      "Seconds in the Retry-After header of 503 answers to new viewers",
      0, 86400, DEFAULT_RETRY_AFTER, RW);
  p[P_ACCESS_LOG] = g_param_spec_string ("access-log", "Access log",
      "File to append one combined-format line per session to when it ends "
      "(bytes, plus the seconds it lasted and its requests) and one per "
      "refused request; reopened on SIGHUP", NULL, RW);
  p[P_SESSION_MODE] = g_param_spec_enum ("session-mode", "Session mode",
      "Where a viewer's session token goes: the query of every URI in the "
      "playlists (s=...), a cookie, both, or no sessions",
      FLU_TYPE_HLS_SESSION_MODE, FLU_HLS_SESSION_AUTO, RW);
  p[P_SESSION_TIMEOUT] = g_param_spec_uint ("session-timeout",
      "Session timeout", "Seconds without a request after which a session "
      "ends (its log line is written); a token expires that long after its "
      "segment's time (the same in every playlist listing the segment) or "
      "after the playlist answer (the cookie, URIs naming no segment), and "
      "is taken past its expiry while its session lives", 1, 86400,
      DEFAULT_SESSION_TIMEOUT, RW);
  p[P_SESSION_SECRET_FILE] = g_param_spec_string ("session-secret-file",
      "Session secret file", "File whose contents (at least 16 bytes) sign "
      "the session tokens, so that they survive a restart and are good on "
      "every origin sharing the file (NULL = a random key each time the "
      "element starts)", NULL, RW);
  p[P_SESSION_BIND_ADDRESS] = g_param_spec_boolean ("session-bind-address",
      "Session bind address", "Tokens hold the viewer's address and are "
      "refused from any other (breaks viewers that change networks)",
      FALSE, RW);
  p[P_STATS_PATH] = g_param_spec_string ("stats-path", "Stats path",
      "Path answering the statistics as JSON, sessions and requests "
      "included (NULL = none; per-session details to loopback clients "
      "only)", NULL, RW);
  p[P_METRICS_PATH] = g_param_spec_string ("metrics-path", "Metrics path",
      "Path answering Prometheus text metrics (NULL = none)", NULL, RW);
  p[P_MAX_SESSIONS] = g_param_spec_uint ("max-sessions", "Max sessions",
      "Live sessions the element keeps at most (its memory bound; "
      "client-limit, when lower, refuses first): a new viewer beyond ends "
      "the oldest session that has made one request only (a player makes "
      "more at once), or gets 503 with Retry-After when there is none",
      1, G_MAXUINT, DEFAULT_MAX_SESSIONS, RW);
  p[P_STATS_ALLOW] = g_param_spec_string ("stats-allow", "Stats allow",
      "Addresses that may read stats-path and metrics-path (CIDR list, "
      "comma separated; others get 403), as fluhttpsink's.  NULL = whoever "
      "allow and deny let in.  Per-session details in the JSON stats go "
      "only to clients let in by stats-allow or stats-htpasswd, or, when "
      "neither is set, to loopback clients", NULL, RW);
  p[P_STATS_HTPASSWD] = g_param_spec_string ("stats-htpasswd",
      "Stats htpasswd file", "Apache htpasswd file whose users may read "
      "stats-path and metrics-path (HTTP Basic; 401 otherwise; re-read "
      "when it changes).  NULL = no credentials asked there (the viewers' "
      "htpasswd does not apply to these paths)", NULL, RW);
  for (i = 0; i < N_P; i++)
    g_object_class_install_property (klass, first_id + i, p[i]);
  gst_type_mark_as_plugin_api (FLU_TYPE_HLS_SESSION_MODE, 0);
  return first_id + N_P;
}

FluHlsAccess *
flu_hls_access_new (GstElement * element)
{
  FluHlsAccess *a = g_new0 (FluHlsAccess, 1);

  a->element = element;
  a->messages = flu_bus_batch_new (element, FLU_BUS_BATCH_MS);
  g_mutex_init (&a->lock);
  a->realm = g_strdup (DEFAULT_REALM);
  a->retry_after = DEFAULT_RETRY_AFTER;
  a->session_timeout = DEFAULT_SESSION_TIMEOUT;
  a->max_sessions = DEFAULT_MAX_SESSIONS;
  a->log = flu_http_access_log_new ();
  flu_http_stats_init (&a->stats);
  g_object_set_qdata (G_OBJECT (element), access_quark, a);
  return a;
}

static void
run_free (Run * r)
{
  if (r == NULL)
    return;
  g_free (r->mount_point);
  g_free (r->cookie_name);
  g_free (r->cookie_path);
  g_free (r->playlist_path);
  g_free (r->stats_path);
  g_free (r->metrics_path);
  g_free (r->cors_origin);
  g_free (r->realm);
  g_free (r->token_secret);
  g_free (r);
}

void
flu_hls_access_free (FluHlsAccess * a)
{
  flu_bus_batch_free (a->messages);
  g_free (a->htpasswd);
  g_free (a->realm);
  g_free (a->token_secret);
  g_free (a->allow);
  g_free (a->deny);
  g_free (a->access_log);
  g_free (a->secret_file);
  g_free (a->stats_path);
  g_free (a->metrics_path);
  g_free (a->stats_allow);
  g_free (a->stats_htpasswd);
  run_free (a->run);
  g_clear_pointer (&a->users, g_hash_table_unref);
  g_clear_pointer (&a->allow_list, g_ptr_array_unref);
  g_clear_pointer (&a->deny_list, g_ptr_array_unref);
  g_clear_pointer (&a->stats_allow_list, g_ptr_array_unref);
  g_clear_pointer (&a->stats_users, g_hash_table_unref);
  flu_http_access_log_free (a->log);
  flu_http_stats_clear (&a->stats);
  g_mutex_clear (&a->lock);
  g_free (a);
}

static void
set_string (gchar ** field, const GValue * value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

gboolean
flu_hls_access_set_property (FluHlsAccess * a, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  if (prop_id < first_prop || prop_id >= first_prop + N_P)
    return FALSE;
  g_mutex_lock (&a->lock);
  if (a->server)
    GST_WARNING_OBJECT (a->element, "%s set while serving: it takes effect "
        "the next time the element leaves NULL", pspec->name);
  switch (prop_id - first_prop) {
    case P_HTPASSWD:
      set_string (&a->htpasswd, value);
      break;
    case P_REALM:
      set_string (&a->realm, value);
      break;
    case P_TOKEN_SECRET:
      set_string (&a->token_secret, value);
      break;
    case P_ALLOW:
      set_string (&a->allow, value);
      break;
    case P_DENY:
      set_string (&a->deny, value);
      break;
    case P_CLIENT_LIMIT:
      a->client_limit = g_value_get_uint (value);
      break;
    case P_MAX_CLIENTS_PER_IP:
      a->per_ip = g_value_get_uint (value);
      break;
    case P_BANDWIDTH_LIMIT:
      a->bandwidth_limit = g_value_get_uint64 (value);
      break;
    case P_RETRY_AFTER:
      a->retry_after = g_value_get_uint (value);
      break;
    case P_ACCESS_LOG:
      set_string (&a->access_log, value);
      break;
    case P_SESSION_MODE:
      a->mode = g_value_get_enum (value);
      break;
    case P_SESSION_TIMEOUT:
      a->session_timeout = g_value_get_uint (value);
      break;
    case P_SESSION_SECRET_FILE:
      set_string (&a->secret_file, value);
      break;
    case P_SESSION_BIND_ADDRESS:
      a->bind_address = g_value_get_boolean (value);
      break;
    case P_STATS_PATH:
      set_string (&a->stats_path, value);
      break;
    case P_METRICS_PATH:
      set_string (&a->metrics_path, value);
      break;
    case P_MAX_SESSIONS:
      a->max_sessions = g_value_get_uint (value);
      break;
    case P_STATS_ALLOW:
      set_string (&a->stats_allow, value);
      break;
    case P_STATS_HTPASSWD:
      set_string (&a->stats_htpasswd, value);
      break;
  }
  g_mutex_unlock (&a->lock);
  return TRUE;
}

gboolean
flu_hls_access_get_property (FluHlsAccess * a, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  if (prop_id < first_prop || prop_id >= first_prop + N_P)
    return FALSE;
  g_mutex_lock (&a->lock);
  switch (prop_id - first_prop) {
    case P_HTPASSWD:
      g_value_set_string (value, a->htpasswd);
      break;
    case P_REALM:
      g_value_set_string (value, a->realm);
      break;
    case P_ALLOW:
      g_value_set_string (value, a->allow);
      break;
    case P_DENY:
      g_value_set_string (value, a->deny);
      break;
    case P_CLIENT_LIMIT:
      g_value_set_uint (value, a->client_limit);
      break;
    case P_MAX_CLIENTS_PER_IP:
      g_value_set_uint (value, a->per_ip);
      break;
    case P_BANDWIDTH_LIMIT:
      g_value_set_uint64 (value, a->bandwidth_limit);
      break;
    case P_RETRY_AFTER:
      g_value_set_uint (value, a->retry_after);
      break;
    case P_ACCESS_LOG:
      g_value_set_string (value, a->access_log);
      break;
    case P_SESSION_MODE:
      g_value_set_enum (value, a->mode);
      break;
    case P_SESSION_TIMEOUT:
      g_value_set_uint (value, a->session_timeout);
      break;
    case P_SESSION_SECRET_FILE:
      g_value_set_string (value, a->secret_file);
      break;
    case P_SESSION_BIND_ADDRESS:
      g_value_set_boolean (value, a->bind_address);
      break;
    case P_STATS_PATH:
      g_value_set_string (value, a->stats_path);
      break;
    case P_METRICS_PATH:
      g_value_set_string (value, a->metrics_path);
      break;
    case P_MAX_SESSIONS:
      g_value_set_uint (value, a->max_sessions);
      break;
    case P_STATS_ALLOW:
      g_value_set_string (value, a->stats_allow);
      break;
    case P_STATS_HTPASSWD:
      g_value_set_string (value, a->stats_htpasswd);
      break;
    default:                   /* token-secret: write only */
      G_OBJECT_WARN_INVALID_PROPERTY_ID (G_OBJECT (a->element), prop_id, pspec);
      break;
  }
  g_mutex_unlock (&a->lock);
  return TRUE;
}

/* ---- log, bus, stats (server thread) ---- */

static gchar *
client_host (SoupServerMessage * msg)
{
  GInetAddress *addr = flu_http_client_address (msg);
  gchar *host = addr ? g_inet_address_to_string (addr) : NULL;

  g_clear_object (&addr);
  return host;
}

/* one log line for a refused request */
static void
log_refused (FluHlsAccess * a, SoupServerMessage * msg, guint status,
    const gchar * host, const gchar * user)
{
  gchar *target = flu_http_request_target (msg);
  FluHttpLogEntry e = { 0 };

  flu_http_log_entry_from_message (&e, msg);
  e.host = host ? host : "-";
  e.user = user;
  e.path = target;
  e.status = status;
  e.start_time = g_get_real_time ();
  flu_http_access_log_write (a->log, &e);
  g_free (target);
}

static void
refuse (FluHlsAccess * a, SoupServerMessage * msg, guint status,
    const gchar * why, const gchar * host, const gchar * user)
{
  const Run *r = a->run;
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  GST_INFO_OBJECT (a->element, "%s %s from %s: %u (%s)",
      soup_server_message_get_method (msg),
      g_uri_get_path (soup_server_message_get_uri (msg)),
      GST_STR_NULL (host), status, why);
  flu_http_server_respond (msg, status, why);
  if (r->cors_origin && *r->cors_origin)
    soup_message_headers_replace (h, "Access-Control-Allow-Origin",
        r->cors_origin);
  if (status == SOUP_STATUS_UNAUTHORIZED && r->checks) {
    gchar *realm = g_strdup_printf ("Basic realm=\"%s\"", r->realm);

    soup_message_headers_replace (h, "WWW-Authenticate", realm);
    g_free (realm);
  }
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE ||
      status == FLU_HTTP_STATUS_TOO_MANY_REQUESTS) {
    gchar *retry = g_strdup_printf ("%u", r->retry_after);

    soup_message_headers_replace (h, "Retry-After", retry);
    g_free (retry);
  }
  flu_http_stats_refused (&a->stats);
  log_refused (a, msg, status, host, user);
}

static void
post (FluHlsAccess * a, GstStructure * s)
{
  flu_bus_batch_post (a->messages, s);
}

static void
session_started (FluHlsAccess * a, FluHlsSession * s)
{
  flu_http_stats_client_added (&a->stats);
  GST_DEBUG_OBJECT (a->element, "session from %s started (%u live)", s->host,
      flu_hls_sessions_count (a->sessions));
  post (a, gst_structure_new ("fluhlssink-session-started",
          "address", G_TYPE_STRING, s->host,
          "user", G_TYPE_STRING, s->user,
          "user-agent", G_TYPE_STRING, s->user_agent,
          "path", G_TYPE_STRING, s->target, NULL));
}

static void
session_ended (FluHlsAccess * a, FluHlsSession * s, gint64 now,
    const gchar * reason)
{
  guint64 seconds = (now - s->start) / G_USEC_PER_SEC;
  FluHttpLogEntry e = { s->host, s->user, "GET", s->target, s->protocol,
    SOUP_STATUS_OK, s->bytes, s->referer, s->user_agent, s->start_wall,
    seconds, s->requests
  };

  flu_http_stats_client_removed (&a->stats, s->bytes);
  flu_http_access_log_write (a->log, &e);
  GST_DEBUG_OBJECT (a->element, "session from %s ended (%s) after %"
      G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT " bytes", s->host,
      reason, s->requests, s->bytes);
  post (a, gst_structure_new ("fluhlssink-session-ended",
          "address", G_TYPE_STRING, s->host,
          "user", G_TYPE_STRING, s->user,
          "user-agent", G_TYPE_STRING, s->user_agent,
          "path", G_TYPE_STRING, s->target,
          "bytes", G_TYPE_UINT64, s->bytes,
          "requests", G_TYPE_UINT64, s->requests,
          "duration", G_TYPE_UINT64, seconds * GST_SECOND,
          "reason", G_TYPE_STRING, reason, NULL));
}

static void
end_sessions (FluHlsAccess * a, gboolean all)
{
  gint64 now = g_get_monotonic_time ();
  GPtrArray *gone;
  guint i;

  if (a->sessions == NULL)
    return;
  gone = flu_hls_sessions_expire (a->sessions, now, all);
  for (i = 0; i < gone->len; i++)
    session_ended (a, g_ptr_array_index (gone, i), now,
        all ? "stopped" : "idle");
  g_ptr_array_unref (gone);
}

static gboolean
reap (gpointer data)
{
  end_sessions (data, FALSE);
  return G_SOURCE_CONTINUE;
}


/* ---- requests (server thread) ---- */

static void
msg_session_free (gpointer data)
{
  MsgSession *m = data;

  g_free (m->id);
  g_free (m);
}

/* @size bytes of a body went to session @id (NULL: none): libsoup's
 * path ("wrote-body-data") and the fast one alike */
static void
count_sent (FluHlsAccess * a, const gchar * id, guint64 size)
{
  FluHlsSession *s;

  g_mutex_lock (&a->lock);
  a->bytes_sent += size;
  g_mutex_unlock (&a->lock);
  if (id && a->sessions && (s = flu_hls_sessions_lookup (a->sessions, id))) {
    s->bytes += size;
    s->last = g_get_monotonic_time ();
  }
}

static void
wrote_body_data (SoupServerMessage * msg, guint size, gpointer element)
{
  FluHlsAccess *a = g_object_get_qdata (G_OBJECT (element), access_quark);
  MsgSession *m = g_object_get_data (G_OBJECT (msg), "flu-hls-session");

  if (a == NULL)
    return;
  count_sent (a, m ? m->id : NULL, size);
}

/* the request is @s's: counted, renewed, its bytes counted as they go */
static void
attach (FluHlsAccess * a, SoupServerMessage * msg, FluHlsSession * s)
{
  MsgSession *m = g_new0 (MsgSession, 1);

  flu_hls_sessions_touch (a->sessions, s, g_get_monotonic_time ());
  m->id = g_strdup (s->id);
  g_object_set_data_full (G_OBJECT (msg), "flu-hls-session", m,
      msg_session_free);
}

static const gchar *
cookie_token_of (SoupMessageHeaders * request, const gchar * name,
    gchar ** owned)
{
  const gchar *c = soup_message_headers_get_list (request, "Cookie");
  gsize n = strlen (name);
  GHashTable *t;
  const gchar *v;

  if (c == NULL)
    return NULL;
  /* just our cookie, a plain value (what players send back): what the
   * parse below gives, without its table */
  if (strncmp (c, name, n) == 0 && c[n] == '=' &&
      c[n + 1 + strcspn (c + n + 1, ";,\" \t")] == '\0')
    return *owned = g_strdup (c + n + 1);
  t = soup_header_parse_semi_param_list (c);
  v = g_hash_table_lookup (t, name);
  *owned = v ? g_strdup (v) : NULL;
  soup_header_free_param_list (t);
  return *owned;
}

/* The session token of a request (the query's, else or when it is stale
 * the cookie's) verified: FLU_HLS_TOKEN_OK with the session's id in @id
 * (free it); @token the one looked at (NULL: none), valid while @query
 * and @cookie (free it) are.  Both paths. */
static FluHlsTokenStatus
verify_request (FluHlsAccess * a, GHashTable * query,
    SoupMessageHeaders * request, const gchar * host, const gchar ** token,
    gchar ** cookie, gchar ** id)
{
  const Run *r = a->run;
  FluHlsTokenStatus ts = FLU_HLS_TOKEN_MALFORMED;

  *token = query ? g_hash_table_lookup (query, FLU_HLS_SESSION_PARAM) : NULL;
  if (*token)
    ts = flu_hls_sessions_verify (a->sessions, a->key, *token,
        r->mount_point, r->bind_address ? host : NULL,
        g_get_real_time () / G_USEC_PER_SEC, g_get_monotonic_time (), id);
  if (ts != FLU_HLS_TOKEN_OK && cookie_token_of (request, r->cookie_name,
          cookie)) {
    g_clear_pointer (id, g_free);
    *token = *cookie;
    ts = flu_hls_sessions_verify (a->sessions, a->key, *cookie,
        r->mount_point, r->bind_address ? host : NULL,
        g_get_real_time () / G_USEC_PER_SEC, g_get_monotonic_time (), id);
  }
  return ts;
}

/* room for one more session within max-sessions: the oldest session of
 * one request ends for it, or (none) a 503 */
static gboolean
make_room (FluHlsAccess * a, SoupServerMessage * msg, const gchar * host)
{
  const Run *r = a->run;
  FluHlsSession *old;

  if (flu_hls_sessions_count (a->sessions) < r->max_sessions)
    return TRUE;
  if ((old = flu_hls_sessions_evict_fresh (a->sessions))) {
    session_ended (a, old, g_get_monotonic_time (), "evicted");
    flu_hls_session_free (old);
    return TRUE;
  }
  refuse (a, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "max-sessions reached",
      host, NULL);
  return FALSE;
}

/* lock held: who may start a session, once */
static guint
check_new_viewer (FluHlsAccess * a, SoupServerMessage * msg,
    GHashTable * query, const gchar * host, gchar ** user, const gchar ** why)
{
  const Run *r = a->run;
  guint status = SOUP_STATUS_NONE;

  if (r->checks) {
    FluHttpGateCredentials c = { &a->lock, &a->htpasswd, &a->users,
      &a->users_stamp, r->token_secret, r->mount_point, GST_CAT_DEFAULT,
      GST_OBJECT (a->element)
    };

    /* a check is a password or a signed URL verified: a first request
     * that shows neither (a player waiting for the 401 challenge) is not
     * one */
    if (soup_message_headers_get_one (soup_server_message_get_request_headers
            (msg), "Authorization") || (query
            && g_hash_table_lookup (query, "token")))
      a->credential_checks++;
    status = flu_http_gate_credentials (&c, msg, query, user, why);
  }
  if (status == SOUP_STATUS_NONE && a->sessions)
    status = flu_http_gate_limits (r->per_ip,
        flu_hls_sessions_count_host (a->sessions, host), r->client_limit,
        flu_hls_sessions_count (a->sessions), r->bandwidth_limit,
        r->bandwidth_limit ? flu_http_stats_stream_bitrate (&a->stats) : 0,
        why);
  return status;
}

static gchar *
capped (const gchar * text)
{
  const gchar *end;

  if (text == NULL)
    return NULL;
  if (strlen (text) <= FLU_HLS_SESSION_TEXT_MAX)
    return g_strdup (text);
  /* cut on a character boundary */
  end = text + FLU_HLS_SESSION_TEXT_MAX;
  while (end > text && (*end & 0xc0) == 0x80)
    end--;
  return g_strndup (text, end - text);
}

/* server thread: who keeps @a's sessions (the group's lead in a group) */
static FluHlsAccess *
lead_of (FluHlsAccess * a)
{
  FluHlsAccess *lead = a->member ? flu_hls_member_lead (a->member) : NULL;

  return lead ? lead : a;
}

gboolean
flu_hls_access_admit (FluHlsAccess * a, SoupServerMessage * msg,
    GHashTable * query, gboolean playlist)
{
  const Run *r = a->run;
  GInetAddress *addr = flu_http_client_address (msg);
  gchar *host = addr ? g_inet_address_to_string (addr) : NULL;
  gchar *user = NULL, *cookie = NULL, *id = NULL;
  const gchar *token = NULL, *why = NULL;
  FluHlsTokenStatus ts;
  FluHlsSession *s = NULL;
  gboolean ok = FALSE, allowed;
  guint status;

  if (a->member && lead_of (a) != a) {
    g_clear_object (&addr);
    g_free (host);
    return flu_hls_access_admit (lead_of (a), msg, query, playlist);
  }
  if (r == NULL) {
    g_clear_object (&addr);
    g_free (host);
    return TRUE;
  }
  g_mutex_lock (&a->lock);
  a->requests++;
  allowed = flu_http_gate_address (a->allow_list, a->deny_list, addr);
  g_mutex_unlock (&a->lock);
  g_clear_object (&addr);
  if (!allowed) {
    refuse (a, msg, SOUP_STATUS_FORBIDDEN, "address not allowed", host, NULL);
    goto done;
  }
  if (!r->sessions) {
    /* no sessions: the credentials (if any) on every request, and no
     * viewers to count */
    status = SOUP_STATUS_NONE;
    if (r->checks) {
      FluHttpGateCredentials c = { &a->lock, &a->htpasswd, &a->users,
        &a->users_stamp, r->token_secret, r->mount_point, GST_CAT_DEFAULT,
        GST_OBJECT (a->element)
      };

      g_mutex_lock (&a->lock);
      a->credential_checks++;
      status = flu_http_gate_credentials (&c, msg, query, &user, &why);
      g_mutex_unlock (&a->lock);
    }
    if (status != SOUP_STATUS_NONE)
      refuse (a, msg, status, why, host, user);
    ok = status == SOUP_STATUS_NONE;
    goto done;
  }

  /* the query's token, else (or when it is stale) the cookie's */
  ts = verify_request (a, query, soup_server_message_get_request_headers
      (msg), host, &token, &cookie, &id);
  if (ts == FLU_HLS_TOKEN_OK) {
    s = flu_hls_sessions_lookup (a->sessions, id);
    if (s == NULL) {
      /* a token of ours (the key says so) for a session this process does
       * not know: before a restart, or on another origin sharing the
       * session-secret-file.  It goes on, the limits permitting, without
       * its credentials checked again. */
      g_mutex_lock (&a->lock);
      status = flu_http_gate_limits (r->per_ip,
          flu_hls_sessions_count_host (a->sessions, host), r->client_limit,
          flu_hls_sessions_count (a->sessions), r->bandwidth_limit,
          r->bandwidth_limit ? flu_http_stats_stream_bitrate (&a->stats) :
          0, &why);
      g_mutex_unlock (&a->lock);
      if (status != SOUP_STATUS_NONE) {
        refuse (a, msg, status, why, host, NULL);
        goto done;
      }
      if (!make_room (a, msg, host))
        goto done;
      s = flu_hls_sessions_add (a->sessions, id, host, g_get_monotonic_time ());
      goto fill;
    }
    attach (a, msg, s);
    ok = TRUE;
    goto done;
  }
  if (!playlist) {
    refuse (a, msg, SOUP_STATUS_FORBIDDEN, token ? "invalid or expired "
        "session" : "session required (ask for the playlist first)", host,
        NULL);
    goto done;
  }
  /* a new viewer: the checks, once for the session */
  g_mutex_lock (&a->lock);
  status = check_new_viewer (a, msg, query, host, &user, &why);
  g_mutex_unlock (&a->lock);
  if (status != SOUP_STATUS_NONE) {
    refuse (a, msg, status, why, host, user);
    goto done;
  }
  if (!make_room (a, msg, host))
    goto done;
  s = flu_hls_sessions_add (a->sessions, NULL, host, g_get_monotonic_time ());
  s->user = g_steal_pointer (&user);
fill:
  {
    SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);

    /* capped: a session's memory does not depend on what it sends */
    s->user_agent = capped (soup_message_headers_get_one (h, "User-Agent"));
    s->referer = capped (soup_message_headers_get_one (h, "Referer"));
    /* the session's entry point: the group's playlist in a group */
    s->target = g_strdup (a->member ? r->mount_point : r->playlist_path);
    s->protocol = g_strdup (flu_http_protocol_name (msg));
  }
  session_started (a, s);
  attach (a, msg, s);
  ok = TRUE;
done:
  if (ok)
    g_signal_connect_object (msg, "wrote-body-data",
        G_CALLBACK (wrote_body_data), a->element, 0);
  g_free (id);
  g_free (cookie);
  g_free (user);
  g_free (host);
  return ok;
}

static gint64
window_token_time (guint64 msn, gpointer window)
{
  return flu_hls_window_token_time (window, msn);
}

/* @playlist as session @id's viewer (at @host) gets it, the cookie set
 * in @resp: both paths */
static GBytes *
playlist_for (FluHlsAccess * a, const gchar * id, const gchar * host,
    SoupMessageHeaders * resp, GBytes * playlist, FluHlsWindow * window)
{
  const Run *r = a->run;
  FluHlsSession *s = NULL;
  FluHlsTokenCache *cache = NULL;
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  GBytes *out;

  /* a held request is activity too: its session lives on from here */
  if (a->sessions && (s = flu_hls_sessions_lookup (a->sessions, id))) {
    s->last = g_get_monotonic_time ();
    cache = s->tokens;
  }
  if (!r->bind_address)
    host = NULL;
  /* the renewed tokens (the cookie's, the URIs naming no segment) are
   * timed from now in steps of a tenth of session-timeout (never later
   * than now): the same token, and Set-Cookie, for the reloads of a
   * step, from the session's cache */
  now_s -= now_s % MAX (1, r->timeout_s / RENEW_STEPS);
  if (r->in_query) {
    /* a media URI's token expires session-timeout after its segment's
     * token time, so it is the same in every playlist that lists it;
     * the other URIs' (and the cookie's) last session-timeout from now */
    FluHlsTokenSpec spec = { a->key, id, r->mount_point, host,
      r->timeout_s, now_s, window ? window_token_time : NULL, window, cache
    };

    out = flu_hls_playlist_add_tokens (playlist, &spec);
  } else {
    out = g_bytes_ref (playlist);
  }
  if (r->in_cookie) {
    /* the cookie's token lasts session-timeout from now: each playlist
     * renews it (each step) */
    gint64 expires = now_s + r->timeout_s;
    const gchar *c = NULL;
    gchar *made = NULL;

    if (cache) {
      flu_hls_token_cache_bind (cache, a->key, id, r->mount_point, host);
      c = flu_hls_token_cache_cookie (cache, expires);
    }
    if (c == NULL) {
      const gchar *token = cache ? flu_hls_token_cache_lookup (cache,
          expires) : NULL;
      gchar *fresh = NULL;

      if (token == NULL) {
        token = fresh = flu_hls_session_token_make (a->key, id,
            r->mount_point, expires, host);
        if (cache)
          flu_hls_token_cache_add (cache, expires, fresh);
      }
      c = made = g_strdup_printf ("%s=%s; Path=%s; Max-Age=%" G_GINT64_FORMAT
          "; HttpOnly; SameSite=Lax", r->cookie_name, token,
          r->cookie_path, r->timeout_s);
      if (cache)
        flu_hls_token_cache_set_cookie (cache, expires, made);
      g_free (fresh);
    }
    soup_message_headers_replace (resp, "Set-Cookie", c);
    g_free (made);
  }
  return out;
}

GBytes *
flu_hls_access_playlist (FluHlsAccess * a, SoupServerMessage * msg,
    GBytes * playlist, FluHlsWindow * window)
{
  const Run *r = (a = lead_of (a))->run;
  MsgSession *m = g_object_get_data (G_OBJECT (msg), "flu-hls-session");
  gchar *host;
  GBytes *out;

  if (r == NULL || !r->sessions || m == NULL || a->key == NULL)
    return g_bytes_ref (playlist);
  host = r->bind_address ? client_host (msg) : NULL;
  out = playlist_for (a, m->id, host,
      soup_server_message_get_response_headers (msg), playlist, window);
  g_free (host);
  return out;
}

/* private caching of an answer to a session: both paths */
static void
fill_session_headers (FluHlsAccess * a, SoupMessageHeaders * h)
{
  const Run *r = a->run;
  const gchar *cache;

  if (r == NULL || !(r->sessions || r->checks))
    return;
  /* a shared cache would hand the answer (and the playlist's tokens) to
   * viewers it never checked */
  cache = soup_message_headers_get_one (h, "Cache-Control");
  if (cache && g_str_has_prefix (cache, "public")) {
    gchar *priv = g_strconcat ("private", cache + strlen ("public"), NULL);

    soup_message_headers_replace (h, "Cache-Control", priv);
    g_free (priv);
  }
  if (r->in_cookie)
    soup_message_headers_append (h, "Vary", "Cookie");
}

void
flu_hls_access_set_headers (FluHlsAccess * a, SoupServerMessage * msg)
{
  fill_session_headers (lead_of (a),
      soup_server_message_get_response_headers (msg));
}

void
flu_hls_access_stream_data (FluHlsAccess * a, gsize bytes, gboolean eos)
{
  if (bytes)
    flu_http_stats_stream_bytes (&a->stats, bytes);
  if (eos)
    flu_http_stats_eos (&a->stats);
}

/* ---- stats ---- */

static GstStructure *
build_stats (FluHlsAccess * a)
{
  GstStructure *s;
  guint64 sent;

  g_mutex_lock (&a->lock);
  sent = a->bytes_sent;
  g_mutex_unlock (&a->lock);
  s = flu_http_stats_to_structure (&a->stats, sent, 0);
  gst_structure_set_name (s, "fluhlssink-stats");
  g_mutex_lock (&a->lock);
  gst_structure_set (s, "requests", G_TYPE_UINT64, a->requests,
      "credential-checks", G_TYPE_UINT64, a->credential_checks,
      "content-type", G_TYPE_STRING, "application/vnd.apple.mpegurl", NULL);
  g_mutex_unlock (&a->lock);
  return s;
}

void
flu_hls_access_add_stats (FluHlsAccess * a, GstStructure * s)
{
  guint64 sessions_total, refused, checks, sent;
  guint sessions;

  g_mutex_lock (&a->stats.lock);
  sessions = a->stats.clients;
  sessions_total = a->stats.connections;
  refused = a->stats.refused;
  g_mutex_unlock (&a->stats.lock);
  g_mutex_lock (&a->lock);
  checks = a->credential_checks;
  sent = a->bytes_sent;
  g_mutex_unlock (&a->lock);
  gst_structure_set (s, "sessions", G_TYPE_UINT, sessions,
      "sessions-total", G_TYPE_UINT64, sessions_total,
      "credential-checks", G_TYPE_UINT64, checks,
      "refused", G_TYPE_UINT64, refused,
      "bytes-sent", G_TYPE_UINT64, sent, NULL);
}

/* the HLS families beside fluhttpsink's (fluhttpstats.c) */
static void
append_metric (GString * out, const gchar * name, const gchar * help,
    const gchar * mount, guint64 v)
{
  gchar *label = g_strescape (mount, NULL);

  g_string_append_printf (out, "# HELP fluhlssink_%s %s\n"
      "# TYPE fluhlssink_%s counter\nfluhlssink_%s{mount=\"%s\"} %"
      G_GUINT64_FORMAT "\n", name, help, name, name, label, v);
  g_free (label);
}

static void
handle_stats (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  FluHlsAccess *a = data;
  const Run *r = a->run;
  GInetAddress *addr = flu_http_client_address (msg);
  FluHttpGateCredentials c = { &a->lock, &a->stats_htpasswd,
    &a->stats_users, &a->stats_users_stamp, NULL, NULL, GST_CAT_DEFAULT,
    GST_OBJECT (a->element)
  };
  const gchar *why = "address not allowed";
  GstStructure *s;
  gboolean allowed, details = FALSE;
  guint status = SOUP_STATUS_FORBIDDEN;

  g_mutex_lock (&a->lock);
  allowed = flu_http_gate_address (a->allow_list, a->deny_list, addr);
  g_mutex_unlock (&a->lock);
  /* fluhttpsink's guard (stats-allow, stats-htpasswd), the same code */
  if (allowed && r != NULL)
    status = flu_http_gate_stats (&c, &a->stats_allow_list, msg, &details,
        &why);
  if (status != SOUP_STATUS_NONE) {
    flu_http_server_respond (msg, status, why);
    if (status == SOUP_STATUS_UNAUTHORIZED)
      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), "WWW-Authenticate", "Basic realm=\"statistics\"");
    g_clear_object (&addr);
    return;
  }
  s = build_stats (a);
  if (g_strcmp0 (path, r->stats_path) == 0) {
    GPtrArray *list = NULL;
    gchar *history = flu_http_stats_history_json (&a->stats);

    /* per-session details to who passed the stats checks (or, with
     * none set, loopback clients) */
    if (details && a->sessions) {
      GPtrArray *live = flu_hls_sessions_list (a->sessions);
      gint64 now = g_get_monotonic_time ();
      guint i;

      list = g_ptr_array_new_with_free_func ((GDestroyNotify)
          flu_http_client_stat_free);
      for (i = 0; i < live->len; i++) {
        FluHlsSession *x = g_ptr_array_index (live, i);
        FluHttpClientStat *c = g_new0 (FluHttpClientStat, 1);

        c->host = g_strdup (x->host);
        c->user = g_strdup (x->user);
        c->user_agent = g_strdup (x->user_agent);
        c->seconds = (now - x->start) / G_USEC_PER_SEC;
        c->bytes = x->bytes;
        c->fd = -1;
        g_ptr_array_add (list, c);
      }
      g_ptr_array_unref (live);
    }
    flu_http_serve_text (msg, "application/json", flu_http_stats_to_json (s,
            r->playlist_path, list, history));
    g_free (history);
    g_clear_pointer (&list, g_ptr_array_unref);
  } else {
    GString *out = g_string_new (NULL);
    gchar *base = flu_http_stats_to_prometheus (s, r->playlist_path);
    guint64 requests = 0, checks = 0;

    g_string_append (out, base);
    g_free (base);
    gst_structure_get_uint64 (s, "requests", &requests);
    gst_structure_get_uint64 (s, "credential-checks", &checks);
    append_metric (out, "requests_total", "HTTP requests to the mount "
        "(playlists, segments, parts, refused ones included)",
        r->playlist_path, requests);
    append_metric (out, "credential_checks_total", "Credential checks made "
        "(one per new session)", r->playlist_path, checks);
    flu_http_serve_text (msg, "text/plain; version=0.0.4", g_string_free (out,
            FALSE));
  }
  gst_structure_free (s);
  g_clear_object (&addr);
}

/* the mount's entry on the status page (FluHttpStreamStatsFunc; @data is
 * the element, the playlist mount's user data) */
static gchar *
stream_status (gpointer data, GInetAddress * client)
{
  FluHlsAccess *a = g_object_get_qdata (G_OBJECT (data), access_quark);
  GstStructure *s;
  gchar *history, *json;
  gboolean known;

  if (a == NULL || a->run == NULL)
    return NULL;
  g_mutex_lock (&a->lock);
  known = flu_http_gate_address (a->allow_list, a->deny_list, client);
  g_mutex_unlock (&a->lock);
  if (!known)
    return NULL;
  s = build_stats (a);
  history = flu_http_stats_history_json (&a->stats);
  json = flu_http_stats_to_json (s, a->run->playlist_path, NULL, history);
  g_free (history);
  gst_structure_free (s);
  return json;
}

/* ---- start / stop ---- */

typedef struct
{
  FluHlsAccess *a;
  GBytes *key;
  gint64 timeout_us;
} StartCall;

static gboolean
start_in_thread (gpointer data)
{
  StartCall *c = data;
  FluHlsAccess *a = c->a;

  a->key = c->key;
  a->sessions = flu_hls_sessions_new (c->timeout_us);
  if (a->member)
    flu_hls_member_set_access (a->member, a);
  a->reaper = g_timeout_source_new (REAP_INTERVAL_MS);
  g_source_set_callback (a->reaper, reap, a, NULL);
  g_source_attach (a->reaper, g_main_context_get_thread_default ());
  a->sighup = flu_http_log_watch_sighup (a->log,
      g_main_context_get_thread_default (), a->element);
  return G_SOURCE_REMOVE;
}

static gboolean
stop_in_thread (gpointer data)
{
  FluHlsAccess *a = data;

  /* the group's next member takes the viewers on (the key is the
   * group's: their tokens stay good) */
  if (a->member)
    flu_hls_member_set_access (a->member, NULL);
  end_sessions (a, TRUE);
  if (a->reaper) {
    g_source_destroy (a->reaper);
    g_clear_pointer (&a->reaper, g_source_unref);
  }
  flu_http_log_unwatch_sighup (&a->sighup);
  g_clear_pointer (&a->sessions, flu_hls_sessions_free);
  g_clear_pointer (&a->key, g_bytes_unref);
  return G_SOURCE_REMOVE;
}

static gboolean
mount_stats (FluHlsAccess * a, FluHttpServer * server, const gchar * path,
    gboolean * mounted, GError ** error)
{
  if (path == NULL || *path == '\0')
    return TRUE;
  *mounted = flu_http_server_add_mount (server, path, handle_stats, a, error);
  return *mounted;
}

/* lock held: what the members of a group must have alike (the token
 * secret as its hash) */
static gchar *
access_summary (FluHlsAccess * a, const Run * r)
{
  gchar *secret = a->token_secret && *a->token_secret ?
      g_compute_checksum_for_string (G_CHECKSUM_SHA256, a->token_secret, -1) :
      NULL;
  gchar *sum = g_strdup_printf ("%s|%s|%s|%s|%s|%u|%u|%" G_GUINT64_FORMAT
      "|%u|%s|%d|%" G_GINT64_FORMAT "|%s|%d|%u",
      GST_STR_NULL (a->htpasswd), GST_STR_NULL (a->realm),
      GST_STR_NULL (secret), GST_STR_NULL (a->allow), GST_STR_NULL (a->deny),
      a->client_limit, a->per_ip, a->bandwidth_limit, a->retry_after,
      GST_STR_NULL (a->access_log), a->mode, r->timeout_s,
      GST_STR_NULL (a->secret_file), a->bind_address, a->max_sessions);

  g_free (secret);
  return sum;
}

gboolean
flu_hls_access_start (FluHlsAccess * a, FluHttpServer * server,
    const gchar * mount_point, const gchar * playlist_path,
    const gchar * cors_origin, guint hold_s, FluHlsMember * member,
    GError ** error)
{
  Run *r = g_new0 (Run, 1);
  GPtrArray *allow = NULL, *deny = NULL, *stats_allow = NULL;
  GHashTable *users = NULL, *stats_users = NULL;
  FluHttpFileStamp stamp = { 0 }, stats_stamp = { 0 };
  gchar *stats_htpasswd, *agreed = NULL;
  guint min_timeout = hold_s + 1;
  StartCall call = { a, NULL, 0 };
  gchar *secret_file, *htpasswd, *log_path;
  FluHlsSessionMode mode;
  gboolean limits;

  g_mutex_lock (&a->lock);
  if (member) {
    /* a session spans the group: tokens (and signed URLs) name it, and
     * the cookie reaches /<group>.m3u8 and every rendition */
    r->mount_point = g_strdup (flu_hls_member_group_path (member));
    r->cookie_name = g_strconcat (FLU_HLS_COOKIE_NAME, "_",
        flu_hls_member_group_name (member), NULL);
    r->cookie_path = g_strdup ("/");
  } else {
    r->mount_point = g_strdup (mount_point);
    r->cookie_name = g_strdup (FLU_HLS_COOKIE_NAME);
    r->cookie_path = g_strdup (mount_point);
  }
  r->playlist_path = g_strdup (playlist_path);
  r->cors_origin = g_strdup (cors_origin);
  r->stats_path = a->stats_path && *a->stats_path ?
      g_strdup (a->stats_path) : NULL;
  r->metrics_path = a->metrics_path && *a->metrics_path ?
      g_strdup (a->metrics_path) : NULL;
  r->realm = g_strdup (a->realm ? a->realm : "");
  r->token_secret = a->token_secret && *a->token_secret ?
      g_strdup (a->token_secret) : NULL;
  r->client_limit = a->client_limit;
  r->per_ip = a->per_ip;
  r->bandwidth_limit = a->bandwidth_limit;
  r->retry_after = a->retry_after;
  r->bind_address = a->bind_address;
  r->timeout_s = a->session_timeout;
  if (r->timeout_s < min_timeout) {
    /* a session must not end while its blocking reload is held */
    GST_WARNING_OBJECT (a->element, "session-timeout %u is not above the "
        "longest blocking reload (%u s): sessions last %u s",
        a->session_timeout, hold_s, min_timeout);
    r->timeout_s = min_timeout;
  }
  r->max_sessions = a->max_sessions;
  r->checks = (a->htpasswd && *a->htpasswd) || r->token_secret;
  limits = a->client_limit || a->per_ip || a->bandwidth_limit;
  mode = a->mode;
  if (mode == FLU_HLS_SESSION_AUTO)
    mode = r->checks || limits || (a->allow && *a->allow) ||
        (a->deny && *a->deny) || (a->access_log && *a->access_log) ||
        (a->secret_file && *a->secret_file) ? FLU_HLS_SESSION_BOTH :
        FLU_HLS_SESSION_OFF;
  r->sessions = mode != FLU_HLS_SESSION_OFF;
  r->in_query = mode == FLU_HLS_SESSION_QUERY || mode == FLU_HLS_SESSION_BOTH;
  r->in_cookie = mode == FLU_HLS_SESSION_COOKIE || mode == FLU_HLS_SESSION_BOTH;
  if (member)
    agreed = access_summary (a, r);
  secret_file = g_strdup (a->secret_file);
  htpasswd = g_strdup (a->htpasswd);
  log_path = g_strdup (a->access_log);
  stats_htpasswd = g_strdup (a->stats_htpasswd);
  if (!(allow = flu_http_cidr_list_parse (a->allow, error)) ||
      !(deny = flu_http_cidr_list_parse (a->deny, error)) ||
      !(stats_allow = flu_http_cidr_list_parse (a->stats_allow, error)))
    goto failed_locked;
  g_mutex_unlock (&a->lock);

  if (htpasswd && *htpasswd &&
      !(users = flu_http_htpasswd_load (htpasswd, &stamp, error)))
    goto failed;
  if (stats_htpasswd && *stats_htpasswd &&
      !(stats_users = flu_http_htpasswd_load (stats_htpasswd, &stats_stamp,
              error)))
    goto failed;
  if (secret_file && *secret_file) {
    if (!(call.key = flu_hls_session_key_load (secret_file, error)))
      goto failed;
  } else {
    call.key = flu_hls_session_key_random ();
  }
  if (member && !flu_hls_member_agree (member, agreed, &call.key, error))
    goto failed;
  if (!flu_http_access_log_open (a->log, log_path && *log_path ? log_path :
          NULL, error))
    goto failed;

  flu_bus_batch_start (a->messages, flu_http_server_get_context (server));
  g_mutex_lock (&a->lock);
  a->server = server;
  a->member = member;
  a->run = r;
  a->users = users;
  a->users_stamp = stamp;
  a->allow_list = allow;
  a->deny_list = deny;
  a->stats_allow_list = stats_allow;
  a->stats_users = stats_users;
  a->stats_users_stamp = stats_stamp;
  a->requests = a->credential_checks = a->bytes_sent = 0;
  g_mutex_unlock (&a->lock);
  flu_http_stats_start (&a->stats);
  call.timeout_us = r->timeout_s * G_USEC_PER_SEC;
  flu_http_server_invoke_sync (server, start_in_thread, &call);
  if (!mount_stats (a, server, r->stats_path, &r->stats_mounted, error) ||
      !mount_stats (a, server, r->metrics_path, &r->metrics_mounted, error)) {
    g_free (secret_file);
    g_free (htpasswd);
    g_free (stats_htpasswd);
    g_free (log_path);
    g_free (agreed);
    flu_hls_access_stop (a);
    return FALSE;
  }
  flu_http_server_set_stream (server, playlist_path, stream_status);
  GST_INFO_OBJECT (a->element, "sessions %s%s%s, credentials %s",
      r->sessions ? "on" : "off", r->in_query ? " (query)" : "",
      r->in_cookie ? " (cookie)" : "", r->checks ? "checked" : "none");
  g_free (secret_file);
  g_free (htpasswd);
  g_free (stats_htpasswd);
  g_free (log_path);
  g_free (agreed);
  return TRUE;

failed_locked:
  g_mutex_unlock (&a->lock);
failed:
  g_clear_pointer (&allow, g_ptr_array_unref);
  g_clear_pointer (&deny, g_ptr_array_unref);
  g_clear_pointer (&stats_allow, g_ptr_array_unref);
  g_clear_pointer (&users, g_hash_table_unref);
  g_clear_pointer (&stats_users, g_hash_table_unref);
  g_clear_pointer (&call.key, g_bytes_unref);
  g_free (secret_file);
  g_free (htpasswd);
  g_free (stats_htpasswd);
  g_free (log_path);
  g_free (agreed);
  run_free (r);
  return FALSE;
}

void
flu_hls_access_stop (FluHlsAccess * a)
{
  FluHttpServer *server;
  Run *r;

  g_mutex_lock (&a->lock);
  server = a->server;
  r = a->run;
  g_mutex_unlock (&a->lock);
  if (server == NULL)
    return;
  if (r->stats_mounted)
    flu_http_server_remove_mount (server, r->stats_path);
  if (r->metrics_mounted)
    flu_http_server_remove_mount (server, r->metrics_path);
  flu_http_server_invoke_sync (server, stop_in_thread, a);
  /* the sessions' end messages of stop_in_thread () go out now */
  flu_bus_batch_stop (a->messages);
  g_mutex_lock (&a->lock);
  a->server = NULL;
  a->member = NULL;
  a->run = NULL;
  g_clear_pointer (&a->users, g_hash_table_unref);
  g_clear_pointer (&a->allow_list, g_ptr_array_unref);
  g_clear_pointer (&a->deny_list, g_ptr_array_unref);
  g_clear_pointer (&a->stats_allow_list, g_ptr_array_unref);
  g_clear_pointer (&a->stats_users, g_hash_table_unref);
  g_mutex_unlock (&a->lock);
  run_free (r);
}

/* ---- the fast path (fluhlssink.c's answers without libsoup) ---- */

gboolean
flu_hls_access_is_public (FluHlsAccess * a)
{
  const Run *r = a->run;
  gboolean open;

  if (r == NULL || a->member || r->sessions || r->checks ||
      r->client_limit || r->per_ip || r->bandwidth_limit)
    return FALSE;
  g_mutex_lock (&a->lock);
  open = (a->allow_list == NULL || a->allow_list->len == 0) &&
      (a->deny_list == NULL || a->deny_list->len == 0) &&
      (a->access_log == NULL || *a->access_log == '\0');
  g_mutex_unlock (&a->lock);
  return open;
}

void
flu_hls_access_count_public (FluHlsAccess * a, guint requests, guint64 bytes)
{
  g_mutex_lock (&a->lock);
  a->requests += requests;
  a->bytes_sent += bytes;
  g_mutex_unlock (&a->lock);
}

/* ---- sessions on the fast path ---- */

gboolean
flu_hls_access_admit_fast (FluHlsAccess * a, GInetAddress * peer,
    GHashTable * query, SoupMessageHeaders * request, gchar ** session)
{
  const Run *r = a->run;
  gchar *host, *cookie = NULL, *id = NULL;
  const gchar *token;
  FluHlsSession *s = NULL;
  gboolean allowed;

  *session = NULL;
  /* a group's sessions are its lead's: libsoup's path */
  if (r == NULL || a->member || !r->sessions || a->sessions == NULL ||
      a->key == NULL || peer == NULL)
    return FALSE;
  /* the address only for tokens bound to it */
  host = r->bind_address ? g_inet_address_to_string (peer) : NULL;
  if (verify_request (a, query, request, host, &token, &cookie,
          &id) == FLU_HLS_TOKEN_OK)
    s = flu_hls_sessions_lookup (a->sessions, id);
  g_free (cookie);
  g_free (host);
  if (s == NULL) {
    /* no token, a bad one, or one of a session not here: libsoup's path
     * answers (and counts) it */
    g_free (id);
    return FALSE;
  }
  g_mutex_lock (&a->lock);
  allowed = flu_http_gate_address (a->allow_list, a->deny_list, peer);
  if (allowed)
    a->requests++;
  g_mutex_unlock (&a->lock);
  if (!allowed) {
    /* the refusal (its log line) is libsoup's path's */
    g_free (id);
    return FALSE;
  }
  flu_hls_sessions_touch (a->sessions, s, g_get_monotonic_time ());
  *session = id;
  return TRUE;
}

GBytes *
flu_hls_access_playlist_fast (FluHlsAccess * a, const gchar * session,
    GInetAddress * peer, SoupMessageHeaders * response, GBytes * playlist,
    FluHlsWindow * window)
{
  gchar *host = peer && a->run && a->run->bind_address ?
      g_inet_address_to_string (peer) : NULL;
  GBytes *out = playlist_for (a, session, host, response, playlist, window);

  g_free (host);
  return out;
}

void
flu_hls_access_fill_headers (FluHlsAccess * a, SoupMessageHeaders * response)
{
  fill_session_headers (a, response);
}

void
flu_hls_access_count_sent (FluHlsAccess * a, const gchar * session,
    guint64 bytes)
{
  count_sent (a, session, bytes);
}
