#!/bin/sh
# The whole test suite, from a fresh Debian machine:
#   1. installs the Debian packages that are missing (scripts/deps.d),
#   2. builds with -Werror in build/ and runs `meson test`,
#   3. checks the C code is formatted as gst-indent formats it, and fuzzes
#      each fuzz target for 30 s (FLU_FUZZ_SECONDS) with libFuzzer,
#   4. builds again with AddressSanitizer + UBSan in build-asan/ and runs the
#      suite there: a leak or an invalid access fails.
# Set FLU_SKIP_ASAN=1 to skip step 4 while iterating.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
# run meson test, keep its counts for the closing line
run_suite () {
  log=$(mktemp)
  status=0
  meson test "$@" 2>&1 | tee "$log" || true
  grep -q '^Fail: *0 *$' "$log" && grep -q '^Timeout: *0 *$' "$log" || status=1
  ok=$(awk '/^Ok:/{print $2}' "$log")
  ko=$(awk '/^(Fail|Timeout|Unexpected Pass):/{n += $NF} END {print n + 0}' "$log")
  passed=$((passed + ${ok:-0}))
  failed=$((failed + ${ko:-0}))
  rm -f "$log"
  if [ $status != 0 ]; then
    echo "tests: $passed passed, $failed failed"
    exit 1
  fi
}

if [ ! -d build ]; then
  meson setup build
fi
ninja -C build
run_suite -C build --print-errorlogs --num-processes "$jobs"

./scripts/gst-indent --check

# a short libFuzzer run of each fuzz target (tests/fuzz/run.sh; set
# FLU_FUZZ_SECONDS=0 to skip, or higher for a longer run)
if [ "${FLU_FUZZ_SECONDS:-30}" != 0 ]; then
  tests/fuzz/run.sh "${FLU_FUZZ_SECONDS:-30}"
fi

if [ "${FLU_SKIP_ASAN:-0}" != 1 ]; then
  if [ ! -d build-asan ]; then
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbuildtype=debug
  fi
  ninja -C build-asan
  export FLU_SANITIZED=1
  run_suite -C build-asan --print-errorlogs \
    --num-processes "$jobs" --timeout-multiplier 3
fi
echo "test.sh: all suites passed"
echo "tests: $passed passed, $failed failed"
