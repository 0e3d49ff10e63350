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

/* Shared helpers of the fluhttpsink tests: live WebM pipelines on port 0
 * and a tiny blocking HTTP client with time limits. */

#ifndef __FLU_HTTP_TEST_H__
#define __FLU_HTTP_TEST_H__

#include <gst/check/gstcheck.h>

G_BEGIN_DECLS

typedef struct
{
  guint status;                 /* 0 = no answer */
  gchar *head;                  /* status line and headers */
  GByteArray *body;
  gboolean closed;              /* the server closed the connection */
  gboolean chunked;             /* body: a whole chunked one, decoded */
} HttpResponse;

/* Sends @request ("GET / HTTP/1.1\r\n...\r\n\r\n") to @host:@port and reads
 * the answer until the server closes, @body_max body bytes arrived, the
 * whole body came on a kept-alive connection (Content-Length, or
 * chunked: then decoded), or @timeout_ms passed. */
HttpResponse *http_request (const gchar * host, guint port,
    const gchar * request, gsize body_max, guint timeout_ms);
/* GET @path with extra header lines (each ending in \r\n, may be NULL). */
HttpResponse *http_get (guint port, const gchar * path,
    const gchar * headers, gsize body_max, guint timeout_ms);
void http_response_free (HttpResponse * r);
/* The status of GET @path with @headers (0 = no answer). */
guint http_status (guint port, const gchar * path, const gchar * headers);
/* "Authorization: Basic <base64 user:password>\r\n"; free it. */
gchar *http_basic_header (const gchar * user, const gchar * password);
/* The value of header @name in @r, or NULL; free it. */
gchar *http_header (HttpResponse * r, const gchar * name);

/* A connected TCP socket to 127.0.0.1:@port (-1 on failure). */
gint tcp_connect (const gchar * host, guint port);
/* Writes "GET @path HTTP/1.1" with http_get's headers and @headers
 * (each ending in \r\n, may be NULL) on @fd: fails the test if it
 * cannot. */
void http_write_get (gint fd, const gchar * path, const gchar * headers);
/* The same on a new connection to 127.0.0.1:@port: its socket, for the
 * caller to read and close. */
gint http_open_get (guint port, const gchar * path, const gchar * headers);
/* The body of @r as text (free it). */
gchar *http_body_text (HttpResponse * r);
/* The body of GET @path, which must answer 200 within @timeout_ms. */
gchar *http_get_text (guint port, const gchar * path, guint timeout_ms);

/* gst_parse_launch (@desc), PLAYING (fails the test otherwise); the
 * elements named "sink" and "src" in @sink and @src (not reffed; either
 * may be NULL). */
GstElement *start_pipeline (const gchar * desc, GstElement ** src,
    GstElement ** sink);
/* "appsrc name=src format=time caps=@caps ! fluhttpsink name=sink port=0
 * @props" (@caps may be NULL: none) by start_pipeline. */
GstElement *start_appsrc_pipeline (const gchar * caps, const gchar * props,
    GstElement ** src, GstElement ** sink);
/* "fakesrc ! @factory" with @port and @mount_point set must fail to go
 * to READY (the path taken on that port). */
void expect_ready_failure (const gchar * factory, guint port,
    const gchar * mount_point);
/* Waits up to @timeout_s for EOS (TRUE) or an error (FALSE, logged). */
gboolean wait_eos (GstElement * pipeline, guint timeout_s);
/* Field @field of the element's "stats" structure: fails the test when
 * it has none. */
guint64 stats_u64 (GstElement * element, const gchar * field);
guint stats_uint (GstElement * element, const gchar * field);

/* Removes @dir and everything below it (links are removed, not
 * followed). */
void remove_tree (const gchar * dir);

/* "videotestsrc ! vp8enc ! webmmux ! fluhttpsink name=sink port=0 @props",
 * PLAYING; returns the pipeline, the sink in @sink (not reffed). */
GstElement *start_webm_pipeline (const gchar * props, GstElement ** sink);
void stop_pipeline (GstElement * pipeline);
guint sink_port (GstElement * sink);

/* Waits up to @timeout_ms for an element message named @name from the
 * pipeline's bus; returns a copy of its structure or NULL. */
GstStructure *wait_element_message (GstElement * pipeline,
    const gchar * name, guint timeout_ms);

/* Polls the sink's stats until @field equals @value (or @timeout_ms). */
gboolean wait_stats_uint (GstElement * sink, const gchar * field,
    guint value, guint timeout_ms);

/* Moves @log to @rotated, raises SIGHUP and waits (up to 5 s) until the
 * element has opened @log again: fails the test otherwise. */
void rotate_log_on_sighup (const gchar * log, const gchar * rotated);
/* Waits up to @timeout_ms until the file @path holds @needle: returns
 * its contents (free them); fails the test otherwise. */
gchar *wait_file_contains (const gchar * path, const gchar * needle,
    guint timeout_ms);

/* promtool check metrics on @text: fails the test when promtool is
 * missing (Debian package prometheus) or finds a problem. */
void promtool_check (const gchar * text);

/* A raw HTTP/1.1 client on one kept connection (fluhttpkeep,
 * fluhttpfast): its socket and the bytes read but not yet taken. */
typedef struct
{
  gint fd;
  GByteArray *buf;
} Client;

/* One answer read by client_read (). */
typedef struct
{
  guint status;
  gchar *head;
  GByteArray *body;
} Answer;

/* Connects to 127.0.0.1:@port (fails the test otherwise). */
Client *client_new (guint port);
void client_free (Client * c);
void answer_free (Answer * a);
/* More bytes into the buffer: FALSE at end of stream (or after 15 s). */
gboolean client_fill (Client * c);
/* The header @name of @a (the first), or NULL; free it. */
gchar *answer_header (Answer * a, const gchar * name);
/* One answer, its body as long as its Content-Length (none for HEAD). */
Answer *client_read (Client * c, gboolean head_only);
/* The server closes the connection (and sent nothing more). */
void wait_closed (Client * c);
/* An answer head @head without its Date line, which must be there (the
 * test fails otherwise); free it. */
gchar *head_undated (const gchar * head);
/* The last line of playlist @pl starting with @prefix (its URI="..."
 * when it has one, e.g. for EXT-X-PART); free it. */
gchar *last_uri (const gchar * pl, const gchar * prefix);

/* Every URI of playlist @pl: URI lines and URI="..." attributes, in
 * order (strings owned by the array). */
GPtrArray *playlist_uris (const gchar * pl);

G_END_DECLS

#endif
