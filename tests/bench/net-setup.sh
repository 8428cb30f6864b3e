#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Call setup under UDP loss: N audio-only rapport-peer calls in a user + network namespace of
# this script's own, where nftables drops LOSS % of the UDP packets (each way); prints the
# joiner's time from peer-joined to `connected` (ICE + DTLS), median and max, for Rapport's
# DTLS set-up (ECDSA certificate, handshake datagrams sent twice) and for GStreamer's own (RSA
# certificate, each datagram once: RAPPORT_DTLS=gstreamer), in the same sitting. A call that
# has not connected after 25 s counts as 25000 ms. Never fails on time.
#
#   tests/bench/net-setup.sh [BUILD_DIR] [N] [LOSS_PCT]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-${BUILD_DIR:-$here/../../build}}" && pwd)"
runs="${2:-10}"
loss="${3:-10}"

if [ "${RP_NET_SETUP_INSIDE:-}" != 1 ]; then
  echo "net-setup: $(date -u +%FT%TZ), $(nproc) cores, ${loss} % UDP loss each way, uptime:$(uptime | sed 's/.*up[^,]*,//')"
  RP_NET_SETUP_INSIDE=1 exec unshare -Urn "$0" "$build" "$runs" "$loss"
fi

ip link set lo up
nft add table inet rpbench
nft add chain inet rpbench out '{ type filter hook output priority 0; }'
nft add rule inet rpbench out meta l4proto udp numgen random mod 100 '<' "$loss" drop
export RAPPORT_ICE_LOCAL_ADDRESSES=127.0.0.1 GST_DEBUG='*:0'
peer="$build/src/peer/rapport-peer"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"; kill $(jobs -p) 2>/dev/null || true' EXIT

one_call () {
  local h="$tmp/host.out" g="$tmp/guest.out" link joined connected
  "$peer" --host --video none --audio test:440 --audio-sink none --duration 30 >"$h" 2>/dev/null &
  local host=$!
  for _ in $(seq 50); do link="$(grep -o 'rapport://[^"]*' "$h" | head -1 || true)"; [ -n "$link" ] && break; sleep 0.1; done
  timeout 27 "$peer" "$link" --video none --audio test:880 --audio-sink none --duration 1 \
    >"$g" 2>/dev/null || true
  kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true
  joined="$(grep -o '"peer-joined","t_ms":[0-9]*' "$g" | head -1 | grep -o '[0-9]*$' || true)"
  connected="$(grep -o '"connected","t_ms":[0-9]*' "$g" | head -1 | grep -o '[0-9]*$' || true)"
  if [ -n "$joined" ] && [ -n "$connected" ]; then echo $((connected - joined)); else echo 25000; fi
}

for cert in rapport gstreamer; do
  results=()
  for _ in $(seq "$runs"); do
    if [ "$cert" = gstreamer ]; then results+=("$(RAPPORT_DTLS=gstreamer one_call)")
    else results+=("$(one_call)"); fi
  done
  printf '%s\n' "${results[@]}" | sort -n | awk -v cert="$cert" -v all="${results[*]}" '
    { v[NR] = $1 } END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%-9s DTLS: joiner peer-joined -> connected median %d ms, max %d ms (%d calls: %s)\n", cert, m, v[NR], NR, all }'
done
echo "load after:$(uptime | sed 's/.*load average://')"
