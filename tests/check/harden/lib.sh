# Helpers of the hardening tests: a flu-harden-server child process on an
# ephemeral port, /proc figures of it.  Needs $FLU_BUILD_ROOT.
server_bin=$FLU_BUILD_ROOT/tests/check/harden/flu-harden-server
hostile_bin=$FLU_BUILD_ROOT/tests/hostile/flu-hostile
work=$(mktemp -d)
server_pid=
cleanup () {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  [ -n "${FLU_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

# start_server [ARGS...]: sets $server_pid and $port
start_server () {
  # created here: the loop below may read it before the child's shell does
  : > "$work/server.out"
  "$server_bin" "$@" > "$work/server.out" 2> "$work/server.err" &
  server_pid=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^port=//p' "$work/server.out")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$port" ] || [ "$port" -le 0 ]; then
    echo "server did not start"; cat "$work/server.err"; exit 1
  fi
}

# stop_server: SIGTERM, waits for a clean exit (a sanitized build checks
# for leaks then); fails on anything else
stop_server () {
  kill -TERM "$server_pid"
  status=0
  wait "$server_pid" || status=$?
  server_pid=
  if [ "$status" != 0 ] || ! grep -q '^stopped$' "$work/server.out"; then
    echo "server exited with status $status"
    tail -n 40 "$work/server.err"
    exit 1
  fi
}

fds () { ls "/proc/$server_pid/fd" | wc -l; }
rss_kb () { awk '/^VmRSS/{print $2}' "/proc/$server_pid/status"; }
peak_kb () { awk '/^VmHWM/{print $2}' "/proc/$server_pid/status"; }
alive () { kill -0 "$server_pid" 2>/dev/null; }

# wait_fds N SECONDS: until the server has at most N descriptors open
wait_fds () {
  for _ in $(seq $(($2 * 5))); do
    [ "$(fds)" -le "$1" ] && return 0
    sleep 0.2
  done
  return 1
}

# scale N: N, or N/4 in a sanitized build (at least 1)
scale () {
  if [ "${FLU_SANITIZED:-0}" = 1 ]; then
    n=$(($1 / 4)); [ "$n" -lt 1 ] && n=1; echo "$n"
  else
    echo "$1"
  fi
}

# assert_growth WHAT BEFORE_KB AFTER_KB LIMIT_KB: fails when AFTER is more
# than LIMIT over BEFORE; not under sanitizers (AddressSanitizer's
# quarantine holds freed memory)
assert_growth () {
  if [ "${FLU_SANITIZED:-0}" != 1 ] && [ "$3" -gt $(($2 + $4)) ]; then
    echo "$1 grew too much: $2 kB -> $3 kB"; exit 1
  fi
}
