#!/bin/sh
# fluondemand: user memory per viewer that stops reading, and the speed
# of one download.  N clients (default 500) each ask for a 64 MB file,
# read its first bytes and then read nothing more: each is paused by the
# kernel's full socket buffers with one chunk (<= 32 KB) at libsoup.
# Prints the server's RSS before and with them, per viewer, and the rate
# of one curl download of the file (page cache, loopback).
# Usage: tests/bench/ondemand-viewers.sh [N]   (from a configured build/)
set -eu
n=${1:-500}
root=$(cd "$(dirname "$0")/../.." && pwd)
export GST_PLUGIN_PATH_1_0="$root/build/ext/soup:$root/build/gst/multifd"
tmp=$(mktemp -d /tmp/flu-od-bench.XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
head -c $((64 * 1024 * 1024)) /dev/urandom >"$tmp/big.webm"
gst-launch-1.0 -v fluondemand port=0 directory="$tmp" >"$tmp/log" 2>&1 &
pid=$!
port=""
while [ -z "$port" ]; do
  sleep 0.1
  port=$(sed -n 's/.*current-port = \([0-9]*\).*/\1/p' "$tmp/log" | head -n 1)
done
rate=$(curl -s -o /dev/null -w '%{speed_download}' \
  "http://127.0.0.1:$port/recordings/big.webm")
python3 - "$port" "$n" "$pid" "$rate" <<'PY'
import socket, sys, time
port, n, pid, rate = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /recordings/big.webm HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(1024)
    socks.append(s)
time.sleep(3)
with_viewers = rss()
print("one download: %.0f MB/s" % (rate / 1e6))
print("RSS %d KB idle, %d KB with %d stalled viewers: %.1f KB per viewer"
      % (before, with_viewers, n, (with_viewers - before) / n))
PY
