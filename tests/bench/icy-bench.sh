#!/bin/sh
# ICY metadata cost: one 320 kbit/s MP3 stream (encoded in a separate
# producer process, carried over GDP) served by fluhttpsink, read on
# loopback by flu-loadclient viewers, plain and ICY ones (--icy:
# Icy-MetaData: 1, icy-metaint 16000 by default, the title from the
# producer's tags).  Rows, same total viewers:
#   plain=P+N icy=0     every viewer plain
#   plain=P   icy=N     N of them ICY
#   plain=P   icy=0     the plain ones alone
# Per row: server CPU seconds (every thread, schedstat) per GB delivered,
# the bytes per plain and per ICY viewer.  Plain viewers cost the same
# with ICY viewers present when the first two rows' cpu_s/GB match; the
# ICY viewers' own writes are cut at each metaint boundary (one more
# sendmsg() per 16000 bytes), their blocks are shared, never copied.
# Not a test: figures only.
#
#   tests/bench/icy-bench.sh [BUILD_DIR] [SECONDS] [PLAIN] [ICY]
# FLU_PROPS="icy-metaint=8192 ..." adds fluhttpsink properties.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
secs=${2:-8}
plain=${3:-500}
icy=${4:-500}
client=$build/tests/bench/flu-loadclient
[ -x "$client" ] || { echo "build first: ninja -C $build" >&2; exit 1; }
export GST_PLUGIN_PATH="$build/gst/multifd:$build/ext/soup"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
. "$(dirname "$0")/bench-lib.sh"
bench_tmp icy-bench
cpu_ns () { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }

feed=$(free_port)
gst-launch-1.0 -q audiotestsrc is-live=true wave=white-noise ! \
  audio/x-raw,rate=44100,channels=2 ! lamemp3enc target=bitrate bitrate=320 \
  cbr=true ! taginject tags='title="Bench",artist="Band"' ! gdppay ! \
  tcpserversink host=127.0.0.1 port="$feed" sync=false \
  >"$tmp/producer.log" 2>&1 &
pids="$pids $!"
wait_port "$feed"
port=$(free_port)
# shellcheck disable=SC2086
gst-launch-1.0 -q tcpclientsrc host=127.0.0.1 port="$feed" ! gdpdepay ! \
  fluhttpsink address=127.0.0.1 port="$port" mount-point=/radio.mp3 \
  burst-on-connect=true burst-time=2000000000 header-timeout=0 \
  ${FLU_PROPS:-} >"$tmp/srv.log" 2>&1 &
srv=$!
pids="$pids $srv"
wait_port "$port"
sleep 3

printf '%-8s %-6s %9s %12s %12s\n' plain icy cpu_s/GB plain_MB/v icy_MB/v
row () {
  np=$1 ni=$2
  c0=$(cpu_ns "$srv")
  "$client" --port "$port" --clients "$np" --seconds "$secs" \
    --http /radio.mp3 >"$tmp/plain" &
  a=$!
  if [ "$ni" -gt 0 ]; then
    "$client" --port "$port" --clients "$ni" --seconds "$secs" \
      --http /radio.mp3 --icy >"$tmp/icy" &
    b=$!
  else
    echo "bytes=0" >"$tmp/icy"
    b=""
  fi
  wait $a
  [ -n "$b" ] && wait "$b"
  c1=$(cpu_ns "$srv")
  pb=$(tr ' ' '\n' <"$tmp/plain" | sed -n 's/^bytes=//p')
  ib=$(tr ' ' '\n' <"$tmp/icy" | sed -n 's/^bytes=//p')
  awk -v np="$np" -v ni="$ni" -v c="$((c1 - c0))" -v pb="$pb" -v ib="$ib" \
    'BEGIN { gb = (pb + ib) / 1e9;
      printf "%-8d %-6d %9.2f %12.2f %12.2f\n", np, ni, c / 1e9 / gb,
        pb / np / 1e6, (ni > 0 ? ib / ni / 1e6 : 0) }'
  sleep 2
}
row "$((plain + icy))" 0
row "$plain" "$icy"
row "$plain" 0
