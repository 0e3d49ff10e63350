#!/bin/sh
# recorder: reads an encoded feed and records it to rotating files, each
# starting on a keyframe (splitmuxsink splits before a keyframe once a
# file reaches --segment seconds), named with the date and time the
# recording started and a sequence number:
#   DIR/PREFIX-20261126-184500-00000.webm, ...-00001.webm, ...
#
# Usage: recorder.sh [--option=value ...]   (or the same as env variables)
#   --upstream=HOST[,HOST2]   encoder or streamer host(s) (default 127.0.0.1)
#   --upstream-port=5100      its WebM feed port (encoder 5100, streamer
#                             relay 5200)
#   --url=http://H:P/live.webm   record an HTTP stream instead of a feed
#                             (any streamer or repeater mount).  Needed
#                             when the feeds are the stock GDP pair, whose
#                             readers start mid-cluster, which
#                             matroskademux cannot join
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
OPTIONS="UPSTREAM UPSTREAM_PORT URL DIR PREFIX SEGMENT SECRET VERBOSE DRY_RUN"
parse_args "$@"
numbers UPSTREAM_PORT SEGMENT
need splitmuxsink matroskademux webmmux

if [ -n "$URL" ]; then
  src="souphttpsrc is-live=true location=$(gst_str "$URL")"
else
  [ "$FEED_IMPL" = flufeed ] || \
    echo "$(basename "$0"): warning: stock feeds start mid-cluster; use --url" >&2
  src=$(feed_src "$UPSTREAM" "$UPSTREAM_PORT")
fi
rec=$(record_to "$DIR" "$PREFIX" "$SEGMENT")   # (stops here if DIR fails)
run "$src ! queue ! $rec"
