#!/bin/sh
# fluhlssink over kept-alive connections: N playlist reloads (with a
# session token, so one session) on one connection, then N with a new
# connection each ("Connection: close"), timed from python3's
# http.client on loopback.  Usage: tests/bench/hls-keepalive.sh [N]
# (GST_PLUGIN_PATH pointing at build/ext/soup).  Not run by CI.
set -eu
n=${1:-2000}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
gst-launch-1.0 -q videotestsrc is-live=true ! \
  video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! \
  x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! \
  mpegtsmux ! fluhlssink port="$port" mount-point=/r/ client-limit=1000 \
  stats-path=/st.json >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT INT TERM
sleep 4
python3 - "$port" "$n" <<'PY'
import http.client, json, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("GET", "/r/index.m3u8")
pl = c.getresponse().read().decode()
seg = [l for l in pl.split("\n") if l and not l.startswith("#")][-1]
path = "/r/index.m3u8?s=" + seg.split("?s=")[1]
t = time.time()
for i in range(n):
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    assert r.status == 200
ka = time.time() - t
t = time.time()
for i in range(n):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", path, headers={"Connection": "close"})
    r = c.getresponse()
    r.read()
    c.close()
    assert r.status == 200
cl = time.time() - t
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("GET", "/st.json")
st = json.loads(c.getresponse().read())
print("%d playlist requests: keep-alive %.0f us each, a connection each "
      "%.0f us each; sessions started: %d" % (n, ka / n * 1e6, cl / n * 1e6,
                                              st["connections"]))
PY
