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

/* Unit tests of the GDP reader/writer (gst/feed/flugdp.c), including
 * byte-level compatibility with the stock gdppay. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "flugdp.h"

static GstBuffer *
flatten (GstBuffer * packet, FluGdpHeader * header, guint8 ** payload)
{
  GstMapInfo map;
  GError *err = NULL;

  packet = gst_buffer_copy_deep (packet);
  gst_buffer_map (packet, &map, GST_MAP_READ);
  fail_unless (map.size >= FLU_GDP_HEADER_LEN);
  fail_unless (flu_gdp_parse_header (map.data, FLU_GDP_DEFAULT_MAX_PAYLOAD,
          header, &err), "%s", err ? err->message : "");
  fail_unless_equals_int (map.size, FLU_GDP_HEADER_LEN +
      header->payload_length);
  *payload = g_memdup2 (map.data + FLU_GDP_HEADER_LEN, header->payload_length);
  fail_unless (flu_gdp_check_payload (header, *payload, NULL));
  gst_buffer_unmap (packet, &map);
  return packet;
}

GST_START_TEST (test_crc_vector)
{
  /* CRC-16 with polynomial 0x1021, init 0xffff, inverted output */
  fail_unless_equals_int (flu_gdp_crc ((const guint8 *) "123456789", 9),
      0xd64e);
  fail_unless_equals_int (flu_gdp_crc (NULL, 0), 0);
}

GST_END_TEST;

GST_START_TEST (test_buffer_roundtrip)
{
  GstBuffer *in = gst_buffer_new_memdup ("abcdef", 6), *packet, *flat, *out;
  FluGdpHeader h;
  guint8 *payload;
  GstMapInfo map;

  GST_BUFFER_PTS (in) = 5 * GST_SECOND;
  GST_BUFFER_DTS (in) = 4 * GST_SECOND;
  GST_BUFFER_DURATION (in) = 40 * GST_MSECOND;
  GST_BUFFER_OFFSET (in) = 7;
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DELTA_UNIT);
  packet = flu_gdp_pay_buffer (in, FLU_GDP_FLAG_CRC_HEADER |
      FLU_GDP_FLAG_CRC_PAYLOAD);
  /* the packet keeps the frame's keyframe flag and times for the fan-out */
  fail_unless (GST_BUFFER_FLAG_IS_SET (packet, GST_BUFFER_FLAG_DELTA_UNIT));
  fail_unless_equals_uint64 (GST_BUFFER_PTS (packet), 5 * GST_SECOND);

  flat = flatten (packet, &h, &payload);
  fail_unless_equals_int (h.type, FLU_GDP_TYPE_BUFFER);
  out = flu_gdp_buffer_new (&h, gst_buffer_new_memdup (payload, 6));
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 5 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (out), 4 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 40 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 7);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DELTA_UNIT));
  gst_buffer_map (out, &map, GST_MAP_READ);
  fail_unless (memcmp (map.data, "abcdef", 6) == 0);
  gst_buffer_unmap (out, &map);

  g_free (payload);
  gst_buffer_unref (out);
  gst_buffer_unref (flat);
  gst_buffer_unref (packet);
  gst_buffer_unref (in);
}

GST_END_TEST;

GST_START_TEST (test_caps_event_roundtrip)
{
  GstCaps *caps = gst_caps_from_string ("video/x-raw, format=I420, "
      "width=320, height=240, framerate=25/1"), *caps2;
  GstSegment seg, seg2;
  GstEvent *ev, *ev2;
  GstBuffer *packet, *flat;
  FluGdpHeader h;
  guint8 *payload;
  GError *err = NULL;

  packet = flu_gdp_pay_caps (caps, FLU_GDP_FLAG_CRC_HEADER);
  flat = flatten (packet, &h, &payload);
  caps2 = flu_gdp_caps_new (&h, payload, &err);
  fail_unless (caps2 && gst_caps_is_equal (caps, caps2));
  gst_caps_unref (caps2);
  g_free (payload);
  gst_buffer_unref (flat);
  gst_buffer_unref (packet);

  gst_segment_init (&seg, GST_FORMAT_TIME);
  seg.start = 3 * GST_SECOND;
  seg.base = GST_SECOND;
  ev = gst_event_new_segment (&seg);
  packet = flu_gdp_pay_event (ev, FLU_GDP_FLAG_CRC_HEADER);
  flat = flatten (packet, &h, &payload);
  fail_unless_equals_int (h.type, 64 + GST_EVENT_SEGMENT);
  ev2 = flu_gdp_event_new (&h, payload, &err);
  fail_unless (ev2 != NULL, "%s", err ? err->message : "");
  gst_event_copy_segment (ev2, &seg2);
  fail_unless (gst_segment_is_equal (&seg, &seg2));
  gst_event_unref (ev2);
  gst_event_unref (ev);
  g_free (payload);
  gst_buffer_unref (flat);
  gst_buffer_unref (packet);
  gst_caps_unref (caps);
}

GST_END_TEST;

/* The custom events (flufeedsrc's flu-upstream-restart, sticky) have a
 * GstEventType past the 16 bits of the GDP type field: written truncated,
 * as gdppay does, and read back as what they were (they failed as
 * "not one a feed carries", and every reader of a feed reconnected in a
 * loop once an upstream had restarted). */
GST_START_TEST (test_custom_events_roundtrip)
{
  static const GstEventType types[] = { GST_EVENT_CUSTOM_DOWNSTREAM,
    GST_EVENT_CUSTOM_DOWNSTREAM_STICKY
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    GstEvent *ev, *ev2;
    GstBuffer *packet, *flat;
    FluGdpHeader h;
    guint8 *payload;
    GError *err = NULL;
    guint restarts = 0;

    ev = gst_event_new_custom (types[i], gst_structure_new ("flu-test",
            "restarts", G_TYPE_UINT, 3, NULL));
    packet = flu_gdp_pay_event (ev, FLU_GDP_FLAG_CRC_HEADER);
    flat = flatten (packet, &h, &payload);
    fail_unless_equals_int (h.type, (guint16) (64 + types[i]));
    ev2 = flu_gdp_event_new (&h, payload, &err);
    fail_unless (ev2 != NULL, "%s", err ? err->message : "");
    fail_unless_equals_int (GST_EVENT_TYPE (ev2), types[i]);
    fail_unless (gst_structure_has_name (gst_event_get_structure (ev2),
            "flu-test"));
    fail_unless (gst_structure_get_uint (gst_event_get_structure (ev2),
            "restarts", &restarts));
    fail_unless_equals_int (restarts, 3);
    gst_event_unref (ev2);
    gst_event_unref (ev);
    g_free (payload);
    gst_buffer_unref (flat);
    gst_buffer_unref (packet);
  }
}

GST_END_TEST;

/* Every packet the stock gdppay writes parses with our reader. */
GST_START_TEST (test_reads_stock_gdppay)
{
  GstHarness *h = gst_harness_new ("gdppay");
  GstBuffer *in, *out;
  guint packets = 0;
  gboolean saw_caps = FALSE, saw_buffer = FALSE;

  gst_harness_set_src_caps_str (h, "application/x-test, answer=(int)42");
  in = gst_buffer_new_memdup ("hello", 5);
  GST_BUFFER_PTS (in) = GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  while ((out = gst_harness_try_pull (h))) {
    FluGdpHeader hd;
    guint8 *payload;
    GstBuffer *flat = flatten (out, &hd, &payload);

    packets++;
    if (hd.type == FLU_GDP_TYPE_CAPS) {
      GstCaps *caps = flu_gdp_caps_new (&hd, payload, NULL);

      fail_unless (caps != NULL);
      saw_caps = TRUE;
      gst_caps_unref (caps);
    } else if (hd.type == FLU_GDP_TYPE_BUFFER) {
      fail_unless_equals_int (hd.payload_length, 5);
      fail_unless_equals_uint64 (hd.pts, GST_SECOND);
      saw_buffer = TRUE;
    } else {
      GstEvent *ev = flu_gdp_event_new (&hd, payload, NULL);

      fail_unless (ev != NULL, "stock event packet %u unreadable", hd.type);
      gst_event_unref (ev);
    }
    g_free (payload);
    gst_buffer_unref (flat);
    gst_buffer_unref (out);
  }
  fail_unless (packets >= 3 && saw_caps && saw_buffer);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Our packets are byte-identical to gdppay's for the same input. */
GST_START_TEST (test_writes_like_stock_gdppay)
{
  GstHarness *h = gst_harness_new ("gdppay");
  GstBuffer *in, *out, *ours;
  GstMapInfo a, b;
  gboolean found = FALSE;

  gst_harness_set_src_caps_str (h, "application/x-test");
  in = gst_buffer_new_memdup ("payload!", 8);
  GST_BUFFER_PTS (in) = 2 * GST_SECOND;
  GST_BUFFER_DURATION (in) = GST_SECOND;
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DELTA_UNIT);
  ours = flu_gdp_pay_buffer (in, FLU_GDP_FLAG_CRC_HEADER);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  while ((out = gst_harness_try_pull (h))) {
    if (gst_buffer_get_size (out) == gst_buffer_get_size (ours)) {
      gst_buffer_map (out, &a, GST_MAP_READ);
      gst_buffer_map (ours, &b, GST_MAP_READ);
      if (flu_gdp_read_be (a.data + 4, 2) == FLU_GDP_TYPE_BUFFER) {
        /* offsets differ: gdppay stamps its own running byte count there
         * on the outer buffer only, the header carries the input's */
        fail_unless (memcmp (a.data, b.data, a.size) == 0,
            "packet differs from gdppay's");
        found = TRUE;
      }
      gst_buffer_unmap (out, &a);
      gst_buffer_unmap (ours, &b);
    }
    gst_buffer_unref (out);
  }
  fail_unless (found);
  gst_buffer_unref (ours);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

GST_END_TEST;

static void
make_header (guint8 * h, guint16 type, guint32 length)
{
  memset (h, 0, FLU_GDP_HEADER_LEN);
  h[0] = 1;
  h[2] = FLU_GDP_FLAG_CRC_HEADER;
  flu_gdp_write_be (h + 4, type, 2);
  flu_gdp_write_be (h + 6, length, 4);
  flu_gdp_write_be (h + 58, flu_gdp_crc (h, 58), 2);
}

GST_START_TEST (test_garbage_rejected)
{
  guint8 h[FLU_GDP_HEADER_LEN];
  FluGdpHeader hd;
  GError *err = NULL;
  guint i;

  make_header (h, FLU_GDP_TYPE_BUFFER, 100);
  fail_unless (flu_gdp_parse_header (h, 1000, &hd, NULL));

  /* absurd length */
  make_header (h, FLU_GDP_TYPE_BUFFER, 0xfffffff0);
  fail_if (flu_gdp_parse_header (h, FLU_GDP_MAX_MAX_PAYLOAD, &hd, &err));
  fail_unless (g_error_matches (err, FLU_GDP_ERROR, FLU_GDP_ERROR_TOO_LARGE));
  g_clear_error (&err);
  /* caps are capped lower than buffers */
  make_header (h, FLU_GDP_TYPE_CAPS, 2 * FLU_GDP_MAX_STRING_PAYLOAD);
  fail_if (flu_gdp_parse_header (h, FLU_GDP_MAX_MAX_PAYLOAD, &hd, NULL));
  /* bad CRC */
  make_header (h, FLU_GDP_TYPE_BUFFER, 10);
  h[20] ^= 1;
  fail_if (flu_gdp_parse_header (h, 1000, &hd, &err));
  fail_unless (g_error_matches (err, FLU_GDP_ERROR, FLU_GDP_ERROR_CRC));
  g_clear_error (&err);
  /* version */
  make_header (h, FLU_GDP_TYPE_BUFFER, 10);
  h[0] = 9;
  fail_if (flu_gdp_parse_header (h, 1000, &hd, NULL));
  /* unknown type */
  make_header (h, 7, 10);
  fail_if (flu_gdp_parse_header (h, 1000, &hd, NULL));
  /* random headers never pass and never crash */
  for (i = 0; i < 10000; i++) {
    guint j;

    for (j = 0; j < FLU_GDP_HEADER_LEN; j++)
      h[j] = g_random_int_range (0, 256);
    h[0] = 1;
    h[1] = 0;
    if (flu_gdp_parse_header (h, 1 << 20, &hd, NULL))
      fail_unless (hd.payload_length <= 1 << 20);
  }
}

GST_END_TEST;

GST_START_TEST (test_bad_string_payloads)
{
  FluGdpHeader hd = { 0, };
  GError *err = NULL;
  const guint8 binary[] = { 'a', 0, 'b', 0xff, 0 };
  const gchar *seg = "segment, foo=(int)1";

  hd.type = FLU_GDP_TYPE_CAPS;
  hd.payload_length = sizeof (binary);
  fail_if (flu_gdp_caps_new (&hd, binary, &err));
  g_clear_error (&err);
  /* unfixed caps cannot describe a stream */
  hd.payload_length = 30;
  fail_if (flu_gdp_caps_new (&hd, (const guint8 *)
          "video/x-raw, width=(int)[1,5]", &err));
  g_clear_error (&err);
  hd.payload_length = 13;
  fail_if (flu_gdp_caps_new (&hd, (const guint8 *) "video/x-raw,=", &err));
  g_clear_error (&err);
  /* a segment event without its segment must not reach
   * gst_event_parse_segment() */
  hd.type = FLU_GDP_TYPE_EVENT_NONE + GST_EVENT_SEGMENT;
  hd.payload_length = strlen (seg) + 1;
  fail_if (flu_gdp_event_new (&hd, (const guint8 *) seg, &err));
  g_clear_error (&err);
  /* upstream events have no business in a feed */
  hd.type = FLU_GDP_TYPE_EVENT_NONE + GST_EVENT_SEEK;
  fail_if (flu_gdp_event_new (&hd, (const guint8 *) seg, &err));
  g_clear_error (&err);
}

GST_END_TEST;

/* caps or event strings nested @depth levels deep with @open / @close */
static gchar *
nested_string (const gchar * prefix, gchar open, gchar close, guint depth,
    const gchar * suffix)
{
  GString *s = g_string_new (prefix);
  guint i;

  for (i = 0; i < depth; i++)
    g_string_append_c (s, open);
  g_string_append (s, "1");
  for (i = 0; i < depth; i++)
    g_string_append_c (s, close);
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

/* GStreamer's parser recurses per level without a limit: 40,000 levels
 * overflowed the stack (SIGSEGV) before flugdp.c counted the depth */
GST_START_TEST (test_deep_nesting_refused)
{
  const gchar pairs[][2] = { {'{', '}'}, {'<', '>'}, {'[', ']'} };
  FluGdpHeader hd = { 0, };
  GError *err = NULL;
  GstCaps *caps;
  GstEvent *ev;
  gchar *str;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (pairs); i++) {
    /* caps */
    str = nested_string ("video/x-raw, a=", pairs[i][0], pairs[i][1],
        40000, "");
    hd.type = FLU_GDP_TYPE_CAPS;
    hd.payload_length = strlen (str) + 1;
    fail_if (flu_gdp_caps_new (&hd, (const guint8 *) str, &err));
    fail_unless (g_error_matches (err, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD));
    fail_unless (strstr (err->message, "deeper") != NULL, "%s", err->message);
    g_clear_error (&err);
    g_free (str);
    /* a TAG event's taglist, quoted */
    str = nested_string ("taglist, taglist=(taglist)\"taglist, title=",
        pairs[i][0], pairs[i][1], 40000, "\"");
    hd.type = FLU_GDP_TYPE_EVENT_NONE + GST_EVENT_TAG;
    hd.payload_length = strlen (str) + 1;
    fail_if (flu_gdp_event_new (&hd, (const guint8 *) str, &err));
    fail_unless (g_error_matches (err, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD));
    g_clear_error (&err);
    g_free (str);
    /* just past the bound */
    str = nested_string ("video/x-raw, a=", pairs[i][0], pairs[i][1],
        FLU_GDP_MAX_STRING_DEPTH + 1, "");
    hd.type = FLU_GDP_TYPE_CAPS;
    hd.payload_length = strlen (str) + 1;
    fail_if (flu_gdp_caps_new (&hd, (const guint8 *) str, &err));
    g_clear_error (&err);
    g_free (str);
  }
  /* closers inside a text string do not make room for more openers */
  {
    GString *s = g_string_new ("video/x-raw, a={");
    guint j;

    for (j = 0; j < 40; j++)
      g_string_append_c (s, '{');
    g_string_append (s, "\"");
    for (j = 0; j < 40; j++)
      g_string_append_c (s, '}');
    g_string_append (s, "\", ");
    for (j = 0; j < 40; j++)
      g_string_append_c (s, '{');
    g_string_append (s, "1");
    for (j = 0; j < 81; j++)
      g_string_append_c (s, '}');
    hd.type = FLU_GDP_TYPE_CAPS;
    hd.payload_length = s->len + 1;
    fail_if (flu_gdp_caps_new (&hd, (const guint8 *) s->str, &err));
    g_clear_error (&err);
    g_string_free (s, TRUE);
  }
  /* nor a long run of escaped quotes (one quoting level each doubling) */
  {
    GString *s = g_string_new ("video/x-raw, a=\"");

    for (i = 0; i < 70000; i++)
      g_string_append_c (s, '\\');
    g_string_append (s, "\"\"");
    hd.type = FLU_GDP_TYPE_CAPS;
    hd.payload_length = s->len + 1;
    fail_if (flu_gdp_caps_new (&hd, (const guint8 *) s->str, &err));
    g_clear_error (&err);
    g_string_free (s, TRUE);
  }

  /* what real streams send still passes: a few levels, many lists */
  str = nested_string ("audio/x-raw, a=(int)", '{', '}', 8, "");
  hd.type = FLU_GDP_TYPE_CAPS;
  hd.payload_length = strlen (str) + 1;
  caps = flu_gdp_caps_new (&hd, (const guint8 *) str, &err);
  g_free (str);
  /* lists are not fixed caps, but they got as far as GStreamer's parser */
  fail_if (caps);
  fail_unless (strstr (err->message, "fixed") != NULL, "%s", err->message);
  g_clear_error (&err);
  {
    GString *s = g_string_new ("video/x-raw, width=(int)320");
    GstTagList *tags;
    GstBuffer *packet;
    GstMapInfo map;

    for (i = 0; i < 200; i++)
      g_string_append_printf (s, ", f%u=(int)< 1, 2, 3 >", i);
    hd.type = FLU_GDP_TYPE_CAPS;
    hd.payload_length = s->len + 1;
    caps = flu_gdp_caps_new (&hd, (const guint8 *) s->str, &err);
    fail_unless (caps != NULL, "%s", err ? err->message : "");
    gst_caps_unref (caps);
    g_string_free (s, TRUE);

    /* a tag event as GStreamer writes it, multi-valued tags quoted inside */
    tags = gst_tag_list_new (GST_TAG_TITLE, "a \"quoted\" {title}",
        GST_TAG_ARTIST, "x", NULL);
    for (i = 0; i < 20; i++)
      gst_tag_list_add (tags, GST_TAG_MERGE_APPEND, GST_TAG_GENRE, "g<>{}",
          GST_TAG_ARTIST, "y", GST_TAG_COMMENT, "c]]]", NULL);
    ev = gst_event_new_tag (tags);
    packet = flu_gdp_pay_event (ev, 0);
    gst_event_unref (ev);
    gst_buffer_map (packet, &map, GST_MAP_READ);
    fail_unless (flu_gdp_parse_header (map.data, 1 << 20, &hd, NULL));
    ev = flu_gdp_event_new (&hd, map.data + FLU_GDP_HEADER_LEN, &err);
    fail_unless (ev != NULL, "%s", err ? err->message : "");
    gst_event_unref (ev);
    gst_buffer_unmap (packet, &map);
    gst_buffer_unref (packet);
  }
}

GST_END_TEST;

static Suite *
feed_gdp_suite (void)
{
  Suite *s = suite_create ("feed_gdp");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_crc_vector);
  tcase_add_test (tc, test_buffer_roundtrip);
  tcase_add_test (tc, test_caps_event_roundtrip);
  tcase_add_test (tc, test_custom_events_roundtrip);
  tcase_add_test (tc, test_reads_stock_gdppay);
  tcase_add_test (tc, test_writes_like_stock_gdppay);
  tcase_add_test (tc, test_garbage_rejected);
  tcase_add_test (tc, test_bad_string_payloads);
  tcase_add_test (tc, test_deep_nesting_refused);
  return s;
}

GST_CHECK_MAIN (feed_gdp);
