#!/bin/sh
# Real clients read what fluhlssink serves: ffprobe and ffmpeg read the
# LL-HLS playlist over HTTP and decode video (the first frame a
# keyframe), GStreamer playbin and souphttpsrc ! hlsdemux decode it, and
# our conformance checker (hls-check.py) follows the LL-HLS and the plain
# HLS playlists with blocking reloads.  fluhlssink shares its port with a
# fluhttpsink serving the same stream progressively.
. "$(dirname "$0")/lib.sh"
need fluhlssink fluhttpsink x264enc mpegtsmux tee playbin souphttpsrc \
  hlsdemux tsdemux h264parse openh264dec
if ! command -v ffprobe >/dev/null || ! command -v ffmpeg >/dev/null; then
  echo "SKIP: ffprobe/ffmpeg missing"
  exit 77
fi
here=$(dirname "$0")
# the checker catches broken playlists and non-IDR starts
python3 "$here/hls-check.py" --self-test 2>/dev/null || fail "hls-check self-test"

# constrained baseline: openh264dec (the decoder bookworm has besides
# ffmpeg's) decodes no more
video_raw="videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=240,framerate=30/1"
video="$video_raw ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! video/x-h264,profile=constrained-baseline ! mpegtsmux"
port=@PORT@ # start_server picks it
start_server ll $video ! tee name=t \
  t. ! queue ! fluhlssink port="$port" mount-point=/room1/ \
  t. ! queue ! fluhttpsink port="$port" mount-point=/live.ts
port=$PORT_ll
start_server plain $video ! fluhlssink port=0 mount-point=/room2/ part-target=0
ll="http://127.0.0.1:$PORT_ll/room1/index.m3u8"
plain="http://127.0.0.1:$PORT_plain/room2/index.m3u8"

# one port, two elements: the progressive stream answers beside HLS
curl -s --max-time 2 -o "$E2E_TMP/live.ts" "http://127.0.0.1:$PORT_ll/live.ts" || true
[ -s "$E2E_TMP/live.ts" ] || fail "fluhttpsink on the shared port sent nothing"
[ "$(status "$ll")" = 200 ] || fail "playlist: $(status "$ll")"
echo "one port: fluhttpsink /live.ts and fluhlssink /room1/ both answer"

# ffprobe / ffmpeg over HTTP
k=$(first_keyframe "$ll")
k=${k%%,*}
[ "$k" = 1 ] || fail "ffprobe: first video frame of $ll key_frame=$k"
frames=$(timeout 30 ffmpeg -v error -i "$ll" -frames:v 60 -f null - \
  -progress pipe:1 2>"$E2E_TMP/ffmpeg.err" | sed -n 's/^frame=//p' | tail -n 1)
[ "${frames:-0}" -ge 60 ] || { cat "$E2E_TMP/ffmpeg.err" >&2; \
  fail "ffmpeg decoded ${frames:-0} frames of $ll"; }
echo "ffprobe: first frame a keyframe; ffmpeg: $frames frames decoded"

# GStreamer: playbin, and souphttpsrc ! hlsdemux
count_frames () {
  n=$(grep -c 'last-message = chain' "$E2E_TMP/gst.log" || true)
  [ "$n" -ge 30 ] || { tail -n 20 "$E2E_TMP/gst.log" >&2; \
    fail "$1 decoded $n frames"; }
  echo "$1: $n frames decoded in 10 s"
}
timeout -s INT 10 gst-launch-1.0 -v playbin uri="$ll" \
  video-sink="fakesink silent=false sync=false" audio-sink=fakesink \
  >"$E2E_TMP/gst.log" 2>&1 || true
count_frames playbin
timeout -s INT 10 gst-launch-1.0 -v souphttpsrc location="$ll" ! hlsdemux ! \
  tsdemux ! h264parse ! openh264dec ! fakesink silent=false sync=false \
  >"$E2E_TMP/gst.log" 2>&1 || true
count_frames "souphttpsrc ! hlsdemux"

# conformance, LL-HLS and plain
python3 "$here/hls-check.py" "$ll" 12 || fail "LL-HLS conformance"
python3 "$here/hls-check.py" "$plain" 8 --plain || fail "HLS conformance"

# video and AAC audio in one TS: segments still cut on video keyframes
if gst-inspect-1.0 voaacenc >/dev/null 2>&1; then
  start_server av mpegtsmux name=m ! fluhlssink port=0 mount-point=/av/ \
    $video_raw ! x264enc tune=zerolatency speed-preset=ultrafast \
    key-int-max=30 ! m. audiotestsrc is-live=true ! voaacenc ! aacparse ! m.
  av="http://127.0.0.1:$PORT_av/av/index.m3u8"
  python3 "$here/hls-check.py" "$av" 6 || fail "LL-HLS conformance, A/V"
  codecs=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 \
    "$av" | grep . | sort -u | tr '\n' ' ')
  [ "$codecs" = "aac h264 " ] || fail "ffprobe sees '$codecs' in $av"
  echo "A/V: conformance passed, ffprobe sees $codecs"
else
  echo "note: voaacenc missing, A/V not tested"
fi
echo "hls: all checks passed"
