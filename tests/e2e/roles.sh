#!/bin/sh
# The role scripts of pipelines/ as separate processes on ephemeral ports:
# producer (test pattern + audio) -> encoder (overlay, VP8/Vorbis WebM) ->
# streamer (fluhttpsink, relay feed) -> recorder (2 s files).  Three HTTP
# viewers connecting at different times must each get a stream ffprobe
# decodes, starting on a keyframe; the recorder must write several
# files that decode and start on a keyframe.  All feeds use a secret.
. "$(dirname "$0")/lib.sh"
need fluhttpsink fluoverlay vp8enc vorbisenc webmmux splitmuxsink \
  matroskademux jpegenc
command -v ffprobe >/dev/null || fail "ffprobe missing (scripts/deps.d: ffmpeg)"
command -v ss >/dev/null || fail "ss missing (scripts/deps.d: iproute2)"
roles="$FLU_SOURCE_ROOT/pipelines"
export FLU_BUILD_DIR="$FLU_BUILD_ROOT"

# with the feed plugin, every feed is authenticated with one secret
if gst-inspect-1.0 flufeedsrc >/dev/null 2>&1; then
  export SECRET=e2e-roles-secret
fi

vport=$(free_port) aport=$(free_port) fport=$(free_ports 6)
hport=$(free_port) rport=$(free_port)
start_bg producer sh "$roles/producer.sh" --video-port="$vport" \
  --audio-port="$aport" --width=320 --height=180 --feed-listen=127.0.0.1
wait_listen "$vport" && wait_listen "$aport" || \
  { cat "$E2E_TMP/producer.log" >&2; fail "producer did not listen"; }
start_bg encoder sh "$roles/encoder.sh" --video-port="$vport" \
  --audio-port="$aport" --formats=webm --feed-port="$fport" \
  --keyframe-seconds=1 --video-bitrate=300 --feed-listen=127.0.0.1 \
  --width=320 --height=180
wait_listen "$fport" || \
  { cat "$E2E_TMP/encoder.log" >&2; fail "encoder did not listen"; }
start_bg streamer sh "$roles/streamer.sh" --upstream-port="$fport" \
  --formats=webm --port="$hport" --relay-port="$rport" \
  --access-log="$E2E_TMP/access.log" --address=127.0.0.1
wait_listen "$hport" && wait_listen "$rport" || \
  { cat "$E2E_TMP/streamer.log" >&2; fail "streamer did not listen"; }
# the recorder reads the relay feed; the stock GDP feeds (until gst/feed
# is built) start readers mid-cluster, so then it reads the HTTP mount
if gst-inspect-1.0 flufeedsrc >/dev/null 2>&1; then
  from="--from=relay --upstream-port=$rport"
else
  from="--url=http://127.0.0.1:$hport/live.webm"
fi
# shellcheck disable=SC2086
start_bg recorder sh "$roles/recorder.sh" $from --dir="$E2E_TMP/rec" \
  --segment=2

for n in 1 2 3; do
  curl -s --max-time 3 -o "$E2E_TMP/view$n.webm" \
    "http://127.0.0.1:$hport/live.webm" || true
  [ "$(first_keyframe "$E2E_TMP/view$n.webm")" = 1 ] || \
    { cat "$E2E_TMP"/*.log >&2; fail "viewer $n did not start on a keyframe"; }
  frames=$(video_frames "$E2E_TMP/view$n.webm")
  [ "${frames:-0}" -ge 10 ] || fail "viewer $n decoded ${frames:-0} frames"
  echo "viewer $n: keyframe first, $frames frames"
done
grep -q '"GET /live.webm HTTP/1.1" 200' "$E2E_TMP/access.log" || \
  fail "no access log line"
curl -s --max-time 3 "http://127.0.0.1:$hport/" | grep -q 'format=json' || \
  fail "streamer has no status page"

kill -INT "$PID_recorder" 2>/dev/null || { cat "$E2E_TMP/recorder.log" >&2; fail "recorder died"; }
wait "$PID_recorder" || true
set -- "$E2E_TMP"/rec/rec-*-000*.webm
[ $# -ge 2 ] || { cat "$E2E_TMP/recorder.log" >&2; \
  fail "recorder wrote $# files in 9 s of 2 s segments"; }
for f in "$@"; do
  [ "$(first_keyframe "$f")" = 1 ] || fail "$f does not start on a keyframe"
done
echo "roles: 3 viewers start on keyframes; recorder wrote $# files"
