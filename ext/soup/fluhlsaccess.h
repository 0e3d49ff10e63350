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


/* fluhlssink's access control and viewer sessions, on the server the
 * element shares: the checks fluhttpsink makes (fluhttpgate.c), made once
 * when a viewer first asks for a playlist; the session token the viewer
 * then carries (fluhlssession.c) in the playlist's URIs and a cookie; one
 * access-log line, one pair of bus messages and one viewer in the stats
 * per session; the stats and metrics paths and the mount's entry on the
 * port's status page.  Private to the element. */

#ifndef __FLU_HLS_ACCESS_H__
#define __FLU_HLS_ACCESS_H__

#include <gst/gst.h>

#include "fluhttpserver.h"
#include "fluhlsgroup.h"
#include "fluhlswindow.h"

G_BEGIN_DECLS

typedef enum
{
  FLU_HLS_SESSION_AUTO,
  FLU_HLS_SESSION_OFF,
  FLU_HLS_SESSION_QUERY,
  FLU_HLS_SESSION_COOKIE,
  FLU_HLS_SESSION_BOTH,
} FluHlsSessionMode;

GType flu_hls_session_mode_get_type (void);
#define FLU_TYPE_HLS_SESSION_MODE (flu_hls_session_mode_get_type ())

typedef struct _FluHlsAccess FluHlsAccess;

/* The element's access part; @element posts the bus messages. */
FluHlsAccess *flu_hls_access_new (GstElement * element);
void flu_hls_access_free (FluHlsAccess * a);

/* Installs the access properties with ids @first_id and up; returns the
 * id after the last. */
guint flu_hls_access_install_properties (GObjectClass * klass,
    guint first_id);
/* FALSE when @prop_id is not an access property. */
gboolean flu_hls_access_set_property (FluHlsAccess * a, guint prop_id,
    const GValue * value, GParamSpec * pspec);
gboolean flu_hls_access_get_property (FluHlsAccess * a, guint prop_id,
    GValue * value, GParamSpec * pspec);

/* Starts serving @mount_point (its playlist mounted at @playlist_path on
 * @server): reads the files, makes the session key, opens the log, mounts
 * the stats and metrics paths and lists the stream on the status page.
 * session-timeout is raised (with a warning) to at least @hold_s + 1,
 * @hold_s the longest a blocking reload is held (3 target durations).
 * With @member (a rendition of a group), sessions span the group: its
 * members must have the same access settings (else FALSE), share one
 * session key, and the first running member (the lead) checks the
 * group's viewers (/<group>.m3u8 included), keeps their sessions and
 * writes their log lines; tokens, signed URLs and the cookie
 * (flu_hls_session_<group>, Path=/) name /<group>.m3u8.  Not from the
 * server thread. */
gboolean flu_hls_access_start (FluHlsAccess * a, FluHttpServer * server,
    const gchar * mount_point, const gchar * playlist_path,
    const gchar * cors_origin, guint hold_s, FluHlsMember * member,
    GError ** error);
/* Ends every session (their log lines, bus messages) and unmounts. Not
 * from the server thread. */
void flu_hls_access_stop (FluHlsAccess * a);

/* Server thread: TRUE when @msg may be answered, else it is answered
 * (401, 403, 429, 503) and logged.  A playlist request without a valid
 * session is checked and, when let in, starts one; other requests need a
 * valid session (when sessions are on). */
gboolean flu_hls_access_admit (FluHlsAccess * a, SoupServerMessage * msg,
    GHashTable * query, gboolean playlist);
/* Server thread: @playlist as @msg's viewer gets it (a ref of it, or with
 * its session token in every URI; the cookie set).  @window (may be
 * NULL) is the window @playlist comes from: the tokens of its media
 * URIs expire from their segments' token times (the same in every
 * playlist that lists them); without it, every token lasts
 * session-timeout from now. */
GBytes *flu_hls_access_playlist (FluHlsAccess * a, SoupServerMessage * msg,
    GBytes * playlist, FluHlsWindow * window);
/* Server thread: the response headers of an answer to a session (private
 * caching); call after Cache-Control is set. */
void flu_hls_access_set_headers (FluHlsAccess * a, SoupServerMessage * msg);
/* @bytes of stream came in (for the stream bitrate and bandwidth-limit);
 * @eos: it ended. */
void flu_hls_access_stream_data (FluHlsAccess * a, gsize bytes, gboolean eos);
/* Adds sessions, sessions-total, credential-checks, refused and
 * bytes-sent to the element's stats. */
void flu_hls_access_add_stats (FluHlsAccess * a, GstStructure * s);

/* Server thread: TRUE when the mount is public (running, no sessions,
 * no credentials, no allow/deny, no limits, no access log, not in a
 * group): its requests need no check and no session, so fluhlssink may
 * answer them without libsoup. */
gboolean flu_hls_access_is_public (FluHlsAccess * a);
/* Counts @requests answered and @bytes of body sent on a public mount
 * outside flu_hls_access_admit () (the fast path). */
void flu_hls_access_count_public (FluHlsAccess * a, guint requests,
    guint64 bytes);

/* The fast path for sessions (server thread; not in a group): TRUE, with
 * the session's id in @session (free it), when the request (@query, the
 * @request headers, from @peer) carries a valid token of a session known
 * here and @peer passes allow/deny: the request is counted on the
 * session as flu_hls_access_admit () counts it.  FALSE (nothing counted)
 * for anything else: libsoup's path answers it. */
gboolean flu_hls_access_admit_fast (FluHlsAccess * a, GInetAddress * peer,
    GHashTable * query, SoupMessageHeaders * request, gchar ** session);
/* flu_hls_access_playlist () for @session (admitted above): the cookie
 * goes in @response. */
GBytes *flu_hls_access_playlist_fast (FluHlsAccess * a,
    const gchar * session, GInetAddress * peer,
    SoupMessageHeaders * response, GBytes * playlist, FluHlsWindow * window);
/* flu_hls_access_set_headers () on @response. */
void flu_hls_access_fill_headers (FluHlsAccess * a,
    SoupMessageHeaders * response);
/* @bytes of body sent to @session (NULL: none), as libsoup's path counts
 * its "wrote-body-data". */
void flu_hls_access_count_sent (FluHlsAccess * a, const gchar * session,
    guint64 bytes);

G_END_DECLS

#endif /* __FLU_HLS_ACCESS_H__ */
