#!/bin/sh
# flu-porter's cost: one streamer process serving one live stream (VP8
# WebM, 320x240 at 30 fps) on two mounts at once, /live on a port of its
# own and /live behind a flu-porter, measured in one run with the same
# clients:
#   1. flu-loadclient: CLIENTS viewers at once (all connect as fast as the
#      server takes them) and a ramp (RATE connections/s): first-byte time
#      (connect to the first body byte), median and p99, and viewers served;
#   2. a closed loop of short requests (connect, GET, first body byte,
#      close) with CONC connections in flight for SECONDS s: connections/s
#      and first-byte time.
# Prints one row per case and path, then the porter/direct ratios.  Not a
# test: figures only.
#
#   tests/bench/porter-bench.sh [BUILD_DIR] [SECONDS] [CLIENTS]
# RATE=200 connections/s for the ramp, CONC=8 for the closed loop.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
secs=${2:-5}
clients=${3:-500}
rate=${RATE:-200}
conc=${CONC:-8}
export GST_PLUGIN_PATH="$build/gst/multifd:$build/ext/soup"
. "$(dirname "$0")/bench-lib.sh"
bench_tmp porter-bench
direct=$(free_port)
public=$(free_port)
head -c 24 /dev/urandom | base64 > "$tmp/secret"
"$build/tools/porter/flu-porter" --address 127.0.0.1 --port "$public" \
  --socket "$tmp/porter.sock" --secret-file "$tmp/secret" \
  --max-pending 4096 >"$tmp/porter.log" 2>&1 &
pids="$pids $!"
gst-launch-1.0 -q videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=30/1 ! \
  vp8enc deadline=1 keyframe-max-dist=30 cpu-used=8 ! \
  webmmux streamable=true ! tee name=t \
  t. ! queue ! fluhttpsink address=127.0.0.1 port="$direct" mount-point=/live \
     client-limit=0 \
  t. ! queue ! fluhttpsink porter-socket="$tmp/porter.sock" \
     porter-secret-file="$tmp/secret" mount-point=/live client-limit=0 \
  >"$tmp/server.log" 2>&1 &
pids="$pids $!"
for p in $direct $public; do
  i=0
  until curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/live" -r 0-0 \
      -w '%{http_code}' | grep -q 200; do
    i=$((i + 1))
    [ $i -lt 100 ] || { cat "$tmp/porter.log" "$tmp/server.log"; exit 1; }
    sleep 0.1
  done
done

ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
load () {
  "$build/tests/bench/flu-loadclient" --port "$1" --clients "$clients" \
    --seconds "$secs" --http /live "$@" 2>/dev/null | sed -n '$p'
}
field () { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
echo "case                   path     served/clients  ttfb_med_ms  ttfb_p99_ms"
for mode in all ramp; do
  for p in direct porter; do
    [ $p = direct ] && port=$direct || port=$public
    if [ $mode = all ]; then
      out=$(load "$port")
    else
      out=$(load "$port" --rate "$rate")
    fi
    served=$(( $(field "$out" clients) - $(field "$out" unserved) ))
    printf '%-22s %-8s %6s/%-8s %11s %12s\n' "$mode ($clients)" $p "$served" \
      "$(field "$out" clients)" "$(field "$out" ttfb_med_ms)" \
      "$(field "$out" ttfb_p99_ms)"
    eval "ttfb_${mode}_$p=$(field "$out" ttfb_med_ms)"
  done
done

python3 - "$direct" "$public" "$secs" "$conc" <<'PY'
import socket, statistics, sys, threading, time
direct, public, secs, conc = (int(a) for a in sys.argv[1:5])
REQ = b"GET /live HTTP/1.1\r\nHost: bench\r\n\r\n"
def run(port):
    times, errors, stop = [], [0], time.monotonic() + secs
    lock = threading.Lock()
    def worker():
        while time.monotonic() < stop:
            t0 = time.monotonic()
            try:
                s = socket.create_connection(("127.0.0.1", port), 5)
                s.sendall(REQ)
                got = b""
                while b"\r\n\r\n" not in got or got.endswith(b"\r\n\r\n"):
                    b = s.recv(65536)
                    if not b:
                        raise OSError("closed")
                    got += b
                dt = time.monotonic() - t0
                s.close()
                with lock:
                    times.append(dt)
            except OSError:
                with lock:
                    errors[0] += 1
    ts = [threading.Thread(target=worker) for _ in range(conc)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    times.sort()
    return (len(times) / secs, 1000 * statistics.median(times),
            1000 * times[int(0.99 * (len(times) - 1))], errors[0])
print()
print("closed loop (%d in flight, %d s)  conn/s  ttfb_med_ms  ttfb_p99_ms  errors" % (conc, secs))
res = {}
for name, port in (("direct", direct), ("porter", public)):
    res[name] = run(port)
    print("%-32s %7.0f %12.2f %12.2f %7d" % ((name,) + res[name]))
print("porter/direct: conn/s %.2f, first byte %.2f" % (
    res["porter"][0] / res["direct"][0], res["porter"][1] / res["direct"][1]))
PY
