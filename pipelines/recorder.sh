#!/bin/sh
# recorder: reads an encoder's feeds (or a streamer's relay feed, or an
# HTTP mount) and records to rotating files, each starting on a keyframe
# (splitmuxsink splits before a keyframe once a file reaches --segment
# seconds), named with the date and time the recording started and a
# sequence number:
#   DIR/PREFIX-20261126-184500-00000.webm, ...-00001.webm, ...
# Read from an encoder (the default), the files are muxed here from its
# video and audio feeds, whose readers keep time continuous: when the
# encoder restarts, the open file goes on (with a pause of the picture
# for as long as the encoder was away) and no file is left unfinished.
#
# Usage: recorder.sh [--option=value ...]   (or the same as env variables)
#   --from=encoder            encoder: its video and audio feeds (port,
#                             port + 1 for webm; + 4, + 5 for ts);
#                             relay: a streamer's muxed WebM relay feed
#   --format=webm             webm or ts (ts: from an encoder only)
#   --upstream=HOST[,HOST2]   encoder or streamer host(s) (default 127.0.0.1)
#   --upstream-port=5100      the encoder's first feed port (5100), or the
#                             streamer's relay port (5200) with --from=relay
#   --audio=1                 0: the encoder serves no audio
#   --url=http://H:P/live.webm   record an HTTP WebM stream instead of a
#                             feed (any streamer or repeater mount).  Needed
#                             with --from=relay when the feeds are the stock
#                             GDP pair, whose readers start mid-cluster,
#                             which matroskademux cannot join
#   --dir=recordings          where files go (created)
#   --prefix=rec              file name prefix
#   --segment=600             seconds per file, at most (split at the first
#                             keyframe after)
#   --secret=S                shared secret of the feed
#   --verbose=1 --dry-run=1   print caps / only print the pipeline
# Ctrl-C stops it and finalises the last file.
. "$(dirname "$0")/lib.sh"
: "${UPSTREAM:=127.0.0.1}" "${UPSTREAM_PORT:=5100}" "${DIR:=recordings}"
: "${PREFIX:=rec}" "${SEGMENT:=600}" "${SECRET:=}" "${URL:=}"
: "${FROM:=encoder}" "${FORMAT:=webm}" "${AUDIO:=1}"
OPTIONS="FROM FORMAT AUDIO UPSTREAM UPSTREAM_PORT URL DIR PREFIX SEGMENT
  SECRET VERBOSE DRY_RUN"
parse_args "$@"
numbers UPSTREAM_PORT SEGMENT AUDIO
case $FROM in
  encoder | relay) ;;
  *) die "unknown --from '$FROM' (encoder, relay)" ;;
esac
case $FORMAT in
  webm) muxer=webmmux ;;
  ts) muxer=mpegtsmux ;;
  *) die "unknown --format '$FORMAT' (webm, ts)" ;;
esac
need splitmuxsink $muxer

if [ -z "$URL" ] && [ "$FROM" = encoder ]; then
  rec=$(record_to "$DIR" "$PREFIX" "$SEGMENT" "$FORMAT")
  run "$rec $(encoder_feeds "$UPSTREAM" \
    $((UPSTREAM_PORT + $(format_offset "$FORMAT"))) "$AUDIO" rec.video \
    rec.audio_0)"
fi
[ "$FORMAT" = webm ] || die "--format=$FORMAT needs --from=encoder"
need matroskademux
if [ -n "$URL" ]; then
  src="souphttpsrc is-live=true location=$(gst_str "$URL")"
else
  [ "$FEED_IMPL" = flufeed ] || \
    echo "$(basename "$0"): warning: stock feeds start mid-cluster; use --url" >&2
  src=$(feed_src "$UPSTREAM" "$UPSTREAM_PORT")
fi
rec=$(record_to "$DIR" "$PREFIX" "$SEGMENT" webm demux)
run "$src ! queue ! $rec"
