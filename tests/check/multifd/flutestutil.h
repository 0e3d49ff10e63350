/* gst-flumotion test helpers
 * Copyright (C) 2026 gst-flumotion developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* A test stream whose every buffer says what it is: a 16-byte header
 * ("FLUB", sequence number, total size, keyframe flag, big endian) then a
 * payload of bytes derived from the sequence number.  A byte stream read
 * from a client can be parsed back into the list of buffers it carried. */

#ifndef __FLU_TEST_UTIL_H__
#define __FLU_TEST_UTIL_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define FLU_TEST_HDR_SIZE 16

GstBuffer *flu_test_buffer_new (guint seq, gsize size, gboolean keyframe,
    GstClockTime pts, guint n_memories);
GstCaps *flu_test_caps_with_headers (const gchar * h1, const gchar * h2);

typedef struct
{
  guint seq;
  gsize size;
  gboolean keyframe;
} FluTestParsed;

/* Parse @data (skipping @skip leading bytes, e.g. stream headers).
 * Returns FALSE (with a message in @err) when the bytes are not a
 * contiguous sequence of whole, intact test buffers.  @out gets one
 * FluTestParsed per buffer. */
gboolean flu_test_parse (const guint8 * data, gsize len, GArray * out,
    gchar ** err);
/* The same, but a truncated last buffer (a client removed mid-buffer) is
 * accepted and left out of @out. */
gboolean flu_test_parse_cut (const guint8 * data, gsize len, GArray * out,
    gchar ** err);

/* Read everything available on @fd within @timeout_ms of silence. */
GByteArray *flu_test_read_all (gint fd, guint timeout_ms);

G_END_DECLS

#endif
