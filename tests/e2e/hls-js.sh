#!/bin/sh
# hls.js (from npm, installed by this test into the build tree) plays
# fluhlssink's H.264 + AAC MPEG-TS playlist in a headless browser
# (chromium, or the browser given as $1: firefox), in its normal and in
# its low-latency mode (lowLatencyMode, 300 ms parts): playback measured
# by playback-check.html (currentTime advancing >= 3 s over >= 3 s, frames
# decoded, a picture size), no fatal hls.js error, and hls.js's live
# latency reported (hls.latency, and wall clock minus the
# PROGRAM-DATE-TIME of the picture shown); low-latency mode must be
# closer to live than normal mode, and within 3 s of it.  With fmp4 as
# $2 the same streams go to fluhlssink's video/audio request pads (CMAF
# fMP4 made by the element) instead of mpegtsmux.
. "$(dirname "$0")/lib.sh"
need fluhlssink x264enc mpegtsmux voaacenc aacparse
# a failure shows what hls.js said last
fail () {
  [ -s "${COLLECTOR_DIR:-/nonexistent}/stats" ] && \
    echo "hls.js: $(cat "$COLLECTOR_DIR/stats")" >&2
  echo "FAIL: $*" >&2
  exit 1
}
player_browser=${1:-chromium}
format=${2:-ts}
here=$(dirname "$0")
command -v npm >/dev/null || fail "npm is missing (scripts/deps.d/hls.txt)"
# npm trusts the system's CA store as well (where a machine behind a
# TLS-inspecting proxy has that proxy's CA): Node only knows its own list
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

# hls.js 1.x into BUILD/npm, once (a lock for the tests running at once);
# offline, this fails the test
npm_dir="${FLU_BUILD_ROOT:-build}/npm"
hlsjs="$npm_dir/node_modules/hls.js/dist/hls.min.js"
mkdir -p "$npm_dir"
if [ ! -s "$hlsjs" ]; then
  flock "$npm_dir/.lock" sh -c '[ -s "$2" ] || npm install --prefix "$1" \
    --no-audit --no-fund --loglevel=error hls.js@1' sh "$npm_dir" "$hlsjs" \
    >"$E2E_TMP/npm.log" 2>&1 || { cat "$E2E_TMP/npm.log" >&2; \
    fail "npm install hls.js@1 failed"; }
fi
[ -s "$hlsjs" ] || fail "no $hlsjs after npm install"
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
  "$npm_dir/node_modules/hls.js/package.json" | head -n 1)

if [ "$format" = fmp4 ]; then
  sink="fluhlssink name=m port=0 mount-point=/room1/ part-target=300000000"
  vsink="h264parse ! m.video"
  asink="m.audio"
else
  sink="mpegtsmux name=m ! fluhlssink port=0 mount-point=/room1/ \
    part-target=300000000"
  vsink="m."
  asink="m."
fi
start_server hls $sink \
  videotestsrc is-live=true pattern=ball ! \
  video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! \
  x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 \
  bitrate=600 ! $vsink \
  audiotestsrc is-live=true ! voaacenc ! aacparse ! $asink
wait_mount "http://127.0.0.1:$PORT_hls/room1/index.m3u8" 15 || \
  fail "no playlist"
start_collector "$PORT_hls" "hls.js=$hlsjs" \
  "player.html=$here/hls-js-player.html"

# play LL [name]: one run of the player page; sets STATS
play () {
  rm -f "$COLLECTOR_DIR/result" "$COLLECTOR_DIR/stats" "$COLLECTOR_DIR/title"
  rm -rf "$E2E_TMP/chromium" "$E2E_TMP/firefox"
  check_playback "$player_browser" "/__flu/file/player.html?src=/room1/index.m3u8&ll=$1"
  # the page posts medians of the last 3 s every second
  sleep 3.5
  STATS=$(cat "$COLLECTOR_DIR/stats" 2>/dev/null || echo '{}')
  pid=${E2E_PIDS##* }
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  python3 - "$STATS" "$RESULT" "$2" <<'PY' || fail "$player_browser, hls.js $2 mode: $STATS"
import json, sys
s, r = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("%s mode: played %.1f s of media in %.1f s, %d frames; hls.latency "
      "%s s (target %s s), wall clock - PROGRAM-DATE-TIME %s s; "
      "non-fatal errors %s" % (sys.argv[3], r["mediaAdvance"],
      r["wallAdvance"], r["framesAdvance"], s.get("latency"),
      s.get("targetLatency"), s.get("wallLatency"), s.get("errors")))
sys.exit(1 if s.get("fatal") or s.get("wallLatency") is None
         or s.get("latency") is None else 0)
PY
}

echo "hls.js $version in $player_browser, $format"
play 1 low-latency
ll_stats=$STATS
# normal mode starts 3 target durations back: the playlist has them by now
play 0 normal
python3 - "$ll_stats" "$STATS" <<'PY' || fail "low-latency mode is not closer to live"
import json, sys
ll, normal = (json.loads(x) for x in sys.argv[1:3])
print("latency (wall clock): low-latency %.2f s, normal %.2f s"
      % (ll["wallLatency"], normal["wallLatency"]))
sys.exit(0 if ll["wallLatency"] < normal["wallLatency"]
         and ll["wallLatency"] <= 3.0 else 1)
PY
