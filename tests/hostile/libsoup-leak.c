/* gst-flumotion
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* A libsoup-only server (no GStreamer, no gst-flumotion code) that shows
 * libsoup 3.2.3 keeping memory for every connection it closes or hands
 * over: run it, then churn it with flu-hostile and watch its RSS.
 *
 *   libsoup-leak close|steal|keepalive &      # prints port=N
 *   flu-hostile --port N --churn 20000 --parallel 16 --seconds 60
 *   grep VmRSS /proc/<pid>/status             # before and after
 *
 * close: a 404 with "Connection: close"; steal: a 200 whose connection is
 * taken with soup_server_message_steal_connection() once the head is out
 * (what fluhttpsink does); keepalive: a 404 without "Connection: close"
 * (the client closes). */

#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

static const gchar *mode = "close";

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

int
main (int argc, char **argv)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  GError *err = NULL;
  GSList *uris;

  if (argc > 1)
    mode = argv[1];
  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &err)) {
    fprintf (stderr, "%s\n", err->message);
    return 1;
  }
  uris = soup_server_get_uris (server);
  printf ("port=%d\n", g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (g_main_loop_new (NULL, FALSE));
  return 0;
}
