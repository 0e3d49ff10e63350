#!/bin/sh
# flufeedsrc's input cost with no viewer: system calls per GDP packet and
# the CPU of its streaming thread.  The producer is http-bench.sh's (VP8
# WebM over GDP from a stock tcpserversink, STREAM=PATTERN[:WxH], the
# ball at ~75 kbit/s by default); the server is
# `flufeedsrc ! fluhttpsink` of BUILD_DIR's plugins, no viewer connected.
# A second reader of the producer (python, outside the measured process)
# counts the GDP packets sent during each window.
#   1. strace -c -f -p SERVER for SECONDS: calls by kind, per packet
#   2. (strace gone) the threads' schedstat over SECONDS: CPU per second
#      of the flufeedsrc thread and of the whole process, wake-ups/s
# Not a test: figures only.
#
#   tests/bench/feedsrc-cost.sh [BUILD_DIR] [SECONDS]
# e.g. interleaved before/after:
#   for b in base/build build base/build build; do
#     tests/bench/feedsrc-cost.sh $b 8; done
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
secs=${2:-8}
stream=${STREAM:-ball}
command -v strace >/dev/null || { echo "needs strace" >&2; exit 1; }
export GST_PLUGIN_PATH="$build/gst/multifd:$build/ext/soup:$build/gst/feed"
tmp=$(mktemp -d /tmp/flu-feedsrc-cost.XXXXXX)
pids=""
cleanup () {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port () {
  i=0
  while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null \
      && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
  done
}
# GDP packets the producer sends in $1 seconds (a reader of its own)
count_packets () {
  python3 - "$feed" "$1" <<'PY'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
buf = b""; n = 0; end = None; dur = float(sys.argv[2])
while True:
    d = s.recv(65536)
    if not d: break
    buf += d
    while len(buf) >= 62:
        ln = struct.unpack(">I", buf[6:10])[0]
        if len(buf) < 62 + ln: break
        buf = buf[62 + ln:]
        if end is not None: n += 1
    if end is None:
        end = time.monotonic() + dur   # (after the headers it got at once)
    if time.monotonic() >= end: break
print(n)
PY
}
thread_ns () {  # $1 = pid, $2 = thread name prefix (empty: all)
  for t in /proc/"$1"/task/*; do
    if [ -z "$2" ] || grep -q "^$2" "$t/comm" 2>/dev/null; then
      cat "$t/schedstat" 2>/dev/null
    fi
  done | awk '{ns += $1; sl += $3} END {printf "%.0f %.0f\n", ns, sl}'
}

feed=$(free_port)
size=${stream#*:}
[ "$size" = "$stream" ] && size=640x360
gst-launch-1.0 -q videotestsrc is-live=true pattern="${stream%%:*}" ! \
  video/x-raw,width="${size%x*}",height="${size#*x}",framerate=25/1 ! \
  vp8enc deadline=1 keyframe-max-dist=50 target-bitrate=1000000 ! \
  webmmux streamable=true ! gdppay ! \
  tcpserversink host=127.0.0.1 port="$feed" sync=false >"$tmp/producer.log" 2>&1 &
pids="$pids $!"
wait_port "$feed"
port=$(free_port)
gst-launch-1.0 -q flufeedsrc host=127.0.0.1 port="$feed" ! \
  fluhttpsink address=127.0.0.1 port="$port" mount-point=/live.webm \
  burst-on-connect=true burst-time=2000000000 header-timeout=0 \
  >"$tmp/srv.log" 2>&1 &
srv=$!
pids="$pids $srv"
wait_port "$port"
sleep 2

# 1. system calls
count_packets "$secs" >"$tmp/packets" &
cp=$!
timeout -s INT "$secs" strace -c -f -p "$srv" -o "$tmp/strace" 2>/dev/null || true
wait "$cp"
packets=$(cat "$tmp/packets")
echo "build $build: $packets packets in $secs s"
awk -v p="$packets" '
  $1 ~ /^[0-9.]+$/ && NF >= 5 {
    name = $NF; calls = $4
    if (name != "total") printf "  %-14s %8d  %6.2f/packet\n", name, calls, calls / p
    else total = calls
  }
  END { printf "  %-14s %8d  %6.2f/packet\n", "total", total, total / p }' "$tmp/strace"
sleep 1

# 2. CPU, no tracer
set -- $(thread_ns "$srv" flufeedsrc) ; t0=$1 w0=$2
set -- $(thread_ns "$srv" "") ; a0=$1
count_packets "$secs" >"$tmp/packets"
set -- $(thread_ns "$srv" flufeedsrc) ; t1=$1 w1=$2
set -- $(thread_ns "$srv" "") ; a1=$1
packets=$(cat "$tmp/packets")
awk -v t="$((t1 - t0))" -v w="$((w1 - w0))" -v a="$((a1 - a0))" -v s="$secs" \
    -v p="$packets" 'BEGIN {
  printf "  flufeedsrc thread %.2f ms/s (%.1f us/packet, %.1f wake-ups/s), process %.2f ms/s = %.3f%% of a core\n",
    t / s / 1e6, t / p / 1e3, w / s, a / s / 1e6, a / s / 1e7 }'
echo "  load average: $(cut -d" " -f1-3 /proc/loadavg)"
