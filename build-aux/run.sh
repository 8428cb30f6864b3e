#!/usr/bin/env bash
# Installs the dependencies, builds Rapport and starts the app hosting a session with the
# embedded rendezvous server (no external service needed). Extra arguments go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build-aux/install-deps.sh
[ -f build/build.ninja ] || meson setup build
meson compile -C build
export GSETTINGS_SCHEMA_DIR="$PWD/build/data"
exec ./build/src/app/rapport --host "$@"
