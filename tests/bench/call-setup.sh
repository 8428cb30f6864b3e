#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Call setup, rapport-peer pair beside a headless Chromium pair: the joiner's first-frame video
# `ms` (PROTOCOL.md), N calls each, median/min/max, through one rapport-server on loopback.
# Prints figures and the machine's load; never fails on time.
#
#   tests/bench/call-setup.sh [BUILD_DIR] [N] [peers|browsers|all]
#
# CHROMIUM=/path/to/chromium overrides Debian's /usr/bin/chromium; without it the browser half
# is skipped. RAPPORT_BENCH_DEBUG=1 shows the server's log, Chromium's and the pages' events.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-${BUILD_DIR:-$here/../../build}}"
runs="${2:-5}"
what="${3:-all}"

echo "call-setup: $(date -u +%FT%TZ), $(nproc) cores, uptime:$(uptime | sed 's/.*up[^,]*,//')"
exec python3 "$here/call-setup.py" "$build" "$what" "$runs"
