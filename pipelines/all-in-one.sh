#!/bin/sh
# all-in-one: the demo, every role in one process.  A test pattern and
# ticking audio (producer) get the overlay and are encoded to VP8/Vorbis
# WebM (encoder), served on one HTTP port with the status page (streamer),
# recorded to rotating files (recorder), and offered as a feed a
# repeater.sh on another box can relay (--relay-port).  The same picture
# and sound are also encoded to H.264 (x264enc tune=zerolatency) and AAC
# and served as HLS with Low-Latency HLS parts (fluhlssink) on the port.
#
#   http://localhost:8800/            status page: players, viewers, chart
#   http://localhost:8800/live.webm   the stream
#   http://localhost:8800/live/index.m3u8   the HLS / LL-HLS playlist
#   http://localhost:8800/stats.json  statistics (JSON); /metrics
#
# Usage: all-in-one.sh [--option=value ...]   (or the same as env variables)
#   --port=8800               HTTP port
#   --text="gst-flumotion demo"   overlay text; --clock="%H:%M:%S"
#   --source=test|v4l2        --device=/dev/video0 for v4l2
#   --record-dir=recordings   empty: no recording; --segment=600 seconds
#   --relay-port=5200         feed for repeaters (empty: none)
#   --hls=1                   0: no HLS (left out anyway, with a message,
#                             without x264enc or an AAC encoder)
#   --verbose=1 --dry-run=1   print caps / only print the pipeline
# Ctrl-C stops it.
. "$(dirname "$0")/lib.sh"
: "${PORT:=8800}" "${TEXT=gst-flumotion demo}" "${CLOCK=%H:%M:%S}"
: "${SOURCE:=test}" "${DEVICE:=/dev/video0}" "${RECORD_DIR=recordings}"
: "${SEGMENT:=600}" "${RELAY_PORT=5200}" "${HLS:=1}"
OPTIONS="PORT TEXT CLOCK SOURCE DEVICE RECORD_DIR SEGMENT RELAY_PORT HLS
  VERBOSE DRY_RUN"
parse_args "$@"
numbers PORT SEGMENT HLS
[ -z "$RELAY_PORT" ] || numbers RELAY_PORT
need fluhttpsink fluoverlay vp8enc vorbisenc webmmux

case $SOURCE in
  test) video="videotestsrc is-live=true pattern=ball" ;;
  v4l2) video="v4l2src device=$(gst_str "$DEVICE")" ;;
  *) die "unknown source '$SOURCE' (test, v4l2)" ;;
esac
pipeline="$video ! videoconvert ! videoscale ! videorate !
    video/x-raw,width=640,height=360,framerate=25/1 !
    fluoverlay text=$(gst_str "$TEXT") clock-format=$(gst_str "$CLOCK") !
    tee name=v v. ! queue ! videoconvert !
    vp8enc deadline=1 cpu-used=8 keyframe-max-dist=50 target-bitrate=1000000 !
    queue ! mux.
  audiotestsrc is-live=true wave=ticks ! tee name=a
  a. ! queue ! audioconvert ! audioresample ! vorbisenc ! queue ! mux.
  webmmux name=mux streamable=true ! tee name=t
  t. ! queue ! fluhttpsink port=$PORT mount-point=/live.webm status-path=/
    stats-path=/stats.json metrics-path=/metrics burst-on-connect=true
    burst-time=2000000000"
if [ -n "$RELAY_PORT" ]; then
  pipeline="$pipeline t. ! queue ! $(feed_sink "$RELAY_PORT")"
fi
if [ -n "$RECORD_DIR" ]; then
  # the recorder part of recorder.sh, on the muxed stream
  rec=$(record_to "$RECORD_DIR" demo "$SEGMENT" webm demux)
  pipeline="$pipeline t. ! queue ! $rec"
fi
if [ "$HLS" != 0 ]; then
  aac=""
  for e in voaacenc avenc_aac fdkaacenc; do
    if has $e; then aac=$e; break; fi
  done
  if has x264enc && [ -n "$aac" ] && has mpegtsmux && has fluhlssink; then
    # a keyframe every 2 s: fluhlssink's segment target
    pipeline="$pipeline
  v. ! queue ! videoconvert ! video/x-raw,format=I420 !
    x264enc tune=zerolatency speed-preset=veryfast key-int-max=50
    bitrate=1000 ! h264parse ! queue ! mhls.
  a. ! queue ! audioconvert ! audioresample ! $aac ! aacparse ! queue ! mhls.
  mpegtsmux name=mhls ! fluhlssink port=$PORT mount-point=/live/
    target-duration=2"
    echo "$(basename "$0"): HLS http://localhost:$PORT/live/index.m3u8" >&2
  else
    echo "$(basename "$0"): no x264enc, AAC encoder or fluhlssink: no HLS" >&2
  fi
fi
echo "$(basename "$0"): http://localhost:$PORT/ (status page)" >&2
run "$pipeline"
