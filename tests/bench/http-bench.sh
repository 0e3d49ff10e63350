#!/bin/sh
# HTTP streaming benchmark: one live VP8 WebM stream (encoded once, in a
# separate producer process, carried to each server over GDP so caps and
# stream headers survive) served by
#   fluhttpsink     (this project: libsoup front, flumultifdsink behind)
#   tcpserversink   (stock GStreamer, raw TCP, no HTTP)
#   icecast2        (Debian's Icecast 2, fed by shout2send)
#   floor           (tests/bench/flu-floor --gdp: the physical floor, reads
#                    the same feed, keeps the buffers' bytes (not the GDP
#                    framing: its viewers get as many bytes as ours) and
#                    send()s each 500 ms chunk to every viewer, nothing else)
#   feedsink        (flufeedsrc ! fluhttpsink: our feed reader in front
#                    instead of the issue's tcpclientsrc ! gdpdepay; fewer
#                    reads per packet and no per-read GCancellable fd, a
#                    lower fixed cost at ~1.6 Mbit/s)
# one after the other in one run, to N viewers on loopback, measured with
# tests/bench/flu-loadclient (epoll), for each read pattern (PATTERNS):
#   all     connect as fast as the server accepts, read from the first byte
#   ramp    connect at 2,500/s, read nothing until all are connected
#   slow    read each viewer at 64 kB/s
#   mix     10% of the viewers never read a byte, the others read
# (tcpserversink and icecast2 run the "all" row only unless
# ALL_PATTERNS=1).  Per server, pattern and viewer count it prints:
#   idle%      server CPU in % of one core with the stream running and no
#              viewer (over 2.5 s before the viewers come): the fixed part
#   kbit/s     stream bytes a viewer got per second in the steady state
#   cpu_s/GB   server CPU seconds (user+sys) per GB delivered (for Icecast,
#              plus its shout2send source client), viewers' setup included
#              (schedstat of every thread: exact; the ticks of
#              /proc/PID/stat if a thread ended during the run)
#   steady/GB  the same in the steady state: server CPU over 2 s ending
#              0.5 s before the viewers leave, bytes of the last 2 s
#   rss_MB     server peak RSS
#   idle_MB    server RSS just before the viewers come (the stream running)
#   KB/viewer  (peak RSS - idle RSS) / viewers (every viewer asked for)
#   after_MB   server RSS 3 s after the viewers left
#   behind     viewers that got under 90% of the median bytes in the last
#              2 s, or dropped, or failed to connect
#   unserved   viewers without a byte of stream at the end (still waiting
#              to be accepted, or accepted and never served)
#   ttfb_med / ttfb_p99   connect to first body byte (the stream headers and
#              the keyframe the burst starts on), over every viewer asked
#              for: an unserved viewer counts as waiting longer than the
#              run (">8s")
#   setup/s    connections established per second
# Not a test: figures only.
#
#   tests/bench/http-bench.sh [BUILD_DIR] [SECONDS] [VIEWER COUNTS...]
# SERVERS="fluhttpsink icecast2" picks servers, PATTERNS="all ramp" read
# patterns; KEEP=1 keeps the logs; FLU_PROPS="coalesce-time=..." adds
# fluhttpsink properties; STREAMS="ball snow:256x144" runs every row set
# once per stream, each PATTERN[:WxH] (videotestsrc pattern, picture size,
# 640x360 by default) at a 1 Mbit/s target: the ball comes out at
# ~75 kbit/s whatever the target (fixed costs dominate), noise at 256x144
# at ~1 Mbit/s (the issue's bitrate), at 640x360 at ~5 Mbit/s; default
# STREAMS=${FLU_SRC_PATTERN:-ball}.  The kbit/s column shows what came.  After each
# viewer count, the CPU-per-GB ratio of fluhttpsink to the floor, per
# stream and pattern, and the viewers' share: the same ratio with each
# server's idle rate over the run taken off its CPU first (the fixed cost
# of reading the stream: stock tcpclientsrc ! gdpdepay in front of
# fluhttpsink, a read loop in the floor), what serving the viewers costs.  TOOLS=DIR takes flu-loadclient and flu-floor from
# another build (DIR/tests/bench), e.g. to measure an older build's
# plugins with this bench.
#
# On a loaded machine (CPU time of a process grows when other processes
# share its cores: cache and TLB misses, frequency), REPEAT=N runs each
# pattern N times with the servers interleaved (fluhttpsink, floor,
# fluhttpsink, floor, ...: each pair at nearly the same moment), and the
# ratios printed are the medians of the N pairwise ratios.  Where the CPU
# has usable performance counters (perf stat -e instructions:u,
# instructions:k works: not in most VMs), each row also gets the server's
# instructions per GB (insn/GB, user + kernel, counted by perf stat -p
# over the client's run), which the load does not inflate, and the
# summary the ratio of those; else insn/GB is -1.  PERF_RECORD=DIR writes
# a call-graph profile (perf record -g, sampling) of each fluhttpsink run
# to DIR/fluhttpsink-PATTERN-N-REP.data.  SYSCALLS=1 prints under each
# row the server's system calls per viewer per second over the client's
# run, by kind (perf stat on the syscall tracepoints: counts, which the
# load does not change either).  perf: Debian's linux-perf.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
secs=${2:-8}
shift 2 2>/dev/null || shift $#
counts=${*:-1000 5000}
tools=${TOOLS:-$build}
client=$tools/tests/bench/flu-loadclient
floor=$tools/tests/bench/flu-floor
[ -x "$client" ] && [ -x "$floor" ] || {
  echo "build first: ninja -C $build" >&2; exit 1; }
export GST_PLUGIN_PATH="$build/gst/multifd:$build/ext/soup:$build/gst/feed"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
hz=$(getconf CLK_TCK)
. "$(dirname "$0")/bench-lib.sh"
bench_tmp http-bench
# perf stat with instruction counters, if this machine has them
perf_insns=""
if [ -n "${SYSCALLS:-}${PERF_RECORD:-}" ] && ! command -v perf >/dev/null; then
  echo "SYSCALLS and PERF_RECORD need perf (Debian: apt-get install linux-perf)" >&2
  exit 1
fi
if command -v perf >/dev/null &&
    perf stat -x, -e instructions:u,instructions:k true 2>&1 >/dev/null |
    grep -q '^[0-9]'; then
  perf_insns=1
fi
cpu_ticks () { awk '{print $14 + $15}' "/proc/$1/stat"; }
server_ticks () {
  t=$(cpu_ticks "$srv")
  [ -n "$shoutpid" ] && t=$((t + $(cpu_ticks "$shoutpid")))
  echo "$t"
}
hwm_kb () { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }
# nanoseconds on CPU of every thread of a process (schedstat: finer than
# the clock ticks of /proc/PID/stat, which a 2 s window needs)
cpu_ns () { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
server_ns () {
  t=$(cpu_ns "$srv")
  [ -n "$shoutpid" ] && t=$((t + $(cpu_ns "$shoutpid")))
  echo "$t"
}
# "tid ns" per thread of the server (and Icecast's source client), for
# the whole run's CPU: exact where the ticks of /proc/PID/stat are
# 10 ms (about 4% of a run's CPU at 1,000 viewers).  A thread that ends
# during the run takes its time with it: run_ns then says -1 and the
# row falls back to the ticks (which keep dead threads' time).
server_threads_ns () {
  for p in $srv $shoutpid; do
    for t in /proc/"$p"/task/*; do
      echo "$p.${t##*/} $(awk '{print $1}' "$t/schedstat" 2>/dev/null)"
    done
  done
}
run_ns () {
  awk 'NR == FNR { a[$1] = $2; next } { if ($1 in a) { s += $2 - a[$1];
      delete a[$1] } else s += $2 }
    END { n = 0; for (k in a) n++; if (n) print -1; else printf "%.0f\n", s }' \
    "$1" "$2"
}

# the producer: VP8 WebM (target 1 Mbit/s: see STREAMS), keyframe every 2 s
prodpid=""
start_producer () {
  [ -n "$prodpid" ] && { kill "$prodpid" 2>/dev/null || true; }
  feed=$(free_port)
  size=${1#*:}
  [ "$size" = "$1" ] && size=640x360
  gst-launch-1.0 -q videotestsrc is-live=true pattern="${1%%:*}" ! \
    video/x-raw,width="${size%x*}",height="${size#*x}",framerate=25/1 ! \
    vp8enc deadline=1 keyframe-max-dist=50 target-bitrate=1000000 ! \
    webmmux streamable=true ! gdppay ! \
    tcpserversink host=127.0.0.1 port="$feed" sync=false >"$tmp/producer.log" 2>&1 &
  prodpid=$!
  pids="$pids $prodpid"
  wait_port "$feed"
  src="tcpclientsrc host=127.0.0.1 port=$feed ! gdpdepay"
}

start_server () {
  kind=$1 port=$2
  case $kind in
    fluhttpsink)
      gst-launch-1.0 -q $src ! fluhttpsink address=127.0.0.1 port="$port" \
        mount-point=/live.webm burst-on-connect=true burst-time=2000000000 \
        header-timeout=0 ${FLU_PROPS:-} >"$tmp/srv.log" 2>&1 &
      path=/live.webm ;;
    feedsink)
      gst-launch-1.0 -q flufeedsrc host=127.0.0.1 port="$feed" ! \
        fluhttpsink address=127.0.0.1 port="$port" \
        mount-point=/live.webm burst-on-connect=true burst-time=2000000000 \
        header-timeout=0 ${FLU_PROPS:-} >"$tmp/srv.log" 2>&1 &
      path=/live.webm ;;
    tcpserversink)
      gst-launch-1.0 -q $src ! tcpserversink host=127.0.0.1 port="$port" \
        sync=false sync-method=burst-keyframe burst-format=time \
        burst-value=2000000000 time-min=2000000000 >"$tmp/srv.log" 2>&1 &
      path="" ;;
    floor)
      "$floor" --host 127.0.0.1 --port "$port" --source-port "$feed" \
        --coalesce-ms 500 --gdp >"$tmp/srv.log" 2>&1 &
      path=/live.webm ;;
    icecast2)
      mkdir -p "$tmp/ice"
      chown nobody:nogroup "$tmp/ice" 2>/dev/null || true
      cat > "$tmp/icecast.xml" <<XML
<icecast>
  <limits><clients>20000</clients><sources>2</sources>
    <queue-size>2097152</queue-size><burst-size>262144</burst-size></limits>
  <authentication><source-password>bench</source-password>
    <admin-user>admin</admin-user><admin-password>bench</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>$port</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>0</fileserve>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>$tmp/ice</logdir>
    <webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>1</loglevel></logging>
  <security><chroot>0</chroot><changeowner><user>nobody</user><group>nogroup</group></changeowner></security>
</icecast>
XML
      icecast2 -c "$tmp/icecast.xml" >"$tmp/srv.log" 2>&1 &
      srv=$!
      wait_port "$port"
      gst-launch-1.0 -q $src ! shout2send ip=127.0.0.1 port="$port" \
        password=bench mount=/live.webm sync=false >"$tmp/shout.log" 2>&1 &
      pids="$pids $!"
      shoutpid=$!
      path=/live.webm
      return ;;
  esac
  srv=$!
}

pattern_args () {
  case $1 in
    all) echo "" ;;
    ramp) echo "--rate 2500 --read-after-all" ;;
    slow) echo "--read-rate 65536" ;;
    mix) echo "--never-pct 10" ;;
    *) echo "unknown pattern $1" >&2; exit 2 ;;
  esac
}

printf '%-14s %-12s %-5s %7s %6s %7s %9s %9s %8s %8s %9s %8s %7s %9s %9s %9s %9s %9s\n' \
  server stream read viewers idle% kbit/s cpu_s/GB steady/GB rss_MB idle_MB \
  KB/viewer after_MB behind unserved ttfb_med ttfb_p99 setup/s insn/GB
for stream in ${STREAMS:-${FLU_SRC_PATTERN:-ball}}; do
  start_producer "$stream"
for n in $counts; do
  : > "$tmp/cpu"
  for pattern in ${PATTERNS:-all ramp slow mix}; do
  rep=0
  while [ $rep -lt "${REPEAT:-1}" ]; do
  rep=$((rep + 1))
  for kind in ${SERVERS:-fluhttpsink feedsink floor tcpserversink icecast2}; do
    if [ $kind = icecast2 ] && ! command -v icecast2 >/dev/null; then
      continue
    fi
    case $kind in
      tcpserversink|icecast2)
        [ "$pattern" = all ] || [ -n "${ALL_PATTERNS:-}" ] || continue ;;
    esac
    port=$(free_port)
    shoutpid=""
    start_server $kind "$port"
    pids="$pids $srv"
    wait_port "$port"
    # let the stream (and the burst) build up; the fixed cost meanwhile
    sleep 1
    i0=$(server_ns)
    sleep 2.5
    i1=$(server_ns)
    # Icecast needs a separate source client: its CPU counts too, as the
    # feed reading in the GStreamer servers' own process does.
    c0=$(server_ticks)
    server_threads_ns > "$tmp/ns0"
    w0=$(date +%s.%N)
    rss0=$(awk '/^VmRSS/{print $2}' "/proc/$srv/status")
    # shellcheck disable=SC2046
    if [ -n "$path" ]; then
      "$client" --port "$port" --clients "$n" --seconds "$secs" --http "$path" \
        $(pattern_args "$pattern") > "$tmp/cl" &
    else
      "$client" --port "$port" --clients "$n" --seconds "$secs" \
        $(pattern_args "$pattern") > "$tmp/cl" &
    fi
    clpid=$!
    perfpid="" scpid=""
    if [ -n "${SYSCALLS:-}" ]; then
      perf stat -x, -o "$tmp/sysc" -p "$srv" -e raw_syscalls:sys_enter \
        $(for s in sendmsg sendto writev write read recvfrom epoll_wait \
          epoll_ctl futex setsockopt accept4 close; do
          printf ' -e syscalls:sys_enter_%s' $s; done) 2>/dev/null &
      scpid=$!
    fi
    if [ -n "$perf_insns" ]; then
      perf stat -x, -e instructions:u,instructions:k -p "$srv" \
        -o "$tmp/insns" 2>/dev/null &
      perfpid=$!
    elif [ -n "${PERF_RECORD:-}" ] && [ $kind = fluhttpsink ]; then
      mkdir -p "$PERF_RECORD"
      perf record -q -g -p "$srv" \
        -o "$PERF_RECORD/$kind-$pattern-$n-$rep.data" >/dev/null 2>&1 &
      perfpid=$!
    fi
    # the steady state, without the cost of setting the viewers up or of
    # their leaving: CPU over 2 s ending 0.5 s before the client's end,
    # bytes over the client's last 2 s (window_bytes)
    sleep "$((secs - 3)).5"
    cm=$(server_ns)
    sleep 2
    ce=$(server_ns)
    wait "$clpid"
    c1=$(server_ticks)
    server_threads_ns > "$tmp/ns1"
    w1=$(date +%s.%N)
    cns=$(run_ns "$tmp/ns0" "$tmp/ns1")
    if [ -n "$scpid" ]; then
      kill -INT "$scpid" 2>/dev/null || true
      wait "$scpid" 2>/dev/null || true
      awk -F, -v n="$n" -v secs="$secs" '$1 ~ /^[0-9]/ {
          e = $3; sub(/.*:(sys_enter_)?/, "", e)
          o = o sprintf(" %s %.2f", e, $1 / n / secs) }
        END { print "    syscalls/viewer/s:" o }' "$tmp/sysc" > "$tmp/sysc.line"
    fi
    insns=-1
    if [ -n "$perfpid" ]; then
      kill -INT "$perfpid" 2>/dev/null || true
      wait "$perfpid" 2>/dev/null || true
      [ -n "$perf_insns" ] && insns=$(awk -F, '$3 ~ /^instructions/ &&
        $1 ~ /^[0-9]/ {s += $1} END {printf "%.0f\n", s + 0}' "$tmp/insns")
    fi
    hwm=$(hwm_kb $srv)
    sleep 3   # the viewers are gone: what is left
    after=$(awk '/^VmRSS/{print $2}' "/proc/$srv/status")
    [ -n "$shoutpid" ] && kill "$shoutpid" 2>/dev/null || true
    kill "$srv"; wait "$srv" 2>/dev/null || true
    eval "$(tr ' ' '\n' < "$tmp/cl" | grep = | sed 's/^/L_/')"
    awk -v k="$kind" -v n="$n" -v c="$((c1 - c0))" -v hz="$hz" -v cns="$cns" \
      -v bytes="$L_bytes" -v hwm="$hwm" -v rss0="$rss0" -v behind="$L_behind" \
      -v unserved="$L_unserved" -v secs="$secs" \
      -v failed="$L_failed" -v after="$after" -v pat="$pattern" \
      -v cpuf="$tmp/cpu" -v cm="$((ce - cm))" -v wbytes="$L_window_bytes" \
      -v t50="$L_ttfb_med_ms" -v t99="$L_ttfb_p99_ms" -v rate="$L_setup_rate" \
      -v insns="$insns" -v rep="$rep" -v idle="$((i1 - i0))" \
      -v stream="$stream" -v wall="$(echo "$w0 $w1" | awk '{print $2 - $1}')" \
      'BEGIN {
        cpu = cns >= 0 ? cns / 1e9 : c / hz; gb = bytes / 1e9;
        # the share of the viewers: the CPU the server would have taken over
        # the run with no viewer (idle, the fixed cost of reading the stream)
        # taken off
        share = cpu - idle / 2.5e9 * wall;
        # a percentile that falls on an unserved viewer: longer than the run
        m = (t50 < 0 ? sprintf(">%ds", secs) : sprintf("%.1fms", t50));
        p = (t99 < 0 ? sprintf(">%ds", secs) : sprintf("%.1fms", t99));
        wgb = wbytes / 1e9; steady = (wgb > 0 ? cm / 1e9 / wgb : -1);
        ipg = (insns > 0 && gb > 0 ? insns / gb : -1);
        kbps = (n > 0 ? wbytes * 8 / 2 / n / 1000 : 0);
        printf "%-14s %-12s %-5s %7d %6.2f %7.0f %9.2f %9.2f %8.1f %8.1f %9.2f %8.1f %7d %9d %9s %9s %9.0f %9.3g\n",
          k, stream, pat, n, idle / 2.5e9 * 100, kbps,
          (gb > 0 ? cpu / gb : -1), steady, hwm / 1024,
          rss0 / 1024, (hwm - rss0) / n, after / 1024,
          behind + failed, unserved, m, p, rate, ipg;
        printf "%s %s %.6f %.6f %d %.6g %.6f\n", k, pat,
          (gb > 0 ? cpu / gb : -1), steady, rep, ipg,
          (gb > 0 && share > 0 ? share / gb : -1) >> cpuf }'
    [ -n "$scpid" ] && cat "$tmp/sysc.line"
  done
  done
  done
  # per pattern, the median over the repeats of fluhttpsink/floor (each
  # repeat's pair run back to back)
  awk -v n="$n" -v stream="$stream" '
    function median(a, m,   i, j, t) {
      for (i = 2; i <= m; i++)
        for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
          t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return (m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2) }
    { k = $2 " " $5; c[$1 " " k] = $3; s[$1 " " k] = $4; g[$1 " " k] = $6
      v[$1 " " k] = $7
      p[$2] = 1; if ($5 > r[$2]) r[$2] = $5 }
    END { ns = split("fluhttpsink feedsink", srvs, " ")
      for (q in p) for (j = 1; j <= ns; j++) {
      sv = srvs[j]; mc = ms = mi = mv = 0
      for (i = 1; i <= r[q]; i++) {
        k = q " " i
        if (c["floor " k] > 0 && (sv " " k) in c)
          vc[++mc] = c[sv " " k] / c["floor " k]
        if (s["floor " k] > 0 && s[sv " " k] > 0)
          vs[++ms] = s[sv " " k] / s["floor " k]
        if (g["floor " k] > 0 && g[sv " " k] > 0)
          vi[++mi] = g[sv " " k] / g["floor " k]
        if (v["floor " k] > 0 && v[sv " " k] > 0)
          vv[++mv] = v[sv " " k] / v["floor " k] }
      if (mc == 0) continue
      printf "  cpu/GB ratio at %d viewers, %s, %s: %s/floor %.2f, steady %.2f, insn %.2f, viewers%s share %.2f (median of %d)\n",
        n, stream, q, sv, median(vc, mc), (ms ? median(vs, ms) : -1),
        (mi ? median(vi, mi) : -1), "\047", (mv ? median(vv, mv) : -1),
        mc } }' "$tmp/cpu"
done
done
