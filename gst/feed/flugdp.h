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


/* GDP ("GStreamer Data Protocol" 1.0) as gst-plugins-bad's gdppay writes it
 * and gdpdepay reads it: every packet is a 62-byte big-endian header
 * followed by a payload.
 *
 *   0  major version (1)         1  minor version (0)
 *   2  flags (1 = header CRC, 2 = payload CRC)     3  padding (0)
 *   4  payload type (u16): 1 buffer, 2 caps, 64 + GstEventType for events
 *   6  payload length (u32)
 *  10  PTS (u64)   18 duration (u64)   26 offset (u64)   34 offset-end (u64)
 *  42  buffer flags (u16)   44 DTS (u64)   52..57 unused (0)
 *  58  CRC-16 of bytes 0..57 (0 when not flagged)
 *  60  CRC-16 of the payload (0 when not flagged)
 *
 * Caps and event payloads are NUL-terminated strings (gst_caps_to_string,
 * gst_structure_to_string).  The CRC is CRC-16/CCITT (polynomial 0x1021,
 * initial 0xffff, result inverted).  This file is the only place that knows
 * the layout; it reads untrusted bytes, so every length is checked against
 * a caller-given bound before anything is allocated. */

#ifndef __FLU_GDP_H__
#define __FLU_GDP_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define FLU_GDP_HEADER_LEN 62

/* Default and hard upper bounds of one packet's payload. */
#define FLU_GDP_DEFAULT_MAX_PAYLOAD (32 * 1024 * 1024)
#define FLU_GDP_MAX_MAX_PAYLOAD (256 * 1024 * 1024)
/* Caps and events are strings; nothing sane is larger than this. */
#define FLU_GDP_MAX_STRING_PAYLOAD (1024 * 1024)
/* Deepest nesting of lists, arrays, ranges and quoted structures in a
 * caps or event string (GStreamer's parser recurses per level). */
#define FLU_GDP_MAX_STRING_DEPTH 64

typedef enum
{
  FLU_GDP_FLAG_CRC_HEADER = 1 << 0,
  FLU_GDP_FLAG_CRC_PAYLOAD = 1 << 1
} FluGdpFlags;

typedef enum
{
  FLU_GDP_TYPE_NONE = 0,
  FLU_GDP_TYPE_BUFFER = 1,
  FLU_GDP_TYPE_CAPS = 2,
  FLU_GDP_TYPE_EVENT_NONE = 64
} FluGdpType;

typedef struct
{
  guint8 flags;
  guint16 type;
  guint32 payload_length;
  GstClockTime pts;
  GstClockTime duration;
  guint64 offset;
  guint64 offset_end;
  guint16 buffer_flags;
  GstClockTime dts;
  guint16 payload_crc;
} FluGdpHeader;

#define FLU_GDP_ERROR (flu_gdp_error_quark ())
GQuark flu_gdp_error_quark (void);

typedef enum
{
  FLU_GDP_ERROR_VERSION,
  FLU_GDP_ERROR_CRC,
  FLU_GDP_ERROR_TYPE,
  FLU_GDP_ERROR_TOO_LARGE,
  FLU_GDP_ERROR_PAYLOAD
} FluGdpError;

guint16 flu_gdp_crc (const guint8 * data, gsize length);

/* Unaligned big-endian fields of @bytes bytes (1..8). */
void flu_gdp_write_be (guint8 * p, guint64 v, guint bytes);
guint64 flu_gdp_read_be (const guint8 * p, guint bytes);

/* Writing.  Each returns a new buffer holding one whole packet. */
GstBuffer *flu_gdp_pay_buffer (GstBuffer * buffer, FluGdpFlags flags);
GstBuffer *flu_gdp_pay_caps (const GstCaps * caps, FluGdpFlags flags);
GstBuffer *flu_gdp_pay_event (const GstEvent * event, FluGdpFlags flags);

/* Reading.  flu_gdp_parse_header() validates version, header CRC, type and
 * that the payload length is at most @max_payload (lower still for caps
 * and events), so the caller can then allocate the payload safely. */
gboolean flu_gdp_parse_header (const guint8 * data, guint32 max_payload,
    FluGdpHeader * header, GError ** error);
gboolean flu_gdp_check_payload (const FluGdpHeader * header,
    const guint8 * payload, GError ** error);

/* Consume @payload (header->payload_length bytes) into a buffer carrying
 * the header's timestamps and flags. */
GstBuffer *flu_gdp_buffer_new (const FluGdpHeader * header,
    GstBuffer * payload);
GstCaps *flu_gdp_caps_new (const FluGdpHeader * header,
    const guint8 * payload, GError ** error);
GstEvent *flu_gdp_event_new (const FluGdpHeader * header,
    const guint8 * payload, GError ** error);

G_END_DECLS

#endif /* __FLU_GDP_H__ */
