#!/bin/sh
# Every format set the role scripts offer, end to end: one producer, then
# for each set (the encoder's default, and every combination of webm, ogg
# and ts) an encoder and a streamer; each mount must give a viewer a
# stream ffprobe decodes, with video and audio, starting on a keyframe.
# The streamer serves HLS too (--hls) for the encoder's default set (its
# own TS muxer, beside /live.webm only) and for "webm ts" (from the muxer
# of /live.ts): a segment of its playlist holds audio and video starting
# on a keyframe, and the playlist has LL-HLS parts.
. "$(dirname "$0")/lib.sh"
roles="$FLU_SOURCE_ROOT/pipelines"
export FLU_BUILD_DIR="$FLU_BUILD_ROOT"
vport=$(free_port) aport=$(free_port)
start_bg producer sh "$roles/producer.sh" --video-port="$vport" \
  --audio-port="$aport" --width=160 --height=90 --feed-listen=127.0.0.1
wait_listen "$vport" && wait_listen "$aport" || \
  { cat "$E2E_TMP/producer.log" >&2; fail "producer did not listen"; }
# check_file FILE: sets streams, frames and kf of a recorded stream
check_file () {
  streams=$(ffprobe -v error -show_entries stream=codec_type \
    -of csv=p=0 "$1" 2>/dev/null | grep . | sort -u | tr '\n' ' ')
  frames=$(video_frames "$1")
  kf=$(first_keyframe "$1")
}
# file_ok: the last check_file found audio, video, 10 frames or more and a
# keyframe first (ffprobe may print "1," for a TS)
file_ok () {
  [ "$streams" = "audio video " ] && [ "${frames:-0}" -ge 10 ] && \
    [ "${kf%%,*}" = 1 ]
}
n=0
for set in default "webm" "ogg" "ts" "webm ogg" "webm ts" "ogg ts" "webm ogg ts"; do
  n=$((n + 1))
  fport=$(free_ports 6) hport=$(free_port)
  hls=""
  if [ "$set" = default ]; then
    formats="webm" hls="--hls"
    set --
  else
    formats=$set
    set -- --formats="$set"
  fi
  [ "$set" = "webm ts" ] && hls="--hls"
  start_bg enc$n sh "$roles/encoder.sh" "$@" --video-port="$vport" \
    --audio-port="$aport" --feed-port="$fport" --keyframe-seconds=1 \
    --video-bitrate=200 --feed-listen=127.0.0.1 --width=160 --height=90
  start_bg str$n sh "$roles/streamer.sh" --upstream-port="$fport" \
    --formats="$formats" --port="$hport" --relay-port= --address=127.0.0.1 \
    --hls-target-duration=1 $hls
  wait_listen "$hport" || { cat "$E2E_TMP/str$n.log" >&2; fail "streamer did not listen"; }
  for f in $formats; do
    wait_mount "http://127.0.0.1:$hport/live.$f" 15 || \
      { tail -n 20 "$E2E_TMP/enc$n.log" "$E2E_TMP/str$n.log" >&2; \
        fail "formats '$set': /live.$f never had a stream"; }
  done
  pids=""
  for f in $formats; do
    curl -s --max-time 4 -o "$E2E_TMP/$n.$f" "http://127.0.0.1:$hport/live.$f" &
    pids="$pids $!"
  done
  if [ -n "$hls" ]; then
    pl="$E2E_TMP/$n.m3u8"
    curl -s --max-time 8 -o "$pl" "http://127.0.0.1:$hport/live/index.m3u8" || true
    seg=$(grep -v '^#' "$pl" 2>/dev/null | grep . | tail -n 1)
    grep -q '^#EXT-X-PART:' "$pl" && [ -n "$seg" ] || \
      { tail -n 20 "$E2E_TMP/str$n.log" >&2; \
        fail "formats '$set' --hls: no playlist with parts and a segment"; }
    curl -s --max-time 4 -o "$E2E_TMP/$n.hls" "http://127.0.0.1:$hport/live/$seg" || true
  fi
  for p in $pids; do wait "$p" || true; done
  [ -z "$hls" ] || formats="$formats hls"
  for f in $formats; do
    file="$E2E_TMP/$n.$f"
    check_file "$file"
    if [ $f != hls ] && ! file_ok; then
      # A machine loaded far past its cores (CI runs the suites in
      # parallel) runs the encoders slower than real time: a 4 s viewer
      # then gets the burst (one keyframe) and little more.  The same
      # mount is read once more, for 12 s, before the check fails; an
      # idle machine never needs it.
      echo "formats '$set': $f: only ${frames:-0} frames in 4 s, again for 12 s"
      curl -s --max-time 12 -o "$file" "http://127.0.0.1:$hport/live.$f" || true
      check_file "$file"
    fi
    if ! file_ok; then
      tail -n 30 "$E2E_TMP/enc$n.log" >&2
      fail "formats '$set': $f has streams '$streams', ${frames:-0} frames, keyframe first: $kf"
    fi
    [ $f = hls ] && what="HLS $seg" || what="/live.$f"
    printf 'formats %-12s %-5s audio+video, %s frames, keyframe first\n' \
      "'$set'" "$what" "$frames"
  done
  eval "kill \$PID_enc$n \$PID_str$n"
done
echo "formats: every set served every mount"
