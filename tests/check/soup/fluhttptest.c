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

#include "fluhttptest.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

gint
tcp_connect (const gchar * host, guint port)
{
  struct addrinfo hints = { 0 }, *res = NULL;
  gchar service[16];
  gint fd;

  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  g_snprintf (service, sizeof (service), "%u", port);
  if (getaddrinfo (host, service, &hints, &res) != 0)
    return -1;
  fd = socket (res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect (fd, res->ai_addr, res->ai_addrlen) < 0) {
    close (fd);
    fd = -1;
  }
  freeaddrinfo (res);
  return fd;
}

/* what http_get and http_write_get send */
static gchar *
get_request (const gchar * path, const gchar * headers)
{
  return g_strdup_printf ("GET %s HTTP/1.1\r\nHost: localhost\r\n"
      "User-Agent: flucheck\r\n%s\r\n", path, headers ? headers : "");
}

void
http_write_get (gint fd, const gchar * path, const gchar * headers)
{
  gchar *req = get_request (path, headers);

  fail_unless (write (fd, req, strlen (req)) == (gssize) strlen (req),
      "write: %s", g_strerror (errno));
  g_free (req);
}

gint
http_open_get (guint port, const gchar * path, const gchar * headers)
{
  gint fd = tcp_connect ("127.0.0.1", port);

  fail_unless (fd >= 0, "connect to port %u: %s", port, g_strerror (errno));
  http_write_get (fd, path, headers);
  return fd;
}

static void
parse_head (HttpResponse * r, GByteArray * data)
{
  guint8 *end = NULL;
  guint i;

  for (i = 0; i + 3 < data->len; i++) {
    if (memcmp (data->data + i, "\r\n\r\n", 4) == 0) {
      end = data->data + i;
      break;
    }
  }
  if (end == NULL)
    return;
  r->head = g_strndup ((gchar *) data->data, end - data->data);
  g_byte_array_append (r->body, end + 4, data->len - (end + 4 - data->data));
  if (g_str_has_prefix (r->head, "HTTP/1."))
    r->status = atoi (r->head + 9);
}

/* the Content-Length of @head, -1 if none (or a HEAD's: not known here) */
static gint64
content_length (const gchar * head)
{
  gchar *low = g_ascii_strdown (head, -1);
  const gchar *p = strstr (low, "\r\ncontent-length:");
  gint64 v = p ? g_ascii_strtoll (p + 17, NULL, 10) : -1;

  g_free (low);
  return v;
}

static gboolean
is_chunked (const gchar * head)
{
  gchar *low = g_ascii_strdown (head, -1);
  gboolean chunked = strstr (low, "\r\ntransfer-encoding: chunked") != NULL;

  g_free (low);
  return chunked;
}

/* @raw, a chunked body, decoded (NULL while its last chunk has not
 * come; malformed fails the test) */
static GByteArray *
dechunk (GByteArray * raw)
{
  const gchar *p = (const gchar *) raw->data, *end = p + raw->len;
  GByteArray *out;

  if (raw->len < 5 || memcmp (end - 4, "\r\n\r\n", 4) != 0)
    return NULL;
  out = g_byte_array_new ();
  while (TRUE) {
    gchar *after;
    guint64 n;
    const gchar *eol = g_strstr_len (p, end - p, "\r\n");

    if (eol == NULL) {
      g_byte_array_unref (out);
      return NULL;
    }
    n = g_ascii_strtoull (p, &after, 16);
    fail_unless (after > p && after <= eol, "bad chunk size line");
    p = eol + 2;
    if (n == 0)
      break;
    if ((guint64) (end - p) < n + 2) {
      g_byte_array_unref (out);
      return NULL;
    }
    fail_unless (memcmp (p + n, "\r\n", 2) == 0, "no CRLF after a chunk");
    g_byte_array_append (out, (const guint8 *) p, n);
    p += n + 2;
  }
  if (end - p != 2 || memcmp (p, "\r\n", 2) != 0) {
    g_byte_array_unref (out);
    return NULL;
  }
  return out;
}

static gboolean
kept_alive (const gchar * head)
{
  gchar *low = g_ascii_strdown (head, -1);
  gboolean keep = strstr (low, "\r\nconnection: close") == NULL;

  g_free (low);
  return keep;
}

HttpResponse *
http_request (const gchar * host, guint port, const gchar * request,
    gsize body_max, guint timeout_ms)
{
  HttpResponse *r = g_new0 (HttpResponse, 1);
  GByteArray *data = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  gint fd = tcp_connect (host, port);

  r->body = g_byte_array_new ();
  if (fd < 0) {
    g_byte_array_unref (data);
    r->closed = TRUE;
    return r;
  }
  if (write (fd, request, strlen (request)) < 0)
    GST_WARNING ("write: %s", g_strerror (errno));
  while (TRUE) {
    struct pollfd p = { fd, POLLIN, 0 };
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    guint8 buf[16384];
    ssize_t n;

    if (left <= 0 || poll (&p, 1, left) <= 0)
      break;
    n = read (fd, buf, sizeof (buf));
    if (n <= 0) {
      r->closed = TRUE;
      break;
    }
    if (r->head) {
      g_byte_array_append (r->body, buf, n);
    } else {
      g_byte_array_append (data, buf, n);
      parse_head (r, data);
    }
    if (r->head && r->body->len >= body_max)
      break;
    /* a chunked answer: its body decoded, once its last chunk came */
    if (r->head && is_chunked (r->head)) {
      GByteArray *body = dechunk (r->body);

      if (body) {
        g_byte_array_unref (r->body);
        r->body = body;
        r->chunked = TRUE;
        break;
      }
    }
    /* a complete answer on a kept-alive connection (fluhlssink's): the
     * server does not close it */
    if (r->head && kept_alive (r->head) &&
        (g_str_has_prefix (request, "HEAD ") ||
            (content_length (r->head) >= 0 &&
                r->body->len >= (gsize) content_length (r->head))))
      break;
  }
  close (fd);
  if (r->head == NULL)
    parse_head (r, data);
  g_byte_array_unref (data);
  return r;
}

HttpResponse *
http_get (guint port, const gchar * path, const gchar * headers,
    gsize body_max, guint timeout_ms)
{
  gchar *req = get_request (path, headers);
  HttpResponse *r = http_request ("127.0.0.1", port, req, body_max,
      timeout_ms);

  g_free (req);
  return r;
}

gchar *
http_body_text (HttpResponse * r)
{
  return g_strndup ((const gchar *) r->body->data, r->body->len);
}

gchar *
http_get_text (guint port, const gchar * path, guint timeout_ms)
{
  HttpResponse *r = http_get (port, path, NULL, 1 << 20, timeout_ms);
  gchar *t;

  fail_unless_equals_int (r->status, 200);
  t = http_body_text (r);
  http_response_free (r);
  return t;
}

void
http_response_free (HttpResponse * r)
{
  g_free (r->head);
  g_byte_array_unref (r->body);
  g_free (r);
}

guint
http_status (guint port, const gchar * path, const gchar * headers)
{
  HttpResponse *r = http_get (port, path, headers, 4, 10000);
  guint status = r->status;

  http_response_free (r);
  return status;
}

gchar *
http_basic_header (const gchar * user, const gchar * password)
{
  gchar *plain = g_strdup_printf ("%s:%s", user, password);
  gchar *b64 = g_base64_encode ((guchar *) plain, strlen (plain));
  gchar *h = g_strdup_printf ("Authorization: Basic %s\r\n", b64);

  g_free (b64);
  g_free (plain);
  return h;
}

gchar *
http_header (HttpResponse * r, const gchar * name)
{
  gchar **lines, **l, *value = NULL;
  gsize len = strlen (name);

  if (r->head == NULL)
    return NULL;
  lines = g_strsplit (r->head, "\r\n", -1);
  for (l = lines + 1; *l && value == NULL; l++)
    if (g_ascii_strncasecmp (*l, name, len) == 0 && (*l)[len] == ':')
      value = g_strstrip (g_strdup (*l + len + 1));
  g_strfreev (lines);
  return value;
}

GstElement *
start_webm_pipeline (const gchar * props, GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=10 cpu-used=8 ! "
      "webmmux streamable=true ! fluhttpsink name=sink port=0 %s",
      props ? props : "");
  GstElement *p = start_pipeline (desc, NULL, sink);

  g_free (desc);
  fail_if (gst_element_get_state (p, NULL, NULL, 10 * GST_SECOND) ==
      GST_STATE_CHANGE_FAILURE);
  return p;
}

void
stop_pipeline (GstElement * pipeline)
{
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

guint
sink_port (GstElement * sink)
{
  gint port = -1;

  g_object_get (sink, "current-port", &port, NULL);
  fail_unless (port > 0);
  return port;
}

GstStructure *
wait_element_message (GstElement * pipeline, const gchar * name,
    guint timeout_ms)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  GstStructure *found = NULL;

  while (found == NULL) {
    gint64 left = deadline - g_get_monotonic_time ();
    GstMessage *m;

    if (left <= 0)
      break;
    m = gst_bus_timed_pop_filtered (bus, left * 1000, GST_MESSAGE_ELEMENT);
    if (m == NULL)
      break;
    if (gst_message_has_name (m, name))
      found = gst_structure_copy (gst_message_get_structure (m));
    gst_message_unref (m);
  }
  gst_object_unref (bus);
  return found;
}

gboolean
wait_stats_uint (GstElement * sink, const gchar * field, guint value,
    guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  do {
    GstStructure *s = NULL;
    guint v = G_MAXUINT;

    g_object_get (sink, "stats", &s, NULL);
    if (s) {
      gst_structure_get_uint (s, field, &v);
      gst_structure_free (s);
    }
    if (v == value)
      return TRUE;
    g_usleep (20000);
  } while (g_get_monotonic_time () < deadline);
  return FALSE;
}

/* promtool's verdict on @text: fails the test when promtool is missing
 * (Debian package prometheus) or finds a problem */
void
promtool_check (const gchar * text)
{
  gchar *promtool = g_find_program_in_path ("promtool");
  GSubprocess *proc;
  GError *err = NULL;
  gchar *out = NULL, *errs = NULL;

  fail_unless (promtool != NULL, "promtool is missing: apt-get install "
      "prometheus (scripts/deps.d/soup.txt)");
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &err,
      promtool, "check", "metrics", NULL);
  fail_unless (proc != NULL, "%s", err ? err->message : "?");
  fail_unless (g_subprocess_communicate_utf8 (proc, text, NULL, &out, &errs,
          &err), "%s", err ? err->message : "?");
  fail_unless (g_subprocess_wait (proc, NULL, NULL));
  fail_unless (g_subprocess_get_if_exited (proc));
  fail_unless (g_subprocess_get_exit_status (proc) == 0 && *errs == '\0' &&
      *out == '\0', "promtool (exit %d): %s%s\n%s",
      g_subprocess_get_exit_status (proc), out, errs, text);
  g_free (out);
  g_free (errs);
  g_object_unref (proc);
  g_free (promtool);
}

void
rotate_log_on_sighup (const gchar * log, const gchar * rotated)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  fail_unless (g_rename (log, rotated) == 0);
  raise (SIGHUP);
  while (!g_file_test (log, G_FILE_TEST_EXISTS)) {
    fail_unless (g_get_monotonic_time () < deadline,
        "%s not reopened after SIGHUP", log);
    g_usleep (20000);
  }
}

gchar *
wait_file_contains (const gchar * path, const gchar * needle, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  gchar *text;

  for (;;) {
    text = NULL;
    if (g_file_get_contents (path, &text, NULL, NULL)
        && strstr (text, needle) != NULL)
      return text;
    fail_unless (g_get_monotonic_time () < deadline, "no '%s' in %s: %s",
        needle, path, text ? text : "(unreadable)");
    g_free (text);
    g_usleep (20000);
  }
}

GstElement *
start_pipeline (const gchar * desc, GstElement ** src, GstElement ** sink)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);

  fail_unless (p != NULL, "parse: %s", err ? err->message : "?");
  g_clear_error (&err);
  if (sink) {
    *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
    fail_unless (*sink != NULL);
    gst_object_unref (*sink);
  }
  if (src) {
    *src = gst_bin_get_by_name (GST_BIN (p), "src");
    fail_unless (*src != NULL);
    gst_object_unref (*src);
  }
  fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  return p;
}

gboolean
wait_eos (GstElement * p, guint timeout_s)
{
  GstBus *bus = gst_element_get_bus (p);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, timeout_s * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gboolean eos = m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS;

  if (m && !eos) {
    GError *err;

    gst_message_parse_error (m, &err, NULL);
    GST_WARNING ("error: %s", err->message);
    g_error_free (err);
  }
  if (m)
    gst_message_unref (m);
  gst_object_unref (bus);
  return eos;
}

/* field @field of @element's stats, of @type, into @out (unset it) */
static void
stats_value (GstElement * element, const gchar * field, GType type,
    GValue * out)
{
  GstStructure *s;
  const GValue *v;

  g_object_get (element, "stats", &s, NULL);
  v = gst_structure_get_value (s, field);
  fail_unless (v != NULL && G_VALUE_HOLDS (v, type), "no %s %s", field,
      g_type_name (type));
  g_value_init (out, type);
  g_value_copy (v, out);
  gst_structure_free (s);
}

guint64
stats_u64 (GstElement * element, const gchar * field)
{
  GValue v = G_VALUE_INIT;
  guint64 n;

  stats_value (element, field, G_TYPE_UINT64, &v);
  n = g_value_get_uint64 (&v);
  g_value_unset (&v);
  return n;
}

guint
stats_uint (GstElement * element, const gchar * field)
{
  GValue v = G_VALUE_INIT;
  guint n;

  stats_value (element, field, G_TYPE_UINT, &v);
  n = g_value_get_uint (&v);
  g_value_unset (&v);
  return n;
}

void
remove_tree (const gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d))) {
    gchar *p = g_build_filename (dir, name, NULL);

    if (g_file_test (p, G_FILE_TEST_IS_DIR) &&
        !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
      remove_tree (p);
    else
      g_unlink (p);
    g_free (p);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
}

GstElement *
start_appsrc_pipeline (const gchar * caps, const gchar * props,
    GstElement ** src, GstElement ** sink)
{
  gchar *desc = g_strdup_printf ("appsrc name=src format=time%s%s ! "
      "fluhttpsink name=sink port=0 %s", caps ? " caps=" : "",
      caps ? caps : "", props ? props : "");
  GstElement *p = start_pipeline (desc, src, sink);

  g_free (desc);
  return p;
}

void
expect_ready_failure (const gchar * factory, guint port,
    const gchar * mount_point)
{
  GstElement *p = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("fakesrc", NULL);
  GstElement *e = gst_element_factory_make (factory, NULL);

  fail_unless (src && e);
  gst_bin_add_many (GST_BIN (p), src, e, NULL);
  fail_unless (gst_element_link (src, e));
  g_object_set (e, "port", port, "mount-point", mount_point, NULL);
  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

/* ---- a raw client on one kept connection ---- */

Client *
client_new (guint port)
{
  Client *c = g_new0 (Client, 1);

  c->fd = tcp_connect ("127.0.0.1", port);
  fail_unless (c->fd >= 0);
  c->buf = g_byte_array_new ();
  return c;
}

void
client_free (Client * c)
{
  close (c->fd);
  g_byte_array_unref (c->buf);
  g_free (c);
}

void
answer_free (Answer * a)
{
  g_free (a->head);
  g_byte_array_unref (a->body);
  g_free (a);
}

gboolean
client_fill (Client * c)
{
  struct pollfd pfd = { c->fd, POLLIN, 0 };
  guint8 tmp[65536];
  gssize n;

  if (poll (&pfd, 1, 15000) <= 0)
    return FALSE;
  n = recv (c->fd, tmp, sizeof (tmp), 0);
  if (n <= 0)
    return FALSE;
  g_byte_array_append (c->buf, tmp, n);
  return TRUE;
}

gchar *
answer_header (Answer * a, const gchar * name)
{
  gchar **lines = g_strsplit (a->head, "\r\n", -1), *v = NULL;
  guint i;

  for (i = 1; lines[i] && v == NULL; i++) {
    gchar *colon = strchr (lines[i], ':');

    if (colon && (gsize) (colon - lines[i]) == strlen (name) &&
        g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0)
      v = g_strstrip (g_strdup (colon + 1));
  }
  g_strfreev (lines);
  return v;
}

Answer *
client_read (Client * c, gboolean head_only)
{
  Answer *a = g_new0 (Answer, 1);
  gchar *end, *cl;
  gsize head_len, body_len;

  for (;;) {
    end = c->buf->len ? g_strstr_len ((gchar *) c->buf->data, c->buf->len,
        "\r\n\r\n") : NULL;
    if (end)
      break;
    fail_unless (client_fill (c), "no answer head");
  }
  head_len = end - (gchar *) c->buf->data + 4;
  a->head = g_strndup ((gchar *) c->buf->data, head_len);
  fail_unless (g_str_has_prefix (a->head, "HTTP/1."), "%s", a->head);
  a->status = atoi (a->head + 9);
  cl = answer_header (a, "Content-Length");
  fail_unless (cl != NULL, "no Content-Length: %s", a->head);
  body_len = head_only ? 0 : g_ascii_strtoull (cl, NULL, 10);
  g_free (cl);
  g_byte_array_remove_range (c->buf, 0, head_len);
  while (c->buf->len < body_len)
    fail_unless (client_fill (c), "body cut at %u of %u", c->buf->len,
        (guint) body_len);
  a->body = g_byte_array_new ();
  g_byte_array_append (a->body, c->buf->data, body_len);
  g_byte_array_remove_range (c->buf, 0, body_len);
  return a;
}

void
wait_closed (Client * c)
{
  struct pollfd pfd = { c->fd, POLLIN, 0 };
  guint8 tmp[256];

  fail_unless_equals_int (c->buf->len, 0);
  fail_unless (poll (&pfd, 1, 15000) == 1, "not closed");
  fail_unless (recv (c->fd, tmp, sizeof (tmp), 0) == 0, "more data");
}

gchar *
last_uri (const gchar * pl, const gchar * prefix)
{
  gchar **lines = g_strsplit (pl, "\n", -1), *found = NULL;
  guint i;

  for (i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix)) {
      const gchar *u = strstr (lines[i], "URI=\"");

      g_free (found);
      if (u)
        found = g_strndup (u + 5, strchr (u + 5, '"') - (u + 5));
      else
        found = g_strdup (lines[i]);
    }
  g_strfreev (lines);
  return found;
}

GPtrArray *
playlist_uris (const gchar * pl)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gchar **lines = g_strsplit (pl, "\n", -1);
  guint i;

  for (i = 0; lines[i]; i++) {
    const gchar *a = lines[i];

    if (*a == '\0')
      continue;
    if (*a != '#') {
      g_ptr_array_add (out, g_strdup (a));
      continue;
    }
    while ((a = strstr (a, "URI=\""))) {
      const gchar *close = strchr (a + 5, '"');

      fail_unless (close != NULL, "%s", lines[i]);
      g_ptr_array_add (out, g_strndup (a + 5, close - a - 5));
      a = close;
    }
  }
  g_strfreev (lines);
  return out;
}

gchar *
head_undated (const gchar * head)
{
  gchar **lines = g_strsplit (head, "\r\n", -1);
  GString *h = g_string_new (NULL);
  gboolean dated = FALSE;
  guint i;

  for (i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "Date: ")) {
      dated = TRUE;
      continue;
    }
    g_string_append (h, lines[i]);
    g_string_append (h, "\r\n");
  }
  g_strfreev (lines);
  fail_unless (dated, "no Date: %s", head);
  return g_string_free (h, FALSE);
}
