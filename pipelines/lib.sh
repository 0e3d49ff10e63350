# Shared part of the role scripts in pipelines/ (sourced, POSIX sh).
# Each script sets its defaults (environment wins over them), lists its
# option names in OPTIONS, then calls parse_args "$@": flags win over the
# environment.  `--foo-bar=VALUE` or `--foo-bar VALUE` sets FOO_BAR.
set -eu

die () {
  echo "$(basename "$0"): $*" >&2
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

# feed_sink PORT: pipeline fragment serving the stream as a feed on PORT
# (on FEED_LISTEN, all interfaces by default).
feed_sink () {
  if [ $FEED_IMPL = flufeed ]; then
    printf 'flufeedsink port=%s burst-time=%s' "$1" "${FEED_BURST:-0}"
    [ -z "${FEED_LISTEN:-}" ] || printf ' host=%s' "$FEED_LISTEN"
    [ -z "${SECRET:-}" ] || printf ' secret=%s' "$SECRET"
  else
    [ -z "${SECRET:-}" ] || die "SECRET needs flufeedsink (gst/feed)"
    printf 'gdppay ! tcpserversink port=%s host=%s sync=false' "$1" \
      "${FEED_LISTEN:-0.0.0.0}"
    printf ' sync-method=latest-keyframe recover-policy=keyframe'
  fi
}

# feed_src HOSTS PORT: pipeline fragment reading a feed; HOSTS is one host
# or a comma-separated failover list (flufeedsrc only).
feed_src () {
  if [ $FEED_IMPL = flufeed ]; then
    list=""
    for h in $(printf '%s' "$1" | tr ',' ' '); do
      list="$list${list:+,}$h:$2"
    done
    printf 'flufeedsrc hosts=%s' "$list"
    [ -z "${SECRET:-}" ] || printf ' secret=%s' "$SECRET"
  else
    case $1 in *,*) die "a failover list ($1) needs flufeedsrc (gst/feed)" ;; esac
    printf 'tcpclientsrc host=%s port=%s ! gdpdepay' "$1" "$2"
  fi
}

# record_to DIR PREFIX SEGMENT: fragment taking a muxed WebM stream,
# demuxing it (splitmuxsink needs the keyframes) and writing rotating
# files of at most SEGMENT seconds, split at keyframes, named
# DIR/PREFIX-<date>-<time>-NNNNN.webm after the start of the recording.
record_to () {
  mkdir -p "$1"
  name="$1/$2-$(date +%Y%m%d-%H%M%S)-%05d.webm"
  echo "$(basename "$0"): recording to $name" >&2
  printf 'matroskademux name=d
    splitmuxsink name=rec async-finalize=true muxer-factory=webmmux
      location="%s" max-size-time=%s
    d.video_0 ! queue max-size-time=3000000000 ! rec.video
    d.audio_0 ! queue max-size-time=3000000000 ! rec.audio_0' \
    "$name" $(($3 * 1000000000))
}

# run PIPELINE: gst-launch-1.0 in the foreground; Ctrl-C sends EOS so
# files are finalised, then it exits.  PIPELINE is one string, split into
# words by the shell: values with spaces go in double quotes ("...").
# VERBOSE=1 adds -v (prints caps and current-port notifications);
# DRY_RUN=1 prints the pipeline only.
run () {
  line=$(printf '%s' "$1" | tr '\n' ' ' | tr -s ' ')
  if [ "${DRY_RUN:-0}" = 1 ]; then
    echo "gst-launch-1.0 -e $line"
    exit 0
  fi
  echo "$(basename "$0"): feeds by $FEED_IMPL: gst-launch-1.0 -e $line" >&2
  eval "set -- $line"
  if [ "${VERBOSE:-0}" = 1 ]; then
    exec gst-launch-1.0 -e -v "$@"
  fi
  exec gst-launch-1.0 -e "$@"
}
