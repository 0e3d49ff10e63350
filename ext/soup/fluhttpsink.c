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
 * SECTION:element-fluhttpsink
 *
 * The live HTTP streamer.  libsoup-3.0 parses and checks each request
 * (mount point, method, IP lists, htpasswd, signed URLs, limits), writes
 * the response head, then hands the connection's socket to an internal
 * flumultifdsink that streams the body to every viewer.  A plain GET of
 * the stream on a public mount (no credentials, token, query, Range or
 * ICY; room under the limits; the caps known) is parsed and answered
 * without libsoup, on a fresh connection too, with the same head,
 * messages, counts and access-log line (the stats' fast-answers).
 *
 * Memory bound: with no viewer the queue holds the burst (burst-time or
 * burst-size back to a keyframe, or the latest keyframe) and what
 * time-min/bytes-min ask for, in every state; a viewer that lags more
 * than units-max (30 s by default) or 64 MiB, whichever comes first, is
 * dropped, so the queue never holds more than the larger of that and the
 * burst.  Checked by `harden/rss-fluhttpsink-*` (60 s of raw 640x360
 * video, no viewer and a viewer that never reads).
 *
 * Behind a flu-porter (porter-socket, porter-secret-file): the server
 * does not listen but registers its paths with the porter, which passes
 * it the connections for them on its public port; several streamer
 * processes then share one port (tools/porter/README.md).
 *
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! vp8enc deadline=1 ! \
 *     webmmux streamable=true ! fluhttpsink port=8800 mount-point=/live.webm
 * ]|
 *
 * ICY metadata: a radio player that asks with `Icy-MetaData: 1` on an
 * audio mount (audio caps but WebM/Matroska, or Ogg without Theora) gets
 * `icy-metaint` (property icy-metaint, 16000) and, every that many bytes
 * of stream (stream headers and burst included), a block
 * `StreamTitle='...';` from stream-title, or else "Artist - Title" from the
 * stream's tags; other viewers of the mount get the plain stream.  The
 * blocks are shared and written by reference between the viewer's iovecs
 * (the engine's per-client interleave): the stream is never copied per
 * viewer.  icy-name, icy-description, icy-genre, icy-url (and icy-br from
 * the bitrate tag) go to every viewer as headers.  Video mounts answer
 * Icy-MetaData with the plain stream: ffmpeg, VLC and souphttpsrc ask on
 * every URL, and a byte-for-byte copy of a video stream must stay intact.
 *
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true ! lamemp3enc ! \
 *     fluhttpsink port=8000 mount-point=/radio.mp3 icy-name="Test FM" \
 *     stream-title="Live from the hall"
 * ]|
 */

/* Lock order (the fields each lock guards are in fluhttpsinkpriv.h):
 *
 *   1. sink->mount_lock: start_serving, stop_serving and set_property of
 *      a setting of the snapshot (it serialises the swaps, and a path's
 *      re-registration while serving).  Held across the calls that add
 *      or remove a mount on the shared server; those run in the server
 *      thread, which takes sink->lock, so sink->lock is never held then.
 *      The htpasswd files are read with it held (never sink->lock).
 *   2. sink->lock: the properties and the running state.  Held briefly;
 *      no password hashing (auth workers, fluhttpauthpool.c) and no call
 *      into the engine under it, and no file read (set_property of
 *      access-log still opens the file with it held).
 *   3. sink->stats' lock, the access log's lock: leaves, taken with or
 *      without sink->lock.
 *   4. sink->icy's lock (fluhttpicy.c): a leaf, taken with or without
 *      sink->lock (the stream's answer headers hold it) and by the
 *      engine's writer thread with the engine's lock held.
 *
 * The paths, the strings of the answers, the request limits, the parsed
 * address lists and the htpasswd users are an immutable, refcounted
 * snapshot (FluHttpSinkSettings): the server thread takes a reference
 * under sink->lock and reads them without it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fluhttpsinkpriv.h"
#include "fluhttpcheck.h"
#include "fluenums.h"
#include "fluhttpclient.h"
#include "fluhttpfaststream.h"
#include "fluhttprequest.h"
#include "fluhttpmime.h"
#include "fluhttpserverprops.h"
#include "fluhttplogwatch.h"
#include "fluenums.h"
#include "flufanoutsink.h"

#include <gst/base/gstbasesink.h>

GST_DEBUG_CATEGORY (flu_http_sink_debug);
#define GST_CAT_DEFAULT flu_http_sink_debug

enum
{
  PROP_0,
  /* address, port, header-timeout, porter-socket, porter-secret-file
   * (fluhttpserverprops.h) */
  PROP_SERVER_FIRST,
  PROP_SERVER_LAST = PROP_SERVER_FIRST + FLU_HTTP_SERVER_N_PROPS - 1,
  PROP_CURRENT_PORT,
  PROP_MOUNT_POINT,
  PROP_CONTENT_TYPE,
  PROP_CORS_ORIGIN,
  PROP_EXTRA_HEADERS,
  PROP_CAPS_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_STALL_TIMEOUT,
  PROP_BURST_ON_CONNECT,
  PROP_BURST_SIZE,
  PROP_BURST_TIME,
  PROP_SYNC_METHOD,
  PROP_RECOVER_POLICY,
  PROP_UNIT_FORMAT,
  PROP_UNITS_MAX,
  PROP_UNITS_SOFT_MAX,
  PROP_COALESCE_TIME,
  PROP_INPUT_BATCH_TIME,
  PROP_TIME_MIN,
  PROP_BYTES_MIN,
  PROP_QOS_DSCP,
  PROP_RESEND_STREAMHEADER,
  PROP_SYNC,
  PROP_CLIENT_LIMIT,
  PROP_RETRY_AFTER,
  PROP_MAX_PENDING_LOGINS,
  PROP_REDIRECT_ON_OVERFLOW,
  PROP_BANDWIDTH_LIMIT,
  PROP_MAX_CLIENTS_PER_IP,
  PROP_MAX_DURATION,
  PROP_HTPASSWD,
  PROP_REALM,
  PROP_TOKEN_SECRET,
  PROP_ALLOW,
  PROP_DENY,
  PROP_ACCESS_LOG,
  PROP_ACCESS_LOG_EXCLUDE,
  PROP_IP_FILTER,
  PROP_STATS_PATH,
  PROP_METRICS_PATH,
  PROP_PLAYER_PATH,
  PROP_PLAYER_HLS,
  PROP_STATUS_PATH,
  PROP_STATS_ALLOW,
  PROP_STATS_HTPASSWD,
  PROP_CLIENTS,
  PROP_CLIENTS_PEAK,
  PROP_BYTES_SENT,
  PROP_STREAM_BITRATE,
  PROP_STATS,
  N_PROPERTIES
      /* then the icy-* properties (fluhttpicy.c) */
};

static GParamSpec *properties[N_PROPERTIES];

#define DEFAULT_MOUNT_POINT "/"
#define DEFAULT_CORS_ORIGIN "*"
#define DEFAULT_CAPS_TIMEOUT 10
#define DEFAULT_IDLE_TIMEOUT 0
#define DEFAULT_STALL_TIMEOUT 5
#define DEFAULT_SYNC_METHOD FLU_SYNC_METHOD_LATEST_KEYFRAME
#define DEFAULT_RECOVER_POLICY FLU_RECOVER_POLICY_RESYNC_KEYFRAME
#define DEFAULT_UNIT_FORMAT GST_FORMAT_TIME
#define DEFAULT_UNITS_MAX (30 * GST_SECOND)
#define DEFAULT_UNITS_SOFT_MAX (10 * GST_SECOND)
/* Players buffer seconds of a live HTTP stream (and start with a burst of
 * two seconds or more), so half a second of coalescing costs viewers
 * nothing while it cuts the writes, and so the CPU, per viewer to two a
 * second: what Icecast's chunked delivery also does.  0 for the lowest
 * latency. */
#define DEFAULT_COALESCE_TIME (500 * GST_MSECOND)
#define DEFAULT_INPUT_BATCH_TIME (250 * GST_MSECOND)
#define DEFAULT_RETRY_AFTER 10
#define DEFAULT_MAX_PENDING_LOGINS 1024
#define DEFAULT_REALM "fluhttpsink"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define flu_http_sink_parent_class parent_class
G_DEFINE_TYPE (FluHttpSink, flu_http_sink, GST_TYPE_BIN);

static void flu_http_sink_finalize (GObject * object);
static void flu_http_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void flu_http_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn flu_http_sink_change_state (GstElement * element,
    GstStateChange transition);
static GstPadProbeReturn engine_probe (GstPad * pad, GstPadProbeInfo * info,
    gpointer data);

/* what the engine calls when a viewer goes (fluhttpclient.c) */
static const FluFanoutCallbacks engine_callbacks = {
  flu_http_client_on_removed,
  flu_http_client_on_fd_removed
};

#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)
#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)
/* applied only when the element goes to READY (the server is acquired
 * then): refused in PAUSED and PLAYING */
#define RW_READY (RW | GST_PARAM_MUTABLE_READY)

static void
flu_http_sink_class_init (FluHttpSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->finalize = flu_http_sink_finalize;
  gobject_class->set_property = flu_http_sink_set_property;
  gobject_class->get_property = flu_http_sink_get_property;
  element_class->change_state = flu_http_sink_change_state;

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
          "Path of the stream, e.g. /live.webm", DEFAULT_MOUNT_POINT, RW));
  g_object_class_install_property (gobject_class, PROP_CONTENT_TYPE,
      g_param_spec_string ("content-type", "Content type",
          "Content-Type of the stream (NULL = from the caps)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_CORS_ORIGIN,
      g_param_spec_string ("cors-origin", "CORS origin",
          "Value of the Access-Control-Allow-Origin header (NULL or empty = "
          "no header); when set, CORS preflights (OPTIONS) are answered 204 "
          "with the allowed methods and headers", DEFAULT_CORS_ORIGIN, RW));
  g_object_class_install_property (gobject_class, PROP_EXTRA_HEADERS,
      g_param_spec_boxed ("extra-headers", "Extra headers",
          "Extra response headers, as the fields of a structure, e.g. "
          "\"headers, X-Stream=main\"", GST_TYPE_STRUCTURE, RW));
  g_object_class_install_property (gobject_class, PROP_CAPS_TIMEOUT,
      g_param_spec_uint ("caps-timeout", "Caps timeout",
          "Seconds a request waits for the stream to start before 503",
          0, 3600, DEFAULT_CAPS_TIMEOUT, RW));
  g_object_class_install_property (gobject_class, PROP_IDLE_TIMEOUT,
      g_param_spec_uint ("idle-timeout", "Idle timeout",
          "Seconds a viewer may read nothing before it is dropped "
          "(0 = no limit)", 0, G_MAXUINT / 1000, DEFAULT_IDLE_TIMEOUT, RW));
  g_object_class_install_property (gobject_class, PROP_STALL_TIMEOUT,
      g_param_spec_uint ("stall-timeout", "Stall timeout",
          "Seconds without a buffer from upstream after which the stream "
          "counts as stalled: stats, metrics and the status page say so "
          "(state \"stalled\", stream-bitrate 0) and new viewers get 503 "
          "with Retry-After instead of old data, until buffers come again "
          "(0 = never stalled)", 0, 86400, DEFAULT_STALL_TIMEOUT, RW));
  g_object_class_install_property (gobject_class, PROP_BURST_ON_CONNECT,
      g_param_spec_boolean ("burst-on-connect", "Burst on connect",
          "Start new viewers at a keyframe in the past so they fill their "
          "buffer at once (burst-size or burst-time, else everything since "
          "the latest keyframe)", FALSE, RW));
  g_object_class_install_property (gobject_class, PROP_BURST_SIZE,
      g_param_spec_uint64 ("burst-size", "Burst size",
          "Bytes to burst on connect (0 = unset; exclusive with burst-time)",
          0, G_MAXUINT64, 0, RW));
  g_object_class_install_property (gobject_class, PROP_BURST_TIME,
      g_param_spec_uint64 ("burst-time", "Burst time",
          "Nanoseconds to burst on connect (0 = unset; exclusive with "
          "burst-size)", 0, G_MAXUINT64, 0, RW));
  g_object_class_install_property (gobject_class, PROP_SYNC_METHOD,
      g_param_spec_enum ("sync-method", "Sync method",
          "Where new viewers start when burst-on-connect is off",
          FLU_TYPE_SYNC_METHOD, DEFAULT_SYNC_METHOD, RW));
  g_object_class_install_property (gobject_class, PROP_RECOVER_POLICY,
      g_param_spec_enum ("recover-policy", "Recover policy",
          "What to do with a viewer that falls behind units-soft-max",
          FLU_TYPE_RECOVER_POLICY, DEFAULT_RECOVER_POLICY, RW));
  g_object_class_install_property (gobject_class, PROP_UNIT_FORMAT,
      g_param_spec_enum ("unit-format", "Unit format",
          "Unit of units-max and units-soft-max", GST_TYPE_FORMAT,
          DEFAULT_UNIT_FORMAT, RW));
  g_object_class_install_property (gobject_class, PROP_UNITS_MAX,
      g_param_spec_int64 ("units-max", "Units max",
          "Drop a viewer that lags more than this (-1 = no limit)",
          -1, G_MAXINT64, DEFAULT_UNITS_MAX, RW));
  g_object_class_install_property (gobject_class, PROP_UNITS_SOFT_MAX,
      g_param_spec_int64 ("units-soft-max", "Units soft max",
          "Recover a viewer that lags more than this (-1 = no limit)",
          -1, G_MAXINT64, DEFAULT_UNITS_SOFT_MAX, RW));
  g_object_class_install_property (gobject_class, PROP_COALESCE_TIME,
      g_param_spec_uint64 ("coalesce-time", "Coalesce time",
          "Gather new data for up to this long (in nanoseconds) before "
          "writing it to the viewers: fewer, larger writes and less CPU per "
          "byte, for this much added latency (players buffer seconds of a "
          "live HTTP stream); new viewers are served at once (0 = write "
          "every buffer as it comes, for the lowest latency)", 0,
          FLU_FANOUT_MAX_COALESCE_TIME, DEFAULT_COALESCE_TIME, RW));
  g_object_class_install_property (gobject_class, PROP_INPUT_BATCH_TIME,
      g_param_spec_uint64 ("input-batch-time", "Input batch time",
          "With coalesce-time set, sync off and an upstream that is not "
          "live (a network source: the data waits in its socket), take the "
          "input in batches of up to this long (in nanoseconds, at most "
          "half of coalesce-time): after a buffer at the stream's live "
          "edge the streaming thread waits for the next batch boundary, so "
          "the source wakes, reads and polls once per batch instead of once "
          "per packet, for up to this much added latency (a buffer may miss "
          "the window it would have made) (0 = take every buffer as it "
          "comes)",
          0, FLU_FANOUT_MAX_COALESCE_TIME, DEFAULT_INPUT_BATCH_TIME, RW));
  g_object_class_install_property (gobject_class, PROP_TIME_MIN,
      g_param_spec_int64 ("time-min", "Time min",
          "Minimum time of data to keep queued (-1 = as little as possible)",
          -1, G_MAXINT64, -1, RW));
  g_object_class_install_property (gobject_class, PROP_BYTES_MIN,
      g_param_spec_int ("bytes-min", "Bytes min",
          "Minimum bytes of data to keep queued (-1 = as little as possible)",
          -1, G_MAXINT, -1, RW));
  g_object_class_install_property (gobject_class, PROP_QOS_DSCP,
      g_param_spec_int ("qos-dscp", "QoS DSCP",
          "Differentiated services code point of the stream (-1 = default)",
          -1, 63, -1, RW));
  g_object_class_install_property (gobject_class, PROP_RESEND_STREAMHEADER,
      g_param_spec_boolean ("resend-streamheader", "Resend streamheader",
          "Send the new stream headers to viewers when the caps change",
          TRUE, RW));
  g_object_class_install_property (gobject_class, PROP_SYNC,
      g_param_spec_boolean ("sync", "Sync",
          "Pace the stream on the clock (off for live sources)", FALSE, RW));
  g_object_class_install_property (gobject_class, PROP_CLIENT_LIMIT,
      g_param_spec_uint ("client-limit", "Client limit",
          "Maximum number of viewers (0 = no limit); others get 503 or a "
          "redirect", 0, G_MAXUINT, 0, RW));
  g_object_class_install_property (gobject_class, PROP_RETRY_AFTER,
      g_param_spec_uint ("retry-after", "Retry after",
          "Seconds in the Retry-After header of 503 answers",
          0, 86400, DEFAULT_RETRY_AFTER, RW));
  g_object_class_install_property (gobject_class, PROP_MAX_PENDING_LOGINS,
      g_param_spec_uint ("max-pending-logins", "Max pending logins",
          "Password checks (htpasswd, stats-htpasswd) waiting for or running "
          "in the auth workers at once; a login past that gets 503 with "
          "Retry-After", 1, 65536, DEFAULT_MAX_PENDING_LOGINS, RW));
  g_object_class_install_property (gobject_class, PROP_REDIRECT_ON_OVERFLOW,
      g_param_spec_string ("redirect-on-overflow", "Redirect on overflow",
          "URL to send viewers to (302) when client-limit or bandwidth-limit "
          "is reached (NULL = answer 503)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_BANDWIDTH_LIMIT,
      g_param_spec_uint64 ("bandwidth-limit", "Bandwidth limit",
          "Bits per second all viewers may take together; a viewer whose "
          "stream would exceed it is refused (0 = no limit)",
          0, G_MAXUINT64, 0, RW));
  g_object_class_install_property (gobject_class, PROP_MAX_CLIENTS_PER_IP,
      g_param_spec_uint ("max-clients-per-ip", "Max clients per IP",
          "Viewers allowed from one address, requests waiting for the "
          "stream included (0 = no limit); more get 429", 0, G_MAXUINT, 0, RW));
  g_object_class_install_property (gobject_class, PROP_MAX_DURATION,
      g_param_spec_uint ("max-duration", "Max duration",
          "Seconds a viewer may stay connected (0 = no limit)",
          0, G_MAXUINT, 0, RW));
  g_object_class_install_property (gobject_class, PROP_HTPASSWD,
      g_param_spec_string ("htpasswd", "htpasswd file",
          "Apache htpasswd file (bcrypt, SHA-1, apr1 or crypt hashes); when "
          "set, viewers need HTTP Basic credentials from it", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_REALM,
      g_param_spec_string ("realm", "Realm",
          "Realm of the Basic authentication challenge", DEFAULT_REALM, RW));
  g_object_class_install_property (gobject_class, PROP_TOKEN_SECRET,
      g_param_spec_string ("token-secret", "Token secret",
          "When set, viewers need a signed URL: ?expires=<unix time>&token="
          "<hex HMAC-SHA256(secret, \"<mount-point>:<expires>\")>",
          NULL, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_ALLOW,
      g_param_spec_string ("allow", "Allow",
          "Addresses allowed in (CIDR list, IPv4 and IPv6, comma separated; "
          "NULL = everybody not denied)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_DENY,
      g_param_spec_string ("deny", "Deny",
          "Addresses refused with 403 (CIDR list, comma separated)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_ACCESS_LOG,
      g_param_spec_string ("access-log", "Access log",
          "File to append one combined-format line per request to (plus the "
          "seconds connected); reopened when set again or on SIGHUP",
          NULL, RW));
  g_object_class_install_property (gobject_class, PROP_ACCESS_LOG_EXCLUDE,
      g_param_spec_string ("access-log-exclude", "Access log exclude",
          "Addresses whose requests are not written to the access log, e.g. "
          "monitoring probes (CIDR list, IPv4 and IPv6, comma separated); "
          "they are served, counted and posted on the bus as any other "
          "(this is no access control: see allow and deny)", NULL, RW));
  /* the old name, which read like access control */
  g_object_class_install_property (gobject_class, PROP_IP_FILTER,
      g_param_spec_string ("ip-filter", "IP filter (deprecated)",
          "Deprecated: the old name of access-log-exclude, which sets the "
          "same list (addresses kept out of the access log, not access "
          "control)", NULL, RW | G_PARAM_DEPRECATED));
  g_object_class_install_property (gobject_class, PROP_STATS_PATH,
      g_param_spec_string ("stats-path", "Stats path",
          "Path answering the statistics as JSON (NULL = none)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_METRICS_PATH,
      g_param_spec_string ("metrics-path", "Metrics path",
          "Path answering Prometheus text metrics (NULL = none)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_PLAYER_PATH,
      g_param_spec_string ("player-path", "Player path",
          "Path answering a small HTML page that plays the stream in a "
          "<video> element (NULL = none)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_PLAYER_HLS,
      g_param_spec_string ("player-hls", "Player HLS playlist",
          "HLS playlist (a path on this port such as /live/index.m3u8, or a "
          "URL) that the player page plays first in browsers that play HLS "
          "natively (Safari, iOS), or with hls.js when the page has it; "
          "the player falls back to this element's stream when the "
          "browser cannot play it (NULL = the stream only)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_STATUS_PATH,
      g_param_spec_string ("status-path", "Status path",
          "Path answering an HTML status page of every stream on this port "
          "(player, viewers, bitrates, uptime, viewers over the last hour), "
          "refreshed from the same path with ?format=json (NULL = none)",
          NULL, RW));
  g_object_class_install_property (gobject_class, PROP_STATS_ALLOW,
      g_param_spec_string ("stats-allow", "Stats allow",
          "Addresses that may read stats-path, metrics-path and status-path "
          "(CIDR list, comma separated); others get 403.  NULL = whoever "
          "allow and deny let in.  Per-viewer details (address, user, user "
          "agent) in the JSON stats are only shown to clients let in by "
          "stats-allow or stats-htpasswd, or, when neither is set, to "
          "loopback clients", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_STATS_HTPASSWD,
      g_param_spec_string ("stats-htpasswd", "Stats htpasswd file",
          "Apache htpasswd file whose users may read stats-path, "
          "metrics-path and status-path (HTTP Basic; 401 otherwise).  NULL "
          "= no credentials asked there (the viewers' htpasswd does not "
          "apply to these paths)", NULL, RW));
  g_object_class_install_property (gobject_class, PROP_CLIENTS,
      g_param_spec_uint ("clients", "Clients",
          "Viewers connected now", 0, G_MAXUINT, 0, RO));
  g_object_class_install_property (gobject_class, PROP_CLIENTS_PEAK,
      g_param_spec_uint ("clients-peak", "Clients peak",
          "Most viewers connected at once", 0, G_MAXUINT, 0, RO));
  g_object_class_install_property (gobject_class, PROP_BYTES_SENT,
      g_param_spec_uint64 ("bytes-sent", "Bytes sent",
          "Bytes sent to all viewers", 0, G_MAXUINT64, 0, RO));
  g_object_class_install_property (gobject_class, PROP_STREAM_BITRATE,
      g_param_spec_uint64 ("stream-bitrate", "Stream bitrate",
          "Bits per second of the incoming stream, measured over the last 2 s "
          "(0 when the stream is stalled or offline, see stall-timeout)",
          0, G_MAXUINT64, 0, RO));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Stats",
          "Stream and client statistics (the fields of the JSON stats)",
          GST_TYPE_STRUCTURE, RO));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "HTTP streamer", "Sink/Network",
      "Serves a live stream to many HTTP clients (libsoup front, "
      "flumultifdsink behind)", "gst-flumotion developers");

  flu_http_icy_install_properties (gobject_class, N_PROPERTIES);

  GST_DEBUG_CATEGORY_INIT (flu_http_sink_debug, "fluhttpsink", 0,
      "fluhttpsink");
}

/* ---- the settings snapshot ---- */

static gchar **
settings_field (FluHttpSinkSettings * p, guint prop_id)
{
  switch (prop_id) {
    case PROP_MOUNT_POINT:
      return &p->mount_point;
    case PROP_STATS_PATH:
      return &p->stats_path;
    case PROP_METRICS_PATH:
      return &p->metrics_path;
    case PROP_PLAYER_PATH:
      return &p->player_path;
    case PROP_PLAYER_HLS:
      return &p->player_hls;
    case PROP_STATUS_PATH:
      return &p->status_path;
    case PROP_CONTENT_TYPE:
      return &p->content_type;
    case PROP_CORS_ORIGIN:
      return &p->cors_origin;
    case PROP_REDIRECT_ON_OVERFLOW:
      return &p->redirect_on_overflow;
    case PROP_REALM:
      return &p->realm;
    case PROP_TOKEN_SECRET:
      return &p->token_secret;
    default:
      return NULL;
  }
}

static void
flu_http_sink_init (FluHttpSink * sink)
{
  GstPadTemplate *templ = gst_static_pad_template_get (&sink_template);
  GstPad *pad;

  g_mutex_init (&sink->mount_lock);
  g_mutex_init (&sink->lock);
  flu_http_server_props_init (&sink->server_props);
  sink->settings = g_atomic_rc_box_new0 (FluHttpSinkSettings);
  sink->settings->mount_point = g_strdup (DEFAULT_MOUNT_POINT);
  sink->settings->cors_origin = g_strdup (DEFAULT_CORS_ORIGIN);
  sink->settings->caps_timeout = DEFAULT_CAPS_TIMEOUT;
  sink->idle_timeout = DEFAULT_IDLE_TIMEOUT;
  sink->settings->stall_timeout = DEFAULT_STALL_TIMEOUT;
  sink->sync_method = DEFAULT_SYNC_METHOD;
  sink->recover_policy = DEFAULT_RECOVER_POLICY;
  sink->unit_format = DEFAULT_UNIT_FORMAT;
  sink->units_max = DEFAULT_UNITS_MAX;
  sink->units_soft_max = DEFAULT_UNITS_SOFT_MAX;
  sink->coalesce_time = DEFAULT_COALESCE_TIME;
  sink->input_batch_time = DEFAULT_INPUT_BATCH_TIME;
  sink->time_min = -1;
  sink->bytes_min = -1;
  sink->qos_dscp = -1;
  sink->resend_streamheader = TRUE;
  sink->settings->retry_after = DEFAULT_RETRY_AFTER;
  sink->settings->max_pending_logins = DEFAULT_MAX_PENDING_LOGINS;
  sink->settings->realm = g_strdup (DEFAULT_REALM);
  sink->clients = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
      (GDestroyNotify) flu_http_client_free);
  sink->per_ip = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sink->log = flu_http_access_log_new ();
  sink->icy = flu_http_icy_new ();
  sink->messages = flu_bus_batch_new (GST_ELEMENT (sink), FLU_BUS_BATCH_MS);
  flu_http_stats_init (&sink->stats);

  sink->ghost = gst_ghost_pad_new_no_target_from_template ("sink", templ);
  gst_object_unref (templ);
  gst_element_add_pad (GST_ELEMENT (sink), sink->ghost);

  sink->engine = flu_fanout_sink_new ("engine", &engine_callbacks, sink);
  sink->fanout = flu_fanout_sink_get_fanout (sink->engine);
  gst_bin_add (GST_BIN (sink), sink->engine);
  pad = gst_element_get_static_pad (sink->engine, "sink");
  gst_ghost_pad_set_target (GST_GHOST_PAD (sink->ghost), pad);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
      GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
      engine_probe, sink, NULL);
  gst_object_unref (pad);
}

static void
flu_http_sink_finalize (GObject * object)
{
  FluHttpSink *sink = FLU_HTTP_SINK (object);

  flu_http_server_props_clear (&sink->server_props);
  g_clear_pointer (&sink->settings, flu_http_sink_settings_unref);
  g_free (sink->allow);
  g_free (sink->deny);
  g_free (sink->access_log);
  g_free (sink->ip_filter);
  g_free (sink->stats_allow);
  gst_clear_caps (&sink->caps);
  g_free (sink->mime);
  g_hash_table_unref (sink->clients);
  g_hash_table_unref (sink->per_ip);
  flu_http_access_log_free (sink->log);
  flu_http_icy_unref (sink->icy);
  flu_bus_batch_free (sink->messages);
  flu_http_stats_clear (&sink->stats);
  g_mutex_clear (&sink->lock);
  g_mutex_clear (&sink->mount_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* ---- engine configuration ---- */

/* lock held: the engine's settings, and how a new viewer starts
 * (burst-on-connect picks a keyframe start with the burst kept queued even
 * without viewers) */
static void
configure_engine (FluHttpSink * sink)
{
  FluFanoutConfig config;

  flu_fanout_config_init (&config);
  config.sync_method = sink->sync_method;
  config.recover_policy = sink->recover_policy;
  config.unit_format = sink->unit_format;
  config.units_max = sink->units_max;
  config.units_soft_max = sink->units_soft_max;
  config.coalesce_time = sink->coalesce_time;
  /* with a coalescing window, one chunk per window: fewer iovecs */
  config.merge_small = sink->coalesce_time > 0;
  config.start_on_add = TRUE;
  config.time_min = sink->time_min;
  config.bytes_min = sink->bytes_min;
  config.qos_dscp = sink->qos_dscp;
  config.resend_streamheader = sink->resend_streamheader;
  config.timeout = (guint64) sink->idle_timeout * GST_SECOND;
  if (sink->burst_on_connect) {
    if (sink->burst_size) {
      config.sync_method = FLU_SYNC_METHOD_BURST_KEYFRAME;
      config.burst_format = GST_FORMAT_BYTES;
      config.burst_value = sink->burst_size;
      config.bytes_min = MAX (config.bytes_min,
          (gint) MIN (sink->burst_size, G_MAXINT));
    } else if (sink->burst_time) {
      config.sync_method = FLU_SYNC_METHOD_BURST_KEYFRAME;
      config.burst_format = GST_FORMAT_TIME;
      config.burst_value = sink->burst_time;
      config.time_min = MAX (config.time_min,
          (gint64) MIN (sink->burst_time, G_MAXINT64));
    } else {
      config.sync_method = FLU_SYNC_METHOD_LATEST_KEYFRAME;
    }
  }
  sink->start_sync = config.sync_method;
  sink->start_format = config.burst_format;
  sink->start_value = config.burst_value;
  flu_fanout_set_config (sink->fanout, &config);
  gst_base_sink_set_sync (GST_BASE_SINK (sink->engine), sink->sync);
  /* the batch ends before the window does: its data makes the window */
  flu_fanout_sink_set_input_batch (sink->engine, sink->coalesce_time ?
      MIN (sink->input_batch_time, sink->coalesce_time / 2) : 0);
}

/* ---- engine probe (streaming thread) ---- */

static GstPadProbeReturn
engine_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  FluHttpSink *sink = data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

    /* flufeedsrc marks the first buffer after a reconnection */
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
      flu_http_stats_restart (&sink->stats);
    flu_http_stats_stream_bytes (&sink->stats, gst_buffer_get_size (buf));
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);

    if (gst_buffer_list_length (list) > 0 &&
        GST_BUFFER_FLAG_IS_SET (gst_buffer_list_get (list, 0),
            GST_BUFFER_FLAG_DISCONT))
      flu_http_stats_restart (&sink->stats);
    flu_http_stats_stream_bytes (&sink->stats,
        gst_buffer_list_calculate_size (list));
  } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_TAG) {
    GstTagList *tags;

    gst_event_parse_tag (GST_PAD_PROBE_INFO_EVENT (info), &tags);
    flu_http_icy_tags (sink->icy, tags);
  } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) ==
      GST_EVENT_STREAM_START) {
    /* a new stream after data (the first one comes before any) */
    flu_http_stats_restart (&sink->stats);
  } else if (gst_event_has_name (GST_PAD_PROBE_INFO_EVENT (info),
          FLU_UPSTREAM_RESTART_EVENT)) {
    const GstStructure *s =
        gst_event_get_structure (GST_PAD_PROBE_INFO_EVENT (info));
    guint n = 0;

    /* flufeedsrc reconnected (through a muxer, which drops DISCONT); a
     * sticky event comes again (one per feed reader, and when replayed):
     * counted once per new count */
    gst_structure_get_uint (s, "restarts", &n);
    flu_http_stats_restart_seen (&sink->stats, n);
  } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS) {
    flu_http_stats_eos (&sink->stats);
  } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_CAPS) {
    GstCaps *caps;
    FluHttpServer *server;

    gst_event_parse_caps (GST_PAD_PROBE_INFO_EVENT (info), &caps);
    g_mutex_lock (&sink->lock);
    gst_caps_replace (&sink->caps, caps);
    g_free (sink->mime);
    sink->mime = flu_http_content_type_from_caps (caps);
    server = sink->server;
    GST_INFO_OBJECT (sink, "streaming %s", sink->mime);
    if (server && (sink->waiting || sink->waiting_fds))
      g_main_context_invoke_full (flu_http_server_get_context (server),
          G_PRIORITY_DEFAULT, flu_http_request_release_waiting,
          gst_object_ref (sink), gst_object_unref);
    g_mutex_unlock (&sink->lock);
  }
  return GST_PAD_PROBE_OK;
}

/* ---- start / stop ---- */

static void
stop_serving (FluHttpSink * sink)
{
  FluHttpServer *server;
  GPtrArray *mounted;
  guint i;

  g_mutex_lock (&sink->mount_lock);
  g_mutex_lock (&sink->lock);
  server = g_steal_pointer (&sink->server);
  mounted = g_steal_pointer (&sink->mounted);
  gst_clear_caps (&sink->caps);
  g_mutex_unlock (&sink->lock);
  if (server == NULL) {
    g_mutex_unlock (&sink->mount_lock);
    return;
  }
  flu_http_fast_stream_stop (sink, server);
  for (i = 0; mounted && i < mounted->len; i++)
    flu_http_server_remove_mount (server, g_ptr_array_index (mounted, i));
  g_mutex_unlock (&sink->mount_lock);
  g_clear_pointer (&mounted, g_ptr_array_unref);
  /* caps are gone: waiting requests get 503 */
  flu_http_server_invoke_sync (server, flu_http_request_release_waiting, sink);
  flu_http_log_unwatch_sighup (&sink->sighup);
  flu_http_server_props_unwatch (server, sink);
  /* its timer runs in the server's thread: what waits goes out now */
  flu_bus_batch_stop (sink->messages);
  flu_http_server_release (server);
}

/* The address lists parsed and the htpasswd files read into the snapshot
 * (no lock while the files are read). */
static gboolean
load_lists_and_users (FluHttpSink * sink)
{
  FluHttpSinkSettings *p;
  GError *err = NULL;
  gboolean ok;

  g_mutex_lock (&sink->mount_lock);
  p = flu_http_sink_settings_begin (sink);
  g_mutex_lock (&sink->lock);
  ok = flu_http_check_parse_lists (sink, p, &err);
  g_mutex_unlock (&sink->lock);
  if (!ok) {
    GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS,
        ("Bad address list in allow, deny, access-log-exclude or stats-allow: "
            "%s", err->message), (NULL));
  } else if (!(ok = flu_http_check_load_htpasswd (p, FALSE, &err))) {
    GST_ELEMENT_ERROR (sink, RESOURCE, OPEN_READ,
        ("Cannot read the htpasswd file: %s", err->message), (NULL));
  } else if (!(ok = flu_http_check_load_htpasswd (p, TRUE, &err))) {
    GST_ELEMENT_ERROR (sink, RESOURCE, OPEN_READ,
        ("Cannot read the stats-htpasswd file: %s", err->message), (NULL));
  }
  if (ok)
    flu_http_sink_settings_commit (sink, p);
  else
    flu_http_sink_settings_unref (p);
  g_mutex_unlock (&sink->mount_lock);
  g_clear_error (&err);
  return ok;
}

static gboolean
start_serving (FluHttpSink * sink)
{
  GError *err = NULL;
  FluHttpServer *server;
  const gchar *paths[5];
  g_autoptr (FluHttpSinkSettings) p = NULL;
  guint i;
  FluHttpServerProps sp;

  if (!load_lists_and_users (sink))
    return FALSE;
  g_mutex_lock (&sink->lock);
  p = g_atomic_rc_box_acquire (sink->settings);
  if (sink->burst_size && sink->burst_time) {
    g_mutex_unlock (&sink->lock);
    GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS,
        ("burst-size and burst-time are both set: set only one of them"),
        (NULL));
    return FALSE;
  }
  if (p->mount_point == NULL || p->mount_point[0] != '/') {
    g_mutex_unlock (&sink->lock);
    GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS,
        ("mount-point must be a path starting with '/', not '%s'",
            GST_STR_NULL (p->mount_point)), (NULL));
    return FALSE;
  }
  if (!flu_http_access_log_open (sink->log, sink->access_log, &err)) {
    g_mutex_unlock (&sink->lock);
    GST_ELEMENT_ERROR (sink, RESOURCE, OPEN_WRITE, ("%s", err->message),
        (NULL));
    g_error_free (err);
    return FALSE;
  }
  configure_engine (sink);
  flu_http_server_props_copy (&sp, &sink->server_props);
  paths[0] = p->mount_point;
  paths[1] = p->stats_path;
  paths[2] = p->metrics_path;
  paths[3] = p->player_path;
  paths[4] = p->status_path;
  g_mutex_unlock (&sink->lock);

  server = flu_http_server_props_acquire_for (&sp, GST_ELEMENT (sink));
  flu_http_server_props_clear (&sp);
  if (server == NULL)
    return FALSE;

  flu_http_stats_start (&sink->stats);
  flu_bus_batch_start (sink->messages, flu_http_server_get_context (server));
  g_mutex_lock (&sink->mount_lock);
  g_mutex_lock (&sink->lock);
  sink->server = server;
  sink->mounted = g_ptr_array_new_with_free_func (g_free);
  /* the paths as they are now: a set_property before mount_lock was
   * taken saw no server and only swapped the snapshot */
  flu_http_sink_settings_unref (p);
  p = g_atomic_rc_box_acquire (sink->settings);
  paths[0] = p->mount_point;
  paths[1] = p->stats_path;
  paths[2] = p->metrics_path;
  paths[3] = p->player_path;
  paths[4] = p->status_path;
  g_mutex_unlock (&sink->lock);
  /* behind a porter: current-port once welcomed, warnings on refusals */
  flu_http_server_props_watch (server, GST_ELEMENT (sink), sink,
      properties[PROP_CURRENT_PORT]);
  for (i = 0; i < G_N_ELEMENTS (paths); i++) {
    if (paths[i] == NULL || *paths[i] == '\0')
      continue;
    if (!flu_http_server_add_mount (server, paths[i], flu_http_request_handle,
            sink, &err)) {
      g_mutex_unlock (&sink->mount_lock);
      GST_ELEMENT_ERROR (sink, RESOURCE, SETTINGS, ("%s", err->message),
          ("give each fluhttpsink on one port its own paths"));
      g_error_free (err);
      stop_serving (sink);
      return FALSE;
    }
    g_ptr_array_add (sink->mounted, g_strdup (paths[i]));
    flu_http_server_set_refused (server, paths[i], flu_http_request_refused);
  }
  flu_http_server_set_stream (server, p->mount_point,
      flu_http_request_stream_status);
  flu_http_fast_stream_start (sink, server);
  g_mutex_unlock (&sink->mount_lock);
  if (sink->access_log)
    sink->sighup = flu_http_log_watch_sighup (sink->log,
        flu_http_server_get_context (server), GST_ELEMENT (sink));
  GST_INFO_OBJECT (sink, "serving %s on port %u", p->mount_point,
      flu_http_server_get_port (server));
  g_object_notify_by_pspec (G_OBJECT (sink), properties[PROP_CURRENT_PORT]);
  return TRUE;
}

static GstStateChangeReturn
flu_http_sink_change_state (GstElement * element, GstStateChange transition)
{
  FluHttpSink *sink = FLU_HTTP_SINK (element);
  GstStateChangeReturn ret;

  /* No new client once the engine stops: stop serving first (the shared
   * change_state's stop after chaining up then finds nothing to do).
   * Requests the server thread reads after that see no server and are
   * refused; sockets handed over before it reached the engine while it
   * still ran (hand-overs run in the server thread, and stop_serving ()
   * waits for it). */
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    stop_serving (sink);

  ret = flu_http_server_change_state (element, transition,
      GST_ELEMENT_CLASS (parent_class), (FluHttpServeStartFunc) start_serving,
      (FluHttpServeStopFunc) stop_serving);

  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    flu_http_client_close_remaining (sink);
  return ret;
}

/* ---- properties ---- */

/* mount_lock held, lock not held: the element serves on @server; move the
 * registration of one of its paths from @old to @new (either may be NULL
 * or empty = not mounted).  FALSE (and @new not mounted, @old kept) when
 * @new is taken on the server. */
static gboolean
remount (FluHttpSink * sink, FluHttpServer * server, gboolean stream,
    const gchar * old, const gchar * new, GError ** error)
{
  guint i;

  if (new && *new) {
    if (!flu_http_server_add_mount (server, new, flu_http_request_handle,
            sink, error))
      return FALSE;
    flu_http_server_set_refused (server, new, flu_http_request_refused);
    if (stream)
      flu_http_server_set_stream (server, new, flu_http_request_stream_status);
    g_ptr_array_add (sink->mounted, g_strdup (new));
  }
  if (old && *old) {
    for (i = 0; i < sink->mounted->len; i++) {
      if (g_strcmp0 (g_ptr_array_index (sink->mounted, i), old) == 0) {
        flu_http_server_remove_mount (server, old);
        g_ptr_array_remove_index (sink->mounted, i);
        break;
      }
    }
  }
  return TRUE;
}

/* set_property of htpasswd or stats-htpasswd: a new snapshot with the
 * name and, while serving, the users read from the file (mount_lock held,
 * sink->lock not: the engine's writer thread takes it); when the file
 * cannot be read the old users stay, with a warning. */
static void
set_htpasswd (FluHttpSink * sink, guint prop_id, const GValue * value)
{
  gboolean stats = prop_id == PROP_STATS_HTPASSWD;
  FluHttpSinkSettings *p;
  GError *err = NULL;
  gboolean serving, ok = TRUE;

  g_mutex_lock (&sink->mount_lock);
  g_mutex_lock (&sink->lock);
  serving = sink->server != NULL;
  g_mutex_unlock (&sink->lock);
  p = flu_http_sink_settings_begin (sink);
  g_free (stats ? p->stats_htpasswd : p->htpasswd);
  if (stats)
    p->stats_htpasswd = g_value_dup_string (value);
  else
    p->htpasswd = g_value_dup_string (value);
  if (serving)
    ok = flu_http_check_load_htpasswd (p, stats, &err);
  flu_http_sink_settings_commit (sink, p);
  g_mutex_unlock (&sink->mount_lock);
  if (!ok) {
    GST_ELEMENT_WARNING (sink, RESOURCE, OPEN_READ,
        ("Cannot read the %s file, keeping the old one: %s",
            stats ? "stats-htpasswd" : "htpasswd", err->message), (NULL));
    g_error_free (err);
  }
}

/* the numeric settings of the snapshot */
static gboolean
set_number (FluHttpSinkSettings * p, guint prop_id, const GValue * value)
{
  switch (prop_id) {
    case PROP_CAPS_TIMEOUT:
      p->caps_timeout = g_value_get_uint (value);
      return TRUE;
    case PROP_STALL_TIMEOUT:
      p->stall_timeout = g_value_get_uint (value);
      return TRUE;
    case PROP_CLIENT_LIMIT:
      p->client_limit = g_value_get_uint (value);
      return TRUE;
    case PROP_RETRY_AFTER:
      p->retry_after = g_value_get_uint (value);
      return TRUE;
    case PROP_MAX_PENDING_LOGINS:
      p->max_pending_logins = g_value_get_uint (value);
      return TRUE;
    case PROP_BANDWIDTH_LIMIT:
      p->bandwidth_limit = g_value_get_uint64 (value);
      return TRUE;
    case PROP_MAX_CLIENTS_PER_IP:
      p->max_clients_per_ip = g_value_get_uint (value);
      return TRUE;
    case PROP_MAX_DURATION:
      p->max_duration = g_value_get_uint (value);
      return TRUE;
    default:
      return FALSE;
  }
}

/* set_property of allow, deny, access-log-exclude or stats-allow while
 * serving: the lists parsed into a new snapshot (mount_lock held); a bad
 * list keeps the old ones */
static void
reparse_lists (FluHttpSink * sink)
{
  FluHttpSinkSettings *p;
  GError *err = NULL;
  gboolean ok;

  g_mutex_lock (&sink->mount_lock);
  p = flu_http_sink_settings_begin (sink);
  g_mutex_lock (&sink->lock);
  ok = sink->server == NULL || flu_http_check_parse_lists (sink, p, &err);
  g_mutex_unlock (&sink->lock);
  if (ok)
    flu_http_sink_settings_commit (sink, p);
  else
    flu_http_sink_settings_unref (p);
  g_mutex_unlock (&sink->mount_lock);
  if (!ok) {
    GST_ELEMENT_WARNING (sink, RESOURCE, SETTINGS,
        ("Bad address list, keeping the old ones: %s", err->message), (NULL));
    g_error_free (err);
  }
}

static gboolean
is_path (guint prop_id)
{
  return prop_id == PROP_MOUNT_POINT || prop_id == PROP_STATS_PATH ||
      prop_id == PROP_METRICS_PATH || prop_id == PROP_PLAYER_PATH ||
      prop_id == PROP_STATUS_PATH;
}

/* set_property of a setting in the snapshot (a path, content-type,
 * cors-origin, extra-headers, redirect-on-overflow, realm, token-secret, a
 * request limit):
 * copy the snapshot, change the copy, swap it under the lock,
 * drop the old one outside it.  While serving, the path is re-registered
 * on the shared server first: requests for the old path get 404, the new
 * one serves; a path taken on the server keeps the old one. */
static void
set_setting (FluHttpSink * sink, guint prop_id, const GValue * value)
{
  FluHttpSinkSettings *old, *new;
  gchar **field;
  FluHttpServer *server;
  GError *err = NULL;
  gboolean ok = TRUE;

  g_mutex_lock (&sink->mount_lock);
  g_mutex_lock (&sink->lock);
  old = g_atomic_rc_box_acquire (sink->settings);
  server = sink->server;
  g_mutex_unlock (&sink->lock);

  new = flu_http_sink_settings_copy (old);
  if (set_number (new, prop_id, value)) {
    server = NULL;
    field = NULL;
  } else if (prop_id == PROP_EXTRA_HEADERS) {
    if (new->extra_headers)
      gst_structure_free (new->extra_headers);
    new->extra_headers = g_value_dup_boxed (value);
    server = NULL;
    field = NULL;
  } else {
    field = settings_field (new, prop_id);
    g_free (*field);
    *field = g_value_dup_string (value);
    if (!is_path (prop_id))
      server = NULL;            /* nothing to re-register */
  }

  if (server && g_strcmp0 (*field, *settings_field (old, prop_id)) != 0) {
    if (prop_id == PROP_MOUNT_POINT && (*field == NULL || **field != '/')) {
      g_set_error (&err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "mount-point must be a path starting with '/', not '%s'",
          GST_STR_NULL (*field));
      ok = FALSE;
    } else {
      ok = remount (sink, server, prop_id == PROP_MOUNT_POINT,
          *settings_field (old, prop_id), *field, &err);
    }
  }
  if (ok) {
    g_mutex_lock (&sink->lock);
    /* drops the reference the sink held; old still holds ours */
    flu_http_sink_settings_unref (sink->settings);
    sink->settings = new;
    g_mutex_unlock (&sink->lock);
  } else {
    flu_http_sink_settings_unref (new);
  }
  g_mutex_unlock (&sink->mount_lock);
  flu_http_sink_settings_unref (old);
  if (!ok) {
    GST_ELEMENT_WARNING (sink, RESOURCE, SETTINGS,
        ("Cannot serve on the new path, keeping the old one: %s",
            err->message), (NULL));
    g_error_free (err);
  }
}

static void
set_string (gchar ** field, const GValue * value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

static void
flu_http_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FluHttpSink *sink = FLU_HTTP_SINK (object);
  gboolean engine_prop = FALSE, lists = FALSE;
  GError *err = NULL;

  if (prop_id >= N_PROPERTIES) {
    flu_http_icy_set_property (sink->icy, prop_id - N_PROPERTIES, value);
    return;
  }
  if (is_path (prop_id) || prop_id == PROP_EXTRA_HEADERS ||
      prop_id == PROP_PLAYER_HLS ||
      prop_id == PROP_CONTENT_TYPE || prop_id == PROP_CORS_ORIGIN ||
      prop_id == PROP_REDIRECT_ON_OVERFLOW || prop_id == PROP_REALM ||
      prop_id == PROP_TOKEN_SECRET || prop_id == PROP_CAPS_TIMEOUT ||
      prop_id == PROP_STALL_TIMEOUT || prop_id == PROP_CLIENT_LIMIT ||
      prop_id == PROP_RETRY_AFTER || prop_id == PROP_BANDWIDTH_LIMIT ||
      prop_id == PROP_MAX_PENDING_LOGINS ||
      prop_id == PROP_MAX_CLIENTS_PER_IP || prop_id == PROP_MAX_DURATION) {
    set_setting (sink, prop_id, value);
    return;
  }
  if (prop_id == PROP_HTPASSWD || prop_id == PROP_STATS_HTPASSWD) {
    set_htpasswd (sink, prop_id, value);
    return;
  }
  /* GObject does not check GST_PARAM_MUTABLE_READY: these are applied
   * only when the element goes to READY */
  if (pspec->flags & GST_PARAM_MUTABLE_READY) {
    GstState state;

    GST_OBJECT_LOCK (sink);
    state = MAX (GST_STATE (sink), GST_STATE_PENDING (sink));
    GST_OBJECT_UNLOCK (sink);
    if (state > GST_STATE_READY) {
      GST_WARNING_OBJECT (sink, "%s cannot change in %s, ignored",
          pspec->name, gst_element_state_get_name (state));
      return;
    }
  }

  g_mutex_lock (&sink->lock);
  if (flu_http_server_props_set (&sink->server_props, PROP_SERVER_FIRST,
          prop_id, value)) {
    g_mutex_unlock (&sink->lock);
    return;
  }
  switch (prop_id) {
    case PROP_IDLE_TIMEOUT:
      sink->idle_timeout = g_value_get_uint (value);
      engine_prop = TRUE;
      break;
    case PROP_BURST_ON_CONNECT:
      sink->burst_on_connect = g_value_get_boolean (value);
      engine_prop = TRUE;
      break;
    case PROP_BURST_SIZE:
      sink->burst_size = g_value_get_uint64 (value);
      engine_prop = TRUE;
      break;
    case PROP_BURST_TIME:
      sink->burst_time = g_value_get_uint64 (value);
      engine_prop = TRUE;
      break;
    case PROP_SYNC_METHOD:
      sink->sync_method = g_value_get_enum (value);
      engine_prop = TRUE;
      break;
    case PROP_RECOVER_POLICY:
      sink->recover_policy = g_value_get_enum (value);
      engine_prop = TRUE;
      break;
    case PROP_UNIT_FORMAT:
      sink->unit_format = g_value_get_enum (value);
      engine_prop = TRUE;
      break;
    case PROP_UNITS_MAX:
      sink->units_max = g_value_get_int64 (value);
      engine_prop = TRUE;
      break;
    case PROP_UNITS_SOFT_MAX:
      sink->units_soft_max = g_value_get_int64 (value);
      engine_prop = TRUE;
      break;
    case PROP_COALESCE_TIME:
      sink->coalesce_time = g_value_get_uint64 (value);
      engine_prop = TRUE;
      break;
    case PROP_INPUT_BATCH_TIME:
      sink->input_batch_time = g_value_get_uint64 (value);
      engine_prop = TRUE;
      break;
    case PROP_TIME_MIN:
      sink->time_min = g_value_get_int64 (value);
      engine_prop = TRUE;
      break;
    case PROP_BYTES_MIN:
      sink->bytes_min = g_value_get_int (value);
      engine_prop = TRUE;
      break;
    case PROP_QOS_DSCP:
      sink->qos_dscp = g_value_get_int (value);
      engine_prop = TRUE;
      break;
    case PROP_RESEND_STREAMHEADER:
      sink->resend_streamheader = g_value_get_boolean (value);
      engine_prop = TRUE;
      break;
    case PROP_SYNC:
      sink->sync = g_value_get_boolean (value);
      engine_prop = TRUE;
      break;
    case PROP_ALLOW:
      set_string (&sink->allow, value);
      lists = TRUE;
      break;
    case PROP_DENY:
      set_string (&sink->deny, value);
      lists = TRUE;
      break;
    case PROP_ACCESS_LOG_EXCLUDE:
    case PROP_IP_FILTER:
      set_string (&sink->ip_filter, value);
      lists = TRUE;
      break;
    case PROP_ACCESS_LOG:
      set_string (&sink->access_log, value);
      if (sink->server &&
          !flu_http_access_log_open (sink->log, sink->access_log, &err)) {
        g_mutex_unlock (&sink->lock);
        GST_ELEMENT_WARNING (sink, RESOURCE, OPEN_WRITE, ("%s",
                err->message), (NULL));
        g_error_free (err);
        return;
      }
      break;
    case PROP_STATS_ALLOW:
      set_string (&sink->stats_allow, value);
      lists = TRUE;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (engine_prop && sink->server)
    configure_engine (sink);
  g_mutex_unlock (&sink->lock);
  if (lists)
    reparse_lists (sink);
}

static void
flu_http_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FluHttpSink *sink = FLU_HTTP_SINK (object);
  GstStructure *s;

  if (prop_id >= N_PROPERTIES) {
    flu_http_icy_get_property (sink->icy, prop_id - N_PROPERTIES, value);
    return;
  }
  if (prop_id == PROP_STATS || prop_id == PROP_BYTES_SENT ||
      prop_id == PROP_CLIENTS_PEAK) {
    guint64 sent = 0;
    guint peak = 0;

    s = flu_http_build_stats (sink);
    gst_structure_get_uint64 (s, "bytes-sent", &sent);
    gst_structure_get_uint (s, "clients-peak", &peak);
    if (prop_id == PROP_STATS)
      g_value_take_boxed (value, s);
    else
      gst_structure_free (s);
    if (prop_id == PROP_BYTES_SENT)
      g_value_set_uint64 (value, sent);
    else if (prop_id == PROP_CLIENTS_PEAK)
      g_value_set_uint (value, peak);
    return;
  }

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
      g_value_set_string (value, sink->settings->mount_point);
      break;
    case PROP_CONTENT_TYPE:
      g_value_set_string (value, sink->settings->content_type);
      break;
    case PROP_CORS_ORIGIN:
      g_value_set_string (value, sink->settings->cors_origin);
      break;
    case PROP_EXTRA_HEADERS:
      g_value_set_boxed (value, sink->settings->extra_headers);
      break;
    case PROP_CAPS_TIMEOUT:
      g_value_set_uint (value, sink->settings->caps_timeout);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, sink->idle_timeout);
      break;
    case PROP_STALL_TIMEOUT:
      g_value_set_uint (value, sink->settings->stall_timeout);
      break;
    case PROP_BURST_ON_CONNECT:
      g_value_set_boolean (value, sink->burst_on_connect);
      break;
    case PROP_BURST_SIZE:
      g_value_set_uint64 (value, sink->burst_size);
      break;
    case PROP_BURST_TIME:
      g_value_set_uint64 (value, sink->burst_time);
      break;
    case PROP_SYNC_METHOD:
      g_value_set_enum (value, sink->sync_method);
      break;
    case PROP_RECOVER_POLICY:
      g_value_set_enum (value, sink->recover_policy);
      break;
    case PROP_UNIT_FORMAT:
      g_value_set_enum (value, sink->unit_format);
      break;
    case PROP_UNITS_MAX:
      g_value_set_int64 (value, sink->units_max);
      break;
    case PROP_UNITS_SOFT_MAX:
      g_value_set_int64 (value, sink->units_soft_max);
      break;
    case PROP_COALESCE_TIME:
      g_value_set_uint64 (value, sink->coalesce_time);
      break;
    case PROP_INPUT_BATCH_TIME:
      g_value_set_uint64 (value, sink->input_batch_time);
      break;
    case PROP_TIME_MIN:
      g_value_set_int64 (value, sink->time_min);
      break;
    case PROP_BYTES_MIN:
      g_value_set_int (value, sink->bytes_min);
      break;
    case PROP_QOS_DSCP:
      g_value_set_int (value, sink->qos_dscp);
      break;
    case PROP_RESEND_STREAMHEADER:
      g_value_set_boolean (value, sink->resend_streamheader);
      break;
    case PROP_SYNC:
      g_value_set_boolean (value, sink->sync);
      break;
    case PROP_CLIENT_LIMIT:
      g_value_set_uint (value, sink->settings->client_limit);
      break;
    case PROP_RETRY_AFTER:
      g_value_set_uint (value, sink->settings->retry_after);
      break;
    case PROP_MAX_PENDING_LOGINS:
      g_value_set_uint (value, sink->settings->max_pending_logins);
      break;
    case PROP_REDIRECT_ON_OVERFLOW:
      g_value_set_string (value, sink->settings->redirect_on_overflow);
      break;
    case PROP_BANDWIDTH_LIMIT:
      g_value_set_uint64 (value, sink->settings->bandwidth_limit);
      break;
    case PROP_MAX_CLIENTS_PER_IP:
      g_value_set_uint (value, sink->settings->max_clients_per_ip);
      break;
    case PROP_MAX_DURATION:
      g_value_set_uint (value, sink->settings->max_duration);
      break;
    case PROP_HTPASSWD:
      g_value_set_string (value, sink->settings->htpasswd);
      break;
    case PROP_REALM:
      g_value_set_string (value, sink->settings->realm);
      break;
    case PROP_ALLOW:
      g_value_set_string (value, sink->allow);
      break;
    case PROP_DENY:
      g_value_set_string (value, sink->deny);
      break;
    case PROP_ACCESS_LOG:
      g_value_set_string (value, sink->access_log);
      break;
    case PROP_ACCESS_LOG_EXCLUDE:
    case PROP_IP_FILTER:
      g_value_set_string (value, sink->ip_filter);
      break;
    case PROP_STATS_PATH:
      g_value_set_string (value, sink->settings->stats_path);
      break;
    case PROP_METRICS_PATH:
      g_value_set_string (value, sink->settings->metrics_path);
      break;
    case PROP_PLAYER_PATH:
      g_value_set_string (value, sink->settings->player_path);
      break;
    case PROP_PLAYER_HLS:
      g_value_set_string (value, sink->settings->player_hls);
      break;
    case PROP_STATUS_PATH:
      g_value_set_string (value, sink->settings->status_path);
      break;
    case PROP_STATS_ALLOW:
      g_value_set_string (value, sink->stats_allow);
      break;
    case PROP_STATS_HTPASSWD:
      g_value_set_string (value, sink->settings->stats_htpasswd);
      break;
    case PROP_CLIENTS:
      g_value_set_uint (value, flu_http_stats_clients (&sink->stats));
      break;
    case PROP_STREAM_BITRATE:
      /* as in the stats: 0 once the source is stalled or offline */
      g_value_set_uint64 (value, flu_http_stats_stream_state (&sink->stats,
              (gint64) sink->settings->stall_timeout * G_USEC_PER_SEC) ==
          FLU_HTTP_STREAM_ONLINE ?
          flu_http_stats_stream_bitrate (&sink->stats) : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&sink->lock);
}
