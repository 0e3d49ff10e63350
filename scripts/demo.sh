#!/bin/sh
# The live demo: installs what is missing, builds, and runs the real job --
# a live test source (moving ball with a clock, ticking audio) encoded to
# VP8/Vorbis WebM and served by fluhttpsink, with a small HTML page on the
# same port that plays it.  Every new viewer starts on a keyframe with a
# 2 s burst, so playback starts at once.
#
#   http://localhost:8800/            the player page (any browser)
#   http://localhost:8800/live.webm   the stream (ffplay, VLC, mpv, curl ...)
#   http://localhost:8800/stats.json  statistics; /metrics for Prometheus
#   http://localhost:8800/status      status page (viewers, bitrates, chart)
#
# Ctrl-C stops it.  PORT=NNNN picks another port.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
port=${PORT:-8800}
export GST_PLUGIN_PATH="$top/build/gst/multifd:$top/build/ext/soup${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
cat <<MSG
gst-flumotion demo: fluhttpsink serving a live VP8/Vorbis WebM stream
  player page: http://localhost:$port/
  stream:      http://localhost:$port/live.webm
  statistics:  http://localhost:$port/stats.json  http://localhost:$port/metrics
  status page: http://localhost:$port/status
Ctrl-C to stop.
MSG
exec gst-launch-1.0 -e \
  videotestsrc is-live=true pattern=ball ! \
    video/x-raw,width=640,height=360,framerate=25/1 ! \
    timeoverlay font-desc="Sans 24" ! videoconvert ! \
    vp8enc deadline=1 keyframe-max-dist=50 target-bitrate=1000000 ! \
    queue ! mux. \
  audiotestsrc is-live=true wave=ticks ! audioconvert ! audioresample ! \
    vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port="$port" mount-point=/live.webm player-path=/ \
    stats-path=/stats.json metrics-path=/metrics status-path=/status \
    burst-on-connect=true burst-time=2000000000
