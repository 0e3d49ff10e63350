#!/bin/sh
# Real clients read fluhlssink's CMAF fMP4 (elementary streams on its
# video/audio request pads, muxed by the element): ffprobe sees the
# tracks, ffmpeg decodes from several joins without a single error
# message, GStreamer playbin (hlsdemux), playbin3 (hlsdemux2) and
# souphttpsrc ! hlsdemux ! qtdemux decode, and our conformance checker (hls-check.py)
# follows the playlists (EXT-X-MAP, init segments, moof + mdat, sync
# first samples, continuous tfdt).  Streams: H.264 + AAC in LL-HLS;
# H.264 with B-frames + Opus in plain HLS; H.265 alone.
. "$(dirname "$0")/lib.sh"
need fluhlssink hlsdemux2 x264enc x265enc h264parse h265parse voaacenc aacparse \
  opusenc opusparse playbin souphttpsrc hlsdemux qtdemux openh264dec
here=$(dirname "$0")
python3 "$here/hls-check.py" --self-test >/dev/null 2>&1 || \
  fail "hls-check self-test"

raw="videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=240,framerate=30/1"
# constrained baseline: openh264dec decodes no more
h264="x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! video/x-h264,profile=constrained-baseline ! h264parse"
aac="audiotestsrc is-live=true wave=ticks ! audio/x-raw,rate=48000 ! voaacenc ! aacparse"
start_server ll fluhlssink name=s port=0 mount-point=/f/ group=fg \
  $raw ! $h264 ! s.video $aac ! s.audio
start_server plain fluhlssink name=s port=0 mount-point=/b/ part-target=0 \
  $raw ! x264enc speed-preset=ultrafast key-int-max=30 bframes=2 ! \
  h264parse ! s.video \
  audiotestsrc is-live=true ! opusenc ! opusparse ! s.audio
start_server hevc fluhlssink name=s port=0 mount-point=/h/ \
  $raw ! x265enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! \
  h265parse ! s.video
ll="http://127.0.0.1:$PORT_ll/f/index.m3u8"
plain="http://127.0.0.1:$PORT_plain/b/index.m3u8"
hevc="http://127.0.0.1:$PORT_hevc/h/index.m3u8"
for u in "$ll" "$plain" "$hevc"; do
  i=0
  while [ "$(status "$u")" != 200 ] && [ $i -lt 50 ]; do
    sleep 0.2
    i=$((i + 1))
  done
  [ "$(status "$u")" = 200 ] || fail "$u: $(status "$u")"
done
curl -s "$ll" | grep -q '^#EXT-X-MAP:URI="init[0-9]*\.mp4"$' || \
  fail "no EXT-X-MAP in $ll"
# in a group: CODECS and RESOLUTION from the caps (avcC, AudioSpecificConfig)
mv=$(curl -s "http://127.0.0.1:$PORT_ll/fg.m3u8")
echo "$mv" | grep -q 'CODECS="avc1.42c0[0-9a-f][0-9a-f],mp4a.40.2",RESOLUTION=320x240,FRAME-RATE=30.000' || \
  fail "multivariant playlist of an fMP4 rendition: $mv"
echo "group: $(echo "$mv" | grep STREAM-INF)"

# ffprobe: the tracks
probe () {
  timeout 20 ffprobe -v error -show_entries stream=codec_name -of csv=p=0 \
    "$1" | grep . | sort -u | tr '\n' ' '
}
[ "$(probe "$ll")" = "aac h264 " ] || fail "ffprobe sees '$(probe "$ll")' in $ll"
[ "$(probe "$plain")" = "h264 opus " ] || fail "ffprobe sees '$(probe "$plain")' in $plain"
[ "$(probe "$hevc")" = "hevc " ] || fail "ffprobe sees '$(probe "$hevc")' in $hevc"
k=$(first_keyframe "$ll")
[ "${k%%,*}" = 1 ] || fail "ffprobe: first video frame of $ll key_frame=$k"
echo "ffprobe: aac+h264, h264+opus, hevc; the first frame a keyframe"

# ffmpeg: decodes 3 s from two joins, each without an error message
for join in 1 2; do
  for u in "$ll" "$plain" "$hevc"; do
    timeout 30 ffmpeg -nostdin -v error -i "$u" -t 3 -f null - \
      >"$E2E_TMP/ffmpeg.out" 2>&1 || { cat "$E2E_TMP/ffmpeg.out" >&2; \
      fail "ffmpeg failed on $u (join $join)"; }
    [ ! -s "$E2E_TMP/ffmpeg.out" ] || { cat "$E2E_TMP/ffmpeg.out" >&2; \
      fail "ffmpeg printed errors for $u (join $join)"; }
  done
  sleep 0.7
done
frames=$(timeout 30 ffmpeg -nostdin -v error -i "$ll" -frames:v 60 -f null - \
  -progress pipe:1 2>"$E2E_TMP/ffmpeg.err" | sed -n 's/^frame=//p' | tail -n 1)
[ "${frames:-0}" -ge 60 ] || { cat "$E2E_TMP/ffmpeg.err" >&2; \
  fail "ffmpeg decoded ${frames:-0} frames of $ll"; }
echo "ffmpeg: two joins of each stream decoded without an error; $frames frames"

# GStreamer: playbin (hlsdemux), playbin3 (hlsdemux2, LL-HLS, paced at
# the live edge: run beside the others), souphttpsrc ! hlsdemux ! qtdemux
count_frames () {
  log=${3:-$E2E_TMP/gst.log}
  n=$(grep 'last-message = chain' "$log" | grep -c "$2" || true)
  [ "$n" -ge "${4:-30}" ] || { tail -n 20 "$log" >&2; \
    fail "$1 decoded $n buffers on $2"; }
  echo "$1: $n $2 buffers"
}
timeout -s INT 9 gst-launch-1.0 -v playbin3 uri="$ll" \
  video-sink="fakesink name=vsink silent=false sync=false" \
  audio-sink="fakesink name=asink silent=false sync=false" \
  >"$E2E_TMP/gst3.log" 2>&1 &
pb3=$!
timeout -s INT 5 gst-launch-1.0 -v playbin uri="$ll" \
  video-sink="fakesink name=vsink silent=false sync=false" \
  audio-sink="fakesink name=asink silent=false sync=false" \
  >"$E2E_TMP/gst.log" 2>&1 || true
count_frames playbin vsink
count_frames playbin asink
timeout -s INT 5 gst-launch-1.0 -v souphttpsrc location="$ll" ! hlsdemux ! \
  qtdemux name=d d.video_0 ! h264parse ! openh264dec ! \
  fakesink name=vsink silent=false sync=false \
  >"$E2E_TMP/gst.log" 2>&1 || true
count_frames "souphttpsrc ! hlsdemux ! qtdemux" vsink
wait $pb3 || true
grep -q hlsdemux2 "$E2E_TMP/gst3.log" || fail "playbin3 did not use hlsdemux2"
count_frames "playbin3 (hlsdemux2)" vsink "$E2E_TMP/gst3.log" 20
count_frames "playbin3 (hlsdemux2)" asink "$E2E_TMP/gst3.log" 20

# sessions (allow= turns them on): the EXT-X-MAP URI carries the token
# too, the init segment without it is refused, ffmpeg decodes
start_server sess fluhlssink name=s port=0 mount-point=/s/ allow=127.0.0.0/8 \
  $raw ! $h264 ! s.video $aac ! s.audio
sess="http://127.0.0.1:$PORT_sess/s/index.m3u8"
i=0
while [ "$(status "$sess")" != 200 ] && [ $i -lt 50 ]; do
  sleep 0.2
  i=$((i + 1))
done
map=$(curl -s "$sess" | sed -n 's/^#EXT-X-MAP:URI="\([^"]*\)"$/\1/p' | head -n 1)
case $map in
  init*.mp4\?s=*) ;;
  *) fail "EXT-X-MAP of a session: '$map'" ;;
esac
[ "$(status "http://127.0.0.1:$PORT_sess/s/$map")" = 200 ] || \
  fail "init segment with the session: $(status "http://127.0.0.1:$PORT_sess/s/$map")"
[ "$(status "http://127.0.0.1:$PORT_sess/s/${map%%\?*}")" = 403 ] || \
  fail "init segment without a session not refused"
timeout 30 ffmpeg -nostdin -v error -i "$sess" -t 3 -f null - \
  >"$E2E_TMP/ffmpeg.out" 2>&1 || { cat "$E2E_TMP/ffmpeg.out" >&2; \
  fail "ffmpeg failed with sessions"; }
[ ! -s "$E2E_TMP/ffmpeg.out" ] || { cat "$E2E_TMP/ffmpeg.out" >&2; \
  fail "ffmpeg printed errors with sessions"; }
echo "sessions: EXT-X-MAP carries the token, init without it 403, ffmpeg decodes"

# conformance: LL-HLS, plain HLS with B-frames and Opus, H.265
python3 "$here/hls-check.py" "$ll" 5 || fail "LL-HLS fMP4 conformance"
python3 "$here/hls-check.py" "$plain" 4 --plain || fail "HLS fMP4 conformance"
python3 "$here/hls-check.py" "$hevc" 3 || fail "LL-HLS H.265 conformance"
echo "hls-fmp4: all checks passed"
