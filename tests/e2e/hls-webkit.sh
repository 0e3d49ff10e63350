#!/bin/sh
# The Safari path: WebKitGTK (Safari's engine; MiniBrowser under Xvfb,
# driven through W3C WebDriver by tests/e2e/webkit-play.py) plays
# fluhlssink's LL-HLS playlist (H.264 + AAC in MPEG-TS) natively in
# <video>, through GStreamer's hlsdemux, from the player page
# (fluhttpsink player-hls) and from the status page's HLS card, both on
# the port of the fluhlssink.  Each must choose native HLS (the
# <video>'s currentSrc is the playlist: not hls.js, not the WebM
# fallback) and play: currentTime advancing in each of 4 one-second
# intervals and >= 3 s in all, frames decoded in each, a 320x240
# picture; the live latency is estimated (webkit-play.py says how).
# Both native players are fluhlssink sessions (the stats count them).
# The self-test: a player page whose player-hls is a broken playlist
# (served by a fluondemand: TS segments of garbage) must fail the same
# check.  Then WebKitGTK as it comes (no WEBKIT_GST_ENABLE_HLS_SUPPORT,
# as in Epiphany: it answers "" to canPlayType for HLS) must get the
# player page's WebM stream instead, and play it.
. "$(dirname "$0")/lib.sh"
need fluhlssink fluhttpsink fluondemand x264enc mpegtsmux voaacenc \
  aacparse vp8enc webmmux
here=$(dirname "$0")
for tool in WebKitWebDriver Xvfb; do
  command -v $tool >/dev/null || \
    fail "$tool is missing (scripts/deps.d/webkit.txt)"
done

# the broken playlist: valid tags, segments that are no MPEG-TS
broken="$E2E_TMP/broken"
mkdir -p "$broken"
{
  printf '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n'
  printf '#EXT-X-MEDIA-SEQUENCE:0\n'
  for i in 0 1 2 3 4; do
    printf '#EXTINF:1.0,\nseg%d.ts\n' $i
    head -c 40000 /dev/urandom >"$broken/seg$i.ts"
  done
} >"$broken/index.m3u8"

# Sessions (client-limit) in the default session-mode (auto = both: the
# token in the URIs and in a cookie): a segment's URI stays the same in
# every playlist that lists it, which hlsdemux checks on each reload
# ("Media URIs inconsistent" otherwise, and WebKitGTK's playback would
# restart).
port=@PORT@ # start_server picks it
start_server wk fluondemand port="$port" directory="$broken" \
  mount-point=/broken/ \
  videotestsrc is-live=true pattern=ball ! \
  video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! tee name=t \
  t. ! queue ! x264enc tune=zerolatency speed-preset=ultrafast \
    key-int-max=25 bitrate=500 ! mpegtsmux name=m ! \
    fluhlssink port="$port" mount-point=/room1/ target-duration=1 \
    part-target=333000000 client-limit=100 \
  audiotestsrc is-live=true ! audio/x-raw,rate=48000 ! voaacenc ! \
    aacparse ! queue ! m. \
  t. ! queue ! vp8enc deadline=1 keyframe-max-dist=25 ! \
    webmmux streamable=true ! tee name=w \
  w. ! queue ! fluhttpsink port="$port" mount-point=/room1/live.webm \
    player-path=/ player-hls=/room1/index.m3u8 status-path=/status \
  w. ! queue ! fluhttpsink port="$port" mount-point=/broken.webm \
    player-path=/broken.html player-hls=/broken/index.m3u8
port=$PORT_wk
base="http://127.0.0.1:$port"
# fluhlssink's sessions (viewers) now
hls_sessions () {
  curl -s --max-time 5 "$base/status?format=json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(s["clients"] for s in d["streams"]
          if s["mount"] == "/room1/index.m3u8"))'
}
# 3 segments in the playlist: hlsdemux starts 3 from its end (one
# session: the cookie)
i=0
jar="$E2E_TMP/cookies"
while [ "$(curl -s -b "$jar" -c "$jar" --max-time 2 "$base/room1/index.m3u8" | \
    grep -c '^seg')" -lt 3 ]; do
  i=$((i + 1))
  [ $i -lt 50 ] || fail "no playlist with 3 segments in 10 s"
  sleep 0.2
done

card="[...document.querySelectorAll('section.card')].filter(c =>
  c.querySelector('h2 a').textContent == '/room1/index.m3u8')
  .map(c => c.querySelector('video'))[0]"
player="document.getElementById('v')"
sessions_before=$(hls_sessions)
python3 "$here/webkit-play.py" --dir "$E2E_TMP/webkit" --size 320 240 \
  --fps 25 --playlist "$base/room1/index.m3u8" \
  --check player "$base/" "$player" /room1/index.m3u8 30 \
  --check status "$base/status?autoplay" "$card" /room1/index.m3u8 30 \
  --check broken "$base/broken.html" "$player" /broken/index.m3u8 15 \
  >"$E2E_TMP/verdicts" || {
    tail -n 20 "$E2E_TMP/webkit/webkitwebdriver.log" \
      "$E2E_TMP/webkit/xvfb.log" >&2
    fail "WebKitGTK could not be driven"; }
# new fluhlssink sessions: the two native players and the playlist that
# webkit-play.py read for the latency (sessions last 60 s idle)
sessions=$(($(hls_sessions) - sessions_before))
python3 "$here/webkit-play.py" --dir "$E2E_TMP/webkit-default" \
  --webkit-default --size 320 240 \
  --check default "$base/" "$player" /room1/live.webm 30 \
  >>"$E2E_TMP/verdicts" || {
    tail -n 20 "$E2E_TMP/webkit-default/webkitwebdriver.log" \
      "$E2E_TMP/webkit-default/xvfb.log" >&2
    fail "WebKitGTK (as it comes) could not be driven"; }

python3 - "$E2E_TMP/verdicts" "$sessions" <<'PY' || fail "WebKitGTK did not play as it should"
import json, sys
verdicts = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    verdicts[r["name"]] = r
ok = True
for name, what in (("player", "player page"), ("status", "status page"),
                   ("default", "player page, WebKitGTK as it comes")):
    r = verdicts.get(name)
    if r is None:
        print("%s: no verdict" % what)
        ok = False
        continue
    if not r["pass"]:
        print("%s: FAILED: %s; %s" % (what, r["reason"],
              json.dumps(r.get("last") or r.get("samples"))))
        ok = False
        continue
    how = ("native HLS (segments fetched by '%s')" % r.get("initiator")
           if r["src"].endswith(".m3u8") else "progressive")
    latency = r.get("latency", r.get("latencyError"))
    print("%s (%s): %s from %s, canPlayType '%s', started in %.1f s, "
          "played %.2f s of media in %.2f s, %d frames, %dx%d%s"
          % (what, r["browser"], how, r["src"], r["canPlayType"],
             r["startup"], r["mediaAdvance"], r["wallAdvance"],
             r["framesAdvance"], r["samples"][-1]["width"],
             r["samples"][-1]["height"],
             "; live latency about %s s" % latency if latency else ""))
r = verdicts.get("broken")
if r is None:
    print("broken playlist: no verdict")
    ok = False
elif r["pass"]:
    print("broken playlist: the check PASSED, it must fail")
    ok = False
else:
    print("broken playlist: the check fails as it must (%s: %s)"
          % (r["code"], r["reason"]))
sessions = int(sys.argv[2])
print("new fluhlssink sessions: %d (2 native players, 1 playlist read)"
      % sessions)
if sessions != 3:
    print("the native players are not one session each")
    ok = False
sys.exit(0 if ok else 1)
PY
