#!/bin/sh
# The whole test suite, from a fresh Debian machine:
#   1. installs the Debian packages that are missing (scripts/deps.d),
#   2. builds with -Werror in build/ and runs `meson test`: a test that
#      skips fails the run, except e2e/multihost when the machine does not
#      allow network namespaces (skipped tests are listed with the reason
#      each printed),
#   3. checks the C code is formatted as gst-indent formats it, and runs
#      the deterministic fuzz gate (tests/fuzz/run.sh --gate: a fixed seed
#      and number of runs per target, so a revision always gets the same
#      verdict),
#   4. builds again with AddressSanitizer + UBSan in build-asan/ and runs the
#      suite there: a leak or an invalid access fails (the end-to-end
#      scripts skip there: gst-launch-1.0 cannot load sanitized plugins).
# It ends with the time each step took; each suite lists its slowest tests.
# Set FLU_SKIP_ASAN=1 to skip step 4 while iterating.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

step_start=$(date +%s)
timings=""
# step NAME: records how long the step that just ended took
step () {
  now=$(date +%s)
  timings="$timings$(printf '  %-20s %5d s' "$1" $((now - step_start)))
"
  step_start=$now
}
show_timings () {
  printf 'test.sh: time per step\n%s' "$timings"
}
die () {
  show_timings
  exit 1
}

./scripts/install-deps.sh
step "install-deps"

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
    step "meson test (failed)"
    die
  fi
}

# check_skips BUILDDIR ALLOWED: lists the tests meson reported as skipped,
# with the reason each printed (its last "SKIP: ..." line), and the slowest
# tests; fails when a skip is not allowed.  ALLOWED is "privilege" (only
# e2e/multihost without network namespaces may skip) or "e2e" (sanitized
# build: the e2e/ scripts skip by design).
check_skips () {
  python3 - "$1/meson-logs/testlog.json" "$2" <<'PYEOF'
import json, re, sys
path, allowed = sys.argv[1], sys.argv[2]
tests = []
with open(path) as f:
    for line in f:
        if line.strip():
            tests.append(json.loads(line))
bad = False
skipped = [t for t in tests if t.get("result") == "SKIP"]
if skipped:
    print("skipped tests (%s):" % path)
for t in skipped:
    out = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
    reasons = re.findall(r"^SKIP:? *(.*)$", out, re.M)
    reason = reasons[-1] if reasons else "(no reason printed)"
    if allowed == "e2e" and t["name"].startswith("e2e/"):
        # gst-launch-1.0 cannot load sanitized plugins (tests/e2e/lib.sh)
        ok = "sanitized builds" in reason
    else:
        # only a privilege this machine lacks excuses a skip
        ok = (t["name"] == "e2e/multihost" and
              "cannot create network namespaces" in reason)
    print("  %-28s %s%s" % (t["name"], reason, "" if ok else "   <- not allowed"))
    bad = bad or not ok
slow = sorted(tests, key=lambda t: -t.get("duration", 0))[:6]
print("slowest tests: " + ", ".join(
    "%s %.0f s" % (t["name"], t.get("duration", 0)) for t in slow))
if bad:
    print("test.sh: skipping is not passing: install what the test needs "
          "(scripts/deps.d) or fix it")
sys.exit(1 if bad else 0)
PYEOF
}

if [ ! -d build ]; then
  meson setup build
fi
step "meson setup"
nice ninja -C build
step "build"
run_suite -C build --print-errorlogs --num-processes "$jobs"
step "meson test"
check_skips build privilege || die

./scripts/gst-indent --check || die
step "gst-indent --check"

# the fuzz gate: the same inputs for a given revision (tests/fuzz/run.sh
# --gate); long time-boxed fuzzing is `tests/fuzz/run.sh SECONDS`
tests/fuzz/run.sh --gate || die
step "fuzz gate"

if [ "${FLU_SKIP_ASAN:-0}" != 1 ]; then
  if [ ! -d build-asan ]; then
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbuildtype=debug
  fi
  nice ninja -C build-asan
  step "build (ASan)"
  export FLU_SANITIZED=1
  run_suite -C build-asan --print-errorlogs \
    --num-processes "$jobs" --timeout-multiplier 3
  step "meson test (ASan)"
  check_skips build-asan e2e || die
fi
echo "test.sh: all suites passed"
show_timings
echo "tests: $passed passed, $failed failed"
