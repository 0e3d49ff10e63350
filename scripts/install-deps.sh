#!/bin/sh
# Install every Debian package gst-flumotion needs to build, test and run
# the demo.  The lists live in scripts/deps.d/*.txt, one file per plugin.
# Runs apt-get only when something is missing, so it is cheap to repeat.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkgs=$(cat "$here"/deps.d/*.txt | sed 's/#.*//' | tr -s ' \t' '\n\n' | sort -u | grep -v '^$')
# what the installed packages provide counts too (NodeSource's nodejs
# provides, and conflicts with, Debian's npm)
provided=$(dpkg-query -W -f='${Status}\t${Provides}\n' 2>/dev/null | \
  awk -F '\t' '$1 ~ /install ok installed/ { print $2 }' | tr ',' '\n' | \
  sed 's/(.*//; s/[[:space:]]//g' | sort -u)
missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' &&
      ! printf '%s\n' "$provided" | grep -qx "$p"; then
    missing="$missing $p"
  fi
done
if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
