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

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "flugdp.h"

/* Buffer flags GDP carries. */
#define FLU_GDP_BUFFER_FLAGS_MASK (GST_BUFFER_FLAG_LIVE | \
    GST_BUFFER_FLAG_DISCONT | GST_BUFFER_FLAG_HEADER | GST_BUFFER_FLAG_GAP | \
    GST_BUFFER_FLAG_DELTA_UNIT)

G_DEFINE_QUARK (flu_gdp_error_quark, flu_gdp_error);

/* Byte-wise big-endian access: GDP fields are not aligned, and the
 * GST_READ/WRITE macros cast to wider pointers (undefined behaviour that
 * UBSan reports). */
void
flu_gdp_write_be (guint8 * p, guint64 v, guint bytes)
{
  while (bytes--) {
    p[bytes] = (guint8) v;
    v >>= 8;
  }
}

guint64
flu_gdp_read_be (const guint8 * p, guint bytes)
{
  guint64 v = 0;
  guint i;

  for (i = 0; i < bytes; i++)
    v = (v << 8) | p[i];
  return v;
}

#define PUT16(p, v) flu_gdp_write_be (p, v, 2)
#define PUT32(p, v) flu_gdp_write_be (p, v, 4)
#define PUT64(p, v) flu_gdp_write_be (p, v, 8)
#define GET16(p) ((guint16) flu_gdp_read_be (p, 2))
#define GET32(p) ((guint32) flu_gdp_read_be (p, 4))
#define GET64(p) flu_gdp_read_be (p, 8)

static guint16
crc_update (guint16 crc, const guint8 * data, gsize length)
{
  gsize i;
  gint bit;

  for (i = 0; i < length; i++) {
    crc ^= (guint16) data[i] << 8;
    for (bit = 0; bit < 8; bit++)
      crc = (crc & 0x8000) ? (guint16) ((crc << 1) ^ 0x1021) : crc << 1;
  }
  return crc;
}

guint16
flu_gdp_crc (const guint8 * data, gsize length)
{
  /* gdppay writes 0, not the CRC of nothing, for an empty payload */
  if (length == 0)
    return 0;
  return crc_update (0xffff, data, length) ^ 0xffff;
}

static void
header_init (guint8 * h, FluGdpFlags flags, guint16 type, guint32 length)
{
  memset (h, 0, FLU_GDP_HEADER_LEN);
  h[0] = 1;
  h[1] = 0;
  h[2] = (guint8) flags;
  PUT16 (h + 4, type);
  PUT32 (h + 6, length);
}

static void
header_finish (guint8 * h, FluGdpFlags flags, guint16 payload_crc)
{
  guint16 crc = 0;

  if (flags & FLU_GDP_FLAG_CRC_HEADER)
    crc = flu_gdp_crc (h, 58);
  PUT16 (h + 58, crc);
  PUT16 (h + 60, payload_crc);
}

static guint16
buffer_crc (GstBuffer * buffer)
{
  guint i, n = gst_buffer_n_memory (buffer);
  guint16 crc = 0xffff;
  gsize total = 0;

  for (i = 0; i < n; i++) {
    GstMapInfo map;

    if (!gst_memory_map (gst_buffer_peek_memory (buffer, i), &map,
            GST_MAP_READ))
      continue;
    crc = crc_update (crc, map.data, map.size);
    total += map.size;
    gst_memory_unmap (map.memory, &map);
  }
  return total ? crc ^ 0xffff : 0;
}

static GstBuffer *
packet_from_string (guint16 type, gchar * string, FluGdpFlags flags)
{
  GstBuffer *packet = gst_buffer_new_allocate (NULL, FLU_GDP_HEADER_LEN, NULL);
  guint32 length = string ? strlen (string) + 1 : 0;
  guint16 payload_crc = 0;
  GstMapInfo map;

  if (string && (flags & FLU_GDP_FLAG_CRC_PAYLOAD))
    payload_crc = flu_gdp_crc ((const guint8 *) string, length);

  gst_buffer_map (packet, &map, GST_MAP_WRITE);
  header_init (map.data, flags, type, length);
  header_finish (map.data, flags, payload_crc);
  gst_buffer_unmap (packet, &map);

  if (string)
    gst_buffer_append_memory (packet, gst_memory_new_wrapped (0, string,
            length, 0, length, string, g_free));
  GST_BUFFER_FLAG_SET (packet, GST_BUFFER_FLAG_HEADER);
  return packet;
}

GstBuffer *
flu_gdp_pay_buffer (GstBuffer * buffer, FluGdpFlags flags)
{
  GstBuffer *packet = gst_buffer_new_allocate (NULL, FLU_GDP_HEADER_LEN, NULL);
  gsize size = gst_buffer_get_size (buffer);
  guint16 payload_crc = 0;
  GstMapInfo map;
  guint8 *h;

  g_return_val_if_fail (size <= G_MAXUINT32, NULL);

  if (flags & FLU_GDP_FLAG_CRC_PAYLOAD)
    payload_crc = buffer_crc (buffer);

  gst_buffer_map (packet, &map, GST_MAP_WRITE);
  h = map.data;
  header_init (h, flags, FLU_GDP_TYPE_BUFFER, (guint32) size);
  PUT64 (h + 10, GST_BUFFER_PTS (buffer));
  PUT64 (h + 18, GST_BUFFER_DURATION (buffer));
  PUT64 (h + 26, GST_BUFFER_OFFSET (buffer));
  PUT64 (h + 34, GST_BUFFER_OFFSET_END (buffer));
  PUT16 (h + 42, GST_BUFFER_FLAGS (buffer) & FLU_GDP_BUFFER_FLAGS_MASK);
  PUT64 (h + 44, GST_BUFFER_DTS (buffer));
  header_finish (h, flags, payload_crc);
  gst_buffer_unmap (packet, &map);

  /* The packet keeps what a fan-out needs to know about the frame inside:
   * its times and whether it is a keyframe or a header. */
  GST_BUFFER_PTS (packet) = GST_BUFFER_PTS (buffer);
  GST_BUFFER_DTS (packet) = GST_BUFFER_DTS (buffer);
  GST_BUFFER_DURATION (packet) = GST_BUFFER_DURATION (buffer);
  GST_BUFFER_FLAGS (packet) = GST_BUFFER_FLAGS (buffer) &
      (GST_BUFFER_FLAG_DELTA_UNIT | GST_BUFFER_FLAG_HEADER);

  return gst_buffer_append (packet, gst_buffer_ref (buffer));
}

GstBuffer *
flu_gdp_pay_caps (const GstCaps * caps, FluGdpFlags flags)
{
  return packet_from_string (FLU_GDP_TYPE_CAPS, gst_caps_to_string (caps),
      flags);
}

GstBuffer *
flu_gdp_pay_event (const GstEvent * event, FluGdpFlags flags)
{
  const GstStructure *s = gst_event_get_structure ((GstEvent *) event);

  return packet_from_string (FLU_GDP_TYPE_EVENT_NONE + GST_EVENT_TYPE (event),
      s ? gst_structure_to_string (s) : NULL, flags);
}

/* The GDP type field has 16 bits, GstEventType more: the custom events
 * (number 300 and up) do not fit and are written truncated to 16 bits
 * (as gdppay writes them); each event a feed carries is found back from
 * its truncated value (none of them share one).  GST_EVENT_UNKNOWN for
 * any other type. */
static GstEventType
event_type_from_gdp (guint16 type)
{
  static const GstEventType known[] = {
    GST_EVENT_STREAM_START, GST_EVENT_SEGMENT, GST_EVENT_TAG, GST_EVENT_EOS,
    GST_EVENT_GAP, GST_EVENT_CUSTOM_DOWNSTREAM,
    GST_EVENT_CUSTOM_DOWNSTREAM_STICKY, GST_EVENT_STREAM_GROUP_DONE,
    GST_EVENT_SEGMENT_DONE
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (known); i++)
    if ((guint16) (FLU_GDP_TYPE_EVENT_NONE + known[i]) == type)
      return known[i];
  return GST_EVENT_UNKNOWN;
}

gboolean
flu_gdp_parse_header (const guint8 * h, guint32 max_payload,
    FluGdpHeader * header, GError ** error)
{
  guint32 limit;

  if (h[0] != 1 || h[1] != 0) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_VERSION,
        "not a GDP 1.0 packet (version bytes %u.%u)", h[0], h[1]);
    return FALSE;
  }
  header->flags = h[2];
  if ((header->flags & FLU_GDP_FLAG_CRC_HEADER) &&
      GET16 (h + 58) != flu_gdp_crc (h, 58)) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_CRC,
        "GDP header checksum mismatch");
    return FALSE;
  }
  header->type = GET16 (h + 4);
  header->payload_length = GET32 (h + 6);
  if (header->type == FLU_GDP_TYPE_BUFFER) {
    limit = max_payload;
  } else if (header->type == FLU_GDP_TYPE_CAPS ||
      header->type >= FLU_GDP_TYPE_EVENT_NONE) {
    limit = MIN (max_payload, FLU_GDP_MAX_STRING_PAYLOAD);
  } else {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_TYPE,
        "unknown GDP payload type %u", header->type);
    return FALSE;
  }
  if (header->payload_length > limit) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_TOO_LARGE,
        "GDP packet of type %u announces %u payload bytes, more than the "
        "limit of %u (see max-packet-size)", header->type,
        header->payload_length, limit);
    return FALSE;
  }
  header->pts = GET64 (h + 10);
  header->duration = GET64 (h + 18);
  header->offset = GET64 (h + 26);
  header->offset_end = GET64 (h + 34);
  header->buffer_flags = GET16 (h + 42);
  header->dts = GET64 (h + 44);
  header->payload_crc = GET16 (h + 60);
  return TRUE;
}

gboolean
flu_gdp_check_payload (const FluGdpHeader * header, const guint8 * payload,
    GError ** error)
{
  if (!(header->flags & FLU_GDP_FLAG_CRC_PAYLOAD))
    return TRUE;
  if (flu_gdp_crc (payload, header->payload_length) == header->payload_crc)
    return TRUE;
  g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_CRC,
      "GDP payload checksum mismatch");
  return FALSE;
}

GstBuffer *
flu_gdp_buffer_new (const FluGdpHeader * header, GstBuffer * payload)
{
  GstBuffer *buffer = payload;

  GST_BUFFER_PTS (buffer) = header->pts;
  GST_BUFFER_DTS (buffer) = header->dts;
  GST_BUFFER_DURATION (buffer) = header->duration;
  GST_BUFFER_OFFSET (buffer) = header->offset;
  GST_BUFFER_OFFSET_END (buffer) = header->offset_end;
  GST_BUFFER_FLAGS (buffer) = header->buffer_flags & FLU_GDP_BUFFER_FLAGS_MASK;
  return buffer;
}

/* Every structure name (at the start and after each ';' outside quotes)
 * starts with a letter: GStreamer 1.22 parses some other names only to
 * fail with a critical. */
static gboolean
names_ok (const gchar * s)
{
  gboolean quoted = FALSE;

  s += strspn (s, " \t\r\n");
  if (!g_ascii_isalpha (*s))
    return FALSE;
  for (; *s; s++) {
    if (quoted && *s == '\\' && s[1])
      s++;
    else if (*s == '"')
      quoted = !quoted;
    else if (!quoted && *s == ';') {
      const gchar *next = s + 1 + strspn (s + 1, " \t\r\n");

      if (*next && !g_ascii_isalpha (*next))
        return FALSE;
    }
  }
  return TRUE;
}

/* GStreamer 1.22 reads a "(type)" cast with blanks allowed inside the
 * parentheses and after them ("( buffer )  zz"), and takes the name as
 * one of its abbreviations (gst_structure_gtype_from_abbr ()) or as a
 * GType name ("GstBuffer").  The value checks below follow every cast as
 * GStreamer reads it, wherever it is (nested, quoted structures are parsed
 * too), so that no spelling gets past them. */
static GType
cast_type (const gchar * name, gsize len)
{
  static const struct
  {
    const gchar *abbr;
      GType (*type) (void);
  } abbrs[] = {
    {"buffer", gst_buffer_get_type}, {"taglist", gst_tag_list_get_type},
    {"structure", gst_structure_get_type}, {"caps", gst_caps_get_type},
    {"segment", gst_segment_get_type}, {"date", g_date_get_type},
    {"datetime", gst_date_time_get_type},
    {"gdatetime", g_date_time_get_type}
  };
  gchar *n = g_strndup (name, len);
  GType t = G_TYPE_INVALID;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (abbrs) && t == G_TYPE_INVALID; i++)
    if (strcmp (n, abbrs[i].abbr) == 0)
      t = abbrs[i].type ();
  if (t == G_TYPE_INVALID)
    t = g_type_from_name (n);
  g_free (n);
  return t;
}

#define IS_SIMPLE_CHAR(c) (g_ascii_isalnum (c) || strchr ("_-+/:.", (c)))

static const gchar *
skip_blanks (const gchar * p)
{
  while (*p && g_ascii_isspace (*p))
    p++;
  return p;
}

/* The next cast from @p: its type, and in @value where its value starts
 * (blanks skipped); NULL when there is none. */
static const gchar *
next_cast (const gchar * p, GType * type, const gchar ** value)
{
  for (; (p = strchr (p, '(')); p++) {
    const gchar *name = skip_blanks (p + 1), *q = name;

    while (*q && IS_SIMPLE_CHAR (*q))
      q++;
    if (q == name || *skip_blanks (q) != ')')
      continue;
    *type = cast_type (name, q - name);
    *value = skip_blanks (skip_blanks (q) + 1);
    return *value;
  }
  return NULL;
}

/* A date or date-time value that is not one makes GStreamer 1.22 fail
 * with a critical: they are digits and "-:T.+Z " only, quoted or not. */
static gboolean
date_value_ok (const gchar * p)
{
  p += strspn (p, "\\\"");
  if (!g_ascii_isdigit (*p))
    return FALSE;
  p += strspn (p, "0123456789-:T.+Z ");
  return !*p || strchr ("\\\",;>}]", *p);
}

/* A nested structure value (a tag list, segment, structure or caps)
 * must start with its name (@prefix, or any name: a letter): GStreamer
 * 1.22 asserts (a critical) that it does.  Quoted (\") or not. */
static gboolean
nested_value_ok (const gchar * p, const gchar * prefix)
{
  p += strspn (p, "\\\"");
  return prefix ? g_str_has_prefix (p, prefix) : g_ascii_isalpha (*p);
}

/* GStreamer 1.22 answers a (buffer) value that is not an even number of
 * hex digits with a critical (and a leak, and with the buffer unreffed
 * before it is unmapped): single values and <lists>, {lists}. */
static gboolean
buffer_value_ok (const gchar * p)
{
  gboolean list = *p == '<' || *p == '{';
  gsize n;

  p += list;
  do {
    p = skip_blanks (p);
    n = strspn (p, "0123456789abcdefABCDEF");
    if (n == 0 || n % 2 || (p[n] && !g_ascii_isspace (p[n]) &&
            !strchr (",;>}\"\\", p[n])))
      return FALSE;
    p = skip_blanks (p + n);
  } while (list && *p++ == ',');
  return TRUE;
}

/* Every cast, and the value after it: a cast to an abstract or non-value
 * GType ("(GFlags)") makes GStreamer 1.22 fail with a critical, and so do
 * malformed buffers, dates and nested structures. */
static gboolean
casts_ok (const gchar * s)
{
  const gchar *p = s, *value;
  GType t;

  while ((p = next_cast (p, &t, &value))) {
    if (t == G_TYPE_INVALID)
      continue;
    if (G_TYPE_IS_ABSTRACT (t) || !G_TYPE_IS_VALUE_TYPE (t))
      return FALSE;
    if (t == GST_TYPE_BUFFER && !buffer_value_ok (value))
      return FALSE;
    if ((t == G_TYPE_DATE || t == GST_TYPE_DATE_TIME ||
            t == G_TYPE_DATE_TIME) && !date_value_ok (value))
      return FALSE;
    if ((t == GST_TYPE_TAG_LIST && !nested_value_ok (value, "taglist")) ||
        (t == GST_TYPE_SEGMENT && !nested_value_ok (value, "segment")) ||
        ((t == GST_TYPE_STRUCTURE || t == GST_TYPE_CAPS) &&
            !nested_value_ok (value, NULL)))
      return FALSE;
  }
  return TRUE;
}

/* GStreamer 1.22's value parser (gst_value_deserialize () and the
 * structure parser under it) recurses once per nesting level of lists
 * ({...}), arrays (<...>), ranges ([...]) and quoted nested structures
 * (taglists, structures, caps), with no limit: caps or an event 40,000
 * levels deep overflow the stack (SIGSEGV).  The depth is counted here,
 * before GStreamer sees the string.  A quoted string may be a nested
 * structure that GStreamer parses later, with brackets of its own (escaped
 * or not), so brackets count inside quotes too; but a closer never goes
 * below the depth where the innermost open string started (closers in a
 * string that is only text must not make room for a deeper real nesting),
 * and where a string ends the depth goes back to that start.  Quoting
 * levels are told apart by the backslashes before a quote (2^n - 1 for
 * level n, as GStreamer escapes them); more than MAX_QUOTE_LEVELS is
 * refused.  Real caps and tags stay far below FLU_GDP_MAX_STRING_DEPTH. */
#define MAX_QUOTE_LEVELS 16

static gboolean
depth_ok (const gchar * s)
{
  gint base[MAX_QUOTE_LEVELS + 1];
  gint depth = 0, innermost = -1, level, i;

  for (; *s; s++) {
    gsize slashes = 0;

    while (*s == '\\') {
      slashes++;
      s++;
    }
    if (!*s)
      break;
    if (*s == '"') {
      level = slashes ? (gint) g_bit_storage (slashes) : 0;
      if (level >= MAX_QUOTE_LEVELS)
        return FALSE;
      if (level <= innermost) {
        /* ends the string at @level, and any inside it */
        depth = base[level];
        innermost = level - 1;
      } else {
        /* opens one at @level; levels skipped start here too */
        for (i = innermost + 1; i <= level; i++)
          base[i] = depth;
        innermost = level;
      }
    } else if (*s == '{' || *s == '<' || *s == '[') {
      if (++depth > FLU_GDP_MAX_STRING_DEPTH)
        return FALSE;
    } else if ((*s == '}' || *s == '>' || *s == ']') &&
        depth > (innermost >= 0 ? base[innermost] : 0)) {
      depth--;
    }
  }
  return TRUE;
}

/* A string payload, checked to be text; NULL with @error set if not. */
static gchar *
payload_string (const FluGdpHeader * header, const guint8 * payload,
    GError ** error)
{
  gsize len = header->payload_length;
  gchar *string;

  if (len == 0) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD,
        "empty GDP string payload");
    return NULL;
  }
  if (payload[len - 1] == '\0')
    len--;
  if (memchr (payload, '\0', len) || !g_utf8_validate ((const gchar *) payload,
          len, NULL)) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD,
        "GDP string payload is not text");
    return NULL;
  }
  string = g_strndup ((const gchar *) payload, len);
  if (!depth_ok (string)) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD,
        "GDP string payload nested deeper than %d levels",
        FLU_GDP_MAX_STRING_DEPTH);
    g_clear_pointer (&string, g_free);
    return NULL;
  }
  if (!names_ok (string) || !casts_ok (string)) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD,
        "GDP string payload is not a valid structure: %.200s", string);
    g_clear_pointer (&string, g_free);
  }
  return string;
}

GstCaps *
flu_gdp_caps_new (const FluGdpHeader * header, const guint8 * payload,
    GError ** error)
{
  gchar *string = payload_string (header, payload, error);
  GstCaps *caps;

  if (!string)
    return NULL;
  caps = gst_caps_from_string (string);
  if (!caps || !gst_caps_is_fixed (caps)) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD,
        "GDP caps packet does not hold fixed caps: %.200s", string);
    gst_clear_caps (&caps);
  }
  g_free (string);
  return caps;
}

/* The fields gst_event_parse_*() would read without checking. */
static gboolean
event_structure_is_sane (GstEventType type, const GstStructure * s)
{
  switch (type) {
    case GST_EVENT_STREAM_START:
      return s && gst_structure_has_field_typed (s, "stream-id", G_TYPE_STRING);
    case GST_EVENT_SEGMENT:
      return s && gst_structure_has_field_typed (s, "segment",
          GST_TYPE_SEGMENT);
    case GST_EVENT_TAG:
      return s && gst_structure_has_field_typed (s, "taglist",
          GST_TYPE_TAG_LIST);
    case GST_EVENT_GAP:
      return s && gst_structure_has_field_typed (s, "timestamp",
          G_TYPE_UINT64) && gst_structure_has_field_typed (s, "duration",
          G_TYPE_UINT64);
    case GST_EVENT_SEGMENT_DONE:
      return s && gst_structure_has_field_typed (s, "format", GST_TYPE_FORMAT)
          && gst_structure_has_field_typed (s, "position", G_TYPE_INT64);
    case GST_EVENT_EOS:
    case GST_EVENT_STREAM_GROUP_DONE:
      return TRUE;
    default:
      return s != NULL;
  }
}

GstEvent *
flu_gdp_event_new (const FluGdpHeader * header, const guint8 * payload,
    GError ** error)
{
  GstEventType type = event_type_from_gdp (header->type);
  GstStructure *s = NULL;

  if (type == GST_EVENT_UNKNOWN) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_TYPE,
        "GDP event of type %d is not one a feed carries",
        (gint) header->type - FLU_GDP_TYPE_EVENT_NONE);
    return NULL;
  }
  if (header->payload_length > 0) {
    gchar *string = payload_string (header, payload, error), *end = NULL;

    if (!string)
      return NULL;
    /* with an end pointer: trailing junk fails quietly, not in a warning */
    s = gst_structure_from_string (string, &end);
    if (s && end[strspn (end, " \t\r\n")] != '\0')
      g_clear_pointer (&s, gst_structure_free);
    if (!s) {
      g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD,
          "cannot parse GDP event payload: %.200s", string);
      g_free (string);
      return NULL;
    }
    g_free (string);
  }
  if (!event_structure_is_sane (type, s)) {
    g_set_error (error, FLU_GDP_ERROR, FLU_GDP_ERROR_PAYLOAD,
        "GDP %s event lacks its fields", gst_event_type_get_name (type));
    if (s)
      gst_structure_free (s);
    return NULL;
  }
  return gst_event_new_custom (type, s);
}
