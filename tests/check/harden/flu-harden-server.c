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

/* A live WebM stream served by fluhttpsink on an ephemeral port, as a
 * child process for the hardening tests (a program of this build, so it
 * loads the sanitized plugins of an ASan build, which gst-launch-1.0
 * cannot):
 *
 *   flu-harden-server [--nofile N] [--seconds S] [--bitrate KBIT] [PROPS]
 *
 * PROPS are fluhttpsink properties ("htpasswd=/f access-log=/l").  Prints
 * "port=N" once serving, then runs until SIGTERM/SIGINT or S seconds
 * (default 600), stops the pipeline and prints "stopped" (so that a
 * sanitized build checks for leaks at exit).  --nofile sets RLIMIT_NOFILE
 * (soft) first.  SIGPIPE keeps its default action: the server must never
 * raise it. */

#include <gst/gst.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_bus (GstBus * bus, GstMessage * m, gpointer loop)
{
  GError *err = NULL;

  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (m, &err, NULL);
    g_printerr ("error: %s\n", err->message);
    g_error_free (err);
    g_main_loop_quit (loop);
  }
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  gint nofile = 0, seconds = 600, kbit = 300, port = -1, i;
  gchar *props, *desc;
  GError *err = NULL;
  GstElement *pipeline, *sink;
  GMainLoop *loop;
  GstBus *bus;

  for (i = 1; i + 1 < argc && g_str_has_prefix (argv[i], "--"); i += 2) {
    gint v = atoi (argv[i + 1]);

    if (g_str_equal (argv[i], "--nofile"))
      nofile = v;
    else if (g_str_equal (argv[i], "--seconds"))
      seconds = v;
    else if (g_str_equal (argv[i], "--bitrate"))
      kbit = v;
    else {
      g_printerr ("unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (nofile > 0) {
    struct rlimit rl;

    getrlimit (RLIMIT_NOFILE, &rl);
    rl.rlim_cur = nofile;
    if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
      perror ("setrlimit");
  }
  gst_init (NULL, NULL);
  props = g_strjoinv (" ", argv + i);
  desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=25/1 ! "
      "vp8enc deadline=1 cpu-used=8 keyframe-max-dist=25 target-bitrate=%d"
      " ! webmmux streamable=true ! fluhttpsink name=sink port=0 %s",
      kbit * 1000, props);
  pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  g_free (props);
  if (pipeline == NULL) {
    g_printerr ("parse: %s\n", err->message);
    return 2;
  }
  loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_bus, loop);
  g_unix_signal_add (SIGTERM, quit, loop);
  g_unix_signal_add (SIGINT, quit, loop);
  g_timeout_add_seconds (seconds, quit, loop);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE) {
    g_object_get (sink, "current-port", &port, NULL);
    printf ("port=%d\n", port);
    fflush (stdout);
    g_main_loop_run (loop);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_main_loop_unref (loop);
  printf ("stopped\n");
  gst_deinit ();
  return port > 0 ? 0 : 1;
}
