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
  # a browser's helper processes outlive its main process for a moment
  # and may still write to the profile: retry, never fail the test here
  i=0
  while ! rm -rf "$E2E_TMP" 2>/dev/null && [ $i -lt 25 ]; do
    sleep 0.2
    i=$((i + 1))
  done
  rm -rf "$E2E_TMP" || true
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
# Servers take port=0 where they can.  Where one port must be shared
# (several sinks of one process on one port), write @PORT@ in the
# pipeline: start_server puts a free_port there and, when the server
# could not listen on it (another process took it between free_port and
# the bind), starts it again on another one, up to 5 times.
start_server () {
  name=$1
  shift
  log="$E2E_TMP/$name.log"
  pick=0
  tries=1
  case "$*" in *@PORT@*) pick=1 tries=5 ;; esac
  want=""
  while :; do
    : >"$log"
    if [ $pick = 1 ]; then
      want=$(free_port)
      pipeline=$(printf '%s' "$*" | sed "s/@PORT@/$want/g")
    else
      pipeline=$*
    fi
    # shellcheck disable=SC2086
    gst-launch-1.0 -v -e $pipeline >"$log" 2>&1 &
    spid=$!
    E2E_PIDS="$E2E_PIDS $spid"
    i=0
    port=""
    while [ $i -lt 100 ]; do
      port=$(sed -n 's/.*current-port = \([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
      [ -n "$port" ] && break
      grep -q 'Address already in use' "$log" && break
      sleep 0.1
      i=$((i + 1))
    done
    [ -n "$port" ] && break
    tries=$((tries - 1))
    if [ $tries -gt 0 ] && grep -q 'Address already in use' "$log"; then
      echo "start_server $name: port $want taken meanwhile, another one" >&2
      kill "$spid" 2>/dev/null || true
      wait "$spid" 2>/dev/null || true
      continue
    fi
    cat "$log" >&2
    fail "server $name did not start"
  done
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
# share a port chosen in advance), drawn at random from 20000-32767: below
# the kernel's ephemeral range (32768-60999), from which every port=0
# server and every outgoing connection of the machine takes its port, so
# that none of those takes it before its user binds it; and above
# free_ports' range.  Two free_port callers may still draw the same port
# (1 in 12000): start_server's @PORT@ retries then.
free_port () {
  python3 - <<'PY'
import random, socket
while True:
    p = random.randrange(20000, 32768)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        s.listen(1)
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
PY
}

# free_ports N: prints the first of N consecutive TCP ports free right now
# (an encoder's feeds), from 10000-19999: neither the ephemeral range nor
# free_port's.
free_ports () {
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
while True:
    p = random.randrange(10000, 20000 - n)
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

# start_firefox URL: headless Firefox ESR on URL, in a fresh profile whose
# prefs allow autoplay and stop its own network traffic (updates,
# telemetry, safe browsing, captive portal and connectivity probes,
# remote settings, DNS-over-HTTPS, prefetching); skips (77) when Firefox
# is not installed.
start_firefox () {
  url=$1
  browser=$(command -v firefox-esr || command -v firefox || true)
  [ -n "$browser" ] || { echo "SKIP: firefox-esr not installed"; exit 77; }
  profile="$E2E_TMP/firefox"
  mkdir -p "$profile" "$E2E_TMP/firefox-home"
  cat >"$profile/user.js" <<'PREFS'
user_pref("app.update.auto", false);
user_pref("app.update.disabledForTesting", true);
user_pref("app.normandy.enabled", false);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.ping-centre.telemetry", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.provider.google4.updateURL", "");
user_pref("browser.safebrowsing.provider.mozilla.updateURL", "");
user_pref("browser.search.update", false);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.startup.page", 0);
user_pref("browser.tabs.warnOnClose", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("extensions.systemAddon.update.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("geo.enabled", false);
user_pref("media.autoplay.blocking_policy", 0);
user_pref("media.autoplay.default", 0);
user_pref("media.gmp-manager.updateEnabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("network.prefetch-next", false);
user_pref("network.proxy.type", 0);
user_pref("network.trr.mode", 5);
user_pref("services.settings.server", "http://127.0.0.1:9/");
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.server", "");
user_pref("toolkit.telemetry.unified", false);
PREFS
  HOME="$E2E_TMP/firefox-home" MOZ_CRASHREPORTER_DISABLE=1 \
    "$browser" --headless --no-remote --new-instance --profile "$profile" \
    "$url" >"$E2E_TMP/firefox.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
}

# start_collector PORT [NAME=FILE...]: the playback collector
# (tests/e2e/collector.py) in front of the server on PORT, serving each
# FILE as /__flu/file/NAME; sets COLLECTOR_PORT.
start_collector () {
  COLLECTOR_DIR="$E2E_TMP/collector"
  mkdir -p "$COLLECTOR_DIR"
  upstream=$1
  shift
  python3 "$(dirname "$0")/collector.py" "127.0.0.1:$upstream" \
    "$COLLECTOR_DIR" "$@" >"$E2E_TMP/collector.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  i=0
  while [ $i -lt 100 ] && [ ! -s "$COLLECTOR_DIR/port" ]; do
    sleep 0.1
    i=$((i + 1))
  done
  [ -s "$COLLECTOR_DIR/port" ] || { cat "$E2E_TMP/collector.log" >&2; \
    fail "the collector did not start"; }
  COLLECTOR_PORT=$(cat "$COLLECTOR_DIR/port")
}

# check_playback BROWSER PAGE: opens PAGE (a path of the collector's
# upstream server, e.g. / or /status?autoplay) in BROWSER (chromium or
# firefox) inside tests/e2e/playback-check.html, and waits for its
# verdict on the page's first <video>: currentTime advancing by >= 3 s over
# >= 3 s of wall time, decoded frames increasing, a picture with a size.
# Fails the test otherwise; sets RESULT to the verdict (JSON).
check_playback () {
  page=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$2")
  url="http://127.0.0.1:$COLLECTOR_PORT/__flu/check?page=$page"
  case $1 in
    chromium) start_chromium "$url" ;;
    firefox) start_firefox "$url" ;;
    *) fail "unknown browser $1" ;;
  esac
  i=0
  while [ $i -lt 400 ] && [ ! -s "$COLLECTOR_DIR/result" ]; do
    sleep 0.25
    i=$((i + 1))
  done
  [ -s "$COLLECTOR_DIR/result" ] || { tail -n 20 "$E2E_TMP/$1.log" >&2; \
    tail -n 20 "$E2E_TMP/collector.log" >&2; \
    fail "$1 sent no playback verdict in 100 s"; }
  RESULT=$(cat "$COLLECTOR_DIR/result")
  printf '%s' "$RESULT" | grep -q '"pass": *true' || \
    fail "$1 did not play $2: $RESULT"
}

# wait_page_title PATTERN SECONDS: waits until the title of the page under
# check_playback matches the grep PATTERN; sets TITLE, returns 1 on timeout.
wait_page_title () {
  i=0
  while [ $i -lt $(($2 * 4)) ]; do
    TITLE=$(cat "$COLLECTOR_DIR/title" 2>/dev/null || true)
    printf '%s\n' "$TITLE" | grep -q "$1" && return 0
    sleep 0.25
    i=$((i + 1))
  done
  return 1
}

# check_recording FILE WHAT [STREAMS]: monotonic dts per stream (STREAMS:
# "v a"), decodes without error; prints the video dts span in seconds
check_recording () {
  for s in ${3:-v a}; do
    ffprobe -v error -select_streams $s:0 -show_entries packet=dts_time \
      -of default=nw=1:nk=1 "$1" | grep '^[0-9.-]*$' | grep . \
      >"$E2E_TMP/dts" || true
    [ -s "$E2E_TMP/dts" ] || fail "$2: no $s packets"
    awk -v what="$2 ($s)" 'NR > 1 && $1 <= last {
        printf "%s: dts %s after %s\n", what, $1, last; bad = 1; exit }
      { last = $1 } END { exit bad }' "$E2E_TMP/dts" >&2 || \
      fail "$2: timestamps not monotonic"
    [ $s = v ] && span=$(awk 'NR == 1 { f = $1 } { l = $1 } END { printf "%.1f", l - f }' "$E2E_TMP/dts")
  done
  ffmpeg -nostdin -v error -i "$1" -f null - >"$E2E_TMP/dec" 2>&1 || true
  [ ! -s "$E2E_TMP/dec" ] || { head -n 5 "$E2E_TMP/dec" >&2; fail "$2 does not decode cleanly"; }
  echo "$span"
}
