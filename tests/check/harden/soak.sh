#!/bin/sh
# Compressed soak, run by hand (not in CI: it takes minutes and uses
# gst-launch-1.0, so the normal build only):
#   producer (videotestsrc ! vp8enc ! webmmux ! flufeedsink), restarted
#   every RESTART seconds, feeding
#   streamer (flufeedsrc ! fluhttpsink burst 2 s), watched by VIEWERS
#   viewers (tests/hostile/flu-hostile) for SECONDS.
# Prints the viewers' worst stall (the restarts show there), viewers lost,
# and the streamer's descriptors and RSS after warm-up and at the end.
#   FLU_BUILD_ROOT=build sh tests/check/harden/soak.sh [SECONDS] [VIEWERS] [RESTART]
# FLU_STREAMER_WRAPPER / FLU_PRODUCER_WRAPPER: a command the streamer /
# each producer runs under, e.g. "valgrind --leak-check=full
# --log-file=/tmp/vg.%p" (the streamer is then stopped with SIGINT at the
# end, so that it exits cleanly and valgrind checks for leaks; producers
# are killed as always).  FLU_MAX_STALL: the viewers' bound (10 s).
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(cd "${FLU_BUILD_ROOT:-$top/build}" && pwd)
seconds=${1:-90}
viewers=${2:-1000}
restart=${3:-15}
export GST_PLUGIN_PATH_1_0="$build/gst/multifd:$build/gst/feed:$build/ext/soup"
export GST_REGISTRY_1_0="$build/soak-registry.bin"
work=$(mktemp -d)
producer=
streamer=
cleanup () {
  for p in $producer $streamer; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
feed=$(free_port)
http=$(free_port)
start_producer () {
  # shellcheck disable=SC2086
  ${FLU_PRODUCER_WRAPPER:-} gst-launch-1.0 -q videotestsrc is-live=true ! \
    video/x-raw,width=320,height=240,framerate=25/1 ! \
    vp8enc deadline=1 cpu-used=8 keyframe-max-dist=25 target-bitrate=500000 ! \
    webmmux streamable=true ! \
    flufeedsink host=127.0.0.1 port="$feed" > "$work/producer.log" 2>&1 &
  producer=$!
}
start_producer
# shellcheck disable=SC2086
${FLU_STREAMER_WRAPPER:-} gst-launch-1.0 -q flufeedsrc host=127.0.0.1 port="$feed" retry-initial=100 \
  retry-max=1000 ! fluhttpsink port="$http" burst-on-connect=true \
  burst-time=2000000000 > "$work/streamer.log" 2>&1 &
streamer=$!
sleep 3
[ -n "${FLU_STREAMER_WRAPPER:-}" ] && sleep 20
"$build/tests/hostile/flu-hostile" --port "$http" --seconds "$seconds" \
  --viewers "$viewers" --max-stall "${FLU_MAX_STALL:-10}" \
  > "$work/viewers.out" &
viewers_pid=$!
sleep 10
fd1=$(ls "/proc/$streamer/fd" | wc -l)
rss1=$(awk '/^VmRSS/{print $2}' "/proc/$streamer/status")
restarts=0
end=$(( $(date +%s) + seconds - 12 ))
while [ "$(date +%s)" -lt "$end" ]; do
  sleep "$restart"
  kill "$producer"; wait "$producer" 2>/dev/null || true
  start_producer
  restarts=$((restarts + 1))
done
status=0
wait "$viewers_pid" || status=$?
cat "$work/viewers.out"
echo "soak: $viewers viewers, $seconds s, $restarts upstream restarts;" \
  "streamer fds $fd1 after warm-up, $(ls "/proc/$streamer/fd" | wc -l) at" \
  "the end; RSS $rss1 kB after warm-up," \
  "$(awk '/^VmRSS/{print $2}' "/proc/$streamer/status") kB at the end," \
  "peak $(awk '/^VmHWM/{print $2}' "/proc/$streamer/status") kB"
if [ -n "${FLU_STREAMER_WRAPPER:-}" ]; then
  kill -INT "$streamer"
  for _ in $(seq 600); do kill -0 "$streamer" 2>/dev/null || break; sleep 0.2; done
  st=0
  wait "$streamer" || st=$?
  echo "soak: streamer exited with status $st"
  streamer=
fi
exit $status
