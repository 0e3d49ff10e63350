#!/bin/sh
# streamer: reads encoded feeds and serves each on its own mount of one
# fluhttpsink port, with viewer limits, an access log, JSON/Prometheus
# statistics and the status page; it also serves every stream again as a
# feed (relay ports) for repeaters.
#   webm -> /live.webm   ts -> /live.ts   ogg -> /live.ogg (not by default)
#   --hls: H.264/AAC HLS with Low-Latency HLS parts -> /live/index.m3u8
#   (fluhlssink, from the encoder's ts feeds, beside the other mounts)
#
# Usage: streamer.sh [--option=value ...]   (or the same as env variables)
#   --upstream=HOST[,HOST2]   encoder host(s) (default 127.0.0.1; a list is
#                             a failover list, flufeedsrc only)
#   --from=encoder            what the upstream is: an encoder (its video
#                             and audio feeds, muxed here: an encoder
#                             restart is invisible to viewers) or relay
#                             (a streamer's muxed relay feeds)
#   --upstream-port=5100      first feed port there (encoder: webm video,
#                             audio +1, ogg +2/+3, ts +4/+5; relay: webm,
#                             ogg +1, ts +2)
#   --audio=1                 0: the encoder serves no audio
#   --formats="webm ts"       streams to serve, any of webm ogg ts
#                             (default webm only when the feeds are the
#                             stock GDP pair, which dies on a missing
#                             upstream)
#   --port=8800               HTTP port (0: any free port)
#   --address=ADDR            HTTP listen address (default all)
#   --porter=SOCKET           serve behind the flu-porter listening on this
#                             UNIX socket instead of on --port: several
#                             streamers share the porter's public port
#   --porter-secret-file=FILE the porter's shared secret (with --porter)
#   --mount-prefix=/room1     put every path (mounts, stats, status page)
#                             under this prefix, so that streamers behind
#                             one porter do not collide (default none)
#   --client-limit=1000       most viewers per mount (0: no limit)
#   --bandwidth-limit=0       bit/s for all viewers of a mount (0: none)
#   --max-clients-per-ip=0    viewers per address (0: no limit)
#   --access-log=PATH         Apache-style access log (default none)
#   --status-path=/           status page (empty: none)
#   --relay-port=5200         first relay feed port (empty: no relay)
#   --feed-listen=ADDR        address the served feeds listen on (default all)
#   --burst-seconds=2         burst sent to new viewers
#   --hls (or --hls=1)        also serve HLS (MPEG-TS segments and LL-HLS
#                             parts from memory: fluhlssink) on the port;
#                             it needs the encoder's ts feeds (or the
#                             relay's ts feed), whether or not ts is in
#                             --formats
#   --hls-mount=/live/        HLS directory (starts and ends with /):
#                             /live/index.m3u8
#   --hls-target-duration=2   segment target, s: at least the encoder's
#                             --keyframe-seconds (segments cut on keyframes)
#   --hls-part-target=333     LL-HLS part target, ms (0: plain HLS)
#   --secret=S                shared secret of the feeds (in and out)
#   --ondemand=DIR            also serve the files of DIR (recorder.sh's
#                             --dir) on the same port, with ranges, a
#                             listing and the same access log (fluondemand)
#   --ondemand-path=/recordings/   where those files are served
#   --verbose=1 --dry-run=1   print caps / only print the pipeline
# Ctrl-C stops it.  Statistics: /stats-<name>.json, /metrics-<name>.
. "$(dirname "$0")/lib.sh"
# --hls alone means --hls=1
for a do
  shift
  [ "$a" = --hls ] && a=--hls=1
  set -- "$@" "$a"
done
[ "$FEED_IMPL" = flufeed ] && default_formats="webm ts" || default_formats=webm
: "${UPSTREAM:=127.0.0.1}" "${UPSTREAM_PORT:=5100}" "${FORMATS:=$default_formats}"
: "${PORT:=8800}" "${ADDRESS:=}" "${CLIENT_LIMIT:=1000}" "${BANDWIDTH_LIMIT:=0}"
: "${MAX_CLIENTS_PER_IP:=0}" "${ACCESS_LOG:=}" "${STATUS_PATH=/}"
: "${RELAY_PORT=5200}" "${BURST_SECONDS:=2}" "${SECRET:=}"
: "${FROM:=encoder}" "${AUDIO:=1}" "${ONDEMAND:=}" "${ONDEMAND_PATH:=/recordings/}"
: "${HLS:=0}" "${HLS_MOUNT:=/live/}" "${HLS_TARGET_DURATION:=2}"
: "${HLS_PART_TARGET:=333}"
: "${PORTER:=}" "${PORTER_SECRET_FILE:=}" "${MOUNT_PREFIX:=}"
OPTIONS="FROM AUDIO UPSTREAM UPSTREAM_PORT FORMATS PORT ADDRESS CLIENT_LIMIT
  BANDWIDTH_LIMIT MAX_CLIENTS_PER_IP ACCESS_LOG STATUS_PATH RELAY_PORT
  BURST_SECONDS SECRET FEED_LISTEN ONDEMAND ONDEMAND_PATH HLS HLS_MOUNT
  HLS_TARGET_DURATION HLS_PART_TARGET VERBOSE DRY_RUN PORTER PORTER_SECRET_FILE
  MOUNT_PREFIX"
parse_args "$@"
numbers UPSTREAM_PORT PORT CLIENT_LIMIT BANDWIDTH_LIMIT MAX_CLIENTS_PER_IP AUDIO \
  BURST_SECONDS HLS HLS_TARGET_DURATION HLS_PART_TARGET
[ -z "$RELAY_PORT" ] || numbers RELAY_PORT
case $FROM in
  encoder | relay) ;;
  *) die "unknown --from '$FROM' (encoder, relay)" ;;
esac
need fluhttpsink
[ "$HLS" = 0 ] || need fluhlssink mpegtsmux
[ -z "$ONDEMAND" ] || need fluondemand
case $MOUNT_PREFIX in
  "") ;;
  */ | *[!A-Za-z0-9._/-]* | [!/]*)
    die "unknown --mount-prefix form (want /name: starts with /, does not end with it, of A-Za-z0-9._/-)" ;;
esac
if [ -n "$PORTER" ]; then
  [ -n "$PORTER_SECRET_FILE" ] || die "--porter needs --porter-secret-file"
  # behind the porter: no port of our own, the porter's is the public one
  where="porter-socket=$(gst_str "$PORTER") porter-secret-file=$(gst_str "$PORTER_SECRET_FILE")"
  PORT="<porter-port>"
else
  where="port=$PORT"
  [ -z "$ADDRESS" ] || where="$where address=$(gst_str "$ADDRESS")"
fi
P=$MOUNT_PREFIX

if [ -z "$PORTER" ] && [ "$PORT" = 0 ] && \
    { [ "$(($(echo $FORMATS | wc -w) + HLS))" -gt 1 ] || [ -n "$ONDEMAND" ]; }; then
  # the mounts share one port: it has to be known before they start
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
  where="port=$PORT"
  [ -z "$ADDRESS" ] || where="$where address=$(gst_str "$ADDRESS")"
fi
pipeline=""
status="status-path=$(gst_str "$P$STATUS_PATH")"
hls="fluhlssink $where mount-point=$(gst_str "$P$HLS_MOUNT")
  target-duration=$HLS_TARGET_DURATION
  part-target=$((HLS_PART_TARGET * 1000000))"
for f in $FORMATS; do
  case $f in
    webm) off=0 ;;
    ogg) off=1 ;;
    ts) off=2 ;;
    *) die "unknown format '$f' (webm, ogg, ts)" ;;
  esac
  sink="fluhttpsink $where mount-point=$P/live.$f
    client-limit=$CLIENT_LIMIT bandwidth-limit=$BANDWIDTH_LIMIT
    max-clients-per-ip=$MAX_CLIENTS_PER_IP burst-on-connect=true
    burst-time=$((BURST_SECONDS * 1000000000))
    stats-path=$P/stats-$f.json metrics-path=$P/metrics-$f"
  [ -z "$ACCESS_LOG" ] || sink="$sink access-log=$(gst_str "$ACCESS_LOG")"
  # the status page lists every mount of the port: one element serves it
  [ -z "$STATUS_PATH" ] || sink="$sink $status"
  status=""
  if [ "$FROM" = encoder ]; then
    # the muxer lives here, after the feed readers.  Pads by name: the
    # readers' caps are not known when the pipeline is built
    if [ $f != ts ]; then
      pads="m$f.video_%u m$f.audio_%u"
    else
      pads="m$f. m$f."
    fi
    # shellcheck disable=SC2086
    pipeline="$pipeline $(encoder_feeds "$UPSTREAM" \
      $((UPSTREAM_PORT + $(format_offset $f))) "$AUDIO" $pads)
      $(format_muxer $f) name=m$f ! tee name=t$f t$f. ! queue ! $sink"
  else
    pipeline="$pipeline $(feed_src "$UPSTREAM" $((UPSTREAM_PORT + off))) !
      queue max-size-time=2000000000 ! tee name=t$f t$f. ! queue ! $sink"
  fi
  if [ -n "$RELAY_PORT" ]; then
    pipeline="$pipeline t$f. ! queue ! $(feed_sink $((RELAY_PORT + off)))"
  fi
  # HLS from the muxed TS of /live.ts
  if [ $f = ts ] && [ "$HLS" != 0 ]; then
    pipeline="$pipeline t$f. ! queue ! $hls"
    hls=""
  fi
  echo "$(basename "$0"): http://<host>:$PORT$P/live.$f" >&2
done
# HLS without /live.ts: a TS muxer (or the relay's TS feed) of its own
if [ "$HLS" != 0 ] && [ -n "$hls" ]; then
  if [ "$FROM" = encoder ]; then
    # shellcheck disable=SC2086
    pipeline="$pipeline $(encoder_feeds "$UPSTREAM" \
      $((UPSTREAM_PORT + $(format_offset ts))) "$AUDIO" mhls. mhls.)
      mpegtsmux name=mhls ! queue ! $hls"
  else
    pipeline="$pipeline $(feed_src "$UPSTREAM" $((UPSTREAM_PORT + 2))) !
      queue max-size-time=2000000000 ! $hls"
  fi
fi
[ "$HLS" = 0 ] || printf '%s: HLS http://<host>:%s%sindex.m3u8\n' \
  "$(basename "$0")" "$PORT" "$P$HLS_MOUNT" >&2
if [ -n "$ONDEMAND" ]; then
  # the recordings, on the same port (one server per port in the process)
  od="fluondemand $where mount-point=$(gst_str "$P$ONDEMAND_PATH")
    directory=$(gst_str "$ONDEMAND")"
  [ -z "$ACCESS_LOG" ] || od="$od access-log=$(gst_str "$ACCESS_LOG")"
  pipeline="$pipeline $od"
  printf '%s: recordings http://<host>:%s%s\n' "$(basename "$0")" "$PORT" \
    "$P$ONDEMAND_PATH" >&2
fi
[ -z "$STATUS_PATH" ] || printf '%s: status http://<host>:%s%s\n' \
  "$(basename "$0")" "$PORT" "$P$STATUS_PATH" >&2
run "$pipeline"
