#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# server-load.sh [ROOMS] [RATE_MSG_S] [DURATION_S]
#
# Runs the same load against rapport-server and against the Node.js `ws` server in
# node-ws-server/ (one after the other, never at once) and prints the figures of both:
# connections held, messages/s relayed, p50/p99 relay latency, server RSS per connection.
# Defaults: 2500 rooms (5,000 connections) at 2,000 messages/s for 20 s. Environment:
# BUILD_DIR (default build), SKIP_NODE=1 to measure rapport-server only.
# A figure, never a pass/fail: the machine may be shared, so say how loaded it was.
set -euo pipefail

rooms=${1:-2500}
rate=${2:-2000}
duration=${3:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build}
server_bin=$build/src/server/rapport-server
client_bin=$build/tests/bench/load-client
for f in "$server_bin" "$client_bin"; do
  [[ -x $f ]] || { echo "missing $f: run meson compile -C $build first" >&2; exit 2; }
done

ulimit -n "$(ulimit -Hn)"
need=$(( 2 * rooms + 100 ))
if (( $(ulimit -n) < need )); then
  echo "file-descriptor limit $(ulimit -n) is below the $need this load needs" >&2
  exit 2
fi

tmp=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# Waits for a "port=N" on the server's stderr log and prints N.
wait_port() {
  local log=$1
  for _ in $(seq 100); do
    port=$(grep -o 'port=[0-9]*' "$log" 2>/dev/null | head -1 | cut -d= -f2 || true)
    [[ -n $port ]] && { echo "$port"; return 0; }
    sleep 0.1
  done
  echo "server did not start: $(cat "$log")" >&2
  return 1
}

run_client() {
  local label=$1 port=$2
  "$client_bin" --port "$port" --rooms "$rooms" --rate "$rate" --duration "$duration" \
    --server-pid "$server_pid" --label "$label"
}

echo "load: $((2 * rooms)) connections in $rooms rooms, $rate msg/s for $duration s;" \
     "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"

cat > "$tmp/server.conf" <<CONF
[server]
max-connections=$(( 2 * rooms + 100 ))
max-rooms=$(( rooms + 100 ))
CONF
"$server_bin" --port 0 --config "$tmp/server.conf" 2> >(grep --line-buffered -v 'event=\(connected\|joined\|room-created\)' > "$tmp/rapport.log") &
server_pid=$!
port=$(wait_port "$tmp/rapport.log")
run_client rapport-server "$port"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=

if [[ ${SKIP_NODE:-0} != 1 ]]; then
  if ! command -v node >/dev/null; then
    echo "node is not installed: skipping the Node.js comparison" >&2
    exit 0
  fi
  if [[ ! -d $here/node-ws-server/node_modules/ws ]]; then
    (cd "$here/node-ws-server" && npm install --no-audit --no-fund >/dev/null)
  fi
  node "$here/node-ws-server/server.js" 0 2> "$tmp/node.log" &
  server_pid=$!
  port=$(wait_port "$tmp/node.log")
  run_client node-ws "$port"
fi
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
