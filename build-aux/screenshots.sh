#!/usr/bin/env bash
# Takes the screenshots in data/screenshots/ (home view, a video call with the side panel,
# preferences) from the real app under Xvfb. The partners and sessions shown come from a
# throw-away partner book; the two cameras are illustrations (build-aux/screenshot-assets/).
# Usage: build-aux/screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
meson compile -C "$build" rapport-screenshots

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/rapport"
at() { date -u -d "$1" +%Y-%m-%dT%H:00:00Z; }
cat > "$home/rapport/partners.ini" <<INI
[Partner Aiko Tanaka]
zone=Asia/Tokyo
language=en_US
work-start=540
work-end=1080

[Partner Mateo Fernández]
zone=America/Argentina/Buenos_Aires
language=es
work-start=600
work-end=1140

[Partner Priya Raman]
zone=Asia/Kolkata
work-start=570
work-end=1050

[Session 1]
partner=Aiko Tanaka
zone=Asia/Tokyo
start=$(at "2 days 08:00")
minutes=45

[Session 2]
partner=Priya Raman
zone=Asia/Kolkata
start=$(at "6 days 10:00")
minutes=30

[Session 3]
partner=Mateo Fernández
zone=America/Argentina/Buenos_Aires
start=$(at "2 days ago 15:00")
minutes=52

[Session 4]
partner=Aiko Tanaka
zone=Asia/Tokyo
start=$(at "5 days ago 08:00")
minutes=41
INI

export XDG_DATA_HOME="$home" GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$PWD/$build/data"
export NO_AT_BRIDGE=1 GST_DEBUG='*:1' LANG="${LANG:-C.UTF-8}"
mkdir -p data/screenshots
xvfb-run -a -s "-screen 0 1920x1080x24" \
  "$build/src/app/rapport-screenshots" build-aux/screenshot-assets data/screenshots
