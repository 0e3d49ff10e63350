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


/* fluondemand's answers, in the server thread: the checks, the file's
 * headers and body chunk by chunk (with the per-viewer token bucket),
 * the listing, the statistics paths, one access-log line per request.
 * Opening, listing and reading run in fluondemandio.c's threads: the
 * message is paused meanwhile, and the result comes back here.
 *
 * A Request is referenced by the requests table (until it is done: the
 * message finished, or the element stops) and by the one job it may
 * have queued or running; the job's result is dropped if the request
 * is done by then.  Once done, a Request holds no message and no Run:
 * only its file descriptor and strings, freed with its last reference,
 * in whichever thread drops it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluondemandpriv.h"
#include "fluhttpfiles.h"
#include "fluhttpanswer.h"
#include "fluhttplogwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define GST_CAT_DEFAULT flu_on_demand_debug

/* One request, from the handler to "finished" (server thread, but for
 * refs and what a job reads: fd and rel, set before it is queued). */
typedef struct
{
  gint refs;
  gboolean done;
  FluOnDemandRun *run;
  SoupServerMessage *msg;
  gulong finished_id, data_id, chunk_id;
  gchar *host;
  gchar *user;
  gchar *target;
  gchar *path;                  /* percent-encoded, as the URL has it */
  gchar *rel;                   /* the same inside the directory */
  gboolean opening;             /* paused for its open job */
  gboolean reading;             /* paused for its read job */
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
  /* a listing being sent, piece by piece (reading: a piece is made) */
  FluHttpListing *listing;
} Request;

static void
count (FluOnDemand * self, guint64 * field, guint64 n)
{
  g_mutex_lock (&self->stats_lock);
  *field += n;
  g_mutex_unlock (&self->stats_lock);
}

static void request_unref (Request * r);

GHashTable *
flu_on_demand_requests_new (void)
{
  return g_hash_table_new_full (NULL, NULL, (GDestroyNotify) request_unref,
      NULL);
}

/* ---- requests ---- */

static Request *
request_ref (Request * r)
{
  g_atomic_int_inc (&r->refs);
  return r;
}

/* any thread: the message is gone already (request_done) */
static void
request_unref (Request * r)
{
  if (!g_atomic_int_dec_and_test (&r->refs))
    return;
  if (r->fd >= 0)
    close (r->fd);
  g_clear_pointer (&r->listing, flu_http_listing_free);
  g_clear_object (&r->msg);
  g_free (r->host);
  g_free (r->user);
  g_free (r->target);
  g_free (r->path);
  g_free (r->rel);
  g_free (r);
}

/* the request is over (answered, or its client left, or the element
 * stops): its access-log line and counters */
static void
request_done (Request * r)
{
  FluOnDemandRun *run = r->run;
  FluOnDemand *self = run->self;
  FluHttpLogEntry e = { 0 };

  g_assert (!r->done);
  r->done = TRUE;
  g_signal_handler_disconnect (r->msg, r->finished_id);
  g_signal_handler_disconnect (r->msg, r->data_id);
  if (r->chunk_id)
    g_signal_handler_disconnect (r->msg, r->chunk_id);
  if (r->wait) {
    g_source_destroy (r->wait);
    g_clear_pointer (&r->wait, g_source_unref);
  }
  flu_http_log_entry_from_message (&e, r->msg);
  e.host = r->host;
  e.user = r->user;
  e.path = r->target;
  e.status = r->status;
  e.bytes = r->sent;
  e.start_time = r->start_wall;
  e.seconds = (g_get_monotonic_time () - r->start_mono) / G_USEC_PER_SEC;
  flu_http_access_log_write (run->log, &e);
  if (r->streaming) {
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (run->per_ip, r->host));

    if (n > 1)
      g_hash_table_insert (run->per_ip, g_strdup (r->host),
          GUINT_TO_POINTER (n - 1));
    else
      g_hash_table_remove (run->per_ip, r->host);
    g_mutex_lock (&self->stats_lock);
    self->counters.viewers--;
    g_mutex_unlock (&self->stats_lock);
  }
  GST_DEBUG_OBJECT (self, "%s %s from %s: %u, %" G_GUINT64_FORMAT " bytes",
      e.method, r->target, r->host, r->status, r->sent);
  /* a job still queued or running keeps the rest, and drops its result */
  g_clear_object (&r->msg);
  r->run = NULL;
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

/* One chunk read in a pool thread: the one chunk of memory a viewer
 * holds besides libsoup's own. */
typedef struct
{
  Request *r;
  guint64 offset;
  gsize n;
  gchar *buf;
  gssize got;
  gint err;
} ReadJob;

static void
read_work (gpointer data, gpointer unused)
{
  ReadJob *j = data;

  if (flu_on_demand_test_hook)
    flu_on_demand_test_hook ("read", j->r->rel);
  j->buf = g_malloc (j->n);
  do
    j->got = pread (j->r->fd, j->buf, j->n, j->offset);
  while (j->got < 0 && errno == EINTR);
  j->err = errno;
}

/* server thread: the chunk to libsoup, and the message goes on */
static gboolean
read_done (gpointer data)
{
  ReadJob *j = data;
  Request *r = j->r;

  if (r->done)
    return G_SOURCE_REMOVE;
  r->reading = FALSE;
  if (j->got <= 0) {
    GST_WARNING_OBJECT (r->run->self, "%s: %s at byte %" G_GUINT64_FORMAT
        ", closing the connection", r->target, j->got < 0 ?
        g_strerror (j->err) : "the file got shorter", j->offset);
    request_abort (r);
  } else {
    r->offset += j->got;
    r->remaining -= j->got;
    soup_message_body_append (soup_server_message_get_response_body (r->msg),
        SOUP_MEMORY_TAKE, g_steal_pointer (&j->buf), j->got);
  }
  soup_server_message_unpause (r->msg);
  return G_SOURCE_REMOVE;
}

/* the end of every job: its buffer, the test hook, its request */
static void
job_release (gpointer job, Request * r, gpointer buf)
{
  g_free (buf);
  if (flu_on_demand_test_hook)
    flu_on_demand_test_hook ("free", r->rel);
  request_unref (r);
  g_free (job);
}

static void
read_free (gpointer data)
{
  ReadJob *j = data;

  job_release (j, j->r, j->buf);
}

/* Hands the next chunk of the file to libsoup, if the viewer's bucket
 * has the tokens for it: the end at once, a chunk after a pool thread
 * read it (libsoup pauses the message while it has no chunk; read_done
 * unpauses it); else waits for the tokens.  TRUE when the end went to
 * libsoup now. */
static gboolean
pump (Request * r)
{
  FluOnDemandRun *run = r->run;
  SoupMessageBody *body = soup_server_message_get_response_body (r->msg);
  ReadJob *j;
  gsize n;

  if (r->reading)
    return FALSE;
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
  j = g_new0 (ReadJob, 1);
  j->r = request_ref (r);
  j->offset = r->offset;
  j->n = n;
  r->reading = TRUE;
  flu_on_demand_io_push (flu_http_server_get_context (run->server),
      read_work, read_done, j, read_free);
  return FALSE;
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
check_access (FluOnDemandRun * run, Request * r, const gchar * path,
    GHashTable * query, gboolean token, const gchar ** why)
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

/* One more piece of a listing, made in a pool thread: a listing holds
 * one piece at a time (fluhttplisting.h), however large the directory. */
typedef struct
{
  Request *r;
  gchar *piece;
  gboolean failed;
} ListJob;

static void
list_work (gpointer data, gpointer unused)
{
  ListJob *j = data;

  if (flu_on_demand_test_hook)
    flu_on_demand_test_hook ("list", j->r->rel);
  j->piece = flu_http_listing_next (j->r->listing, &j->failed);
}

/* server thread: the piece to libsoup as one chunk, or the end */
static gboolean
list_done (gpointer data)
{
  ListJob *j = data;
  Request *r = j->r;

  if (r->done)
    return G_SOURCE_REMOVE;
  r->reading = FALSE;
  if (j->piece) {
    soup_message_body_append (soup_server_message_get_response_body (r->msg),
        SOUP_MEMORY_TAKE, j->piece, strlen (j->piece));
    j->piece = NULL;
  } else {
    if (j->failed) {
      GST_WARNING_OBJECT (r->run->self, "%s: cannot read the directory "
          "again, closing the connection", r->target);
      request_abort (r);
    } else {
      soup_message_body_complete (soup_server_message_get_response_body
          (r->msg));
    }
    g_clear_pointer (&r->listing, flu_http_listing_free);
  }
  soup_server_message_unpause (r->msg);
  return G_SOURCE_REMOVE;
}

static void
list_free (gpointer data)
{
  ListJob *j = data;

  job_release (j, j->r, j->piece);
}

/* a piece went out: the next one is made (none once the end went) */
static void
wrote_listing_chunk (SoupServerMessage * msg, gpointer data)
{
  Request *r = data;
  ListJob *j;

  if (r->reading || r->listing == NULL)
    return;
  j = g_new0 (ListJob, 1);
  j->r = request_ref (r);
  r->reading = TRUE;
  flu_on_demand_io_push (flu_http_server_get_context (r->run->server),
      list_work, list_done, j, list_free);
}

/* @listing and its first @piece (both taken): chunked, so that no
 * length needs the whole page (to an HTTP/1.0 client, which knows no
 * chunks, the page ends with the connection) */
static void
answer_listing (FluOnDemandRun * run, Request * r, FluHttpListing * listing,
    gchar * piece)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (r->msg);
  SoupMessageBody *body = soup_server_message_get_response_body (r->msg);

  if (!run->listing || listing == NULL) {
    g_free (piece);
    if (listing)
      flu_http_listing_free (listing);
    respond (r, SOUP_STATUS_FORBIDDEN, "directory listing is off");
    return;
  }
  r->status = SOUP_STATUS_OK;
  flu_http_server_set_common_headers (r->msg);
  soup_server_message_set_status (r->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (h, "Content-Type", "text/html; charset=utf-8");
  soup_message_headers_set_encoding (h,
      soup_server_message_get_http_version (r->msg) == SOUP_HTTP_1_0 ?
      SOUP_ENCODING_EOF : SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (body, FALSE);
  if (soup_server_message_get_method (r->msg) == SOUP_METHOD_HEAD) {
    g_free (piece);
    flu_http_listing_free (listing);
    soup_message_body_complete (body);
    return;
  }
  r->listing = listing;
  r->chunk_id = g_signal_connect (r->msg, "wrote-chunk",
      G_CALLBACK (wrote_listing_chunk), r);
  soup_message_body_append (body, SOUP_MEMORY_TAKE, piece, strlen (piece));
}

/* a regular file: validators, preconditions, range, then the body */
static void
answer_file (FluOnDemandRun * run, Request * r, gint fd, const struct stat *st,
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
  FluOnDemandCounters *c = &run->self->counters;

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
  if (run->client_limit && soup_server_message_get_method (r->msg) ==
      SOUP_METHOD_GET && size > 0) {
    guint viewers;

    g_mutex_lock (&run->self->stats_lock);
    viewers = c->viewers;
    g_mutex_unlock (&run->self->stats_lock);
    if (viewers >= run->client_limit) {
      respond (r, SOUP_STATUS_SERVICE_UNAVAILABLE, "client limit reached");
      soup_message_headers_replace (h, "Retry-After", "5");
      count (run->self, &c->refused, 1);
      GST_INFO_OBJECT (run->self, "%s from %s: 503 (client limit %u)",
          r->target, r->host, run->client_limit);
      goto out;
    }
  }
  if (run->max_per_ip && soup_server_message_get_method (r->msg) ==
      SOUP_METHOD_GET && size > 0 &&
      GPOINTER_TO_UINT (g_hash_table_lookup (run->per_ip, r->host)) >=
      run->max_per_ip) {
    respond (r, FLU_HTTP_STATUS_TOO_MANY_REQUESTS, "too many files sent to "
        "this address at once");
    soup_message_headers_replace (h, "Retry-After", "5");
    count (run->self, &c->refused, 1);
    GST_INFO_OBJECT (run->self, "%s from %s: 429 (max-clients-per-ip %u)",
        r->target, r->host, run->max_per_ip);
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
  g_hash_table_insert (run->per_ip, g_strdup (r->host),
      GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (run->per_ip,
                  r->host)) + 1));
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
  r->fd = fd;
  fd = -1;
  pump (r);

out:
  if (fd >= 0)
    close (fd);
  g_free (modified);
  g_free (etag);
}

static void
refused (Request * r, const gchar * why)
{
  GST_INFO_OBJECT (r->run->self, "%s %s from %s: %u (%s)",
      soup_server_message_get_method (r->msg), r->target, r->host, r->status,
      GST_STR_NULL (why));
  count (r->run->self, &r->run->self->counters.refused, 1);
}

/* A file or directory opened (and listed) in a pool thread. */
typedef struct
{
  Request *r;
  gint root_fd;                 /* a duplicate, closed by the job */
  gboolean list;                /* listing is on */
  guint status;
  const gchar *why;
  gint fd;
  struct stat st;
  FluHttpListing *listing;
  gchar *piece;                 /* the listing's first */
} OpenJob;

static void
open_work (gpointer data, gpointer unused)
{
  OpenJob *j = data;

  if (flu_on_demand_test_hook)
    flu_on_demand_test_hook ("open", j->r->rel);
  j->status = flu_http_files_open (j->root_fd, j->r->rel, &j->fd, &j->st,
      &j->why);
  close (j->root_fd);
  j->root_fd = -1;
  if (j->status == SOUP_STATUS_NONE && S_ISDIR (j->st.st_mode)) {
    if (j->list && g_str_has_suffix (j->r->path, "/")) {
      gboolean failed = TRUE;

      j->listing = flu_http_listing_new (j->fd, j->r->path,
          FLU_ON_DEMAND_MAX_LISTING, FLU_ON_DEMAND_LISTING_PIECE,
          FLU_ON_DEMAND_LISTING_PASSES);
      if (j->listing)
        j->piece = flu_http_listing_next (j->listing, &failed);
      if (j->piece == NULL) {
        g_clear_pointer (&j->listing, flu_http_listing_free);
        j->status = SOUP_STATUS_SERVICE_UNAVAILABLE;
        j->why = "out of file descriptors";
      }
    }
    close (j->fd);
    j->fd = -1;
  }
}

/* server thread: the answer, once the file is open */
static gboolean
open_done (gpointer data)
{
  OpenJob *j = data;
  Request *r = j->r;

  if (r->done)
    return G_SOURCE_REMOVE;
  r->opening = FALSE;
  if (j->status != SOUP_STATUS_NONE) {
    respond (r, j->status, j->why);
    refused (r, j->why);
  } else if (S_ISDIR (j->st.st_mode)) {
    if (!g_str_has_suffix (r->path, "/"))
      redirect_slash (r, r->path);
    else
      answer_listing (r->run, r, g_steal_pointer (&j->listing),
          g_steal_pointer (&j->piece));
  } else {
    gint fd = j->fd;

    j->fd = -1;
    answer_file (r->run, r, fd, &j->st, r->path);
  }
  /* a body being read goes on when its first chunk is there */
  if (!r->reading)
    soup_server_message_unpause (r->msg);
  return G_SOURCE_REMOVE;
}

static void
open_free (gpointer data)
{
  OpenJob *j = data;

  if (j->fd >= 0)
    close (j->fd);
  if (j->root_fd >= 0)
    close (j->root_fd);
  if (j->listing)
    flu_http_listing_free (j->listing);
  job_release (j, j->r, j->piece);
}

void
flu_on_demand_handle (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  FluOnDemandRun *run = data;
  FluOnDemand *self = run->self;
  Request *r = g_new0 (Request, 1);
  const gchar *method = soup_server_message_get_method (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *q = g_uri_get_query (uri);
  gchar *redacted = q ? flu_http_query_redact (q) : NULL;
  GSocketAddress *sa = soup_server_message_get_remote_address (msg);
  const gchar *why = NULL;
  guint status;
  OpenJob *j;
  gchar *encoded = NULL;

  /* libsoup decodes the path (and refuses NUL bytes and ".." segments
   * it would make, 400); the resolver takes it encoded again, every
   * byte but unreserved ones and '/', so a '%' in a name stays one.
   * The mount point is matched decoded, as the port's dispatch does (a
   * space or UTF-8 in it would not match the encoded path) */
  const gchar *decoded = path;

  path = encoded = g_uri_escape_string (path, "/", FALSE);

  r->refs = 1;
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
  if (run->bare && g_str_equal (decoded, run->bare)) {
    redirect_slash (r, path);
    goto out;
  }
  if (!g_str_has_prefix (decoded, run->prefix)) {
    why = "not found";
    respond (r, SOUP_STATUS_NOT_FOUND, why);
    goto refused;
  }
  /* the rest once a pool thread opened it (open_done) */
  j = g_new0 (OpenJob, 1);
  j->root_fd = fcntl (run->root_fd, F_DUPFD_CLOEXEC, 3);
  if (j->root_fd < 0) {
    g_free (j);
    why = "out of file descriptors";
    respond (r, SOUP_STATUS_SERVICE_UNAVAILABLE, why);
    goto refused;
  }
  r->path = g_strdup (path);
  r->rel = g_uri_escape_string (decoded + strlen (run->prefix), "/", FALSE);
  j->r = request_ref (r);
  j->fd = -1;
  j->list = run->listing;
  r->opening = TRUE;
  soup_server_message_pause (msg);
  flu_on_demand_io_push (flu_http_server_get_context (server), open_work,
      open_done, j, open_free);
  goto out;

refused:
  refused (r, why);
out:
  g_free (encoded);
}

/* ---- statistics over HTTP ---- */

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

/* each field's Prometheus help text (promtool wants one) */
static const gchar *
field_help (const gchar * name)
{
  static const gchar *const help[][2] = {
    {"requests", "Requests to the mount"},
    {"ok", "Answers 200 (a whole file)"},
    {"partial", "Answers 206 (a byte range)"},
    {"not-modified", "Answers 304 (the client's copy is current)"},
    {"refused", "Answers 4xx and 5xx"},
    {"bytes-sent", "Body bytes sent"},
    {"rate-waits", "Times a viewer waited for its rate limit"},
    {"viewers", "Files being sent now"},
    {"peak-viewers", "Most files sent at once"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (help); i++)
    if (g_str_equal (help[i][0], name))
      return help[i][1];
  return name;
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
      g_string_append_printf (out, "# HELP fluondemand_%s%s %s\n"
          "# TYPE fluondemand_%s%s %s\n"
          "fluondemand_%s%s{mount=%s} %" G_GUINT64_FORMAT "\n", metric,
          gauge ? "" : "_total", field_help (name), metric,
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
void
flu_on_demand_handle_stats (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  FluOnDemandRun *run = data;
  gboolean json = run->stats_path && g_str_equal (path, run->stats_path);
  Request r = {.run = run,.msg = msg };
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
  s = flu_on_demand_stats (run->self);
  text = stats_text (s, run->prefix, json);
  gst_structure_free (s);
  flu_http_server_set_common_headers (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, json ? "application/json" :
      "text/plain; version=0.0.4; charset=utf-8", SOUP_MEMORY_TAKE, text,
      strlen (text));
}

/* server thread: this mount's entry on the port's status page (the
 * status-path of a fluhttpsink on the port): the counters, and what the
 * page's card reads (clients, clients-peak, connections, uptime,
 * consumption-bitrate, a one-sample history); NULL for a client the
 * address lists refuse, as fluhttpsink's mounts do */
gchar *
flu_on_demand_stream_status (gpointer data, GInetAddress * client)
{
  FluOnDemandRun *run = data;
  GstStructure *s;
  gchar *counters, *json;
  gint64 now = g_get_monotonic_time ();
  guint64 bytes = 0, requests = 0;
  guint viewers = 0, peak = 0;

  if (client == NULL ? (run->allow_list && run->allow_list->len) :
      (flu_http_cidr_list_match (run->deny_list, client) ||
          (run->allow_list && run->allow_list->len &&
              !flu_http_cidr_list_match (run->allow_list, client))))
    return NULL;
  s = flu_on_demand_stats (run->self);
  gst_structure_get_uint64 (s, "bytes-sent", &bytes);
  gst_structure_get_uint (s, "viewers", &viewers);
  gst_structure_get_uint (s, "peak-viewers", &peak);
  gst_structure_get_uint64 (s, "requests", &requests);
  if (run->rate_time == 0) {
    run->rate_time = run->started;
  } else if (now - run->rate_time >= G_USEC_PER_SEC) {
    run->rate_bps = (bytes - run->rate_bytes) * 8 * G_USEC_PER_SEC /
        (now - run->rate_time);
    run->rate_bytes = bytes;
    run->rate_time = now;
  }
  counters = stats_text (s, run->prefix, TRUE);
  gst_structure_free (s);
  /* stats_text's object, without its closing "}\n" */
  counters[strlen (counters) - 2] = '\0';
  json = g_strdup_printf ("%s, \"kind\": \"on-demand\", "
      "\"content-type\": \"text/html\", \"state\": \"online\", "
      "\"clients\": %u, \"clients-peak\": %u, "
      "\"connections\": %" G_GUINT64_FORMAT ", "
      "\"uptime\": %" G_GINT64_FORMAT ", \"stream-bitrate\": 0, "
      "\"consumption-bitrate\": %" G_GUINT64_FORMAT ", "
      "\"history\": [%u], \"history-step\": 10}", counters, viewers, peak,
      requests, (now - run->started) / G_USEC_PER_SEC, run->rate_bps, viewers);
  g_free (counters);
  return json;
}

/* server thread: every request still running ends now, logged */
gboolean
flu_on_demand_stop_requests (gpointer data)
{
  FluOnDemandRun *run = data;
  GList *list = g_hash_table_get_keys (run->requests), *l;

  for (l = list; l; l = l->next) {
    Request *r = l->data;
    SoupServerMessage *msg = g_object_ref (r->msg);
    GSocket *sock = flu_http_server_message_get_socket (msg);
    /* a listing being sent too: paused for its next piece */
    gboolean streaming = r->streaming || r->listing != NULL;
    gboolean opening = r->opening;

    if (streaming && sock)
      g_socket_shutdown (sock, TRUE, TRUE, NULL);
    request_done (r);
    if (opening) {
      /* paused while its file opens: answered now, the job's result
       * dropped when it comes */
      flu_http_server_respond (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
          "the server is stopping");
      soup_server_message_unpause (msg);
    } else if (streaming) {
      /* a message paused for its rate (or for want of a chunk) would
       * wait for ever on a server that goes on: libsoup writes on, fails
       * on the closed socket and finishes it */
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      soup_server_message_unpause (msg);
    }
    g_object_unref (msg);
  }
  g_list_free (list);
  flu_http_log_unwatch_sighup (&run->sighup);
  return G_SOURCE_REMOVE;
}
