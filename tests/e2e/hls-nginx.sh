#!/bin/sh
# The cache path: Debian's nginx, configured by the recipe
# docs/hls-edge-nginx.conf (run unprivileged on a free port, its own
# prefix), in front of a fluhlssink LL-HLS origin.  A blocking reload
# through nginx waits for its part and returns with it; 500 LL-HLS
# viewers (tests/bench/flu-hlspoll --ll: blocking reloads, then every new
# part; each viewer on one kept-alive connection) and 100 plain HLS
# viewers (playlist every half target, every new segment) at once
# through nginx get every part or segment in order, with no error and no
# request sent again, what four of them got decodes (ffprobe), and the origin
# served each segment, part and blocking reload about once (nginx's log
# of upstream requests).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx-lib.sh"
need fluhlssink x264enc mpegtsmux
poll="${FLU_HLSPOLL:-${FLU_BUILD_ROOT:-build}/tests/check/soup/flu-hlspoll}"
[ -x "$poll" ] || fail "$poll is not built"

oport=$(free_port)
start_server origin videotestsrc is-live=true ! \
  video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! \
  x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 \
  bitrate=500 ! mpegtsmux ! \
  fluhlssink port="$oport" mount-point=/room1/ part-target=300000000
start_edge "$oport"
origin="http://127.0.0.1:$oport/room1/index.m3u8"
edge="http://127.0.0.1:$EDGE_PORT/room1/index.m3u8"
i=0
while [ "$(status "$edge")" != 200 ] && [ $i -lt 50 ]; do
  sleep 0.2
  i=$((i + 1))
done
[ "$(status "$edge")" = 200 ] || { cat "$EDGE_DIR/error.log" >&2; \
  fail "no playlist through nginx: $(status "$edge")"; }
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') in front of fluhlssink, playlist 200"

# a blocking reload through nginx for the part the origin hints at now:
# held until the part exists, then the playlist listing it; the same URL
# again comes from the cache
hint=$(curl -s --max-time 5 "$origin" | \
  sed -n 's/^#EXT-X-PRELOAD-HINT:.*URI="part\([0-9]*\)\.\([0-9]*\)\.ts".*/\1 \2/p')
[ -n "$hint" ] || fail "no EXT-X-PRELOAD-HINT in the origin's playlist"
set -- $hint
q="_HLS_msn=$1&_HLS_part=$2"
r=$(curl -s --max-time 10 -o "$E2E_TMP/blocking.m3u8" \
  -w '%{http_code} %{time_total}' "$edge?$q")
[ "${r%% *}" = 200 ] || fail "blocking reload through nginx: $r"
grep -q "URI=\"part$1.$2.ts\"" "$E2E_TMP/blocking.m3u8" || \
  fail "the blocking answer through nginx lacks part $1.$2"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 3 else 1)" \
  "${r#* }" || fail "the blocking reload took ${r#* } s"
again=$(curl -s --max-time 5 -D - -o /dev/null "$edge?$q" | \
  sed -n 's/^X-Cache-Status: *\([A-Z]*\).*/\1/ip')
[ "$again" = HIT ] || fail "the same blocking reload again: cache $again"
echo "blocking reload ?$q through nginx: 200 with the part after ${r#* } s; again: $again"

# what went wrong at the edge: nginx's error log, its answers other than
# 200 (the poller's output names the failed requests and why)
edge_errors () {
  echo "nginx error.log (last lines):" >&2
  tail -n 20 "$EDGE_DIR/error.log" >&2
  echo "nginx answers other than 200:" >&2
  awk '$3 != 200' "$EDGE_DIR/access.log" | head -n 20 >&2
}

# 500 LL-HLS and 100 plain HLS viewers through nginx
: >"$EDGE_DIR/access.log" 2>/dev/null || true
mkdir -p "$E2E_TMP/saved-ll" "$E2E_TMP/saved-plain"
"$poll" --viewers 100 --seconds 15 --ramp 3 --save "$E2E_TMP/saved-plain" \
  --save-viewers 1 "$edge" >"$E2E_TMP/poll-plain.out" 2>&1 &
plain_pid=$!
"$poll" --viewers 500 --seconds 15 --ramp 3 --ll --save "$E2E_TMP/saved-ll" \
  --save-viewers 3 "$edge" >"$E2E_TMP/poll.out" 2>&1 || \
  { cat "$E2E_TMP/poll.out" >&2; fail "flu-hlspoll failed"; }
wait "$plain_pid" || { cat "$E2E_TMP/poll-plain.out" >&2; fail "flu-hlspoll (plain) failed"; }
for run in poll:500:LL-HLS poll-plain:100:HLS; do
  out=$(cat "$E2E_TMP/${run%%:*}.out")
  n=${run#*:}
  what=${n#*:}
  n=${n%%:*}
  echo "$n $what viewers: $out"
  val () { printf '%s\n' "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  [ "$(val viewers)" = "$n" ] || fail "flu-hlspoll: $out"
  [ "$(val errors)" = 0 ] || { edge_errors; \
    fail "$what: $(val errors) failed requests through nginx"; }
  [ "$(val gaps)" = 0 ] || fail "$what: $(val gaps) gaps: a viewer missed a piece"
  # each viewer keeps its connection (nginx keeps it 30 s and 1000
  # requests): a request sent again on a new one means nginx closed one
  [ "$(val retries)" = 0 ] || fail "$what: $(val retries) requests sent again: nginx closed kept-alive connections"
  [ "$(val seg_min)" -ge 4 ] || \
    fail "$what: a viewer got only $(val seg_min) complete segments in 15 s"
  [ "$what" = LL-HLS ] && media=$(val media)
done
for f in "$E2E_TMP"/saved-*/viewer*.ts; do
  n=$(video_frames "$f")
  [ "${n:-0}" -ge 200 ] || fail "ffprobe decodes ${n:-0} frames of $f"
  printf '%s: %s frames decode; ' "${f#"$E2E_TMP"/saved-}" "$n"
done
echo

# the origin served each piece about once: a few may cross a cache entry
# being written (nginx lets a request through when it waited past
# proxy_cache_lock_timeout); every viewer reaching the origin would be
# hundreds per piece
# once NAME MIN DISTINCT TOTAL MAX
once () {
  [ "${3:-0}" -ge "$2" ] || fail "only ${3:-0} $1 went through nginx"
  echo "origin: $4 requests for $3 distinct $1 (at most $5 for one)"
  [ "$4" -le $(($3 + $3 / 10 + 2)) ] && [ "$5" -le 3 ] || { \
    u=$(awk '$1 != "-" { print $4 }' "$EDGE_DIR/access.log" | sort | \
      uniq -c | sort -rn | awk 'NR == 1 { print $2 }'); \
    grep -F "$u" "$EDGE_DIR/access.log" | head -n 40 >&2; \
    fail "the origin served $4 requests for $3 $1, at most $5 for one"; }
}
once segments 4 $(origin_fetches "$EDGE_DIR/access.log" '/seg[0-9]*\.ts$')
once parts 30 $(origin_fetches "$EDGE_DIR/access.log" '/part[0-9.]*\.ts$')
blocking=$(grep -c '_HLS_msn=' "$EDGE_DIR/access.log" || true)
set -- $(awk '$1 != "-" && $4 ~ /_HLS_msn=/' "$EDGE_DIR/access.log" | \
  origin_fetches /dev/stdin '.')
once "blocking reloads" 30 "$@"
echo "(the LL viewers made $media part requests and $blocking blocking reloads)"
