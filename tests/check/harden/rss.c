/* gst-flumotion: memory of a queuing element stays bounded
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* flu-rss ELEMENT CONSUMER
 *
 * Runs raw 640x360 I420 video (videotestsrc is-live=true, 25 fps, 8.64 MB/s)
 * into ELEMENT (flumultifdsink, fluhttpsink or flufeedsink) with its
 * properties set in the NULL state, for FLU_RSS_SECONDS seconds (default
 * 60), with CONSUMER:
 *   none     nobody reads the stream;
 *   stalled  one consumer that connects and never reads a byte (for
 *            flumultifdsink a socketpair end added with "add").
 * fluhlssink takes MPEG-TS: the same video as noise (the costliest to
 * encode and keep), H.264 at 4 Mbit/s in 1 s segments; its stalled
 * consumer reads the playlist once, then asks for a segment and never
 * reads the answer.
 * Fails when the process's RSS grows above its level after the first two
 * seconds by more than the bound the element documents: what the queue
 * may hold (the properties' burst/minimum with no consumer; with a
 * stalled one the 64 MiB backlog-limit, which is tighter than units-max
 * for this stream) plus a fixed allowance for buffer pools and the
 * allocator.  Prints the figures in every case. */

#include <gst/gst.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define RATE (640 * 360 * 3 / 2 * 25)   /* bytes per second of the stream */
#define HLS_RATE (4000 * 1000 / 8)      /* x264enc bitrate=4000 */
#define HLS_SEGMENTS 6          /* max-segments */
#define MIB (1024 * 1024)
#define BACKLOG_LIMIT (64 * MIB)        /* the engine's default */
/* buffer pools, the allocator's slack, libsoup and GLib caches */
#define ALLOWANCE (16 * MIB)

#if defined(__SANITIZE_ADDRESS__)
/* a small quarantine: freed buffers must not look like a leak of RSS */
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "quarantine_size_mb=8:detect_leaks=1";
}
#endif

static glong
rss_bytes (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  gchar line[256];
  glong kb = -1;

  if (f == NULL)
    return -1;
  while (fgets (line, sizeof (line), f))
    if (sscanf (line, "VmRSS: %ld kB", &kb) == 1)
      break;
  fclose (f);
  return kb * 1024;
}

static gint
connect_local (gint port)
{
  struct sockaddr_in sa;
  gint fd = socket (AF_INET, SOCK_STREAM, 0), small = 16 * 1024;

  if (fd < 0)
    return -1;
  /* a small receive window: the kernel's share stays small too */
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof (small));
  memset (&sa, 0, sizeof (sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &sa, sizeof (sa)) < 0) {
    close (fd);
    return -1;
  }
  return fd;
}

/* fluhlssink's stalled consumer: read the playlist (once a segment is
 * listed), then on *@fd ask for its first segment and never read */
static gboolean
stall_on_segment (gint port, gint * fd)
{
  gchar *segment = NULL, *req;
  gint i;

  for (i = 0; i < 100 && segment == NULL; i++) {
    gint c = connect_local (port);
    GString *answer = g_string_new (NULL);
    const gchar *get = "GET /rss/index.m3u8 HTTP/1.1\r\nHost: l\r\n"
        "Connection: close\r\n\r\n";
    gchar buf[4096], **lines;
    gssize n;
    guint j;

    if (c >= 0 && write (c, get, strlen (get)) == (gssize) strlen (get))
      while ((n = read (c, buf, sizeof (buf))) > 0)
        g_string_append_len (answer, buf, n);
    if (c >= 0)
      close (c);
    lines = g_strsplit (answer->str, "\n", -1);
    for (j = 0; lines[j] && segment == NULL; j++) {
      g_strstrip (lines[j]);
      if (g_str_has_suffix (lines[j], ".ts") && lines[j][0] != '#')
        segment = g_strdup (lines[j]);
    }
    g_strfreev (lines);
    g_string_free (answer, TRUE);
    if (segment == NULL)
      g_usleep (200000);
  }
  if (segment == NULL) {
    g_printerr ("no segment listed in /rss/index.m3u8\n");
    return FALSE;
  }
  *fd = connect_local (port);
  req = g_strdup_printf ("GET %s%s HTTP/1.1\r\nHost: l\r\n\r\n",
      segment[0] == '/' ? "" : "/rss/", segment);
  if (*fd < 0 || write (*fd, req, strlen (req)) != (gssize) strlen (req)) {
    g_printerr ("could not ask for %s\n", segment);
    g_free (req);
    g_free (segment);
    return FALSE;
  }
  g_print ("stalled on %s\n", segment);
  g_free (req);
  g_free (segment);
  return TRUE;
}

static gboolean
bus_error (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *m;
  gboolean err = FALSE;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    GError *e = NULL;

    gst_message_parse_error (m, &e, NULL);
    g_printerr ("pipeline error: %s\n", e->message);
    g_clear_error (&e);
    gst_message_unref (m);
    err = TRUE;
  }
  gst_object_unref (bus);
  return err;
}

int
main (int argc, char **argv)
{
  const gchar *element, *consumer, *env;
  gchar *desc, *full;
  GstElement *pipeline, *sink;
  GError *error = NULL;
  gint seconds = 60, fds[2] = { -1, -1 }, i, ret = 0;
  glong baseline = -1, peak = 0, now, kept, bound;
  gboolean stalled;

  gst_init (&argc, &argv);
  if (argc != 3) {
    g_printerr ("usage: %s flumultifdsink|fluhttpsink|flufeedsink|"
        "fluhlssink none|stalled\n", argv[0]);
    return 2;
  }
  element = argv[1];
  consumer = argv[2];
  stalled = g_str_equal (consumer, "stalled");
  if ((env = g_getenv ("FLU_RSS_SECONDS")) && atoi (env) > 2)
    seconds = atoi (env);

  /* every property in the launch line: set in NULL */
  if (g_str_equal (element, "flumultifdsink")) {
    desc = g_strdup ("flumultifdsink name=sink sync-method=burst-keyframe "
        "burst-format=time burst-value=1000000000 time-min=1000000000");
    kept = RATE;                /* time-min and the burst: 1 s */
  } else if (g_str_equal (element, "fluhttpsink")) {
    desc = g_strdup ("fluhttpsink name=sink port=0 mount-point=/rss "
        "burst-on-connect=true burst-time=1000000000");
    kept = RATE;                /* the burst: 1 s */
  } else if (g_str_equal (element, "fluhlssink")) {
    desc = g_strdup ("x264enc tune=zerolatency speed-preset=ultrafast "
        "key-int-max=25 bitrate=4000 ! mpegtsmux ! fluhlssink name=sink "
        "port=0 mount-point=/rss/ target-duration=1 max-segments=6");
    /* the window, (max-segments + 1) segments of 1 s, with room for the
     * encoder overshooting its bitrate twice; a stalled reader holds one
     * more segment at most, whatever the stalled case adds below */
    kept = 2 * (HLS_SEGMENTS + 2) * HLS_RATE;
  } else if (g_str_equal (element, "flufeedsink")) {
    desc = g_strdup ("flufeedsink name=sink port=0 max-lag=20000000000");
    kept = RATE / 25;           /* the latest keyframe: every frame is one */
  } else {
    g_printerr ("unknown element %s\n", element);
    return 2;
  }
  /* with a stalled consumer the backlog limit is the bound (units-max,
   * 30 s for fluhttpsink, 20 s here for flufeedsink, is looser) */
  if (g_str_equal (element, "fluhlssink"))
    bound = kept + ALLOWANCE;   /* no backlog: the window is the bound */
  else
    bound = (stalled ? MAX (BACKLOG_LIMIT, kept) + kept : kept) + ALLOWANCE;

  full = g_strdup_printf ("videotestsrc is-live=true%s ! "
      "video/x-raw,format=I420,width=640,height=360,framerate=25/1 ! %s",
      g_str_equal (element, "fluhlssink") ? " pattern=snow" : "", desc);
  pipeline = gst_parse_launch (full, &error);
  g_free (full);
  g_free (desc);
  if (pipeline == NULL) {
    g_printerr ("could not build the pipeline: %s\n", error->message);
    g_clear_error (&error);
    return 1;
  }
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE
      || gst_element_get_state (pipeline, NULL, NULL,
          10 * GST_SECOND) == GST_STATE_CHANGE_FAILURE) {
    g_printerr ("the pipeline did not start\n");
    bus_error (pipeline);
    ret = 1;
    goto done;
  }

  if (stalled) {
    if (g_str_equal (element, "flumultifdsink")) {
      if (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) < 0) {
        g_printerr ("socketpair: %s\n", g_strerror (errno));
        ret = 1;
        goto done;
      }
      g_signal_emit_by_name (sink, "add", fds[0]);
    } else {
      gint port = -1;
      const gchar *get = "GET /rss HTTP/1.1\r\nHost: localhost\r\n\r\n";

      for (i = 0; i < 100 && port <= 0; i++) {
        if (!g_str_equal (element, "flufeedsink"))
          g_object_get (sink, "current-port", &port, NULL);
        else {
          guint p;

          g_object_get (sink, "current-port", &p, NULL);
          port = (gint) p;
        }
        if (port <= 0)
          g_usleep (50000);
      }
      if (g_str_equal (element, "fluhlssink")) {
        if (!stall_on_segment (port, &fds[1])) {
          ret = 1;
          goto done;
        }
      } else
        fds[1] = port > 0 ? connect_local (port) : -1;
      if (fds[1] < 0) {
        g_printerr ("could not connect to the element (port %d)\n", port);
        ret = 1;
        goto done;
      }
      if (g_str_equal (element, "fluhttpsink") &&
          write (fds[1], get, strlen (get)) != (gssize) strlen (get)) {
        g_printerr ("could not send the request\n");
        ret = 1;
        goto done;
      }
    }
    /* and from now on nobody reads fds[1] */
  }

  for (i = 0; i < seconds * 4; i++) {
    g_usleep (250000);
    now = rss_bytes ();
    if (i == 7)
      baseline = now;           /* after 2 s: plugins loaded, pools made */
    if (i >= 7)
      peak = MAX (peak, now);
    if (bus_error (pipeline)) {
      ret = 1;
      goto done;
    }
  }
  now = rss_bytes ();
  g_print ("%s, consumer %s, %d s: RSS after 2 s %.1f MB, peak %.1f MB, "
      "at the end %.1f MB; growth %.1f MB, bound %.1f MB\n", element,
      consumer, seconds, baseline / 1e6, peak / 1e6, now / 1e6,
      (peak - baseline) / 1e6, bound / 1e6);
  if (peak - baseline > bound) {
    g_printerr ("FAIL: %s with consumer %s grew by %.1f MB, over its bound "
        "of %.1f MB\n", element, consumer, (peak - baseline) / 1e6,
        bound / 1e6);
    ret = 1;
  }

done:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  if (fds[0] >= 0)
    close (fds[0]);
  if (fds[1] >= 0)
    close (fds[1]);
  gst_deinit ();
  return ret;
}
