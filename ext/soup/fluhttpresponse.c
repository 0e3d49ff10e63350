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

#include "fluhttpresponse.h"
#include "fluhttpkeep.h"

/* path?query as logged and posted, token values hidden */
gchar *
flu_http_request_target (SoupServerMessage * msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *q = g_uri_get_query (uri);
  gchar *redacted = q ? flu_http_query_redact (q) : NULL;
  gchar *target = g_strdup_printf ("%s%s%s", g_uri_get_path (uri),
      q ? "?" : "", q ? redacted : "");

  g_free (redacted);
  return target;
}

/* lock held */
guint
flu_http_set_stream_headers (FluHttpSink * sink, SoupServerMessage * msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  flu_http_fill_stream_headers (sink, h);
  soup_message_headers_set_encoding (h, SOUP_ENCODING_EOF);
  return flu_http_icy_answer (sink->icy, msg, sink->caps);
}

/* lock held */
void
flu_http_fill_stream_headers (FluHttpSink * sink, SoupMessageHeaders * h)
{
  FluHttpSinkSettings *p = sink->settings;

  flu_http_server_fill_common_headers (h);
  soup_message_headers_set_content_type (h, p->content_type ?
      p->content_type : sink->mime, NULL);
  if (p->cors_origin && *p->cors_origin)
    soup_message_headers_replace (h, "Access-Control-Allow-Origin",
        p->cors_origin);
  if (p->extra_headers) {
    gint i, n = gst_structure_n_fields (p->extra_headers);

    for (i = 0; i < n; i++) {
      const gchar *name = gst_structure_nth_field_name (p->extra_headers, i);
      const GValue *v = gst_structure_get_value (p->extra_headers, name);
      gchar *s = G_VALUE_HOLDS_STRING (v) ? g_value_dup_string (v) :
          gst_value_serialize (v);

      if (s)
        soup_message_headers_replace (h, name, s);
      g_free (s);
    }
  }
}

static void
append_header (const char *name, const char *value, gpointer data)
{
  g_string_append_printf (data, "%s: %s\r\n", name, value);
}

/* A response head as libsoup writes it: status line, Date, then @h. */
gchar *
flu_http_head_serialize (const gchar * protocol, guint status,
    SoupMessageHeaders * h)
{
  GString *s = g_string_new (NULL);

  flu_http_head_start (s, protocol, status, NULL);
  soup_message_headers_foreach (h, append_header, s);
  g_string_append (s, "\r\n");
  return g_string_free (s, FALSE);
}
