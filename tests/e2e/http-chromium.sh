#!/bin/sh
# A headless Chromium plays the WebM mount in a <video> element: the
# player page served by fluhttpsink (player-path) sets document.title to
# "playing" once currentTime passes 2 s; the test reads the title through
# the DevTools HTTP endpoint.
. "$(dirname "$0")/lib.sh"
need fluhttpsink vp8enc vorbisenc webmmux
start_server web videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=25 ! queue ! mux. \
  audiotestsrc is-live=true ! audioconvert ! vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port=0 mount-point=/live.webm player-path=/

start_chromium "http://127.0.0.1:$PORT_web/"
wait_title '^playing$' 60 || { tail -n 20 "$E2E_TMP/chromium.log" >&2; \
  fail "the <video> did not play past 2 s (title '$TITLE')"; }
echo "http-chromium: the <video> element played the WebM mount past 2 s"
