#!/usr/bin/env bash
# Identical code deployments over real SSH to 3 agents: plan, push (journal
# first), delta packs, status with tree identity and drift, repair by push,
# rollback, keep pruning that spares live and last-good, refusals.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"
make_fleet 3

v1=$(app_commit 1.0 200)
write_manifest v1.0

# A manifest with uncommitted changes is refused; so is an unknown ref, before any host is contacted.
echo "# edited" >> manifests/app.toml
expect_exit 2 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/err" "manifests/app.toml has uncommitted changes"
git checkout -q manifests/app.toml
cp manifests/app.toml manifests/new.toml
expect_exit 2 "$DAYBOOK" plan manifests/new.toml
expect_in "$WORK/err" "manifests/new.toml is not committed yet: \`git add\` and commit it first"
rm manifests/new.toml
sessions_before=$(grep -c '^.*session peer=' "$WORK/agent-1/log" || true)
sed -i 's/^ref = .*/ref = "v9.9"/' manifests/app.toml && git commit -qam "bad ref"
expect_exit 2 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/err" "manifests/app.toml:6:1: error: deploy app: unknown revision v9.9"
[[ $(grep -c '^.*session peer=' "$WORK/agent-1/log" || true) == "$sessions_before" ]] || fail "a bad ref contacted an agent"
write_manifest v1.0

# Plan changes nothing; push needs --yes when not on a terminal.
expect_exit 0 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/out" "deploy app: v1.0 = ${v1:0:12}"
[[ $(grep -c 'install  +' "$WORK/out") == 3 ]] || fail "plan: 3 installs expected"
[[ -z "$(live 1)" ]] || fail "plan changed a host"
expect_exit 2 "$DAYBOOK" push manifests/app.toml
expect_in "$WORK/err" "not on a terminal: pass --yes"

expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes --output json
cp "$WORK/out" "$WORK/push1.json"
for n in 1 2 3; do
  [[ "$(live $n)" == "$v1" ]] || fail "agent-$n is not on v1"
  [[ "$(cat "$WORK/agent-$n/root/srv/app/current/VERSION")" == 1.0 ]] || fail "agent-$n VERSION"
  [[ "$(cat "$WORK/agent-$n/hooks.log")" == "$v1" ]] || fail "agent-$n hook"
done
first_bytes=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["hosts"][0]["shipped"][0]["bytes"])' "$WORK/push1.json")

# The journal: begin, a signed result per host, end; it verifies.
expect_exit 0 "$DAYBOOK" journal show --output json
python3 - "$WORK/out" "$v1" <<'PY' || fail "journal records of the push"
import json, sys
records = json.load(open(sys.argv[1]))["records"]
types = [r["type"] for r in records]
assert types[-5:] == ["intervention.begin"] + ["host.result"] * 3 + ["intervention.end"], types
begin, end = records[-5], records[-1]
assert begin["manifest"]["path"] == "manifests/app.toml" and len(begin["manifest"]["commit"]) == 40, begin
assert begin["ticket"] == "CHG-1" and begin["deploys"][0]["commit"] == sys.argv[2], begin
for r in records[-4:-1]:
    assert r["status"] == "ok" and r["agent"]["response"]["deploys"][0]["to"] == sys.argv[2], r
    assert r["agent"]["response"]["intervention"] == begin["intervention"], r
    # The agent's signed answer is bound to its host and to this begin record (issue 14).
    assert r["agent"]["response"]["host"] == r["host"] and r["begin_seq"] == begin["seq"], r
    assert len(r["agent"]["response"]["begin"]) == 64, r
    assert r["deploys"][0]["verified"] is True and len(r["deploys"][0]["tree"]) == 40, r
assert end["outcome"] == "completed", end
PY
expect_exit 0 "$DAYBOOK" journal verify --require-sealed

# A one-file change ships only the delta.
echo "patched" > "$WORK/app/src/f7.txt"
v2=$(app_commit 2.0 200)
write_manifest v2.0
expect_exit 0 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/out" "update"
expect_in "$WORK/out" "+0 ~3 -0"
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes --output json
changed=0
for o in "$v2" "$v2^{tree}" "$v2^{tree}:src" "$v2:src/f7.txt" "$v2:VERSION" "$v2^{tree}:bin" "$v2:bin/start"; do
  changed=$((changed + $(git -C "$WORK/app" cat-file -s "$o")))
done
python3 - "$WORK/out" "$changed" "$first_bytes" <<'PY' || fail "delta pack size"
import json, sys
d = json.load(open(sys.argv[1]))
for h in d["hosts"]:
    s = h["shipped"][0]
    assert s["objects"] == 7 and s["bytes"] <= 2 * int(sys.argv[2]), (s, sys.argv[2])
    assert s["bytes"] * 20 < int(sys.argv[3]), (s, sys.argv[3])
    assert h["deploys"][0]["changes"] == {"added": 0, "changed": 3, "removed": 0}, h
PY
for n in 1 2 3; do [[ "$(live $n)" == "$v2" ]] || fail "agent-$n is not on v2"; done

# Status: identical trees; then drift on one host is seen, listed, and repaired by a push.
expect_exit 0 "$DAYBOOK" status
[[ $(grep -c " yes " "$WORK/out") == 3 ]] || fail "status: 3 identical expected"
expect_in "$WORK/out" "all hosts identical, no drift"
echo "hotfix" > "$WORK/agent-2/root/srv/app/current/VERSION"
touch "$WORK/agent-2/root/srv/app/current/stray"
expect_exit 1 "$DAYBOOK" status --verbose
expect_in "$WORK/out" "agent-2 app: ~ VERSION"
expect_in "$WORK/out" "agent-2 app: + stray"
grep -q "^agent-2 .* NO (drift) " "$WORK/out" || fail "status: a drifted host is not reported as not identical"
expect_in "$WORK/out" "attention: drift (1)"
expect_exit 1 "$DAYBOOK" status --output json
python3 - "$WORK/out" <<'PY' || fail "status json"
import json, sys
d = json.load(open(sys.argv[1]))
by = {h["host"]: h["deploys"][0] for h in d["hosts"]}
assert by["agent-2"]["drift"]["identical"] is False and by["agent-2"]["drift"]["modified"] == ["VERSION"], by
assert by["agent-1"]["identical"] is True and by["agent-1"]["drift"]["identical"] is True, by
assert by["agent-2"]["identical"] is False, by
assert d["clean"] is False and d["problems"] == {"drift": 1}, d
PY
expect_exit 0 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/out" "repair"
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes -q
[[ -z "$(grep -v '^daybook: ' "$WORK/err")" ]] || { fail "push -q printed progress"; cat "$WORK/err" >&2; }
expect_in "$WORK/out" "repaired"
expect_in "$WORK/out" "unchanged"
[[ "$(cat "$WORK/agent-2/root/srv/app/current/VERSION")" == 2.0 ]] || fail "drift not repaired"
expect_exit 0 "$DAYBOOK" status

# Rollback to the last known good, then forward to a named release.
expect_exit 0 "$DAYBOOK" rollback app --target all --yes
for n in 1 2 3; do [[ "$(live $n)" == "$v1" ]] || fail "agent-$n did not roll back"; done
expect_exit 0 "$DAYBOOK" rollback app --target agent-1 --to "${v2:0:10}" --yes
[[ "$(live 1)" == "$v2" ]] || fail "agent-1 did not go to v2"
expect_exit 1 "$DAYBOOK" rollback app --target agent-1 --to deadbeef --yes
expect_in "$WORK/out" "release deadbeef is not on this host"
expect_exit 0 "$DAYBOOK" journal show --type intervention.begin --output json
expect_in "$WORK/out" '"rollback":{"deploy":"app"'

# keep = 2: a third release prunes the oldest, never the live or last-good one.
v3=$(app_commit 3.0 200)
write_manifest v3.0
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes --target agent-1
releases=$(ls "$WORK/agent-1/root/srv/app/releases" | sort | tr '\n' ' ')
expected=$(printf '%s\n' "$v2" "$v3" | sort | tr '\n' ' ')
[[ "$releases" == "$expected" ]] || fail "agent-1 keeps [$releases], wanted [$expected]"

expect_exit 0 "$DAYBOOK" journal verify --require-sealed
finish
