#!/bin/sh
# The whole test suite, from a fresh Debian machine:
#   1. installs the Debian packages that are missing (scripts/deps.d),
#   2. builds with -Werror in build/ and runs `meson test`,
#   3. checks the C code is formatted as gst-indent formats it,
#   4. builds again with AddressSanitizer + UBSan in build-asan/ and runs the
#      suite there: a leak or an invalid access fails.
# Set FLU_SKIP_ASAN=1 to skip step 4 while iterating.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

if [ ! -d build ]; then
  meson setup build
fi
ninja -C build
meson test -C build --print-errorlogs --num-processes "$jobs"

./scripts/gst-indent --check

if [ "${FLU_SKIP_ASAN:-0}" != 1 ]; then
  if [ ! -d build-asan ]; then
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbuildtype=debug
  fi
  ninja -C build-asan
  FLU_SANITIZED=1 meson test -C build-asan --print-errorlogs \
    --num-processes "$jobs" --timeout-multiplier 3
fi
echo "test.sh: all suites passed"
