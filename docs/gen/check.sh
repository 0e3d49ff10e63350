#!/bin/sh
# Regenerates the plugin docs into the build tree and compares them with
# the committed docs/plugins/: any difference fails, with the diff and how
# to refresh them.
# Usage: check.sh FLUDOCS COMMITTED_DIR OUTPUT_DIR SOURCE_ROOT PLUGIN_DIR...
set -eu
fludocs=$1 committed=$2 out=$3
shift 3
rm -rf "$out"
"$fludocs" "$out" "$@"
if ! diff -ru "$committed" "$out" >"$out.diff"; then
  head -n 200 "$out.diff"
  echo
  echo "FAIL: docs/plugins/ is out of date with the plugins (diff above)."
  echo "Refresh it with:  ninja -C build update-plugin-docs"
  echo "then commit docs/plugins/."
  exit 1
fi
echo "docs/plugins/ matches the plugins ($(ls "$out" | wc -l) files)"
