#!/usr/bin/env bash
# The benchmark suite, one command, one table: runs each benchmark with its
# figures collected as JSON rows (bench/lib.sh `measure`, `figure`), then
# writes BUILD_DIR/bench/results.json and results.md and prints the table.
# A benchmark that fails stops the suite: no table is written from a
# failed run. `make bench` runs it.
# Usage: bench/all.sh [BUILD_DIR]   SIZES="10 50 200" (fan-out sizes), RUNS=5
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
out="$build/bench"
mkdir -p "$out"
rows=$(mktemp "${TMPDIR:-/tmp}/daybook-bench-rows.XXXXXX")
trap 'rm -f "$rows"' EXIT
export BENCH_ROWS=$rows

# shellcheck disable=SC2086
bash "$src/bench/fanout.sh" "$build" ${SIZES:-10 50 200}
bash "$src/bench/journal.sh" "$build"
bash "$src/bench/deploy.sh" "$build" "${FILES:-10000}"

python3 - "$rows" "$out" <<'PY'
import json, platform, os, sys, datetime
rows = [json.loads(l) for l in open(sys.argv[1])]
out = sys.argv[2]
doc = {"generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
       "machine": {"cpus": os.cpu_count(), "kernel": platform.release()}, "rows": rows}
# Ratios within a group: each row's median over the group's daybook row it
# compares with (a push for the peers of a fan-out group).
groups = {}
for r in rows:
    groups.setdefault((r["bench"], r["group"]), []).append(r)
for (bench, group), members in groups.items():
    base = next((m for m in members if m["label"] == "daybook push, nothing to change"), None) or \
           next((m for m in members if m["label"].startswith("daybook push")), None) or \
           next((m for m in members if m["label"].startswith("daybook")), None)
    for m in members:
        if base and "median_s" in m and m is not base and not m["label"].startswith("daybook"):
            ratio = m["median_s"] / base["median_s"]
            m["ratio_to_daybook"] = round(ratio, 1) if ratio >= 1 else round(ratio, 3)
            m["compared_with"] = base["label"]
json.dump(doc, open(os.path.join(out, "results.json"), "w"), indent=1)
lines = [f"Generated {doc['generated_at']} on {doc['machine']['cpus']} CPUs (kernel {doc['machine']['kernel']}); medians of each row's runs, spread min–max.", "",
         "| benchmark | group | what | median | spread | peak RSS | × daybook |", "|---|---|---|---|---|---|---|"]
for r in rows:
    if "median_s" in r:
        lines.append(f"| {r['bench']} | {r['group']} | {r['label']} | {r['median_s']:.3f} s | {r['min_s']:.3f}–{r['max_s']:.3f} s ({r['runs']} runs) | "
                     f"{(str(round(r['peak_rss_kb'] / 1024, 1)) + ' MiB') if r['peak_rss_kb'] else '-'} | {str(r.get('ratio_to_daybook', '')) + ('×' if 'ratio_to_daybook' in r else '')} |")
    else:
        lines.append(f"| {r['bench']} | {r['group']} | {r['label']} | {r['value']:g} {r['unit']} | | | |")
open(os.path.join(out, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
