#!/bin/sh
# CI smoke test of the README's first command, ./scripts/demo.sh: started
# on a port chosen now (without its apt/build step, on this build), it
# must serve /live.webm with video and audio starting on a keyframe, the
# HLS playlist /live/index.m3u8 (LL-HLS parts) whose segments hold H.264
# and AAC starting on a keyframe, and answer 200 on /, /status,
# /stats.json and /metrics; then SIGINT must end it with status 0 and no
# process left.
. "$(dirname "$0")/lib.sh"
port=$(free_port)
export FLU_BUILD_DIR="$FLU_BUILD_ROOT" FLU_DEMO_SETUP=0
start_bg demo "$FLU_SOURCE_ROOT/scripts/demo.sh" --port="$port"
wait_listen "$port" 20 || { cat "$E2E_TMP/demo.log" >&2; fail "demo did not listen on $port"; }
curl -s --max-time 4 -o "$E2E_TMP/live.webm" "http://127.0.0.1:$port/live.webm" || true
streams=$(ffprobe -v error -show_entries stream=codec_type,codec_name \
  -of csv=p=0 "$E2E_TMP/live.webm" | sort | tr '\n' ' ')
case $streams in
  *audio*video*) ;;
  *) cat "$E2E_TMP/demo.log" >&2; fail "live.webm streams: '$streams'" ;;
esac
[ "$(first_keyframe "$E2E_TMP/live.webm")" = 1 ] || fail "live.webm does not start on a keyframe"
frames=$(video_frames "$E2E_TMP/live.webm")
[ "${frames:-0}" -ge 25 ] || fail "live.webm: ${frames:-0} frames decoded in 4 s"
# HLS beside WebM: the playlist (the first answer waits for the first
# segment) and its newest complete segment
grep -q "live/index.m3u8" "$E2E_TMP/demo.log" || fail "the demo does not say where HLS is"
curl -s --max-time 10 -o "$E2E_TMP/index.m3u8" "http://127.0.0.1:$port/live/index.m3u8" || true
grep -q '^#EXTM3U' "$E2E_TMP/index.m3u8" || fail "no HLS playlist at /live/index.m3u8"
grep -q '^#EXT-X-PART:' "$E2E_TMP/index.m3u8" || fail "the HLS playlist has no LL-HLS parts"
seg=$(grep -v '^#' "$E2E_TMP/index.m3u8" | grep . | tail -n 1)
[ -n "$seg" ] || fail "the HLS playlist lists no segment"
curl -s --max-time 5 -o "$E2E_TMP/seg.ts" "http://127.0.0.1:$port/live/$seg" || true
hls=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 \
  "$E2E_TMP/seg.ts" | grep . | sort -u | tr '\n' ' ')
[ "$hls" = "aac h264 " ] || fail "HLS segment $seg streams: '$hls'"
kf=$(first_keyframe "$E2E_TMP/seg.ts")
[ "${kf%%,*}" = 1 ] || fail "HLS segment $seg does not start on a keyframe"
for p in / /status /stats.json /metrics; do
  code=$(status "http://127.0.0.1:$port$p")
  [ "$code" = 200 ] || fail "GET $p answered $code"
done
curl -s --max-time 3 "http://127.0.0.1:$port/stats.json" | grep -q live.webm || \
  fail "stats.json does not list /live.webm"
# the demo's own process (demo.sh execs gst-launch-1.0) and its children
children=$(pgrep -P "$PID_demo" || true)
kill -INT "$PID_demo"
i=0
while kill -0 "$PID_demo" 2>/dev/null && [ $i -lt 100 ]; do
  sleep 0.1
  i=$((i + 1))
done
kill -0 "$PID_demo" 2>/dev/null && fail "demo still runs 10 s after SIGINT"
rc=0
wait "$PID_demo" || rc=$?
[ $rc = 0 ] || { tail -n 20 "$E2E_TMP/demo.log" >&2; fail "demo exited with $rc after SIGINT"; }
for c in $children; do
  kill -0 "$c" 2>/dev/null && fail "process $c of the demo left behind"
done
if pgrep -f "fluhttpsink port=$port" >/dev/null; then
  fail "a demo pipeline on port $port is left"
fi
ss -Hltn "sport = :$port" | grep -q . && fail "port $port still listened on"
echo "demo: $streams; keyframe first, $frames frames in 4 s; HLS $seg: $hls;" \
  "/, /status," \
  "/stats.json, /metrics 200; SIGINT: exit 0, nothing left"
