#!/bin/sh
# Connect / GET / read the head / close, many times over, with viewers
# watching throughout: N accepted GETs (the connection handed to the
# engine), then N/4 requests for an unknown path (a 404 with
# "Connection: close").  CI: N = 30,000, or 2,000 under sanitizers;
# FLU_CHURN=100000 for a long run.  Checks: no viewer lost or stalled over
# 3 s, the server's descriptors back to where they were, no leak at exit
# under AddressSanitizer, and RSS flat after a warm-up round: its growth
# per connection must stay under FLU_CHURN_MAX_BPC bytes (default 100;
# not under sanitizers, whose quarantine holds freed memory).  libsoup
# 3.2's listener kept ~350 bytes per connection (a GSocket it never
# freed) before fluhttpserver.c accepted the connections itself.
set -eu
. "$(dirname "$0")/lib.sh"
n=${FLU_CHURN:-30000}
[ "${FLU_SANITIZED:-0}" = 1 ] && [ -z "${FLU_CHURN:-}" ] && n=2000
warm=$((n / 5))
refused=$((n / 4))
max_bpc=${FLU_CHURN_MAX_BPC:-100}

# without the heap trim after bursts (fluhttpserver.c): with it, RSS
# drops whenever thousands of connections have gone (here they stay
# alive until the engine sees them close) and regrows as the heap is
# reused, which says nothing of what a connection keeps; harden/burst
# tests the trim
export FLU_HTTP_MALLOC_TRIM=0
start_server header-timeout=5
sleep 1
fd0=$(fds)
"$hostile_bin" --port "$port" --seconds 120 --churn "$warm" --parallel 16 \
  > "$work/out" || { cat "$work/out"; exit 1; }
"$hostile_bin" --port "$port" --seconds 120 --churn "$warm" --parallel 16 \
  --path /nope > "$work/out" || { cat "$work/out"; exit 1; }
wait_fds "$fd0" 10 || true
rss1=$(rss_kb)
start=$(date +%s)
"$hostile_bin" --port "$port" --seconds 600 --viewers 4 --churn "$n" \
  --parallel 16 --max-stall "$max_stall" > "$work/out" || { cat "$work/out"; exit 1; }
cat "$work/out"
grep -q "churn_done=$n\$" "$work/out" || { echo "not all cycles done"; exit 1; }
"$hostile_bin" --port "$port" --seconds 600 --churn "$refused" \
  --parallel 16 --path /nope > "$work/out" || { cat "$work/out"; exit 1; }
cat "$work/out"
grep -q "4xx:$refused/.*churn_done=$refused\$" "$work/out" || {
  echo "not all refusals done"; exit 1; }
took=$(( $(date +%s) - start ))
wait_fds "$fd0" 10 || { echo "fd leak: $fd0 before, $(fds) after"; exit 1; }
rss2=$(rss_kb)
total=$((n + refused))
bpc=$(( (rss2 - rss1) * 1024 / total ))
bound="bound $max_bpc"
[ "${FLU_SANITIZED:-0}" = 1 ] && bound="not checked under sanitizers"
echo "churn: $n accepted + $refused refused in ${took} s; fds $fd0 before," \
  "$(fds) after; RSS ${rss1} kB after $((2 * warm)) warm-up cycles," \
  "${rss2} kB after $total more: $bpc bytes per connection ($bound)"
if [ "${FLU_SANITIZED:-0}" != 1 ] && [ "$bpc" -gt "$max_bpc" ]; then
  echo "RSS grows with every connection: $bpc > $max_bpc bytes each"
  exit 1
fi
stop_server
echo "churn: ok"
