#!/bin/sh
# The live demo: installs what is missing, builds, and serves a live test
# stream (VP8 WebM, 640x360, a clock burned in) to every viewer that
# connects to port 8800, through flumultifdsink with keyframe-aware burst,
# so each new viewer starts on a keyframe at once.
#
# Watch it with any of:
#   chromium http://localhost:8800/live.webm
#   ffplay http://localhost:8800/live.webm
#   gst-launch-1.0 souphttpsrc location=http://localhost:8800/live.webm ! decodebin ! autovideosink
# Ctrl-C stops it.  PORT=NNNN picks another port.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
port=${PORT:-8800}
export GST_PLUGIN_PATH="$top/build/gst/multifd${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
echo "gst-flumotion demo: live stream on http://localhost:$port/live.webm (Ctrl-C to stop)"
exec ./build/tests/bench/flu-fanout-server --http --port "$port" \
  --sink flumultifdsink --set sync-method=burst-keyframe \
  --set burst-format=time --set burst-value=2000000000 \
  --pipeline "videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=25/1 ! timeoverlay font-desc=\"Sans 24\" ! videoconvert ! vp8enc deadline=1 keyframe-max-dist=50 target-bitrate=1000000 ! webmmux streamable=true"
