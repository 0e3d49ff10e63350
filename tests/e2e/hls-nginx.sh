#!/bin/sh
# The cache path: Debian's nginx, configured by the recipe
# docs/hls-edge-nginx.conf (run unprivileged on a free port, its own
# prefix), in front of a fluhlssink LL-HLS origin.  A blocking reload
# through nginx waits for its part and returns with it; 500 LL-HLS
# viewers (tests/bench/flu-hlspoll: blocking reloads, then every new
# part) through nginx get every part of every segment in order, with no
# error, what three of them got decodes (ffprobe), and the origin served
# each segment and part about once (nginx's log of upstream requests).
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

# 500 viewers through nginx
: >"$EDGE_DIR/access.log" 2>/dev/null || true
mkdir -p "$E2E_TMP/saved"
"$poll" --viewers 500 --seconds 15 --ramp 3 --ll --save "$E2E_TMP/saved" \
  --save-viewers 3 "$edge" >"$E2E_TMP/poll.out" 2>&1 || \
  { cat "$E2E_TMP/poll.out" >&2; fail "flu-hlspoll failed"; }
out=$(cat "$E2E_TMP/poll.out")
echo "500 viewers: $out"
val () { printf '%s\n' "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
[ "$(val viewers)" = 500 ] || fail "flu-hlspoll: $out"
[ "$(val errors)" = 0 ] || fail "$(val errors) failed requests through nginx"
[ "$(val gaps)" = 0 ] || fail "$(val gaps) gaps: a viewer missed a part"
[ "$(val seg_min)" -ge 4 ] || \
  fail "a viewer got only $(val seg_min) complete segments in 15 s"
for f in "$E2E_TMP"/saved/viewer*.ts; do
  n=$(video_frames "$f")
  [ "${n:-0}" -ge 200 ] || fail "ffprobe decodes ${n:-0} frames of $(basename "$f")"
  printf '%s: %s frames decode; ' "$(basename "$f")" "$n"
done
echo

# the origin served each piece about once
set -- $(origin_fetches "$EDGE_DIR/access.log")
[ "${1:-0}" -gt 30 ] || fail "only ${1:-0} segments/parts went through nginx"
echo "origin: $2 requests for $1 distinct segments/parts (at most $3 for one);" \
  "viewers made $(val media) media requests"
# a few may cross a cache entry being written (nginx lets a request
# through when it finds the entry busy past proxy_cache_lock_timeout);
# every one of 500 viewers reaching the origin would be 500
[ "$2" -le $(($1 + $1 / 10 + 2)) ] || fail "the origin served $2 requests for $1 pieces"
[ "$3" -le 3 ] || fail "one piece was fetched $3 times from the origin"
