#!/usr/bin/env bash
# The benchmark suite, one command, one table: runs each benchmark with its
# figures collected as JSON rows (bench/lib.sh `measure`, `figure`), then
# writes BUILD_DIR/bench/results.json and results.md and prints the table.
# A benchmark that fails stops the suite: no table is written from a
# failed run. `make bench` runs it.
# Usage: bench/all.sh [BUILD_DIR]   SIZES="10 50 200 1000" (fan-out sizes), RUNS=3 (runs per row)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
out="$build/bench"
mkdir -p "$out"
rows=$(mktemp "${TMPDIR:-/tmp}/daybook-bench-rows.XXXXXX")
trap 'rm -f "$rows"' EXIT
export BENCH_ROWS=$rows RUNS=${RUNS:-3}

# shellcheck disable=SC2086
bash "$src/bench/fanout.sh" "$build" ${SIZES:-10 50 200 1000}
bash "$src/bench/release.sh" "$build" 50
bash "$src/bench/deploy.sh" "$build" "${FILES:-10000}"
bash "$src/bench/patch.sh" "$build"
bash "$src/bench/journal.sh" "$build"

python3 "$src/bench/table.py" "$rows" "$out"
