#!/bin/sh
# Hostile option values through the role scripts of pipelines/.
# 1. Every option of every role gets a value holding $(...), backquotes,
#    both quotes, ;, &, |, <, a backslash, %, blanks, a tab, a newline and
#    a leading -: the script either refuses it (a number, a format or a
#    source it does not know) or the element receives it byte for byte
#    (read back by flu-parse-props, which parses the pipeline exactly as
#    gst-launch-1.0 does); nothing it holds ever runs (a canary file).
# 2. A real chain (producer -> encoder -> streamer -> recorder) with such
#    values as secret, overlay text and clock, access log and recording
#    names: the viewer decodes (every hop agreed on the secret), the access
#    log and the recordings are at the literal paths, and the secret is in
#    no output of the scripts, no GStreamer log (GST_DEBUG=*:4) and no
#    command line.
. "$(dirname "$0")/lib.sh"
roles="$FLU_SOURCE_ROOT/pipelines"
export FLU_BUILD_DIR="$FLU_BUILD_ROOT"
props=${FLU_PARSE_PROPS:?FLU_PARSE_PROPS: the flu-parse-props tool}
[ -x "$props" ] || fail "no $props"
cd "$E2E_TMP"
tab=$(printf '\t')
# no slash: path options take it as a name in the current directory
H="-lead \$(touch CANARY) \`touch CANARY\` \"dq\" 'sq' ; touch CANARY & | <b> \\back %s %n \$HOME
line2${tab}tab"
hex () { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
hH=$(hex "$H")
hHpct=$(hex "$(printf '%s' "$H" | sed 's/%/%%/g')")
canary () {
  [ ! -e CANARY ] || fail "a hostile value ran a command ($*)"
}

# 1. every option of every role, through the parser
checked=0 refused=0
for role in producer encoder streamer repeater recorder all-in-one; do
  script="$roles/$role.sh"
  [ $role = repeater ] && script="$roles/streamer.sh"
  opts=$(sed -n '/^OPTIONS="/,/"$/p' "$script" | tr -d '"' | sed 's/^OPTIONS=//')
  for o in $opts; do
    case $o in VERBOSE | DRY_RUN) continue ;; esac
    flag=--$(printf '%s' "$o" | tr 'A-Z_' 'a-z-')
    val=$H
    [ $o = URL ] && val="http://h/$H"
    # options that only count with another one
    case $o in
      DEVICE) set -- --source=v4l2 ;;
      FILE) set -- --source=file; : >"$H" ;;
      FEED_LISTEN) set -- --relay-port=5300 ;;  # a repeater relays nothing
      ONDEMAND_PATH) set -- --ondemand=/srv ;;
      HLS_*) set -- --hls ;;
      PORTER) set -- --porter-secret-file=s ;;
      PORTER_SECRET_FILE) set -- --porter=p ;;
      *) set -- ;;
    esac
    rc=0
    if [ $o = FILE ]; then
      # source=file plays the file again and again: stopped once the
      # second run started (the first one then printed all it parsed),
      # or after 60 s.  The script exits 0 on TERM.
      FLU_GST_LAUNCH=$props sh "$roles/$role.sh" "$@" "$flag=$val" \
        >out 2>err &
      lp=$!
      i=0
      while [ $i -lt 600 ] && kill -0 $lp 2>/dev/null && \
        [ "$(grep -c 'gst-launch-1.0 -e' err)" -lt 2 ]; do
        sleep 0.1
        i=$((i + 1))
      done
      kill $lp 2>/dev/null || true
      wait $lp || rc=$?
      [ $rc = 143 ] && rc=0
    else
      # (the timeout only against a hang: each run takes 0.2 s on an
      # idle machine, and 4 s or more on a loaded CI one)
      FLU_GST_LAUNCH=$props timeout 60 sh "$roles/$role.sh" "$@" "$flag=$val" \
        >out 2>err || rc=$?
    fi
    canary "$role $flag"
    rm -rf -- "$H"
    if [ $rc != 0 ]; then
      grep -q 'needs a whole number\|unknown' err || \
        { cat err >&2; fail "$role $flag: failed without refusing the value"; }
      refused=$((refused + 1))
      continue
    fi
    case $o in
      SECRET) # write-only: the element reads it from the file (part 2)
        grep -q 'secret-file=/dev/fd/3' err || fail "$role: no secret-file" ;;
      DIR | PREFIX | RECORD_DIR)
        grep -q "=.*$hHpct" out || { cat out err >&2; \
          fail "$role $flag: not received literally"; } ;;
      *)
        grep -q "=.*$hH" out || { cat out err >&2; \
          fail "$role $flag: not received literally"; } ;;
    esac
    checked=$((checked + 1))
  done
done
echo "hostile: $checked option values received literally, $refused refused, nothing ran"
[ $checked -ge 20 ] || fail "only $checked options checked"

# 2. a real chain with hostile secret, text, clock and paths
secret="$H s3cr3t-never-shown"
export GST_DEBUG='*:4' SECRET="$secret"
vport=$(free_port) aport=$(free_port) fport=$(free_ports 6)
hport=$(free_port) rport=$(free_port)
start_bg producer sh "$roles/producer.sh" --video-port="$vport" \
  --audio-port="$aport" --width=160 --height=90 --feed-listen=127.0.0.1
wait_listen "$vport" && wait_listen "$aport" || \
  { tail -n 20 "$E2E_TMP/producer.log" >&2; fail "producer did not listen"; }
start_bg encoder sh "$roles/encoder.sh" --video-port="$vport" \
  --audio-port="$aport" --formats=webm --feed-port="$fport" \
  --keyframe-seconds=1 --video-bitrate=200 --feed-listen=127.0.0.1 \
  --width=160 --height=90 --text="$H" --clock="$H"
wait_listen "$fport" || { tail -n 20 "$E2E_TMP/encoder.log" >&2; \
  fail "encoder did not listen"; }
start_bg streamer sh "$roles/streamer.sh" --upstream-port="$fport" \
  --formats=webm --port="$hport" --relay-port="$rport" \
  --access-log="$H.log" --address=127.0.0.1
wait_listen "$hport" && wait_listen "$rport" || \
  { tail -n 20 "$E2E_TMP/streamer.log" >&2; fail "streamer did not listen"; }
start_bg recorder sh "$roles/recorder.sh" --from=relay --upstream-port="$rport" \
  --dir="$H" --prefix="$H" --segment=1
curl -s --max-time 4 -o view.webm "http://127.0.0.1:$hport/live.webm" || true
frames=$(video_frames view.webm)
[ "${frames:-0}" -ge 10 ] || { tail -n 30 "$E2E_TMP"/encoder.log >&2; \
  fail "viewer decoded ${frames:-0} frames (feeds refused the secret?)"; }
for pid in $(pgrep -f 'gst-launch-1.0' || true); do
  tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -q 's3cr3t' && \
    fail "the secret is on the command line of $pid"
done
kill -INT "$PID_recorder"
wait "$PID_recorder" || true
sleep 0.5
grep -q -e '"GET /live.webm HTTP/1.1" 200' -- "$H.log" || \
  { ls -la >&2; fail "no access log at the literal path"; }
set +f
set -- "$H/$H"-*-00000.webm
[ -s "$1" ] || { ls -laR >&2; fail "no recording at the literal path"; }
canary "the real chain"
if grep -l 's3cr3t' "$E2E_TMP"/*.log out err 2>/dev/null; then
  fail "the secret was printed or logged"
fi
lines=$(cat "$E2E_TMP"/*.log | wc -l)
echo "hostile: chain ran with hostile secret/text/clock/paths ($frames frames);" \
  "$lines lines of output and GST_DEBUG=*:4 log, no secret in them"
