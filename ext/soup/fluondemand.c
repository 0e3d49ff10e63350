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
 * that point inside the directory (403).
 *
 * A viewer costs no thread: the file is read in chunks of at most 32 KB
 * (pread, in the server thread) as the client drains the previous one,
 * so memory per viewer is bounded by one chunk plus libsoup's message
 * and connection: 55 KB measured per viewer that stopped reading
 * (tests/bench/ondemand-viewers.sh).  The rate-limit property caps each
 * viewer's rate with a token bucket of burst bytes; a viewer over its
 * rate is paused, and nothing is read for it meanwhile.
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

#include "fluondemand.h"
#include "fluhttpserver.h"
#include "fluhttpauth.h"
#include "fluhttpfiles.h"
#include "fluhttplog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

GST_DEBUG_CATEGORY_STATIC (flu_on_demand_debug);
#define GST_CAT_DEFAULT flu_on_demand_debug

/* Locking.  lock guards the properties and the running Run pointer
 * (set and cleared in the state changes).  stats_lock guards the
 * counters.  Order: lock, then stats_lock (never taken the other way;
 * in practice never nested).  A Run is immutable while the prefix is
 * mounted, except its requests table, users and log, which only the
 * server thread touches (the log has its own lock).  Password hashing
 * and file reads run in the server thread with no lock of ours held. */

#define DEFAULT_PORT 8800
#define DEFAULT_MOUNT_POINT "/recordings/"
#define DEFAULT_LISTING TRUE
#define DEFAULT_RATE_LIMIT 0
#define DEFAULT_BURST 0
#define DEFAULT_HEADER_TIMEOUT 10
#define DEFAULT_REALM "fluondemand"
#define DEFAULT_MAX_LISTING 10000

/* bytes read from the file and handed to libsoup at once: the memory
 * a viewer holds (16 KB: 39 KB per stalled viewer, 32 KB: 55 KB, 64 KB:
 * 87 KB, tests/bench/ondemand-viewers.sh; one download ran at 1 GB/s and
 * more with each) */
#define CHUNK_MAX (32 * 1024)
#define CHUNK_MIN 4096

enum
{
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_CURRENT_PORT,
  PROP_MOUNT_POINT,
  PROP_DIRECTORY,
  PROP_LISTING,
  PROP_RATE_LIMIT,
  PROP_BURST,
  PROP_HEADER_TIMEOUT,
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
} Counters;

typedef struct _Run Run;

struct _FluOnDemand
{
  GstElement parent;

  GMutex lock;
  /* properties */
  gchar *address;
  guint port;
  gchar *mount_point;
  gchar *directory;
  gboolean listing;
  guint64 rate_limit;
  guint64 burst;
  guint header_timeout;
  gchar *htpasswd;
  gchar *realm;
  gchar *token_secret;
  gchar *allow;
  gchar *deny;
  gchar *access_log;
  gchar *stats_path;
  gchar *metrics_path;

  /* running */
  Run *run;

  GMutex stats_lock;
  Counters counters;
};

/* What the server thread reads while the prefix is mounted: a copy of
 * the settings taken at start, and the state of the requests. */
struct _Run
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
};

/* One request, from the handler to "finished" (server thread). */
typedef struct
{
  Run *run;
  SoupServerMessage *msg;
  gulong finished_id, data_id, chunk_id;
  gchar *host;
  gchar *user;
  gchar *target;
  gint64 start_wall;
  gint64 start_mono;
  guint status;
  guint64 sent;
  /* a body being sent */
  gboolean streaming;
  gint fd;
  guint64 offset;
  guint64 remaining;
  gdouble tokens;
  gint64 refilled;              /* monotonic us */
  GSource *wait;
} Request;

#define flu_on_demand_parent_class parent_class
G_DEFINE_TYPE (FluOnDemand, flu_on_demand, GST_TYPE_ELEMENT);

static void
count (FluOnDemand * self, guint64 * field, guint64 n)
{
  g_mutex_lock (&self->stats_lock);
  *field += n;
  g_mutex_unlock (&self->stats_lock);
}

/* ---- requests ---- */

static void
request_free (Request * r)
{
  if (r->finished_id)
    g_signal_handler_disconnect (r->msg, r->finished_id);
  if (r->data_id)
    g_signal_handler_disconnect (r->msg, r->data_id);
  if (r->chunk_id)
    g_signal_handler_disconnect (r->msg, r->chunk_id);
  if (r->wait) {
    g_source_destroy (r->wait);
    g_source_unref (r->wait);
  }
  if (r->fd >= 0)
    close (r->fd);
  g_object_unref (r->msg);
  g_free (r->host);
  g_free (r->user);
  g_free (r->target);
  g_free (r);
}

/* the request is over (answered, or its client left, or the element
 * stops): its access-log line and counters */
static void
request_done (Request * r)
{
  Run *run = r->run;
  FluOnDemand *self = run->self;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (r->msg);
  FluHttpLogEntry e = { 0 };

  e.host = r->host;
  e.user = r->user;
  e.method = soup_server_message_get_method (r->msg);
  e.path = r->target;
  e.protocol = soup_server_message_get_http_version (r->msg) ==
      SOUP_HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
  e.status = r->status;
  e.bytes = r->sent;
  e.referer = soup_message_headers_get_one (h, "Referer");
  e.user_agent = soup_message_headers_get_one (h, "User-Agent");
  e.start_time = r->start_wall;
  e.seconds = (g_get_monotonic_time () - r->start_mono) / G_USEC_PER_SEC;
  flu_http_access_log_write (run->log, &e);
  if (r->streaming) {
    g_mutex_lock (&self->stats_lock);
    self->counters.viewers--;
    g_mutex_unlock (&self->stats_lock);
  }
  GST_DEBUG_OBJECT (self, "%s %s from %s: %u, %" G_GUINT64_FORMAT " bytes",
      e.method, r->target, r->host, r->status, r->sent);
  g_hash_table_remove (run->requests, r);
}

static void
request_finished (SoupServerMessage * msg, gpointer data)
{
  request_done (data);
}

static void
wrote_body_data (SoupServerMessage * msg, guint n, gpointer data)
{
  Request *r = data;

  r->sent += n;
  count (r->run->self, &r->run->self->counters.bytes, n);
}

/* ends a body that cannot go on (the file shrank, a read failed): the
 * client sees the connection close before Content-Length */
static void
request_abort (Request * r)
{
  GSocket *sock = flu_http_server_message_get_socket (r->msg);

  if (sock)
    g_socket_shutdown (sock, TRUE, TRUE, NULL);
  r->remaining = 0;
  soup_message_body_complete (soup_server_message_get_response_body (r->msg));
}

static gboolean pump (Request * r);

static gboolean
wait_done (gpointer data)
{
  Request *r = data;

  g_clear_pointer (&r->wait, g_source_unref);
  if (pump (r))
    soup_server_message_unpause (r->msg);
  return G_SOURCE_REMOVE;
}

/* Hands the next chunk of the file to libsoup, if the viewer's bucket
 * has the tokens for it; else waits for them (libsoup pauses the
 * message while it has no chunk).  TRUE when a chunk (or the end) went
 * to libsoup. */
static gboolean
pump (Request * r)
{
  Run *run = r->run;
  SoupMessageBody *body = soup_server_message_get_response_body (r->msg);
  gsize n;
  gssize got;
  gchar *buf;

  if (r->remaining == 0) {
    soup_message_body_complete (body);
    return TRUE;
  }
  n = MIN (r->remaining, run->chunk);
  if (run->rate) {
    gint64 now = g_get_monotonic_time ();

    r->tokens = MIN ((gdouble) run->capacity, r->tokens +
        (now - r->refilled) * (gdouble) run->rate / G_USEC_PER_SEC);
    r->refilled = now;
    if (r->tokens < n) {
      guint ms = (guint) ((n - r->tokens) * 1000 / run->rate) + 1;

      count (run->self, &run->self->counters.rate_waits, 1);
      r->wait = g_timeout_source_new (ms);
      g_source_set_callback (r->wait, wait_done, r, NULL);
      g_source_attach (r->wait, flu_http_server_get_context (run->server));
      return FALSE;
    }
    r->tokens -= n;
  }
  buf = g_malloc (n);
  do
    got = pread (r->fd, buf, n, r->offset);
  while (got < 0 && errno == EINTR);
  if (got <= 0) {
    GST_WARNING_OBJECT (run->self, "%s: %s at byte %" G_GUINT64_FORMAT
        ", closing the connection", r->target, got < 0 ? g_strerror (errno) :
        "the file got shorter", r->offset);
    g_free (buf);
    request_abort (r);
    return TRUE;
  }
  r->offset += got;
  r->remaining -= got;
  soup_message_body_append (body, SOUP_MEMORY_TAKE, buf, got);
  return TRUE;
}

static void
wrote_chunk (SoupServerMessage * msg, gpointer data)
{
  Request *r = data;

  if (r->wait == NULL)
    pump (r);
}

/* ---- answers ---- */

static void
respond (Request * r, guint status, const gchar * why)
{
  r->status = status;
  flu_http_server_respond (r->msg, status, why);
}

/* 401, 403 or SOUP_STATUS_NONE: the address lists, then the user, then
 * the signed URL (server thread, no lock: the Run is immutable but for
 * users, which only this thread changes) */
static guint
check_access (Run * run, Request * r, const gchar * path, GHashTable * query,
    gboolean token, const gchar ** why)
{
  GInetAddress *addr = NULL;
  GSocketAddress *sa = soup_server_message_get_remote_address (r->msg);
  gboolean ok;

  if (sa && G_IS_INET_SOCKET_ADDRESS (sa))
    addr = flu_http_address_normalize (g_inet_socket_address_get_address
        (G_INET_SOCKET_ADDRESS (sa)));
  ok = addr && !flu_http_cidr_list_match (run->deny_list, addr) &&
      (run->allow_list == NULL || run->allow_list->len == 0 ||
      flu_http_cidr_list_match (run->allow_list, addr));
  g_clear_object (&addr);
  if (!ok) {
    *why = "address not allowed";
    return SOUP_STATUS_FORBIDDEN;
  }
  if (run->htpasswd) {
    const gchar *auth =
        soup_message_headers_get_one (soup_server_message_get_request_headers
        (r->msg), "Authorization");
    gchar *u = NULL, *p = NULL;
    FluHttpFileStamp now = run->users_stamp;

    /* an edited or replaced file is read again */
    if (flu_http_file_stamp_changed (run->htpasswd, &now)) {
      GError *err = NULL;
      GHashTable *fresh = flu_http_htpasswd_load (run->htpasswd, &now, &err);

      if (fresh) {
        g_clear_pointer (&run->users, g_hash_table_unref);
        run->users = fresh;
      } else {
        GST_WARNING_OBJECT (run->self, "cannot re-read %s, keeping the old "
            "users: %s", run->htpasswd, err->message);
        g_error_free (err);
      }
      run->users_stamp = now;
    }
    if (!flu_http_parse_basic_auth (auth, &u, &p)) {
      *why = "credentials required";
      return SOUP_STATUS_UNAUTHORIZED;
    }
    ok = flu_http_htpasswd_check (run->users, u, p);
    g_free (p);
    r->user = u;
    if (!ok) {
      *why = "wrong user or password";
      return SOUP_STATUS_UNAUTHORIZED;
    }
  }
  if (run->token_secret && token) {
    const gchar *sig = query ? g_hash_table_lookup (query, "token") : NULL;
    const gchar *expires = query ? g_hash_table_lookup (query, "expires") :
        NULL;

    /* signed for the path asked for, percent-encoded (as handle () has it) */
    if (!flu_http_token_check (run->token_secret, path, sig, expires,
            g_get_real_time () / G_USEC_PER_SEC)) {
      *why = sig ? "invalid or expired token" : "token required";
      return SOUP_STATUS_FORBIDDEN;
    }
  }
  return SOUP_STATUS_NONE;
}

static void
redirect_slash (Request * r, const gchar * path)
{
  GUri *uri = soup_server_message_get_uri (r->msg);
  const gchar *q = g_uri_get_query (uri);
  gchar *to = g_strdup_printf ("%s/%s%s", path, q ? "?" : "", q ? q : "");

  respond (r, SOUP_STATUS_MOVED_PERMANENTLY, "a directory: its path ends "
      "in '/'");
  soup_message_headers_replace (soup_server_message_get_response_headers
      (r->msg), "Location", to);
  g_free (to);
}

static void
answer_listing (Run * run, Request * r, gint fd, const gchar * path)
{
  gchar *html;

  if (!run->listing) {
    respond (r, SOUP_STATUS_FORBIDDEN, "directory listing is off");
    return;
  }
  html = flu_http_files_listing (fd, path, DEFAULT_MAX_LISTING);
  r->status = SOUP_STATUS_OK;
  flu_http_server_set_common_headers (r->msg);
  soup_server_message_set_status (r->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (r->msg, "text/html; charset=utf-8",
      SOUP_MEMORY_TAKE, html, strlen (html));
}

/* a regular file: validators, preconditions, range, then the body */
static void
answer_file (Run * run, Request * r, gint fd, const struct stat *st,
    const gchar * path)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (r->msg);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (r->msg);
  gchar *etag = flu_http_files_etag (st);
  gint64 mtime = flu_http_files_mtime (st);
  GDateTime *dt = g_date_time_new_from_unix_utc (mtime);
  gchar *modified = soup_date_time_to_string (dt, SOUP_DATE_HTTP);
  guint64 size = st->st_size, start = 0, end = size ? size - 1 : 0;
  gboolean use_range = FALSE;
  FluHttpRange range = FLU_HTTP_RANGE_NONE;
  guint status;
  Counters *c = &run->self->counters;

  g_date_time_unref (dt);
  status = flu_http_files_preconditions (req, etag, mtime, &use_range);
  if (status == SOUP_STATUS_PRECONDITION_FAILED) {
    respond (r, status, "the file does not match the request's condition");
    goto out;
  }
  flu_http_server_set_common_headers (r->msg);
  soup_message_headers_replace (h, "ETag", etag);
  soup_message_headers_replace (h, "Last-Modified", modified);
  soup_message_headers_replace (h, "Accept-Ranges", "bytes");
  if (status == SOUP_STATUS_NOT_MODIFIED) {
    r->status = status;
    count (run->self, &c->not_modified, 1);
    soup_server_message_set_status (r->msg, status, NULL);
    goto out;
  }
  if (use_range)
    range = flu_http_range_parse (soup_message_headers_get_one (req,
            "Range"), size, &start, &end);
  if (range == FLU_HTTP_RANGE_UNSATISFIABLE) {
    gchar *cr = g_strdup_printf ("bytes */%" G_GUINT64_FORMAT, size);

    respond (r, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE,
        "no requested range is inside the file");
    soup_message_headers_replace (h, "Content-Range", cr);
    soup_message_headers_replace (h, "ETag", etag);
    soup_message_headers_replace (h, "Last-Modified", modified);
    soup_message_headers_replace (h, "Accept-Ranges", "bytes");
    g_free (cr);
    count (run->self, &c->refused, 1);
    goto out;
  }
  soup_message_headers_set_content_type (h, flu_http_files_mime (path), NULL);
  if (range == FLU_HTTP_RANGE_PARTIAL) {
    r->status = SOUP_STATUS_PARTIAL_CONTENT;
    soup_message_headers_set_content_range (h, start, end, size);
    count (run->self, &c->partial, 1);
  } else {
    r->status = SOUP_STATUS_OK;
    start = 0;
    count (run->self, &c->ok, 1);
  }
  soup_server_message_set_status (r->msg, r->status, NULL);
  r->remaining = size ? end - start + 1 : 0;
  soup_message_headers_set_content_length (h, r->remaining);
  if (soup_server_message_get_method (r->msg) == SOUP_METHOD_HEAD ||
      r->remaining == 0)
    goto out;

  /* the body, chunk by chunk as the client takes it */
  r->streaming = TRUE;
  r->fd = fd;
  fd = -1;
  r->offset = start;
  r->tokens = run->capacity;
  r->refilled = g_get_monotonic_time ();
  g_mutex_lock (&run->self->stats_lock);
  c->viewers++;
  c->peak = MAX (c->peak, c->viewers);
  g_mutex_unlock (&run->self->stats_lock);
  soup_message_body_set_accumulate (soup_server_message_get_response_body
      (r->msg), FALSE);
  r->chunk_id = g_signal_connect (r->msg, "wrote-chunk",
      G_CALLBACK (wrote_chunk), r);
  pump (r);

out:
  if (fd >= 0)
    close (fd);
  g_free (modified);
  g_free (etag);
}

static void
handle (FluHttpServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  Run *run = data;
  FluOnDemand *self = run->self;
  Request *r = g_new0 (Request, 1);
  const gchar *method = soup_server_message_get_method (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *q = g_uri_get_query (uri);
  gchar *redacted = q ? flu_http_query_redact (q) : NULL;
  GSocketAddress *sa = soup_server_message_get_remote_address (msg);
  const gchar *why = NULL;
  struct stat st;
  guint status;
  gint fd = -1;
  gchar *encoded = NULL;

  /* libsoup decodes the path (and refuses NUL bytes and ".." segments
   * it would make, 400); the resolver takes it encoded again, every
   * byte but unreserved ones and '/', so a '%' in a name stays one */
  path = encoded = g_uri_escape_string (path, "/", FALSE);

  r->run = run;
  r->msg = g_object_ref (msg);
  r->fd = -1;
  r->start_wall = g_get_real_time ();
  r->start_mono = g_get_monotonic_time ();
  r->target = g_strdup_printf ("%s%s%s", path, q ? "?" : "", q ? redacted : "");
  g_free (redacted);
  if (sa && G_IS_INET_SOCKET_ADDRESS (sa)) {
    GInetAddress *a = flu_http_address_normalize
        (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa)));

    r->host = g_inet_address_to_string (a);
    g_object_unref (a);
  } else {
    r->host = g_strdup ("-");
  }
  g_hash_table_add (run->requests, r);
  r->finished_id = g_signal_connect (msg, "finished",
      G_CALLBACK (request_finished), r);
  r->data_id = g_signal_connect (msg, "wrote-body-data",
      G_CALLBACK (wrote_body_data), r);
  count (self, &self->counters.requests, 1);

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    respond (r, SOUP_STATUS_METHOD_NOT_ALLOWED, "GET and HEAD only");
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", "GET, HEAD");
    goto refused;
  }
  status = check_access (run, r, path, query, TRUE, &why);
  if (status != SOUP_STATUS_NONE) {
    respond (r, status, why);
    if (status == SOUP_STATUS_UNAUTHORIZED) {
      gchar *challenge = g_strdup_printf ("Basic realm=\"%s\", "
          "charset=\"UTF-8\"", run->realm);

      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), "WWW-Authenticate", challenge);
      g_free (challenge);
    }
    goto refused;
  }
  if (run->bare && g_str_equal (path, run->bare)) {
    redirect_slash (r, path);
    goto out;
  }
  if (!g_str_has_prefix (path, run->prefix)) {
    why = "not found";
    respond (r, SOUP_STATUS_NOT_FOUND, why);
    goto refused;
  }
  status = flu_http_files_open (run->root_fd, path + strlen (run->prefix),
      &fd, &st, &why);
  if (status != SOUP_STATUS_NONE) {
    respond (r, status, why);
    goto refused;
  }
  if (S_ISDIR (st.st_mode)) {
    if (!g_str_has_suffix (path, "/"))
      redirect_slash (r, path);
    else
      answer_listing (run, r, fd, path);
    close (fd);
    goto out;
  }
  answer_file (run, r, fd, &st, path);
  goto out;

refused:
  GST_INFO_OBJECT (self, "%s %s from %s: %u (%s)", method, r->target,
      r->host, r->status, GST_STR_NULL (why));
  count (self, &self->counters.refused, 1);
out:
  g_free (encoded);
}

/* ---- statistics over HTTP ---- */

static GstStructure *stats_structure (FluOnDemand * self);

/* @text as a JSON string or a Prometheus label value (both escape '\\',
 * '"' and newlines; JSON also other control bytes) */
static void
append_quoted (GString * out, const gchar * text, gboolean json)
{
  const gchar *p;

  g_string_append_c (out, '"');
  for (p = text; *p; p++) {
    if (*p == '\\' || *p == '"')
      g_string_append_printf (out, "\\%c", *p);
    else if (*p == '\n')
      g_string_append (out, "\\n");
    else if (json && (guchar) * p < 0x20)
      g_string_append_printf (out, "\\u%04x", (guchar) * p);
    else
      g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
}

static gchar *
stats_text (GstStructure * s, const gchar * mount, gboolean json)
{
  GString *out = g_string_new (json ? "{\"mount\": " : NULL);
  GString *label = g_string_new (NULL);
  gint i, n = gst_structure_n_fields (s);

  if (json)
    append_quoted (out, mount, TRUE);
  append_quoted (label, mount, FALSE);
  for (i = 0; i < n; i++) {
    const gchar *name = gst_structure_nth_field_name (s, i);
    const GValue *v = gst_structure_get_value (s, name);
    guint64 value = G_VALUE_HOLDS_UINT64 (v) ? g_value_get_uint64 (v) :
        g_value_get_uint (v);
    gboolean gauge = g_str_has_suffix (name, "viewers");
    gchar *metric = g_strdelimit (g_strdup (name), "-", '_');

    if (json) {
      g_string_append_printf (out, ", \"%s\": %" G_GUINT64_FORMAT, name, value);
    } else {
      g_string_append_printf (out, "# TYPE fluondemand_%s%s %s\n"
          "fluondemand_%s%s{mount=%s} %" G_GUINT64_FORMAT "\n", metric,
          gauge ? "" : "_total", gauge ? "gauge" : "counter", metric,
          gauge ? "" : "_total", label->str, value);
    }
    g_free (metric);
  }
  if (json)
    g_string_append (out, "}\n");
  g_string_free (label, TRUE);
  return g_string_free (out, FALSE);
}

/* stats-path and metrics-path: the same address lists and users as the
 * files (a scraper has no signed URL) */
static void
handle_stats (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  Run *run = data;
  gboolean json = run->stats_path && g_str_equal (path, run->stats_path);
  Request r = { run, msg };
  const gchar *why = NULL;
  guint status = check_access (run, &r, path, NULL, FALSE, &why);
  GstStructure *s;
  gchar *text;

  g_free (r.user);
  if (status != SOUP_STATUS_NONE) {
    flu_http_server_respond (msg, status, why);
    if (status == SOUP_STATUS_UNAUTHORIZED) {
      gchar *challenge = g_strdup_printf ("Basic realm=\"%s\", "
          "charset=\"UTF-8\"", run->realm);

      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), "WWW-Authenticate", challenge);
      g_free (challenge);
    }
    return;
  }
  s = stats_structure (run->self);
  text = stats_text (s, run->prefix, json);
  gst_structure_free (s);
  flu_http_server_set_common_headers (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, json ? "application/json" :
      "text/plain; version=0.0.4; charset=utf-8", SOUP_MEMORY_TAKE, text,
      strlen (text));
}

/* adds stats-path and metrics-path; FALSE if one is taken */
static gboolean
mount_stats_paths (Run * run, GError ** error)
{
  if (run->stats_path && !flu_http_server_add_mount (run->server,
          run->stats_path, handle_stats, run, error)) {
    g_clear_pointer (&run->stats_path, g_free);
    g_clear_pointer (&run->metrics_path, g_free);
    return FALSE;
  }
  if (run->metrics_path && !flu_http_server_add_mount (run->server,
          run->metrics_path, handle_stats, run, error)) {
    if (run->stats_path)
      flu_http_server_remove_mount (run->server, run->stats_path);
    g_clear_pointer (&run->stats_path, g_free);
    g_clear_pointer (&run->metrics_path, g_free);
    return FALSE;
  }
  return TRUE;
}

/* ---- start / stop ---- */

static gboolean
reopen_log_on_sighup (gpointer data)
{
  Run *run = data;
  GError *err = NULL;

  if (!flu_http_access_log_reopen (run->log, &err)) {
    GST_ELEMENT_WARNING (run->self, RESOURCE, OPEN_WRITE, ("%s",
            err->message), (NULL));
    g_error_free (err);
  }
  return G_SOURCE_CONTINUE;
}

static void
run_free (Run * run)
{
  if (run->root_fd >= 0)
    close (run->root_fd);
  g_clear_pointer (&run->users, g_hash_table_unref);
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

/* server thread: every request still running ends now, logged */
static gboolean
stop_in_thread (gpointer data)
{
  Run *run = data;
  GList *list = g_hash_table_get_keys (run->requests), *l;

  for (l = list; l; l = l->next) {
    Request *r = l->data;
    SoupServerMessage *msg = g_object_ref (r->msg);
    GSocket *sock = flu_http_server_message_get_socket (msg);
    gboolean streaming = r->streaming;

    if (streaming && sock)
      g_socket_shutdown (sock, TRUE, TRUE, NULL);
    request_done (r);
    if (streaming) {
      /* a message paused for its rate (or for want of a chunk) would
       * wait for ever on a server that goes on: libsoup writes on, fails
       * on the closed socket and finishes it */
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      soup_server_message_unpause (msg);
    }
    g_object_unref (msg);
  }
  g_list_free (list);
  if (run->sighup) {
    g_source_destroy (run->sighup);
    g_clear_pointer (&run->sighup, g_source_unref);
  }
  return G_SOURCE_REMOVE;
}

static void
stop_serving (FluOnDemand * self)
{
  Run *run;

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
  flu_http_server_invoke_sync (run->server, stop_in_thread, run);
  flu_http_server_release (run->server);
  GST_INFO_OBJECT (self, "stopped serving %s", run->prefix);
  run_free (run);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_PORT]);
}

static gboolean
start_serving (FluOnDemand * self)
{
  Run *run = g_new0 (Run, 1);
  GError *err = NULL;
  gchar *address, *directory;
  guint port, header_timeout;
  gboolean has_log;

  run->self = self;
  run->root_fd = -1;
  run->requests = g_hash_table_new_full (NULL, NULL,
      (GDestroyNotify) request_free, NULL);
  run->log = flu_http_access_log_new ();

  g_mutex_lock (&self->lock);
  address = g_strdup (self->address);
  port = self->port;
  header_timeout = self->header_timeout;
  directory = g_strdup (self->directory);
  run->prefix = g_strdup (self->mount_point);
  run->listing = self->listing;
  run->rate = self->rate_limit;
  run->realm = g_strdup (self->realm ? self->realm : DEFAULT_REALM);
  run->token_secret = self->token_secret && *self->token_secret ?
      g_strdup (self->token_secret) : NULL;
  run->htpasswd = self->htpasswd && *self->htpasswd ?
      g_strdup (self->htpasswd) : NULL;
  run->chunk = run->rate ? CLAMP (run->rate / 8, CHUNK_MIN, CHUNK_MAX) :
      CHUNK_MAX;
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

  run->server = flu_http_server_acquire (address, port, header_timeout, &err);
  if (run->server == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        ("Cannot listen on %s port %u: %s", address ? address : "*", port,
            err->message), ("pick another port, or port=0 for a free one"));
    goto fail;
  }
  if (!flu_http_server_add_prefix_mount (run->server, run->prefix, handle,
          run, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
        ("give each fluondemand on one port its own mount-point"));
    flu_http_server_release (run->server);
    goto fail;
  }
  /* "/recordings" redirects to "/recordings/", unless another element
   * serves that path */
  if (strlen (run->prefix) > 1) {
    gchar *bare = g_strndup (run->prefix, strlen (run->prefix) - 1);

    if (flu_http_server_add_mount (run->server, bare, handle, run, NULL))
      run->bare = bare;
    else
      g_free (bare);
  }
  if (!mount_stats_paths (run, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
        ("give each element on one port its own paths"));
    flu_http_server_remove_prefix_mount (run->server, run->prefix);
    if (run->bare)
      flu_http_server_remove_mount (run->server, run->bare);
    flu_http_server_release (run->server);
    goto fail;
  }
  if (has_log) {
    run->sighup = g_unix_signal_source_new (SIGHUP);
    g_source_set_callback (run->sighup, reopen_log_on_sighup, run, NULL);
    g_source_attach (run->sighup, flu_http_server_get_context (run->server));
  }
  g_mutex_lock (&self->lock);
  self->run = run;
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "serving %s under %s on port %u", directory,
      run->prefix, flu_http_server_get_port (run->server));
  g_free (address);
  g_free (directory);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_PORT]);
  return TRUE;

fail:
  g_clear_error (&err);
  g_free (address);
  g_free (directory);
  run_free (run);
  return FALSE;
}

static GstStateChangeReturn
flu_on_demand_change_state (GstElement * element, GstStateChange transition)
{
  FluOnDemand *self = FLU_ON_DEMAND (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !start_serving (self))
    return GST_STATE_CHANGE_FAILURE;
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL ||
      (transition == GST_STATE_CHANGE_NULL_TO_READY &&
          ret == GST_STATE_CHANGE_FAILURE))
    stop_serving (self);
  return ret;
}

/* ---- GObject ---- */

static GstStructure *
stats_structure (FluOnDemand * self)
{
  Counters c;

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

  switch (prop_id) {
    case PROP_ADDRESS:
      set_string (self, &self->address, value);
      break;
    case PROP_PORT:
      g_mutex_lock (&self->lock);
      self->port = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      break;
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
    case PROP_HEADER_TIMEOUT:
      g_mutex_lock (&self->lock);
      self->header_timeout = g_value_get_uint (value);
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
    g_value_take_boxed (value, stats_structure (self));
    return;
  }
  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
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
    case PROP_BURST:
      g_value_set_uint64 (value, self->burst);
      break;
    case PROP_HEADER_TIMEOUT:
      g_value_set_uint (value, self->header_timeout);
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
  g_free (self->address);
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

  GST_DEBUG_CATEGORY_INIT (flu_on_demand_debug, "fluondemand", 0,
      "gst-flumotion on-demand file server");

  gobject_class->set_property = flu_on_demand_set_property;
  gobject_class->get_property = flu_on_demand_get_property;
  gobject_class->finalize = flu_on_demand_finalize;
  element_class->change_state = flu_on_demand_change_state;

  properties[PROP_ADDRESS] = g_param_spec_string ("address", "Address",
      "Numeric IPv4 or IPv6 address to listen on (NULL or empty = every "
      "interface, IPv4 and IPv6); shared with the fluhttpsink and "
      "fluhlssink elements of the same address and port", NULL, RW_READY);
  properties[PROP_PORT] = g_param_spec_uint ("port", "Port",
      "TCP port to listen on (0 = pick a free port, see current-port); "
      "elements with the same address and port share one server",
      0, 65535, DEFAULT_PORT, RW_READY);
  properties[PROP_CURRENT_PORT] = g_param_spec_int ("current-port",
      "Current port", "The port actually listened on (-1 = not listening)",
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
  properties[PROP_RATE_LIMIT] = g_param_spec_uint64 ("rate-limit",
      "Rate limit", "Bytes per second each viewer gets at most (token "
      "bucket; 0 = no limit)", 0, G_MAXUINT64, DEFAULT_RATE_LIMIT, RW_READY);
  properties[PROP_BURST] = g_param_spec_uint64 ("burst", "Burst",
      "Bytes a rate-limited viewer may get at full speed, at its start and "
      "after a pause (the token bucket's size; 0 = one second of "
      "rate-limit)", 0, G_MAXUINT64, DEFAULT_BURST, RW_READY);
  properties[PROP_HEADER_TIMEOUT] = g_param_spec_uint ("header-timeout",
      "Header timeout", "Seconds a client has to send its request headers "
      "(0 = no limit); applies when this element starts the port's server",
      0, 3600, DEFAULT_HEADER_TIMEOUT, RW_READY);
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
  g_object_class_install_properties (gobject_class, N_PROPS, properties);

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
  self->port = DEFAULT_PORT;
  self->mount_point = g_strdup (DEFAULT_MOUNT_POINT);
  self->listing = DEFAULT_LISTING;
  self->rate_limit = DEFAULT_RATE_LIMIT;
  self->burst = DEFAULT_BURST;
  self->header_timeout = DEFAULT_HEADER_TIMEOUT;
  self->realm = g_strdup (DEFAULT_REALM);
}
