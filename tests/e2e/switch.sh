#!/bin/sh
# fluswitch end to end: the master is a feed from a producer process
# (flufeedsrc), the backup a live white slate; the switch's output is
# encoded once (vp8enc ! webmmux) and served by fluhttpsink.  A viewer
# (curl) records the whole time while the producer is killed with -9 and
# restarted: the recording decodes without a single error (ffmpeg), and its
# frames go black (master), white (slate), black again.
. "$(dirname "$0")/lib.sh"
need fluswitch flufeedsink flufeedsrc fluhttpsink jpegenc jpegdec vp8enc \
  webmmux
command -v ffmpeg >/dev/null || fail "ffmpeg missing (scripts/deps.d: ffmpeg)"
command -v ffprobe >/dev/null || fail "ffprobe missing (scripts/deps.d: ffmpeg)"

caps="video/x-raw,format=I420,width=160,height=120,framerate=25/1"
# the switch forwards caps changes, but webmmux refuses any: both inputs get
# the very same caps, colorimetry included (jpegdec's differs from
# videotestsrc's)
swcaps="$caps,pixel-aspect-ratio=1/1,colorimetry=bt601,chroma-site=jpeg"
feed_port=$(free_port)

producer () {
  start_bg producer gst-launch-1.0 videotestsrc is-live=true pattern=black ! \
    "$caps" ! jpegenc ! flufeedsink port="$feed_port"
  wait_listen "$feed_port" 10 || { cat "$E2E_TMP/producer.log" >&2; \
    fail "the producer does not listen on $feed_port"; }
}
producer

# -m: the switch's messages land in the log
start_server switch -m fluswitch name=sw timeout=1000000000 \
  recovery=1000000000 ! queue ! vp8enc deadline=1 keyframe-max-dist=10 ! \
  webmmux streamable=true ! fluhttpsink port=0 mount-point=/live.webm \
  flufeedsrc port="$feed_port" retry-initial=100 retry-max=500 ! jpegdec ! \
  videoconvert ! "$swcaps" ! sw.sink_0 \
  videotestsrc is-live=true pattern=white ! videoconvert ! "$swcaps" ! \
  sw.sink_1
log="$E2E_TMP/switch.log"

# wait_msg PATTERN SECONDS: waits for a line of the switch's log
wait_msg () {
  i=0
  while [ $i -lt $(($2 * 10)) ]; do
    grep -q "$1" "$log" && return 0
    sleep 0.1
    i=$((i + 1))
  done
  tail -n 30 "$log" >&2
  return 1
}

url="http://127.0.0.1:$PORT_switch/live.webm"
i=0
while [ "$(status "$url" --max-time 1)" != 200 ] && [ $i -lt 50 ]; do
  sleep 0.2
  i=$((i + 1))
done
start_bg viewer curl -s -N -o "$E2E_TMP/capture.webm" "$url"
sleep 3

echo "kill -9 the producer"
kill -9 "$PID_producer"
wait_msg 'fluswitch-switched.*to=(string)sink_1.*reason=(string)timeout' 15 ||
  fail "no switch to the slate after the producer died"
echo "switched to the slate"
sleep 3

echo "restart the producer"
producer
wait_msg 'fluswitch-switched.*to=(string)sink_0.*reason=(string)recovered' 20 ||
  fail "no switch back to the master after the producer returned"
echo "switched back to the master"
sleep 3
kill "$PID_viewer" 2>/dev/null || true
wait "$PID_viewer" 2>/dev/null || true

cap="$E2E_TMP/capture.webm"
[ -s "$cap" ] || fail "the viewer recorded nothing"
k=$(first_keyframe "$cap")
[ "$k" = 1 ] || fail "the recording does not start on a keyframe ($k)"

# the recording ends where the viewer hung up: only errors before the last
# second count
ffmpeg -v error -i "$cap" -f null - 2>"$E2E_TMP/ffmpeg.err" || true
frames=$(video_frames "$cap")
grep -v -i 'end of file\|truncat\|Invalid data found when processing input' \
  "$E2E_TMP/ffmpeg.err" >"$E2E_TMP/ffmpeg.bad" || true
[ ! -s "$E2E_TMP/ffmpeg.bad" ] || { cat "$E2E_TMP/ffmpeg.bad" >&2; \
  fail "decoding errors in the recording"; }
echo "the recording decodes without error: $frames frames" \
  "($(wc -l <"$E2E_TMP/ffmpeg.err") lines about the cut-off end ignored)"

# average luma of each frame: black ~16, white ~235; reduce to the runs
ffprobe -v error -f lavfi -i "movie=$cap,signalstats" \
  -show_entries frame_tags=lavfi.signalstats.YAVG -of csv=p=0 \
  >"$E2E_TMP/luma.txt" 2>/dev/null || fail "ffprobe signalstats failed"
runs=$(awk '{ c = ($1 < 100) ? "B" : "W"; if (c != last) printf "%s", c; last = c }' \
  "$E2E_TMP/luma.txt")
echo "luma runs: $runs"
[ "$runs" = BWB ] || fail "expected master, slate, master (BWB), got $runs"
echo "switch: all checks passed"
