#!/bin/sh
# A conference deployment on one machine, with network namespaces as
# hosts on a bridge (10.77.0.0/24), all through the pipelines/ scripts:
#   prod (.1)  producer.sh: raw test video + audio feeds
#   enc  (.2)  encoder.sh: WebM feed; recorder.sh on that feed (2 s files)
#   rep1 (.3)  repeater.sh of the encoder's feed, HTTP :8800, one viewer
#   rep2 (.4)  repeater.sh likewise, one viewer
# Then: the producer's link is cut for 10 s and restored; rep1 is killed
# and restarted.  Checked: rep2's viewer stays connected and keeps
# receiving (the encoder repeats the last frame during the outage: a
# frozen frame); a new viewer of the restarted rep1 gets a stream starting
# on a keyframe within a few seconds; the recording covers the whole run
# but at most the outage.  Needs root for `ip netns`; skips (77) without.
. "$(dirname "$0")/lib.sh"
need fluhttpsink fluoverlay flufeedsink flufeedsrc vp8enc vorbisenc \
  webmmux splitmuxsink matroskademux
for c in ip ffprobe curl; do
  command -v $c >/dev/null || { echo "SKIP: no $c"; exit 77; }
done
roles="$FLU_SOURCE_ROOT/pipelines"
export FLU_BUILD_DIR="$FLU_BUILD_ROOT"
ns=flu$$
if ! ip netns add "$ns-sw" 2>/dev/null; then
  echo "SKIP: cannot create network namespaces (ip netns add needs root)"
  exit 77
fi
HOSTS="prod enc rep1 rep2"
netns_cleanup () {
  cleanup
  for h in $HOSTS sw; do
    ip netns del "$ns-$h" 2>/dev/null || true
  done
}
trap netns_cleanup EXIT INT TERM

ip -n "$ns-sw" link add br0 type bridge
ip -n "$ns-sw" link set br0 up
n=1
for h in $HOSTS; do
  ip netns add "$ns-$h"
  ip link add "v$ns$n" type veth peer name eth0 netns "$ns-$h"
  ip link set "v$ns$n" netns "$ns-sw"
  ip -n "$ns-sw" link set "v$ns$n" master br0 up
  ip -n "$ns-$h" addr add "10.77.0.$n/24" dev eth0
  ip -n "$ns-$h" link set eth0 up
  ip -n "$ns-$h" link set lo up
  eval "ADDR_$h=10.77.0.$n"
  n=$((n + 1))
done
on () {
  h=$1
  shift
  ip netns exec "$ns-$h" "$@"
}
# mount_ready HOST: the repeater on HOST serves a stream (asked from there)
mount_ready () {
  eval "addr=\$ADDR_$1"
  i=0
  rm -f "$E2E_TMP/probe.webm"
  while [ $i -lt 30 ]; do
    on "$1" curl -s --max-time 1 -o "$E2E_TMP/probe.webm" \
      "http://$addr:8800/live.webm" 2>/dev/null || true
    [ -s "$E2E_TMP/probe.webm" ] && return 0
    sleep 0.5
    i=$((i + 1))
  done
  return 1
}

start_bg producer ip netns exec "$ns-prod" sh "$roles/producer.sh" \
  --encoding=raw --width=320 --height=180 --fps=10
sleep 1
start_bg encoder ip netns exec "$ns-enc" sh "$roles/encoder.sh" \
  --producer="$ADDR_prod" --formats=webm --fps=10 --keyframe-seconds=1 \
  --width=320 --height=180 \
  --video-bitrate=300
start_bg recorder ip netns exec "$ns-enc" sh "$roles/recorder.sh" \
  --upstream=127.0.0.1 --upstream-port=5100 --dir="$E2E_TMP/rec" --segment=2
rec_start=$(date +%s)
for r in rep1 rep2; do
  start_bg $r ip netns exec "$ns-$r" sh "$roles/repeater.sh" \
    --from=encoder --upstream="$ADDR_enc" --upstream-port=5100 --formats=webm
done
for r in rep1 rep2; do
  mount_ready $r || \
    { tail -n 5 "$E2E_TMP"/*.log >&2; fail "$r does not serve its mount"; }
done
echo "deployment up; viewers on both repeaters"
start_bg view1 ip netns exec "$ns-rep1" curl -s -o "$E2E_TMP/view1.webm" \
  "http://$ADDR_rep1:8800/live.webm"
start_bg view2 ip netns exec "$ns-rep2" curl -s -o "$E2E_TMP/view2.webm" \
  "http://$ADDR_rep2:8800/live.webm"
sleep 3

# watch view2's size every 0.5 s while the producer's link is down, and
# after; the longest stall in tenths of seconds goes to $stall
watch_size () {
  last=0 same=0 stall=0 i=0
  while [ $i -lt $(($1 * 2)) ]; do
    size=$(stat -c %s "$E2E_TMP/view2.webm" 2>/dev/null || echo 0)
    if [ "$size" -gt "$last" ]; then same=0; else same=$((same + 5)); fi
    [ $same -gt $stall ] && stall=$same
    last=$size
    sleep 0.5
    i=$((i + 1))
  done
}
echo "cutting the producer's link for 10 s"
ip -n "$ns-sw" link set "v${ns}1" down
watch_size 10
stall_outage=$stall
ip -n "$ns-sw" link set "v${ns}1" up
watch_size 4
[ $stall -gt $stall_outage ] && stall_outage=$stall
echo "view2: longest stall $((stall_outage / 10)).$((stall_outage % 10)) s around the outage"

echo "killing and restarting rep1"
kill "$PID_rep1"
wait "$PID_rep1" 2>/dev/null || true
t0=$(date +%s)
start_bg rep1b ip netns exec "$ns-rep1" sh "$roles/repeater.sh" \
  --from=encoder --upstream="$ADDR_enc" --upstream-port=5100 --formats=webm
mount_ready rep1 || { tail -n 30 "$E2E_TMP/rep1b.log" >&2; \
  fail "restarted rep1 does not serve"; }
on rep1 curl -s --max-time 3 -o "$E2E_TMP/view1b.webm" \
  "http://$ADDR_rep1:8800/live.webm" || true
back=$(($(date +%s) - t0))
[ "$(first_keyframe "$E2E_TMP/view1b.webm")" = 1 ] || \
  fail "a viewer of the restarted rep1 does not start on a keyframe"
echo "rep1 restarted: a new viewer got a keyframe-first stream within ${back} s"
[ $back -le 10 ] || fail "rep1's viewers waited $back s"
watch_size 2
[ $stall -gt $stall_outage ] && stall_outage=$stall

# rep2's viewer never left, and never waited long
kill -0 "$PID_view2" 2>/dev/null || fail "rep2's viewer was disconnected"
[ $stall_outage -le 30 ] || { [ -z "${FLU_E2E_DEBUG:-}" ] || \
  grep -E "flufeed" "$E2E_TMP/encoder.log" "$E2E_TMP/rep2.log" | tail -n 40 >&2; \
  fail "rep2's viewer received nothing for $((stall_outage / 10)) s"; }
[ "$(first_keyframe "$E2E_TMP/view2.webm")" = 1 ] || \
  fail "rep2's viewer stream does not start on a keyframe"

kill -INT "$PID_recorder" 2>/dev/null || \
  { grep -v Redistribute "$E2E_TMP/recorder.log" | tail -n 15 >&2; \
    fail "the recorder died"; }
wait "$PID_recorder" 2>/dev/null || true
rec_time=$(($(date +%s) - rec_start))
total=0
for f in "$E2E_TMP"/rec/rec-*.webm; do
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f" \
    2>/dev/null | cut -d. -f1)
  total=$((total + ${d:-0}))
done
echo "recorder: ${total} s of media in $(ls "$E2E_TMP"/rec | wc -l) files over ${rec_time} s"
# startup (encoder connecting, first keyframe) costs a few seconds too
[ $total -ge $((rec_time - 10 - 5)) ] || \
  fail "recording has a hole longer than the outage ($total s of $rec_time s)"
echo "multihost: rep2 viewers kept receiving, rep1 back in ${back} s, recording continuous"
