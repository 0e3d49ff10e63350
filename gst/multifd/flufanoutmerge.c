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

#include "flufanoutmerge.h"

#define UNMERGEABLE (GST_BUFFER_FLAG_DISCONT | GST_BUFFER_FLAG_HEADER | \
    GST_BUFFER_FLAG_GAP)

static gboolean
mergeable (GstBuffer * buf, gsize size)
{
  return size > 0 && size < FLU_MERGE_SMALL &&
      (GST_BUFFER_FLAGS (buf) & UNMERGEABLE) == 0;
}

gboolean
flu_merge_append (FluMerge * m, GstBuffer * buf)
{
  gsize size = gst_buffer_get_size (buf);

  if (!m->open || !mergeable (buf, size) ||
      !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT) ||
      m->fill + size > FLU_MERGE_CHUNK)
    return FALSE;
  gst_buffer_extract (buf, 0, m->data + m->fill, size);
  m->fill += size;
  m->n_buffers++;
  return TRUE;
}

gboolean
flu_merge_start (FluMerge * m, GstBuffer * buf)
{
  gsize size = gst_buffer_get_size (buf);

  g_return_val_if_fail (!m->open, FALSE);
  if (!mergeable (buf, size))
    return FALSE;
  if (m->data == NULL)
    m->data = g_malloc (FLU_MERGE_CHUNK);
  m->open = TRUE;
  m->n_buffers = 0;
  m->pts = GST_BUFFER_PTS (buf);
  m->dts = GST_BUFFER_DTS (buf);
  m->keyframe = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  gst_buffer_extract (buf, 0, m->data, size);
  m->fill = size;
  m->n_buffers = 1;
  return TRUE;
}

GstBuffer *
flu_merge_seal (FluMerge * m)
{
  GstBuffer *buf;

  if (!m->open)
    return NULL;
  /* the ring keeps what was filled, in a block of its size */
  buf = gst_buffer_new_wrapped (g_memdup2 (m->data, m->fill), m->fill);
  m->open = FALSE;
  GST_BUFFER_PTS (buf) = m->pts;
  GST_BUFFER_DTS (buf) = m->dts;
  if (!m->keyframe)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  m->fill = 0;
  m->n_buffers = 0;
  return buf;
}

void
flu_merge_clear (FluMerge * m)
{
  g_clear_pointer (&m->data, g_free);
  m->open = FALSE;
  m->fill = 0;
  m->n_buffers = 0;
}
