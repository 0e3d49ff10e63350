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

#include "fluhttplog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

struct _FluHttpAccessLog
{
  GMutex lock;
  gchar *path;
  FILE *file;
};

/* Quotes and control characters escaped as Apache does (\" and \xhh);
 * spaces too in the fields outside quotes (@space), so that a user name
 * cannot make up fields of its own. */
static void
append_escaped_full (GString * s, const gchar * v, gboolean space)
{
  const guchar *p;

  if (v == NULL || *v == '\0') {
    g_string_append_c (s, '-');
    return;
  }
  for (p = (const guchar *) v; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (s, "\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7f || (space && *p == ' '))
      g_string_append_printf (s, "\\x%02x", *p);
    else
      g_string_append_c (s, *p);
  }
}

static void
append_escaped (GString * s, const gchar * v)
{
  append_escaped_full (s, v, FALSE);
}

const gchar *
flu_http_protocol_name (SoupServerMessage * msg)
{
  return soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0 ?
      "HTTP/1.0" : "HTTP/1.1";
}

void
flu_http_log_entry_from_message (FluHttpLogEntry * e, SoupServerMessage * msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);

  e->method = soup_server_message_get_method (msg);
  e->protocol = flu_http_protocol_name (msg);
  e->referer = soup_message_headers_get_one (h, "Referer");
  e->user_agent = soup_message_headers_get_one (h, "User-Agent");
}

gchar *
flu_http_log_format (const FluHttpLogEntry * e)
{
  GString *s = g_string_new (NULL);
  GDateTime *t =
      g_date_time_new_from_unix_local (e->start_time / G_USEC_PER_SEC);
  gchar *when = g_date_time_format (t, "%d/%b/%Y:%H:%M:%S %z");

  append_escaped_full (s, e->host, TRUE);
  g_string_append (s, " - ");
  append_escaped_full (s, e->user, TRUE);
  g_string_append_printf (s, " [%s] \"", when);
  append_escaped (s, e->method);
  g_string_append_c (s, ' ');
  append_escaped (s, e->path);
  g_string_append_c (s, ' ');
  append_escaped (s, e->protocol);
  g_string_append_printf (s, "\" %u %" G_GUINT64_FORMAT " \"", e->status,
      e->bytes);
  append_escaped (s, e->referer);
  g_string_append (s, "\" \"");
  append_escaped (s, e->user_agent);
  g_string_append_printf (s, "\" %" G_GUINT64_FORMAT, e->seconds);
  if (e->requests)
    g_string_append_printf (s, " %" G_GUINT64_FORMAT, e->requests);
  g_string_append_c (s, '\n');
  g_free (when);
  g_date_time_unref (t);
  return g_string_free (s, FALSE);
}

FluHttpAccessLog *
flu_http_access_log_new (void)
{
  FluHttpAccessLog *log = g_new0 (FluHttpAccessLog, 1);

  g_mutex_init (&log->lock);
  return log;
}

void
flu_http_access_log_free (FluHttpAccessLog * log)
{
  if (log->file)
    fclose (log->file);
  g_free (log->path);
  g_mutex_clear (&log->lock);
  g_free (log);
}

static gboolean
open_locked (FluHttpAccessLog * log, GError ** error)
{
  if (log->file) {
    fclose (log->file);
    log->file = NULL;
  }
  if (log->path == NULL)
    return TRUE;
  log->file = g_fopen (log->path, "a");
  if (log->file == NULL) {
    int err = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err),
        "cannot open access log '%s' for appending: %s", log->path,
        g_strerror (err));
    return FALSE;
  }
  /* one write per line: line buffering keeps lines whole */
  setvbuf (log->file, NULL, _IOLBF, 0);
  return TRUE;
}

gboolean
flu_http_access_log_open (FluHttpAccessLog * log, const gchar * path,
    GError ** error)
{
  gboolean ok;

  g_mutex_lock (&log->lock);
  g_free (log->path);
  log->path = (path && *path) ? g_strdup (path) : NULL;
  ok = open_locked (log, error);
  g_mutex_unlock (&log->lock);
  return ok;
}

gboolean
flu_http_access_log_reopen (FluHttpAccessLog * log, GError ** error)
{
  gboolean ok;

  g_mutex_lock (&log->lock);
  ok = open_locked (log, error);
  g_mutex_unlock (&log->lock);
  return ok;
}

void
flu_http_access_log_write (FluHttpAccessLog * log, const FluHttpLogEntry * e)
{
  gchar *line;

  g_mutex_lock (&log->lock);
  if (log->file) {
    line = flu_http_log_format (e);
    fputs (line, log->file);
    g_free (line);
  }
  g_mutex_unlock (&log->lock);
}
