#!/usr/bin/env bash
# Takes the screenshots in data/screenshots/ (home view, a video call with the side panel,
# past sessions searched, preferences) from the real app under Xvfb. With --tour, those and
# tour-*.png of the other screens go to BUILD_DIR/tour/ instead, to look at. The partners and sessions shown are written into a
# throw-away store by rapport-screenshots (src/app/rp-demo-data.c); the two cameras are
# illustrations (build-aux/screenshot-assets/).
# Usage: build-aux/screenshots.sh [BUILD_DIR [--tour]]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
meson compile -C "$build" rapport-screenshots

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export XDG_DATA_HOME="$home" GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$PWD/$build/data"
export NO_AT_BRIDGE=1 GST_DEBUG='*:1' LANG="${LANG:-C.UTF-8}"
out=data/screenshots
[ "${2:-}" = --tour ] && out="$build/tour"
mkdir -p "$out"
xvfb-run -a -s "-screen 0 1920x1080x24" \
  "$build/src/app/rapport-screenshots" build-aux/screenshot-assets "$out" ${2:+"$2"}
