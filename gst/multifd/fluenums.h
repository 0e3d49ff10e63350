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

#ifndef __FLU_ENUMS_H__
#define __FLU_ENUMS_H__

#include <glib-object.h>

G_BEGIN_DECLS

/* Same nicks and values as GstMultiHandleSink's enums, under our own type
 * names so that both plugins can live in one process. */
#define FLU_TYPE_SYNC_METHOD (flu_sync_method_get_type ())
GType flu_sync_method_get_type (void);

#define FLU_TYPE_RECOVER_POLICY (flu_recover_policy_get_type ())
GType flu_recover_policy_get_type (void);

#define FLU_TYPE_CLIENT_STATUS (flu_client_status_get_type ())
GType flu_client_status_get_type (void);

/* The custom downstream sticky event flufeedsrc pushes before the first
 * buffer after a reconnection (field "restarts", guint: its count); it
 * goes through muxers, and fluhttpsink counts the restarts from it. */
#define FLU_UPSTREAM_RESTART_EVENT "flu-upstream-restart"

G_END_DECLS

#endif /* __FLU_ENUMS_H__ */
