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

/* Kept-alive connections out of GLib's poll (see fluhttpkeep.c): answers
 * written by us on connections taken from libsoup, then parked in one
 * epoll set per server until their next request arrives.  Server thread
 * only. */

#ifndef __FLU_HTTP_KEEP_H__
#define __FLU_HTTP_KEEP_H__

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _FluHttpKeep FluHttpKeep;

/* The next request of @conn arrived (its first byte is readable; with
 * @head_complete its whole head, up to an empty line, is in the socket
 * buffer): the connection is no longer ours; @conn is borrowed, take a
 * ref to keep it. */
typedef void (*FluHttpKeepResumeFunc) (gpointer user_data, GIOStream * conn,
    gboolean head_complete);

/* The answer is done (@ok: all written) with @body_bytes of its body
 * written; called once, then @notify frees @data. */
typedef void (*FluHttpKeepDoneFunc) (gpointer data, guint64 body_bytes,
    gboolean ok);

/* One set on @context: a parked connection idle for @idle_ms is closed,
 * one whose answer is not all written within @stall_ms too (checked by
 * one timer every @sweep_ms for every connection). */
FluHttpKeep *flu_http_keep_new (GMainContext * context, guint idle_ms,
    guint stall_ms, guint sweep_ms, FluHttpKeepResumeFunc resume,
    gpointer user_data);
/* Closes every connection (done callbacks called, not ok; the cancel
 * functions of pending ones). */
void flu_http_keep_free (FluHttpKeep * keep);

/* Writes @head (taken) and then @n_chunks @chunks (refs taken, never
 * copied) on @conn, whose socket is @fd (non-blocking), and then, with
 * @park, waits for the next request of @conn (else closes it).  Takes
 * @conn's reference. */
void flu_http_keep_send (FluHttpKeep * keep, GIOStream * conn, gint fd,
    gchar * head, GBytes ** chunks, guint n_chunks, gboolean park,
    FluHttpKeepDoneFunc done, gpointer data, GDestroyNotify notify);

/* A fresh connection (just accepted, nothing read) waits here for its
 * first request as a parked one does (the idle bound; its first byte
 * then goes to the fast path or back through the resume function, as a
 * kept connection's next request).  Takes @conn's reference; @fd is its
 * socket (non-blocking), never registered in the set before. */
void flu_http_keep_park (FluHttpKeep * keep, GIOStream * conn, gint fd);

/* The client's address of @conn (IPv4-mapped ones as IPv4), known from
 * accept (): what the fast path gives as FluHttpFastAnswer.peer, without
 * asking the kernel again (ref taken). */
void flu_http_keep_set_peer (GIOStream * conn, GInetAddress * peer);

/* Connections held now (writing, parked and pending), and of them
 * parked. */
guint flu_http_keep_count (FluHttpKeep * keep, guint * parked);

/* Appends the first lines of a response head as libsoup writes them:
 * "@protocol @status @phrase" (the status's own phrase when @phrase is
 * NULL or empty) and Date (made once a second), each ending in CRLF.
 * Any thread. */
void flu_http_head_start (GString * s, const gchar * protocol,
    guint status, const gchar * phrase);

/* The answer that libsoup 3.2 would write for @msg, whose handler has
 * set status, headers and body (a complete answer of known length):
 * with the head (status line, headers, Content-Length; a single byte
 * Range of a GET 200 gives 206 with Content-Range, an unsatisfiable one
 * 416, several disjoint ones the whole 200) in @head and the body's
 * chunks (none for HEAD) in @chunks (free with g_ptr_array_unref).
 * "Connection: close" in the head when not @keep.  Returns the body's
 * length. */
guint64 flu_http_keep_build (SoupServerMessage * msg, gboolean keep,
    gchar ** head, GPtrArray ** chunks);

/* The same from its parts (@resp: the response headers; @body: the
 * whole body's chunks; @range: the request's Range header or NULL):
 * both paths write the same bytes. */
guint64 flu_http_keep_build_answer (guint status, const gchar * phrase,
    SoupHTTPVersion version, gboolean is_head, SoupMessageHeaders * resp,
    GBytes ** body, guint n_body, const gchar * range, gboolean keep,
    gchar ** head, GPtrArray ** chunks);

/* A fast handler that takes the connection (a stream): once the request
 * head is read off the socket, called with @fd, a descriptor of the
 * socket of its own (a dup, close-on-exec, non-blocking; the
 * connection object is closed right after: two close () per viewer, as
 * when libsoup hands one over), to write its answer and keep; or with
 * -1 when the connection was lost meanwhile (nothing to write: drop
 * what @data holds).  Called once; @data is the handler's. */
typedef void (*FluHttpKeepTakeFunc) (gpointer data, gint fd);

/* A request of the fast path answered later (a held request): the
 * connection stays here, watched for the peer closing, until
 * flu_http_keep_answer_pending (). */
typedef struct _FluHttpKeepPending FluHttpKeepPending;

/* The peer of a pending request closed, or the server stops: @data is
 * told once, the handle is gone after it (never answer it then). */
typedef void (*FluHttpKeepCancelFunc) (gpointer data);

/* The fast path: the answer of a fast handler to a request of a parked
 * connection, read without libsoup.  @headers and @chunks (GBytes, the
 * whole body, before any Range) are given empty, to be filled; @done is
 * called with the body bytes written, then @notify frees @data.
 * Or the answer comes later: the handler keeps @pending (given), sets
 * @cancel and @cancel_data and fills nothing else; the head is then read
 * off and the connection waits (see flu_http_keep_answer_pending ()).
 * Or the handler takes the connection: it sets @take and @take_data and
 * fills nothing else (see FluHttpKeepTakeFunc).
 * @peer is given: the client's address (IPv4-mapped ones as IPv4, as
 * flu_http_client_address () gives it; read once per connection), or
 * NULL.  @version is the request's.  @closing is given TRUE when the
 * request does not keep the connection ("Connection: close", HTTP/1.0
 * without keep-alive): answered as libsoup answers it (HTTP/1.1: no
 * Connection line), then closed. */
typedef struct
{
  GInetAddress *peer;
  SoupHTTPVersion version;
  gboolean closing;
  guint status;
  SoupMessageHeaders *headers;
  GPtrArray *chunks;
  FluHttpKeepDoneFunc done;
  gpointer data;
  GDestroyNotify notify;
  FluHttpKeepPending *pending;
  FluHttpKeepCancelFunc cancel;
  gpointer cancel_data;
  FluHttpKeepTakeFunc take;
  gpointer take_data;
} FluHttpFastAnswer;

/* Answers @pending (server thread): @status, @headers (borrowed) and the
 * whole body's @n_chunks @chunks (refs taken), built as any fast answer
 * (Range and HEAD of the request too), then the connection parked again
 * (closed after it when not @keep).  The cancel function is not called;
 * @pending is gone. */
void flu_http_keep_answer_pending (FluHttpKeepPending * pending,
    guint status, SoupMessageHeaders * headers, GBytes ** chunks,
    guint n_chunks, gboolean keep, FluHttpKeepDoneFunc done, gpointer data,
    GDestroyNotify notify);
/* Pending requests now. */
guint flu_http_keep_pending_count (FluHttpKeep * keep);

/* A parked connection's next request is a plain GET or HEAD
 * (@method: SOUP_METHOD_GET or _HEAD) of @path (?@query, decoded as
 * libsoup does, or NULL), without a body (keeping the connection or
 * not: @answer->closing), its
 * whole head in the socket: TRUE when @answer is filled (the head is
 * then read and the answer written here), FALSE to leave the request,
 * nothing consumed, to libsoup. */
typedef gboolean (*FluHttpKeepFastFunc) (gpointer user_data,
    const gchar * method, const gchar * path, GHashTable * query,
    SoupMessageHeaders * request, FluHttpFastAnswer * answer);
void flu_http_keep_set_fast (FluHttpKeep * keep, FluHttpKeepFastFunc func,
    gpointer user_data);
/* With @func set, a parked connection's next request is read off its
 * socket with one recv (else peeked, and its head read again when
 * answered here); what then goes back to libsoup is given to @func
 * first, before the resume function (its user data), to be read before
 * the socket (fluhttpinput.c). */
typedef void (*FluHttpKeepUnreadFunc) (gpointer user_data, GIOStream * conn,
    const gchar * data, gsize len);
void flu_http_keep_set_unread (FluHttpKeep * keep,
    FluHttpKeepUnreadFunc func);

/* Answers written by the fast path so far, in the process (any thread). */
guint flu_http_keep_fast_total (void);

/* Whether @msg's request and its answer allow the connection to stay
 * open after it (HTTP/1.1 without "Connection: close" either side,
 * HTTP/1.0 asking "Connection: keep-alive"). */
gboolean flu_http_keep_allowed (SoupServerMessage * msg);

G_END_DECLS

#endif /* __FLU_HTTP_KEEP_H__ */
