#!/bin/sh
# The role scripts with a backup: producer.sh -> encoder.sh --backup=slate.
# The encoder starts before the producer: it plays the slate at once (its
# decodebin waiting for the producer kept the whole pipeline from playing,
# and its compositor, having started on its own at 0, went back to 0 at
# the switch's first frame: "non monotonically increasing dts"); the
# producer comes: both switches of the encoder (video, and audio following
# it) move to it.  The producer is killed with -9: they move to the slate;
# restarted: back to the producer.  A reader of the encoder's VP8 feed (the
# encoder publishes elementary streams, muxed by whoever reads them)
# records throughout: the recording has monotonic timestamps and decodes
# without error, and the encoder posts no error.
. "$(dirname "$0")/lib.sh"
need fluswitch flufeedsink flufeedsrc fluoverlay vp8enc vorbisenc webmmux \
  jpegenc
command -v ffmpeg >/dev/null || \
  fail "ffmpeg missing (scripts/deps.d: ffmpeg; ./scripts/install-deps.sh)"
command -v ss >/dev/null || \
  fail "ss missing (scripts/deps.d: iproute2; ./scripts/install-deps.sh)"
roles="$FLU_SOURCE_ROOT/pipelines"
export FLU_BUILD_DIR="$FLU_BUILD_ROOT"

# the encoder's WebM feeds: fport and fport + 1
vport=$(free_port) aport=$(free_port) fport=$(free_ports 2)
producer () {
  start_bg producer sh "$roles/producer.sh" --video-port="$vport" \
    --audio-port="$aport" --width=320 --height=180 --feed-listen=127.0.0.1
  wait_listen "$vport" && wait_listen "$aport" || \
    { cat "$E2E_TMP/producer.log" >&2; fail "producer did not listen"; }
}
start_bg encoder sh "$roles/encoder.sh" --video-port="$vport" \
  --audio-port="$aport" --formats=webm --feed-port="$fport" \
  --keyframe-seconds=1 --video-bitrate=300 --feed-listen=127.0.0.1 \
  --width=320 --height=180 --backup=slate --backup-timeout=1000 \
  --backup-recovery=1000 --verbose=1
wait_listen "$fport" || \
  { cat "$E2E_TMP/encoder.log" >&2; fail "encoder did not listen"; }
log="$E2E_TMP/encoder.log"
start_bg reader gst-launch-1.0 -e flufeedsrc hosts="127.0.0.1:$fport" ! \
  webmmux streamable=true ! filesink location="$E2E_TMP/capture.webm"

# wait_active SWITCH PAD N SECONDS: the N-th notification of SWITCH's
# active-pad naming PAD
wait_active () {
  i=0
  while [ $i -lt $(($4 * 10)) ]; do
    n=$(grep -c "FluSwitch:$1: active-pad = .*$2" "$log" || true)
    [ "$n" -ge "$3" ] && return 0
    sleep 0.1
    i=$((i + 1))
  done
  grep 'active-pad\|ERROR' "$log" >&2 || true
  return 1
}
# both PAD N SECONDS WHAT: the video switch's N-th move to PAD within
# SECONDS, and the audio's after it; then 2 s on it
both () {
  wait_active vsw "$1" "$2" "$3" || fail "the video did not $4"
  wait_active asw "$1" "$2" 5 || fail "the audio did not $4"
  echo "video and audio: $4"
  sleep 2
}
both sink_1 1 15 "start on the slate (no producer yet)"
producer
both sink_0 1 20 "move to the producer"
echo "kill -9 the producer"
kill -9 "$PID_producer"
both sink_1 2 15 "move to the slate"
producer
both sink_0 2 20 "move back to the producer"
! grep -q '^ERROR' "$log" || { grep -A4 '^ERROR' "$log" >&2; \
  fail "the encoder posted an error"; }
kill -INT "$PID_reader" 2>/dev/null || true
wait "$PID_reader" 2>/dev/null || true
cap="$E2E_TMP/capture.webm"
[ -s "$cap" ] || fail "the reader recorded nothing"
span=$(check_recording "$cap" "the recording" v)
echo "the recording: monotonic, decodes without error, $(video_frames "$cap")" \
  "frames over $span s"
echo "switch-roles: all checks passed"
