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

/**
 * SECTION:element-fluhlssink
 *
 * HLS and Low-Latency HLS served from memory.  Takes a muxed MPEG-TS
 * stream, cuts it into segments that start on keyframes and, with
 * part-target, into LL-HLS parts, keeps a bounded window of them in
 * memory and serves the media playlist, the segments and the parts under
 * its mount point on the same per-port server as fluhttpsink (elements
 * with the same address and port share it).  Blocking playlist reloads
 * (_HLS_msn, _HLS_part) and requests for the preload-hinted part are
 * held without a thread each and answered as soon as the part exists.
 * With playlist-length above 6, the playlist offers delta updates
 * (CAN-SKIP-UNTIL of 6 target durations; _HLS_skip=YES answers with
 * EXT-X-SKIP, also with blocking reloads).
 * The example serves http://localhost:8800/room1/index.m3u8.  Behind a
 * flu-porter (porter-socket, porter-secret-file) the mount point is
 * registered as one prefix route for the playlist, segments and parts.
 *
 * With htpasswd, token-secret, allow/deny, a limit or access-log set,
 * viewers get sessions (fluhlsaccess.c): fluhttpsink's checks run once,
 * on a viewer's first playlist request, and the playlist then carries an
 * HMAC session token in every URI (?s=...) and a cookie; later requests
 * present it, segments and parts without a valid one get 403.  A
 * segment's, part's or init segment's token expires session-timeout
 * after that segment's time, so its URI is the same in every playlist
 * that lists it (RFC 8216bis 6.2.1), and is taken past its expiry while
 * its session lives (the cookie is renewed by each playlist, in steps
 * of session-timeout / 10); a session keeps the tokens it was given or
 * presented, bound to the key, mount, id and address they were made
 * with (fluhlstokencache.c): a known token is compared in constant time
 * instead of HMACed again (its expiry checked as before), a reload of an
 * unchanged playlist gets the same bytes, a new segment costs one HMAC; a
 * session (a viewer: client-limit counts them) ends after
 * session-timeout idle with one access-log line and a
 * fluhlssink-session-ended bus message.  max-sessions bounds the table
 * (the oldest one-request session makes room, else 503); a
 * session-timeout not above 3 x target-duration is raised to it + 1 s.
 * stats-allow and stats-htpasswd guard stats-path and metrics-path as
 * fluhttpsink's.  In a group, a session spans the renditions: the members
 * must have the same access settings, /<group>.m3u8 makes the check and
 * carries the token, which every rendition takes.  Answers keep the
 * connection open (HTTP/1.1 keep-alive, or HTTP/1.0 asking for it), 400s
 * and 503s of held requests too; between requests a connection waits
 * outside libsoup, in one epoll set per port, and is closed after
 * header-timeout idle.  On a public mount (no sessions, no checks, no
 * allow/deny, limits or access log, not in a group), and on a mount with
 * sessions (not in a group) for a request with a valid token of a
 * session it holds, the next plain GET or HEAD on such a connection that
 * can be answered at once (a segment, a ready part, an init segment, a
 * playlist, a blocking reload already satisfiable) is read and answered
 * without libsoup, with the same bytes and the same session accounting;
 * on a public mount, one to hold (a blocking reload, the preload-hinted
 * part) is held there too and answered as libsoup's held requests are;
 * the rest (a viewer's first request among them) goes through libsoup
 * as before.
 *
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! x264enc tune=zerolatency \
 *     key-int-max=30 ! mpegtsmux ! fluhlssink port=8800 mount-point=/room1/
 * ]|
 *
 * Instead of MPEG-TS on the sink pad, elementary streams on the "video"
 * (H.264 or H.265, after h264parse / h265parse) and "audio" (AAC after
 * aacparse, or Opus after opusparse) request pads are muxed by the
 * element into CMAF fragmented MP4: one video and one audio track in one
 * fMP4 (an init segment init<N>.mp4 named by EXT-X-MAP, segments
 * seg<N>.m4s and parts part<N>.<i>.m4s, each part one moof + mdat
 * starting on a part boundary, INDEPENDENT=YES on parts that start with
 * a video keyframe).  Use either the sink pad or the request pads (video
 * alone, audio alone, or both), requested before the element leaves
 * NULL.  New caps on a pad make a new init segment, with
 * EXT-X-DISCONTINUITY, at the next video keyframe.  GAP events on a pad
 * let the other go on without waiting; a pad that sends nothing is
 * skipped after part-target of silence (1 s without parts, or before
 * its first data), and one that never had data does not hold the end:
 * EXT-X-ENDLIST and EOS come when every pad that had data has had EOS.
 * An Opus track's edit list cuts the encoder's pre-skip.
 *
 * |[
 * gst-launch-1.0 fluhlssink name=s port=8800 mount-point=/room1/ \
 *     videotestsrc is-live=true ! x264enc tune=zerolatency key-int-max=30 ! \
 *     h264parse ! s.video \
 *     audiotestsrc is-live=true ! voaacenc ! aacparse ! s.audio
 * ]|
 *
 * fluhlssinks on one port that name the same group are the renditions of
 * one multivariant playlist, served at /<group>.m3u8: one
 * EXT-X-STREAM-INF per rendition, by bandwidth, with BANDWIDTH (the peak
 * segment bit rate over the window) and AVERAGE-BANDWIDTH measured,
 * CODECS, RESOLUTION and FRAME-RATE read from the stream (the H.264 SPS,
 * the ADTS header) or CODECS from the codecs property; each media
 * playlist then reports the others (EXT-X-RENDITION-REPORT).  The
 * example serves http://localhost:8800/room1.m3u8.
 *
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! video/x-raw,format=I420 ! tee name=t \
 *   t. ! queue ! videoscale ! video/x-raw,width=640,height=360 ! \
 *     x264enc tune=zerolatency key-int-max=30 bitrate=800 ! mpegtsmux ! \
 *     fluhlssink port=8800 mount-point=/room1/hi/ group=room1 \
 *   t. ! queue ! videoscale ! video/x-raw,width=320,height=180 ! \
 *     x264enc tune=zerolatency key-int-max=30 bitrate=250 ! mpegtsmux ! \
 *     fluhlssink port=8800 mount-point=/room1/lo/ group=room1
 * ]|
 */

/* Threads and locks.  The streaming thread cuts parts (FluHlsCutter) and
 * gives each finished part to the server thread (a source on the
 * server's GMainContext); the server thread owns the window
 * (FluHlsWindow), the mounts of its names and the held requests, and
 * answers every request.  Served data is the parts' own GBytes, referenced
 * by the response bodies, never copied.
 *
 * lock guards the properties, server and settings.  stats_lock guards
 * the counters the stats property reads.  The elementary request pads
 * (fluhlsinput.c) have their own lock, under which their muxer hands
 * parts to post_job.  Lock order: the input's lock, then lock, then
 * stats_lock, then the group registry's lock (fluhlsgroup.c, a leaf).
 * The streaming thread takes lock once per finished part (to find the
 * server), never for a buffer. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhlssink.h"
#include "fluhlsinput.h"
#include "fluhlswindow.h"
#include "fluhlsaccess.h"
#include "fluhlsgroup.h"
#include "fluhlsvariant.h"
#include "fluhttpserver.h"
#include "fluhttpserverprops.h"

#include <string.h>

GST_DEBUG_CATEGORY (flu_hls_sink_debug);
#define GST_CAT_DEFAULT flu_hls_sink_debug

enum
{
  PROP_0,
  /* address, port, header-timeout, porter-socket, porter-secret-file
   * (fluhttpserverprops.h) */
  PROP_SERVER_FIRST,
  PROP_SERVER_LAST = PROP_SERVER_FIRST + FLU_HTTP_SERVER_N_PROPS - 1,
  PROP_CURRENT_PORT,
  PROP_MOUNT_POINT,
  PROP_TARGET_DURATION,
  PROP_PART_TARGET,
  PROP_PLAYLIST_LENGTH,
  PROP_MAX_SEGMENTS,
  PROP_CORS_ORIGIN,
  PROP_MAX_HELD,
  PROP_GROUP,
  PROP_CODECS,
  PROP_STATS,
  N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

#define DEFAULT_MOUNT_POINT "/hls/"
#define DEFAULT_TARGET_DURATION 2
#define DEFAULT_PART_TARGET (333 * GST_MSECOND)
#define DEFAULT_PLAYLIST_LENGTH 5
#define DEFAULT_MAX_SEGMENTS 10
#define DEFAULT_CORS_ORIGIN "*"
#define DEFAULT_MAX_HELD 10000
/* held requests get 503 after this many target durations (the spec's
 * suggestion for blocking reloads) */
#define HOLD_TARGETS 3
#define SEGMENT_CACHE "public, max-age=31536000, immutable"

/* What the server thread reads: taken at start, never changed. */
typedef struct
{
  gchar *mount_point;
  gchar *cors_origin;
  guint target_duration;
  guint64 part_target;
  guint playlist_length;
  guint max_segments;
  guint max_held;
  gboolean fmp4;                /* request pads: CMAF fMP4 */
  gchar *group;
  gchar *codecs;
} Settings;

struct _FluHlsSink
{
  GstBaseSink parent;

  GMutex lock;
  /* properties */
  FluHttpServerProps server_props;      /* address, port, porter-... */
  gchar *mount_point;
  guint target_duration;
  guint64 part_target;
  guint playlist_length;
  guint max_segments;
  gchar *cors_origin;
  guint max_held;
  gchar *group;
  gchar *codecs;
  /* running, under lock */
  FluHttpServer *server;
  FluHlsMember *member;         /* in a group */
  Settings *settings;
  guint64 next_msn;             /* media sequence of the next start */
  FluHlsAccess *access;         /* checks and sessions (fluhlsaccess.c) */

  /* streaming thread only */
  FluHlsCutter cutter;
  GByteArray *part;
  FluHlsPartInfo info;          /* of the part in progress */
  gboolean need_keyframe;
  gboolean pending_discont;
  GstCaps *caps;
  GBytes *header;               /* the caps' streamheader: PAT, PMT */
  gsize part_size;              /* of the latest part */
  gint64 wall0;                 /* wall clock (us) at stream time ts0 */
  guint64 ts0;
  FluHlsProbe probe;            /* CODECS, RESOLUTION of a rendition */
  gboolean probed;

  /* server thread only */
  FluHlsWindow *window;
  GQueue held;                  /* Held, newest first (deadline order) */
  GSource *held_timer;          /* at the oldest held's deadline */
  SoupServerMessage *just_held; /* by the request being handled */
  gchar *index_path;

  GMutex stats_lock;
  FluHlsWindowStats wstats;
  guint64 requests;
  guint64 held_answered;
  guint64 timeouts;
  guint64 bad_requests;
  guint64 not_found;
  guint64 held_refused;
  guint64 fast_answers;         /* of requests, answered without libsoup */
  guint n_held;

  FluHlsInput *input;           /* the video / audio request pads */
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/mpegts, systemstream = (boolean) true, "
        "packetsize = (int) 188"));

#define flu_hls_sink_parent_class parent_class
G_DEFINE_TYPE (FluHlsSink, flu_hls_sink, GST_TYPE_BASE_SINK);

static void flu_hls_sink_finalize (GObject * object);
static void flu_hls_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void flu_hls_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn flu_hls_sink_change_state (GstElement * element,
    GstStateChange transition);
static gboolean flu_hls_sink_start (GstBaseSink * bsink);
static gboolean flu_hls_sink_stop (GstBaseSink * bsink);
static gboolean flu_hls_sink_event (GstBaseSink * bsink, GstEvent * event);
static GstFlowReturn flu_hls_sink_render (GstBaseSink * bsink, GstBuffer * buf);
static GstPad *flu_hls_sink_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps);
static void flu_hls_sink_release_pad (GstElement * element, GstPad * pad);
static void input_part (GstElement * element, const FluHlsPartInfo * info,
    GBytes * data, gboolean end, const gchar * codecs, guint width,
    guint height, gdouble fps);

#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)
#define RW_READY (RW | GST_PARAM_MUTABLE_READY)
#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)

static void
flu_hls_sink_class_init (FluHlsSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *bsink_class = GST_BASE_SINK_CLASS (klass);

  gobject_class->finalize = flu_hls_sink_finalize;
  gobject_class->set_property = flu_hls_sink_set_property;
  gobject_class->get_property = flu_hls_sink_get_property;
  element_class->change_state = flu_hls_sink_change_state;
  element_class->request_new_pad = flu_hls_sink_request_new_pad;
  element_class->release_pad = flu_hls_sink_release_pad;
  flu_hls_input_add_templates (element_class);
  bsink_class->start = flu_hls_sink_start;
  bsink_class->stop = flu_hls_sink_stop;
  bsink_class->event = flu_hls_sink_event;
  bsink_class->render = flu_hls_sink_render;

  flu_http_server_props_install (gobject_class, PROP_SERVER_FIRST);
  properties[PROP_CURRENT_PORT] = g_param_spec_int ("current-port",
      "Current port", "The port actually listened on, or behind "
      "porter-socket the porter's public port (0 until the porter "
      "welcomed the server, notified then; -1 = not serving)",
      -1, 65535, -1, RO);
  g_object_class_install_property (gobject_class, PROP_CURRENT_PORT,
      properties[PROP_CURRENT_PORT]);
  g_object_class_install_property (gobject_class, PROP_MOUNT_POINT,
      g_param_spec_string ("mount-point", "Mount point",
          "Directory the stream is served under, starting and ending with "
          "'/': <mount-point>index.m3u8 is the media playlist, "
          "<mount-point>seg<N>.ts the segments and <mount-point>part<N>.<i>.ts "
          "the parts (.m4s, and the init segments init<N>.mp4, with the "
          "video/audio request pads)", DEFAULT_MOUNT_POINT, RW_READY));
  g_object_class_install_property (gobject_class, PROP_TARGET_DURATION,
      g_param_spec_uint ("target-duration", "Target duration",
          "Seconds of a segment (EXT-X-TARGETDURATION): a segment ends at "
          "the first keyframe once it is this long, so the keyframe interval "
          "should divide it", 1, 3600, DEFAULT_TARGET_DURATION, RW_READY));
  g_object_class_install_property (gobject_class, PROP_PART_TARGET,
      g_param_spec_uint64 ("part-target", "Part target",
          "Nanoseconds of a Low-Latency HLS part (EXT-X-PART-INF "
          "PART-TARGET); parts end at buffer boundaries and never exceed it "
          "(0 = plain HLS, no parts); must be below target-duration",
          0, 10 * GST_SECOND, DEFAULT_PART_TARGET, RW_READY));
  g_object_class_install_property (gobject_class, PROP_PLAYLIST_LENGTH,
      g_param_spec_uint ("playlist-length", "Playlist length",
          "Complete segments listed in the media playlist",
          1, 10000, DEFAULT_PLAYLIST_LENGTH, RW_READY));
  g_object_class_install_property (gobject_class, PROP_MAX_SEGMENTS,
      g_param_spec_uint ("max-segments", "Max segments",
          "Complete segments kept in memory (at least playlist-length; the "
          "older ones are still served to players that lag): the memory "
          "bound is about (max-segments + 1) x target-duration x bitrate",
          1, 10000, DEFAULT_MAX_SEGMENTS, RW_READY));
  g_object_class_install_property (gobject_class, PROP_CORS_ORIGIN,
      g_param_spec_string ("cors-origin", "CORS origin",
          "Value of the Access-Control-Allow-Origin header (NULL or empty = "
          "no header)", DEFAULT_CORS_ORIGIN, RW_READY));
  g_object_class_install_property (gobject_class, PROP_MAX_HELD,
      g_param_spec_uint ("max-held", "Max held",
          "Requests held at once (blocking reloads, the hinted part, early "
          "playlists), each a paused message of a few KB; more get 503 with "
          "Retry-After (0 = no limit)", 0, G_MAXUINT, DEFAULT_MAX_HELD,
          RW_READY));
  g_object_class_install_property (gobject_class, PROP_GROUP,
      g_param_spec_string ("group", "Group",
          "Name of the multivariant playlist this stream is a rendition of "
          "(NULL or empty = none): the fluhlssinks naming the same group on "
          "one port make /<group>.m3u8, one EXT-X-STREAM-INF each, and "
          "report each other in their media playlists "
          "(EXT-X-RENDITION-REPORT); letters, digits, '.', '_' and '-'; "
          "every member needs the same target-duration, part-target and "
          "playlist-length", NULL, RW_READY));
  g_object_class_install_property (gobject_class, PROP_CODECS,
      g_param_spec_string ("codecs", "Codecs",
          "CODECS of this rendition in the multivariant playlist, e.g. "
          "\"avc1.64001f,mp4a.40.2\" (NULL or empty = found in the stream: "
          "H.264 profile and level from the SPS, AAC object type from the "
          "ADTS header; H.265 needs this property)", NULL, RW_READY));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Stats",
          "Window and request counters: segments, parts and bytes held "
          "(bytes-held is the memory bound to watch), totals since start, "
          "media-sequence, last-msn, discontinuities, requests, held "
          "(requests waiting now), held-answered, timeouts (503), "
          "bad-requests (400), not-found (404), held-refused (503: max-held "
          "reached), fast-answers (requests of kept connections answered "
          "without libsoup)", GST_TYPE_STRUCTURE, RO));

  flu_hls_access_install_properties (gobject_class, N_PROPERTIES);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "HLS and LL-HLS streamer", "Sink/Network",
      "Serves a live MPEG-TS stream as HLS and Low-Latency HLS from memory, "
      "on the per-port server it shares with fluhttpsink",
      "gst-flumotion developers");

  GST_DEBUG_CATEGORY_INIT (flu_hls_sink_debug, "fluhlssink", 0, "fluhlssink");
}

static void
flu_hls_sink_init (FluHlsSink * sink)
{
  g_mutex_init (&sink->lock);
  g_mutex_init (&sink->stats_lock);
  flu_http_server_props_init (&sink->server_props);
  sink->mount_point = g_strdup (DEFAULT_MOUNT_POINT);
  sink->target_duration = DEFAULT_TARGET_DURATION;
  sink->part_target = DEFAULT_PART_TARGET;
  sink->playlist_length = DEFAULT_PLAYLIST_LENGTH;
  sink->max_segments = DEFAULT_MAX_SEGMENTS;
  sink->cors_origin = g_strdup (DEFAULT_CORS_ORIGIN);
  sink->max_held = DEFAULT_MAX_HELD;
  /* names are never reused, not even by the next process: media
   * sequence numbers start at the Unix time and grow by one a segment
   * (segments last a second or more) */
  sink->next_msn = (guint64) (g_get_real_time () / G_USEC_PER_SEC);
  sink->wstats.last_msn = FLU_HLS_NONE;
  sink->access = flu_hls_access_new (GST_ELEMENT (sink));
  gst_base_sink_set_sync (GST_BASE_SINK (sink), FALSE);
  g_object_set (sink, "enable-last-sample", FALSE, NULL);
  sink->input = flu_hls_input_new (GST_ELEMENT (sink), input_part);
}

static void
settings_free (Settings * s)
{
  g_free (s->mount_point);
  g_free (s->cors_origin);
  g_free (s->group);
  g_free (s->codecs);
  g_free (s);
}

static void
flu_hls_sink_finalize (GObject * object)
{
  FluHlsSink *sink = FLU_HLS_SINK (object);

  flu_http_server_props_clear (&sink->server_props);
  g_free (sink->mount_point);
  g_free (sink->cors_origin);
  flu_hls_input_free (sink->input);
  g_free (sink->group);
  g_free (sink->codecs);
  flu_hls_access_free (sink->access);
  g_mutex_clear (&sink->lock);
  g_mutex_clear (&sink->stats_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
replace_string (gchar ** field, const GValue * value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

static void
flu_hls_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluHlsSink *sink = FLU_HLS_SINK (object);

  if (flu_hls_access_set_property (sink->access, prop_id, value, pspec))
    return;
  g_mutex_lock (&sink->lock);
  if (sink->server)
    GST_WARNING_OBJECT (sink, "%s set while serving: it takes effect the "
        "next time the element leaves NULL", pspec->name);
  if (flu_http_server_props_set (&sink->server_props, PROP_SERVER_FIRST,
          prop_id, value)) {
    g_mutex_unlock (&sink->lock);
    return;
  }
  switch (prop_id) {
    case PROP_MOUNT_POINT:
      replace_string (&sink->mount_point, value);
      break;
    case PROP_TARGET_DURATION:
      sink->target_duration = g_value_get_uint (value);
      break;
    case PROP_PART_TARGET:
      sink->part_target = g_value_get_uint64 (value);
      break;
    case PROP_PLAYLIST_LENGTH:
      sink->playlist_length = g_value_get_uint (value);
      break;
    case PROP_MAX_SEGMENTS:
      sink->max_segments = g_value_get_uint (value);
      break;
    case PROP_CORS_ORIGIN:
      replace_string (&sink->cors_origin, value);
      break;
    case PROP_MAX_HELD:
      sink->max_held = g_value_get_uint (value);
      break;
    case PROP_GROUP:
      replace_string (&sink->group, value);
      break;
    case PROP_CODECS:
      replace_string (&sink->codecs, value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&sink->lock);
}

static GstStructure *
stats_structure (FluHlsSink * sink)
{
  GstStructure *s;

  g_mutex_lock (&sink->stats_lock);
  s = gst_structure_new ("fluhlssink-stats",
      "segments", G_TYPE_UINT64, sink->wstats.segments,
      "parts", G_TYPE_UINT64, sink->wstats.parts,
      "bytes-held", G_TYPE_UINT64, sink->wstats.bytes,
      "segments-total", G_TYPE_UINT64, sink->wstats.segments_total,
      "parts-total", G_TYPE_UINT64, sink->wstats.parts_total,
      "bytes-total", G_TYPE_UINT64, sink->wstats.bytes_total,
      "discontinuities", G_TYPE_UINT64, sink->wstats.discontinuities,
      "media-sequence", G_TYPE_UINT64, sink->wstats.media_sequence,
      "last-msn", G_TYPE_INT64, sink->wstats.last_msn == FLU_HLS_NONE ?
      (gint64) - 1 : (gint64) sink->wstats.last_msn,
      "requests", G_TYPE_UINT64, sink->requests,
      "held", G_TYPE_UINT, sink->n_held,
      "held-answered", G_TYPE_UINT64, sink->held_answered,
      "timeouts", G_TYPE_UINT64, sink->timeouts,
      "bad-requests", G_TYPE_UINT64, sink->bad_requests,
      "not-found", G_TYPE_UINT64, sink->not_found,
      "held-refused", G_TYPE_UINT64, sink->held_refused,
      "fast-answers", G_TYPE_UINT64, sink->fast_answers, NULL);
  g_mutex_unlock (&sink->stats_lock);
  flu_hls_access_add_stats (sink->access, s);
  return s;
}

static void
flu_hls_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FluHlsSink *sink = FLU_HLS_SINK (object);

  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, stats_structure (sink));
    return;
  }
  if (flu_hls_access_get_property (sink->access, prop_id, value, pspec))
    return;
  g_mutex_lock (&sink->lock);
  if (flu_http_server_props_get (&sink->server_props, PROP_SERVER_FIRST,
          prop_id, value)) {
    g_mutex_unlock (&sink->lock);
    return;
  }
  switch (prop_id) {
    case PROP_CURRENT_PORT:
      g_value_set_int (value, sink->server ?
          (gint) flu_http_server_get_port (sink->server) : -1);
      break;
    case PROP_MOUNT_POINT:
      g_value_set_string (value, sink->mount_point);
      break;
    case PROP_TARGET_DURATION:
      g_value_set_uint (value, sink->target_duration);
      break;
    case PROP_PART_TARGET:
      g_value_set_uint64 (value, sink->part_target);
      break;
    case PROP_PLAYLIST_LENGTH:
      g_value_set_uint (value, sink->playlist_length);
      break;
    case PROP_MAX_SEGMENTS:
      g_value_set_uint (value, sink->max_segments);
      break;
    case PROP_CORS_ORIGIN:
      g_value_set_string (value, sink->cors_origin);
      break;
    case PROP_MAX_HELD:
      g_value_set_uint (value, sink->max_held);
      break;
    case PROP_GROUP:
      g_value_set_string (value, sink->group);
      break;
    case PROP_CODECS:
      g_value_set_string (value, sink->codecs);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&sink->lock);
}

/* ---- answering (server thread) ---- */

/* the headers of an answer, libsoup's path and the fast one alike */
static void
fill_headers (FluHlsSink * sink, SoupMessageHeaders * h,
    const gchar * content_type, const gchar * cache)
{
  flu_http_server_fill_common_headers (h);
  /* players fetch playlist, segments and parts on one connection (as
   * flu_http_server_keep_alive ()) */
  soup_message_headers_remove (h, "Connection");
  soup_message_headers_replace (h, "Cache-Control", cache);
  if (content_type)
    soup_message_headers_set_content_type (h, content_type, NULL);
  if (sink->settings->cors_origin && *sink->settings->cors_origin)
    soup_message_headers_replace (h, "Access-Control-Allow-Origin",
        sink->settings->cors_origin);
}

static void
set_headers (FluHlsSink * sink, SoupServerMessage * msg,
    const gchar * content_type, const gchar * cache)
{
  fill_headers (sink, soup_server_message_get_response_headers (msg),
      content_type, cache);
  flu_hls_access_set_headers (sink->access, msg);
}

static void
count (FluHlsSink * sink, guint64 * counter)
{
  g_mutex_lock (&sink->stats_lock);
  (*counter)++;
  g_mutex_unlock (&sink->stats_lock);
}

static void
refuse (FluHlsSink * sink, SoupServerMessage * msg, guint status,
    const gchar * why)
{
  GST_DEBUG_OBJECT (sink, "%s: %u (%s)",
      g_uri_get_path (soup_server_message_get_uri (msg)), status, why);
  if (status == SOUP_STATUS_NOT_FOUND)
    count (sink, &sink->not_found);
  else if (status == SOUP_STATUS_BAD_REQUEST)
    count (sink, &sink->bad_requests);
  flu_http_server_respond (msg, status, why);
  /* a player's connection outlives its 404s and 400s */
  flu_http_server_keep_alive (msg);
  if (sink->settings->cors_origin && *sink->settings->cors_origin)
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Access-Control-Allow-Origin", sink->settings->cors_origin);
}

/* The body is the chunks themselves (referenced, not copied); libsoup
 * answers HEAD without it and a single Range with 206 from sub-buffers
 * of these chunks. */
static void
answer_chunks (FluHlsSink * sink, SoupServerMessage * msg,
    const gchar * content_type, const gchar * cache, GBytes ** chunks, guint n)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  guint i;

  set_headers (sink, msg, content_type, cache);
  for (i = 0; i < n; i++)
    soup_message_body_append_bytes (body, chunks[i]);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

/* The playlist's chunks now in @pl (refs; the second one may be NULL)
 * and its Cache-Control (free it). */
static gchar *
playlist_chunks (FluHlsSink * sink, gboolean blocking, gboolean delta,
    GBytes * pl[2])
{
  const Settings *st = sink->settings;
  gchar *cache;

  pl[0] = delta ? flu_hls_window_delta_playlist (sink->window) :
      flu_hls_window_playlist (sink->window);
  pl[1] = NULL;
  g_assert (pl[0]);
  if (blocking) {
    /* the URL names the segment/part waited for: the answer stays right
     * while that segment is listed */
    cache = g_strdup_printf ("public, max-age=%u",
        MIN (6, st->playlist_length) * st->target_duration);
  } else if (st->part_target) {
    /* players reload with blocking requests; a first playlist a second
     * old only starts them a second further back (still within
     * HOLD-BACK) */
    cache = g_strdup ("public, max-age=1");
  } else {
    cache = g_strdup_printf ("public, max-age=%u",
        MAX (1, st->target_duration / 2));
  }
  /* the other renditions' reports, as recent as the playlist; the
   * URL of a delta (_HLS_skip) differs from the full one's, so caches
   * keep them apart */
  if (sink->member)
    pl[1] = flu_hls_member_reports (sink->member);
  return cache;
}

static void
answer_playlist (FluHlsSink * sink, SoupServerMessage * msg, gboolean blocking,
    gboolean delta)
{
  GBytes *pl[2];
  gchar *cache = playlist_chunks (sink, blocking, delta, pl);
  guint i;

  /* the viewer's own copy, its session token in the URIs */
  for (i = 0; i < 2 && pl[i]; i++) {
    GBytes *own = flu_hls_access_playlist (sink->access, msg, pl[i],
        i == 0 ? sink->window : NULL);

    g_bytes_unref (pl[i]);
    pl[i] = own;
  }
  answer_chunks (sink, msg, "application/vnd.apple.mpegurl", cache, pl,
      pl[1] ? 2 : 1);
  g_free (cache);
  g_bytes_unref (pl[0]);
  if (pl[1])
    g_bytes_unref (pl[1]);
}

/* ---- held requests (server thread) ---- */

typedef enum
{
  HELD_PLAYLIST,                /* a blocking reload, or no segment yet */
  HELD_PART,                    /* the preload-hinted part */
} HeldKind;

/* A held request: libsoup's (@msg, paused) or the fast path's (@pending,
 * its connection waiting in fluhttpkeep.c), answered the same way. */
typedef struct
{
  FluHlsSink *sink;
  SoupServerMessage *msg;
  FluHttpKeepPending *pending;
  HeldKind kind;
  guint64 msn;                  /* FLU_HLS_NONE: any playlist */
  gint64 part;
  gboolean delta;               /* _HLS_skip */
  GList link;                   /* in held; data = self */
  gint64 deadline;              /* monotonic us: 503 then */
  gulong disconnected_id;
  /* the answer of a pending one, once set */
  guint status;
  SoupMessageHeaders *resp;
  GPtrArray *chunks;
  gboolean close;
} Held;

static FluHlsStatus lookup_media (FluHlsSink * sink, FluHlsName kind,
    guint64 msn, guint part, GPtrArray ** chunks, const gchar ** content_type,
    const gchar ** why);
static void fast_done (gpointer data, guint64 body_bytes, gboolean ok);
static gpointer fast_done_new (FluHlsSink * sink, gchar * session);
static void fast_done_free (gpointer data);

/* out of held (O(1): its own link), freed */
static void
held_free (Held * h)
{
  FluHlsSink *sink = h->sink;

  g_queue_unlink (&sink->held, &h->link);
  g_mutex_lock (&sink->stats_lock);
  sink->n_held--;
  g_mutex_unlock (&sink->stats_lock);
  if (h->msg) {
    g_signal_handler_disconnect (h->msg, h->disconnected_id);
    g_object_unref (h->msg);
  }
  if (h->resp)
    soup_message_headers_unref (h->resp);
  if (h->chunks)
    g_ptr_array_unref (h->chunks);
  g_free (h);
}

/* the answer is set: written on the kept connection, or by libsoup */
static void
held_release (Held * h)
{
  FluHlsSink *sink = h->sink;
  SoupServerMessage *msg;
  FluHttpServer *server = sink->server;

  if (h->pending) {
    FluHttpKeepPending *pending = h->pending;
    SoupMessageHeaders *resp = g_steal_pointer (&h->resp);
    GPtrArray *chunks = g_steal_pointer (&h->chunks);
    guint status = h->status;
    gboolean keep = !h->close;

    held_free (h);
    flu_http_keep_answer_pending (pending, status, resp,
        chunks ? (GBytes **) chunks->pdata : NULL, chunks ? chunks->len : 0,
        keep, fast_done, fast_done_new (sink, NULL), fast_done_free);
    soup_message_headers_unref (resp);
    if (chunks)
      g_ptr_array_unref (chunks);
    return;
  }
  msg = g_object_ref (h->msg);
  held_free (h);
  if (server == NULL || !flu_http_server_send_kept (server, msg))
    soup_server_message_unpause (msg);
  g_object_unref (msg);
}

/* a pending one's answer: 200 with @chunks (refs taken) */
static void
held_set_chunks (Held * h, const gchar * content_type, const gchar * cache,
    GBytes ** chunks, guint n)
{
  guint i;

  if (h->msg) {
    answer_chunks (h->sink, h->msg, content_type, cache, chunks, n);
    return;
  }
  h->status = SOUP_STATUS_OK;
  h->resp = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  fill_headers (h->sink, h->resp, content_type, cache);
  h->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (i = 0; i < n; i++)
    g_ptr_array_add (h->chunks, g_bytes_ref (chunks[i]));
}

/* @status with a text body, as flu_http_server_respond (); kept open
 * unless @close, with Retry-After or CORS headers as asked */
static void
held_set_refusal (Held * h, guint status, const gchar * why, gboolean close,
    gboolean retry, gboolean cors)
{
  const gchar *origin = h->sink->settings->cors_origin;
  SoupMessageHeaders *resp;
  gchar *body;

  if (h->msg) {
    if (cors)
      refuse (h->sink, h->msg, status, why);
    else
      flu_http_server_respond (h->msg, status, why);
    if (!close)
      flu_http_server_keep_alive (h->msg);
    resp = soup_server_message_get_response_headers (h->msg);
  } else {
    if (status == SOUP_STATUS_NOT_FOUND && cors)
      count (h->sink, &h->sink->not_found);
    h->status = status;
    h->close = close;
    resp = h->resp = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
    flu_http_server_fill_common_headers (resp);
    soup_message_headers_remove (resp, "Connection");
    soup_message_headers_replace (resp, "Content-Type",
        "text/plain; charset=utf-8");
    body = g_strdup_printf ("%u %s: %s\n", status,
        flu_http_server_status_phrase (status), why);
    h->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify)
        g_bytes_unref);
    g_ptr_array_add (h->chunks, g_bytes_new_take (body, strlen (body)));
    if (cors && origin && *origin)
      soup_message_headers_replace (resp, "Access-Control-Allow-Origin",
          origin);
  }
  if (retry)
    soup_message_headers_replace (resp, "Retry-After", "1");
}

/* the playlist now; libsoup's path has the viewer's own copy */
static void
held_set_playlist (Held * h, gboolean blocking)
{
  GBytes *pl[2];
  gchar *cache;

  if (h->msg) {
    answer_playlist (h->sink, h->msg, blocking, h->delta);
    return;
  }
  cache = playlist_chunks (h->sink, blocking, h->delta, pl);
  held_set_chunks (h, "application/vnd.apple.mpegurl", cache, pl,
      pl[1] ? 2 : 1);
  g_free (cache);
  g_bytes_unref (pl[0]);
  if (pl[1])
    g_bytes_unref (pl[1]);
}

static void
held_timed_out (Held * h)
{
  count (h->sink, &h->sink->timeouts);
  held_set_refusal (h, SOUP_STATUS_SERVICE_UNAVAILABLE,
      "not available in time", FALSE, TRUE, FALSE);
  held_release (h);
}

/* One timer for every held request: they all wait as long, so the
 * oldest (the tail) expires first; O(expired) per run. */
static gboolean
held_sweep (gpointer data)
{
  FluHlsSink *sink = data;
  gint64 now = g_get_monotonic_time ();
  GList *l;

  while ((l = g_queue_peek_tail_link (&sink->held)) &&
      ((Held *) l->data)->deadline <= now)
    held_timed_out (l->data);
  l = g_queue_peek_tail_link (&sink->held);
  g_source_set_ready_time (sink->held_timer, l ? ((Held *) l->data)->deadline
      : -1);
  return G_SOURCE_CONTINUE;
}

static gboolean
held_timer_dispatch (GSource * source, GSourceFunc callback, gpointer data)
{
  return callback (data);
}

static GSourceFuncs held_timer_funcs = {
  NULL, NULL, held_timer_dispatch, NULL, NULL, NULL
};

static void
held_disconnected (SoupServerMessage * msg, gpointer data)
{
  held_free (data);
}

/* fluhttpkeep.c: the peer of a pending one closed, or the server stops */
static void
held_cancelled (gpointer data)
{
  held_free (data);
}

/* max-held reached: TRUE (counted) */
static gboolean
held_full (FluHlsSink * sink)
{
  if (sink->settings->max_held == 0 || sink->n_held < sink->settings->max_held)
    return FALSE;
  count (sink, &sink->held_refused);
  return TRUE;
}

/* a new one, newest first, under the one timer */
static Held *
held_new (FluHlsSink * sink, HeldKind kind, guint64 msn, gint64 part)
{
  Held *h = g_new0 (Held, 1);

  h->sink = sink;
  h->kind = kind;
  h->msn = msn;
  h->part = part;
  h->deadline =
      g_get_monotonic_time () +
      (gint64) HOLD_TARGETS *sink->settings->target_duration * G_USEC_PER_SEC;
  if (sink->held_timer == NULL) {
    sink->held_timer = g_source_new (&held_timer_funcs, sizeof (GSource));
    g_source_set_callback (sink->held_timer, held_sweep, sink, NULL);
    g_source_attach (sink->held_timer, g_main_context_get_thread_default ());
  }
  if (g_source_get_ready_time (sink->held_timer) < 0)
    g_source_set_ready_time (sink->held_timer, h->deadline);
  h->link.data = h;
  g_queue_push_head_link (&sink->held, &h->link);
  g_mutex_lock (&sink->stats_lock);
  sink->n_held++;
  g_mutex_unlock (&sink->stats_lock);
  return h;
}

static Held *
hold (FluHlsSink * sink, SoupServerMessage * msg, HeldKind kind, guint64 msn,
    gint64 part)
{
  Held *h;

  if (held_full (sink)) {
    flu_http_server_respond (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "too many requests waiting");
    flu_http_server_keep_alive (msg);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Retry-After", "1");
    return NULL;
  }
  h = held_new (sink, kind, msn, part);
  h->msg = g_object_ref (msg);
  h->disconnected_id = g_signal_connect (msg, "disconnected",
      G_CALLBACK (held_disconnected), h);
  sink->just_held = msg;
  soup_server_message_pause (msg);
  return h;
}

/* The same on the fast path: @answer is answered later, through its
 * pending handle; FALSE (max-held reached) leaves the request to
 * libsoup, which refuses it. */
static Held *
hold_fast (FluHlsSink * sink, FluHttpFastAnswer * answer, HeldKind kind,
    guint64 msn, gint64 part)
{
  Held *h;

  if (sink->settings->max_held && sink->n_held >= sink->settings->max_held)
    return NULL;
  h = held_new (sink, kind, msn, part);
  h->pending = answer->pending;
  answer->cancel = held_cancelled;
  answer->cancel_data = h;
  return h;
}

/* Answers what the window can answer now (all of them with @stopping),
 * each with the lookups of fast_request (); O(1) per released one. */
static void
release_held (FluHlsSink * sink, gboolean stopping)
{
  GList *l, *next;

  for (l = sink->held.head; l; l = next) {
    Held *h = l->data;
    FluHlsStatus st;

    /* only @h leaves the list here */
    next = l->next;
    if (stopping) {
      held_set_refusal (h, SOUP_STATUS_SERVICE_UNAVAILABLE,
          "the stream stopped", TRUE, FALSE, FALSE);
      held_release (h);
      continue;
    }
    if (h->kind == HELD_PART) {
      const gchar *content_type, *why;
      GPtrArray *chunks;

      st = lookup_media (sink, FLU_HLS_NAME_PART, h->msn, (guint) h->part,
          &chunks, &content_type, &why);
      if (st == FLU_HLS_READY) {
        held_set_chunks (h, content_type, SEGMENT_CACHE,
            (GBytes **) chunks->pdata, chunks->len);
        g_ptr_array_unref (chunks);
      } else if (st == FLU_HLS_GONE) {
        held_set_refusal (h, SOUP_STATUS_NOT_FOUND, why, FALSE, FALSE, TRUE);
      }
    } else {
      GBytes *pl = flu_hls_window_playlist (sink->window);

      if (pl == NULL)
        continue;
      g_bytes_unref (pl);
      st = h->msn == FLU_HLS_NONE ? FLU_HLS_READY :
          flu_hls_window_check_block (sink->window, h->msn, h->part);
      if (st == FLU_HLS_READY || st == FLU_HLS_TOO_FAR)
        held_set_playlist (h, h->msn != FLU_HLS_NONE);
    }
    if (st != FLU_HLS_WAIT) {
      count (sink, &sink->held_answered);
      held_release (h);
    }
  }
}

/* ---- requests (server thread) ---- */

static gboolean
query_uint (GHashTable * query, const gchar * key, guint64 * v,
    gboolean * present)
{
  const gchar *s = query ? g_hash_table_lookup (query, key) : NULL;
  gchar *end;

  *present = s != NULL;
  if (s == NULL)
    return TRUE;
  if (!g_ascii_isdigit (*s))
    return FALSE;
  *v = g_ascii_strtoull (s, &end, 10);
  return *end == '\0';
}

typedef enum
{
  PLAYLIST_ANSWER,              /* now, blocking or not */
  PLAYLIST_HOLD,                /* until msn / part, or any playlist */
  PLAYLIST_BAD,                 /* 400 */
} PlaylistWhat;

typedef struct
{
  gboolean blocking;
  gboolean delta;               /* _HLS_skip */
  guint64 msn;                  /* FLU_HLS_NONE: any playlist */
  gint64 part;                  /* -1: none */
  const gchar *why;             /* PLAYLIST_BAD */
} PlaylistAsk;

/* What a playlist request asks for and whether it is answerable now:
 * libsoup's path and the fast one alike. */
static PlaylistWhat
playlist_what (FluHlsSink * sink, GHashTable * query, PlaylistAsk * ask)
{
  guint64 msn = 0, part = 0;
  gboolean have_msn, have_part;
  const gchar *skip = query ? g_hash_table_lookup (query, "_HLS_skip") : NULL;
  GBytes *pl;
  FluHlsStatus st;

  memset (ask, 0, sizeof (*ask));
  /* _HLS_skip=YES or v2 asks for a delta playlist (v2 would also skip
   * date ranges: there are none); the window answers with the full one
   * when it offers none */
  if (skip && strcmp (skip, "YES") != 0 && strcmp (skip, "v2") != 0) {
    ask->why = "bad _HLS_skip (YES or v2)";
    return PLAYLIST_BAD;
  }
  ask->delta = skip != NULL;

  if (!query_uint (query, "_HLS_msn", &msn, &have_msn) ||
      !query_uint (query, "_HLS_part", &part, &have_part) ||
      (have_part && !have_msn) || part > G_MAXINT) {
    ask->why = "bad _HLS_msn or _HLS_part (_HLS_part needs _HLS_msn)";
    return PLAYLIST_BAD;
  }
  pl = flu_hls_window_playlist (sink->window);
  if (pl)
    g_bytes_unref (pl);
  if (!have_msn) {
    ask->msn = FLU_HLS_NONE;
    ask->part = -1;
    return pl ? PLAYLIST_ANSWER : PLAYLIST_HOLD;
  }
  ask->blocking = TRUE;
  ask->msn = msn;
  ask->part = have_part ? (gint64) part : -1;
  st = flu_hls_window_check_block (sink->window, msn, ask->part);
  if (st == FLU_HLS_TOO_FAR) {
    ask->why = "_HLS_msn/_HLS_part too far in the future";
    return PLAYLIST_BAD;
  }
  return st == FLU_HLS_READY && pl ? PLAYLIST_ANSWER : PLAYLIST_HOLD;
}

static void
handle_playlist (FluHlsSink * sink, SoupServerMessage * msg, GHashTable * query)
{
  PlaylistAsk ask;
  Held *h;

  switch (playlist_what (sink, query, &ask)) {
    case PLAYLIST_BAD:
      refuse (sink, msg, SOUP_STATUS_BAD_REQUEST, ask.why);
      break;
    case PLAYLIST_ANSWER:
      answer_playlist (sink, msg, ask.blocking, ask.delta);
      break;
    case PLAYLIST_HOLD:
      if ((h = hold (sink, msg, HELD_PLAYLIST, ask.msn, ask.part)))
        h->delta = ask.delta;
      break;
  }
}

/* A segment, part or init segment now: FLU_HLS_READY with its chunks
 * (unref the array) and content type; FLU_HLS_WAIT, a part to come;
 * else FLU_HLS_GONE (404, @why).  Both paths. */
static FluHlsStatus
lookup_media (FluHlsSink * sink, FluHlsName kind, guint64 msn, guint part,
    GPtrArray ** chunks, const gchar ** content_type, const gchar ** why)
{
  GBytes *data = NULL;
  FluHlsStatus st;

  *chunks = NULL;
  *content_type = sink->settings->fmp4 ? "video/mp4" : "video/mp2t";
  switch (kind) {
    case FLU_HLS_NAME_SEGMENT:
      *chunks = flu_hls_window_get_segment (sink->window, msn);
      *why = "no such segment";
      return *chunks ? FLU_HLS_READY : FLU_HLS_GONE;
    case FLU_HLS_NAME_PART:
      *why = "no such part";
      st = flu_hls_window_get_part (sink->window, msn, part, &data);
      break;
    case FLU_HLS_NAME_INIT:
      *why = "no such init segment";
      *content_type = "video/mp4";
      data = flu_hls_window_get_init (sink->window, msn);
      st = data ? FLU_HLS_READY : FLU_HLS_GONE;
      break;
    default:
      *why = NULL;
      return FLU_HLS_GONE;
  }
  if (st == FLU_HLS_READY) {
    *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    g_ptr_array_add (*chunks, data);
  } else if (st != FLU_HLS_WAIT) {
    st = FLU_HLS_GONE;
  }
  return st;
}

static void
serve_request (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  FluHlsSink *sink = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  const gchar *name;
  guint64 msn = 0;
  guint part = 0;
  FluHlsName kind;
  const gchar *content_type, *why;
  GPtrArray *chunks;
  FluHlsStatus st;

  if (sink->window == NULL) {
    flu_http_server_respond (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "not serving");
    return;
  }
  count (sink, &sink->requests);
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    refuse (sink, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", "GET, HEAD");
    return;
  }
  name = path + strlen (sink->settings->mount_point);
  kind = flu_hls_parse_name (name, &msn, &part);
  /* the checks once a session (on a playlist: any .m3u8), the session
   * on every request */
  if (!flu_hls_access_admit (sink->access, msg, query,
          g_str_has_suffix (name, ".m3u8")))
    return;
  if (kind == FLU_HLS_NAME_PLAYLIST) {
    handle_playlist (sink, msg, query);
    return;
  }
  st = lookup_media (sink, kind, msn, part, &chunks, &content_type, &why);
  if (st == FLU_HLS_READY) {
    answer_chunks (sink, msg, content_type, SEGMENT_CACHE,
        (GBytes **) chunks->pdata, chunks->len);
    g_ptr_array_unref (chunks);
  } else if (st == FLU_HLS_WAIT) {
    hold (sink, msg, HELD_PART, msn, part);
  } else {
    refuse (sink, msg, SOUP_STATUS_NOT_FOUND, why);
  }
}

/* Every answer not held goes out on the kept connection (when it may
 * stay open) out of libsoup's and GLib's poll (fluhttpkeep.c); a held
 * one when released (held_release ()). */
static void
handle_request (FluHttpServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  FluHlsSink *sink = user_data;

  sink->just_held = NULL;
  serve_request (server, msg, path, query, user_data);
  if (sink->just_held != msg)
    flu_http_server_send_kept (server, msg);
  sink->just_held = NULL;
}

/* ---- the fast path (server thread) ---- */

typedef struct
{
  FluHlsSink *sink;
  gchar *session;               /* NULL: a public mount */
} FastDone;

/* the body bytes of a fast answer, counted as libsoup's path counts them
 * (its "wrote-body-data"): on the session too */
static void
fast_done (gpointer data, guint64 body_bytes, gboolean ok)
{
  FastDone *d = data;

  if (body_bytes == 0)
    return;
  if (d->session)
    flu_hls_access_count_sent (d->sink->access, d->session, body_bytes);
  else
    flu_hls_access_count_public (d->sink->access, 0, body_bytes);
}

static gpointer
fast_done_new (FluHlsSink * sink, gchar * session)
{
  FastDone *d = g_new0 (FastDone, 1);

  d->sink = gst_object_ref (sink);
  d->session = session;
  return d;
}

static void
fast_done_free (gpointer data)
{
  FastDone *d = data;

  gst_object_unref (d->sink);
  g_free (d->session);
  g_free (d);
}

/* A plain request of a kept connection (fluhttpkeep.c), without
 * libsoup: what is answerable now (a segment, a ready part, an init
 * segment, a playlist, a blocking one already there) is answered as
 * serve_request () would, with the same lookups and headers, on a public
 * mount or, on a mount with sessions (not in a group), to a request with
 * a valid token of a session known here (flu_hls_access_admit_fast ():
 * its tokens, cookie and accounting as libsoup's path has them); on a
 * public mount, what serve_request () would hold (a blocking reload, the
 * hinted part) is held here too, answered later through its pending
 * handle (release_held ()); everything else (400, 404, max-held reached,
 * not serving, a first request, a bad token, a group, a held request of
 * a session) goes to libsoup (FALSE). */
static gboolean
fast_request (gpointer user_data, const gchar * method, const gchar * path,
    GHashTable * query, SoupMessageHeaders * request,
    FluHttpFastAnswer * answer)
{
  FluHlsSink *sink = user_data;
  const gchar *content_type, *why;
  gchar *session = NULL;
  guint64 msn = 0;
  guint part = 0, i;
  FluHlsName kind;
  GPtrArray *chunks;
  gboolean public;
  FluHlsStatus st;
  Held *h = NULL;

  if (sink->window == NULL || sink->settings == NULL)
    return FALSE;
  public = flu_hls_access_is_public (sink->access);
  kind = flu_hls_parse_name (path + strlen (sink->settings->mount_point),
      &msn, &part);
  if (kind == FLU_HLS_NAME_PLAYLIST) {
    PlaylistAsk ask;
    GBytes *pl[2];
    gchar *cache;

    switch (playlist_what (sink, query, &ask)) {
      case PLAYLIST_BAD:
        return FALSE;
      case PLAYLIST_HOLD:
        /* a session's held answer needs its own playlist: libsoup's */
        if (!public || !(h = hold_fast (sink, answer, HELD_PLAYLIST, ask.msn,
                    ask.part)))
          return FALSE;
        h->delta = ask.delta;
        goto counted;
      case PLAYLIST_ANSWER:
        break;
    }
    if (!public && !flu_hls_access_admit_fast (sink->access, answer->peer,
            query, request, &session))
      return FALSE;
    cache = playlist_chunks (sink, ask.blocking, ask.delta, pl);
    /* the viewer's own copy, as answer_playlist () makes it */
    for (i = 0; session && i < 2 && pl[i]; i++) {
      GBytes *own = flu_hls_access_playlist_fast (sink->access, session,
          answer->peer, answer->headers, pl[i], i == 0 ? sink->window : NULL);

      g_bytes_unref (pl[i]);
      pl[i] = own;
    }
    fill_headers (sink, answer->headers, "application/vnd.apple.mpegurl",
        cache);
    g_free (cache);
    for (i = 0; i < 2 && pl[i]; i++)
      g_ptr_array_add (answer->chunks, pl[i]);
  } else {
    st = lookup_media (sink, kind, msn, part, &chunks, &content_type, &why);
    if (st == FLU_HLS_WAIT) {
      if (!public || !(h = hold_fast (sink, answer, HELD_PART, msn, part)))
        return FALSE;
      goto counted;
    }
    if (st != FLU_HLS_READY) {
      if (chunks)
        g_ptr_array_unref (chunks);
      return FALSE;
    }
    if (!public && !flu_hls_access_admit_fast (sink->access, answer->peer,
            query, request, &session)) {
      g_ptr_array_unref (chunks);
      return FALSE;
    }
    fill_headers (sink, answer->headers, content_type, SEGMENT_CACHE);
    for (i = 0; i < chunks->len; i++)
      g_ptr_array_add (answer->chunks, g_bytes_ref (chunks->pdata[i]));
    g_ptr_array_unref (chunks);
  }
  /* as set_headers () */
  if (session)
    flu_hls_access_fill_headers (sink->access, answer->headers);
counted:
  /* as serve_request () and flu_hls_access_admit () count */
  g_mutex_lock (&sink->stats_lock);
  sink->requests++;
  sink->fast_answers++;
  g_mutex_unlock (&sink->stats_lock);
  if (!session)
    flu_hls_access_count_public (sink->access, 1, 0);
  if (h)
    return TRUE;
  answer->status = SOUP_STATUS_OK;
  answer->done = fast_done;
  answer->data = fast_done_new (sink, session);
  answer->notify = fast_done_free;
  return TRUE;
}

/* the window's names come and go as mounts of the shared server */
static void
window_mount (const gchar * name, gboolean add, gpointer user_data)
{
  FluHlsSink *sink = user_data;
  gchar *path = g_strconcat (sink->settings->mount_point, name, NULL);
  GError *err = NULL;

  if (!add) {
    flu_http_server_remove_mount (sink->server, path);
  } else if (!flu_http_server_add_mount (sink->server, path, handle_request,
          sink, &err)) {
    GST_WARNING_OBJECT (sink, "%s", err->message);
    g_error_free (err);
  }
  g_free (path);
}

static void
update_stats (FluHlsSink * sink)
{
  g_mutex_lock (&sink->stats_lock);
  flu_hls_window_get_stats (sink->window, &sink->wstats);
  if (sink->member)
    flu_hls_member_set_stats (sink->member, &sink->wstats);
  g_mutex_unlock (&sink->stats_lock);
}

/* ---- parts from the streaming thread to the server thread ---- */

typedef struct
{
  FluHlsSink *sink;
  gboolean end;
  FluHlsPartInfo info;
  GBytes *data;
} Job;

static void
job_free (gpointer data)
{
  Job *j = data;

  if (j->data)
    g_bytes_unref (j->data);
  if (j->info.init)
    g_bytes_unref (j->info.init);
  gst_object_unref (j->sink);
  g_free (j);
}

static gboolean
job_run (gpointer data)
{
  Job *j = data;
  FluHlsSink *sink = j->sink;

  if (sink->window == NULL)     /* stopped meanwhile */
    return G_SOURCE_REMOVE;
  flu_hls_access_stream_data (sink->access, j->data ?
      g_bytes_get_size (j->data) : 0, j->end);
  if (j->data) {
    flu_hls_window_add_part (sink->window, &j->info, g_steal_pointer
        (&j->data));
  }
  if (j->end)
    flu_hls_window_end (sink->window);
  update_stats (sink);
  release_held (sink, FALSE);
  return G_SOURCE_REMOVE;
}

/* streaming thread */
static void
post_job (FluHlsSink * sink, GBytes * data, gboolean end)
{
  Job *j = g_new0 (Job, 1);
  GMainContext *ctx = NULL;

  j->sink = gst_object_ref (sink);
  j->info = sink->info;
  if (j->info.init)
    g_bytes_ref (j->info.init);
  j->data = data;
  j->end = end;
  g_mutex_lock (&sink->lock);
  if (sink->server)
    ctx = g_main_context_ref (flu_http_server_get_context (sink->server));
  g_mutex_unlock (&sink->lock);
  if (ctx == NULL) {
    job_free (j);
    return;
  }
  g_main_context_invoke_full (ctx, G_PRIORITY_DEFAULT, job_run, j, job_free);
  g_main_context_unref (ctx);
}

/* streaming thread: the part in progress is done */
static void
finish_part (FluHlsSink * sink, guint64 duration, gboolean ends_segment,
    gboolean end)
{
  GBytes *data = NULL;
  gsize len;

  if (sink->part && sink->part->len) {
    sink->info.duration = duration;
    sink->info.ends_segment = ends_segment;
    /* the array grew by doubling: give back what the part does not use
     * (bytes-held then counts the memory held) */
    len = sink->part->len;
    data = g_bytes_new_take (g_realloc (g_byte_array_free (sink->part, FALSE),
            len), len);
    sink->part_size = len;
  } else if (sink->part) {
    g_byte_array_unref (sink->part);
  }
  sink->part = NULL;
  if (data || end)
    post_job (sink, data, end);
}

/* streaming thread: a rendition of a group tells it what its stream
 * is, once the probe found it (the codecs property overrides CODECS) */
static void
probe (FluHlsSink * sink, const guint8 * data, gsize len)
{
  const Settings *st = sink->settings;
  gchar *codecs;

  if (sink->probed || st == NULL || st->group == NULL)
    return;
  if (!flu_hls_probe_feed (&sink->probe, data, len))
    return;
  sink->probed = TRUE;
  codecs = st->codecs ? g_strdup (st->codecs) :
      flu_hls_probe_codecs (&sink->probe);
  GST_INFO_OBJECT (sink, "rendition: CODECS %s, %ux%u at %.3f fps",
      GST_STR_NULL (codecs), sink->probe.video.width,
      sink->probe.video.height, sink->probe.video.fps);
  g_mutex_lock (&sink->lock);
  if (sink->member)
    flu_hls_member_set_media (sink->member, codecs, sink->probe.video.width,
        sink->probe.video.height, sink->probe.video.fps);
  g_mutex_unlock (&sink->lock);
  g_free (codecs);
}

static void
reset_probe (FluHlsSink * sink)
{
  flu_hls_probe_clear (&sink->probe);
  sink->probed = FALSE;
}

static void
reset_stream (FluHlsSink * sink)
{
  if (sink->part)
    g_byte_array_unref (sink->part);
  sink->part = NULL;
  flu_hls_cutter_init (&sink->cutter, sink->settings ?
      (guint64) sink->settings->target_duration * GST_SECOND : GST_SECOND,
      sink->settings ? sink->settings->part_target : 0);
  sink->need_keyframe = TRUE;
  sink->pending_discont = TRUE;
}

static GstFlowReturn
flu_hls_sink_render (GstBaseSink * bsink, GstBuffer * buf)
{
  FluHlsSink *sink = FLU_HLS_SINK (bsink);
  GstClockTime ts = GST_BUFFER_DTS_OR_PTS (buf);
  gboolean keyframe = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  gboolean discont = GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT);
  guint64 duration;
  FluHlsCut cut;
  GstMapInfo map;

  if (sink->settings && sink->settings->fmp4) {
    GST_ELEMENT_ERROR (sink, STREAM, WRONG_TYPE, ("MPEG-TS on the sink pad "
            "while the video/audio request pads are in use"),
        ("use either the sink pad or the request pads"));
    return GST_FLOW_ERROR;
  }
  if (sink->need_keyframe) {
    if (!keyframe)
      return GST_FLOW_OK;       /* a segment starts on a keyframe */
    sink->need_keyframe = FALSE;
    discont = TRUE;
  }
  if (sink->pending_discont) {
    discont = TRUE;
    sink->pending_discont = FALSE;
  }
  cut = flu_hls_cutter_push (&sink->cutter, GST_CLOCK_TIME_IS_VALID (ts) ?
      ts : FLU_HLS_NONE, keyframe, discont, &duration);
  if (cut != FLU_HLS_CUT_NONE) {
    finish_part (sink, duration, cut == FLU_HLS_CUT_SEGMENT, FALSE);
    memset (&sink->info, 0, sizeof (sink->info));
    sink->info.independent = keyframe;
    if (cut == FLU_HLS_CUT_SEGMENT) {
      gint64 now = g_get_real_time ();

      sink->info.new_segment = TRUE;
      sink->info.discont = discont;
      /* program date-time: the wall clock of the stream's first
       * timestamp (again after each discontinuity) plus stream time */
      if (discont || !GST_CLOCK_TIME_IS_VALID (sink->ts0)) {
        sink->wall0 = now;
        sink->ts0 = ts;
      }
      sink->info.pdt_us = GST_CLOCK_TIME_IS_VALID (ts) &&
          GST_CLOCK_TIME_IS_VALID (sink->ts0) && ts >= sink->ts0 ?
          sink->wall0 + (gint64) ((ts - sink->ts0) / GST_USECOND) : now;
    }
    sink->part = g_byte_array_sized_new (MAX (4096, sink->part_size +
            sink->part_size / 4));
    /* a player may start at a segment or an independent part: it needs
     * the PAT and PMT first (the muxer's own come only every
     * pat-interval) */
    if (keyframe && sink->header)
      g_byte_array_append (sink->part, g_bytes_get_data (sink->header, NULL),
          g_bytes_get_size (sink->header));
  }
  if (sink->part == NULL)
    return GST_FLOW_OK;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  g_byte_array_append (sink->part, map.data, map.size);
  probe (sink, map.data, map.size);
  gst_buffer_unmap (buf, &map);
  return GST_FLOW_OK;
}

/* streaming thread: TRUE when a streamheader replaced a different one
 * (new streams in the PMT) */
static gboolean
set_header (FluHlsSink * sink, const GstStructure * s)
{
  const GValue *sh = gst_structure_get_value (s, "streamheader");
  GByteArray *a = g_byte_array_new ();
  GBytes *header = NULL;
  gboolean changed;
  guint i;

  for (i = 0; sh && GST_VALUE_HOLDS_ARRAY (sh) &&
      i < gst_value_array_get_size (sh); i++) {
    const GValue *v = gst_value_array_get_value (sh, i);
    GstMapInfo map;

    if (!GST_VALUE_HOLDS_BUFFER (v) ||
        !gst_buffer_map (gst_value_get_buffer (v), &map, GST_MAP_READ))
      continue;
    g_byte_array_append (a, map.data, map.size);
    gst_buffer_unmap (gst_value_get_buffer (v), &map);
  }
  if (a->len)
    header = g_byte_array_free_to_bytes (a);
  else
    g_byte_array_unref (a);
  changed = sink->header && header && !g_bytes_equal (sink->header, header);
  g_clear_pointer (&sink->header, g_bytes_unref);
  sink->header = header;
  return changed;
}

static gboolean
flu_hls_sink_event (GstBaseSink * bsink, GstEvent * event)
{
  FluHlsSink *sink = FLU_HLS_SINK (bsink);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      gboolean changed;

      gst_event_parse_caps (event, &caps);
      caps = gst_caps_copy (caps);
      /* the first streamheader (the muxer adds it once it knows its
       * streams) is no new stream; another one is */
      changed = set_header (sink, gst_caps_get_structure (caps, 0));
      gst_structure_remove_field (gst_caps_get_structure (caps, 0),
          "streamheader");
      if (changed || (sink->caps && !gst_caps_is_equal (sink->caps, caps))) {
        GST_INFO_OBJECT (sink, "caps changed: discontinuity");
        sink->pending_discont = TRUE;
        reset_probe (sink);
      }
      if (sink->header)
        probe (sink, g_bytes_get_data (sink->header, NULL),
            g_bytes_get_size (sink->header));
      gst_caps_take (&sink->caps, caps);
      break;
    }
    case GST_EVENT_STREAM_START:
      if (sink->caps)
        sink->pending_discont = TRUE;
      break;
    case GST_EVENT_FLUSH_STOP:
      reset_stream (sink);
      break;
    case GST_EVENT_EOS:
      finish_part (sink, flu_hls_cutter_finish (&sink->cutter), TRUE, TRUE);
      break;
    default:
      break;
  }
  return GST_BASE_SINK_CLASS (parent_class)->event (bsink, event);
}

static gboolean
flu_hls_sink_start (GstBaseSink * bsink)
{
  FluHlsSink *sink = FLU_HLS_SINK (bsink);

  reset_stream (sink);
  reset_probe (sink);
  sink->ts0 = GST_CLOCK_TIME_NONE;
  return TRUE;
}

static gboolean
flu_hls_sink_stop (GstBaseSink * bsink)
{
  FluHlsSink *sink = FLU_HLS_SINK (bsink);

  if (sink->part)
    g_byte_array_unref (sink->part);
  sink->part = NULL;
  gst_clear_caps (&sink->caps);
  g_clear_pointer (&sink->header, g_bytes_unref);
  reset_probe (sink);
  return TRUE;
}

/* ---- serving start / stop ---- */

static gboolean
window_start_in_thread (gpointer data)
{
  FluHlsSink *sink = data;
  const Settings *st = sink->settings;
  FluHlsWindowConfig cfg = { st->target_duration, st->part_target,
    st->playlist_length, st->max_segments, st->fmp4
  };

  sink->window = flu_hls_window_new (&cfg, sink->next_msn, window_mount, sink);
  flu_http_server_add_fast_prefix (sink->server, st->mount_point,
      fast_request, sink);
  update_stats (sink);
  return G_SOURCE_REMOVE;
}

static gboolean
window_stop_in_thread (gpointer data)
{
  FluHlsSink *sink = data;

  if (sink->window == NULL)
    return G_SOURCE_REMOVE;
  flu_http_server_remove_fast_prefix (sink->server,
      sink->settings->mount_point, sink);
  release_held (sink, TRUE);
  if (sink->held_timer) {
    g_source_destroy (sink->held_timer);
    g_clear_pointer (&sink->held_timer, g_source_unref);
  }
  sink->next_msn = flu_hls_window_next_msn (sink->window);
  flu_hls_window_free (sink->window);
  sink->window = NULL;
  return G_SOURCE_REMOVE;
}

static void
stop_serving (FluHlsSink * sink)
{
  FluHttpServer *server;
  Settings *settings;
  FluHlsMember *member;

  g_mutex_lock (&sink->lock);
  server = sink->server;
  g_mutex_unlock (&sink->lock);
  if (server == NULL)
    return;
  flu_hls_input_stop (sink->input);
  if (sink->index_path)
    flu_http_server_remove_mount (server, sink->index_path);
  flu_http_server_invoke_sync (server, window_stop_in_thread, sink);
  flu_http_server_route_prefix (server, sink->settings->mount_point, FALSE);
  flu_hls_access_stop (sink->access);
  g_mutex_lock (&sink->lock);
  member = g_steal_pointer (&sink->member);
  g_mutex_unlock (&sink->lock);
  if (member)
    flu_hls_group_leave (member);
  g_mutex_lock (&sink->lock);
  sink->server = NULL;
  settings = g_steal_pointer (&sink->settings);
  g_mutex_unlock (&sink->lock);
  flu_http_server_props_unwatch (server, sink);
  flu_http_server_release (server);
  g_clear_pointer (&sink->index_path, g_free);
  settings_free (settings);
  g_object_notify_by_pspec (G_OBJECT (sink), properties[PROP_CURRENT_PORT]);
}

static gboolean
start_serving (FluHlsSink * sink)
{
  Settings *st;
  FluHttpServer *server;
  GError *err = NULL;
  FluHttpServerProps sp;
  gsize len;

  g_mutex_lock (&sink->lock);
  len = sink->mount_point ? strlen (sink->mount_point) : 0;
  if (len == 0 || sink->mount_point[0] != '/' ||
      sink->mount_point[len - 1] != '/') {
    g_mutex_unlock (&sink->lock);
    GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS,
        ("mount-point must start and end with '/', e.g. /room1/, not '%s'",
            GST_STR_NULL (sink->mount_point)), (NULL));
    return FALSE;
  }
  if (sink->part_target >= (guint64) sink->target_duration * GST_SECOND) {
    g_mutex_unlock (&sink->lock);
    GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS,
        ("part-target (%" GST_TIME_FORMAT ") must be below target-duration "
            "(%u s)", GST_TIME_ARGS (sink->part_target),
            sink->target_duration), (NULL));
    return FALSE;
  }
  st = g_new0 (Settings, 1);
  st->mount_point = g_strdup (sink->mount_point);
  st->cors_origin = g_strdup (sink->cors_origin);
  st->target_duration = sink->target_duration;
  st->part_target = sink->part_target;
  st->playlist_length = sink->playlist_length;
  st->max_segments = MAX (sink->max_segments, sink->playlist_length);
  st->max_held = sink->max_held;
  st->fmp4 = flu_hls_input_active (sink->input);
  st->group = sink->group && *sink->group ? g_strdup (sink->group) : NULL;
  st->codecs = sink->codecs && *sink->codecs ? g_strdup (sink->codecs) : NULL;
  flu_http_server_props_copy (&sp, &sink->server_props);
  g_mutex_unlock (&sink->lock);

  server = flu_http_server_props_acquire_for (&sp, GST_ELEMENT (sink));
  flu_http_server_props_clear (&sp);
  if (server == NULL) {
    settings_free (st);
    return FALSE;
  }
  if (st->group) {
    /* what makes TARGETDURATION and EXT-X-SERVER-CONTROL */
    gchar *control = g_strdup_printf ("target-duration=%u part-target=%"
        G_GUINT64_FORMAT " playlist-length=%u", st->target_duration,
        st->part_target, st->playlist_length);
    FluHlsMember *member = flu_hls_group_join (server, st->group,
        st->mount_point, st->cors_origin, st->target_duration, control, &err);

    g_free (control);

    if (member == NULL) {
      GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS, ("%s", err->message),
          ("give each group on one port a name no other path uses"));
      g_error_free (err);
      flu_http_server_release (server);
      settings_free (st);
      return FALSE;
    }
    if (st->codecs)
      flu_hls_member_set_media (member, st->codecs, 0, 0, 0);
    sink->member = member;
  }
  /* behind a porter: current-port once welcomed, warnings on refusals */
  flu_http_server_props_watch (server, GST_ELEMENT (sink), sink,
      properties[PROP_CURRENT_PORT]);
  /* behind a porter, one route for every segment and part */
  flu_http_server_route_prefix (server, st->mount_point, TRUE);
  g_mutex_lock (&sink->lock);
  sink->server = server;
  sink->settings = st;
  g_mutex_unlock (&sink->lock);

  flu_http_server_invoke_sync (server, window_start_in_thread, sink);
  sink->index_path = g_strconcat (st->mount_point, "index.m3u8", NULL);
  if (!flu_http_server_add_mount (server, sink->index_path, handle_request,
          sink, &err)) {
    GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS, ("%s", err->message),
        ("give each element on one port its own paths"));
    g_error_free (err);
    g_clear_pointer (&sink->index_path, g_free);
    stop_serving (sink);
    return FALSE;
  }
  if (!flu_hls_access_start (sink->access, server, st->mount_point,
          sink->index_path, st->cors_origin,
          HOLD_TARGETS * st->target_duration, sink->member, &err)) {
    GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS, ("%s", err->message),
        ("check htpasswd, allow, deny, access-log, session-secret-file, "
            "stats-path and metrics-path"));
    g_error_free (err);
    stop_serving (sink);
    return FALSE;
  }
  if (st->fmp4)
    flu_hls_input_start (sink->input, (guint64) st->target_duration *
        GST_SECOND, st->part_target);
  GST_INFO_OBJECT (sink, "serving %s on port %u", sink->index_path,
      flu_http_server_get_port (server));
  g_object_notify_by_pspec (G_OBJECT (sink), properties[PROP_CURRENT_PORT]);
  return TRUE;
}

static GstStateChangeReturn
flu_hls_sink_change_state (GstElement * element, GstStateChange transition)
{
  return flu_http_server_change_state (element, transition,
      GST_ELEMENT_CLASS (parent_class), (FluHttpServeStartFunc) start_serving,
      (FluHttpServeStopFunc) stop_serving);
}

/* ---- elementary inputs: CMAF fMP4 (fluhlsinput.c) ---- */

static GstPad *
flu_hls_sink_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * name, const GstCaps * caps)
{
  FluHlsSink *sink = FLU_HLS_SINK (element);
  gboolean started;
  GstPad *pad;

  g_mutex_lock (&sink->lock);
  started = sink->server != NULL;
  g_mutex_unlock (&sink->lock);
  if (started) {
    GST_WARNING_OBJECT (sink, "request pads before the element leaves NULL");
    return NULL;
  }
  if (gst_pad_is_linked (GST_BASE_SINK_PAD (sink))) {
    GST_WARNING_OBJECT (sink, "the sink pad (MPEG-TS) is linked: no "
        "request pads");
    return NULL;
  }
  pad = flu_hls_input_request_pad (sink->input, templ);
  /* the base class's pad gets no data, so it never prerolls */
  if (pad)
    gst_base_sink_set_async_enabled (GST_BASE_SINK (sink), FALSE);
  return pad;
}

static void
flu_hls_sink_release_pad (GstElement * element, GstPad * pad)
{
  FluHlsSink *sink = FLU_HLS_SINK (element);

  if (flu_hls_input_release_pad (sink->input, pad) &&
      !flu_hls_input_active (sink->input))
    gst_base_sink_set_async_enabled (GST_BASE_SINK (sink), TRUE);
}

/* a streaming thread of the request pads, one at a time; a rendition
 * of a group tells it its CODECS and RESOLUTION from the caps (the codecs
 * property overrides CODECS) */
static void
input_part (GstElement * element, const FluHlsPartInfo * info, GBytes * data,
    gboolean end, const gchar * codecs, guint width, guint height, gdouble fps)
{
  FluHlsSink *sink = FLU_HLS_SINK (element);
  const Settings *st = sink->settings;

  if (codecs && st && st->group) {
    g_mutex_lock (&sink->lock);
    if (sink->member)
      flu_hls_member_set_media (sink->member, st->codecs ? st->codecs :
          codecs, width, height, fps);
    g_mutex_unlock (&sink->lock);
  }
  sink->info = *info;
  post_job (sink, data, end);
}
