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


/* ICY metadata, byte for byte: a raw-socket player asks with
 * Icy-MetaData: 1 and parses a block at every icy-metaint boundary across
 * the stream headers, the burst and the live data, through several title
 * changes (tags and stream-title, quotes, a title too long, invalid
 * UTF-8); a plain viewer of the same mount gets exactly the bytes the ICY
 * viewer's stream carries between the blocks.  The test thread pushes
 * into fluhttpsink's pad itself, so what each viewer receives is known. */

#include "fluhttptest.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

/* icy-metaint of the framing test: 1000, then 7 (thousands of boundaries,
 * many in one write, cut inside the header and in every buffer) */
static guint METAINT = 1000;
#define HDR_SIZE 37
#define TIMEOUT_MS 10000

typedef struct
{
  gint fd;
  GString *head;
  gboolean have_head;
  guint metaint;                /* 0: plain */
  /* parser */
  gsize data_left;              /* stream bytes before the next block */
  gint meta_len;                /* -1: the length byte is next */
  GByteArray *meta;
  GByteArray *payload;          /* the stream without the blocks */
  GPtrArray *titles;            /* every non-empty block's title */
  guint blocks;
} Viewer;

static Viewer *
viewer_new (guint port, gboolean icy)
{
  Viewer *v = g_new0 (Viewer, 1);
  gchar *req = g_strdup_printf ("GET /radio.mp3 HTTP/1.1\r\nHost: x\r\n"
      "User-Agent: icy-test\r\n%s\r\n", icy ? "Icy-MetaData: 1\r\n" : "");

  {
    /* a small receive buffer: the server's writes often stop short, in
     * the middle of a block or of the data between two */
    struct sockaddr_in sa = { 0 };
    gint rcv = 2048;

    v->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    fail_unless (v->fd >= 0);
    setsockopt (v->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof (rcv));
    sa.sin_family = AF_INET;
    sa.sin_port = htons (port);
    sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    fail_unless (connect (v->fd, (struct sockaddr *) &sa, sizeof (sa)) == 0);
  }
  fail_unless (send (v->fd, req, strlen (req), MSG_NOSIGNAL) ==
      (ssize_t) strlen (req));
  g_free (req);
  v->head = g_string_new (NULL);
  v->meta_len = -1;
  v->meta = g_byte_array_new ();
  v->payload = g_byte_array_new ();
  v->titles = g_ptr_array_new_with_free_func (g_free);
  return v;
}

static void
viewer_free (Viewer * v)
{
  close (v->fd);
  g_string_free (v->head, TRUE);
  g_byte_array_unref (v->meta);
  g_byte_array_unref (v->payload);
  g_ptr_array_unref (v->titles);
  g_free (v);
}

static gchar *
head_value (Viewer * v, const gchar * name)
{
  gchar **lines = g_strsplit (v->head->str, "\r\n", -1), *val = NULL;
  guint i;

  for (i = 0; lines[i]; i++) {
    gchar *colon = strchr (lines[i], ':');

    if (colon && (gsize) (colon - lines[i]) == strlen (name) &&
        g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0)
      val = g_strstrip (g_strdup (colon + 1));
  }
  g_strfreev (lines);
  return val;
}

/* one block complete: check its form, note its title */
static void
end_block (Viewer * v)
{
  const gchar *s = (const gchar *) v->meta->data;
  gsize len = v->meta->len, text;

  v->blocks++;
  if (len == 0)
    return;
  text = strnlen (s, len);
  /* NUL padding only, and no more than needed */
  while (text < len)
    fail_unless (s[text++] == '\0');
  text = strnlen (s, len);
  fail_unless (text > len - 16, "block of %" G_GSIZE_FORMAT " bytes for %"
      G_GSIZE_FORMAT " bytes of text", len, text);
  fail_unless (g_str_has_prefix (s, "StreamTitle='"), "block: %.*s",
      (gint) text, s);
  fail_unless (text >= 15 && s[text - 2] == '\'' && s[text - 1] == ';');
  fail_unless (g_utf8_validate (s, text, NULL));
  {
    gchar *title = g_strndup (s + 13, text - 15);

    /* the players end the value at the first "';" */
    fail_if (strstr (title, "';") != NULL, "title %s", title);
    g_ptr_array_add (v->titles, title);
  }
}

static void
feed (Viewer * v, const guint8 * d, gsize n)
{
  while (n > 0) {
    if (v->metaint == 0 || v->data_left > 0) {
      gsize take = v->metaint ? MIN (n, v->data_left) : n;

      g_byte_array_append (v->payload, d, take);
      if (v->metaint)
        v->data_left -= take;
      d += take;
      n -= take;
    } else if (v->meta_len < 0) {
      v->meta_len = d[0] * 16;
      g_byte_array_set_size (v->meta, 0);
      d++;
      n--;
      if (v->meta_len == 0) {
        end_block (v);
        v->meta_len = -1;
        v->data_left = v->metaint;
      }
    } else {
      gsize take = MIN (n, (gsize) v->meta_len - v->meta->len);

      g_byte_array_append (v->meta, d, take);
      d += take;
      n -= take;
      if (v->meta->len == (guint) v->meta_len) {
        end_block (v);
        v->meta_len = -1;
        v->data_left = v->metaint;
      }
    }
  }
}

/* reads until @payload bytes of stream arrived */
static void
pump (Viewer * v, gsize payload)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  while (v->payload->len < payload) {
    struct pollfd p = { v->fd, POLLIN, 0 };
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    guint8 buf[8192];
    ssize_t n;

    fail_unless (left > 0 && poll (&p, 1, left) > 0,
        "timeout with %u of %" G_GSIZE_FORMAT " bytes", v->payload->len,
        payload);
    n = read (v->fd, buf, sizeof (buf));
    fail_unless (n > 0, "closed: %s", n < 0 ? g_strerror (errno) : "EOF");
    if (!v->have_head) {
      gchar *end;
      gsize off;

      g_string_append_len (v->head, (const gchar *) buf, n);
      end = strstr (v->head->str, "\r\n\r\n");
      if (end == NULL)
        continue;
      off = end + 4 - v->head->str;
      v->have_head = TRUE;
      {
        gchar *mi = head_value (v, "icy-metaint");

        v->metaint = mi ? atoi (mi) : 0;
        v->data_left = v->metaint;
        g_free (mi);
      }
      feed (v, (const guint8 *) v->head->str + off, v->head->len - off);
      g_string_truncate (v->head, off);
      continue;
    }
    feed (v, buf, n);
  }
  /* a block is only ever at a boundary */
  if (v->metaint)
    fail_unless_equals_int (v->blocks, v->payload->len / v->metaint -
        (v->data_left == 0 ? 1 : 0));
}

/* the stream: HDR_SIZE bytes of header 0xA5, then 32-bit big-endian word
 * counters, buffer k of 1000 + (k * 148) % 900 bytes */
static guint32 word_counter;
static guint64 pushed;

static GstBuffer *
data_buffer (guint k)
{
  gsize size = 1000 + (k * 148) % 900, i;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < size; i += 4)
    GST_WRITE_UINT32_BE (map.data + i, word_counter++);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = k * 10 * GST_MSECOND;
  GST_BUFFER_DURATION (buf) = 10 * GST_MSECOND;
  pushed += size;
  return buf;
}

static guint next_k;

static void
push_buffers (GstPad * src, guint n)
{
  guint i;

  for (i = 0; i < n; i++)
    fail_unless_equals_int (gst_pad_push (src, data_buffer (next_k++)),
        GST_FLOW_OK);
}

static void
check_stream (GByteArray * b)
{
  guint i;

  fail_unless (b->len >= HDR_SIZE);
  for (i = 0; i < HDR_SIZE; i++)
    fail_unless_equals_int (b->data[i], 0xA5);
  /* the burst starts at the first buffer: every word in order */
  for (i = HDR_SIZE; i + 4 <= b->len; i += 4)
    fail_unless_equals_int (((guint32) b->data[i] << 24) |
        (b->data[i + 1] << 16) | (b->data[i + 2] << 8) | b->data[i + 3],
        (i - HDR_SIZE) / 4);
}

/* @mark: written into the stream header after a few NULs (an Ogg page's
 * codec identification), or NULL */
static GstPad *
setup_full (GstElement ** pipeline, GstElement ** sink, const gchar * media,
    const gchar * mark)
{
  GstPad *src = gst_pad_new ("src", GST_PAD_SRC), *sinkpad;
  GstCaps *caps;
  GstSegment seg;
  GstBuffer *hdr = gst_buffer_new_allocate (NULL, HDR_SIZE, NULL);
  GValue arr = G_VALUE_INIT, v = G_VALUE_INIT;

  word_counter = 0;
  pushed = 0;
  next_k = 0;
  *pipeline = gst_pipeline_new (NULL);
  *sink = gst_element_factory_make ("fluhttpsink", NULL);
  fail_unless (*sink != NULL);
  g_object_set (*sink, "port", 0, "mount-point", "/radio.mp3",
      "icy-metaint", METAINT, "icy-name", "Test\r\nRadio", "icy-genre",
      "Jazz", "burst-on-connect", TRUE, "burst-size", (guint64) 10000000,
      "coalesce-time", (guint64) 0, NULL);
  gst_bin_add (GST_BIN (*pipeline), *sink);
  fail_if (gst_element_set_state (*pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  sinkpad = gst_element_get_static_pad (*sink, "sink");
  fail_unless_equals_int (gst_pad_link (src, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);
  gst_pad_set_active (src, TRUE);

  gst_buffer_memset (hdr, 0, 0xA5, HDR_SIZE);
  if (mark) {
    gst_buffer_memset (hdr, 0, 0, 8);
    gst_buffer_fill (hdr, 8, mark, strlen (mark));
  }
  GST_BUFFER_FLAG_SET (hdr, GST_BUFFER_FLAG_HEADER);
  g_value_init (&arr, GST_TYPE_ARRAY);
  g_value_init (&v, GST_TYPE_BUFFER);
  gst_value_set_buffer (&v, hdr);
  gst_value_array_append_value (&arr, &v);
  g_value_unset (&v);
  gst_buffer_unref (hdr);
  caps = gst_caps_new_empty_simple (media);
  gst_caps_set_value (caps, "streamheader", &arr);
  g_value_unset (&arr);
  fail_unless (gst_pad_push_event (src, gst_event_new_stream_start ("icy")));
  fail_unless (gst_pad_push_event (src, gst_event_new_caps (caps)));
  gst_caps_unref (caps);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  fail_unless (gst_pad_push_event (src, gst_event_new_segment (&seg)));
  return src;
}

static GstPad *
setup (GstElement ** pipeline, GstElement ** sink, const gchar * media)
{
  return setup_full (pipeline, sink, media, NULL);
}

static void
teardown (GstElement * pipeline, GstPad * src)
{
  gst_pad_set_active (src, FALSE);
  gst_object_unref (src);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

static void
push_tags (GstPad * src, const gchar * artist, const gchar * title)
{
  GstTagList *t = gst_tag_list_new (GST_TAG_TITLE, title,
      GST_TAG_BITRATE, 128000, NULL);

  if (artist)
    gst_tag_list_add (t, GST_TAG_MERGE_APPEND, GST_TAG_ARTIST, artist, NULL);
  fail_unless (gst_pad_push_event (src, gst_event_new_tag (t)));
}

static const gchar *
last_title (Viewer * v)
{
  fail_unless (v->titles->len > 0);
  return g_ptr_array_index (v->titles, v->titles->len - 1);
}

static void
run_framing (void)
{
  GstElement *pipeline, *sink;
  GstPad *src = setup (&pipeline, &sink, "audio/mpeg");
  guint port = sink_port (sink);
  Viewer *icy, *plain, *late;
  GString *longt = g_string_new (NULL);
  gchar *s;
  guint i, n;

  /* both viewers wait for the first buffer: the whole stream each */
  icy = viewer_new (port, TRUE);
  plain = viewer_new (port, FALSE);
  g_usleep (200 * 1000);
  push_buffers (src, 20);
  pump (icy, pushed + HDR_SIZE);
  pump (plain, pushed + HDR_SIZE);
  fail_unless_equals_int (icy->metaint, METAINT);
  fail_unless_equals_int (plain->metaint, 0);
  s = head_value (icy, "icy-name");
  fail_unless_equals_string (s, "Test  Radio");
  g_free (s);
  s = head_value (plain, "icy-genre");
  fail_unless_equals_string (s, "Jazz");
  g_free (s);
  s = head_value (plain, "icy-metaint");
  fail_unless (s == NULL);
  /* no title yet: every block is empty */
  fail_unless (icy->blocks > 10);
  fail_unless_equals_int (icy->titles->len, 0);

  push_tags (src, "Band", "First");
  push_buffers (src, 20);
  pump (icy, pushed + HDR_SIZE);
  fail_unless_equals_int (icy->titles->len, 1);
  fail_unless_equals_string (last_title (icy), "Band - First");

  /* a viewer arriving now: icy-br, the title at its first boundary */
  late = viewer_new (port, TRUE);
  g_usleep (200 * 1000);
  push_buffers (src, 2);
  pump (late, pushed + HDR_SIZE);
  s = head_value (late, "icy-br");
  fail_unless_equals_string (s, "128");
  g_free (s);
  fail_unless_equals_int (late->titles->len, 1);
  fail_unless_equals_string (last_title (late), "Band - First");
  fail_unless (late->blocks > 10);

  g_object_set (sink, "stream-title", "It's a 'quoted'; title", NULL);
  push_buffers (src, 20);
  pump (icy, pushed + HDR_SIZE);
  fail_unless_equals_int (icy->titles->len, 2);
  fail_unless_equals_string (last_title (icy), "It's a 'quoted' ; title");

  /* too long for a block, with a byte that is not UTF-8 */
  for (i = 0; i < 1000; i++)
    g_string_append (longt, "\xc3\xa9t\xff");
  g_object_set (sink, "stream-title", longt->str, NULL);
  push_buffers (src, 20);
  pump (icy, pushed + HDR_SIZE);
  fail_unless_equals_int (icy->titles->len, 3);
  n = strlen (last_title (icy));
  fail_unless (n <= 255 * 16 - 15 && n > 255 * 16 - 15 - 4, "%u", n);
  fail_unless (g_str_has_prefix (last_title (icy), "\xc3\xa9t"));

  /* stream-title unset: the tags again, then new tags */
  g_object_set (sink, "stream-title", NULL, NULL);
  push_buffers (src, 20);
  pump (icy, pushed + HDR_SIZE);
  fail_unless_equals_int (icy->titles->len, 4);
  fail_unless_equals_string (last_title (icy), "Band - First");
  push_tags (src, NULL, "Second");
  push_buffers (src, 20);
  pump (icy, pushed + HDR_SIZE);
  fail_unless_equals_int (icy->titles->len, 5);
  fail_unless_equals_string (last_title (icy), "Second");

  /* what both saw of the stream is the stream, byte for byte */
  pump (plain, pushed + HDR_SIZE);
  pump (late, pushed + HDR_SIZE);
  check_stream (icy->payload);
  fail_unless_equals_int (plain->payload->len, icy->payload->len);
  fail_unless (memcmp (plain->payload->data, icy->payload->data,
          plain->payload->len) == 0);
  check_stream (late->payload);
  fail_unless_equals_int (plain->blocks, 0);

  g_string_free (longt, TRUE);
  viewer_free (icy);
  viewer_free (plain);
  viewer_free (late);
  teardown (pipeline, src);
}

GST_START_TEST (test_icy_framing)
{
  METAINT = 1000;
  run_framing ();
}

GST_END_TEST;

GST_START_TEST (test_icy_framing_small_interval)
{
  METAINT = 7;
  run_framing ();
  METAINT = 1000;
}

GST_END_TEST;

/* Video mounts and icy-metaint=0 answer Icy-MetaData: 1 with the plain
 * stream; HEAD announces what a GET would get. */
static guint
metaint_of (guint port, const gchar * method)
{
  gchar *req = g_strdup_printf ("%s /radio.mp3 HTTP/1.1\r\nHost: x\r\n"
      "Icy-MetaData: 1\r\n\r\n", method);
  HttpResponse *r = http_request ("127.0.0.1", port, req, 100, 3000);
  gchar *mi = http_header (r, "icy-metaint");
  guint ret = mi ? atoi (mi) : 0;

  fail_unless_equals_int (r->status, 200);
  g_free (mi);
  g_free (req);
  http_response_free (r);
  return ret;
}

GST_START_TEST (test_icy_which_mounts)
{
  GstElement *pipeline, *sink;
  GstPad *src;

  src = setup (&pipeline, &sink, "video/webm");
  push_buffers (src, 2);
  fail_unless_equals_int (metaint_of (sink_port (sink), "GET"), 0);
  teardown (pipeline, src);

  /* Ogg/Theora: the identification packet in the headers */
  src = setup_full (&pipeline, &sink, "application/ogg", "\x80theora");
  push_buffers (src, 2);
  fail_unless_equals_int (metaint_of (sink_port (sink), "GET"), 0);
  teardown (pipeline, src);

  src = setup_full (&pipeline, &sink, "application/ogg", "OpusHead");
  push_buffers (src, 2);
  fail_unless_equals_int (metaint_of (sink_port (sink), "HEAD"), METAINT);
  fail_unless_equals_int (metaint_of (sink_port (sink), "GET"), METAINT);
  g_object_set (sink, "icy-metaint", 0, NULL);
  fail_unless_equals_int (metaint_of (sink_port (sink), "GET"), 0);
  teardown (pipeline, src);
}

GST_END_TEST;

/* stream-title set from another thread as fast as it goes while the
 * stream flows to two ICY viewers with a tiny interval: every block is
 * whole and at its boundary, every title one of those set; one viewer
 * leaves with a block half read (its socket closed under the engine);
 * under ASan, nothing is used after it is freed nor leaked. */
static gboolean racing;

static gpointer
title_racer (gpointer data)
{
  GstElement *sink = data;
  guint i = 0;

  while (g_atomic_int_get (&racing)) {
    gchar *t = g_strdup_printf ("%c%s", 'A' + i % 3,
        (i % 2) ? "" : "-long-title-long-title-long-title");

    g_object_set (sink, "stream-title", t, NULL);
    g_free (t);
    i++;
  }
  return NULL;
}

GST_START_TEST (test_icy_title_race_and_leave)
{
  GstElement *pipeline, *sink;
  GstPad *src;
  Viewer *a, *b;
  GThread *racer;
  guint port, i, round;

  METAINT = 7;
  src = setup (&pipeline, &sink, "audio/mpeg");
  port = sink_port (sink);
  a = viewer_new (port, TRUE);
  b = viewer_new (port, TRUE);
  g_usleep (200 * 1000);
  g_atomic_int_set (&racing, TRUE);
  racer = g_thread_new ("title-racer", title_racer, sink);
  for (round = 0; round < 30; round++) {
    push_buffers (src, 10);
    pump (a, pushed + HDR_SIZE);
    if (round < 2)
      pump (b, pushed + HDR_SIZE);
  }
  /* b stopped reading after round 2 (some 400 KB ago): its socket is
   * full, the engine stopped short inside its writes; it leaves now */
  viewer_free (b);
  push_buffers (src, 20);
  pump (a, pushed + HDR_SIZE);
  g_atomic_int_set (&racing, FALSE);
  g_thread_join (racer);
  check_stream (a->payload);
  fail_unless (a->titles->len > 0);
  for (i = 0; i < a->titles->len; i++) {
    const gchar *t = g_ptr_array_index (a->titles, i);

    fail_unless (strlen (t) >= 1 && t[0] >= 'A' && t[0] <= 'C' &&
        (t[1] == '\0' || strcmp (t + 1, "-long-title-long-title-long-title")
            == 0), "title '%s'", t);
  }
  viewer_free (a);
  teardown (pipeline, src);
  METAINT = 1000;
}

GST_END_TEST;

static Suite *
fluhttpicy_suite (void)
{
  Suite *s = suite_create ("fluhttpicy");
  TCase *tc = tcase_create ("icy");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_icy_framing);
  tcase_add_test (tc, test_icy_framing_small_interval);
  tcase_add_test (tc, test_icy_which_mounts);
  tcase_add_test (tc, test_icy_title_race_and_leave);
  return s;
}

GST_CHECK_MAIN (fluhttpicy);
