#!/usr/bin/env bash
# Journal: appends (each durable: 3 fsyncs, and sealed: a signed checkpoint)
# on this disk, and a full verify of 100,000 records (every hash, 20,000
# operator and 60,000 agent signatures), side by side with sha256sum over
# the same records file (the floor: reading and hashing the bytes once).
# Every run is checked (bench/lib.sh measure).
# Usage: bench/journal.sh [BUILD_DIR]
source "$(dirname "$0")/lib.sh" "${1:-build}" journal
bench="$build/bin/journal_bench"
runs=${RUNS:-5}

export BENCH_GROUP="append 500 records"
cat > "$work/append.sh" <<SH
d=\$(mktemp -d "$work/a.XXXXXX") && "$bench" append "\$d/j" 500 && rm -rf "\$d"
SH
measure "daybook journal: 500 durable, sealed appends" "$runs" bash "$work/append.sh"

export BENCH_GROUP="verify 100,000 records" BENCH_BASE="daybook journal verify (hashes and signatures)"
# Filled on tmpfs (its appends' fsyncs cost nothing there); verified there too.
mem=$(mktemp -d /dev/shm/daybook-bench.XXXXXX)
on_exit "rm -rf $mem"
"$bench" fill "$mem/j" 100000 > /dev/null || die "fill"
measure "daybook journal verify (hashes and signatures)" 3 "$bench" verify "$mem/j"
measure "sha256sum of records.jsonl" 3 sha256sum "$mem/j/records.jsonl"
figure "verify 100,000 records" "records.jsonl" "$(( $(stat -c %s "$mem/j/records.jsonl") / 1048576 ))" MiB
