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
 */

#ifndef __FLU_MULTI_FD_SINK_H__
#define __FLU_MULTI_FD_SINK_H__

#include <gst/gst.h>
#include <gst/base/gstbasesink.h>

#include "flufanout.h"

G_BEGIN_DECLS

#define FLU_TYPE_MULTI_FD_SINK (flu_multi_fd_sink_get_type ())
G_DECLARE_FINAL_TYPE (FluMultiFdSink, flu_multi_fd_sink, FLU, MULTI_FD_SINK,
    GstBaseSink)

struct _FluMultiFdSink
{
  GstBaseSink parent;

  FluFanout *fanout;
  FluFanoutConfig config;       /* protected by the object lock */
  guint64 config_seq;           /* orders setters: see flumultifdsink.c */
};

GST_ELEMENT_REGISTER_DECLARE (flumultifdsink);

G_END_DECLS

#endif /* __FLU_MULTI_FD_SINK_H__ */
