#!/usr/bin/env bash
# Journal benchmark, side by side with sha256sum on the same bytes.
# Usage: bench/journal.sh [BUILD_DIR]   (not run by CI; prints figures)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
bench="$build/bin/journal_bench"
disk=$(mktemp -d "${TMPDIR:-/tmp}/daybook-bench.XXXXXX")
mem=$(mktemp -d /dev/shm/daybook-bench.XXXXXX)
trap 'rm -rf "$disk" "$mem"' EXIT

echo "== append: durable (3 fsyncs) and sealed (checkpoint signed) per record, on $(df --output=source "$disk" | tail -1)"
"$bench" append "$disk/j" 2000

echo "== verify: 100,000 records (filled on tmpfs)"
"$bench" fill "$mem/j" 100000 > /dev/null
"$bench" verify "$mem/j"

echo "== peer: sha256sum over the same records file"
bytes=$(stat -c %s "$mem/j/records.jsonl")
start=$(date +%s.%N)
for _ in 1 2 3; do sha256sum "$mem/j/records.jsonl" > /dev/null; done
end=$(date +%s.%N)
python3 -c "import sys; t=($end-$start)/3; print(f'sha256sum: {t:.3f} s for {$bytes} bytes ({$bytes/t/1e6:.0f} MB/s)')"
