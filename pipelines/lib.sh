# Shared part of the role scripts in pipelines/ (sourced, POSIX sh).
# Each script sets its defaults (environment wins over them), lists its
# option names in OPTIONS, then calls parse_args "$@": flags win over the
# environment.  `--foo-bar=VALUE` or `--foo-bar VALUE` sets FOO_BAR.
#
# Nothing here evaluates a user's value: every value that goes into a
# pipeline is either checked (numbers(), the scripts' case lists) or
# written with gst_str(), which gst-launch-1.0 hands to the element
# byte for byte; the pipeline is split into arguments on blanks only.
set -eu
set -f    # no globbing of option values (FORMATS='*', hosts, ...)

die () {
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
  exit 1
}

# The comment block at the top of the script is its --help.
usage () {
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
}

parse_args () {
  while [ $# -gt 0 ]; do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --*=*) name=${1%%=*} value=${1#*=} ;;
      --*)
        [ $# -ge 2 ] || die "$1 needs a value (see --help)"
        name=$1 value=$2
        shift ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
    var=$(printf '%s' "${name#--}" | tr 'a-z-' 'A-Z_')
    # shellcheck disable=SC2086
    case " $(echo $OPTIONS) " in
      *" $var "*) eval "$var=\$value" ;;
      *) die "unknown option $name (see --help)" ;;
    esac
    shift
  done
}

# Run from a source tree: load the plugins of its build directory
# (FLU_BUILD_DIR, default <tree>/build) before the installed ones.
use_build_tree () {
  top=$(cd "$(dirname "$0")/.." && pwd)
  build=${FLU_BUILD_DIR:-$top/build}
  [ -f "$top/meson.build" ] && [ -d "$build" ] || return 0
  for d in ext/overlay ext/soup gst/feed gst/multifd gst/switch; do
    if [ -d "$build/$d" ]; then
      GST_PLUGIN_PATH="$build/$d${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
    fi
  done
  export GST_PLUGIN_PATH
}

# numbers VAR...: each variable must hold a whole number (ports, sizes,
# rates, limits); anything else stops the script before a pipeline exists.
numbers () {
  for v in "$@"; do
    eval "x=\${$v-}"
    case $x in
      '' | *[!0-9]*)
        die "--$(printf '%s' "$v" | tr 'A-Z_' 'a-z-') needs a whole number, got '$x'" ;;
    esac
  done
}

# gst_str VALUE: VALUE as a GStreamer property value (after `name=`) that
# the element receives literally, whatever bytes it holds: letters, digits
# and _.,/:+@%- as they are, every other byte as an octal escape, inside
# the quotes GStreamer's string deserialiser unwraps.  The result has no
# blank and no bare quote, so neither the shell nor gst-launch-1.0's
# parser can split it or read anything in it.
gst_str () {
  printf '%s' "$1" | od -An -v -to1 | awk '
    BEGIN {
      printf "\"\\\""
      for (i = 0; i < 256; i++) {
        c = sprintf("%c", i)
        if (c ~ /[A-Za-z0-9_.,\/:+@%-]/) safe[sprintf("%03o", i)] = c
      }
    }
    { for (i = 1; i <= NF; i++)
        if ($i in safe) printf "%s", safe[$i]; else printf "\\\\%s", $i }
    END { printf "\\\"\"" }'
}

has () {
  gst-inspect-1.0 "$1" >/dev/null 2>&1
}

need () {
  for e in "$@"; do
    has "$e" || die "GStreamer element '$e' is missing (gst-flumotion built? GST_PLUGIN_PATH? Debian plugin packages?)"
  done
}

use_build_tree

# Feeds: flufeedsink/flufeedsrc (reconnection, failover, secret) when
# built; otherwise the stock GDP pair over TCP, which does not reconnect
# (a reader then dies with its upstream) and has no secret.  FEED_IMPL=stock
# forces the latter.
if [ -z "${FEED_IMPL:-}" ]; then
  if has flufeedsink && has flufeedsrc; then
    FEED_IMPL=flufeed
  else
    FEED_IMPL=stock
  fi
fi

# secret_prop: the property that gives a feed element SECRET.  The secret
# is never on a command line, in a printed pipeline or in GStreamer's
# log (which shows the pipeline description from level INFO): run()
# writes it to a private file, opens it as descriptor 3 and deletes it,
# and the elements read /dev/fd/3 (flufeed* `secret-file`).
secret_prop () {
  [ -z "${SECRET:-}" ] || printf ' secret-file=/dev/fd/3'
}

# feed_sink PORT: pipeline fragment serving the stream as a feed on PORT
# (on FEED_LISTEN, all interfaces by default).
feed_sink () {
  if [ $FEED_IMPL = flufeed ]; then
    printf 'flufeedsink port=%s burst-time=%s' "$1" "${FEED_BURST:-0}"
    [ -z "${FEED_LISTEN:-}" ] || printf ' host=%s' "$(gst_str "$FEED_LISTEN")"
    secret_prop
  else
    [ -z "${SECRET:-}" ] || die "SECRET needs flufeedsink (gst/feed)"
    printf 'gdppay ! tcpserversink port=%s host=%s sync=false' "$1" \
      "$(gst_str "${FEED_LISTEN:-0.0.0.0}")"
    printf ' sync-method=latest-keyframe recover-policy=keyframe'
  fi
}

# feed_src HOSTS PORT: pipeline fragment reading a feed; HOSTS is one host
# or a comma-separated failover list (flufeedsrc only).
feed_src () {
  if [ $FEED_IMPL = flufeed ]; then
    list="" rest=$1
    while :; do
      list="$list${list:+,}${rest%%,*}:$2"
      [ "$rest" != "${rest#*,}" ] || break
      rest=${rest#*,}
    done
    printf 'flufeedsrc hosts=%s' "$(gst_str "$list")"
    secret_prop
  else
    case $1 in *,*) die "a failover list ($1) needs flufeedsrc (gst/feed)" ;; esac
    printf 'tcpclientsrc host=%s port=%s ! gdpdepay' "$(gst_str "$1")" "$2"
  fi
}

# An encoder serves each format as two feeds, video and audio (port + 1),
# at these offsets from its first feed port; streamers and recorders mux.
format_offset () {
  case $1 in
    webm) echo 0 ;;
    ogg) echo 2 ;;
    ts) echo 4 ;;
    *) die "unknown format '$1' (webm, ogg, ts)" ;;
  esac
}

format_muxer () {
  case $1 in
    webm) printf 'webmmux streamable=true' ;;
    ogg) printf 'oggmux' ;;
    ts) printf 'mpegtsmux' ;;
  esac
}

# encoder_feeds HOSTS PORT AUDIO VIDEO_PAD AUDIO_PAD: fragment reading an
# encoder's video feed on PORT (and, with AUDIO=1, its audio feed on
# PORT + 1) into the given pads, e.g. "mux." "mux.".  The readers keep
# time continuous when the encoder restarts.
encoder_feeds () {
  printf '%s ! queue max-size-time=3000000000 ! %s' \
    "$(feed_src "$1" "$2")" "$4"
  if [ "$3" = 1 ]; then
    printf ' %s ! queue max-size-time=3000000000 ! %s' \
      "$(feed_src "$1" $(($2 + 1)))" "$5"
  fi
}

# record_to DIR PREFIX SEGMENT FORMAT [demux]: splitmuxsink "rec" writing
# rotating files of at most SEGMENT seconds, split at keyframes, named
# DIR/PREFIX-<date>-<time>-NNNNN.FORMAT after the start of the recording,
# muxed with FORMAT's muxer from its pads rec.video and rec.audio_0.
# With "demux", the fragment takes a muxed WebM stream and demuxes it
# into those pads itself.
record_to () {
  mkdir -p -- "$1" || die "cannot create the directory '$1'"
  # splitmuxsink formats the location with the file number: a % of the
  # user's directory or prefix is written %%
  name=$(printf '%s' "$1/$2" | sed 's/%/%%/g')-$(date +%Y%m%d-%H%M%S)-%05d.$4
  printf '%s: recording to %s\n' "$(basename "$0")" "$name" >&2
  [ "$4" = ts ] && muxer=mpegtsmux || muxer=webmmux
  [ "${5:-}" != demux ] || printf 'matroskademux name=d '
  printf 'splitmuxsink name=rec async-finalize=true muxer-factory=%s
      location=%s max-size-time=%s' \
    "$muxer" "$(gst_str "$name")" $(($3 * 1000000000))
  if [ "${5:-}" = demux ]; then
    printf '
      d.video_0 ! queue max-size-time=3000000000 ! rec.video
      d.audio_0 ! queue max-size-time=3000000000 ! rec.audio_0'
  fi
}

# run PIPELINE: gst-launch-1.0 in the foreground; Ctrl-C sends EOS so
# files are finalised, then it exits.  PIPELINE is split into arguments
# on blanks, never evaluated: values with blanks or quotes go through
# gst_str.  VERBOSE=1 adds -v (prints caps and current-port
# notifications); DRY_RUN=1 prints the pipeline only.
run () {
  line=$(printf '%s' "$1" | tr '\n\t' '  ' | tr -s ' ')
  if [ "${DRY_RUN:-0}" = 1 ]; then
    printf 'gst-launch-1.0 -e %s\n' "$line"
    exit 0
  fi
  printf '%s: feeds by %s: gst-launch-1.0 -e %s\n' "$(basename "$0")" \
    "$FEED_IMPL" "$line" >&2
  if [ -n "${SECRET:-}" ]; then
    secret_file=$(mktemp "${TMPDIR:-/tmp}/flu-secret.XXXXXX")
    printf '%s\n' "$SECRET" >"$secret_file"
    exec 3<"$secret_file"
    rm -f "$secret_file"
  fi
  # shellcheck disable=SC2086
  set -- $line
  # FLU_GST_LAUNCH: another launcher taking the same arguments (tests)
  if [ "${VERBOSE:-0}" = 1 ]; then
    exec "${FLU_GST_LAUNCH:-gst-launch-1.0}" -e -v "$@"
  fi
  exec "${FLU_GST_LAUNCH:-gst-launch-1.0}" -e "$@"
}
