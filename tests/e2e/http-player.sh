#!/bin/sh
# The player page's "played" counter is time actually played, not the
# <video>'s currentTime (which Chromium starts at the stream's first
# timestamp, seconds or minutes into a live stream, and Firefox at 0).
# The server runs a while before the page opens; the counter must advance
# while the page plays and never exceed the time the page has been open,
# in headless Chromium (read through DevTools, cdp-eval.py) and in
# headless Firefox ESR (Marionette, marionette.py) alike.  Skips (77) when
# neither browser is installed.
. "$(dirname "$0")/lib.sh"
need fluhttpsink vp8enc vorbisenc webmmux
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.d)"
here=$(dirname "$0")
start_server web videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=25 ! queue ! mux. \
  audiotestsrc is-live=true ! audioconvert ! vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port=0 mount-point=/live.webm player-path=/ \
  player-hls=/nothing/index.m3u8
# player-hls names a playlist that is not there: a browser that claims
# HLS (Chromium) must fall back to the WebM stream, one that does not
# (Firefox) plays the stream at once; both must play
url="http://127.0.0.1:$PORT_web/"
# [played counter, currentTime, seconds since the page opened]
expr="[+document.getElementById('t').textContent,
  document.getElementById('v').currentTime, performance.now() / 1000]"

# check BROWSER FIRST SECOND: two samples of $expr, 4 s apart
check () {
  echo "http-player: $1 [played, currentTime, page age] $2 then $3"
  python3 - "$2" "$3" <<'PY' || fail "$1: the played counter is wrong"
import json, sys
(p1, c1, a1), (p2, c2, a2) = (json.loads(x) for x in sys.argv[1:3])
ok = True
if p2 > a2 + 0.5:
    print("played %.1f s in a page open for %.1f s" % (p2, a2))
    ok = False
if p2 - p1 < 0.5 * (a2 - a1):
    print("played %.1f s over %.1f s of wall time" % (p2 - p1, a2 - a1))
    ok = False
sys.exit(0 if ok else 1)
PY
}

# the stream's timestamps are the server's running time: let them run
# ahead of anything the page can play
sleep 8
browsers=0

if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
  start_chromium "$url"
  wait_title '^playing$' 60 || { tail -n 20 "$E2E_TMP/chromium.log" >&2; \
    fail "chromium: the player page did not play 2 s (title '$TITLE')"; }
  first=$(python3 "$here/cdp-eval.py" "$DEVTOOLS_PORT" "$expr") || \
    fail "chromium: cannot read the page through DevTools"
  sleep 4
  second=$(python3 "$here/cdp-eval.py" "$DEVTOOLS_PORT" "$expr") || \
    fail "chromium: cannot read the page through DevTools"
  check chromium "$first" "$second"
  browsers=$((browsers + 1))
fi

# Firefox picks the Marionette port (marionette.port 0) and writes it to
# MarionetteActivePort in the profile.
firefox=$(command -v firefox-esr || command -v firefox || true)
if [ -n "$firefox" ]; then
  profile="$E2E_TMP/firefox"
  mkdir -p "$profile"
  for pref in '"marionette.port", 0' '"media.autoplay.default", 0' \
      '"browser.shell.checkDefaultBrowser", false' \
      '"app.update.disabledForTesting", true' \
      '"datareporting.policy.dataSubmissionEnabled", false' \
      '"toolkit.telemetry.reportingpolicy.firstRun", false' \
      '"network.captive-portal-service.enabled", false' \
      '"browser.startup.homepage_override.mstone", "ignore"'; do
    echo "user_pref($pref);" >>"$profile/user.js"
  done
  "$firefox" --headless --marionette --no-remote --profile "$profile" \
    about:blank >"$E2E_TMP/firefox.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  i=0
  while [ $i -lt 600 ] && [ ! -s "$profile/MarionetteActivePort" ]; do
    sleep 0.1
    i=$((i + 1))
  done
  [ -s "$profile/MarionetteActivePort" ] || { \
    tail -n 20 "$E2E_TMP/firefox.log" >&2; fail "firefox: no Marionette"; }
  python3 "$here/marionette.py" "$(head -n 1 "$profile/MarionetteActivePort")" \
    "$url" '^playing$' 60 "$expr" >"$E2E_TMP/firefox.samples" || { \
    tail -n 20 "$E2E_TMP/firefox.log" >&2; \
    fail "firefox: the player page did not play 2 s"; }
  check firefox "$(sed -n 1p "$E2E_TMP/firefox.samples")" \
    "$(sed -n 2p "$E2E_TMP/firefox.samples")"
  browsers=$((browsers + 1))
fi

[ "$browsers" -gt 0 ] || { echo "SKIP: neither chromium nor firefox installed"; exit 77; }
echo "http-player: the played counter follows the time played ($browsers browsers)"
