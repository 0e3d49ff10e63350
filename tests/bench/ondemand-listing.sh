#!/bin/sh
# fluondemand: the memory of directory listings.  A directory of FILES
# files (default 20000); CLIENTS listings of it at once (default 50),
# twice: clients that read the whole page as fast as they can (peak RSS
# sampled every 10 ms, every page checked complete), then clients that
# read its first bytes and then nothing (each paused by full socket
# buffers with what it holds at libsoup).  Prints the server's RSS idle,
# its peak with the readers, with the stalled clients, and per listing.
# Usage: tests/bench/ondemand-listing.sh [FILES [CLIENTS [BUILD]]]
#   BUILD: the build directory to take the plugin from (default build/,
#   e.g. another checkout's build/ to compare)
set -eu
files=${1:-20000}
clients=${2:-50}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${3:-$root/build}
export GST_PLUGIN_PATH_1_0="$build/ext/soup:$build/gst/multifd"
tmp=$(mktemp -d /tmp/flu-od-list.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/many"
python3 -c '
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    open(os.path.join(d, "recording-%06d.webm" % i), "w").close()
' "$tmp/many" "$files"
gst-launch-1.0 -v fluondemand port=0 directory="$tmp" >"$tmp/log" 2>&1 &
pid=$!
port=""
while [ -z "$port" ]; do
  sleep 0.1
  port=$(sed -n 's/.*current-port = \([0-9]*\).*/\1/p' "$tmp/log" | head -n 1)
done
python3 - "$port" "$clients" "$pid" "$files" <<'PY'
import socket, sys, threading, time
port, n, pid, files = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                       int(sys.argv[4]))
req = b"GET /recordings/many/ HTTP/1.0\r\nHost: x\r\n\r\n"
def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
def fetch(out):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    data = []
    while True:
        b = s.recv(65536)
        if not b:
            break
        data.append(b)
    out.append(b"".join(data))
# warm up (page cache, the pool's threads, libsoup's first buffers)
warm = []
fetch(warm)
idle = rss()
peak = [idle]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.01)
pages = []
sampler = threading.Thread(target=sample)
sampler.start()
t0 = time.time()
readers = [threading.Thread(target=fetch, args=(pages,)) for i in range(n)]
for t in readers:
    t.start()
for t in readers:
    t.join()
took = time.time() - t0
done.set()
sampler.join()
rows = set()
for p in pages:
    body = p.split(b"\r\n\r\n", 1)[1]
    rows.add(body.count(b"<tr><td>"))
    if not body.endswith(b"</body></html>\n"):
        sys.exit("incomplete page")
if len(rows) != 1 or (files not in rows and b"not shown" not in body):
    sys.exit("pages differ or miss entries: %s rows of %d" % (rows, files))
page = len(pages[0].split(b"\r\n\r\n", 1)[1])
socks = []
for i in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(req)
    s.recv(1024)
    socks.append(s)
time.sleep(3)
stalled = rss()
print("%d files, a page of %d KB (%d rows); %d listings at once in %.1f s"
      % (files, page // 1024, rows.pop(), n, took))
print("RSS %d KB idle; peak %d KB with %d readers (%.1f KB per listing); "
      "%d KB with %d stalled (%.1f KB per listing)"
      % (idle, peak[0], n, (peak[0] - idle) / n, stalled, n,
         (stalled - idle) / n))
PY
