#!/bin/sh
# producer: capture (camera, test pattern or a looped file) and serve it as
# two feeds, video and audio, for an encoder on this or another host.
# Video is lightly encoded (JPEG) by default to keep a room's link cheap;
# ENCODING=raw sends raw I420 (fine on one host or a fast LAN).
#
# Usage: producer.sh [--option=value ...]   (or the same as env variables)
#   --source=test|v4l2|file   what to capture (default test)
#   --device=/dev/video0      camera for source=v4l2
#   --file=PATH               media file for source=file (played in a loop;
#                             readers see a short reconnection at each loop)
#   --audio=test|pulse|none   audio for test/v4l2 sources (default test;
#                             source=file uses the file's audio)
#   --width=640 --height=360 --fps=25   video format served
#   --encoding=jpeg|raw       video on the feed (default jpeg)
#   --video-port=5000         feed port of the video
#   --audio-port=5001         feed port of the audio
#   --feed-listen=ADDR        address the feeds listen on (default all)
#   --secret=S                shared secret of the feeds (flufeedsink only)
#   --verbose=1 --dry-run=1   print caps / only print the pipeline
# Ctrl-C stops it.
#
# Example, one producer per room, encoder elsewhere:
#   pipelines/producer.sh --source=v4l2 --audio=pulse --secret=s3cret
. "$(dirname "$0")/lib.sh"
: "${SOURCE:=test}" "${DEVICE:=/dev/video0}" "${FILE:=}" "${AUDIO:=test}"
: "${WIDTH:=640}" "${HEIGHT:=360}" "${FPS:=25}" "${ENCODING:=jpeg}"
: "${VIDEO_PORT:=5000}" "${AUDIO_PORT:=5001}" "${FEED_LISTEN:=}" "${SECRET:=}"
OPTIONS="SOURCE DEVICE FILE AUDIO WIDTH HEIGHT FPS ENCODING VIDEO_PORT
  AUDIO_PORT FEED_LISTEN SECRET VERBOSE DRY_RUN"
parse_args "$@"
numbers WIDTH HEIGHT FPS VIDEO_PORT AUDIO_PORT

caps="video/x-raw,format=I420,width=$WIDTH,height=$HEIGHT,framerate=$FPS/1"
case $SOURCE in
  test) video="videotestsrc is-live=true pattern=smpte" ;;
  v4l2) video="v4l2src device=$(gst_str "$DEVICE") ! videoconvert" ;;
  file)
    [ -f "$FILE" ] || die "source=file needs --file=PATH (got '$FILE')"
    video="filesrc location=$(gst_str "$FILE") ! decodebin name=dec dec. ! queue ! videoconvert"
    AUDIO=file ;;
  *) die "unknown source '$SOURCE' (test, v4l2, file)" ;;
esac
case $ENCODING in
  jpeg) venc="jpegenc quality=85 !" ;;
  raw) venc="" ;;
  *) die "unknown encoding '$ENCODING' (jpeg, raw)" ;;
esac
case $AUDIO in
  test) audio="audiotestsrc is-live=true wave=ticks" ;;
  pulse) audio="pulsesrc" ;;
  file) audio="dec. ! queue" ;;
  none) audio="" ;;
  *) die "unknown audio '$AUDIO' (test, pulse, none)" ;;
esac
# a file plays at its own pace only with a clock-synchronised sink
[ "$SOURCE" = file ] && pace="identity sync=true !" || pace=""

pipeline="$video ! videoscale ! videorate ! videoconvert ! $caps ! $pace
  $venc queue ! $(feed_sink "$VIDEO_PORT")"
if [ -n "$audio" ]; then
  pipeline="$pipeline $audio ! audioconvert ! audioresample !
    audio/x-raw,format=S16LE,rate=48000,channels=2 ! $pace queue !
    $(feed_sink "$AUDIO_PORT")"
fi

if [ "$SOURCE" = file ] && [ "${DRY_RUN:-0}" != 1 ]; then
  # gst-launch-1.0 cannot seek back: play the file again when it ends
  trap 'exit 0' INT TERM
  while :; do
    (run "$pipeline") || exit 1
  done
fi
run "$pipeline"
