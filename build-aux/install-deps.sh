#!/usr/bin/env bash
# Installs everything Rapport needs to build, run and test on Debian 12.
# Idempotent; works as root or through sudo.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

PACKAGES=(
  # build
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev gettext
  # core libraries
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libsoup-3.0-dev libnice-dev libsqlite3-dev
  libical-dev libgnutls28-dev libssl-dev
  # media
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-nice gstreamer1.0-tools gstreamer1.0-pulseaudio gstreamer1.0-pipewire
  gstreamer1.0-gl gstreamer1.0-gtk3
  # desktop app
  libgtk-3-dev libhandy-1-dev libgspell-1-dev desktop-file-utils appstream
  hicolor-icon-theme adwaita-icon-theme
  # tests
  xvfb xauth at-spi2-core dbus-x11 coturn imagemagick iproute2 nftables sqlite3
  python3 python3-gi gir1.2-atspi-2.0 python3-icalendar openssl
  # a private sound server whose null sinks are the devices of tests/test-peer-devices.c
  pulseaudio pulseaudio-utils
  # a browser as the other side of a call (tests/browser/, test-browser-call): ~113 MB download,
  # ~366 MB installed
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
