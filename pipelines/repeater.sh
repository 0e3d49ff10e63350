#!/bin/sh
# repeater: the distribution tree when one box is not enough.  Reads the
# relay feeds of a remote streamer (or of another repeater) and serves
# them locally, exactly like streamer.sh (same options and mounts), with
# these defaults instead:
#   --upstream=HOST[,HOST2]   the streamer(s) to relay (required; a list is
#                             a failover list, flufeedsrc only)
#   --from=relay              a streamer's relay feeds (--from=encoder:
#                             an encoder's feeds, muxed here)
#   --upstream-port=5200      the streamer's first relay port
#   --relay-port=             no relay of its own (set one to chain)
# See streamer.sh --help for the rest.  Ctrl-C stops it.
#
# Example: two repeaters behind one streamer, each near its viewers:
#   pipelines/repeater.sh --upstream=streamer.example.org --port=8800
. "$(dirname "$0")/lib.sh"
case " $* " in *" --help "* | *" -h "*) usage; exit 0 ;; esac
: "${UPSTREAM:=}" "${UPSTREAM_PORT:=5200}" "${RELAY_PORT=}" "${FROM:=relay}"
export UPSTREAM UPSTREAM_PORT RELAY_PORT FROM
exec "$(dirname "$0")/streamer.sh" "$@"
