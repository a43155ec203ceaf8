#!/usr/bin/env bash
# The rollout engine over real SSH to 6 agents: canary 1, batches of 2,
# max_failures 1 with two hosts made to fail (the halt comes before the last
# batch, which is journaled as skipped); a saved plan refused on a drifted
# host; maintenance windows refused and overridden with a ticket; Ctrl-C
# mid-rollout journaled as interrupted. The journal verifies after each.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"
make_fleet 6

# rollout_manifest REF AFTER_JSON [BATCH]: manifests/rollout.toml, committed.
rollout_manifest() {
  cat > manifests/rollout.toml <<TOML
[manifest]
name = "rollout-$1"
targets = "all"
ticket = "CHG-7"

[[deploy]]
name = "app"
repo = "../app"
ref = "$1"
path = "/srv/app"
keep = 3
after = $2

[rollout]
canary = 1
batch = ${3:-2}
max_failures = 1
timeout = "60s"
TOML
  git add manifests/rollout.toml && git commit -qm "rollout $1" || fail "manifest commit"
}
# records TYPE: the journal's records of TYPE as a JSON list in $WORK/out.
records() { expect_exit 0 "$DAYBOOK" journal show --type "$1" --output json; }

v1=$(app_commit 1.0 20)
# The hook fails where ../../fail exists (the deploy's directory): agents 3 and 5.
rollout_manifest v1.0 '["sh", "-c", "test ! -e ../../fail"]'
mkdir -p "$WORK"/agent-{3,5}/root/srv/app && touch "$WORK"/agent-{3,5}/root/srv/app/fail

# A dirty manifest is refused before anything.
echo "# edited" >> manifests/rollout.toml
expect_exit 2 "$DAYBOOK" push manifests/rollout.toml --yes
expect_in "$WORK/err" "manifests/rollout.toml has uncommitted changes"
git checkout -q manifests/rollout.toml

# Plan shows the batches: canary alone, then 2, 2, 1.
expect_exit 0 "$DAYBOOK" plan manifests/rollout.toml
expect_in "$WORK/out" "rollout: canary 1, then batches of 2 (3 batches); halts once more than 1 host(s) fail"
expect_in "$WORK/out" "  batch 1/3: agent-2 agent-3"
expect_in "$WORK/out" "  batch 3/3: agent-6"

# canary agent-1 ok; batch 1: agent-3 fails (1 failure, within max_failures);
# batch 2: agent-5 fails (2 > 1): halt; batch 3 (agent-6) never starts.
expect_exit 1 "$DAYBOOK" push manifests/rollout.toml --yes
expect_in "$WORK/out" "halted: 2 host(s) failed (agent-3, agent-5), more than max_failures allows (1)"
expect_in "$WORK/err" "push: canary: agent-1"
expect_in "$WORK/err" "push: batch 2/3: agent-4 agent-5"
expect_in "$WORK/err" "push: agent-6 skipped: not started: rollout halted"
# Each host line: its own duration, then when in the rollout it finished.
grep -qE '^push: agent-1 ok \([0-9]+\.[0-9]s, at [0-9]+\.[0-9]s\)$' "$WORK/err" || fail "host line without its own duration"
if grep -q "push: batch 3/3" "$WORK/err"; then fail "batch 3 started after the halt"; fi
for n in 1 2 4; do [[ "$(live $n)" == "$v1" ]] || fail "agent-$n should be on v1"; done
for n in 3 5 6; do [[ -z "$(live $n)" ]] || fail "agent-$n should have no release"; done
expect_exit 0 "$DAYBOOK" journal show --output json
python3 - "$WORK/out" <<'PY' || fail "journal of the halted rollout"
import json, sys
records = json.load(open(sys.argv[1]))["records"]
last = [r for r in records if r["type"].startswith(("intervention.", "host."))][-8:]
assert [r["type"] for r in last] == ["intervention.begin"] + ["host.result"] * 6 + ["intervention.end"], [r["type"] for r in last]
begin, end = last[0], last[-1]
assert begin["rollout"]["batches"] == [["agent-1"], ["agent-2", "agent-3"], ["agent-4", "agent-5"], ["agent-6"]], begin["rollout"]
assert begin["rollout"]["threshold"] == 1 and begin["plan"]["digest"].startswith("sha256:"), begin
status = {r["host"]: r["status"] for r in last[1:-1]}
assert status == {"agent-1": "ok", "agent-2": "ok", "agent-3": "failed", "agent-4": "ok", "agent-5": "failed", "agent-6": "skipped"}, status
assert end["outcome"] == "halted" and "agent-3, agent-5" in end["reason"], end
assert end["ok"] == 3 and end["failed"] == 2 and end["skipped"] == 1 and end["not_started"] == 1, end
PY
expect_exit 0 "$DAYBOOK" journal verify

# A saved plan: a host whose state changed since is refused, the others apply it.
rm -f "$WORK"/agent-{3,5}/root/srv/app/fail
v2=$(app_commit 2.0 20)
rollout_manifest v2.0 '["true"]'
expect_exit 0 "$DAYBOOK" plan manifests/rollout.toml --save "$WORK/plan.json"
expect_in "$WORK/out" "plan saved to $WORK/plan.json"
echo drift >> "$WORK/agent-2/root/srv/app/current/VERSION"
expect_exit 2 "$DAYBOOK" push manifests/other.toml --plan "$WORK/plan.json" --yes
expect_exit 2 "$DAYBOOK" push manifests/rollout.toml --plan "$WORK/plan.json" --target agent-1 --yes
expect_in "$WORK/err" "--plan fixes the hosts"
expect_exit 1 "$DAYBOOK" push manifests/rollout.toml --plan "$WORK/plan.json" --yes
grep -Eq '^agent-2 +batch 1/3 +refused .* the host changed since the plan was made' "$WORK/out" || fail "agent-2 not refused as changed"
for n in 1 3 4 5 6; do [[ "$(live $n)" == "$v2" ]] || fail "agent-$n should be on v2 from the plan"; done
[[ "$(live 2)" == "$v1" ]] || fail "the drifted agent-2 was touched"
records intervention.begin
python3 - "$WORK/out" "$WORK/plan.json" <<'PY' || fail "the begin record names the saved plan"
import hashlib, json, sys
begin = json.load(open(sys.argv[1]))["records"][-1]
digest = "sha256:" + hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert begin["plan"] == {"digest": digest, "saved": True}, begin["plan"]
PY

# Windows: agent-6's group is closed now; push leaves it, --override-window needs a ticket.
hour=$((10#$(date -u +%H)))
printf '[groups.late]\nhosts = ["agent-6"]\nwindow = "daily %02d:00-%02d:00 UTC"\n' $(((hour + 12) % 24)) $(((hour + 13) % 24)) > inventory/late.toml
printf '[groups.now]\nhosts = ["agent-1", "agent-2"]\nwindow = "daily %02d:00-%02d:00 UTC"\n' "$hour" $(((hour + 2) % 24)) > inventory/now.toml
v3=$(app_commit 3.0 20)
git add inventory && git commit -qm "windows" && rollout_manifest v3.0 '["true"]' 6
expect_exit 0 "$DAYBOOK" plan manifests/rollout.toml
expect_in "$WORK/out" "agent-6 [window closed: daily"
expect_in "$WORK/out" "1 host(s) outside their maintenance window now"
expect_exit 1 "$DAYBOOK" push manifests/rollout.toml --yes
expect_in "$WORK/out" "outside its maintenance window daily"
[[ "$(live 6)" == "$v2" ]] || fail "agent-6 was touched outside its window"
[[ "$(live 1)" == "$v3" ]] || fail "agent-1 (window open) should be on v3"
expect_exit 2 "$DAYBOOK" push manifests/rollout.toml --yes --override-window
expect_in "$WORK/err" "--override-window needs --ticket ID"
expect_exit 0 "$DAYBOOK" push manifests/rollout.toml --yes --override-window --ticket INC-99 --target agent-6
[[ "$(live 6)" == "$v3" ]] || fail "agent-6 should be on v3 after the override"
expect_exit 0 "$DAYBOOK" journal show --output json
python3 - "$WORK/out" <<'PY' || fail "journal of the window override"
import json, sys
records = json.load(open(sys.argv[1]))["records"]
begin = [r for r in records if r["type"] == "intervention.begin"][-1]
assert begin["override_window"] is True and begin["ticket"] == "INC-99", begin
result = [r for r in records if r["type"] == "host.result"][-1]
assert result["host"] == "agent-6" and result["window"]["overridden"] is True and result["window"]["open"] is False, result
PY
git rm -q inventory/late.toml inventory/now.toml && git commit -qm "no windows"

# Ctrl-C mid-rollout: batches of one host, each hook takes 2 s.
v4=$(app_commit 4.0 20)
rollout_manifest v4.0 '["sleep", "2"]' 1
# A script's background job ignores SIGINT; the push is started with it restored, as on a terminal.
python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
  "$DAYBOOK" push manifests/rollout.toml --yes > "$WORK/int.out" 2> "$WORK/int.err" &
push=$!
for _ in $(seq 1 400); do grep -q "push: batch 1/5: agent-2" "$WORK/int.err" && break; sleep 0.05; done
sleep 0.5
kill -INT "$push"
code=0; wait "$push" || code=$?
[[ $code == 1 ]] || { fail "interrupted push exit $code"; cat "$WORK/int.err" >&2; }
expect_in "$WORK/int.err" "no new host will be started"
expect_in "$WORK/int.out" "interrupted: interrupted by SIGINT"
[[ "$(live 1)" == "$v4" && "$(live 2)" == "$v4" ]] || fail "the canary and the host in flight should finish on v4"
for n in 3 4 5 6; do [[ "$(live $n)" != "$v4" ]] || fail "agent-$n started after Ctrl-C"; done
expect_exit 0 "$DAYBOOK" journal show --output json
python3 - "$WORK/out" <<'PY' || fail "journal of the interrupted rollout"
import json, sys
records = json.load(open(sys.argv[1]))["records"]
end = records[-1]
assert end["type"] == "intervention.end" and end["outcome"] == "interrupted", end
results = [r for r in records if r["type"] == "host.result" and r["intervention"] == end["intervention"]]
assert {r["host"]: r["status"] for r in results} == {"agent-1": "ok", "agent-2": "ok", "agent-3": "skipped", "agent-4": "skipped",
                                                      "agent-5": "skipped", "agent-6": "skipped"}, results
PY
expect_exit 0 "$DAYBOOK" journal verify

# An operator whose key allowed_signers does not list: refused before any
# question or any host is contacted (exit 2: nothing was done).
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$WORK/stranger"
sed -i "s|key = \"$WORK/op\"|key = \"$WORK/stranger\"|" daybook.toml
git commit -qam "a stranger's key" || fail "stranger commit"
sessions_before=$(cat "$WORK"/agent-*/log | wc -l)
expect_exit 2 "$DAYBOOK" push manifests/rollout.toml --yes
expect_in "$WORK/err" "is not in allowed_signers: it cannot act on this fleet"
# Without --yes too: said before the operator is asked to confirm.
expect_exit 2 "$DAYBOOK" push manifests/rollout.toml < /dev/null
expect_in "$WORK/err" "is not in allowed_signers: it cannot act on this fleet"
[[ "$(cat "$WORK"/agent-*/log | wc -l)" == "$sessions_before" ]] || fail "a host was contacted before the operator was known"
git revert --no-edit HEAD > /dev/null || fail "revert"
finish
