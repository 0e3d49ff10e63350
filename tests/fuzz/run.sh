#!/bin/sh
# Builds the fuzz targets with clang, libFuzzer, AddressSanitizer and
# UBSan in build-fuzz/ and fuzzes them, starting from the committed corpus
# in tests/fuzz/corpus/<target>/.  Two modes:
#
#   tests/fuzz/run.sh --gate [TARGET...]
#       The CI gate (scripts/test.sh): a fixed number of executions
#       (-runs) from a fixed -seed over the committed corpus only, so one
#       revision gives the same inputs, the same coverage and the same
#       verdict on every run and machine.  Counts per target below;
#       FLU_FUZZ_RUNS=N sets one count for all, FLU_FUZZ_SEED another seed.
#       Nothing is written to the repository.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]      # e.g. run.sh 3600 http
#       Time-boxed fuzzing, for long runs (not part of CI).  New inputs
#       accumulate in build-fuzz/corpus-<target>/ across runs; at the end
#       the ones that add coverage are merged into tests/fuzz/corpus/<target>/
#       (libFuzzer -merge=1; FLU_FUZZ_MERGE=0 to keep the repository
#       untouched), and every crash, leak or timeout found is copied there
#       as well, so `meson test` replays it from then on (fuzz/*-corpus):
#       fix it, then commit the corpus with the fix.
#
# Both fail on a crash, leak, timeout or UBSan report, and fail when a tool
# they need (clang, pkg-config, llvm-symbolizer from llvm-14: LSan's
# suppressions match function names, so stacks must be symbolized) is
# missing.  GStreamer criticals in the feed target are messages;
# FLU_FUZZ_CRITICALS=fatal makes them findings.
#
# Parallel long run by hand: build-fuzz/fuzz-http -jobs=2 -workers=2 \
#   -max_total_time=36000 build-fuzz/corpus-http tests/fuzz/corpus/http
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
gate=0
if [ "${1:-}" = --gate ]; then
  gate=1
  shift
else
  seconds=${1:-60}
  [ $# -gt 0 ] && shift
  case $seconds in
    ''|*[!0-9]*) echo "run.sh: SECONDS must be a number (or use --gate)" >&2; exit 2 ;;
  esac
fi
targets=${*:-http feed porter hls files}

for tool in clang pkg-config; do
  command -v $tool >/dev/null 2>&1 || {
    echo "run.sh: $tool not found (scripts/install-deps.sh installs it)" >&2
    exit 1
  }
done
# Debian's llvm-14 ships llvm-symbolizer-14 (the unversioned name comes with
# the `llvm` package only)
symbolizer=${ASAN_SYMBOLIZER_PATH:-}
[ -n "$symbolizer" ] || symbolizer=$(command -v llvm-symbolizer-14 || \
  command -v llvm-symbolizer || true)
[ -n "$symbolizer" ] && [ -x "$symbolizer" ] || {
  echo "run.sh: llvm-symbolizer not found (Debian package llvm-14, in scripts/deps.d):" \
    "without it LSan stacks are not symbolized and its suppressions match nothing" >&2
  exit 1
}
export ASAN_SYMBOLIZER_PATH=$symbolizer
norandom=
if [ $gate = 1 ]; then
  # libFuzzer learns comparison operands, stack and heap addresses among
  # them: with address space randomization the same seed takes other paths
  # from one run to the next.  The gate runs with it off (setarch -R).
  norandom="setarch $(uname -m) -R"
  # (without it the feed target is not reproducible, even with -use_cmp=0:
  # GStreamer's tables hash addresses)
  $norandom true 2>/dev/null || {
    echo "run.sh: setarch -R (util-linux) cannot turn address randomization" \
      "off here (a container whose seccomp profile refuses" \
      "personality(ADDR_NO_RANDOMIZE)?): the gate would not be deterministic" >&2
    exit 1
  }
fi

out=$top/build-fuzz
mkdir -p "$out"
cd "$out"
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=all -I$top/ext/soup -I$top/gst/feed
  -I$top/tools/porter"
asan=detect_leaks=1:abort_on_error=1:symbolize=1
# GLib/GStreamer load-time allocations, and one upstream GStreamer leak
cat "$top/tests/check/lsan.supp" "$top/tests/fuzz/lsan-fuzz.supp" \
  > "$out/lsan.supp"
export LSAN_OPTIONS=suppressions=$out/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in $targets; do
  case $t in
    http) srcs="$top/ext/soup/fluhttpauth.c $top/ext/soup/fluhttplog.c"
      deps="gio-2.0 libsoup-3.0"; extra=-lcrypt; stacks=
      # about 20 s on a 2-core VM (the target hashes passwords)
      runs=60000 ;;
    feed) srcs="$top/gst/feed/flugdp.c $top/gst/feed/flufeedconn.c
        $top/gst/feed/flufeedtimeline.c"
      deps="gstreamer-1.0 gio-2.0"; extra=
      # full allocation stacks: GStreamer's deserializer recurses deeply,
      # and the suppression must see gst_*_from_string
      stacks=:fast_unwind_on_malloc=0:malloc_context_size=255
      # about 20 s
      runs=200000 ;;
    porter) srcs="$top/tools/porter/fluporterproto.c"
      deps="glib-2.0"; extra=; stacks=
      # a few seconds: pure functions
      runs=200000 ;;
    hls) srcs=$top/ext/soup/fluhlsvariant.c
      deps=glib-2.0; extra=; stacks=
      # a few seconds: no system call, no GStreamer
      runs=200000 ;;
    files) srcs="$top/ext/soup/fluhttpfiles.c $top/ext/soup/fluhttplisting.c"
      deps="gio-2.0 libsoup-3.0"; extra=; stacks=
      # a few seconds (file system calls on a small temporary tree)
      runs=30000 ;;
    *) echo "run.sh: unknown target $t" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC2086
  clang $flags $(pkg-config --cflags $deps) -o "fuzz-$t" \
    "$top/tests/fuzz/fuzz-$t.c" $srcs $(pkg-config --libs $deps) $extra
  corpus=$top/tests/fuzz/corpus/$t
  if [ $gate = 1 ]; then
    runs=${FLU_FUZZ_RUNS:-$runs}
    seed=${FLU_FUZZ_SEED:-1}
    # a new, empty directory for what the run generates: the inputs are
    # then a function of the seed and the committed corpus only
    work=$out/gate-$t
    rm -rf "$work"
    mkdir -p "$work/new" "$work/artifacts"
    echo "fuzz gate: $t, $runs runs, seed $seed"
    # the same process image every run: no address randomization, an
    # environment and arguments of their own (relative paths, so the
    # checkout's location does not move the stack), no GStreamer plugin
    # scan (a registry rebuilt on one run and not the next changes the heap)
    set -- env -i PATH=/usr/bin:/bin ASAN_OPTIONS="$asan$stacks" \
      LSAN_OPTIONS=suppressions=lsan.supp UBSAN_OPTIONS="$UBSAN_OPTIONS" \
      ASAN_SYMBOLIZER_PATH="$symbolizer" \
      FLU_FUZZ_CRITICALS="${FLU_FUZZ_CRITICALS:-}" \
      GST_REGISTRY_1_0="gate-$t/registry.bin" GST_REGISTRY_FORK=no \
      GST_PLUGIN_SYSTEM_PATH_1_0= GST_PLUGIN_PATH_1_0= \
      $norandom "./fuzz-$t" -seed="$seed" -runs="$runs" -reload=0 \
      -artifact_prefix="gate-$t/artifacts/" "gate-$t/new" \
      "../tests/fuzz/corpus/$t"
    log=$work/fuzz.log
  else
    mkdir -p "corpus-$t" "artifacts-$t"
    echo "fuzzing $t for $seconds s"
    set -- env ASAN_OPTIONS="$asan$stacks" "./fuzz-$t" \
      -max_total_time="$seconds" -artifact_prefix="$out/artifacts-$t/" \
      "corpus-$t" "$corpus"
    log=$out/fuzz-$t.log
  fi
  if ! "$@" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      > "$log" 2>&1; then
    status=1
    tail -n 60 "$log"
    echo "run.sh: $t failed; log $log; reproduce with build-fuzz/fuzz-$t FILE" \
      "(the input is in the artifact directory above)" >&2
  fi
  grep -E '#[0-9]+.*(DONE|cov:)' "$log" | tail -n 1
  if [ $gate = 0 ]; then
    if [ "${FLU_FUZZ_MERGE:-1}" != 0 ]; then
      before=$(find "$corpus" -type f | wc -l)
      ASAN_OPTIONS=$asan$stacks "./fuzz-$t" -merge=1 -timeout=10 \
        -rss_limit_mb=2048 "$corpus" "corpus-$t" > "merge-$t.log" 2>&1 || {
        echo "run.sh: merging into $corpus failed, see $out/merge-$t.log" >&2
        status=1
      }
      after=$(find "$corpus" -type f | wc -l)
      echo "$t: $((after - before)) new input(s) that add coverage in" \
        "tests/fuzz/corpus/$t (review, then git add)"
    fi
    for f in "artifacts-$t"/*; do
      [ -f "$f" ] || continue
      cp "$f" "$corpus/"
      echo "$t: finding $(basename "$f") copied to tests/fuzz/corpus/$t:" \
        "fuzz/$t-corpus replays it; fix it, then commit both"
      rm -f "$f"
    done
  fi
done
exit $status
