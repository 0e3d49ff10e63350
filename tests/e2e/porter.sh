#!/bin/sh
# flu-porter: one public port, two streamer processes (gst-launch-1.0 with
# fluhttpsink on /a.webm and /b.webm) behind it.  curl and ffprobe read
# both through the porter; kill -9 of streamer A: B's viewer keeps getting
# bytes (sampled every 0.25 s), A's path gets 404, and A restarted serves
# again; a streamer with the wrong secret cannot register, and no secret
# is in any log; unknown paths 404, a bad request line 400, a too long one
# 414, a silent connection 408 (from the porter); 400 viewers at once all
# get through.
. "$(dirname "$0")/lib.sh"
need fluhttpsink vp8enc webmmux

PORTER=${FLU_PORTER:-$FLU_BUILD_ROOT/tools/porter/flu-porter}
[ -x "$PORTER" ] || fail "no flu-porter at $PORTER"

secret="porter-e2e-$$-good-Zq8"
badsecret="porter-e2e-$$-bad-Kx3"
printf '%s\n' "$secret" > "$E2E_TMP/secret"
printf '%s\n' "$badsecret" > "$E2E_TMP/bad"
sock="$E2E_TMP/porter.sock"
# port 0: the porter picks a free port and prints it
"$PORTER" --port 0 --address 127.0.0.1 --socket "$sock" \
  --secret-file "$E2E_TMP/secret" --request-timeout 1 \
  >"$E2E_TMP/porter.log" 2>&1 &
PORTER_PID=$!
E2E_PIDS="$E2E_PIDS $PORTER_PID"
i=0
port=""
while [ -z "$port" ]; do
  i=$((i + 1))
  [ $i -lt 50 ] || fail "porter did not start: $(cat "$E2E_TMP/porter.log")"
  sleep 0.1
  port=$(sed -n 's/.* port \([0-9][0-9]*\), streamers on .*/\1/p' "$E2E_TMP/porter.log")
done
base="http://127.0.0.1:$port"

src="videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=15/1 ! vp8enc deadline=1 keyframe-max-dist=15 ! webmmux streamable=true"

# streamer NAME MOUNT SECRETFILE: sets PID_<NAME>
streamer () {
  # shellcheck disable=SC2086
  GST_DEBUG='flu*:4' gst-launch-1.0 -e $src ! fluhttpsink mount-point="$2" \
    porter-socket="$sock" porter-secret-file="$3" \
    >>"$E2E_TMP/$1.log" 2>&1 &
  E2E_PIDS="$E2E_PIDS $!"
  eval "PID_$1=$!"
}

# wait_status URL CODE: up to 10 s for a GET to give CODE
wait_status () {
  i=0
  while [ "$(status "$1" --max-time 1)" != "$2" ]; do
    i=$((i + 1))
    [ $i -lt 40 ] || fail "$1 never gave $2 (last: $(status "$1" --max-time 1))"
    sleep 0.25
  done
}

probe () {
  ffprobe -v error -rw_timeout 5000000 -show_entries stream=codec_name \
    -of csv=p=0 "$1" 2>&1 | head -n 1
}

streamer A /a.webm "$E2E_TMP/secret"
streamer B /b.webm "$E2E_TMP/secret"
wait_status "$base/a.webm" 200
wait_status "$base/b.webm" 200
[ "$(probe "$base/a.webm")" = vp8 ] || fail "ffprobe /a.webm: $(probe "$base/a.webm")"
[ "$(probe "$base/b.webm")" = vp8 ] || fail "ffprobe /b.webm"
curl -s -D "$E2E_TMP/h" -o "$E2E_TMP/body" --max-time 2 "$base/a.webm" || true
grep -qi '^Server: gst-flumotion/.* fluhttpsink' "$E2E_TMP/h" \
  || fail "not answered by the streamer: $(cat "$E2E_TMP/h")"
[ "$(head -c 4 "$E2E_TMP/body" | od -An -tx1 | tr -d ' ')" = 1a45dfa3 ] \
  || fail "body is not WebM"

# routed on the path as libsoup normalizes it (dot segments, %XX)
[ "$(status "$base/x/../a%2Ewebm" --path-as-is -r 0-0)" = 200 ] \
  || fail "normalized path not routed"

# the porter's own answers
curl -s -D "$E2E_TMP/h404" -o /dev/null --max-time 2 "$base/nothing" || true
grep -q '^HTTP/1.1 404' "$E2E_TMP/h404" || fail "unknown path: $(cat "$E2E_TMP/h404")"
grep -qi '^Server: flu-porter' "$E2E_TMP/h404" || fail "404 not from the porter"
long=$(python3 -c 'print("x" * 9000)')
[ "$(status "$base/$long")" = 414 ] || fail "long request line not 414"
python3 - "$port" <<'PY' || fail "400/408 from the porter"
import socket, sys
port = int(sys.argv[1])
def ask(data, wait):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(wait)
    s.sendall(data)
    out = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    s.close()
    return out.split(b"\r\n")[0]
r = ask(b"garbage\r\n\r\n", 3)
assert r.startswith(b"HTTP/1.1 400"), r
r = ask(b"GET /a.we", 4)          # never finishes its line: 408 after 1 s
assert r.startswith(b"HTTP/1.1 408"), r
PY

# a flash crowd through the porter: 400 viewers of A at once, every one
# served (more than the UNIX socket's buffer holds: the porter queues them)
load=$("$FLU_BUILD_ROOT/tests/bench/flu-loadclient" --port "$port" \
  --clients 400 --seconds 3 --http /a.webm | tail -n 1)
case " $load " in
  *" connected=400 "*" closed=0 "*" unserved=0 "*) ;;
  *) fail "flash crowd through the porter: $load" ;;
esac

# a viewer of B, sampled while A is killed
curl -s -N --max-time 9 -o "$E2E_TMP/b.out" "$base/b.webm" &
VIEWER=$!
E2E_PIDS="$E2E_PIDS $VIEWER"
if ! python3 - "$E2E_TMP/b.out" "$PID_A" >"$E2E_TMP/samples" <<'PY'
import os, signal, sys, time
path, victim = sys.argv[1], int(sys.argv[2])
def size():
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
t0 = time.monotonic()
last, last_t, gap_before, gap_after, killed = 0, t0, 0.0, 0.0, None
while time.monotonic() - t0 < 7:
    time.sleep(0.05)
    now, n = time.monotonic(), size()
    if killed is None and now - t0 > 3:
        os.kill(victim, signal.SIGKILL)
        killed = now
        print("kill at %.2f s, %d bytes" % (now - t0, n))
    if n > last:
        gap = now - last_t
        if killed is None:
            gap_before = max(gap_before, gap) if last else 0
        else:
            gap_after = max(gap_after, gap)
        last, last_t = n, now
gap_after = max(gap_after, time.monotonic() - last_t)
print("bytes %d longest gap before %.2f s after %.2f s" % (last, gap_before, gap_after))
# the usual: a frame every 1/15 s; allow for a loaded machine
sys.exit(0 if gap_after <= max(1.0, 3 * gap_before) and last > 0 else 1)
PY
then
  fail "B's viewer stalled when A was killed: $(cat "$E2E_TMP/samples")"
fi
cat "$E2E_TMP/samples"

# A's path went with A; B still serves new viewers
wait_status "$base/a.webm" 404
[ "$(status "$base/b.webm" --max-time 1)" = 200 ] || fail "B after A's death"
grep -q 'paths removed' "$E2E_TMP/porter.log" || fail "porter did not drop A's paths"

# A comes back and registers again
streamer A /a.webm "$E2E_TMP/secret"
wait_status "$base/a.webm" 200
[ "$(probe "$base/a.webm")" = vp8 ] || fail "ffprobe /a.webm after restart"

# the wrong secret registers nothing
streamer C /c.webm "$E2E_TMP/bad"
i=0
while ! grep -q 'failed to prove the shared secret' "$E2E_TMP/porter.log"; do
  i=$((i + 1))
  [ $i -lt 40 ] || fail "no refusal logged: $(cat "$E2E_TMP/porter.log")"
  sleep 0.25
done
[ "$(status "$base/c.webm")" = 404 ] || fail "wrong secret registered /c.webm"
grep -q 'refused this server' "$E2E_TMP/C.log" || fail "C did not log its refusal"

# a porter restart: the streamers reconnect (backoff) and serve again
kill -9 "$PORTER_PID"
"$PORTER" --port "$port" --address 127.0.0.1 --socket "$sock" \
  --secret-file "$E2E_TMP/secret" >>"$E2E_TMP/porter.log" 2>&1 &
E2E_PIDS="$E2E_PIDS $!"
wait_status "$base/b.webm" 200
wait_status "$base/a.webm" 200

for f in "$E2E_TMP"/*.log; do
  if grep -q -e "$secret" -e "$badsecret" "$f"; then
    fail "a secret is in $f"
  fi
done
echo "porter: OK"
