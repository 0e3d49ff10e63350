#!/bin/sh
# Login storm: does bcrypt hashing of Basic credentials hold up the
# viewers?  One fluhttpsink (live VP8 WebM, htpasswd-protected mount) and,
# in one run:
#   1. VIEWERS viewers (a SHA-1 user: cheap to check) watch for SECONDS s;
#   2. they keep watching for SECONDS s more while a storm client logs in
#      RATE times a second with a bcrypt user (cost COST, what
#      `htpasswd -B` writes by default), each login a new connection
#      that reads the answer head and closes (open loop: one starts every
#      1/RATE s whether or not the last was answered).
# Prints, per phase, the viewers' worst stall (longest time between two
# reads that brought bytes, over every viewer; coalesce-time is 500 ms so
# ~0.5 s is the floor) and their median stall, the latency of a plain
# request (GET of the stats path, no credentials, one every 50 ms) and the
# logins answered 200 with their median latency.  Not a test: figures
# only.
#
#   tests/bench/login-storm.sh [BUILD_DIR] [SECONDS] [VIEWERS]
# RATE=50 logins/s, COST=5 (bcrypt log2 rounds).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
secs=${2:-10}
viewers=${3:-100}
rate=${RATE:-50}
cost=${COST:-5}
export GST_PLUGIN_PATH="$build/gst/multifd:$build/ext/soup"
tmp=$(mktemp -d /tmp/flu-login-storm.XXXXXX)
trap 'kill $srv 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
python3 -W ignore::DeprecationWarning - "$tmp/htpasswd" "$cost" <<'PY'
import crypt, sys
path, cost = sys.argv[1], int(sys.argv[2])
bc = crypt.crypt("storm", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << cost))
# "viewer" / "watch", SHA-1 (cheap); "storm" / "storm", bcrypt
open(path, "w").write("viewer:{SHA}KSsJAZk/fp2aDZuAVC+eWVBbpb4=\nstorm:%s\n" % bc)
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
gst-launch-1.0 -q videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=30/1 ! \
  vp8enc deadline=1 keyframe-max-dist=30 cpu-used=8 ! \
  webmmux streamable=true ! \
  fluhttpsink port="$port" mount-point=/live htpasswd="$tmp/htpasswd" \
  stats-path=/stats \
  >"$tmp/server.log" 2>&1 &
srv=$!
python3 - "$port" "$secs" "$viewers" "$rate" <<'PY'
import base64, selectors, socket, statistics, sys, threading, time
port, secs, nview, rate = (int(a) for a in sys.argv[1:5])
def auth(u, p):
    return base64.b64encode(("%s:%s" % (u, p)).encode()).decode()
def get(cred):
    return ("GET /live HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic %s"
            "\r\n\r\n" % cred).encode()
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port), 1)
        s.sendall(get(auth("viewer", "watch")))
        head = s.recv(64)
        s.close()
        if head.startswith(b"HTTP/1.1 200"):
            break
    except OSError:
        pass
    time.sleep(0.1)
else:
    sys.exit("server not serving on port %d" % port)

sel = selectors.DefaultSelector()
last = {}
for i in range(nview):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(get(auth("viewer", "watch")))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, i)
    last[i] = None

probes = []
def probe(seconds):
    # a plain request, answered by the server thread
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        try:
            s = socket.create_connection(("127.0.0.1", port), 10)
            s.settimeout(10)
            s.sendall(b"GET /stats HTTP/1.1\r\nHost: localhost\r\n\r\n")
            s.recv(32)
            s.close()
        except OSError:
            pass
        probes.append(time.monotonic() - start)
        time.sleep(0.05)

def watch(seconds):
    del probes[:]
    pt = threading.Thread(target=probe, args=(seconds,))
    pt.start()
    worst = {i: 0.0 for i in last}
    end = time.monotonic() + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        for key, _ in sel.select(min(0.05, end - now)):
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            t = time.monotonic()
            i = key.data
            if data:
                if last[i] is not None:
                    worst[i] = max(worst[i], t - last[i])
                last[i] = t
    # a viewer silent since its last read counts that too
    t = time.monotonic()
    for i in last:
        if last[i] is not None:
            worst[i] = max(worst[i], t - last[i])
    pt.join()
    return worst, sorted(probes)

stop = threading.Event()
logins = []
def login(cred):
    start = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), 10)
        s.settimeout(10)
        s.sendall(cred)
        head = s.recv(32)
        s.close()
        logins.append((head.startswith(b"HTTP/1.1 200"),
                       time.monotonic() - start))
    except OSError:
        logins.append((False, time.monotonic() - start))

def storm():
    # open loop: a login starts every 1/rate s whether the last one was
    # answered or not, so the offered load is rate/s
    cred = get(auth("storm", "storm"))
    n = 0
    t0 = time.monotonic()
    while not stop.is_set():
        t = threading.Thread(target=login, args=(cred,))
        t.start()
        sent.append(t)
        n += 1
        delay = t0 + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)

sent = []
watch(1.5)                      # settle: every viewer has its burst
calm, calm_probe = watch(secs)
th = threading.Thread(target=storm)
th.start()
stormy, stormy_probe = watch(secs)
stop.set()
th.join()
for t in sent:
    t.join()
ok = sum(1 for o, _ in logins if o)
lat = statistics.median(l for _, l in logins) if logins else 0
print("viewers=%d seconds=%d rate=%d/s" % (nview, secs, rate))
print("%-12s %10s %10s %8s %12s %12s" % ("phase", "worst_s", "median_s",
                                         "fed", "plain_med_ms",
                                         "plain_max_ms"))
for name, w, pr in (("no-storm", calm, calm_probe),
                    ("storm", stormy, stormy_probe)):
    v = list(w.values())
    print("%-12s %10.3f %10.3f %8d %12.1f %12.1f" % (
        name, max(v), statistics.median(v), sum(1 for x in v if x > 0),
        statistics.median(pr) * 1000 if pr else 0,
        max(pr, default=0) * 1000))
print("storm logins: %d sent (%.1f/s), %d answered 200, median %.1f ms, "
      "worst %.1f ms" % (len(sent), len(sent) / secs, ok, lat * 1000,
                         max((l for _, l in logins), default=0) * 1000))
PY
