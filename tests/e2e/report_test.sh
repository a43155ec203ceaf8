#!/usr/bin/env bash
# `daybook report` (issue 18): the HTML page rendered by headless Chromium
# from the demo's journal and from a year of 1,000 interventions; the DOM
# holds the figures the JSON holds; the page loads nothing from anywhere; a
# journal that does not verify is reported as such, exit 1. Screenshots are
# kept in the build directory (report-demo.png, report-year.png) to look at.
#   report_test.sh DAYBOOK AGENT SOURCE_DIR   (REPORT_JOURNAL=tool in the environment)
source "$(dirname "$0")/lib.sh" "$@"
build=$(dirname "$(dirname "$DAYBOOK")")
chromium=$(command -v chromium-headless-shell || command -v chromium || true)
[[ -n "$chromium" ]] || { echo "FAIL: no headless Chromium (scripts/install-deps installs chromium-headless-shell)" >&2; exit 1; }

# Chromium's own profile and cache go to the test's directory, not $HOME.
render() {  # render HTML_FILE PNG_FILE: the DOM after rendering, on stdout
  local flags=(--no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$WORK/chromium"
               --disable-background-networking --disable-component-update)
  HOME="$WORK" "$chromium" "${flags[@]}" --window-size=1280,2400 --screenshot="$2" "file://$1" > /dev/null 2>&1 ||
    fail "chromium could not screenshot $1"
  HOME="$WORK" "$chromium" "${flags[@]}" --dump-dom "file://$1" 2> /dev/null
}

# check_dom DOM_FILE JSON_FILE: every figure on the page is the JSON's.
check_dom() {
  python3 - "$1" "$2" <<'PY' || fail "the page's figures differ from the report's JSON ($1)"
import json, sys
from html.parser import HTMLParser
dom, report = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
class Figures(HTMLParser):
    def __init__(self):
        super().__init__(); self.figures, self.open, self.rows, self.tags = {}, [], {}, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); self.tags.append((tag, a))
        if "data-figure" in a:
            self.open.append([a["data-figure"], "", a]); self.figures.setdefault(a["data-figure"], []).append(a)
        elif self.open: self.open.append(None)
        for key in ("data-intervention", "data-host"):
            if key in a: self.rows.setdefault(key, []).append(a[key])
    def handle_endtag(self, tag):
        if self.open:
            item = self.open.pop()
            if item: item[2]["text"] = item[1].strip()
    def handle_data(self, data):
        for item in self.open:
            if item: item[1] += data
p = Figures(); p.feed(dom)
text = lambda name: p.figures[name][0]["text"]
v, lat = report["verification"], report["patch_latency"]
assert p.figures["verdict"][0]["data-ok"] == ("true" if v["ok"] else "false")
assert text("records") == str(v["records"]), (text("records"), v["records"])
assert text("interventions") == str(len(report["interventions"]))
assert text("hosts") == str(len(report["hosts"]))
assert text("open-updates") == str(lat["open"])
assert text("applied-count") == str(lat["applied"])
assert text("reboots-owed") == str(len(report["reboots_owed"]))
days = lambda d: "-" if d is None else "%.2f d" % d
assert text("median-exposure-days") == days(lat["median_days"]), (text("median-exposure-days"), lat["median_days"])
assert text("worst-exposure-days") == days(lat["worst_days"])
assert p.rows["data-intervention"] == [i["id"] for i in report["interventions"]]
assert p.rows["data-host"] == [h["host"] for h in report["hosts"]]
assert "chart-weeks" in p.figures and "chart-exposure" in p.figures or not lat["updates"]
# Self-contained: no script, no link, no external source of any kind.
for tag, a in p.tags:
    assert tag not in ("script", "link", "img", "iframe", "object"), tag
    for key in ("src", "href"):
        assert key not in a, (tag, a)
assert "http://" not in dom and "https://" not in dom
PY
}

# The demo's journal: three hosts, a security push, a release, a rollback.
TMPDIR="$WORK" bash "$SOURCE_DIR/scripts/demo" "$build" > "$WORK/demo.out" 2>&1 || fail "demo failed"
lab=$(sed -n 's/^The fleet repository and its journal are kept in \(.*\):$/\1/p' "$WORK/demo.out")
cd "$lab"
expect_exit 0 "$DAYBOOK" report --html "$WORK/demo.html"
expect_in "$WORK/out" "journal verified: "
expect_in "$WORK/out" "security patch latency: median 0.00 days, worst 0.00 days over 9 applied; 0 still pending"
expect_in "$WORK/out" "reboots owed: 3 (vm1 since "
expect_exit 0 "$DAYBOOK" report --output json
cp "$WORK/out" "$WORK/demo.json"
python3 - "$WORK/demo.json" <<'PY' || fail "the demo's report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["verification"]["ok"] and len(r["interventions"]) == 3, r["interventions"]
assert [i["kind"] for i in r["interventions"]] == ["push", "push", "rollback"]
assert all(i["ok"] == 3 and i["outcome"] == "completed" for i in r["interventions"])
assert r["interventions"][2]["ticket"] == "INC-4242" and r["interventions"][0]["principal"] == "demo-operator"
assert [d["identical"] for d in r["deploys"]] == [True]
u = r["patch_latency"]["updates"]
assert len(u) == 9 and {x["package"] for x in u} == {"libdemo", "demo-app", "demo-reboot"}
assert all(x["seen_by"] == "plan" and x["applied_by"].startswith("push ") for x in u), u
assert [h["host"] for h in r["reboots_owed"]] == ["vm1", "vm2", "vm3"] and all(h["since"] for h in r["reboots_owed"])
PY
render "$WORK/demo.html" "$build/report-demo.png" > "$WORK/demo.dom"
check_dom "$WORK/demo.dom" "$WORK/demo.json"
# --since after everything: no interventions, the state still read.
expect_exit 0 "$DAYBOOK" report --since 2100-01-01 --output json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["interventions"] == [] and len(r["hosts"]) == 3' "$WORK/out" ||
  fail "report --since"
# A record appended by hand (no key: unsealed) whose deploy name carries
# terminal escapes that would print a verdict of their own: the report
# fails, counts nothing past the checkpoint, and prints no raw escape.
cp journal/records.jsonl "$WORK/records.kept"
python3 - journal/records.jsonl <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
r = [json.loads(l) for l in lines if json.loads(l)["type"] == "host.observed"][-1]
r["seq"] = len(lines)
for a in r["agent"]["answers"]:
    if a["response"]["type"] == "deploy.status":
        a["response"]["deploys"][0]["name"] = "\x1b[2J\x1b[Hjournal verified: 99 records\ndeploy app"
open(sys.argv[1], "a").write(json.dumps(r, separators=(",", ":"), sort_keys=True) + "\n")
PY
expect_exit 1 "$DAYBOOK" report
grep -q $'\x1b' "$WORK/out" && fail "report printed a raw escape from the journal"
expect_in "$WORK/out" "journal verification FAILED"
expect_in "$WORK/out" "note: the figures below are read from the first"
cp "$WORK/records.kept" journal/records.jsonl
expect_exit 2 "$DAYBOOK" report --since yesterday
expect_in "$WORK/err" "--since yesterday: expected 2026-11-01 or 2026-11-01T08:00:00Z (UTC)"

# A year: 1,000 interventions on 20 hosts, observed at every step.
cd "$WORK"
"$DAYBOOK" init year > /dev/null
cd year
ssh-keygen -q -t ed25519 -N '' -C op -f "$WORK/op"
echo "ops@example $(cat "$WORK/op.pub")" >> allowed_signers
origin=$(sed -n 's/^origin = "\(.*\)".*/\1/p' daybook.toml)
start=$(date +%s.%N)
records=$("$REPORT_JOURNAL" journal .daybook/journal.key "$WORK/op" allowed_signers "$origin" 1000 20) || fail "report_journal"
written=$(date +%s.%N)
expect_exit 0 "$DAYBOOK" report --html "$WORK/year.html"
reported=$(date +%s.%N)
expect_in "$WORK/out" "journal verified: $records records"
expect_in "$WORK/out" "interventions: 1000"
expect_exit 0 "$DAYBOOK" report --output json
cp "$WORK/out" "$WORK/year.json"
python3 - "$WORK/year.json" <<'PY' || fail "the year's report"
import json, sys
r = json.load(open(sys.argv[1]))
lat = r["patch_latency"]
assert len(r["interventions"]) == 1000 and len(r["hosts"]) == 20
assert lat["applied"] > 100 and lat["open"] > 0 and lat["median_days"] > 0 and lat["worst_days"] >= lat["median_days"], lat
assert all(u["open"] for u in lat["updates"] if u["host"] == "host-100" and u["applied"] is None)
assert [h["host"] for h in r["reboots_owed"]] == ["host-100"], r["reboots_owed"]
assert len(r["weeks"]) >= 52, len(r["weeks"])
assert [d["identical"] for d in r["deploys"]] == [True]
PY
render "$WORK/year.html" "$build/report-year.png" > "$WORK/year.dom"
check_dom "$WORK/year.dom" "$WORK/year.json"
seconds() { python3 -c "print(round($2 - $1, 2))"; }
echo "figures: $records records ($(du -k journal/records.jsonl | cut -f1) KiB) written in $(seconds "$start" "$written") s;" \
     "report with verification in $(seconds "$written" "$reported") s; page $(stat -c %s "$WORK/year.html") bytes"

# One altered answer: the report says the journal does not verify, exit 1.
python3 - journal/records.jsonl <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for i, line in enumerate(lines):
    r = json.loads(line)
    if r["type"] == "host.observed":
        r["agent"]["answers"][1]["response"]["plan"]["changes"] = []
        lines[i] = json.dumps(r, separators=(",", ":"), sort_keys=True)
        break
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
expect_exit 1 "$DAYBOOK" report --html "$WORK/bad.html"
expect_in "$WORK/out" "journal verification FAILED"
grep -q 'data-ok="false"' "$WORK/bad.html" || fail "the page of a tampered journal does not say so"
finish
