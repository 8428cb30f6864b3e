#!/usr/bin/env bash
# Installs the dependencies, builds Rapport, and runs the whole test suite: unit, integration
# and GUI tests (under Xvfb) with gcc, then the libFuzzer harnesses for a bounded time with
# clang. Ends with one line: "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."

bash build-aux/install-deps.sh || { echo "dependency install failed"; exit 1; }

set -e
[ -f build/build.ninja ] || meson setup build
meson compile -C build
[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzzing=true -Dbuildtype=debug
meson compile -C build-fuzz
set +e

# The GUI tests need a display and a session bus; everything else ignores them.
xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- \
  meson test -C build --print-errorlogs --num-processes 2 --no-rebuild
logs=(build/meson-logs/testlog.json)
# grep reads the whole list: `grep -q` would stop at the first line and, under pipefail, meson's
# SIGPIPE made the condition false, silently skipping every harness.
if meson test -C build-fuzz --list 2>/dev/null | grep 'fuzz-' >/dev/null; then
  meson test -C build-fuzz --suite fuzz --print-errorlogs --no-rebuild
  logs+=(build-fuzz/meson-logs/testlog.json)
fi

python3 build-aux/test-summary.py "${logs[@]}"
