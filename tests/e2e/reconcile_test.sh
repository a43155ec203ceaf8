# Nothing done goes unrecorded (issue 15): a push killed with two Ctrl-C
# while a host is in flight leaves an unfinished intervention; show,
# verify and status say so; the agent kept its signed result, and
# `journal reconcile` (or the next push) journals it with the agent's
# signature and closes the intervention as interrupted; verify is clean.
# A target that left the inventory keeps its intervention open until the
# operator gives up on its result (--abandon-host: journaled unknown). An
# agent removes the temporary file of a write a crash cut short at start-up.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"

make_fleet 3
slow_manifest() {  # REF: one host at a time, each hook waits for $WORK/go
  cat > manifests/app.toml <<TOML
[manifest]
name = "app-$1"
targets = "all"

[[deploy]]
name = "app"
repo = "../app"
ref = "$1"
path = "/srv/app"
after = ["sh", "-c", "echo started >> ../../hooks.log; while [ ! -e $WORK/go ]; do sleep 0.1; done"]

[rollout]
batch = 1
timeout = "60s"
TOML
  git add manifests/app.toml && git commit -qm "app $1" || fail "manifest commit"
}
# push_killed: starts a push, and once agent-1's hook runs, presses Ctrl-C twice.
push_killed() {
  rm -f "$WORK/agent-1/root/srv/app/hooks.log" "$WORK/go"
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$DAYBOOK" push manifests/app.toml --yes > "$WORK/push.out" 2> "$WORK/push.err" &
  local push=$! code=0
  wait_for_file "$WORK/agent-1/root/srv/app/hooks.log"
  kill -INT "$push"; sleep 0.3; kill -INT "$push"
  wait "$push" || code=$?
  [[ $code == 130 ]] || { fail "push killed by two Ctrl-C: exit $code"; cat "$WORK/push.err" >&2; }
  expect_in "$WORK/push.err" "interrupted again: quitting now"
}
# last_begin: the id of the last intervention begun.
last_begin() { "$DAYBOOK" journal show --type intervention.begin --output json | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][-1]["intervention"])'; }

v1=$(app_commit 1.0 5)
slow_manifest v1.0
push_killed
id=$(last_begin)

# The journal says what it lacks: show, verify (a warning, exit 0) and status.
expect_exit 0 "$DAYBOOK" journal show --intervention "$id"
expect_in "$WORK/out" "intervention.begin  $id"
grep -q "intervention.begin  $id .* unfinished " "$WORK/out" || fail "show does not mark $id unfinished"
expect_in "$WORK/out" "warning: 1 unfinished intervention(s), with no intervention.end: $id"
expect_exit 0 "$DAYBOOK" journal verify
expect_in "$WORK/out" "warning: 1 unfinished intervention(s), with no intervention.end: $id"
expect_exit 0 "$DAYBOOK" journal verify --output json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["unfinished"] == [sys.argv[2]], d' "$WORK/out" "$id" \
  || fail "verify --output json lists the unfinished intervention"
expect_exit 1 "$DAYBOOK" status
expect_in "$WORK/out" "unfinished intervention $id on agent-1 agent-2 agent-3"

# While agent-1 still runs its hook, reconcile waits for it.
expect_exit 1 "$DAYBOOK" journal reconcile
expect_in "$WORK/out" "still unfinished: $id: agent-1 is still carrying it out"
touch "$WORK/go"
wait_for_file "$WORK/agent-1/state/results/$id.json"
[[ "$(live 1)" == "$v1" ]] || fail "agent-1 did not finish its deploy"

expect_exit 0 "$DAYBOOK" journal reconcile
expect_in "$WORK/out" "reconcile: journaled the kept result of $id agent-1"
expect_in "$WORK/out" "reconcile: intervention $id closed as interrupted"
expect_in "$WORK/out" "1 result(s) recovered, 1 intervention(s) closed as interrupted, 0 still unfinished"
[[ ! -e "$WORK/agent-1/state/results/$id.json" ]] || fail "the journaled result was not acknowledged"
expect_exit 0 "$DAYBOOK" journal show --intervention "$id" --output json
python3 - "$WORK/out" "$v1" <<'PY' || fail "the reconciled intervention"
import json, sys
d = json.load(open(sys.argv[1]))
records, v1 = d["records"], sys.argv[2]
assert d["unfinished"] == [], d["unfinished"]
results = {r["host"]: r for r in records if r["type"] == "host.result"}
one = results["agent-1"]
assert one["status"] == "ok" and one["recovered"] is True, one
assert one["deploys"][0]["to"] == v1 and one["agent"]["sig"], one
assert one["agent"]["response"]["intervention"] == one["intervention"], one
for h in ("agent-2", "agent-3"):
    assert results[h]["status"] == "skipped" and "agent keeps none" in results[h]["error"], results[h]
end = records[-1]
assert end["type"] == "intervention.end" and end["outcome"] == "interrupted", end
assert end["principal"] == "ops@example" and end["op_sig"], end  # signed by who reconciled
PY
expect_exit 0 "$DAYBOOK" journal verify
grep -q "unfinished" "$WORK/out" && fail "verify still warns after reconcile"

# The next push reconciles its hosts first, by itself.
v2=$(app_commit 2.0 5)
slow_manifest v2.0
push_killed
id2=$(last_begin)
touch "$WORK/go"
wait_for_file "$WORK/agent-1/state/results/$id2.json"
v3=$(app_commit 3.0 5)
write_manifest v3.0 /srv/app none 2 all
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/err" "reconcile: journaled the kept result of $id2 agent-1"
expect_in "$WORK/err" "reconcile: intervention $id2 closed as interrupted"
for n in 1 2 3; do [[ "$(live $n)" == "$v3" ]] || fail "agent-$n is not on v3"; done
expect_exit 0 "$DAYBOOK" journal verify
grep -q "unfinished" "$WORK/out" && fail "verify warns after the push reconciled"
# Each agent keeps only the last push's result now (the next command that
# reconciles acknowledges it): the older ones were acknowledged.
id3=$(last_begin)
for n in 1 2 3; do
  [[ "$(ls "$WORK/agent-$n/state/results/")" == "$id3.json" ]] || fail "agent-$n keeps $(ls "$WORK/agent-$n/state/results/")"
done

# A target that has left the inventory since the push began: reconcile takes
# the targets from the begin record, cannot ask agent-3, says so, and closes
# the intervention only once the operator gives up on agent-3's result.
v4=$(app_commit 4.0 5)
slow_manifest v4.0
push_killed
id4=$(last_begin)
touch "$WORK/go"
wait_for_file "$WORK/agent-1/state/results/$id4.json"
sed -i '/^\[hosts.agent-3\]/,+2d' inventory/hosts.toml
grep -q agent-3 inventory/hosts.toml && fail "agent-3 is still in the inventory"
git add inventory && git commit -qm "agent-3 decommissioned"
expect_exit 1 "$DAYBOOK" journal reconcile
expect_in "$WORK/out" "reconcile: journaled the kept result of $id4 agent-1"
expect_in "$WORK/out" "still unfinished: $id4: agent-3 is no longer in the inventory (\`daybook journal reconcile --abandon-host agent-3\` gives up on its result)"
expect_exit 2 "$DAYBOOK" journal reconcile --abandon-host agent-9
expect_in "$WORK/err" "--abandon-host agent-9: no unfinished intervention waits for a result from agent-9"
expect_exit 0 "$DAYBOOK" journal reconcile --abandon-host agent-3
expect_in "$WORK/out" "reconcile: gave up on the result of $id4 agent-3 (journaled unknown)"
expect_in "$WORK/out" "reconcile: intervention $id4 closed as interrupted"
expect_in "$WORK/out" "0 result(s) recovered, 1 intervention(s) closed as interrupted, 0 still unfinished"
expect_in "$WORK/out" "1 host result(s) given up as unknown"
expect_exit 0 "$DAYBOOK" journal show --intervention "$id4" --output json
python3 - "$WORK/out" <<'PY' || fail "the intervention closed with agent-3 abandoned"
import json, sys
d = json.load(open(sys.argv[1]))
records = d["records"]
assert d["unfinished"] == [], d["unfinished"]
results = {r["host"]: r for r in records if r["type"] == "host.result"}
assert results["agent-1"]["status"] == "ok" and results["agent-1"]["recovered"] is True, results["agent-1"]
assert results["agent-2"]["status"] == "skipped", results["agent-2"]
three = results["agent-3"]
assert three["status"] == "unknown" and three["abandoned"] is True and "agent" not in three, three
assert "no longer in the inventory, so what it did is unknown" in three["error"], three
end = records[-1]
assert end["type"] == "intervention.end" and end["outcome"] == "interrupted", end
assert end["abandoned"] == ["agent-3"] and end["without_result"] == ["agent-2"], end
assert end["principal"] == "ops@example" and end["op_sig"], end  # the operator who gave up signs
PY
expect_exit 0 "$DAYBOOK" journal verify
grep -q "unfinished" "$WORK/out" && fail "verify still warns after agent-3 was abandoned"

# The host given up on comes back, still keeping its signed result: the
# journal has only the controller's "unknown" for it, so the next push never
# acknowledges it (evidence is not destroyed) and says so.
git revert --no-edit HEAD > /dev/null
grep -q agent-3 inventory/hosts.toml || fail "agent-3 is not back in the inventory"
printf '{"answer":{"type":"apply.result"},"kept_at":%s}' "$(date +%s%3N)" > "$WORK/agent-3/state/results/$id4.json"
write_manifest v4.0 /srv/app none 2 all
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/err" "reconcile: agent-3 keeps its signed result of $id4, which the journal records without the agent's answer"
[[ -e "$WORK/agent-3/state/results/$id4.json" ]] || fail "the kept result of an abandoned host was acknowledged"

# An agent restarted while it carries an intervention out (its hook
# running) saved no result, but may have changed the host: journaled
# unknown, "cut short", never "skipped".
v5=$(app_commit 5.0 5)
slow_manifest v5.0
push_killed
id5=$(last_begin)
restart_agent 1
touch "$WORK/go"  # the orphaned hook may end now
"$DAYBOOK" journal reconcile > "$WORK/out" 2> "$WORK/err" || true
expect_in "$WORK/out" "reconcile: intervention $id5 closed as interrupted"
expect_exit 0 "$DAYBOOK" journal show --intervention "$id5" --output json
python3 - "$WORK/out" <<'PY' || fail "the host whose agent restarted mid-intervention is journaled as cut short"
import json, sys
records = json.load(open(sys.argv[1]))["records"]
results = {r["host"]: r for r in records if r["type"] == "host.result"}
one = results["agent-1"]
assert one["status"] == "unknown" and one["cut_short"] is True and "agent restarted" in one["error"], one
assert results["agent-2"]["status"] == "skipped", results["agent-2"]
assert records[-1]["type"] == "intervention.end" and records[-1]["cut_short"] == ["agent-1"], records[-1]
PY
write_manifest v5.0 /srv/app none 2 all
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes  # reconciles its targets first
[[ -e "$WORK/agent-1/state/results/$id5.cut" ]] && fail "the cut-short mark was not acknowledged once journaled"
expect_exit 0 "$DAYBOOK" journal verify

# A write a crash cut short leaves its temporary file: removed at start-up.
mkdir -p "$WORK/agent-2/state/results"
printf '{"answer":' > "$WORK/agent-2/state/results/$id4.json.tmp-Ab12Cd"
restart_agent 2
[[ ! -e "$WORK/agent-2/state/results/$id4.json.tmp-Ab12Cd" ]] || fail "the temporary file of an interrupted write is left"
expect_in "$WORK/agent-2/log" "results: removed 1 temporary file(s) of an interrupted write"
finish
