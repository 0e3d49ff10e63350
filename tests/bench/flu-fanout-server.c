/* gst-flumotion benchmark and demo server
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Serves one stream through a multi-fd sink to every TCP connection it
 * accepts, so the same stream can be measured through flumultifdsink, the
 * stock multifdsink and the stock multisocketsink.
 *
 *   flu-fanout-server [--sink NAME] [--port N] [--http]
 *       [--bitrate BPS] [--gop N] [--fps N] [--pipeline DESC]
 *       [--set prop=value]...
 *
 * The stream is either synthetic (appsrc: --bitrate bits/s at --fps
 * buffers/s, a keyframe every --gop buffers, the keyframe 4x larger) or
 * a gst-launch description (--pipeline) whose last element's src pad feeds
 * the sink.  With --http each connection first gets an HTTP/1.0 200 head
 * (after the request line and headers are read), so browsers and curl
 * can watch.  The chosen port is printed as "PORT <n>" on stdout. */

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gio/gio.h>
#include <glib-unix.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

static gchar *sink_name = (gchar *) "flumultifdsink";
static gint port = 0;
static gboolean http = FALSE;
static gint bitrate = 2000000;
static gint gop = 50;
static gint fps = 25;
static gchar *pipeline_desc = NULL;
static gchar **sets = NULL;
static gchar *content_type = (gchar *) "video/webm";

static GstElement *sink;
static gboolean socket_api;     /* multisocketsink: add takes a GSocket */
static GMainLoop *loop;

static GOptionEntry entries[] = {
  {"sink", 0, 0, G_OPTION_ARG_STRING, &sink_name,
      "flumultifdsink, multifdsink or multisocketsink", "NAME"},
  {"port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port (0 = any)", "N"},
  {"http", 0, 0, G_OPTION_ARG_NONE, &http,
      "Answer each connection with an HTTP 200 head first", NULL},
  {"content-type", 0, 0, G_OPTION_ARG_STRING, &content_type,
      "Content-Type of the HTTP answer", "TYPE"},
  {"bitrate", 0, 0, G_OPTION_ARG_INT, &bitrate,
      "Synthetic stream bitrate in bits/s", "BPS"},
  {"gop", 0, 0, G_OPTION_ARG_INT, &gop, "Keyframe every N buffers", "N"},
  {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "Buffers per second", "N"},
  {"pipeline", 0, 0, G_OPTION_ARG_STRING, &pipeline_desc,
        "gst-launch description of the source instead of the synthetic one",
      "DESC"},
  {"set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "Set a sink property (repeatable)", "PROP=VALUE"},
  {NULL}
};

/* ------------------------------------------------------------------ */
/* synthetic stream */

static gpointer
feeder (gpointer data)
{
  GstAppSrc *src = data;
  gsize delta_size, key_size;
  guint64 n = 0;
  gint64 start = g_get_monotonic_time ();

  /* bytes per gop = bitrate/8 * gop/fps = (gop-1)*d + 4*d */
  delta_size = (gsize) ((gint64) bitrate / 8 * gop / fps / (gop + 3));
  delta_size = MAX (delta_size, 64);
  key_size = 4 * delta_size;
  for (;;) {
    gsize size = (n % gop == 0) ? key_size : delta_size;
    GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
    gint64 due = start + (gint64) (n * G_USEC_PER_SEC / fps), now;

    gst_buffer_memset (buf, 0, (guint8) n, size);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (n, GST_SECOND, fps);
    GST_BUFFER_DURATION (buf) = GST_SECOND / fps;
    if (n % gop != 0)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
    if (gst_app_src_push_buffer (src, buf) != GST_FLOW_OK)
      break;
    n++;
    now = g_get_monotonic_time ();
    if (due > now)
      g_usleep (due - now);
  }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* clients */

static void
on_fd_removed (GstElement * s, gint fd, gpointer user_data)
{
  close (fd);
}

static void
on_socket_removed (GstElement * s, GSocket * socket, gpointer user_data)
{
  g_socket_close (socket, NULL);
}

static void
hand_over (gint fd)
{
  if (socket_api) {
    GSocket *socket = g_socket_new_from_fd (fd, NULL);

    if (socket == NULL) {
      close (fd);
      return;
    }
    g_signal_emit_by_name (sink, "add", socket);
    g_object_unref (socket);
  } else {
    g_signal_emit_by_name (sink, "add", fd);
  }
}

/* Read the request head (bounded), answer 200, hand the socket over. */
static gpointer
http_client (gpointer data)
{
  gint fd = GPOINTER_TO_INT (data);
  gchar buf[4096];
  gsize have = 0;
  gchar *head;

  while (have < sizeof (buf) - 1) {
    ssize_t r = read (fd, buf + have, sizeof (buf) - 1 - have);

    if (r <= 0) {
      close (fd);
      return NULL;
    }
    have += r;
    buf[have] = '\0';
    if (strstr (buf, "\r\n\r\n") || strstr (buf, "\n\n"))
      break;
  }
  head = g_strdup_printf ("HTTP/1.0 200 OK\r\nContent-Type: %s\r\n"
      "Cache-Control: no-cache\r\nConnection: close\r\n\r\n", content_type);
  if (write (fd, head, strlen (head)) < 0) {
    g_free (head);
    close (fd);
    return NULL;
  }
  g_free (head);
  hand_over (fd);
  return NULL;
}

static gboolean
on_accept (GSocket * listener, GIOCondition cond, gpointer user_data)
{
  for (;;) {
    GSocket *client = g_socket_accept (listener, NULL, NULL);
    gint fd;

    if (client == NULL)
      break;
    fd = dup (g_socket_get_fd (client));
    g_object_unref (client);
    if (fd < 0)
      continue;
    if (http)
      g_thread_unref (g_thread_new ("http-client", http_client,
              GINT_TO_POINTER (fd)));
    else
      hand_over (fd);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx;
  GError *err = NULL;
  GstElement *pipeline, *src = NULL;
  GSocket *listener;
  GSocketAddress *addr;
  GSource *source;
  GThread *feed_thread = NULL;
  guint i;

  ctx = g_option_context_new ("- serve one stream to every TCP client");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  signal (SIGPIPE, SIG_IGN);

  sink = gst_element_factory_make (sink_name, "sink");
  if (sink == NULL) {
    g_printerr ("no element '%s': is the plugin built and on "
        "GST_PLUGIN_PATH?\n", sink_name);
    return 1;
  }
  socket_api = g_str_equal (sink_name, "multisocketsink");
  g_object_set (sink, "sync", FALSE, NULL);
  for (i = 0; sets && sets[i]; i++) {
    gchar **kv = g_strsplit (sets[i], "=", 2);

    if (kv[0] && kv[1])
      gst_util_set_object_arg (G_OBJECT (sink), kv[0], kv[1]);
    g_strfreev (kv);
  }
  g_signal_connect (sink, socket_api ? "client-socket-removed" :
      "client-fd-removed", socket_api ? G_CALLBACK (on_socket_removed) :
      G_CALLBACK (on_fd_removed), NULL);

  if (pipeline_desc) {
    GstElement *bin = gst_parse_bin_from_description (pipeline_desc, TRUE,
        &err);

    if (bin == NULL) {
      g_printerr ("bad pipeline: %s\n", err->message);
      return 2;
    }
    pipeline = gst_pipeline_new ("server");
    gst_bin_add_many (GST_BIN (pipeline), bin, sink, NULL);
    if (!gst_element_link (bin, sink)) {
      g_printerr ("could not link the pipeline to the sink\n");
      return 2;
    }
  } else {
    pipeline = gst_pipeline_new ("server");
    src = gst_element_factory_make ("appsrc", "src");
    g_object_set (src, "is-live", TRUE, "format", GST_FORMAT_TIME,
        "max-bytes", (guint64) 4 * 1024 * 1024, "block", TRUE, NULL);
    gst_app_src_set_caps (GST_APP_SRC (src),
        gst_caps_new_empty_simple ("application/x-flu-bench"));
    gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
    gst_element_link (src, sink);
  }

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &err);
  g_socket_set_blocking (listener, FALSE);
  g_socket_set_option (listener, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
  addr = g_inet_socket_address_new_from_string ("0.0.0.0", port);
  if (!g_socket_bind (listener, addr, TRUE, &err)
      || (g_socket_set_listen_backlog (listener, 4096), FALSE)
      || !g_socket_listen (listener, &err)) {
    g_printerr ("cannot listen on port %d: %s\n", port, err->message);
    return 1;
  }
  g_object_unref (addr);
  addr = g_socket_get_local_address (listener, NULL);
  g_print ("PORT %u\n",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr)));
  g_object_unref (addr);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("the pipeline would not start\n");
    return 1;
  }
  if (src)
    feed_thread = g_thread_new ("feeder", feeder, src);

  loop = g_main_loop_new (NULL, FALSE);
  source = g_socket_create_source (listener, G_IO_IN, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_accept), NULL, NULL);
  g_source_attach (source, NULL);
  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);
  g_main_loop_run (loop);

  if (src)
    gst_app_src_end_of_stream (GST_APP_SRC (src));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (feed_thread)
    g_thread_join (feed_thread);
  gst_object_unref (pipeline);
  g_source_destroy (source);
  g_source_unref (source);
  g_object_unref (listener);
  g_main_loop_unref (loop);
  return 0;
}
