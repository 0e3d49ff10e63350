#!/bin/sh
# File-descriptor exhaustion: the server runs with RLIMIT_NOFILE=64 and
# idle connections (held open past header-timeout) take every descriptor
# it has.  Viewers already watching keep receiving (worst stall printed,
# bound 3 s); new connections wait in the listen backlog (not refused, not
# crashed); once the idle ones leave, a new viewer is served again.
# Before the fix in fluhttpserver.c libsoup's listener stopped for good on
# the first EMFILE and the port never accepted again.  Then a second round
# of the hostile mix checks memory stays bounded: prints the engine's
# bounds and the peak RSS.
set -eu
. "$(dirname "$0")/lib.sh"

phase="EMFILE: start"
start_server --nofile 64 header-timeout=30
sleep 1
fd0=$(fds)
phase="EMFILE: 200 idle connections, 5 viewers, then a probe"
"$hostile_bin" --port "$port" --seconds 8 --viewers 5 --hold 200 \
  --hold-seconds 4 --probe --max-stall "$max_stall" > "$work/emfile.out" || {
    echo "viewers stalled or the probe was not served"; exit 1; }
cat "$work/emfile.out"
alive || { echo "the server died"; exit 1; }
phase="EMFILE: descriptors back"
wait_fds $((fd0 + 2)) 10 || { echo "fds: $fd0 before, $(fds) after"; exit 1; }
echo "exhaust: fds $fd0 before, $(fds) after, peak RSS $(peak_kb) kB"
phase="EMFILE: stop"
stop_server

# Memory: never-read viewers and fast ones; the engine drops a viewer past
# units-max (here 2 s of stream) or backlog-limit (64 MB by default), so
# the ring never holds more than that, whatever the clients do.
phase="memory: start"
start_server --bitrate 2000 units-max=2000000000 units-soft-max=-1 \
  header-timeout=2
sleep 1
rss0=$(rss_kb)
phase="memory: noread, slowloris, 5 viewers"
"$hostile_bin" --port "$port" --seconds "$(scale 12)" --viewers 5 \
  --noread "$(scale 200)" --slowloris "$(scale 200)" --max-stall "$max_stall" \
  > "$work/memory.out" || exit 1
cat "$work/memory.out"
peak=$(peak_kb)
echo "memory: units-max 2 s of stream, backlog-limit" \
  "64 MB; RSS ${rss0} kB at start, peak ${peak} kB"
# loose: a leak or an unbounded queue grows far past this
assert_growth RSS "$rss0" "$peak" 200000
phase="memory: stop (the server still reads requests)"
stop_server
echo "exhaust: ok"
