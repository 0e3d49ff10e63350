#!/bin/sh
# ICY metadata with real radio players: an MP3 station whose titles come
# from tags (taginject, changed live) and an Ogg/Opus station whose titles
# come from fluhttpsink's stream-title (set live), both run by
# tests/e2e/icy-server.py.  ffmpeg (-icy 1) and mpv read the titles and see
# them change; a request without Icy-MetaData gets no icy-metaint and a
# plain stream that ffprobe reads.  lamemp3enc, taginject: plugins-good;
# mpv, python3-gi: scripts/deps.d/soup.txt.
. "$(dirname "$0")/lib.sh"
need fluhttpsink audiotestsrc lamemp3enc taginject opusenc oggmux
for t in ffmpeg ffprobe mpv curl; do
  command -v $t >/dev/null || fail "$t is missing (scripts/deps.d/soup.txt)"
done
PY=/usr/bin/python3
$PY -c 'import gi; gi.require_version("Gst", "1.0")' ||
  fail "python3-gi is missing (scripts/deps.d/soup.txt)"
SERVER="$(dirname "$0")/icy-server.py"

# station NAME MODE TITLES PIPELINE: sets PORT_<NAME>
station () {
  name=$1 mode=$2 titles=$3
  shift 3
  log="$E2E_TMP/$name.log"
  $PY "$SERVER" "$mode" 1.5 "$titles" "$*" >"$log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  i=0
  port=""
  while [ $i -lt 100 ]; do
    port=$(sed -n 's/^PORT \([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && [ "$port" != 0 ] && break
    sleep 0.1
    i=$((i + 1))
  done
  [ -n "$port" ] || { cat "$log" >&2; fail "station $name did not start"; }
  eval "PORT_$name=$port"
}

station mp3 tags One,Two,Three \
  "audiotestsrc is-live=true wave=ticks ! audioconvert ! lamemp3enc bitrate=64 !" \
  "taginject name=tags ! fluhttpsink name=sink port=0 mount-point=/radio.mp3" \
  "icy-metaint=2000 icy-name=TestFM icy-genre=Test"
station opus prop Red,Green,Blue \
  "audiotestsrc is-live=true ! audioconvert ! audioresample ! opusenc !" \
  "oggmux ! fluhttpsink name=sink port=0 mount-point=/radio.opus" \
  "icy-metaint=2000 icy-name=OpusFM"

# distinct TITLE lines of a file, among the titles the station set
distinct () {
  sort -u "$1" | grep -c . || true
}

check () {
  name=$1 url=$2 expect=$3
  # headers: icy-metaint only when asked for
  curl -s -D "$E2E_TMP/h1" -H 'Icy-MetaData: 1' --max-time 1 -o /dev/null \
    "$url" || true
  curl -s -D "$E2E_TMP/h0" --max-time 1 -o "$E2E_TMP/plain.$name" "$url" ||
    true
  grep -qi '^icy-metaint: 2000' "$E2E_TMP/h1" ||
    { cat "$E2E_TMP/h1" >&2; fail "$name: no icy-metaint when asked"; }
  ! grep -qi '^icy-metaint' "$E2E_TMP/h0" ||
    fail "$name: icy-metaint without Icy-MetaData"
  grep -qi "^icy-name: $expect" "$E2E_TMP/h0" || fail "$name: no icy-name"
  codec=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 \
    "$E2E_TMP/plain.$name" | head -n 1)
  echo "$name: plain stream is $codec"
  [ -n "$codec" ] || fail "$name: the plain stream does not probe"

  # ffmpeg: StreamTitle updates while it plays
  timeout -s INT 6 ffmpeg -nostdin -loglevel verbose -icy 1 -i "$url" \
    -f null - >"$E2E_TMP/ffmpeg.$name" 2>&1 || true
  grep -q "icy-name *: $expect" "$E2E_TMP/ffmpeg.$name" ||
    { tail -n 20 "$E2E_TMP/ffmpeg.$name" >&2; fail "$name: ffmpeg saw no icy-name"; }
  sed -n 's/.*Metadata update for StreamTitle: //p' "$E2E_TMP/ffmpeg.$name" \
    | tr -d '\r' >"$E2E_TMP/ff-titles.$name"
  n=$(distinct "$E2E_TMP/ff-titles.$name")
  echo "$name: ffmpeg saw $n title updates: $(tr '\n' '|' <"$E2E_TMP/ff-titles.$name")"
  [ "$n" -ge 2 ] || fail "$name: ffmpeg saw $n StreamTitle updates"
  ! grep -vxq "$4" "$E2E_TMP/ff-titles.$name" || fail "$name: unknown title"

  # mpv: icy-title in its file tags, changing
  timeout -s INT 8 mpv --no-config --no-video --ao=null --length=5 \
    --term-status-msg= "$url" >"$E2E_TMP/mpv.$name" 2>&1 || true
  sed -n 's/^ *icy-title: //p' "$E2E_TMP/mpv.$name" >"$E2E_TMP/mpv-titles.$name"
  n=$(distinct "$E2E_TMP/mpv-titles.$name")
  echo "$name: mpv saw $n titles: $(tr '\n' '|' <"$E2E_TMP/mpv-titles.$name")"
  [ "$n" -ge 2 ] || { cat "$E2E_TMP/mpv.$name" >&2; fail "$name: mpv saw $n titles"; }
  ! grep -vxq "$4" "$E2E_TMP/mpv-titles.$name" || fail "$name: unknown title"
}

check mp3 "http://127.0.0.1:$PORT_mp3/radio.mp3" TestFM \
  'Band - \(One\|Two\|Three\)'
check opus "http://127.0.0.1:$PORT_opus/radio.opus" OpusFM \
  '\(Red\|Green\|Blue\)'
echo "icy: all checks passed"
