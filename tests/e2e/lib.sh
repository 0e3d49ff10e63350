# Shared helpers of the fluhttpsink end-to-end tests (sourced).
# Servers are child gst-launch-1.0 processes on ports the kernel picks
# (port=0), found from the `current-port` notification of `-v`.
set -eu

if [ "${FLU_SANITIZED:-0}" = 1 ]; then
  # gst-launch-1.0 cannot load sanitized plugins; the in-process GstCheck
  # suites cover the sanitizer run.
  echo "SKIP: end-to-end tests do not run against sanitized builds"
  exit 77
fi

E2E_TMP=$(mktemp -d /tmp/flu-e2e.XXXXXX)
E2E_PIDS=""
cleanup () {
  for pid in $E2E_PIDS; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $E2E_PIDS; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT INT TERM

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

need () {
  for e in "$@"; do
    if ! gst-inspect-1.0 "$e" >/dev/null 2>&1; then
      echo "SKIP: missing GStreamer element $e"
      exit 77
    fi
  done
}

# start_server NAME PIPELINE...: runs the pipeline, sets PORT_<NAME>.
start_server () {
  name=$1
  shift
  log="$E2E_TMP/$name.log"
  : >"$log"
  # shellcheck disable=SC2068
  gst-launch-1.0 -v -e $@ >"$log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  i=0
  port=""
  while [ $i -lt 100 ]; do
    port=$(sed -n 's/.*current-port = \([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
    i=$((i + 1))
  done
  [ -n "$port" ] || { cat "$log" >&2; fail "server $name did not start"; }
  eval "PORT_$name=$port"
}

# status URL [curl args]: prints the HTTP status of a GET, body dropped.
status () {
  url=$1
  shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" || true
}

# first_keyframe FILE: "1" when ffprobe sees a keyframe as first video frame
first_keyframe () {
  ffprobe -v error -select_streams v:0 -show_entries frame=key_frame \
    -read_intervals '%+#1' -of csv=p=0 "$1" 2>/dev/null | head -n 1
}

# free_port: prints a TCP port free right now (for processes that must
# share a port chosen in advance).
free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# free_ports N: prints the first of N consecutive TCP ports free right now
# (an encoder's feeds), below the kernel's ephemeral range so that
# free_port never picks one of them later.
free_ports () {
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
while True:
    p = random.randrange(10000, 30000 - n)
    socks = []
    try:
        for i in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", p + i))
            socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(p)
    break
PY
}

# start_chromium URL [chromium args]: headless Chromium on URL (autoplay
# allowed), sets DEVTOOLS_PORT; skips (77) when Chromium is not installed.
start_chromium () {
  url=$1
  shift
  browser=$(command -v chromium || command -v chromium-browser || true)
  [ -n "$browser" ] || { echo "SKIP: chromium not installed"; exit 77; }
  profile="$E2E_TMP/chromium"
  mkdir -p "$profile"
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --autoplay-policy=no-user-gesture-required \
    --user-data-dir="$profile" --remote-debugging-port=0 "$@" \
    "$url" >"$E2E_TMP/chromium.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  DEVTOOLS_PORT=""
  i=0
  while [ $i -lt 300 ]; do
    if [ -s "$profile/DevToolsActivePort" ]; then
      DEVTOOLS_PORT=$(head -n 1 "$profile/DevToolsActivePort")
      break
    fi
    sleep 0.1
    i=$((i + 1))
  done
  [ -n "$DEVTOOLS_PORT" ] || { cat "$E2E_TMP/chromium.log" >&2; \
    fail "chromium did not start"; }
}

# page_title: the title of Chromium's page, read through DevTools.
page_title () {
  curl -s --max-time 2 "http://127.0.0.1:$DEVTOOLS_PORT/json/list" | \
    sed -n 's/.*"title": *"\([^"]*\)".*/\1/p' | head -n 1
}

# wait_title PATTERN SECONDS: waits until the page title matches the grep
# PATTERN; sets TITLE to the last title read, returns 1 on timeout.
wait_title () {
  i=0
  while [ $i -lt $(($2 * 4)) ]; do
    TITLE=$(page_title)
    printf '%s\n' "$TITLE" | grep -q "$1" && return 0
    sleep 0.25
    i=$((i + 1))
  done
  return 1
}

# start_bg NAME COMMAND...: runs a command in the background, output in
# $E2E_TMP/NAME.log, pid in PID_<NAME>.
start_bg () {
  name=$1
  shift
  "$@" >"$E2E_TMP/$name.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  eval "PID_$name=$!"
}

# wait_listen PORT [SECONDS]: waits until something listens on TCP PORT.
wait_listen () {
  i=0
  while [ $i -lt $((${2:-10} * 10)) ]; do
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# wait_mount URL [SECONDS]: waits until a HEAD of URL answers 200 (the
# mount has its stream); returns 1 on timeout.
wait_mount () {
  i=0
  while [ $i -lt $((${2:-10} * 5)) ]; do
    [ "$(curl -s -I -o /dev/null -w '%{http_code}' --max-time 2 "$1")" = 200 ] && return 0
    sleep 0.2
    i=$((i + 1))
  done
  return 1
}

# video_frames FILE: how many video frames ffprobe decodes in FILE.
video_frames () {
  ffprobe -v error -select_streams v:0 -count_frames \
    -show_entries stream=nb_read_frames -of csv=p=0 "$1" 2>/dev/null | head -n 1
}
