#!/bin/sh
# fluondemand with real clients: a short WebM (webmmux, with cues) and a
# fragmented MP4 (mp4mux fragment-duration) are recorded into a directory
# and served under /recordings/; ffprobe reads both over HTTP, curl ranges
# are compared byte for byte with dd, HEAD / 304 / 416 / multi-range /
# traversal answers are checked, streamer.sh --ondemand serves them
# beside its own mount, and a headless browser (Chromium, or the
# one named as $1: chromium, firefox) seeks a <video> of each file to 3 s:
# tests/e2e/collector.py measures the video from the seek on
# (playback-check.html: currentTime advancing >= 3 s over >= 3 s of wall
# time, new frames decoded, a picture size), and the start must be at
# the seek target, not at 0.
. "$(dirname "$0")/lib.sh"
which=${1:-chromium}
need fluondemand vp8enc webmmux x264enc h264parse mp4mux
rec="$E2E_TMP/rec"
mkdir -p "$rec"

# 10 s each, a keyframe a second
gst-launch-1.0 -q videotestsrc num-buffers=250 pattern=ball ! \
  video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! \
  vp8enc deadline=1 cpu-used=8 keyframe-max-dist=25 ! webmmux ! \
  filesink location="$rec/talk.webm" >"$E2E_TMP/rec-webm.log" 2>&1 || \
  { cat "$E2E_TMP/rec-webm.log" >&2; fail "cannot record the WebM"; }
gst-launch-1.0 -q videotestsrc num-buffers=250 pattern=ball ! \
  video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! \
  x264enc speed-preset=ultrafast key-int-max=25 bframes=0 ! \
  video/x-h264,profile=constrained-baseline ! h264parse ! \
  mp4mux fragment-duration=1000 ! filesink location="$rec/talk.mp4" \
  >"$E2E_TMP/rec-mp4.log" 2>&1 || \
  { cat "$E2E_TMP/rec-mp4.log" >&2; fail "cannot record the MP4"; }
# fragmented: movie fragments after the moov
grep -q moof "$rec/talk.mp4" || fail "the MP4 is not fragmented"
echo secret >"$E2E_TMP/outside"
ln -s "$E2E_TMP/outside" "$rec/link"

# the page that seeks: the <video> joins the document once it has sought,
# so that the measuring page sees it only from the seek on
cat >"$rec/seek.html" <<'HTML'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>loading</title></head><body>
<script>
'use strict';
const v = document.createElement('video');
v.muted = true;
v.preload = 'auto';
v.addEventListener('loadedmetadata', () => { v.currentTime = 3; });
v.addEventListener('seeked', () => {
  if (v.isConnected) return;
  document.title = 'seeked ' + v.currentTime.toFixed(2);
  document.body.appendChild(v);
  v.play().catch(() => {});
});
v.addEventListener('error', () => {
  document.title = 'error ' + (v.error ? v.error.code : '?');
});
v.src = new URLSearchParams(location.search).get('src');
</script></body></html>
HTML

start_server od fluondemand port=0 directory="$rec" mount-point=/recordings/
base="http://127.0.0.1:$PORT_od/recordings"

# ffprobe over HTTP: both files, with their duration
for f in talk.webm talk.mp4; do
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 \
    "$base/$f") || fail "ffprobe cannot read $f over HTTP"
  python3 -c "import sys; sys.exit(0 if 9 <= float(sys.argv[1]) <= 11 else 1)" \
    "$d" || fail "ffprobe: $f lasts $d s over HTTP, not 10"
  n=$(video_frames "$base/$f")
  [ "$n" = 250 ] || fail "ffprobe decoded $n frames of $f over HTTP, not 250"
done

# ranges, byte-exact
for f in talk.webm talk.mp4; do
  size=$(stat -c %s "$rec/$f")
  for r in 0-0 0-99 1000-65535 65536-200000 $((size - 1))- -5000 \
      $((size / 2))- 0-$((size * 2)); do
    curl -sf --max-time 10 -r "$r" -o "$E2E_TMP/got" "$base/$f" || \
      fail "curl -r $r $f failed"
    case $r in
      -*) skip=$((size - ${r#-})) count=${r#-} ;;
      *-) skip=${r%-} count=$((size - ${r%-})) ;;
      *) skip=${r%-*} end=${r#*-}
         [ "$end" -lt "$size" ] || end=$((size - 1))
         count=$((end - skip + 1)) ;;
    esac
    dd if="$rec/$f" of="$E2E_TMP/want" bs=65536 skip="$skip" count="$count" \
      iflag=skip_bytes,count_bytes 2>/dev/null
    cmp -s "$E2E_TMP/got" "$E2E_TMP/want" || \
      fail "range $r of $f: not the file's bytes $skip+$count"
  done
  curl -sf --max-time 10 -o "$E2E_TMP/got" "$base/$f" || fail "GET $f"
  cmp -s "$E2E_TMP/got" "$rec/$f" || fail "GET $f: not the file"
done

# headers, validators, errors
curl -sI --max-time 5 "$base/talk.mp4" >"$E2E_TMP/head"
grep -qi '^Content-Type: video/mp4' "$E2E_TMP/head" || fail "mp4 type"
grep -qi "^Content-Length: $(stat -c %s "$rec/talk.mp4")" "$E2E_TMP/head" || \
  fail "HEAD Content-Length"
grep -qi '^Accept-Ranges: bytes' "$E2E_TMP/head" || fail "no Accept-Ranges"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\([^\r]*\).*/\1/p' "$E2E_TMP/head")
[ -n "$etag" ] || fail "no ETag"
[ "$(status "$base/talk.mp4" -H "If-None-Match: $etag")" = 304 ] || \
  fail "If-None-Match: no 304"
[ "$(status "$base/talk.mp4" -r 99999999-)" = 416 ] || fail "no 416"
[ "$(status "$base/talk.mp4" -r 0-1,100-101)" = 200 ] || \
  fail "two distant ranges: not the whole file"
[ "$(status "$base/talk.webm" -H 'Range: bytes=0-9,10-19')" = 206 ] || \
  fail "two adjacent ranges: not one 206"
[ "$(status "$base/link")" = 403 ] || fail "a link out was not refused"
for p in '/recordings/../../../../etc/passwd' '/recordings/%2e%2e/%2e%2e/etc/passwd' \
    '/recordings/..%2f..%2fetc%2fpasswd' '/recordings/%2e%2e%5c%2e%2e%5cetc' \
    '/recordings/talk.webm%00' '/recordings/.%2e/.%2e/etc/passwd'; do
  got=$(curl -s --path-as-is --max-time 5 -w ' %{http_code}' \
    "http://127.0.0.1:$PORT_od$p")
  case $got in
    *root:* | *secret*) fail "$p served a file outside the directory" ;;
    *" 4"??) ;;
    *) fail "$p: answered '$got'" ;;
  esac
done
curl -s --max-time 5 "$base/" | grep -q 'href="talk.mp4"' || fail "no listing"
echo "ondemand: ffprobe, byte-exact ranges, validators and path safety ok"

# the streamer role: the same files on its own port, beside its mount
sport=$(free_port)
start_bg streamer sh "$(dirname "$0")/../../pipelines/streamer.sh" \
  --port="$sport" --formats=webm --relay-port= --upstream-port="$(free_port)" \
  --ondemand="$rec" --ondemand-path=/talks/
wait_listen "$sport" || { cat "$E2E_TMP/streamer.log" >&2; \
  fail "streamer.sh --ondemand did not listen"; }
curl -sf --max-time 5 -r 100-199 -o "$E2E_TMP/got" \
  "http://127.0.0.1:$sport/talks/talk.webm" || fail "streamer: no range"
dd if="$rec/talk.webm" of="$E2E_TMP/want" bs=100 skip=1 count=1 2>/dev/null
cmp -s "$E2E_TMP/got" "$E2E_TMP/want" || fail "streamer: wrong bytes"
[ "$(status "http://127.0.0.1:$sport/stats-webm.json")" = 200 ] || \
  fail "streamer: its own mounts are gone"
kill "$PID_streamer"
wait "$PID_streamer" 2>/dev/null || true
echo "ondemand: streamer.sh --ondemand served them beside its mount"

# seek in each file in the browser
top=$E2E_TMP
for f in talk.webm talk.mp4; do
  E2E_TMP="$top/$which-$f"
  mkdir -p "$E2E_TMP"
  start_collector "$PORT_od"
  check_playback "$which" "/recordings/seek.html?src=$f"
  # the measuring started at the seek target
  printf '%s' "$RESULT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
sys.exit(0 if r["start"]["media"] >= 2.9 else 1)' || \
    fail "$which: $f did not play from 3 s after the seek: $RESULT"
  echo "ondemand: $which sought $f to 3 s and played on: $RESULT"
  # the browser and the collector of this file go (the last two started)
  set -- $E2E_PIDS
  while [ $# -gt 2 ]; do shift; done
  kill "$@" 2>/dev/null || true
  wait "$@" 2>/dev/null || true
  E2E_TMP=$top
done
