#!/bin/sh
# fluhlssink's sessions with real clients: ffmpeg and ffprobe read a
# playlist behind htpasswd (credentials in the URL) and behind a signed
# URL, decode, and make one credential check and one session each while
# they reload the playlist and fetch segments (the stats JSON counts;
# ffmpeg keeps the session cookie, and the segment URIs carry the token:
# ffmpeg resolves them against the playlist URL as RFC 3986 says, without
# the playlist's own query, so a signed URL alone would not reach the
# segments).  The access log has one line per session with no token; the
# port's status page (a fluhttpsink's status-path) lists the HLS mount.
. "$(dirname "$0")/lib.sh"
need fluhlssink fluhttpsink x264enc mpegtsmux tee
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || \
  fail "ffmpeg/ffprobe missing (scripts/deps.d/soup.txt)"

# viewer:secret (htpasswd -s)
printf 'viewer:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n' >"$E2E_TMP/users"
secret=e2e-signing-secret
video="videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! mpegtsmux"
port=@PORT@ # start_server picks it
start_server s $video ! tee name=t \
  t. ! queue ! fluhlssink port="$port" mount-point=/room1/ part-target=0 \
    target-duration=1 htpasswd="$E2E_TMP/users" session-timeout=3 \
    stats-path=/room1.json access-log="$E2E_TMP/access.log" \
  t. ! queue ! fluhlssink port="$port" mount-point=/room2/ part-target=0 \
    target-duration=1 token-secret="$secret" stats-path=/room2.json \
  t. ! queue ! fluhttpsink port="$port" mount-point=/live.ts \
    status-path=/status
port=$PORT_s
base="http://127.0.0.1:$port"

# stats field of a mount's JSON
stat () {
  curl -s --max-time 5 "$base/$1.json" | sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p"
}

# no credentials: 401; a segment without a session: 403
i=0
while [ "$(status "$base/room1/index.m3u8" -u viewer:secret)" != 200 ]; do
  i=$((i + 1))
  [ $i -lt 50 ] || fail "no playlist"
  sleep 0.2
done
[ "$(status "$base/room1/index.m3u8")" = 401 ] || fail "no credentials: not 401"
seg=$(curl -s --max-time 5 -u viewer:secret "$base/room1/index.m3u8" | grep -v '^#' | tail -n 1)
case "$seg" in *"?s="*) ;; *) fail "no session token in '$seg'" ;; esac
[ "$(status "$base/room1/${seg%%\?*}")" = 403 ] || fail "segment without session"
[ "$(status "$base/room1/$seg")" = 200 ] || fail "segment with session"
checks0=$(stat room1 credential-checks)
sessions0=$(stat room1 connections)

# ffmpeg, credentials in the URL, 6 s of a live playlist: reloads and
# segments, one check, one session
frames=$(timeout 40 ffmpeg -v error -i "http://viewer:secret@127.0.0.1:$port/room1/index.m3u8" \
  -t 6 -f null - -progress pipe:1 2>"$E2E_TMP/ffmpeg.err" | sed -n 's/^frame=//p' | tail -n 1)
[ "${frames:-0}" -ge 150 ] || { cat "$E2E_TMP/ffmpeg.err" >&2; fail "ffmpeg decoded ${frames:-0} frames"; }
checks=$(($(stat room1 credential-checks) - checks0))
sessions=$(($(stat room1 connections) - sessions0))
[ "$checks" = 1 ] && [ "$sessions" = 1 ] || \
  fail "ffmpeg: $checks credential checks, $sessions sessions (want 1, 1)"
echo "htpasswd: ffmpeg decoded $frames frames in 6 s, 1 credential check, 1 session"
k=$(first_keyframe "http://viewer:secret@127.0.0.1:$port/room1/index.m3u8")
[ "${k%%,*}" = 1 ] || fail "ffprobe with credentials: key_frame=$k"

# a signed URL (fluhttpsink's scheme): the query of the playlist's URL is
# not carried to relative segment URIs, the session token is
expires=$(($(date +%s) + 300))
token=$(printf '%s' "/room2/:$expires" | openssl dgst -sha256 -hmac "$secret" | sed 's/.*= //')
signed="$base/room2/index.m3u8?expires=$expires&token=$token"
[ "$(status "$base/room2/index.m3u8")" = 403 ] || fail "unsigned: not 403"
[ "$(status "$base/room2/index.m3u8?expires=$expires&token=${token%?}0")" = 403 ] || \
  [ "${token#"${token%?}"}" = 0 ] || fail "forged signature: not 403"
seg=$(curl -s --max-time 5 "$signed" | grep -v '^#' | tail -n 1)
[ "$(status "$base/room2/${seg%%\?*}?expires=$expires&token=$token")" = 403 ] || \
  fail "a segment with the playlist's query but no session"
frames=$(timeout 40 ffmpeg -v info -i "$signed" -t 4 -f null - -progress pipe:1 \
  2>"$E2E_TMP/ffmpeg.err" | sed -n 's/^frame=//p' | tail -n 1)
[ "${frames:-0}" -ge 90 ] || { cat "$E2E_TMP/ffmpeg.err" >&2; fail "ffmpeg (signed URL) decoded ${frames:-0} frames"; }
# what ffmpeg asked for: segments with the session token, never with the
# playlist's own query (relative URIs resolved as RFC 3986 says)
opened=$(grep -o "Opening '[^']*seg[0-9]*\.ts[^']*'" "$E2E_TMP/ffmpeg.err" || true)
[ -n "$opened" ] || { cat "$E2E_TMP/ffmpeg.err" >&2; fail "no segment request in ffmpeg's log"; }
printf '%s\n' "$opened" | grep -q 'token=' && fail "ffmpeg kept the playlist's query: $opened"
printf '%s\n' "$opened" | grep -vq '?s=[0-9a-f]' && fail "a segment without the session token: $opened"
k=$(first_keyframe "$signed")
[ "${k%%,*}" = 1 ] || fail "ffprobe with a signed URL: key_frame=$k"
echo "signed URL: ffmpeg decoded $frames frames, ffprobe reads it"

# the status page lists the HLS mounts
json=$(curl -s --max-time 5 "$base/status?format=json")
echo "$json" | grep -q '"mount": "/room1/index.m3u8"' || fail "status: no /room1/ ($json)"
echo "$json" | grep -q '"content-type": "application/vnd.apple.mpegurl"' || fail "status: no HLS type"
curl -s --max-time 5 "$base/status" | grep -q "canPlayType(hlsType)" || fail "status page: no HLS player"
echo "status page: lists the HLS mounts, with a player"

# the sessions end (3 s idle): one log line each, no token, no password
i=0
while [ "$(stat room1 clients)" != 0 ]; do
  i=$((i + 1))
  [ $i -lt 50 ] || fail "sessions did not end"
  sleep 0.2
done
grep -q 's=[0-9a-f]' "$E2E_TMP/access.log" && fail "a token in the access log"
grep -q secret "$E2E_TMP/access.log" && fail "a password in the access log"
n=$(grep -c '" 200 .*Lavf' "$E2E_TMP/access.log" || true)
# ffmpeg's session and ffprobe's
[ "$n" = 2 ] || { cat "$E2E_TMP/access.log" >&2; fail "$n session lines of Lavf"; }
echo "access log: one line per session, no token"
echo "hls-session: all checks passed"
