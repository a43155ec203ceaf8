# A year of access at fleet scale (issue 19): HOSTS agents (100 by default,
# ACCESS_HOSTS), each with an access log of 365 days of 10 host logins a day
# and a daybook session a day (tests/tools/access_year.cc), collected into
# the journal by `daybook access collect`, then `journal verify` and
# `report`. Checks that every line arrived once, chained, without a gap;
# prints the times and peak memory (a measurement, never an assertion).
source "$(dirname "$0")/../e2e/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"

hosts=${ACCESS_HOSTS:-100}
"$ACCESS_YEAR" "$WORK" "$hosts" 365 10 || fail "access_year"
make_fleet "$hosts"
measure() {  # measure NAME CMD...: runs CMD, keeps its output in $WORK/out, prints wall time and peak RSS
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out" 2> "$WORK/err"
  local rc=$?
  read -r secs kib < "$WORK/time"
  echo "access_year: $name: ${secs} s, peak RSS $((kib / 1024)) MiB (exit $rc)"
  return $rc
}
measure "access collect ($hosts hosts)" "$DAYBOOK" access collect --output json || fail "collect failed: $(tail -3 "$WORK/err")"
python3 - "$WORK/out" "$hosts" <<'PY' || fail "every host's year collected, no gap"
import json, sys
doc, hosts = json.load(open(sys.argv[1])), int(sys.argv[2])
assert doc["collected"] == hosts == doc["total"], doc["collected"]
for h in doc["hosts"]:
    assert h["error"] is None and not h["gaps"] and not h["more"], h
    assert h["logins"] == 3650 and h["entries"] >= 3650 + 365, h
PY
records=$(wc -l < journal/records.jsonl)
echo "access_year: journal: $records records, $(( $(stat -c %s journal/records.jsonl) / 1048576 )) MiB"
measure "journal verify" "$DAYBOOK" journal verify || fail "verify failed: $(cat "$WORK/out")"
expect_in "$WORK/out" "journal verified: $records records"
measure "report" "$DAYBOOK" report --output json || fail "report failed: $(tail -3 "$WORK/err")"
python3 - "$WORK/out" "$hosts" <<'PY' || fail "the report counts every login"
import json, sys
access, hosts = json.load(open(sys.argv[1]))["access"], int(sys.argv[2])
assert access["logins"] == 3650 * hosts and access["gaps"] == 0 and access["hosts_collected"] == hosts, {k: access[k] for k in ("logins", "gaps")}
PY
# A second collect finds only what the first one's own sessions added.
measure "access collect again" "$DAYBOOK" access collect --output json || fail "second collect"
python3 - "$WORK/out" <<'PY' || fail "nothing collected twice"
import json, sys
assert all(h["logins"] == 0 and h["entries"] <= 2 for h in json.load(open(sys.argv[1]))["hosts"])
PY
finish
