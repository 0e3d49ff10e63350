#!/bin/sh
# An encoder restart is invisible downstream.  producer -> encoder (WebM
# and MPEG-TS) -> streamer, and two recorders (WebM, MPEG-TS, 4 s files)
# reading the encoder's feeds; one viewer per mount for the whole run.
# The encoder is stopped with Ctrl-C (SIGINT) and started again, twice.
# Then: each viewer's capture and each recording has monotonic video and
# audio timestamps and decodes without error, the viewers' video goes on
# past the restarts, the recorders were still running at the end and
# every file is finalised (its duration known), and the streamer's status
# page counts both restarts on each mount.
. "$(dirname "$0")/lib.sh"
roles="$FLU_SOURCE_ROOT/pipelines"
export FLU_BUILD_DIR="$FLU_BUILD_ROOT"
gst-inspect-1.0 x264enc >/dev/null 2>&1 || \
  fail "x264enc missing (gstreamer1.0-plugins-ugly, scripts/deps.d)"
vport=$(free_port) aport=$(free_port) fport=$(free_ports 6) hport=$(free_port)
start_bg producer sh "$roles/producer.sh" --video-port="$vport" \
  --audio-port="$aport" --width=160 --height=90 --feed-listen=127.0.0.1
wait_listen "$vport" && wait_listen "$aport" || \
  { cat "$E2E_TMP/producer.log" >&2; fail "producer did not listen"; }
start_encoder () {
  start_bg encoder sh "$roles/encoder.sh" --video-port="$vport" \
    --audio-port="$aport" --formats="webm ts" --feed-port="$fport" \
    --keyframe-seconds=1 --video-bitrate=200 --feed-listen=127.0.0.1 \
    --width=160 --height=90
  wait_listen "$fport" && wait_listen $((fport + 5)) || \
    { cat "$E2E_TMP/encoder.log" >&2; fail "encoder did not listen"; }
}
# stop PID: SIGINT, as Ctrl-C; the process must be gone within 5 s
stop () {
  kill -INT "$1" 2>/dev/null || return 1
  i=0
  while kill -0 "$1" 2>/dev/null; do
    [ $i -lt 50 ] || { kill "$1"; fail "process $1 still runs 5 s after SIGINT"; }
    sleep 0.1
    i=$((i + 1))
  done
  wait "$1" 2>/dev/null || true
}
start_encoder
start_bg streamer sh "$roles/streamer.sh" --upstream-port="$fport" \
  --formats="webm ts" --port="$hport" --relay-port= --address=127.0.0.1
for f in webm ts; do
  start_bg rec$f sh "$roles/recorder.sh" --upstream-port="$fport" \
    --format=$f --dir="$E2E_TMP/rec-$f" --segment=4
done
for f in webm ts; do
  wait_mount "http://127.0.0.1:$hport/live.$f" 15 || \
    { tail -n 20 "$E2E_TMP/streamer.log" >&2; fail "/live.$f never had a stream"; }
done
for f in webm ts; do
  curl -s --max-time 22 -o "$E2E_TMP/view.$f" "http://127.0.0.1:$hport/live.$f" &
  eval "PID_view$f=\$!"
done
for n in 1 2; do
  sleep 6
  stop "$PID_encoder" || fail "the encoder died by itself"
  echo "encoder restart $n"
  start_encoder
done
wait "$PID_viewwebm" "$PID_viewts" || true
# the streamer's status page marks the restarts of each mount
curl -s --max-time 5 "http://127.0.0.1:$hport/?format=json" >"$E2E_TMP/status.json" || \
  fail "no status page on the streamer"
python3 - "$E2E_TMP/status.json" <<'PY' || fail "the status page does not mark the encoder restarts"
import json, sys
streams = json.load(open(sys.argv[1]))["streams"]
for s in streams:
    print("status %s: restarts %s, last %s" % (s["mount"], s.get("restarts"),
                                               s.get("last-restart-time")))
sys.exit(0 if streams and all(s.get("restarts", 0) >= 2 and
                              s.get("last-restart-time") for s in streams)
         else 1)
PY
for f in webm ts; do
  eval "pid=\$PID_rec$f"
  kill -0 "$pid" 2>/dev/null || { tail -n 20 "$E2E_TMP/rec$f.log" >&2; \
    fail "the $f recorder exited during the run"; }
  stop "$pid"
done

for f in webm ts; do
  span=$(check_recording "$E2E_TMP/view.$f" "viewer of /live.$f")
  # 22 s of viewing, two outages of about a second each
  awk -v s="$span" 'BEGIN { exit !(s >= 14) }' || \
    fail "viewer of /live.$f: video spans only $span s of 22 (stopped at a restart?)"
  echo "viewer /live.$f: monotonic, decodes, video over $span s"
  total=0 files=0
  set +f
  for r in "$E2E_TMP/rec-$f"/*; do last=$r; done
  for r in "$E2E_TMP/rec-$f"/*; do
    d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$r")
    case $d in '' | N/A) fail "$r not finalised (duration '$d')" ;; esac
    # the last file may be a few frames of video cut at the split just
    # before the end, before audio came in for it
    streams="v a"
    if [ "$r" = "$last" ] && awk -v d="$d" 'BEGIN { exit !(d < 1) }'; then
      streams=v
    fi
    check_recording "$r" "$(basename "$r")" "$streams" >/dev/null
    total=$(awk -v t="$total" -v d="$d" 'BEGIN { print t + d }')
    files=$((files + 1))
  done
  [ $files -ge 3 ] || fail "$f recorder wrote $files files"
  awk -v t="$total" 'BEGIN { exit !(t >= 16) }' || \
    fail "$f recordings hold $total s of about 24"
  echo "recordings $f: $files files, $total s, all finalised, monotonic, decode"
done
echo "encoder-restart: 2 restarts invisible to viewers and recorders"
