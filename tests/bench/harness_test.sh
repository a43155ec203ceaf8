#!/usr/bin/env bash
# The benchmark harness refuses to report a failed run, and its table reads
# ratios and goals from the rows it is given (bench/lib.sh, bench/table.py).
#   harness_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# measure: a run that fails stops the benchmark (exit 1, FAILED on stderr)
# and leaves no row; a run that succeeds leaves one with its figures.
export BENCH_ROWS=$tmp/rows BENCH_GROUP=g BENCH_HOSTS=4 BENCH_BASE="daybook x"
bash -c "source '$src/bench/lib.sh' '$build' harness; measure 'peer ok' 2 true" > "$tmp/ok.out" 2>&1 || fail "a succeeding measure failed: $(cat "$tmp/ok.out")"
grep -q '"label": "peer ok".*"runs": 2.*"cpu_s".*"hosts": 4.*"compared_with": "daybook x"' "$tmp/rows" || fail "no row for a succeeding run: $(cat "$tmp/rows")"
bash -c "source '$src/bench/lib.sh' '$build' harness; measure 'peer fails' 3 sh -c 'echo why it failed; exit 3'; echo still here" > "$tmp/fail.out" 2>&1 &&
  fail "a failing measure did not stop the benchmark"
grep -q 'FAILED: peer fails: exit 3: why it failed' "$tmp/fail.out" || fail "the failure does not say why: $(cat "$tmp/fail.out")"
grep -q 'still here' "$tmp/fail.out" && fail "the benchmark went on after a failed run"
grep -q 'peer fails' "$tmp/rows" && fail "a failed run left a row"
# timed: a row of checked hand timings, with the same fields as measure's.
bash -c "source '$src/bench/lib.sh' '$build' harness; timed g2 'peer by hand' 3 1 2" > /dev/null 2>&1 || fail "timed failed"
grep -q '"group": "g2", "label": "peer by hand", "runs": 3, "median_s": 2.0, "min_s": 1.0, "max_s": 3.0, "peak_rss_kb": 0, "compared_with": "daybook x"' "$tmp/rows" ||
  fail "no row for a timed step: $(cat "$tmp/rows")"
ls -d "${TMPDIR:-/tmp}"/daybook-harness.* > /dev/null 2>&1 && fail "the work directory was left behind"

# table.py: ratios against the named daybook row; goals met, NOT met, or
# not measured when their row is missing.
cat > "$tmp/t.rows" <<'ROWS'
{"bench": "fanout", "group": "1000 hosts", "label": "daybook push, nothing to change", "runs": 3, "median_s": 2.0, "min_s": 1.9, "max_s": 2.2, "peak_rss_kb": 51200, "cpu_s": 4.0, "hosts": 1000}
{"bench": "fanout", "group": "1000 hosts", "label": "daybook ping", "runs": 3, "median_s": 1.0, "min_s": 1.0, "max_s": 1.1, "peak_rss_kb": 71680, "cpu_s": 2.0, "hosts": 1000}
{"bench": "fanout", "group": "1000 hosts", "label": "parallel-ssh -p 1000 true", "runs": 1, "median_s": 30.0, "min_s": 30.0, "max_s": 30.0, "peak_rss_kb": 9000, "cpu_s": 50.0, "hosts": 1000, "compared_with": "daybook push, nothing to change"}
{"bench": "fanout", "group": "1000 hosts", "label": "agent RSS idle (median)", "value": 15360, "unit": "KiB"}
{"bench": "fanout", "group": "1000 hosts", "label": "agent RSS after a push (median)", "value": 11264, "unit": "KiB"}
{"bench": "patch", "group": "real root, 100 pending", "label": "unattended-upgrade --dry-run -d", "runs": 3, "median_s": 10.0, "min_s": 9.0, "max_s": 11.0, "peak_rss_kb": 1, "cpu_s": 1, "compared_with": "daybook plan"}
{"bench": "patch", "group": "real root, 100 pending", "label": "daybook plan", "runs": 3, "median_s": 11.0, "min_s": 10.0, "max_s": 12.0, "peak_rss_kb": 1, "cpu_s": 1}
ROWS
python3 "$src/bench/table.py" "$tmp/t.rows" "$tmp" > "$tmp/table.out" || fail "table.py failed"
grep -q '| fanout | 1000 hosts | parallel-ssh -p 1000 true | 30.000 s | 30.000–30.000 s (1 run) | 8.8 MiB | 50.00 s (50.0 ms/host) | 15.0× (daybook push, nothing to change) |' "$tmp/results.md" ||
  fail "the peer's row or ratio is wrong: $(grep parallel "$tmp/results.md")"
expect_goal() { grep -qF "$1" "$tmp/results.md" || fail "goal line missing: $1 in: $(grep '^| [ac-z].*≤' "$tmp/results.md")"; }
expect_goal '| controller peak memory, daybook ping, 1,000 hosts | ≤ 64 MiB | 70.0 MiB | **NOT met** |'
expect_goal '| controller peak memory, daybook push, nothing to change, 1,000 hosts | ≤ 64 MiB | 50.0 MiB | yes |'
expect_goal '| agent RSS idle (median) | ≤ 8 MiB | 15.0 MiB | **NOT met** |'
expect_goal '| agent RSS after a push (median) | ≤ 12 MiB | 11.0 MiB | yes |'
expect_goal '| first deploy ÷ git clone, 1 host | ≤ 1.5 × | not measured | not measured |'
expect_goal '| security plan ÷ unattended-upgrade --dry-run | ≤ 1.2 × | 1.1 × | yes |'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["goals"]) == 6 and d["rows"][2]["ratio_to_daybook"] == 15.0' "$tmp/results.json" ||
  fail "results.json lacks the goals or the ratio"

# A peer row held against a daybook row the run does not have is an error,
# not a row without a ratio.
echo '{"bench": "b", "group": "g", "label": "peer", "runs": 1, "median_s": 1, "min_s": 1, "max_s": 1, "peak_rss_kb": 1, "compared_with": "daybook gone"}' > "$tmp/orphan.rows"
python3 "$src/bench/table.py" "$tmp/orphan.rows" "$tmp" > /dev/null 2> "$tmp/orphan.err" && fail "a ratio against a missing row passed"
grep -q "which no row of its group is" "$tmp/orphan.err" || fail "the missing row is not named: $(cat "$tmp/orphan.err")"

[[ $failures -eq 0 ]] && echo "PASS" || { echo "$failures failure(s)"; exit 1; }
