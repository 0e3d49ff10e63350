#!/bin/sh
# Builds the fuzz targets with clang, libFuzzer, AddressSanitizer and
# UBSan in build-fuzz/ and fuzzes each for SECONDS (default 60), starting
# from its committed corpus in tests/fuzz/corpus/<target>/.  New inputs go
# to build-fuzz/corpus-<target>/ (not the repository); a crash, leak or
# timeout fails the run and leaves the input in build-fuzz/.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     # e.g. run.sh 3600 http
#
# GStreamer criticals in the feed target are messages; FLU_FUZZ_CRITICALS=fatal
# makes them findings (they come from GStreamer's string deserializer).
#
# Long runs: `tests/fuzz/run.sh 3600` (an hour per target), or run the
# binary yourself: build-fuzz/fuzz-http -jobs=2 -workers=2 \
#   -max_total_time=36000 build-fuzz/corpus-http tests/fuzz/corpus/http
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-http feed}
out=$top/build-fuzz
mkdir -p "$out"
cd "$out"
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=all -I$top/ext/soup -I$top/gst/feed"
asan=detect_leaks=1:abort_on_error=1
# GLib/GStreamer load-time allocations, and one upstream GStreamer leak
cat "$top/tests/check/lsan.supp" "$top/tests/fuzz/lsan-fuzz.supp" \
  > "$out/lsan.supp"
export LSAN_OPTIONS=suppressions=$out/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in $targets; do
  case $t in
    http) srcs="$top/ext/soup/fluhttpauth.c $top/ext/soup/fluhttplog.c"
      deps="gio-2.0 libsoup-3.0"; extra=-lcrypt; stacks= ;;
    feed) srcs="$top/gst/feed/flugdp.c $top/gst/feed/flufeedconn.c
        $top/gst/feed/flufeedtimeline.c"
      deps="gstreamer-1.0 gio-2.0"; extra=
      # full allocation stacks: GStreamer's deserializer recurses deeply,
      # and the suppression must see gst_*_from_string
      stacks=:fast_unwind_on_malloc=0:malloc_context_size=255 ;;
    *) echo "run.sh: unknown target $t"; exit 2 ;;
  esac
  # shellcheck disable=SC2086
  clang $flags $(pkg-config --cflags $deps) -o "fuzz-$t" \
    "$top/tests/fuzz/fuzz-$t.c" $srcs $(pkg-config --libs $deps) $extra
  mkdir -p "corpus-$t"
  echo "fuzzing $t for $seconds s"
  if ! ASAN_OPTIONS=$asan$stacks "./fuzz-$t" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "corpus-$t" \
      "$top/tests/fuzz/corpus/$t" > "fuzz-$t.log" 2>&1; then
    status=1
    tail -n 60 "fuzz-$t.log"
  fi
  grep -E '#[0-9]+.*(DONE|cov:)' "fuzz-$t.log" | tail -n 1
done
exit $status
