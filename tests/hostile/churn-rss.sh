#!/bin/sh
# By hand: RSS of a fluhttpsink server (tests/check/harden/flu-harden-server)
# after a 10,000-connection warm-up, then after 20,000, 40,000 and 80,000
# more connections of one kind, and the growth per connection:
#
#   sh tests/hostile/churn-rss.sh build steal|close404|refuse401|refuse503
#
# steal: authorized GETs of the stream (handed over to the engine);
# close404: an unknown path; refuse401: no credentials; refuse503: over
# client-limit (a viewer holds the only slot).  docs/RELIABILITY.md has
# the figures.
set -eu
B=$(cd "$1" && pwd); kind=$2
export GST_PLUGIN_PATH_1_0="$B/gst/multifd:$B/ext/soup"
export GST_REGISTRY_1_0="$B/churn-rss-registry.bin"
srv=$B/tests/check/harden/flu-harden-server
h=$B/tests/hostile/flu-hostile
w=$(mktemp -d)
pid=; vpid=
trap 'kill $pid $vpid 2>/dev/null || true; rm -rf "$w"' EXIT
# viewer:secret
printf 'viewer:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n' > "$w/htpasswd"
props=; hargs=
case $kind in
  steal) props="htpasswd=$w/htpasswd"; hargs="--auth viewer:secret" ;;
  close404) hargs="--path /nope" ;;
  refuse401) props="htpasswd=$w/htpasswd" ;;
  refuse503) props="client-limit=1" ;;
  *) echo "unknown kind $kind"; exit 2 ;;
esac
: > "$w/out"
# shellcheck disable=SC2086
"$srv" header-timeout=5 $props > "$w/out" 2> "$w/err" &
pid=$!
port=
for _ in $(seq 50); do
  port=$(sed -n 's/^port=//p' "$w/out"); [ -n "$port" ] && break; sleep 0.2
done
[ -n "$port" ] || { echo "server did not start"; cat "$w/err"; exit 1; }
rss () { awk '/^VmRSS/{print $2}' "/proc/$pid/status"; }
churn () {
  # shellcheck disable=SC2086
  "$h" --port "$port" $hargs --churn "$1" --parallel 16 --seconds 300 \
    > "$w/h.out" || { cat "$w/h.out"; exit 1; }
  sleep 0.5
}
if [ "$kind" = refuse503 ]; then
  "$h" --port "$port" --viewers 1 --seconds 600 > /dev/null & vpid=$!
  sleep 1
fi
churn 10000
r0=$(rss)
printf '%s: %s kB after 10k warm-up' "$kind" "$r0"
done=0
for n in 20000 40000 80000; do
  churn $((n - done)); done=$n
  printf ', %s kB after +%dk' "$(rss)" $((n / 1000))
done
echo "; $(( ($(rss) - r0) * 1024 / 80000 )) bytes per connection"
tail -n 1 "$w/h.out"
