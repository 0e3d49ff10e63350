#!/bin/sh
# HLS serving benchmark (not run by CI): one encoder process (H.264,
# x264enc tune=zerolatency, a keyframe every 2 s) feeds, over flufeedsink,
# three servers that run side by side:
#   fluhlssink LL-HLS   flufeedsrc ! mpegtsmux ! fluhlssink part-target=333 ms
#   fluhlssink HLS      the same, part-target=0
#   fluhlssink HLS, sessions  the same with sessions on (client-limit=
#                       100000: a session per viewer, its token in the
#                       playlist's URIs and a cookie that flu-hlspoll
#                       sends back; keep-alive row only)
#   hlssink2 + nginx    flufeedsrc ! h264parse ! hlssink2 writing to a tmpfs
#                       directory, served by nginx (tests/e2e/nginx-lib.sh)
#   fluhlssink LL behind nginx  the LL origin with the edge of
#                       docs/hls-edge-nginx.conf in front (CPU: both;
#                       and nginx's share alone as a row of its own:
#                       nginx serving the same LL-HLS, the like-for-like
#                       yardstick of the LL-HLS row, printed as a ratio)
# and, one row after the other, VIEWERS (1000) polling viewers
# (flu-hlspoll: plain viewers reload the playlist every half target and
# fetch each new segment; LL viewers make blocking reloads and fetch each
# part) read each for DURATION (20) s after a ramp of RAMP (5) s, each
# viewer on one kept-alive connection (as players do), then, unless
# CLOSE_ROWS=0, the three servers again with one connection per request
# (flu-hlspoll --close).
# Per row: serving CPU (the server processes' CPU from /proc during the
# run, minus what they use with no viewer, measured just before: the
# feed reading and muxing of the fluhlssink processes, hlssink2's own
# process is not counted), CPU seconds per GB served and per viewer,
# the peak RSS (for nginx + hlssink2: nginx's processes plus the tmpfs
# files), and the age of each segment or part when its last byte reached
# a viewer (wall clock minus its EXT-X-PROGRAM-DATE-TIME end: for parts,
# part ready at the sink -> bytes at the client; hlssink2 writes no
# PROGRAM-DATE-TIME: n/a), with the ratios to hlssink2 + nginx.
#
#   sh tests/bench/hls-bench.sh     (VIEWERS=1000 DURATION=20 RAMP=5
#                                    BITRATE=800 kbit/s FLU_BUILD_DIR=build)
# The viewers run on the same cores as the servers (a loaded 2-core box
# gives lower bounds of what a server can do).
# SYSCALLS=1 prints after each row the server's system calls per request
# served, by kind (perf stat on the syscall tracepoints over the viewers'
# run, ramp included, as the request count; perf: Debian's linux-perf).
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/e2e/lib.sh"
. "$top/tests/e2e/nginx-lib.sh"
build=${FLU_BUILD_DIR:-$top/build}
for d in gst/feed gst/multifd ext/soup; do
  GST_PLUGIN_PATH_1_0="$build/$d${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
done
export GST_PLUGIN_PATH_1_0
need flufeedsink flufeedsrc fluhlssink hlssink2 x264enc mpegtsmux h264parse
poll="$build/tests/check/soup/flu-hlspoll"
[ -x "$poll" ] || fail "$poll is not built (ninja -C $build)"
viewers=${VIEWERS:-1000} secs=${DURATION:-20}
ramp=${RAMP:-5} bitrate=${BITRATE:-800}
hz=$(getconf CLK_TCK)

fport=$(free_port)
start_bg enc gst-launch-1.0 -q videotestsrc is-live=true pattern=ball ! \
  video/x-raw,format=I420,width=640,height=360,framerate=25/1 ! \
  x264enc tune=zerolatency speed-preset=ultrafast key-int-max=50 \
  bitrate="$bitrate" ! h264parse config-interval=-1 ! \
  video/x-h264,stream-format=byte-stream,alignment=au ! \
  flufeedsink port="$fport" host=127.0.0.1 burst-time=0
wait_listen "$fport" 10 || { cat "$E2E_TMP/enc.log" >&2; fail "encoder"; }
feed="flufeedsrc hosts=127.0.0.1:$fport ! queue max-size-time=3000000000"
start_server ll $feed ! mpegtsmux ! fluhlssink port=0 mount-point=/ll/ \
  part-target=333000000 max-held=0
pid_ll=${E2E_PIDS##* }
start_server plain $feed ! mpegtsmux ! fluhlssink port=0 mount-point=/plain/ \
  part-target=0
pid_plain=${E2E_PIDS##* }
start_server sess $feed ! mpegtsmux ! fluhlssink port=0 mount-point=/sess/ \
  part-target=0 client-limit=100000
pid_sess=${E2E_PIDS##* }
shm=$(mktemp -d /dev/shm/flu-hls-bench.XXXXXX)
chmod 755 "$shm"
cleanup_shm () { rm -rf "$shm"; }
trap 'cleanup_shm; cleanup' EXIT INT TERM
start_bg hlssink2 gst-launch-1.0 -q $feed ! h264parse ! hls.video \
  hlssink2 name=hls location="$shm/seg%05d.ts" \
  playlist-location="$shm/index.m3u8" target-duration=2 playlist-length=5 \
  max-files=10
start_static "$shm"
static_pid=$NGINX_PID
start_edge "$PORT_ll"
edge_pid=$NGINX_PID
# wait for 4 segments everywhere (the LL playlist answers after one)
sleep 10
[ -s "$shm/index.m3u8" ] || { cat "$E2E_TMP/hlssink2.log" >&2; fail "hlssink2 wrote no playlist"; }

# with_children PID...: the pids and their children (nginx's workers)
with_children () {
  for p in "$@"; do
    echo "$p"
    pgrep -P "$p" || true
  done
}
ticks () {
  t=0
  for p in $(with_children "$@"); do
    set -- $(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null || echo "0 0")
    t=$((t + $1 + $2))
  done
  echo $t
}
rss_kb () {
  r=0
  for p in $(with_children "$@"); do
    k=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$p/status" 2>/dev/null)
    r=$((r + ${k:-0}))
  done
  echo $r
}

# row NAME URL MODE EXTRA_KB_DIR PID...  (MODE: ll or plain, with -close:
# one connection per request)
row () {
  name=$1 url=$2 mode=$3 extra=$4
  shift 4
  [ "$(status "$url")" = 200 ] || fail "$name: $url answers $(status "$url")"
  a=$(ticks "$@") a1=$(ticks "$1")
  sleep 5
  idle=$(( $(ticks "$@") - a )) idle1=$(( $(ticks "$1") - a1 ))
  flags=""
  case $mode in ll*) flags="--ll" ;; esac
  case $mode in *-close) flags="$flags --close" ;; esac
  # shellcheck disable=SC2086
  "$poll" --viewers "$viewers" --seconds $((ramp + secs)) --ramp "$ramp" \
    --source-addrs $flags "$url" >"$E2E_TMP/poll.out" 2>"$E2E_TMP/poll.err" &
  ppid=$!
  scpid=""
  if [ -n "${SYSCALLS:-}" ]; then
    perf stat -x, -o "$E2E_TMP/sysc" \
      -p "$(with_children "$@" | paste -sd, -)" -e raw_syscalls:sys_enter \
      $(for s in sendmsg sendto writev write sendfile64 read recvfrom \
        epoll_wait epoll_ctl poll ppoll futex accept4 close getpeername \
        setsockopt; do
        printf ' -e syscalls:sys_enter_%s' $s; done) 2>/dev/null &
    scpid=$!
  fi
  t0=$(date +%s.%N)
  a=$(ticks "$@") a1=$(ticks "$1")
  peak=0 peak1=0
  while kill -0 $ppid 2>/dev/null; do
    r=$(rss_kb "$@") r1=$(rss_kb "$1")
    [ -z "$extra" ] || r=$((r + $(du -sk "$extra" | cut -f1)))
    [ "$r" -gt "$peak" ] && peak=$r
    [ "$r1" -gt "$peak1" ] && peak1=$r1
    sleep 1
  done
  wait $ppid || fail "$name: flu-hlspoll failed: $(cat "$E2E_TMP/poll.out" "$E2E_TMP/poll.err")"
  if [ -n "$scpid" ]; then
    kill -INT "$scpid" 2>/dev/null || true
    wait "$scpid" 2>/dev/null || true
    reqs=$(tr ' ' '\n' <"$E2E_TMP/poll.out" | sed -n 's/^requests=//p')
    awk -F, -v n="${reqs:-0}" -v name="$name" '$1 ~ /^[0-9]/ && n > 0 {
        e = $3; sub(/.*:(sys_enter_)?/, "", e)
        o = o sprintf(" %s %.2f", e, $1 / n) }
      END { print name ": syscalls/request:" o }' "$E2E_TMP/sysc" >&2
  fi
  used=$(( $(ticks "$@") - a )) used1=$(( $(ticks "$1") - a1 ))
  t1=$(date +%s.%N)
  out=$(tr '\n' ' ' <"$E2E_TMP/poll.out")
  head -n 5 "$E2E_TMP/poll.err" >&2
  echo "$name|$out|$used|$idle|$t0|$t1|$peak" >>"$E2E_TMP/rows"
  # a row of several processes (the edge and its origin): the first
  # one's share too, as a row of its own
  [ $# -eq 1 ] || echo "  of which ${FIRST_NAME:-$1}|$out|$used1|$idle1|$t0|$t1|$peak1" >>"$E2E_TMP/rows"
  echo "$name: $out cpu_ticks=$used idle_ticks_5s=$idle peak_rss_kb=$peak" >&2
}

: >"$E2E_TMP/rows"
# a row per server with viewers keeping their connection (as players
# do), and, unless CLOSE_ROWS=0, again with a connection per request
for m in "" -close; do
  [ -z "$m" ] || [ "${CLOSE_ROWS:-1}" = 1 ] || continue
  c=""
  [ -z "$m" ] || c=", connection per request"
  row "fluhlssink LL-HLS$c" "http://127.0.0.1:$PORT_ll/ll/index.m3u8" "ll$m" "" "$pid_ll"
  row "fluhlssink HLS$c" "http://127.0.0.1:$PORT_plain/plain/index.m3u8" "plain$m" "" "$pid_plain"
  [ -n "$m" ] || row "fluhlssink HLS, sessions" "http://127.0.0.1:$PORT_sess/sess/index.m3u8" plain "" "$pid_sess"
  row "hlssink2 + nginx$c" "http://127.0.0.1:$STATIC_PORT/index.m3u8" "plain$m" "$shm" "$static_pid"
done
FIRST_NAME="the nginx edge alone (nginx serving the same LL-HLS)" \
  row "fluhlssink LL-HLS behind nginx" "http://127.0.0.1:$EDGE_PORT/ll/index.m3u8" ll "" "$edge_pid" "$pid_ll"

python3 - "$E2E_TMP/rows" "$hz" "$viewers" <<'PY'
import sys
rows = []
hz, n = float(sys.argv[2]), int(sys.argv[3])
for line in open(sys.argv[1]):
    name, out, used, idle, t0, t1, peak = line.strip().split("|")
    kv = dict(x.split("=", 1) for x in out.split() if "=" in x)
    dur = float(t1) - float(t0)
    cpu = max(0.0, (int(used) - int(idle) * dur / 5.0) / hz)
    gb = int(kv["bytes"]) / 1e9
    rows.append(dict(name=name, kv=kv, dur=dur, cpu=cpu, gb=gb,
                     per_gb=cpu / gb if gb else float("nan"),
                     per_viewer=1000 * cpu / dur / n, rss=int(peak) / 1024))
# ratios to hlssink2 + nginx with the same kind of viewers
def ref_of(r):
    close = r["name"].endswith("connection per request")
    return next(x for x in rows if x["name"].startswith("hlssink2") and
                x["name"].endswith("connection per request") == close)
print("| server | viewers | served Mbit/s | serving CPU, % of a core | CPU s/GB | ratio | CPU ms per viewer-second | ratio | peak RSS MB | ratio | PDT age at client, med / p95 ms | ready -> client, med / p95 ms | requests/s | connections | errors, gaps |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    kv = r["kv"]
    ref = ref_of(r)
    age = ("%s / %s" % (kv["age_med_ms"], kv["age_p95_ms"])
           if kv["age_med_ms"] != "na" else "n/a (no PDT)")
    ready = "%s / %s" % (kv["ready_med_ms"], kv["ready_p95_ms"])
    print("| %s | %s | %.0f | %.1f | %.2f | %.2f | %.3f | %.2f | %.1f | %.2f | %s | %s | %.0f | %s | %s, %s |" % (
        r["name"], kv["viewers"], 8 * r["gb"] * 1000 / r["dur"],
        100 * r["cpu"] / r["dur"], r["per_gb"], r["per_gb"] / ref["per_gb"],
        r["per_viewer"], r["per_viewer"] / ref["per_viewer"], r["rss"],
        r["rss"] / ref["rss"], age, ready, int(kv["requests"]) / r["dur"],
        kv.get("connections", "?"), kv["errors"], kv["gaps"]))
# LL-HLS served by us against the same LL-HLS (same viewers, same
# requests) served by nginx from its cache
ll = next((x for x in rows if x["name"] == "fluhlssink LL-HLS"), None)
edge = next((x for x in rows if x["name"].startswith("of which")), None)
if ll and edge and edge["per_gb"] > 0:
    print()
    print("LL-HLS, CPU s/GB: fluhlssink %.2f, nginx edge serving the same "
          "LL-HLS %.2f: ratio %.2f" % (ll["per_gb"], edge["per_gb"],
                                       ll["per_gb"] / edge["per_gb"]))
PY
