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

/* fluhlssink's elementary inputs: the "video" (H.264, H.265) and
 * "audio" (AAC, Opus) request pads, their caps turned into CMAF tracks
 * and their buffers into samples for the CMAF muxer (fluhlsfmp4.h),
 * whose parts go to the element through a callback. */

#ifndef __FLU_HLS_INPUT_H__
#define __FLU_HLS_INPUT_H__

#include <gst/gst.h>
#include "fluhlswindow.h"
#include "flucmaf.h"

G_BEGIN_DECLS

/* Called from a streaming thread, one call at a time, with a finished
 * part (@data taken, NULL with @end) and its info (info->init borrowed);
 * on a new segment also what a multivariant playlist says of the
 * rendition: @codecs ("avc1.64001f,mp4a.40.2", NULL otherwise), the
 * video size and frame rate (0 without video, or unknown). */
typedef void (*FluHlsInputPartFunc) (GstElement * element,
    const FluHlsPartInfo * info, GBytes * data, gboolean end,
    const gchar * codecs, guint width, guint height, gdouble fps);

typedef struct _FluHlsInput FluHlsInput;

void flu_hls_input_add_templates (GstElementClass * klass);
FluHlsInput *flu_hls_input_new (GstElement * element,
    FluHlsInputPartFunc func);
void flu_hls_input_free (FluHlsInput * in);
/* A "video" or "audio" pad (NULL when taken, or once started). */
GstPad *flu_hls_input_request_pad (FluHlsInput * in, GstPadTemplate * templ);
/* TRUE when @pad was one of ours (now removed). */
gboolean flu_hls_input_release_pad (FluHlsInput * in, GstPad * pad);
/* TRUE when a request pad exists (the element muxes fMP4). */
gboolean flu_hls_input_active (FluHlsInput * in);
/* Muxing starts (cutting with @target and @part_target, ns) / stops. */
void flu_hls_input_start (FluHlsInput * in, guint64 target,
    guint64 part_target);
void flu_hls_input_stop (FluHlsInput * in);

/* @caps -> @t (clear it); FALSE when they lack what fMP4 needs. */
gboolean flu_hls_input_caps_to_track (const GstCaps * caps, FluCmafTrack * t);

G_END_DECLS

#endif /* __FLU_HLS_INPUT_H__ */
