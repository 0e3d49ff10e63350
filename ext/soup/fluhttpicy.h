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


/* fluhttpsink's ICY metadata (SHOUTcast/Icecast style, for radio
 * players): the icy-* properties, the title from tags or stream-title, the
 * shared metadata blocks and the engine interleave that puts one every
 * icy-metaint bytes into the stream of a viewer that asked for them
 * (Icy-MetaData: 1).  Private to the element. */

#ifndef __FLU_HTTP_ICY_H__
#define __FLU_HTTP_ICY_H__

#include <gst/gst.h>
#include <libsoup/soup.h>
#include "flufanout.h"

G_BEGIN_DECLS

#define FLU_HTTP_ICY_DEFAULT_METAINT 16000
#define FLU_HTTP_ICY_MAX_METAINT (1024 * 1024)
/* the largest block: one length byte counts 16-byte units */
#define FLU_HTTP_ICY_MAX_META (255 * 16)

typedef struct _FluHttpIcy FluHttpIcy;

FluHttpIcy *flu_http_icy_new (void);
void flu_http_icy_unref (FluHttpIcy * icy);

/* The icy-* properties, installed with ids from @first_id on. */
void flu_http_icy_install_properties (GObjectClass * klass, guint first_id);
/* @id relative to @first_id */
void flu_http_icy_set_property (FluHttpIcy * icy, guint id,
    const GValue * value);
void flu_http_icy_get_property (FluHttpIcy * icy, guint id, GValue * value);

/* streaming thread: a tag event's list (title, artist, bitrate) */
void flu_http_icy_tags (FluHttpIcy * icy, const GstTagList * tags);

/* Any thread: the response headers (icy-name & co. for every viewer,
 * icy-metaint when asked for on an audio stream).  Returns the metadata
 * interval the answer announced, 0 = the plain stream. */
guint flu_http_icy_answer (FluHttpIcy * icy, SoupServerMessage * msg,
    const GstCaps * caps);
/* The same into response headers @h of our own, @ask being the request's
 * Icy-MetaData header (NULL: none). */
guint flu_http_icy_answer_headers (FluHttpIcy * icy, const gchar * ask,
    SoupMessageHeaders * h, const GstCaps * caps);

/* The engine interleave for a viewer answered with @metaint (0 = none:
 * interval 0).  The caller owns @il->user_data until the engine took it
 * (call @il->destroy when flu_fanout_add_interleaved() fails). */
void flu_http_icy_viewer_interleave (FluHttpIcy * icy, guint metaint,
    FluFanoutInterleave * il);

/* Exposed for the tests: whether ICY is offered on a stream of @caps, and
 * the block that carries @title (NULL = the empty block, one zero byte). */
gboolean flu_http_icy_caps_allowed (const GstCaps * caps);
GBytes *flu_http_icy_make_block (const gchar * title);

G_END_DECLS

#endif /* __FLU_HTTP_ICY_H__ */
