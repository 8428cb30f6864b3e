#!/usr/bin/env bash
# run-fuzz.sh HARNESS SECONDS SEED_DIR WORK_DIR: runs one libFuzzer harness for a bounded time.
# New corpus entries go to WORK_DIR (in the build tree), never into the source tree.
set -euo pipefail
harness=$1 seconds=$2 seeds=$3 work=$4
mkdir -p "$work/corpus" "$work/artifacts"
exec "$harness" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds"
