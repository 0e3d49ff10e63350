#!/bin/sh
# all-in-one: the demo, every role in one process.  A test pattern and
# ticking audio (producer) get the overlay and are encoded to VP8/Vorbis
# WebM (encoder), served on one HTTP port with the status page (streamer),
# recorded to rotating files (recorder), and offered as a feed a
# repeater.sh on another box can relay (--relay-port).
#
#   http://localhost:8800/            status page: players, viewers, chart
#   http://localhost:8800/live.webm   the stream
#   http://localhost:8800/stats.json  statistics (JSON); /metrics
#
# Usage: all-in-one.sh [--option=value ...]   (or the same as env variables)
#   --port=8800               HTTP port
#   --text="gst-flumotion demo"   overlay text; --clock="%H:%M:%S"
#   --source=test|v4l2        --device=/dev/video0 for v4l2
#   --record-dir=recordings   empty: no recording; --segment=600 seconds
#   --relay-port=5200         feed for repeaters (empty: none)
#   --verbose=1 --dry-run=1   print caps / only print the pipeline
# Ctrl-C stops it.
. "$(dirname "$0")/lib.sh"
: "${PORT:=8800}" "${TEXT=gst-flumotion demo}" "${CLOCK=%H:%M:%S}"
: "${SOURCE:=test}" "${DEVICE:=/dev/video0}" "${RECORD_DIR=recordings}"
: "${SEGMENT:=600}" "${RELAY_PORT=5200}"
OPTIONS="PORT TEXT CLOCK SOURCE DEVICE RECORD_DIR SEGMENT RELAY_PORT VERBOSE
  DRY_RUN"
parse_args "$@"
numbers PORT SEGMENT
[ -z "$RELAY_PORT" ] || numbers RELAY_PORT
need fluhttpsink fluoverlay vp8enc vorbisenc webmmux

case $SOURCE in
  test) video="videotestsrc is-live=true pattern=ball" ;;
  v4l2) video="v4l2src device=$(gst_str "$DEVICE")" ;;
  *) die "unknown source '$SOURCE' (test, v4l2)" ;;
esac
pipeline="$video ! videoconvert ! videoscale ! videorate !
    video/x-raw,width=640,height=360,framerate=25/1 !
    fluoverlay text=$(gst_str "$TEXT") clock-format=$(gst_str "$CLOCK") ! videoconvert !
    vp8enc deadline=1 cpu-used=8 keyframe-max-dist=50 target-bitrate=1000000 !
    queue ! mux.
  audiotestsrc is-live=true wave=ticks ! audioconvert ! audioresample !
    vorbisenc ! queue ! mux.
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
echo "$(basename "$0"): http://localhost:$PORT/ (status page)" >&2
run "$pipeline"
