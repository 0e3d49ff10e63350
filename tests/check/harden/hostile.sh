#!/bin/sh
# Hostile clients against a running fluhttpsink (a child process) while
# well-behaved viewers keep reading: slowloris, never-read, half-closed
# and reset connections, oversized and garbage requests, log injection.
# Checks that the viewers never lost the stream nor stalled more than 3 s
# (printed: their worst stall), that the server survived (SIGPIPE keeps
# its default action there), gave back its descriptors, and that the
# access log is one escaped line per request.
#   FLU_HOSTILE_SCALE=10 sh tests/check/harden/hostile.sh   # bigger run
set -eu
. "$(dirname "$0")/lib.sh"
k=${FLU_HOSTILE_SCALE:-1}
seconds=${FLU_HOSTILE_SECONDS:-12}

# viewer:secret, as `htpasswd -s` writes it
printf 'viewer:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n' > "$work/htpasswd"
start_server htpasswd="$work/htpasswd" access-log="$work/access.log" \
  header-timeout=2
sleep 1
fd0=$(fds)
rss0=$(rss_kb)

status=0
"$hostile_bin" --port "$port" --seconds "$seconds" --auth viewer:secret \
  --viewers "$(scale 5)" --slowloris "$(scale $((200 * k)))" \
  --noread "$(scale $((50 * k)))" --halfclose "$(scale $((200 * k)))" \
  --reset "$(scale $((200 * k)))" --oversized "$(scale $((40 * k)))" \
  --garbage "$(scale $((200 * k)))" --inject "$(scale $((100 * k)))" \
  --parallel 8 --max-stall "$max_stall" > "$work/hostile.out" || status=$?
cat "$work/hostile.out"
alive || { echo "the server died"; cat "$server_err"; exit 1; }
[ "$status" = 0 ] || { echo "viewers lost or stalled"; exit 1; }

# the slowloris are closed by header-timeout, the others are gone
wait_fds $((fd0 + 2)) 10 || { echo "fds: $fd0 before, $(fds) after"; exit 1; }
echo "server fds: $fd0 before, $(fds) after; rss ${rss0} kB before," \
  "$(rss_kb) kB after, peak $(peak_kb) kB"

log=$work/access.log
lines=$(wc -l < "$log")
# printable ASCII only, one line per request, combined format + seconds
q='"([^"\\]|\\.)*"'
good=$(grep -cE "^[^ ]+ - [^ ]+ \[[^]]+\] $q [0-9]{3} [0-9]+ $q $q [0-9]+\$" \
  "$log" || true)
bad=$(LC_ALL=C grep -c '[^ -~]' "$log" || true)
echo "access log: $lines lines, $good well-formed, $bad with raw bytes"
if [ "$lines" = 0 ] || [ "$good" != "$lines" ] || [ "$bad" != 0 ]; then
  grep -vE "^[^ ]+ - [^ ]+ \[[^]]+\] $q [0-9]{3} [0-9]+ $q $q [0-9]+\$" \
    "$log" | head -n 5
  exit 1
fi
# the injected user, User-Agent and Referer came out escaped
grep -qF 'ev\"il\x0a127.0.0.1\x20-\x20root' "$log"
grep -qF '"Mozilla\" \"\x01\x7f\xc3\xa9\\x0a"' "$log"
grep -qF '"http://a/\"\x1b]0;pwn\x07"' "$log"
stop_server
echo "hostile: ok"
