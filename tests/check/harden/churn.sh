#!/bin/sh
# Connect / GET / read the head / close, many times over (CI: 20,000, or
# 2,000 under sanitizers; FLU_CHURN=100000 for the full run), with viewers
# watching throughout.  Checks: no viewer lost or stalled over 3 s, the
# server's descriptors back to where they were, RSS flat after a warm-up
# round (printed; loose bound), and, under AddressSanitizer, no leak when
# the server exits.
set -eu
. "$(dirname "$0")/lib.sh"
n=${FLU_CHURN:-$(scale 20000)}
[ "${FLU_SANITIZED:-0}" = 1 ] && [ -z "${FLU_CHURN:-}" ] && n=2000
warm=$((n / 10))

start_server header-timeout=5
sleep 1
fd0=$(fds)
"$hostile_bin" --port "$port" --seconds 120 --churn "$warm" --parallel 16 \
  > "$work/out" || { cat "$work/out"; exit 1; }
wait_fds "$fd0" 10 || true
rss1=$(rss_kb)
start=$(date +%s)
"$hostile_bin" --port "$port" --seconds 600 --viewers 4 --churn "$n" \
  --parallel 16 --max-stall "$max_stall" > "$work/out" || { cat "$work/out"; exit 1; }
cat "$work/out"
took=$(( $(date +%s) - start ))
grep -q "churn_done=$n\$" "$work/out" || { echo "not all cycles done"; exit 1; }
wait_fds "$fd0" 10 || { echo "fd leak: $fd0 before, $(fds) after"; exit 1; }
rss2=$(rss_kb)
echo "churn: $n cycles in ${took} s; fds $fd0 before, $(fds) after;" \
  "RSS ${rss1} kB after $warm warm-up cycles, ${rss2} kB after $n more"
assert_growth RSS "$rss1" "$rss2" 50000
stop_server
echo "churn: ok"
