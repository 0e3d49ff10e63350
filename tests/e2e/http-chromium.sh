#!/bin/sh
# A headless browser (Chromium, or the one named as $1: chromium, firefox)
# plays the WebM mount in the player page fluhttpsink serves (player-path).
# tests/e2e/collector.py serves the page through itself and measures the
# page's <video> (playback-check.html): currentTime must advance by >= 3 s
# over >= 3 s of wall time, the decoded frame count must grow and the
# picture must have a size; a frozen or stalled video fails.
. "$(dirname "$0")/lib.sh"
which=${1:-chromium}
need fluhttpsink vp8enc vorbisenc webmmux
start_server web videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=25 ! queue ! mux. \
  audiotestsrc is-live=true ! audioconvert ! vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port=0 mount-point=/live.webm player-path=/

start_collector "$PORT_web"
check_playback "$which" /
echo "http-$which: the player page played the WebM mount: $RESULT"
