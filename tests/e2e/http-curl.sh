#!/bin/sh
# fluhttpsink answered by curl: head fields, and the status codes of every
# limit and credential case.
. "$(dirname "$0")/lib.sh"
need fluhttpsink vp8enc webmmux

src="videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=15/1 ! vp8enc deadline=1 keyframe-max-dist=15 ! webmmux streamable=true"
htpasswd="$E2E_TMP/htpasswd"
echo "alice:$(openssl passwd -apr1 wonderland)" > "$htpasswd"
echo "bob:{SHA}$(printf secret | openssl dgst -binary -sha1 | base64)" >> "$htpasswd"

start_server open $src ! fluhttpsink port=0 mount-point=/live.webm \
  extra-headers="h,X-Stream=main" client-limit=2 max-clients-per-ip=5 \
  retry-after=3 stats-path=/stats metrics-path=/metrics
start_server auth $src ! fluhttpsink port=0 mount-point=/private.webm \
  htpasswd="$htpasswd" realm=Staff
start_server token $src ! fluhttpsink port=0 mount-point=/paid.webm \
  token-secret=s3cret
start_server deny $src ! fluhttpsink port=0 deny=127.0.0.0/8,::1
start_server redirect $src ! fluhttpsink port=0 client-limit=1 \
  redirect-on-overflow=http://relay.invalid/live.webm
start_server perip $src ! fluhttpsink port=0 max-clients-per-ip=1

base="http://127.0.0.1:$PORT_open"
curl -s -D "$E2E_TMP/head" -o "$E2E_TMP/body" --max-time 3 "$base/live.webm" || true
tr -d '\r' < "$E2E_TMP/head" > "$E2E_TMP/h"
grep -q '^HTTP/1.1 200' "$E2E_TMP/h" || fail "GET: $(cat "$E2E_TMP/h")"
grep -qi '^Content-Type: video/webm$' "$E2E_TMP/h" || fail "Content-Type"
grep -qi '^Cache-Control: no-cache$' "$E2E_TMP/h" || fail "Cache-Control"
grep -qi '^Connection: close$' "$E2E_TMP/h" || fail "Connection"
grep -qi '^Server: gst-flumotion/.* fluhttpsink$' "$E2E_TMP/h" || fail "Server"
grep -qi '^Access-Control-Allow-Origin: \*$' "$E2E_TMP/h" || fail "CORS"
grep -qi '^X-Stream: main$' "$E2E_TMP/h" || fail "extra header"
[ "$(head -c 4 "$E2E_TMP/body" | od -An -tx1 | tr -d ' ')" = 1a45dfa3 ] \
  || fail "body is not WebM"
[ "$(first_keyframe "$E2E_TMP/body")" = 1 ] || fail "first frame not a keyframe"

[ "$(curl -s -o /dev/null -w '%{http_code}' -I --max-time 5 "$base/live.webm")" = 200 ] || fail HEAD
[ "$(status "$base/live.webm" -r 100-200 --max-time 2)" = 200 ] || fail Range
[ "$(status "$base/nothing")" = 404 ] || fail 404
[ "$(status "$base/live.webm" -X POST)" = 405 ] || fail 405
[ "$(status "$base/stats")" = 200 ] || fail stats
curl -s --max-time 5 "$base/metrics" | grep -q '^fluhttpsink_clients{mount="/live.webm"}' || fail metrics

# client-limit=2: two viewers in, the third gets 503 with Retry-After
curl -s -o /dev/null --max-time 8 "$base/live.webm" & E2E_PIDS="$E2E_PIDS $!"
curl -s -o /dev/null --max-time 8 "$base/live.webm" & E2E_PIDS="$E2E_PIDS $!"
i=0
while [ $i -lt 50 ] && ! curl -s --max-time 2 "$base/stats" | grep -q '"clients": 2'; do
  sleep 0.1; i=$((i + 1))
done
curl -s -D "$E2E_TMP/h503" -o /dev/null --max-time 5 "$base/live.webm" || true
grep -q '^HTTP/1.1 503' "$E2E_TMP/h503" || fail "client-limit: $(cat "$E2E_TMP/h503")"
grep -qi '^Retry-After: 3' "$E2E_TMP/h503" || fail "Retry-After"

# redirect-on-overflow
r="http://127.0.0.1:$PORT_redirect/"
curl -s -o /dev/null --max-time 8 "$r" & E2E_PIDS="$E2E_PIDS $!"
sleep 1
curl -s -D "$E2E_TMP/h302" -o /dev/null --max-time 5 "$r" || true
grep -q '^HTTP/1.1 302' "$E2E_TMP/h302" || fail "redirect: $(cat "$E2E_TMP/h302")"
grep -qi '^Location: http://relay.invalid/live.webm' "$E2E_TMP/h302" || fail Location

# max-clients-per-ip=1: 429
p="http://127.0.0.1:$PORT_perip/"
curl -s -o /dev/null --max-time 8 "$p" & E2E_PIDS="$E2E_PIDS $!"
sleep 1
[ "$(status "$p")" = 429 ] || fail "per-ip limit"

# htpasswd: 401 with the realm, then apr1 and SHA-1 users
a="http://127.0.0.1:$PORT_auth/private.webm"
curl -s -D "$E2E_TMP/h401" -o /dev/null --max-time 5 "$a" || true
grep -q '^HTTP/1.1 401' "$E2E_TMP/h401" || fail 401
grep -qi '^WWW-Authenticate: Basic realm="Staff"' "$E2E_TMP/h401" || fail realm
[ "$(status "$a" -u alice:wrong)" = 401 ] || fail "wrong password"
[ "$(status "$a" -u alice:wonderland --max-time 2)" = 200 ] || fail "apr1 user"
[ "$(status "$a" -u bob:secret --max-time 2)" = 200 ] || fail "SHA-1 user"

# signed URLs, made the way a website makes them (see ext/soup/README.md)
t="http://127.0.0.1:$PORT_token/paid.webm"
expires=$(( $(date +%s) + 300 ))
sig=$(printf '%s' "/paid.webm:$expires" | openssl dgst -sha256 -hmac s3cret -r | cut -d' ' -f1)
[ "$(status "$t")" = 403 ] || fail "no token"
[ "$(status "$t?expires=$expires&token=$sig" --max-time 2)" = 200 ] || fail "good token"
[ "$(status "$t?expires=$((expires + 1))&token=$sig")" = 403 ] || fail "tampered expiry"
old=$(( $(date +%s) - 10 ))
oldsig=$(printf '%s' "/paid.webm:$old" | openssl dgst -sha256 -hmac s3cret -r | cut -d' ' -f1)
[ "$(status "$t?expires=$old&token=$oldsig")" = 403 ] || fail "expired token"

# deny list, IPv4 and IPv6
[ "$(status "http://127.0.0.1:$PORT_deny/")" = 403 ] || fail "deny v4"
[ "$(status "http://[::1]:$PORT_deny/")" = 403 ] || fail "deny v6"

echo "http-curl: all checks passed"
