#!/bin/sh
# Session tokens in the URIs (session-mode auto = both, turned on here
# by client-limit) keep each segment's URI: GStreamer's playbin
# (hlsdemux, what WebKitGTK plugs) plays an LL-HLS mount from a new
# server for 8 s without refusing a reload ("Media URIs inconsistent":
# hlsdemux compares the URI of every segment that two playlists list,
# as RFC 8216bis 6.2.1 says they must not change), and its playback
# progresses.  Before the playbin, curl's reloads of one session (its
# cookie) must list every segment and part with the same URI.
. "$(dirname "$0")/lib.sh"
need fluhlssink x264enc mpegtsmux voaacenc aacparse playbin hlsdemux \
  tsdemux souphttpsrc

start_server s videotestsrc is-live=true pattern=ball ! \
  video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! \
  x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 \
    bitrate=300 ! mpegtsmux name=m ! \
  fluhlssink port=0 mount-point=/room1/ target-duration=1 \
    part-target=333000000 client-limit=100 \
  audiotestsrc is-live=true ! audio/x-raw,rate=48000 ! voaacenc ! \
    aacparse ! queue ! m.
base="http://127.0.0.1:$PORT_s"
pl="$base/room1/index.m3u8"

# one session's reloads over 3 s: a URI per name
jar="$E2E_TMP/cookies"
: >"$E2E_TMP/uris"
i=0
while [ $i -lt 12 ]; do
  curl -s -b "$jar" -c "$jar" --max-time 5 "$pl" | \
    sed -n -e 's/^\([^#].*\)$/\1/p' -e 's/.*URI="\([^"]*\)".*/\1/p' \
    >>"$E2E_TMP/uris"
  sleep 0.25
  i=$((i + 1))
done
grep -q '?s=' "$E2E_TMP/uris" || fail "no session token in the URIs"
python3 - "$E2E_TMP/uris" <<'PY' || fail "a URI changed between reloads"
import sys
seen, again = {}, 0
for uri in open(sys.argv[1]).read().split():
    name = uri.split("?")[0]
    if name in seen and seen[name] != uri:
        print("%s listed as %s, then %s" % (name, seen[name], uri))
        sys.exit(1)
    again += name in seen
    seen[name] = uri
if again < 50:
    print("only %d URIs listed again" % again)
    sys.exit(1)
print("curl: %d names, %d listed again with the same URI"
      % (len(seen), again))
PY

# playbin (hlsdemux) from the live edge, paced (sync=true) for 8 s
GST_DEBUG="*hls*:4,*adaptive*:3,*:1" GST_DEBUG_NO_COLOR=1 \
  timeout -s INT 8 gst-launch-1.0 -m -v playbin uri="$pl" \
  video-sink="fakesink name=vsink silent=false sync=true" \
  audio-sink="fakesink name=asink silent=false sync=true" \
  >"$E2E_TMP/playbin.log" 2>&1 || true
grep -q hlsdemux "$E2E_TMP/playbin.log" || {
  tail -n 20 "$E2E_TMP/playbin.log" >&2; fail "playbin did not use hlsdemux"; }
refused=$(grep -c 'Media URIs inconsistent' "$E2E_TMP/playbin.log" || true)
[ "$refused" = 0 ] || {
  grep 'Media URIs inconsistent' "$E2E_TMP/playbin.log" | head -n 3 >&2
  fail "hlsdemux refused $refused reloads (Media URIs inconsistent)"; }
if grep -q 'ERROR: from element' "$E2E_TMP/playbin.log"; then
  grep -A 3 'ERROR: from element' "$E2E_TMP/playbin.log" | head -n 8 >&2
  fail "playbin posted an error"
fi
# progress: the video buffers' timestamps span most of the run
python3 - "$E2E_TMP/playbin.log" <<'PY' || fail "playbin did not progress"
import re, sys
pts = []
for line in open(sys.argv[1], errors="replace"):
    if "vsink" in line and "last-message = chain" in line:
        m = re.search(r"pts: (\d+):(\d+):(\d+\.\d+)", line)
        if m:
            h, mi, s = m.groups()
            pts.append(int(h) * 3600 + int(mi) * 60 + float(s))
if len(pts) < 50:
    print("%d video buffers" % len(pts))
    sys.exit(1)
span = max(pts) - min(pts)
print("playbin (hlsdemux): %d video buffers over %.1f s of media, "
      "no reload refused" % (len(pts), span))
sys.exit(0 if span >= 4.0 else 1)
PY
echo "hls-tokens: all checks passed"
