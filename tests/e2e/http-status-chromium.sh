#!/bin/sh
# The fluhttpsink status page (status-path) in a headless browser
# (Chromium, or the one named as $1: chromium, firefox): one server process
# with two streams on one port (WebM video, Ogg audio).  The page sets its
# title to "<viewers> viewers · <streams> streams" and appends " · playing"
# once a player played 2 s (the page is opened with ?autoplay).  The page
# is opened through tests/e2e/collector.py, which measures its video
# (playback-check.html: currentTime advancing by >= 3 s over >= 3 s of wall
# time, frames decoded, a picture size) and reports the page's title.  The
# test checks the page lists both streams, the video plays, and the viewer
# count goes up when another viewer (curl) connects.
. "$(dirname "$0")/lib.sh"
which=${1:-chromium}
need fluhttpsink vp8enc vorbisenc webmmux oggmux

port=@PORT@ # start_server picks it
start_server st videotestsrc is-live=true ! \
  video/x-raw,width=320,height=180,framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=25 ! queue ! mux. \
  audiotestsrc is-live=true ! audioconvert ! vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port="$port" mount-point=/live.webm status-path=/status \
  audiotestsrc is-live=true wave=ticks ! audioconvert ! vorbisenc ! oggmux ! \
  fluhttpsink port="$port" mount-point=/radio.ogg
port=$PORT_st

json=$(curl -s --max-time 5 "http://127.0.0.1:$port/status?format=json")
for m in /live.webm /radio.ogg; do
  printf '%s' "$json" | grep -q "\"mount\": \"$m\"" || \
    fail "status JSON does not list $m: $json"
done

start_collector "$port"
check_playback "$which" "/status?autoplay"
wait_page_title ' 2 streams · playing$' 30 || \
  fail "the status page did not list 2 streams and play (title '$TITLE')"
before=${TITLE%% viewers*}
[ "$before" -ge 1 ] || fail "the playing page counts no viewer ('$TITLE')"

curl -s --max-time 30 -o /dev/null "http://127.0.0.1:$port/live.webm" &
E2E_PIDS="$E2E_PIDS $!"
after=$((before + 1))
wait_page_title "^$after viewers" 15 || \
  fail "viewer count did not go from $before to $after (title '$TITLE')"
echo "http-status-$which: page lists 2 streams, plays, viewers $before -> $after; $RESULT"
