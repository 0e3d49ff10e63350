#!/bin/sh
# Requests waiting for caps: what each costs the server.  One fluhttpsink
# whose source has sent nothing yet (fdsrc on a FIFO nobody writes:
# no caps), caps-timeout=120; N viewers connect, send their GET and wait.
# Prints the server's RSS idle and with the N requests waiting (read once
# clients-waiting in /stats says N), and the KB per waiting request.
# Not a test: figures only.
#
#   tests/bench/precaps-bench.sh [BUILD_DIR] [N]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-5000}
export GST_PLUGIN_PATH="$build/gst/multifd:$build/ext/soup"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
tmp=$(mktemp -d /tmp/flu-precaps.XXXXXX)
mkfifo "$tmp/feed"
sleep 600 >"$tmp/feed" &
holder=$!
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
gst-launch-1.0 -q fdsrc fd=0 ! gdpdepay ! \
  fluhttpsink port="$port" mount-point=/live stats-path=/stats \
  caps-timeout=120 client-limit=0 <"$tmp/feed" >"$tmp/server.log" 2>&1 &
srv=$!
trap 'kill $srv $holder 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
python3 - "$port" "$n" "$srv" <<'PY'
import json, socket, sys, time
port, n, pid = (int(a) for a in sys.argv[1:4])
def rss_kb():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
def waiting():
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(b"GET /stats HTTP/1.1\r\nHost: x\r\n\r\n")
    d = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        d += b
    s.close()
    return json.loads(d.split(b"\r\n\r\n", 1)[1])["clients-waiting"]
for _ in range(100):
    try:
        waiting()
        break
    except (OSError, ValueError, KeyError):
        time.sleep(0.1)
time.sleep(0.5)
idle = rss_kb()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
for _ in range(600):
    if waiting() >= n:
        break
    time.sleep(0.1)
w = waiting()
time.sleep(0.5)
peak = rss_kb()
print("waiting=%d idle_MB=%.1f rss_MB=%.1f KB/request=%.2f" % (
    w, idle / 1024, peak / 1024, (peak - idle) / max(w, 1)))
PY
