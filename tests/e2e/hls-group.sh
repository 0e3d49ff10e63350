#!/bin/sh
# Two fluhlssinks naming one group on one port (renditions of 320x240 at
# 300 kb/s and 640x360 at 900 kb/s) make the multivariant playlist
# /grp.m3u8 (the second with AAC): ffprobe lists both programs, ffmpeg decodes the second,
# GStreamer playbin (hlsdemux) plays it, and our conformance checker
# follows every variant (STREAM-INF syntax, CODECS against the segments,
# delta playlists, rendition reports).
. "$(dirname "$0")/lib.sh"
need fluhlssink x264enc mpegtsmux playbin souphttpsrc hlsdemux tsdemux \
  voaacenc aacparse
command -v ffprobe >/dev/null || fail "ffprobe missing (scripts/deps.d/soup.txt)"
command -v ffmpeg >/dev/null || fail "ffmpeg missing (scripts/deps.d/soup.txt)"
here=$(dirname "$0")
python3 "$here/hls-check.py" --self-test 2>/dev/null || fail "hls-check self-test"

port=@PORT@ # start_server picks it
# the second one with AAC audio muxed in (CODECS then lists mp4a.40.2)
rendition () {
  echo "videotestsrc is-live=true pattern=snow ! video/x-raw,format=I420,width=$2,height=$3,framerate=30/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=$4 ! video/x-h264,profile=constrained-baseline ! mpegtsmux name=m$1 ! fluhlssink port=$port mount-point=/grp/$1/ group=grp target-duration=1 playlist-length=8"
}
# shellcheck disable=SC2046
start_server grp $(rendition lo 320 240 300) $(rendition hi 640 360 900) \
  audiotestsrc is-live=true ! voaacenc ! aacparse ! mhi.
port=$PORT_grp
mv="http://127.0.0.1:$port/grp.m3u8"
i=0
n=0
while [ $i -lt 100 ]; do
  n=$(curl -s --max-time 2 "$mv" | grep -c '^#EXT-X-STREAM-INF' || true)
  [ "$n" = 2 ] && break
  sleep 0.1
  i=$((i + 1))
done
[ "$n" = 2 ] || fail "the multivariant playlist lists ${n:-0} variants"
curl -s "$mv" | sed 's/^/  /'
curl -s "$mv" | grep -q 'CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=640x360' || \
  fail "no CODECS avc1.42c01e,mp4a.40.2 for the A/V variant"

programs=$(timeout 30 ffprobe -v error -show_entries program=program_id \
  -of csv=p=0 "$mv" | grep -c . || true)
[ "$programs" = 2 ] || fail "ffprobe lists $programs programs in $mv"
widths=$(timeout 30 ffprobe -v error -show_entries stream=width -of csv=p=0 \
  "$mv" | grep . | sort -nu | tr '\n' ' ')
[ "$widths" = "320 640 " ] || fail "ffprobe sees widths '$widths' in $mv"
frames=$(timeout 30 ffmpeg -v error -i "$mv" -map 0:p:1:v -frames:v 30 \
  -f null - -progress pipe:1 2>"$E2E_TMP/ffmpeg.err" | \
  sed -n 's/^frame=//p' | tail -n 1)
[ "${frames:-0}" -ge 30 ] || { cat "$E2E_TMP/ffmpeg.err" >&2; \
  fail "ffmpeg decoded ${frames:-0} frames of the second variant"; }
echo "ffprobe lists $programs programs (widths $widths); ffmpeg decoded $frames frames of program 1"

timeout -s INT 10 gst-launch-1.0 -v playbin uri="$mv" \
  video-sink="fakesink silent=false sync=false" audio-sink=fakesink \
  >"$E2E_TMP/gst.log" 2>&1 || true
n=$(grep -c 'last-message = chain' "$E2E_TMP/gst.log" || true)
[ "$n" -ge 30 ] || { tail -n 20 "$E2E_TMP/gst.log" >&2; \
  fail "playbin decoded $n frames of $mv"; }
echo "playbin: $n frames decoded in 10 s"

python3 "$here/hls-check.py" "$mv" 12 --multivariant || \
  fail "multivariant conformance"
echo "hls-group: all checks passed"
