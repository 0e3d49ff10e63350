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

/* The shared HTTP server (ext/soup/fluhttpserver.c) frees the GSocket of
 * every connection once the connection is done: refused ones (libsoup
 * closes them) and handed-over ones (stolen, as fluhttpsink does).
 * libsoup 3.2's own listener never freed them (~350 bytes per connection
 * for the life of the process); weak references count the GSockets that
 * were freed.  Deterministic, so it runs under AddressSanitizer too,
 * where RSS says nothing (harden/churn measures RSS in the normal
 * build). */

#include <gst/check/gstcheck.h>
#include <string.h>

#include "fluhttpserver.h"
#include "fluhttptest.h"

#define N_CONNECTIONS 200

static gint seen, freed;

static void
socket_freed (gpointer data, GObject * where)
{
  g_atomic_int_inc (&freed);
}

/* server thread: counts the GSocket behind @msg, once */
static void
track (SoupServerMessage * msg)
{
  GSocket *sock = flu_http_server_message_get_socket (msg);

  fail_unless (sock != NULL);
  if (g_object_get_data (G_OBJECT (sock), "seen"))
    return;
  g_object_set_data (G_OBJECT (sock), "seen", GINT_TO_POINTER (1));
  g_object_weak_ref (G_OBJECT (sock), socket_freed, NULL);
  g_atomic_int_inc (&seen);
}

static void
refuse (FluHttpServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  track (msg);
  flu_http_server_respond (msg, SOUP_STATUS_FORBIDDEN, NULL);
}

/* "wrote-headers": take the connection, as fluhttpsink's hand-over */
static void
take (SoupServerMessage * msg, gpointer data)
{
  GIOStream *stream = soup_server_message_steal_connection (msg);

  if (stream) {
    g_io_stream_close (stream, NULL, NULL);
    g_object_unref (stream);
  }
}

static void
accept_and_steal (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  track (msg);
  flu_http_server_set_common_headers (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers
      (msg), SOUP_ENCODING_EOF);
  g_signal_connect (msg, "wrote-headers", G_CALLBACK (take), NULL);
}

/* @n requests to @path: each GSocket is freed soon after its answer */
static void
check_sockets_freed (const gchar * path, guint expected_status)
{
  FluHttpServer *server;
  GError *err = NULL;
  guint port, i;
  gint64 deadline;

  g_atomic_int_set (&seen, 0);
  g_atomic_int_set (&freed, 0);
  server = flu_http_server_acquire ("127.0.0.1", 0, 10, &err);
  fail_unless (server != NULL, "%s", err ? err->message : "");
  port = flu_http_server_get_port (server);
  fail_unless (flu_http_server_add_mount (server, "/refuse", refuse, NULL,
          NULL));
  fail_unless (flu_http_server_add_mount (server, "/steal", accept_and_steal,
          NULL, NULL));

  for (i = 0; i < N_CONNECTIONS; i++)
    fail_unless_equals_int (http_status (port, path, NULL), expected_status);
  /* libsoup closes in the server thread after the answer went out */
  deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  while (g_atomic_int_get (&freed) < N_CONNECTIONS
      && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  GST_INFO ("%s: %d GSockets seen, %d freed", path, g_atomic_int_get (&seen),
      g_atomic_int_get (&freed));
  fail_unless_equals_int (g_atomic_int_get (&seen), N_CONNECTIONS);
  fail_unless_equals_int (g_atomic_int_get (&freed), N_CONNECTIONS);

  flu_http_server_remove_mount (server, "/refuse");
  flu_http_server_remove_mount (server, "/steal");
  flu_http_server_release (server);
}

GST_START_TEST (test_refused_sockets_freed)
{
  check_sockets_freed ("/refuse", SOUP_STATUS_FORBIDDEN);
}

GST_END_TEST;

GST_START_TEST (test_stolen_sockets_freed)
{
  check_sockets_freed ("/steal", SOUP_STATUS_OK);
}

GST_END_TEST;

static Suite *
fluhttpserver_suite (void)
{
  Suite *s = suite_create ("fluhttpserver");
  TCase *tc = tcase_create ("server");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_refused_sockets_freed);
  tcase_add_test (tc, test_stolen_sockets_freed);
  return s;
}

GST_CHECK_MAIN (fluhttpserver);
