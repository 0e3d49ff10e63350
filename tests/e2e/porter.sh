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
# start_porter: port 0, the porter picks a free port and prints it; sets
# PORTER_PID, port, base and plog (its log)
nporter=0
start_porter () {
  nporter=$((nporter + 1))
  plog="$E2E_TMP/porter$nporter.log"
  "$PORTER" --port 0 --address 127.0.0.1 --socket "$sock" \
    --secret-file "$E2E_TMP/secret" --request-timeout 1 \
    >"$plog" 2>&1 &
  PORTER_PID=$!
  E2E_PIDS="$E2E_PIDS $PORTER_PID"
  i=0
  port=""
  while [ -z "$port" ]; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "porter did not start: $(cat "$plog")"
    sleep 0.1
    port=$(sed -n 's/.* port \([0-9][0-9]*\), streamers on .*/\1/p' \
      "$plog")
  done
  base="http://127.0.0.1:$port"
}
start_porter

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
    [ $i -lt 40 ] || { tail -n 20 "$plog" >&2; fail "$1 never gave $2 (last: $(status "$1" --max-time 1))"; }
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

# a streamer speaking the protocol by hand (python): another's path is
# TAKEN, a prefix route brings a connection (SCM_RIGHTS) whose request is
# unread, and a malformed packet ends its registration
python3 - "$sock" "$E2E_TMP/secret" "$port" <<'PY' || fail "protocol by hand"
import array, hashlib, hmac, os, socket, struct, sys, time
path, secret_file, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
secret = open(secret_file, "rb").read().rstrip(b"\n")
def msg(t, body=b""):
    return b"FP\x01" + bytes([t]) + struct.pack(">H", len(body)) + body
def recv(u):
    data, anc, flags, addr = u.recvmsg(2048, socket.CMSG_SPACE(4 * 4))
    fds = array.array("i")
    for level, typ, d in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(d[:len(d) - len(d) % 4])
    assert data[:3] == b"FP\x01", data
    return data[3], data[6:], list(fds)
u = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
u.settimeout(5)
u.connect(path)
t, nonce_p, _ = recv(u)
assert t == 1
nonce_s = os.urandom(32)
mac = hmac.new(secret, b"flu-porter-streamer" + nonce_p + nonce_s, hashlib.sha256).digest()
u.send(msg(2, nonce_s + mac))
t, body, _ = recv(u)
assert t == 3, t
want = hmac.new(secret, b"flu-porter-porter" + nonce_p + nonce_s, hashlib.sha256).digest()
assert body[:32] == want and struct.unpack(">H", body[32:])[0] == port
u.send(msg(5, b"\x00/b.webm"))
t, body, _ = recv(u)
assert t == 7 and body == b"\x00/b.webm", (t, body)
u.send(msg(5, b"\x01/byhand/"))
time.sleep(0.3)
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"GET /byhand/x?y HTTP/1.1\r\nHost: h\r\n\r\n")
t, body, fds = recv(u)
assert t == 8 and len(fds) == 1, (t, fds)
got = socket.socket(fileno=fds[0])
assert got.recv(64).startswith(b"GET /byhand/x?y HTTP/1.1"), "request consumed"
got.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
got.close()
assert c.recv(64).startswith(b"HTTP/1.1 204"), "answer did not reach the viewer"
c.close()
u.send(b"FP\x01\x05\x00\xff/short")
assert u.recv(2048) == b"", "malformed packet did not end the connection"
PY
[ "$(status "$base/byhand/x")" = 404 ] || fail "/byhand/ stayed routed"

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
grep -q 'paths removed' "$plog" || fail "porter did not drop A's paths"

# A comes back and registers again
streamer A /a.webm "$E2E_TMP/secret"
wait_status "$base/a.webm" 200
[ "$(probe "$base/a.webm")" = vp8 ] || fail "ffprobe /a.webm after restart"

# the wrong secret registers nothing
streamer C /c.webm "$E2E_TMP/bad"
i=0
while ! grep -q 'failed to prove the shared secret' "$plog"; do
  i=$((i + 1))
  [ $i -lt 40 ] || fail "no refusal logged: $(cat "$plog")"
  sleep 0.25
done
[ "$(status "$base/c.webm")" = 404 ] || fail "wrong secret registered /c.webm"
grep -q 'refused this server' "$E2E_TMP/C.log" || fail "C did not log its refusal"

# a porter restart: the streamers reconnect (backoff) and serve again.
# On a port of its own choosing: the old one, in the ephemeral range, may
# be some other process's source port by now
kill -9 "$PORTER_PID"
wait "$PORTER_PID" 2>/dev/null || true   # gone, its socket with it
start_porter
wait_status "$base/b.webm" 200
wait_status "$base/a.webm" 200

for f in "$E2E_TMP"/*.log; do
  if grep -q -e "$secret" -e "$badsecret" "$f"; then
    fail "a secret is in $f"
  fi
done
echo "porter: OK"
