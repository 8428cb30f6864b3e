#!/usr/bin/env bash
# run-both.sh BUILD_DIR [TRACE] [RUNS]: replays the same trace with bench-text-trace and with
# Yjs (Node) in one sitting on this machine, RUNS times each (default 3), and prints the ratio
# of the median replay times. Needs `npm install` in this directory (benchmark only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run-both.sh BUILD_DIR [TRACE] [RUNS]}
trace=${2:-$here/../../../../shared/bench/traces/automerge-paper.json.gz}
[ -f "$trace" ] || trace=$here/../../../../../shared/bench/traces/automerge-paper.json.gz
runs=${3:-3}
[ -d "$here/node_modules/yjs" ] || (cd "$here" && npm install --no-audit --no-fund >/dev/null)

ours=() yjs=()
for i in $(seq "$runs"); do
  o=$("$build/tests/bench/bench-text-trace" "$trace" | tail -n 1)
  y=$(node --expose-gc "$here/bench-yjs.mjs" "$trace" | tail -n 1)
  echo "run $i ours: $o"
  echo "run $i yjs:  $y"
  ours+=("$(node -e 'console.log(JSON.parse(process.argv[1]).replay_ms)' "$o")")
  yjs+=("$(node -e 'console.log(JSON.parse(process.argv[1]).replay_ms)' "$y")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${ours[@]}") my=$(median "${yjs[@]}")
node -e 'const [o, y] = process.argv.slice(1).map(Number);
console.log(JSON.stringify({ ours_replay_ms_median: o, yjs_replay_ms_median: y,
  speedup: +(y / o).toFixed(1) }))' "$mo" "$my"
