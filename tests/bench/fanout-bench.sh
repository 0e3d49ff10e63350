#!/bin/sh
# Fan-out benchmark: the same synthetic 2 Mbit/s keyframed stream (25
# buffers/s, a keyframe every 2 s) served through flumultifdsink, the stock
# multifdsink and the stock multisocketsink (what tcpserversink uses), one
# after the other in one run, to 100, 1000 and 5000 TCP clients on
# loopback.  Per element and client count it prints:
#   cpu_s/GB   server CPU seconds (user+sys) per GB delivered
#   rss_MB     server peak RSS
#   KB/client  (peak RSS - RSS before the clients came) / clients
#   behind     clients dropped, or that got under 90% of the median in
#              the last 2 s of the run (the stream is constant-rate)
# and the CPU-per-byte ratio ours/stock.  Not a test: figures only.
#
#   tests/bench/fanout-bench.sh [BUILD_DIR] [SECONDS] [CLIENT COUNTS...]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
secs=${2:-8}
shift 2 2>/dev/null || shift $#
counts=${*:-100 1000 5000}
server=$build/tests/bench/flu-fanout-server
client=$build/tests/bench/flu-loadclient
[ -x "$server" ] || { echo "build first: ninja -C $build" >&2; exit 1; }
export GST_PLUGIN_PATH="$build/gst/multifd"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
hz=$(getconf CLK_TCK)
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

# "flumultifdsink@100ms" is flumultifdsink with coalesce-time=100ms: each
# client gets its data in larger, rarer writes (100 ms of added latency)
opts_for () {
  case "$1" in
    *@100ms) echo "--set coalesce-time=100000000" ;;
  esac
}

cpu_ticks () { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb () { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
hwm_kb () { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }

printf '%-20s %7s %9s %8s %10s %7s %9s %9s\n' element clients cpu_s/GB \
  rss_MB KB/client behind ttfb_med setup/s
for n in $counts; do
  for el in flumultifdsink flumultifdsink@100ms multifdsink multisocketsink; do
    # the background shell truncates the file only when it gets to run:
    # remove it first so the previous server's PORT line is never read
    rm -f "$tmp/srv"
    "$server" --sink "${el%%@*}" $(opts_for "$el") --set sync-method=burst-keyframe \
      --set burst-format=time --set burst-value=2000000000 \
      --set time-min=2000000000 > "$tmp/srv" 2>&1 &
    pid=$!
    i=0
    while ! grep -q '^PORT' "$tmp/srv" 2>/dev/null && [ $i -lt 300 ]; do
      sleep 0.1; i=$((i + 1)); done
    port=$(awk '/^PORT/{print $2}' "$tmp/srv")
    if [ -z "$port" ]; then
      if kill -0 $pid 2>/dev/null; then
        echo "$el: server still silent after 30 s: $(cat "$tmp/srv")" >&2
        kill $pid 2>/dev/null || true
      else
        wait $pid && st=0 || st=$?
        echo "$el: server exited ($st) before listening: $(cat "$tmp/srv")" >&2
      fi
      continue
    fi
    sleep 2.5   # let the ring fill past the 2 s burst
    rss0=$(rss_kb $pid); c0=$(cpu_ticks $pid)
    "$client" --port "$port" --clients "$n" --seconds "$secs" > "$tmp/cl"
    c1=$(cpu_ticks $pid); hwm=$(hwm_kb $pid)
    kill $pid; wait $pid 2>/dev/null || true
    eval "$(tr ' ' '\n' < "$tmp/cl" | grep = | sed 's/^/L_/')"
    if [ "${L_bytes:-0}" = 0 ]; then
      echo "$el at $n clients delivered nothing: $(cat "$tmp/cl"); server said: $(cat "$tmp/srv")" >&2
    fi
    awk -v el="$el" -v n="$n" -v c="$((c1 - c0))" -v hz="$hz" \
      -v bytes="$L_bytes" -v hwm="$hwm" -v rss0="$rss0" -v behind="$L_behind" \
      -v ttfb="$L_ttfb_med_ms" -v rate="$L_setup_rate" 'BEGIN {
        cpu = c / hz; gb = bytes / 1e9;
        printf "%-20s %7d %9.2f %8.1f %10.2f %7d %7.1fms %9.0f\n", el, n,
          (gb > 0 ? cpu / gb : -1), hwm / 1024, (hwm - rss0) / n, behind,
          ttfb, rate }' | tee -a "$tmp/rows"
  done
  awk -v n="$n" '$2 == n { cpu[$1] = $3 } END {
    split("flumultifdsink flumultifdsink@100ms", ours, " ");
    for (i = 1; i <= 2; i++)
      if (cpu["multifdsink"] > 0 && cpu["multisocketsink"] > 0)
        printf "  cpu/GB ratio at %d clients: %s/multifdsink %.2f, /multisocketsink %.2f\n",
          n, ours[i], cpu[ours[i]] / cpu["multifdsink"],
          cpu[ours[i]] / cpu["multisocketsink"] }' "$tmp/rows"
done
