#!/bin/sh
# encoder: reads a producer's video and audio feeds, draws the event
# overlay (text, logo, clock: fluoverlay), encodes once per format and
# serves each encoded stream as a feed for streamers and recorders:
#   webm  VP8 + Vorbis in WebM        on FEED_PORT      (always)
#   ogg   Theora + Vorbis in Ogg      on FEED_PORT + 1  (theoraenc)
#   ts    H.264 + AAC in MPEG-TS      on FEED_PORT + 2  (x264enc, voaacenc
#                                                        or avenc_aac)
# Formats whose encoders are missing are left out with a message.
#
# Usage: encoder.sh [--option=value ...]   (or the same as env variables)
#   --producer=HOST[,HOST2]   producer host(s) (default 127.0.0.1; a list
#                             is a failover list, flufeedsrc only)
#   --video-port=5000 --audio-port=5001   the producer's feed ports
#   --audio=1                 0: the producer serves no audio
#   --formats="webm ogg ts"   formats to encode
#   --feed-port=5100          first port of the encoded feeds
#   --feed-listen=ADDR        address the served feeds listen on (default all)
#   --text="gst-flumotion"    overlay text (Pango markup); empty: none
#   --clock="%H:%M:%S"        strftime clock format; empty: none
#   --logo=PATH.png           logo, top left; empty: none
#   --video-bitrate=1000      kbit/s of each video encoding
#   --keyframe-seconds=2      keyframe interval (viewers start on one)
#   --fps=25                  the producer's frame rate
#   --secret=S                shared secret of the feeds (in and out)
#   --verbose=1 --dry-run=1   print caps / only print the pipeline
# Ctrl-C stops it.
. "$(dirname "$0")/lib.sh"
: "${PRODUCER:=127.0.0.1}" "${VIDEO_PORT:=5000}" "${AUDIO_PORT:=5001}"
: "${AUDIO:=1}" "${FORMATS:=webm ogg ts}" "${FEED_PORT:=5100}"
: "${TEXT=gst-flumotion}" "${CLOCK=%H:%M:%S}" "${LOGO:=}"
: "${VIDEO_BITRATE:=1000}" "${KEYFRAME_SECONDS:=2}" "${FPS:=25}"
: "${SECRET:=}"
OPTIONS="PRODUCER VIDEO_PORT AUDIO_PORT AUDIO FORMATS FEED_PORT TEXT CLOCK
  LOGO VIDEO_BITRATE KEYFRAME_SECONDS FPS SECRET FEED_LISTEN VERBOSE DRY_RUN"
parse_args "$@"
need fluoverlay vp8enc vorbisenc webmmux

kf=$((KEYFRAME_SECONDS * FPS))
aac=""
for e in voaacenc avenc_aac fdkaacenc; do
  if has $e; then aac=$e; break; fi
done

overlay="fluoverlay text=\"$TEXT\" clock-format=\"$CLOCK\""
[ -z "$LOGO" ] || overlay="$overlay logo=\"$LOGO\" logo-height=64"
# JPEG or raw video from the producer: decodebin takes either
pipeline="$(feed_src "$PRODUCER" "$VIDEO_PORT") ! queue ! decodebin !
  videoconvert ! $overlay ! videoconvert ! tee name=v"
if [ "$AUDIO" = 1 ]; then
  pipeline="$pipeline $(feed_src "$PRODUCER" "$AUDIO_PORT") ! queue !
    audioconvert ! audioresample ! tee name=a"
fi

# add FORMAT VIDEO_ENC MUXER AUDIO_ENC OFFSET
add () {
  pipeline="$pipeline v. ! queue max-size-time=1000000000 ! $2 ! $3 name=m$1
    ! $(feed_sink $((FEED_PORT + $5)))"
  if [ "$AUDIO" = 1 ]; then
    pipeline="$pipeline a. ! queue max-size-time=1000000000 ! $4 ! m$1."
  fi
  echo "$(basename "$0"): $1 on feed port $((FEED_PORT + $5))" >&2
}
for f in $FORMATS; do
  case $f in
    webm)
      add webm "vp8enc deadline=1 cpu-used=8 keyframe-max-dist=$kf
        target-bitrate=$((VIDEO_BITRATE * 1000))" \
        "webmmux streamable=true" "vorbisenc" 0 ;;
    ogg)
      if has theoraenc; then
        add ogg "theoraenc keyframe-force=$kf bitrate=$VIDEO_BITRATE" \
          oggmux "vorbisenc" 1
      else
        echo "$(basename "$0"): no theoraenc, ogg left out" >&2
      fi ;;
    ts)
      if has x264enc && [ -n "$aac" ]; then
        add ts "x264enc tune=zerolatency speed-preset=veryfast
          key-int-max=$kf bitrate=$VIDEO_BITRATE ! h264parse" \
          "mpegtsmux" "$aac ! aacparse" 2
      else
        echo "$(basename "$0"): no x264enc or AAC encoder, ts left out" >&2
      fi ;;
    *) die "unknown format '$f' (webm, ogg, ts)" ;;
  esac
done
run "$pipeline"
