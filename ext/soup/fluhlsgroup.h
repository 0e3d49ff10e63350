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

/* Groups of fluhlssink renditions: the fluhlssinks naming the same
 * group on one server (one address:port) make one multivariant playlist,
 * served at /<group>.m3u8 by that server, and each of their media
 * playlists reports the others (EXT-X-RENDITION-REPORT).  The registry
 * is keyed by server and group name; it needs nothing of the server but
 * its mounts.
 *
 * One lock, the registry's, taken briefly by every call (from any
 * thread: the server thread renders, the streaming thread reports what
 * the probe found); no other lock is taken under it, no I/O under it. */

#ifndef __FLU_HLS_GROUP_H__
#define __FLU_HLS_GROUP_H__

#include "fluhttpserver.h"
#include "fluhlswindow.h"

G_BEGIN_DECLS

typedef struct _FluHlsMember FluHlsMember;

/* TRUE for a group name that makes a path: [A-Za-z0-9._-], not starting
 * with '.'. */
gboolean flu_hls_group_name_valid (const gchar * name);

/* Joins (creating it, and mounting /<name>.m3u8 on @server, for the
 * first member) the group @name of @server as the rendition served at
 * @mount_point.  @cors_origin (NULL = none) is the first member's.
 * @control sums up what must be the same in every member (the spec,
 * 6.2.4: TARGETDURATION and EXT-X-SERVER-CONTROL): a member with another
 * one is refused. */
FluHlsMember *flu_hls_group_join (FluHttpServer * server, const gchar * name,
    const gchar * mount_point, const gchar * cors_origin,
    guint target_duration, const gchar * control, GError ** error);
/* Leaves; the last member unmounts the multivariant playlist.  Not from
 * the server thread. */
void flu_hls_group_leave (FluHlsMember * m);

/* What the window says now (server thread). */
void flu_hls_member_set_stats (FluHlsMember * m,
    const FluHlsWindowStats * stats);
/* What the stream is (any thread): @codecs NULL = unknown. */
void flu_hls_member_set_media (FluHlsMember * m, const gchar * codecs,
    guint width, guint height, gdouble fps);
/* EXT-X-RENDITION-REPORT tags for the other members, NULL when none. */
GBytes *flu_hls_member_reports (FluHlsMember * m);

/* Sessions across the group (fluhlsaccess.c): the members' access
 * settings (@settings, a summary) must agree, and the first to start
 * gives the group its session key; *@key (a ref, replaced) gets the
 * group's.  FALSE (with @error) when the settings differ. */
struct _FluHlsAccess;
gboolean flu_hls_member_agree (FluHlsMember * m, const gchar * settings,
    GBytes ** key, GError ** error);
/* Server thread: @access (NULL = none) serves the member's sessions. */
void flu_hls_member_set_access (FluHlsMember * m,
    struct _FluHlsAccess * access);
/* Server thread: the access of the first member (in join order) that
 * has one: it checks the group's viewers and keeps their sessions; NULL
 * when none.  Valid until the calling handler returns. */
struct _FluHlsAccess *flu_hls_member_lead (FluHlsMember * m);
/* The group's name and its multivariant path (/<name>.m3u8), as long as
 * @m is a member. */
const gchar *flu_hls_member_group_name (FluHlsMember * m);
const gchar *flu_hls_member_group_path (FluHlsMember * m);

G_END_DECLS

#endif /* __FLU_HLS_GROUP_H__ */
