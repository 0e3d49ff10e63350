#!/bin/sh
# fluhlssink fMP4 part delay when its audio pad gets no audio (not run by
# CI): one LL-HLS viewer (flu-hlspoll --ll: a blocking reload for each
# next part, then the part) reads, for DURATION (20) s, the same live
# H.264 (x264enc tune=zerolatency) + AAC (voaacenc) stream muxed by
# fluhlssink (part-target 200 ms, target-duration 1), its audio branch
# going through a valve:
#   audio     valve drop=false: audio flows (the reference)
#   gaps      valve drop=true drop-mode=transform-to-gap: every dropped
#             buffer becomes a GAP event (a muted source, an RTP
#             depayloader after packet loss, flufeedsrc filling an outage)
#   dead      valve drop=true drop-mode=forward-sticky-events: caps and
#             segment, then no buffer and no event (a hung encoder)
#   gaps at 5 s, dead at 5 s: the audio flows for 5 s (234 AAC frames),
#             then its pad gets GAP events / nothing (a funnel joins the
#             audio, whose EOS it holds, and a valved copy of it)
# and prints, per row, the age of each part when its last byte reached
# the viewer (wall clock minus the EXT-X-PROGRAM-DATE-TIME of its end:
# encoder latency + the muxer's wait + serving), median / p95 / max.
#
#   sh tests/bench/hls-part-delay.sh   (DURATION=20 FLU_BUILD_DIR=build)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/e2e/lib.sh"
build=${FLU_BUILD_DIR:-$top/build}
GST_PLUGIN_PATH_1_0="$build/ext/soup${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
export GST_PLUGIN_PATH_1_0
need fluhlssink x264enc h264parse voaacenc aacparse valve
poll="$build/tests/check/soup/flu-hlspoll"
[ -x "$poll" ] || fail "$poll is not built (ninja -C $build)"
secs=${DURATION:-20}

row () {
  name=$1
  valve=$2
  audio="audiotestsrc is-live=true ! audio/x-raw,rate=48000 ! voaacenc ! aacparse"
  case $name in
  *5s) branch="$audio ! valve $valve ! f. audiotestsrc is-live=true num-buffers=234 ! audio/x-raw,rate=48000 ! voaacenc ! aacparse ! f. funnel name=f forward-sticky-events=false" ;;
  *) branch="$audio ! valve $valve" ;;
  esac
  start_server "$name" fluhlssink name=s port=0 mount-point=/d/ \
    target-duration=1 part-target=200000000 \
    videotestsrc is-live=true pattern=ball ! \
    video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! \
    x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! \
    h264parse ! s.video \
    $branch ! s.audio
  eval port=\$PORT_$name
  sleep 6
  out=$("$poll" --ll --viewers 1 --seconds "$secs" \
    "http://127.0.0.1:$port/d/index.m3u8")
  pid=${E2E_PIDS##* }
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  age=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n \
    -e 's/^age_med_ms=//p' -e 's/^age_p95_ms=//p' -e 's/^age_max_ms=//p' |
    tr '\n' ' ')
  media=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^media=//p')
  printf '| %s | %s | %s |\n' "$name" "$media" "$(echo $age | sed 's# # / #g')"
}

echo "| audio pad | parts read | part age at the viewer, med / p95 / max ms |"
echo "| --- | --- | --- |"
row audio "drop=false"
row gaps "drop=true drop-mode=transform-to-gap"
row dead "drop=true drop-mode=forward-sticky-events"
row gaps_at_5s "drop=true drop-mode=transform-to-gap"
row dead_at_5s "drop=true drop-mode=drop-all"
