#!/bin/sh
# The live demo: installs what is missing, builds, and runs the real job --
# a live test source (moving ball) with a caption and a wall clock drawn
# by our fluoverlay, ticking audio, encoded to VP8/Vorbis WebM and served
# by our fluhttpsink, with a player page and the status page on the same
# port.  Every new viewer starts on a keyframe with a 2 s burst, so
# playback starts at once.  The same picture and sound also go out as
# H.264/AAC HLS with Low-Latency HLS parts, served from memory by our
# fluhlssink on the same port (iOS/Safari natively, hls.js, ffplay, VLC).
#
#   http://localhost:8800/            the player page (any browser)
#   http://localhost:8800/live.webm   the stream (ffplay, VLC, mpv, curl ...)
#   http://localhost:8800/live/index.m3u8   the HLS / LL-HLS playlist
#   http://localhost:8800/stats.json  statistics; /metrics for Prometheus
#   http://localhost:8800/status      status page (viewers, bitrates, chart)
#
# Usage: scripts/demo.sh [--port=8800] [--text="gst-flumotion demo"]
#   --port=N (or PORT=N)      HTTP port, default 8800
#   --text=T (or TEXT=T)      caption (Pango markup)
#   FLU_BUILD_DIR=DIR         build directory (default build/ of the tree)
#   FLU_DEMO_SETUP=0          skip the apt step and the build (already built)
# Ctrl-C stops it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
port=${PORT:-8800}
text=${TEXT-gst-flumotion demo}
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    --port=*) port=${1#*=} ;;
    --port) [ $# -ge 2 ] || { echo "demo.sh: --port needs a value" >&2; exit 1; }
      port=$2; shift ;;
    --text=*) text=${1#*=} ;;
    --text) [ $# -ge 2 ] || { echo "demo.sh: --text needs a value" >&2; exit 1; }
      text=$2; shift ;;
    *) echo "demo.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
  shift
done
case $port in
  '' | *[!0-9]*) echo "demo.sh: --port needs a number, got '$port'" >&2; exit 1 ;;
esac
build=${FLU_BUILD_DIR:-$top/build}
if [ "${FLU_DEMO_SETUP:-1}" != 0 ]; then
  "$top/scripts/install-deps.sh"
  [ -d "$build" ] || meson setup "$build" "$top"
  ninja -C "$build"
fi
for d in gst/multifd ext/soup ext/overlay; do
  [ -d "$build/$d" ] || { echo "demo.sh: $build/$d missing: build first" >&2; exit 1; }
  GST_PLUGIN_PATH="$build/$d${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
done
export GST_PLUGIN_PATH
cat <<MSG
gst-flumotion demo: fluoverlay + fluhttpsink serving a live VP8/Vorbis WebM stream,
and fluhlssink the same as H.264/AAC HLS (Low-Latency HLS parts)
  player page: http://localhost:$port/
  stream:      http://localhost:$port/live.webm
  HLS:         http://localhost:$port/live/index.m3u8  (Safari, hls.js, ffplay, VLC)
  statistics:  http://localhost:$port/stats.json  http://localhost:$port/metrics
  status page: http://localhost:$port/status
Ctrl-C to stop.
MSG
# the caption is handed to fluoverlay as one argument (no shell or
# GStreamer syntax in it is interpreted: quotes and backslashes escaped)
caption=$(printf '%s' "$text" | sed 's/[\\"]/\\\\&/g')
# one picture and one sound, encoded twice: VP8/Vorbis WebM for the
# progressive mount, H.264 (x264enc tune=zerolatency, a keyframe every
# 2 s = fluhlssink's target duration)/AAC in MPEG-TS for HLS
exec gst-launch-1.0 -e \
  videotestsrc is-live=true pattern=ball ! \
    video/x-raw,width=640,height=360,framerate=25/1 ! \
    fluoverlay "text=\"$caption\"" clock-format=%H:%M:%S \
      font-desc="Sans Bold 24" ! tee name=v \
  v. ! queue ! videoconvert ! \
    vp8enc deadline=1 cpu-used=8 keyframe-max-dist=50 target-bitrate=1000000 ! \
    queue ! mux. \
  audiotestsrc is-live=true wave=ticks ! tee name=a \
  a. ! queue ! audioconvert ! audioresample ! vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port="$port" mount-point=/live.webm player-path=/ \
    stats-path=/stats.json metrics-path=/metrics status-path=/status \
    burst-on-connect=true burst-time=2000000000 \
  v. ! queue ! videoconvert ! video/x-raw,format=I420 ! \
    x264enc tune=zerolatency speed-preset=veryfast key-int-max=50 \
      bitrate=1000 ! h264parse ! queue ! ts. \
  a. ! queue ! audioconvert ! audioresample ! voaacenc ! aacparse ! \
    queue ! ts. \
  mpegtsmux name=ts ! \
  fluhlssink port="$port" mount-point=/live/ target-duration=2
