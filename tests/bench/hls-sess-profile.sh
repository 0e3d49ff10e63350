#!/bin/sh
# Profile of hls-bench's "fluhlssink HLS, sessions" row (not run by CI):
# the same encoder, sessions server and VIEWERS (1000) kept-alive polling
# viewers, with `perf record -g` on the server for DURATION (20) s after
# the ramp (PERF_CG="--call-graph dwarf" for user-space stacks); prints the top of `perf report` (self and children) and the
# server's CPU ticks per GB served.
#   FLU_BUILD_DIR=build sh tests/bench/hls-sess-profile.sh  (PERF_OUT=dir
#                                      keeps perf.data there)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/e2e/lib.sh"
build=${FLU_BUILD_DIR:-$top/build}
for d in gst/feed gst/multifd ext/soup; do
  GST_PLUGIN_PATH_1_0="$build/$d${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
done
export GST_PLUGIN_PATH_1_0
need flufeedsink flufeedsrc fluhlssink x264enc mpegtsmux h264parse
command -v perf >/dev/null || fail "perf is not installed"
poll="$build/tests/check/soup/flu-hlspoll"
viewers=${VIEWERS:-1000} secs=${DURATION:-20} ramp=${RAMP:-5}
out=${PERF_OUT:-$E2E_TMP}
fport=$(free_port)
start_bg enc gst-launch-1.0 -q videotestsrc is-live=true pattern=ball ! \
  video/x-raw,format=I420,width=640,height=360,framerate=25/1 ! \
  x264enc tune=zerolatency speed-preset=ultrafast key-int-max=50 \
  bitrate=800 ! h264parse config-interval=-1 ! \
  video/x-h264,stream-format=byte-stream,alignment=au ! \
  flufeedsink port="$fport" host=127.0.0.1 burst-time=0
wait_listen "$fport" 10 || fail "encoder"
start_server sess flufeedsrc hosts=127.0.0.1:$fport ! \
  queue max-size-time=3000000000 ! mpegtsmux ! fluhlssink port=0 \
  mount-point=/sess/ part-target=0 client-limit=100000
pid=${E2E_PIDS##* }
sleep 10
"$poll" --viewers "$viewers" --seconds $((ramp + secs)) --ramp "$ramp" \
  --source-addrs "http://127.0.0.1:$PORT_sess/sess/index.m3u8" \
  >"$E2E_TMP/poll.out" 2>"$E2E_TMP/poll.err" &
ppid=$!
sleep "$ramp"
t0=$(cut -d' ' -f14,15 "/proc/$pid/stat" | tr ' ' '+' | bc)
perf record -q ${PERF_CG:--g} -p "$pid" -o "$out/perf.data" -- sleep "$secs" 2>/dev/null
t1=$(cut -d' ' -f14,15 "/proc/$pid/stat" | tr ' ' '+' | bc)
wait $ppid || fail "flu-hlspoll: $(cat "$E2E_TMP/poll.err")"
cat "$E2E_TMP/poll.out"
echo "server ticks during perf: $((t1 - t0)) ($(getconf CLK_TCK)/s)"
perf report -i "$out/perf.data" --no-children --percent-limit 0.7 \
  --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60
perf report -i "$out/perf.data" --children --percent-limit 2 \
  --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60
