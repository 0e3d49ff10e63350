#!/bin/sh
# Makes docs/status-page.png: three streams on one fluhttpsink port (two
# WebM halls, one Ogg radio) with a few curl viewers, the status page
# opened in headless Chromium with ?autoplay, captured after 15 s.
# Run from the source tree after `ninja -C build`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/e2e/lib.sh"
export GST_PLUGIN_PATH="$top/build/gst/multifd:$top/build/ext/soup"
port=$(free_port)
start_server demo videotestsrc is-live=true pattern=smpte ! \
  video/x-raw,width=640,height=360,framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=25 target-bitrate=800000 ! queue ! mux. \
  audiotestsrc is-live=true ! audioconvert ! vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port="$port" mount-point=/hall-a.webm status-path=/status \
  videotestsrc is-live=true pattern=ball ! \
  video/x-raw,width=640,height=360,framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=25 ! webmmux streamable=true ! \
  fluhttpsink port="$port" mount-point=/hall-b.webm \
  audiotestsrc is-live=true ! audioconvert ! vorbisenc ! oggmux ! \
  fluhttpsink port="$port" mount-point=/radio.ogg
for m in hall-a.webm hall-a.webm hall-a.webm hall-b.webm radio.ogg; do
  curl -s -m 60 -o /dev/null "http://127.0.0.1:$port/$m" &
  E2E_PIDS="$E2E_PIDS $!"
  sleep 1
done
start_chromium "http://127.0.0.1:$port/status?autoplay" \
  --window-size=1340,720 --hide-scrollbars
sleep 15
node "$top/docs/devtools-screenshot.js" "$DEVTOOLS_PORT" \
  "$top/docs/status-page.png"
echo "wrote docs/status-page.png"
