#!/bin/sh
# harden/rss: the eight memory-bound checks of flu-rss (rss.c) at once.
# Each is a process of its own (RSS is per process) and mostly waits for
# its live source, so running them side by side costs one run's time
# (FLU_RSS_SECONDS, default 60) instead of eight.  Every run's figures are
# printed; the test fails when any run fails.
#   rss.sh FLU-RSS-BINARY
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
runs=""
for e in flumultifdsink fluhttpsink flufeedsink fluhlssink; do
  for c in none stalled; do
    "$bin" "$e" "$c" >"$tmp/$e-$c.log" 2>&1 &
    runs="$runs $e-$c:$!"
  done
done
failed=0
for r in $runs; do
  name=${r%%:*} pid=${r##*:}
  if wait "$pid"; then
    result=ok
  else
    result="FAILED (exit $?)"
    failed=$((failed + 1))
  fi
  echo "== rss-$name: $result"
  cat "$tmp/$name.log"
done
[ "$failed" = 0 ] || { echo "rss: $failed of 8 runs failed"; exit 1; }
echo "rss: all 8 runs within their bounds"
