#!/bin/sh
# The status page with an HLS mount, in headless Chromium: fluhlssink
# /room1/index.m3u8 and fluhttpsink /room1/live.webm on one port.  Opened
# with ?autoplay, the page plays both cards: the WebM one, and the HLS one
# natively where the browser can (canPlayType of
# application/vnd.apple.mpegurl) or else the port's WebM stream under the
# same directory.  Either way the page then counts 2 viewers (fluhlssink
# has sessions on: client-limit is set, so a native HLS player is a
# session; the fallback is a second WebM viewer) and plays.
. "$(dirname "$0")/lib.sh"
need fluhlssink fluhttpsink x264enc mpegtsmux vp8enc webmmux

port=@PORT@ # start_server picks it
start_server st videotestsrc is-live=true ! \
  video/x-raw,width=320,height=180,framerate=25/1 ! tee name=t \
  t. ! queue ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! \
    mpegtsmux ! fluhlssink port="$port" mount-point=/room1/ part-target=0 \
    target-duration=1 client-limit=100 \
  t. ! queue ! vp8enc deadline=1 keyframe-max-dist=25 ! \
    webmmux streamable=true ! \
    fluhttpsink port="$port" mount-point=/room1/live.webm status-path=/status
port=$PORT_st

json=$(curl -s --max-time 5 "http://127.0.0.1:$port/status?format=json")
for m in /room1/index.m3u8 /room1/live.webm; do
  printf '%s' "$json" | grep -q "\"mount\": \"$m\"" || \
    fail "status JSON does not list $m: $json"
done

start_collector "$port"
check_playback chromium "/status?autoplay"
wait_page_title ' 2 streams · playing$' 40 || \
  fail "the status page did not play (title '$TITLE')"
# clients of a mount in the status JSON
clients () {
  curl -s --max-time 5 "http://127.0.0.1:$port/status?format=json" | \
    python3 -c 'import json, sys
d = json.load(sys.stdin)
print(sum(s["clients"] for s in d["streams"] if s["mount"] == sys.argv[1]))' "$1"
}
i=0
how=""
while [ $i -lt 60 ] && [ -z "$how" ]; do
  webm=$(clients /room1/live.webm)
  hls=$(clients /room1/index.m3u8)
  # the WebM card and the HLS card's fallback; or a native HLS session
  if [ "$webm" -ge 2 ]; then
    how="the WebM fallback"
  elif [ "$hls" -ge 1 ] && [ "$webm" -ge 1 ]; then
    how="native HLS"
  fi
  i=$((i + 1))
  sleep 0.25
done
[ -n "$how" ] || fail "the HLS card plays nothing (WebM viewers $webm, HLS sessions $hls)"
echo "hls-status-chromium: both cards play ($how for the HLS card); $RESULT"
