# Helpers of the hardening tests: a flu-harden-server child process on an
# ephemeral port, /proc figures of it.  Needs $FLU_BUILD_ROOT.
#
# FLU_SERVER_WRAPPER: a command the server runs under, for example
#   FLU_SERVER_WRAPPER="valgrind --leak-check=full --log-file=/tmp/vg.%p"
# (with the normal build; the server then gets 3 minutes to start).
# FLU_MAX_STALL: the viewers' stall bound in seconds (default 3), once
# the time the server's serving threads and the client waited for a CPU
# is taken off (flu-hostile.c: load is not a server stall).
# On failure the work directory (server stdout/stderr, the clients'
# figures) is printed and kept under $FLU_BUILD_ROOT/meson-logs/ (meson
# overwrites its own test log at the next run); FLU_KEEP=1 keeps it always.
server_bin=$FLU_BUILD_ROOT/tests/check/harden/flu-harden-server
hostile_bin=$FLU_BUILD_ROOT/tests/hostile/flu-hostile
max_stall=${FLU_MAX_STALL:-3}
work=$(mktemp -d)
server_pid=
server_args=
phase=start
cleanup () {
  status=$?
  if [ "$status" != 0 ]; then
    diagnose "$status"
  fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  [ -n "${FLU_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

# diagnose STATUS: everything about a failed run, on stdout (meson's log)
# and kept in the build directory
diagnose () {
  set +e
  name=$(basename "$0" .sh)
  keep=$FLU_BUILD_ROOT/meson-logs/harden-$name-$(date +%Y%m%d-%H%M%S)-$$
  echo "=== $name failed (exit status $1) in phase: $phase"
  echo "=== server $servers: ${FLU_SERVER_WRAPPER:-} $server_bin" \
    "$server_args, port ${port:-?}"
  if [ -n "$server_pid" ]; then
    if alive; then
      echo "=== server $server_pid alive: $(fds) fds, RSS $(rss_kb) kB," \
        "peak $(peak_kb) kB; threads:"
      grep -h '^Name' /proc/"$server_pid"/task/*/status 2>/dev/null |
        sort | uniq -c
      ls -l "/proc/$server_pid/fd" 2>/dev/null | awk 'NR > 1 {print $NF}' |
        sed 's/[0-9]*]$/]/' | sort | uniq -c
    else
      echo "=== server $server_pid is gone"
    fi
  fi
  for f in "$work"/*; do
    [ -f "$f" ] || continue
    echo "=== $(basename "$f") (last 80 lines)"
    tail -n 80 "$f"
  done
  if mkdir -p "$keep" 2>/dev/null && cp -r "$work"/. "$keep"/; then
    echo "=== kept in $keep"
  fi
}

# start_server [ARGS...]: sets $server_pid and $port; the server's output
# goes to $server_out and $server_err, new files for each server (with one
# file for all, a port could be read from the previous server's output
# before the new child truncated it: the clients then met a closed port)
servers=0
start_server () {
  servers=$((servers + 1))
  server_out=$work/server$servers.out
  server_err=$work/server$servers.err
  server_args="$*"
  : > "$server_out"
  # shellcheck disable=SC2086
  ${FLU_SERVER_WRAPPER:-} "$server_bin" "$@" > "$server_out" \
    2> "$server_err" &
  server_pid=$!
  # flu-hostile takes the run-queue delay of this server's serving
  # threads off the viewers' stalls (machine load, not the server)
  export FLU_SERVER_PID=$server_pid
  port=
  tries=100
  [ -n "${FLU_SERVER_WRAPPER:-}" ] && tries=900
  for _ in $(seq $tries); do
    port=$(sed -n 's/^port=//p' "$server_out")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$port" ] || [ "$port" -le 0 ]; then
    echo "server did not start"; cat "$server_err"; exit 1
  fi
}

# stop_server: SIGTERM, waits for a clean exit (a sanitized build checks
# for leaks then); fails on anything else
stop_server () {
  kill -TERM "$server_pid"
  status=0
  wait "$server_pid" || status=$?
  server_pid=
  if [ "$status" != 0 ] || ! grep -q '^stopped$' "$server_out"; then
    echo "server exited with status $status"
    tail -n 40 "$server_err"
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
