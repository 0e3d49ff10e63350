#!/bin/sh
# A headless browser (Chromium, or the one named as $1: chromium,
# firefox) plays fluhlssink's CMAF fMP4 LL-HLS parts (x264enc + voaacenc
# on its request pads) through Media Source Extensions, the way hls.js
# and other MSE players feed them: tests/e2e/hls-mse.html (served by a
# fluondemand on the same port) appends the EXT-X-MAP init segment and
# then every part, in playlist order, to one SourceBuffer of the type the
# group's multivariant playlist gives (CODECS); the browser's own MP4
# parser rejects malformed boxes, and a decode time that jumps leaves a
# gap in the buffer (the page fails then).  tests/e2e/collector.py
# measures the <video>: currentTime advancing >= 3 s over >= 3 s of wall
# time, new frames decoded, a picture size.  A second argument "opus"
# takes opusenc ! opusparse for the audio (the Opus sample entry and the
# edit list that cuts its pre-skip).
. "$(dirname "$0")/lib.sh"
which=${1:-chromium}
audio="voaacenc ! aacparse"
[ "${2:-}" = opus ] && audio="opusenc ! opusparse"
need fluhlssink fluondemand x264enc h264parse voaacenc aacparse opusenc opusparse
here=$(cd "$(dirname "$0")" && pwd)
pages="$E2E_TMP/pages"
mkdir -p "$pages"
cp "$here/hls-mse.html" "$pages/"
port=@PORT@ # start_server picks it
start_server mse fluhlssink name=s port="$port" mount-point=/f/ group=mse \
  fluondemand port="$port" directory="$pages" mount-point=/pages/ \
  videotestsrc is-live=true pattern=ball ! \
  video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! \
  x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! \
  video/x-h264,profile=constrained-baseline ! h264parse ! s.video \
  audiotestsrc is-live=true ! audio/x-raw,rate=48000 ! $audio ! s.audio
port=$PORT_mse
i=0
codecs=""
while [ -z "$codecs" ] && [ $i -lt 50 ]; do
  codecs=$(curl -s "http://127.0.0.1:$port/mse.m3u8" | \
    sed -n 's/.*CODECS="\([^"]*\)".*/\1/p')
  [ -n "$codecs" ] || sleep 0.2
  i=$((i + 1))
done
[ -n "$codecs" ] || fail "no CODECS in the group's multivariant playlist"
start_collector "$port"
check_playback "$which" "/pages/hls-mse.html?pl=/f/index.m3u8&codecs=$codecs"
echo "hls-mse ($which): MSE played the fMP4 parts ($codecs): $RESULT"
