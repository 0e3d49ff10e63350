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


/**
 * SECTION:element-fluondemand
 * @title: fluondemand
 *
 * Serves the files of a directory (recordings, typically those of
 * pipelines/recorder.sh) under a path prefix of the per-port HTTP server
 * that fluhttpsink and fluhlssink use: Flumotion's http-server beside the
 * live mounts.  An element without pads: it listens from NULL to READY
 * and works alone in a pipeline or beside fluhttpsinks on the same port.
 *
 * GET and HEAD, one byte range per answer (206 with Content-Range; 416
 * when no range is satisfiable; several ranges that overlap or touch are
 * answered as their one span, other multi-range requests get the whole
 * file, 200, as RFC 9110 14.2 allows), Content-Length, Accept-Ranges,
 * Last-Modified and a strong ETag (inode, size, modification time),
 * If-None-Match / If-Modified-Since (304), If-Match / If-Unmodified-Since
 * (412), If-Range, Content-Type by extension, an optional HTML listing of
 * directories, and fluhttpsink's credentials (htpasswd Basic, signed
 * URLs, allow/deny address lists), its access log format and a stats
 * property.
 *
 * Nothing outside the directory is ever served: each path
 * segment is decoded and opened with openat (O_NOFOLLOW) from the
 * directory; ".." and "." segments (also percent-encoded), encoded '/',
 * backslashes and NUL bytes are refused (403), names starting with '.'
 * are not found (404), and symbolic links are never followed, even those
 * that point inside the directory (403).  Files and directories the
 * process may not read are refused (403); hard links are served (they are
 * the file itself); out of file descriptors, a request gets 503.
 *
 * A viewer costs no thread: files are opened, listed and read in chunks
 * of at most 32 KB by a pool of 4 threads shared by every fluondemand of
 * the process, never in the port's server thread, so a slow disk delays
 * only the viewers waiting for it, not the live mounts of the port; the
 * next chunk is read when the client has drained the previous one, so
 * memory per viewer is bounded by one chunk plus libsoup's message and
 * connection: 55 KB measured per viewer that stopped reading
 * (tests/bench/ondemand-viewers.sh).  A directory listing goes out
 * chunked, one piece at a time, each piece made by the pool from one more
 * read of the directory (the smallest names after the last one sent): a
 * listing request holds one piece of at most max (256, N / 16) of the
 * directory's N entries, never the whole page, and the page stays sorted
 * by name (tests/bench/ondemand-listing.sh).  The rate-limit property caps each
 * viewer's rate with a token bucket of burst bytes; a viewer over its
 * rate is paused, and nothing is read for it meanwhile; client-limit and
 * max-clients-per-ip cap the files sent at once, in all and to one
 * address.
 *
 * With porter-socket and porter-secret-file (the server properties of
 * fluhttpsink and fluhlssink) the element serves behind a flu-porter:
 * its mount-point is registered with the porter as a prefix route, and
 * current-port reads the porter's public port once the porter welcomed
 * the server (notified then); a refused secret or a path held by another
 * process is an element warning (details "flu-porter").
 *
 * The mount is listed on the port's status page (the status-path of a
 * fluhttpsink on the port) with its counters; its Prometheus metrics are
 * on its own metrics-path, as each fluhttpsink's are on its own.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 fluondemand port=8800 directory=/srv/recordings
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! vp8enc ! webmmux streamable=true ! \
 *     fluhttpsink port=8800 mount-point=/live.webm \
 *     fluondemand port=8800 mount-point=/recordings/ directory=/srv/recordings
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluondemandpriv.h"
#include "fluhttplogwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

GST_DEBUG_CATEGORY (flu_on_demand_debug);
#define GST_CAT_DEFAULT flu_on_demand_debug

/* Two locks (fluondemandpriv.h): lock, then stats_lock; never the other
 * way round, and in practice never nested. */

#define DEFAULT_MOUNT_POINT "/recordings/"
#define DEFAULT_LISTING TRUE
#define DEFAULT_RATE_LIMIT 0
#define DEFAULT_BURST 0
#define DEFAULT_REALM "fluondemand"

enum
{
  PROP_0,
  PROP_SERVER_FIRST,
  PROP_SERVER_LAST = PROP_SERVER_FIRST + FLU_HTTP_SERVER_N_PROPS - 1,
  PROP_CURRENT_PORT,
  PROP_MOUNT_POINT,
  PROP_DIRECTORY,
  PROP_LISTING,
  PROP_RATE_LIMIT,
  PROP_CLIENT_LIMIT,
  PROP_MAX_CLIENTS_PER_IP,
  PROP_BURST,
  PROP_HTPASSWD,
  PROP_REALM,
  PROP_TOKEN_SECRET,
  PROP_ALLOW,
  PROP_DENY,
  PROP_ACCESS_LOG,
  PROP_STATS_PATH,
  PROP_METRICS_PATH,
  PROP_STATS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define flu_on_demand_parent_class parent_class
G_DEFINE_TYPE (FluOnDemand, flu_on_demand, GST_TYPE_ELEMENT);

/* ---- start / stop ---- */

/* adds stats-path and metrics-path; FALSE if one is taken */
static gboolean
mount_stats_paths (FluOnDemandRun * run, GError ** error)
{
  if (run->stats_path && !flu_http_server_add_mount (run->server,
          run->stats_path, flu_on_demand_handle_stats, run, error)) {
    g_clear_pointer (&run->stats_path, g_free);
    g_clear_pointer (&run->metrics_path, g_free);
    return FALSE;
  }
  if (run->metrics_path && !flu_http_server_add_mount (run->server,
          run->metrics_path, flu_on_demand_handle_stats, run, error)) {
    if (run->stats_path)
      flu_http_server_remove_mount (run->server, run->stats_path);
    g_clear_pointer (&run->stats_path, g_free);
    g_clear_pointer (&run->metrics_path, g_free);
    return FALSE;
  }
  return TRUE;
}


static void
run_free (FluOnDemandRun * run)
{
  if (run->root_fd >= 0)
    close (run->root_fd);
  g_clear_pointer (&run->users, g_hash_table_unref);
  g_clear_pointer (&run->per_ip, g_hash_table_unref);
  g_clear_pointer (&run->allow_list, g_ptr_array_unref);
  g_clear_pointer (&run->deny_list, g_ptr_array_unref);
  if (run->log)
    flu_http_access_log_free (run->log);
  if (run->requests)
    g_hash_table_unref (run->requests);
  g_free (run->prefix);
  g_free (run->bare);
  g_free (run->realm);
  g_free (run->token_secret);
  g_free (run->htpasswd);
  g_free (run->stats_path);
  g_free (run->metrics_path);
  g_free (run);
}

static void
stop_serving (FluOnDemand * self)
{
  FluOnDemandRun *run;

  g_mutex_lock (&self->lock);
  run = g_steal_pointer (&self->run);
  g_mutex_unlock (&self->lock);
  if (run == NULL)
    return;
  flu_http_server_remove_prefix_mount (run->server, run->prefix);
  if (run->bare)
    flu_http_server_remove_mount (run->server, run->bare);
  if (run->stats_path)
    flu_http_server_remove_mount (run->server, run->stats_path);
  if (run->metrics_path)
    flu_http_server_remove_mount (run->server, run->metrics_path);
  flu_http_server_invoke_sync (run->server, flu_on_demand_stop_requests, run);
  flu_http_server_props_unwatch (run->server, run);
  flu_http_server_release (run->server);
  GST_INFO_OBJECT (self, "stopped serving %s", run->prefix);
  run_free (run);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_PORT]);
}

static gboolean
start_serving (FluOnDemand * self)
{
  FluOnDemandRun *run = g_new0 (FluOnDemandRun, 1);
  GError *err = NULL;
  FluHttpServerProps sp;
  gchar *directory;
  gboolean has_log;

  run->self = self;
  run->root_fd = -1;
  run->requests = flu_on_demand_requests_new ();
  run->log = flu_http_access_log_new ();

  g_mutex_lock (&self->lock);
  flu_http_server_props_copy (&sp, &self->server_props);
  directory = g_strdup (self->directory);
  run->prefix = g_strdup (self->mount_point);
  run->listing = self->listing;
  run->rate = self->rate_limit;
  run->client_limit = self->client_limit;
  run->max_per_ip = self->max_clients_per_ip;
  run->per_ip = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->realm = g_strdup (self->realm ? self->realm : DEFAULT_REALM);
  run->token_secret = self->token_secret && *self->token_secret ?
      g_strdup (self->token_secret) : NULL;
  run->htpasswd = self->htpasswd && *self->htpasswd ?
      g_strdup (self->htpasswd) : NULL;
  run->chunk =
      run->rate ? CLAMP (run->rate / 8, FLU_ON_DEMAND_CHUNK_MIN,
      FLU_ON_DEMAND_CHUNK_MAX) : FLU_ON_DEMAND_CHUNK_MAX;
  run->capacity = MAX (self->burst ? self->burst : run->rate, run->chunk);
  run->allow_list = flu_http_cidr_list_parse (self->allow, &err);
  if (run->allow_list)
    run->deny_list = flu_http_cidr_list_parse (self->deny, &err);
  run->stats_path = self->stats_path && *self->stats_path ?
      g_strdup (self->stats_path) : NULL;
  run->metrics_path = self->metrics_path && *self->metrics_path ?
      g_strdup (self->metrics_path) : NULL;
  has_log = self->access_log && *self->access_log;
  if (err == NULL && !flu_http_access_log_open (run->log, self->access_log,
          &err)) {
    g_mutex_unlock (&self->lock);
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("%s", err->message),
        (NULL));
    goto fail;
  }
  g_mutex_unlock (&self->lock);

  if (err) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Bad address list in allow or deny: %s", err->message), (NULL));
    goto fail;
  }
  if (run->prefix == NULL || run->prefix[0] != '/' ||
      !g_str_has_suffix (run->prefix, "/")) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("mount-point must be a path prefix that starts and ends with '/', "
            "not '%s'", GST_STR_NULL (run->prefix)), (NULL));
    goto fail;
  }
  if (directory == NULL || *directory == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("No directory to serve: set the directory property"), (NULL));
    goto fail;
  }
  run->root_fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (run->root_fd < 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Cannot open the directory %s: %s", directory, g_strerror (errno)),
        (NULL));
    goto fail;
  }
  if (run->htpasswd) {
    run->users = flu_http_htpasswd_load (run->htpasswd, &run->users_stamp,
        &err);
    if (run->users == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Cannot read the htpasswd file: %s", err->message), (NULL));
      goto fail;
    }
  }

  run->server = flu_http_server_props_acquire_for (&sp, GST_ELEMENT (self));
  if (run->server == NULL)
    goto fail;
  /* behind a porter: current-port once welcomed, warnings on refusals
   * (the prefix is routed to the porter with the mount) */
  flu_http_server_props_watch (run->server, GST_ELEMENT (self), run,
      properties[PROP_CURRENT_PORT]);
  if (!flu_http_server_add_prefix_mount (run->server, run->prefix,
          flu_on_demand_handle, run, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
        ("give each fluondemand on one port its own mount-point"));
    flu_http_server_props_unwatch (run->server, run);
    flu_http_server_release (run->server);
    goto fail;
  }
  /* "/recordings" redirects to "/recordings/", unless another element
   * serves that path */
  if (strlen (run->prefix) > 1) {
    gchar *bare = g_strndup (run->prefix, strlen (run->prefix) - 1);

    if (flu_http_server_add_mount (run->server, bare, flu_on_demand_handle,
            run, NULL))
      run->bare = bare;
    else
      g_free (bare);
  }
  run->started = g_get_monotonic_time ();
  flu_http_server_set_stream (run->server, run->prefix,
      flu_on_demand_stream_status);
  if (!mount_stats_paths (run, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
        ("give each element on one port its own paths"));
    flu_http_server_remove_prefix_mount (run->server, run->prefix);
    if (run->bare)
      flu_http_server_remove_mount (run->server, run->bare);
    flu_http_server_props_unwatch (run->server, run);
    flu_http_server_release (run->server);
    goto fail;
  }
  if (has_log)
    run->sighup = flu_http_log_watch_sighup (run->log,
        flu_http_server_get_context (run->server), GST_ELEMENT (self));
  g_mutex_lock (&self->lock);
  self->run = run;
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "serving %s under %s on port %u", directory,
      run->prefix, flu_http_server_get_port (run->server));
  flu_http_server_props_clear (&sp);
  g_free (directory);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_PORT]);
  return TRUE;

fail:
  g_clear_error (&err);
  flu_http_server_props_clear (&sp);
  g_free (directory);
  run_free (run);
  return FALSE;
}

static GstStateChangeReturn
flu_on_demand_change_state (GstElement * element, GstStateChange transition)
{
  return flu_http_server_change_state (element, transition,
      GST_ELEMENT_CLASS (parent_class), (FluHttpServeStartFunc) start_serving,
      (FluHttpServeStopFunc) stop_serving);
}

/* ---- GObject ---- */

GstStructure *
flu_on_demand_stats (FluOnDemand * self)
{
  FluOnDemandCounters c;

  g_mutex_lock (&self->stats_lock);
  c = self->counters;
  g_mutex_unlock (&self->stats_lock);
  return gst_structure_new ("fluondemand-stats",
      "requests", G_TYPE_UINT64, c.requests,
      "ok", G_TYPE_UINT64, c.ok,
      "partial", G_TYPE_UINT64, c.partial,
      "not-modified", G_TYPE_UINT64, c.not_modified,
      "refused", G_TYPE_UINT64, c.refused,
      "bytes-sent", G_TYPE_UINT64, c.bytes,
      "rate-waits", G_TYPE_UINT64, c.rate_waits,
      "viewers", G_TYPE_UINT, c.viewers,
      "peak-viewers", G_TYPE_UINT, c.peak, NULL);
}

static void
set_string (FluOnDemand * self, gchar ** field, const GValue * value)
{
  g_mutex_lock (&self->lock);
  g_free (*field);
  *field = g_value_dup_string (value);
  g_mutex_unlock (&self->lock);
}

static void
flu_on_demand_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluOnDemand *self = FLU_ON_DEMAND (object);
  gboolean done;

  g_mutex_lock (&self->lock);
  done = flu_http_server_props_set (&self->server_props, PROP_SERVER_FIRST,
      prop_id, value);
  g_mutex_unlock (&self->lock);
  if (done)
    return;
  switch (prop_id) {
    case PROP_MOUNT_POINT:
      set_string (self, &self->mount_point, value);
      break;
    case PROP_DIRECTORY:
      set_string (self, &self->directory, value);
      break;
    case PROP_LISTING:
      g_mutex_lock (&self->lock);
      self->listing = g_value_get_boolean (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_CLIENT_LIMIT:
      g_mutex_lock (&self->lock);
      self->client_limit = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_MAX_CLIENTS_PER_IP:
      g_mutex_lock (&self->lock);
      self->max_clients_per_ip = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_RATE_LIMIT:
      g_mutex_lock (&self->lock);
      self->rate_limit = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_BURST:
      g_mutex_lock (&self->lock);
      self->burst = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_HTPASSWD:
      set_string (self, &self->htpasswd, value);
      break;
    case PROP_REALM:
      set_string (self, &self->realm, value);
      break;
    case PROP_TOKEN_SECRET:
      set_string (self, &self->token_secret, value);
      break;
    case PROP_ALLOW:
      set_string (self, &self->allow, value);
      break;
    case PROP_DENY:
      set_string (self, &self->deny, value);
      break;
    case PROP_ACCESS_LOG:
      set_string (self, &self->access_log, value);
      break;
    case PROP_STATS_PATH:
      set_string (self, &self->stats_path, value);
      break;
    case PROP_METRICS_PATH:
      set_string (self, &self->metrics_path, value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
flu_on_demand_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FluOnDemand *self = FLU_ON_DEMAND (object);

  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, flu_on_demand_stats (self));
    return;
  }
  g_mutex_lock (&self->lock);
  if (flu_http_server_props_get (&self->server_props, PROP_SERVER_FIRST,
          prop_id, value)) {
    g_mutex_unlock (&self->lock);
    return;
  }
  switch (prop_id) {
    case PROP_CURRENT_PORT:
      g_value_set_int (value, self->run ?
          (gint) flu_http_server_get_port (self->run->server) : -1);
      break;
    case PROP_MOUNT_POINT:
      g_value_set_string (value, self->mount_point);
      break;
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;
    case PROP_LISTING:
      g_value_set_boolean (value, self->listing);
      break;
    case PROP_RATE_LIMIT:
      g_value_set_uint64 (value, self->rate_limit);
      break;
    case PROP_CLIENT_LIMIT:
      g_value_set_uint (value, self->client_limit);
      break;
    case PROP_MAX_CLIENTS_PER_IP:
      g_value_set_uint (value, self->max_clients_per_ip);
      break;
    case PROP_BURST:
      g_value_set_uint64 (value, self->burst);
      break;
    case PROP_HTPASSWD:
      g_value_set_string (value, self->htpasswd);
      break;
    case PROP_REALM:
      g_value_set_string (value, self->realm);
      break;
    case PROP_TOKEN_SECRET:
      /* write-only: never read back */
      break;
    case PROP_ALLOW:
      g_value_set_string (value, self->allow);
      break;
    case PROP_DENY:
      g_value_set_string (value, self->deny);
      break;
    case PROP_ACCESS_LOG:
      g_value_set_string (value, self->access_log);
      break;
    case PROP_STATS_PATH:
      g_value_set_string (value, self->stats_path);
      break;
    case PROP_METRICS_PATH:
      g_value_set_string (value, self->metrics_path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
flu_on_demand_finalize (GObject * object)
{
  FluOnDemand *self = FLU_ON_DEMAND (object);

  stop_serving (self);
  flu_http_server_props_clear (&self->server_props);
  g_free (self->mount_point);
  g_free (self->directory);
  g_free (self->htpasswd);
  g_free (self->realm);
  g_free (self->token_secret);
  g_free (self->allow);
  g_free (self->deny);
  g_free (self->access_log);
  g_free (self->stats_path);
  g_free (self->metrics_path);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->stats_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

#define RW_READY (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_READY)

static void
flu_on_demand_class_init (FluOnDemandClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  guint i;

  GST_DEBUG_CATEGORY_INIT (flu_on_demand_debug, "fluondemand", 0,
      "gst-flumotion on-demand file server");

  gobject_class->set_property = flu_on_demand_set_property;
  gobject_class->get_property = flu_on_demand_get_property;
  gobject_class->finalize = flu_on_demand_finalize;
  element_class->change_state = flu_on_demand_change_state;

  properties[PROP_CURRENT_PORT] = g_param_spec_int ("current-port",
      "Current port", "The port actually listened on, or behind "
      "porter-socket the porter's public port (0 until the porter "
      "welcomed the server, notified then; -1 = not serving)",
      -1, 65535, -1, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MOUNT_POINT] = g_param_spec_string ("mount-point",
      "Mount point", "Path prefix the directory is served under, starting "
      "and ending with '/' (exact mounts of other elements take precedence, "
      "the longest prefix wins); the prefix without its last '/' redirects "
      "to it", DEFAULT_MOUNT_POINT, RW_READY);
  properties[PROP_DIRECTORY] = g_param_spec_string ("directory", "Directory",
      "Directory whose files are served; nothing outside it is reachable "
      "(no '..', no symbolic links, no names starting with '.')", NULL,
      RW_READY);
  properties[PROP_LISTING] = g_param_spec_boolean ("listing", "Listing",
      "Answer a directory's path (ending in '/') with an HTML list of its "
      "files and subdirectories (else 403)", DEFAULT_LISTING, RW_READY);
  properties[PROP_CLIENT_LIMIT] = g_param_spec_uint ("client-limit",
      "Client limit", "Files sent at once at most (0 = no limit); a GET "
      "beyond gets 503 with Retry-After (HEAD, 304 and listings do not "
      "count)", 0, G_MAXUINT, 0, RW_READY);
  properties[PROP_MAX_CLIENTS_PER_IP] =
      g_param_spec_uint ("max-clients-per-ip", "Max clients per IP",
      "Files sent at once to one address (0 = no limit); a GET beyond gets "
      "429 with Retry-After (HEAD, 304 and listings do not count)", 0,
      G_MAXUINT, 0, RW_READY);
  properties[PROP_RATE_LIMIT] = g_param_spec_uint64 ("rate-limit",
      "Rate limit", "Bytes per second each viewer gets at most (token "
      "bucket; 0 = no limit)", 0, G_MAXUINT64, DEFAULT_RATE_LIMIT, RW_READY);
  properties[PROP_BURST] = g_param_spec_uint64 ("burst", "Burst",
      "Bytes a rate-limited viewer may get at full speed, at its start and "
      "after a pause (the token bucket's size; 0 = one second of "
      "rate-limit)", 0, G_MAXUINT64, DEFAULT_BURST, RW_READY);
  properties[PROP_HTPASSWD] = g_param_spec_string ("htpasswd", "htpasswd",
      "Apache htpasswd file (bcrypt, SHA-crypt or {SHA}) for HTTP Basic "
      "authentication of every request (NULL = none); re-read when it "
      "changes", NULL, RW_READY);
  properties[PROP_REALM] = g_param_spec_string ("realm", "Realm",
      "Realm of the Basic authentication challenge", DEFAULT_REALM, RW_READY);
  properties[PROP_TOKEN_SECRET] = g_param_spec_string ("token-secret",
      "Token secret", "When set, every request needs a signed URL: "
      "?expires=<unix time>&token=<hex HMAC-SHA256(secret, \"<path>:<expires>\")>"
      ", <path> being the file's path as requested (percent-encoded), as "
      "fluhttpsink signs its mount point (write-only)", NULL,
      G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  properties[PROP_ALLOW] = g_param_spec_string ("allow", "Allow",
      "Comma-separated addresses or CIDR networks allowed to read (NULL = "
      "all)", NULL, RW_READY);
  properties[PROP_DENY] = g_param_spec_string ("deny", "Deny",
      "Comma-separated addresses or CIDR networks refused (403), before "
      "allow", NULL, RW_READY);
  properties[PROP_ACCESS_LOG] = g_param_spec_string ("access-log",
      "Access log", "File to append one Apache combined log line (plus "
      "seconds connected) per request to; reopened on SIGHUP and at start",
      NULL, RW_READY);
  properties[PROP_STATS_PATH] = g_param_spec_string ("stats-path",
      "Stats path", "Exact path answering the stats property as a JSON "
      "object (NULL or empty = none), e.g. /stats-recordings.json; behind "
      "allow, deny and htpasswd, not token-secret", NULL, RW_READY);
  properties[PROP_METRICS_PATH] = g_param_spec_string ("metrics-path",
      "Metrics path", "Exact path answering the stats property as "
      "Prometheus metrics (fluondemand_*{mount=\"...\"}; NULL or empty = "
      "none); behind allow, deny and htpasswd, not token-secret", NULL,
      RW_READY);
  properties[PROP_STATS] = g_param_spec_boxed ("stats", "Statistics",
      "Counters since the element was created: requests, ok (200), partial "
      "(206), not-modified (304), refused (4xx/5xx), bytes-sent, "
      "rate-waits, viewers (bodies being sent now), peak-viewers",
      GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* address, port, header-timeout, porter-socket, porter-secret-file:
   * those of fluhttpsink and fluhlssink (fluhttpserverprops.c) */
  flu_http_server_props_install (gobject_class, PROP_SERVER_FIRST);
  for (i = PROP_CURRENT_PORT; i < N_PROPS; i++)
    g_object_class_install_property (gobject_class, i, properties[i]);

  gst_element_class_set_static_metadata (element_class,
      "On-demand HTTP file server", "Source/Network",
      "Serves the files of a directory (recordings) with ranges, validators, "
      "listing, credentials and a per-viewer rate limit, on the HTTP port "
      "it shares with fluhttpsink and fluhlssink", "gst-flumotion developers");
}

static void
flu_on_demand_init (FluOnDemand * self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->stats_lock);
  flu_http_server_props_init (&self->server_props);
  self->mount_point = g_strdup (DEFAULT_MOUNT_POINT);
  self->listing = DEFAULT_LISTING;
  self->rate_limit = DEFAULT_RATE_LIMIT;
  self->burst = DEFAULT_BURST;
  self->realm = g_strdup (DEFAULT_REALM);
}
