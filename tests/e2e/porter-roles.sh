#!/bin/sh
# The conference of pipelines/README.md ("One port for a conference"), as
# the role scripts run it: producer.sh -> encoder.sh --backup=slate; a
# flu-porter; two streamer.sh behind it, room A (--mount-prefix=/roomA,
# WebM) and room B (--mount-prefix=/roomB, WebM, --hls, --ondemand of a
# recording made beforehand).  Through the porter's one port: room A's
# WebM decodes, room B's HLS playlist and a segment (H.264) too, room B's
# recordings are listed and a byte range of one is exact; the producer
# killed: the viewers get the slate (the encoder's video switch moves);
# kill -9 of room A's streamer: its paths 404 (from the porter), room B
# keeps serving, live and on demand.  Both rooms read one encoder here
# (cheaper); the README's deployment has one encoder per room.
. "$(dirname "$0")/lib.sh"
need fluhttpsink fluhlssink fluondemand fluswitch flufeedsink flufeedsrc \
  fluoverlay vp8enc vorbisenc webmmux jpegenc x264enc mpegtsmux
roles="$FLU_SOURCE_ROOT/pipelines"
export FLU_BUILD_DIR="$FLU_BUILD_ROOT"
PORTER=${FLU_PORTER:-$FLU_BUILD_ROOT/tools/porter/flu-porter}
[ -x "$PORTER" ] || fail "no flu-porter at $PORTER"

# yesterday's talk: a small WebM, as recorder.sh names its files
rec="$E2E_TMP/rec"
mkdir -p "$rec"
talk=roomB-20261201-100000-00000.webm
gst-launch-1.0 -q videotestsrc num-buffers=20 ! \
  video/x-raw,width=160,height=120,framerate=10/1 ! vp8enc deadline=1 ! \
  webmmux ! filesink location="$rec/$talk" >/dev/null \
  || fail "cannot make the recording"

umask 077
secret="porter-roles-$$-Qx7"
printf '%s\n' "$secret" > "$E2E_TMP/porter.secret"
sock="$E2E_TMP/porter.sock"
vport=$(free_port) aport=$(free_port) fport=$(free_ports 6)

start_bg producer sh "$roles/producer.sh" --video-port="$vport" \
  --audio-port="$aport" --width=320 --height=180 --feed-listen=127.0.0.1
start_bg encoder sh "$roles/encoder.sh" --video-port="$vport" \
  --audio-port="$aport" --feed-port="$fport" --feed-listen=127.0.0.1 \
  --width=320 --height=180 --keyframe-seconds=1 --video-bitrate=300 \
  --backup=slate --verbose=1
start_bg porter "$PORTER" --port 0 --address 127.0.0.1 --socket "$sock" \
  --secret-file "$E2E_TMP/porter.secret"
i=0
port=""
while [ -z "$port" ]; do
  i=$((i + 1))
  [ $i -lt 50 ] || fail "porter did not start: $(cat "$E2E_TMP/porter.log")"
  sleep 0.1
  port=$(sed -n 's/.* port \([0-9][0-9]*\), streamers on .*/\1/p' \
    "$E2E_TMP/porter.log")
done
base="http://127.0.0.1:$port"

# room A: WebM; room B: WebM, HLS and yesterday's talks
behind="--porter=$sock --porter-secret-file=$E2E_TMP/porter.secret"
# shellcheck disable=SC2086
start_bg roomA sh "$roles/streamer.sh" --upstream-port="$fport" \
  --formats=webm --relay-port= $behind --mount-prefix=/roomA
# shellcheck disable=SC2086
start_bg roomB sh "$roles/streamer.sh" --upstream-port="$fport" \
  --formats=webm --relay-port= $behind --mount-prefix=/roomB \
  --hls --hls-target-duration=1 --ondemand="$rec"

wait_mount "$base/roomA/live.webm" 30 || \
  { tail -n 20 "$E2E_TMP/roomA.log" >&2; fail "/roomA/live.webm never came"; }
wait_mount "$base/roomB/live.webm" 20 || fail "/roomB/live.webm never came"

# decodes URL: 2 s of a WebM through the porter, without a decoding
# error, nor two frames of one timestamp (the encoder's compositor and
# audiomixer no longer go back to 0 at the switch's first frame:
# start-time-selection=first, pipelines/encoder.sh)
decodes () {
  ffmpeg -v error -rw_timeout 5000000 -t 2 -i "$1" -f null - \
    >"$E2E_TMP/ffmpeg.err" 2>&1 || return 1
  [ ! -s "$E2E_TMP/ffmpeg.err" ]
}
# the encoder on the producer (not the slate it starts on)
i=0
while ! grep -q 'FluSwitch:vsw: active-pad = .*sink_0' "$E2E_TMP/encoder.log"; do
  i=$((i + 1))
  [ $i -lt 60 ] || fail "the encoder never showed the producer"
  sleep 0.25
done
decodes "$base/roomA/live.webm" || \
  { cat "$E2E_TMP/ffmpeg.err" >&2; tail -n 5 "$E2E_TMP/roomA.log" >&2; fail "/roomA/live.webm does not decode"; }
echo "room A: /roomA/live.webm decodes through port $port"

# room B's HLS: the playlist, and its newest segment is H.264
i=0
while ! curl -s --max-time 2 "$base/roomB/live/index.m3u8" \
    -o "$E2E_TMP/index.m3u8" || ! grep -q '^#EXTINF' "$E2E_TMP/index.m3u8"; do
  i=$((i + 1))
  [ $i -lt 60 ] || fail "no HLS segment at /roomB/live/index.m3u8"
  sleep 0.25
done
seg=$(grep -v '^#' "$E2E_TMP/index.m3u8" | grep . | tail -n 1)
curl -s --max-time 5 -o "$E2E_TMP/seg.ts" "$base/roomB/live/$seg" \
  || fail "segment $seg"
codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name \
  -of csv=p=0 "$E2E_TMP/seg.ts" | head -n 1)
[ "$codec" = h264 ] || fail "segment $seg: '$codec', not h264"
echo "room B: /roomB/live/index.m3u8 and $seg (h264)"

# room B's recordings: the listing, a byte range, and it decodes over HTTP
od_checks () {
  curl -s --max-time 5 "$base/roomB/recordings/" | grep -q "$talk" \
    || fail "$talk not in /roomB/recordings/"
  code=$(curl -s -o "$E2E_TMP/range" -w '%{http_code}' -r 100-599 \
    --max-time 5 "$base/roomB/recordings/$talk")
  [ "$code" = 206 ] || fail "range request: $code"
  dd if="$rec/$talk" bs=100 skip=1 count=5 2>/dev/null | \
    cmp -s - "$E2E_TMP/range" || fail "range bytes differ"
  [ "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 \
    "$base/roomB/recordings/$talk" | head -n 1)" = vp8 ] \
    || fail "ffprobe of the recording over HTTP"
}
od_checks
echo "room B: /roomB/recordings/ lists $talk, a range is byte-exact"

# the producer dies: the encoder shows the slate, the rooms go on
kill -9 "$PID_producer"
i=0
while ! grep -q 'FluSwitch:vsw: active-pad = .*sink_1' "$E2E_TMP/encoder.log"; do
  i=$((i + 1))
  [ $i -lt 60 ] || fail "the encoder did not switch to the slate"
  sleep 0.25
done
decodes "$base/roomA/live.webm" || \
  { cat "$E2E_TMP/ffmpeg.err" >&2; fail "room A on the slate"; }
echo "producer killed: the slate, room A still decodes"

# kill -9 of room A's streamer: its paths go (404 from the porter), room
# B is untouched
kill -9 "$PID_roomA"
i=0
while [ "$(status "$base/roomA/live.webm" -I)" != 404 ]; do
  i=$((i + 1))
  [ $i -lt 40 ] || fail "/roomA/live.webm still routed after kill -9"
  sleep 0.25
done
decodes "$base/roomB/live.webm" || \
  { cat "$E2E_TMP/ffmpeg.err" >&2; fail "room B after room A died"; }
[ "$(status "$base/roomB/live/index.m3u8")" = 200 ] || fail "room B's HLS"
od_checks
echo "room A killed: 404 there, room B serves live and on demand"

if grep -q -e "$secret" "$E2E_TMP"/*.log; then
  fail "the secret is in a log"
fi
echo "porter-roles: all checks passed"
