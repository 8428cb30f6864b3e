#!/usr/bin/env bash
# run-both.sh BUILD_DIR [TRACE] [RUNS]: replays the same trace with bench-text-trace and with
# Yjs (Node) in one sitting on this machine, RUNS times each (default 3), alternating, and
# prints the ratios of the median replay times: wall clock, and CPU time (steadier when the
# machine is shared). Needs `npm install` in this directory (benchmark only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run-both.sh BUILD_DIR [TRACE] [RUNS]}
trace=${2:-$here/../../../../shared/bench/traces/automerge-paper.json.gz}
[ -f "$trace" ] || trace=$here/../../../../../shared/bench/traces/automerge-paper.json.gz
runs=${3:-3}
[ -d "$here/node_modules/yjs" ] || (cd "$here" && npm install --no-audit --no-fund >/dev/null)

ours=() yjs=() ours_cpu=() yjs_cpu=()
for i in $(seq "$runs"); do
  o=$("$build/tests/bench/bench-text-trace" "$trace" | tail -n 1)
  y=$(node --expose-gc "$here/bench-yjs.mjs" "$trace" | tail -n 1)
  echo "run $i ours: $o"
  echo "run $i yjs:  $y"
  field() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$1" "$2"; }
  ours+=("$(field "$o" replay_ms)") yjs+=("$(field "$y" replay_ms)")
  ours_cpu+=("$(field "$o" replay_cpu_ms)") yjs_cpu+=("$(field "$y" replay_cpu_ms)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${ours[@]}") my=$(median "${yjs[@]}")
mco=$(median "${ours_cpu[@]}") mcy=$(median "${yjs_cpu[@]}")
node -e 'const [o, y, co, cy] = process.argv.slice(1).map(Number);
console.log(JSON.stringify({ ours_replay_ms_median: o, yjs_replay_ms_median: y,
  speedup: +(y / o).toFixed(1), ours_replay_cpu_ms_median: co, yjs_replay_cpu_ms_median: cy,
  speedup_cpu: +(cy / co).toFixed(1) }))' "$mo" "$my" "$mco" "$mcy"
