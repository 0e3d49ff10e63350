#!/bin/sh
# A headless Chromium plays the WebM mount in a <video> element: the
# player page served by fluhttpsink (player-path) sets document.title to
# "playing" once currentTime passes 2 s; the test reads the title through
# the DevTools HTTP endpoint.
. "$(dirname "$0")/lib.sh"
need fluhttpsink vp8enc vorbisenc webmmux
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "SKIP: chromium not installed"; exit 77; }

start_server web videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=25 ! queue ! mux. \
  audiotestsrc is-live=true ! audioconvert ! vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port=0 mount-point=/live.webm player-path=/

profile="$E2E_TMP/chromium"
mkdir -p "$profile"
"$browser" --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update \
  --disable-sync --autoplay-policy=no-user-gesture-required \
  --user-data-dir="$profile" --remote-debugging-port=0 \
  "http://127.0.0.1:$PORT_web/" >"$E2E_TMP/chromium.log" 2>&1 &
E2E_PIDS="$E2E_PIDS $!"

dport=""
i=0
while [ $i -lt 300 ]; do
  if [ -s "$profile/DevToolsActivePort" ]; then
    dport=$(head -n 1 "$profile/DevToolsActivePort")
    break
  fi
  sleep 0.1
  i=$((i + 1))
done
[ -n "$dport" ] || { cat "$E2E_TMP/chromium.log" >&2; fail "chromium did not start"; }

title=""
i=0
while [ $i -lt 60 ]; do
  title=$(curl -s --max-time 2 "http://127.0.0.1:$dport/json/list" | \
    sed -n 's/.*"title": *"\([^"]*\)".*/\1/p' | head -n 1)
  [ "$title" = playing ] && break
  sleep 1
  i=$((i + 1))
done
[ "$title" = playing ] || { tail -n 20 "$E2E_TMP/chromium.log" >&2; \
  fail "the <video> did not play past 2 s (title '$title')"; }
echo "http-chromium: the <video> element played the WebM mount past 2 s"
