#!/bin/sh
# Container overhead of fluhlssink's two formats on the same encoded
# streams: one x264enc (640x360, 30 fps) and one voaacenc (96 kbit/s),
# each tee'd into a fluhlssink on its request pads (CMAF fMP4) and into
# mpegtsmux ! fluhlssink (MPEG-TS), plain HLS, one port.  After SECONDS
# it sums the listed segments of each and prints bytes, seconds and
# kbit/s per format, and the ratio of the bit rates TS / fMP4.  Not a test: figures only.
#
#   tests/bench/hls-fmp4-overhead.sh [BUILD_DIR] [SECONDS] [VIDEO_KBPS] [PATTERN]
# (PATTERN: videotestsrc's, ball by default; snow reaches VIDEO_KBPS)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
secs=${2:-15}
kbps=${3:-800}
pattern=${4:-ball}
export GST_PLUGIN_PATH="$build/ext/soup${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tmp=$(mktemp -d /tmp/flu-fmp4-bench.XXXXXX)
gst-launch-1.0 -q \
  fluhlssink name=f port="$port" mount-point=/f/ part-target=0 playlist-length=100 max-segments=100 \
  fluhlssink name=t port="$port" mount-point=/t/ part-target=0 playlist-length=100 max-segments=100 \
  mpegtsmux name=m ! t. \
  videotestsrc is-live=true pattern="$pattern" ! \
  video/x-raw,format=I420,width=640,height=360,framerate=30/1 ! \
  x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate="$kbps" ! \
  video/x-h264,stream-format=byte-stream ! tee name=vt \
  vt. ! queue ! h264parse ! f.video vt. ! queue ! h264parse ! m. \
  audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \
  voaacenc bitrate=96000 ! tee name=at \
  at. ! queue ! aacparse ! f.audio at. ! queue ! aacparse ! m. \
  >"$tmp/gst.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
sleep "$secs"
for k in f t; do
  curl -s "http://127.0.0.1:$port/$k/index.m3u8" >"$tmp/$k.m3u8"
  bytes=0
  for s in $(grep '^seg' "$tmp/$k.m3u8"); do
    n=$(curl -s "http://127.0.0.1:$port/$k/$s" | wc -c)
    bytes=$((bytes + n))
  done
  dur=$(sed -n 's/^#EXTINF:\([0-9.]*\),.*/\1/p' "$tmp/$k.m3u8" | paste -sd+ | bc)
  eval "r_$k=$(echo "scale=3; $bytes / $dur" | bc)"
  printf "%-5s %9d bytes in %6.2f s: %5d kbit/s\n" \
    "$([ $k = f ] && echo fMP4 || echo TS)" "$bytes" "$dur" \
    "$(echo "$bytes * 8 / $dur / 1000" | bc)"
done
echo "TS / fMP4 bit rate: $(echo "scale=3; $r_t / $r_f" | bc)"
