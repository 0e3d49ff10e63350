#!/bin/sh
# The player page's "played" counter is time actually played, not the
# <video>'s currentTime (which Chromium starts at the stream's first
# timestamp, seconds or minutes into a live stream).  The server runs a
# while before the page opens; the counter, read through the DevTools
# protocol (cdp-eval.py), must advance while the page plays and never
# exceed the time the page has been open.
. "$(dirname "$0")/lib.sh"
need fluhttpsink vp8enc vorbisenc webmmux
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.d)"
start_server web videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=25 ! queue ! mux. \
  audiotestsrc is-live=true ! audioconvert ! vorbisenc ! queue ! mux. \
  webmmux name=mux streamable=true ! \
  fluhttpsink port=0 mount-point=/live.webm player-path=/

# the stream's timestamps are the server's running time: let them run
# ahead of anything the page can play
sleep 8
start_chromium "http://127.0.0.1:$PORT_web/"
wait_title '^playing$' 60 || { tail -n 20 "$E2E_TMP/chromium.log" >&2; \
  fail "the player page did not play 2 s (title '$TITLE')"; }

# [played counter, currentTime, seconds since the page opened]
sample () {
  python3 "$(dirname "$0")/cdp-eval.py" "$DEVTOOLS_PORT" \
    "[+document.getElementById('t').textContent, \
      document.getElementById('v').currentTime, performance.now() / 1000]"
}
first=$(sample) || fail "cannot read the page through DevTools"
sleep 4
second=$(sample) || fail "cannot read the page through DevTools"
echo "http-player: [played, currentTime, page age] $first then $second"
python3 - "$first" "$second" <<'PY' || fail "the played counter is wrong"
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
echo "http-player: the played counter follows the time played"
