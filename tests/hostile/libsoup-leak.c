/* gst-flumotion
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* A libsoup-only server (no GStreamer, no gst-flumotion code) that shows
 * libsoup 3.2.3 keeping one GSocket object (~350 bytes) for every
 * connection its listener accepts: run it, then churn it with flu-hostile
 * and watch its RSS and its socket counts.
 *
 *   libsoup-leak close|steal|keepalive [owned] &   # prints port=N
 *   flu-hostile --port N --churn 20000 --parallel 16 --seconds 60
 *   grep VmRSS /proc/<pid>/status             # before and after
 *   kill -USR1 <pid>     # prints "sockets: accepted A, finalized F"
 *
 * close: a 404 with "Connection: close"; steal: a 200 whose connection is
 * taken with soup_server_message_steal_connection() once the head is out
 * (what fluhttpsink does); keepalive: a 404 without "Connection: close"
 * (the client closes).
 *
 * The cause: soup-listener.c's listen_watch() gets a new GSocket from
 * g_socket_accept() (transfer full), gives it to
 * soup_server_connection_new() (which takes its own reference) and never
 * drops the one it got, so every accepted GSocket outlives its connection
 * (closed, but never finalized).  "accepted" counts the GSockets behind
 * the requests, "finalized" those that were freed: without "owned" the
 * second stays 0.  With "owned" the program accepts the connections
 * itself and gives them to libsoup with soup_server_accept_iostream()
 * (fluhttpsink's workaround): every GSocket is freed once its connection
 * is done. */

#include <libsoup/soup.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

static const gchar *mode = "close";
static guint accepted, finalized;

static void
socket_finalized (gpointer data, GObject * where)
{
  finalized++;
}

/* counts every GSocket once, from its first request */
static void
track (GSocket * sock)
{
  if (sock == NULL || g_object_get_data (G_OBJECT (sock), "tracked"))
    return;
  g_object_set_data (G_OBJECT (sock), "tracked", GINT_TO_POINTER (1));
  g_object_weak_ref (G_OBJECT (sock), socket_finalized, NULL);
  accepted++;
}

static void
wrote_headers (SoupServerMessage * msg, gpointer data)
{
  GIOStream *stream = soup_server_message_steal_connection (msg);

  if (stream) {
    g_io_stream_close (stream, NULL, NULL);
    g_object_unref (stream);
  }
}

static void
handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  track (soup_server_message_get_socket (msg));
  if (strcmp (mode, "steal") == 0) {
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    soup_message_headers_set_encoding (h, SOUP_ENCODING_EOF);
    g_signal_connect (msg, "wrote-headers", G_CALLBACK (wrote_headers), NULL);
    return;
  }
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  if (strcmp (mode, "close") == 0)
    soup_message_headers_replace (h, "Connection", "close");
}

/* "owned": accept here, hand the connection to libsoup */
static gboolean
accept_ready (GSocket * listener, GIOCondition cond, gpointer server)
{
  GSocket *sock;
  GSocketConnection *conn;
  GSocketAddress *local, *remote;

  while ((sock = g_socket_accept (listener, NULL, NULL))) {
    track (sock);
    conn = g_socket_connection_factory_create_connection (sock);
    local = g_socket_get_local_address (sock, NULL);
    remote = g_socket_get_remote_address (sock, NULL);
    if (local && remote)
      soup_server_accept_iostream (server, G_IO_STREAM (conn), local, remote,
          NULL);
    else
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
    g_clear_object (&local);
    g_clear_object (&remote);
    g_object_unref (conn);
    g_object_unref (sock);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
report (gpointer data)
{
  printf ("sockets: accepted %u, finalized %u\n", accepted, finalized);
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  GError *err = NULL;
  GSList *uris;
  gint port;

  if (argc > 1)
    mode = argv[1];
  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  g_unix_signal_add (SIGUSR1, report, NULL);
  if (argc > 2 && strcmp (argv[2], "owned") == 0) {
    GSocket *listener = g_socket_new (G_SOCKET_FAMILY_IPV4,
        G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &err);
    GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    GSocketAddress *sa = g_inet_socket_address_new (lo, 0), *bound;
    GSource *src;

    g_object_unref (lo);
    g_socket_set_listen_backlog (listener, 4096);
    if (!g_socket_bind (listener, sa, TRUE, &err)
        || !g_socket_listen (listener, &err)) {
      fprintf (stderr, "%s\n", err->message);
      return 1;
    }
    g_object_unref (sa);
    g_socket_set_blocking (listener, FALSE);
    bound = g_socket_get_local_address (listener, NULL);
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    g_object_unref (bound);
    src = g_socket_create_source (listener, G_IO_IN, NULL);
    g_source_set_callback (src, G_SOURCE_FUNC (accept_ready), server, NULL);
    g_source_attach (src, NULL);
  } else {
    if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
            &err)) {
      fprintf (stderr, "%s\n", err->message);
      return 1;
    }
    uris = soup_server_get_uris (server);
    port = g_uri_get_port (uris->data);
    g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  }
  printf ("port=%d\n", port);
  fflush (stdout);
  g_main_loop_run (g_main_loop_new (NULL, FALSE));
  return 0;
}
