#!/bin/sh
# Real clients decode what fluhttpsink serves: GStreamer souphttpsrc with
# the matching demuxer and decoder, and ffprobe showing that the first
# video frame every connecting client gets is a keyframe, for WebM/VP8,
# Ogg/Theora and MPEG-TS/H.264 (x264enc: gstreamer1.0-plugins-ugly, in
# scripts/deps.d; a missing element is a skip, which scripts/test.sh fails).
. "$(dirname "$0")/lib.sh"
need fluhttpsink souphttpsrc vp8enc webmmux matroskademux vp8dec \
  theoraenc oggmux oggdemux theoradec x264enc h264parse mpegtsmux

video="videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1"
start_server webm $video ! vp8enc deadline=1 keyframe-max-dist=25 ! \
  webmmux streamable=true ! fluhttpsink port=0 mount-point=/v.webm
start_server ogg $video ! theoraenc keyframe-force=25 ! oggmux ! \
  fluhttpsink port=0 mount-point=/v.ogg
start_server ts $video ! x264enc tune=zerolatency speed-preset=ultrafast \
  key-int-max=25 ! h264parse ! mpegtsmux ! fluhttpsink port=0 \
  mount-point=/v.ts
formats="webm ogg ts"

# GStreamer clients decode frames: 4 s of decoding, counted at the sink
decode () {
  url=$1 demux=$2 dec=$3
  timeout -s INT 4 gst-launch-1.0 -v souphttpsrc location="$url" \
    is-live=true ! $demux ! $dec ! fakesink silent=false sync=false \
    >"$E2E_TMP/decode.log" 2>&1 || true
  frames=$(grep -c 'fakesink0: last-message = chain' "$E2E_TMP/decode.log" || true)
  [ "$frames" -ge 10 ] || { tail -n 20 "$E2E_TMP/decode.log" >&2; \
    fail "souphttpsrc ! $demux ! $dec decoded $frames frames from $url"; }
  echo "$demux ! $dec: $frames frames decoded in 4 s"
}
decode "http://127.0.0.1:$PORT_webm/v.webm" matroskademux vp8dec
decode "http://127.0.0.1:$PORT_ogg/v.ogg" oggdemux theoradec

# ffprobe: every client, whenever it connects, starts on a keyframe
for f in $formats; do
  eval port=\$PORT_$f
  n=1
  while [ $n -le 4 ]; do
    curl -s --max-time 2 -o "$E2E_TMP/c$n.$f" "http://127.0.0.1:$port/v.$f" || true
    [ -s "$E2E_TMP/c$n.$f" ] || fail "client $n of $f got nothing"
    k=$(first_keyframe "$E2E_TMP/c$n.$f")
    [ "$k" = 1 ] || fail "client $n of $f: first video frame key_frame=$k"
    # connect at different points of the GOP
    sleep 0.$((n * 2))
    n=$((n + 1))
  done
  echo "$f: 4 clients, each first frame a keyframe"
done
echo "http-decode: all checks passed"
