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

/* The access log: one Apache "combined" line per finished client plus the
 * seconds it stayed connected, as Flumotion's http-streamer and Icecast
 * write it.  Thread-safe; reopened on demand (SIGHUP, property set). */

#ifndef __FLU_HTTP_LOG_H__
#define __FLU_HTTP_LOG_H__

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _FluHttpAccessLog FluHttpAccessLog;

typedef struct
{
  const gchar *host;            /* client address as text */
  const gchar *user;            /* NULL or "" = "-" */
  const gchar *method;
  const gchar *path;            /* with the query string */
  const gchar *protocol;        /* "HTTP/1.1" */
  guint status;
  guint64 bytes;
  const gchar *referer;
  const gchar *user_agent;
  gint64 start_time;            /* wall clock, microseconds since epoch */
  guint64 seconds;              /* connected */
  guint64 requests;             /* 0: not written; else after seconds
                                 * (fluhlssink: a session's requests) */
} FluHttpLogEntry;

gchar *flu_http_log_format (const FluHttpLogEntry * e);

/* "HTTP/1.0" or "HTTP/1.1", as logged and posted */
const gchar *flu_http_protocol_name (SoupServerMessage * msg);
/* Sets the fields the request line and headers of @msg give: method,
 * protocol, referer, user_agent (borrowed from @msg: valid while it is).
 * The others (host, user, path, status, times) are the caller's. */
void flu_http_log_entry_from_message (FluHttpLogEntry * e,
    SoupServerMessage * msg);

FluHttpAccessLog *flu_http_access_log_new (void);
void flu_http_access_log_free (FluHttpAccessLog * log);
/* Opens (or reopens) @path for appending; NULL closes the log. */
gboolean flu_http_access_log_open (FluHttpAccessLog * log,
    const gchar * path, GError ** error);
/* Reopens the current file, after log rotation. */
gboolean flu_http_access_log_reopen (FluHttpAccessLog * log, GError ** error);
void flu_http_access_log_write (FluHttpAccessLog * log,
    const FluHttpLogEntry * e);

G_END_DECLS

#endif /* __FLU_HTTP_LOG_H__ */
