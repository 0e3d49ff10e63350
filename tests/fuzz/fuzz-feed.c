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

/* Fuzz target for what arrives at flufeedsrc (and at flufeedsink from a
 * connecting peer): byte 0 picks the side of the secret handshake that
 * reads the next bytes (flu_feed_auth over a socket pair, the peer's
 * bytes written in advance), then the rest is read as a GDP stream the way
 * flufeedsrc reads it: header, payload bound, CRCs, caps, events (segments
 * go through the timeline), buffers. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gst/gst.h>

#include "flugdp.h"
#include "flufeedconn.h"
#include "flufeedtimeline.h"

#define MAX_PAYLOAD (1024 * 1024)
#define AUTH_BYTES 160

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static void
fuzz_auth (gboolean acceptor, const guint8 * data, gsize size)
{
  int sv[2];
  GSocket *sock;

  if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return;
  /* the peer's bytes, then end of stream: reads never wait */
  if (size == 0 || write (sv[1], data, size) == (ssize_t) size) {
    shutdown (sv[1], SHUT_WR);
    sock = g_socket_new_from_fd (sv[0], NULL);
    if (sock) {
      g_assert (!flu_feed_auth (sock, "s3cret", acceptor, NULL, NULL));
      g_object_unref (sock);
    } else {
      close (sv[0]);
    }
  } else {
    close (sv[0]);
  }
  close (sv[1]);
}

static void
fuzz_gdp (const guint8 * data, gsize size)
{
  FluFeedTimeline tl;
  FluGdpHeader h;
  GstClockTime now = 0;

  flu_feed_timeline_init (&tl);
  flu_feed_timeline_new_upstream (&tl);
  while (size >= FLU_GDP_HEADER_LEN) {
    const guint8 *payload = data + FLU_GDP_HEADER_LEN;

    if (!flu_gdp_parse_header (data, MAX_PAYLOAD, &h, NULL))
      return;
    if (h.payload_length > size - FLU_GDP_HEADER_LEN)
      return;
    if (!flu_gdp_check_payload (&h, payload, NULL))
      return;
    if (h.type == FLU_GDP_TYPE_BUFFER) {
      GstBuffer *buf = gst_buffer_new_allocate (NULL, h.payload_length, NULL);

      gst_buffer_fill (buf, 0, payload, h.payload_length);
      buf = flu_gdp_buffer_new (&h, buf);

      flu_feed_timeline_map (&tl, buf, now);
      now += GST_MSECOND;
      gst_buffer_unref (buf);
    } else if (h.type == FLU_GDP_TYPE_CAPS) {
      GstCaps *caps = flu_gdp_caps_new (&h, payload, NULL);

      gst_clear_caps (&caps);
    } else {
      GstEvent *event = flu_gdp_event_new (&h, payload, NULL);

      /* flufeedsrc drops the connection there */
      if (event == NULL)
        return;
      if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT) {
        const GstSegment *segment;

        gst_event_parse_segment (event, &segment);
        flu_feed_timeline_set_segment (&tl, segment);
      }
      gst_event_unref (event);
    }
    data += FLU_GDP_HEADER_LEN + h.payload_length;
    size -= FLU_GDP_HEADER_LEN + h.payload_length;
  }
}

/* With FLU_FUZZ_CRITICALS=fatal a critical aborts, so that libFuzzer
 * keeps the input: GStreamer 1.22's string deserializer still has
 * criticals on malformed values that flugdp.c does not check for (each
 * one found so far is checked, see tests/fuzz/corpus/feed/critical-*),
 * so the short CI run leaves them as messages. */
static void
fatal_log (const gchar * domain, GLogLevelFlags level, const gchar * message,
    gpointer user_data)
{
  g_log_default_handler (domain, level, message, user_data);
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR) &&
      g_strcmp0 (g_getenv ("FLU_FUZZ_CRITICALS"), "fatal") == 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static gboolean inited;
  gsize n;

  if (!inited) {
    g_log_set_default_handler (fatal_log, NULL);
    gst_init (NULL, NULL);
    inited = TRUE;
  }
  if (size == 0)
    return 0;
  n = MIN (size - 1, AUTH_BYTES);
  fuzz_auth (data[0] & 1, data + 1, n);
  fuzz_gdp (data + 1, size - 1);
  return 0;
}
