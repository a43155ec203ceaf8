# One commit for everything (issue 15): push, plan and rollback read the
# inventory, inventory/known_hosts, allowed_signers and daybook.toml from the
# commit they record in intervention.begin, and refuse (exit 2, naming the
# files) a working tree that differs, before any host is contacted. A saved
# plan made before a commit that changed those files is refused as stale.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"

make_fleet 2
printf '[groups.worker]\nhosts = ["agent-1"]\n' > inventory/groups.toml
git add inventory && git commit -qm "group worker"
v1=$(app_commit 1.0 5)
write_manifest v1.0 /srv/app none 2 group:worker
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
[[ "$(live 1)" == "$v1" ]] || fail "agent-1 is not on v1"
[[ -z "$(live 2)" ]] || fail "agent-2 is not in group:worker"
# docs/journal.md's stock-OpenSSH check of an operator signature, as written.
(
  set -e
  line=$(grep -m1 '"type":"intervention.begin"' journal/records.jsonl)
  who=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["principal"])' "$line")
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); open("sig","w").write(r.pop("op_sig"));
sys.stdout.write(json.dumps(r, sort_keys=True, separators=(",",":"), ensure_ascii=False))' "$line" > msg
  ssh-keygen -Y verify -f allowed_signers -I "$who" -n daybook-journal@v1 -s sig < msg > "$WORK/sshsig.out" 2>&1
  rm -f sig msg
) || { fail "the stock-OpenSSH recipe of docs/journal.md does not verify"; cat "$WORK/sshsig.out" >&2; }
# The journal lives beside the repository (git-ignored): a push leaves it clean.
[[ -d journal ]] || fail "no journal/ after a push"
[[ -z "$(git status --porcelain)" ]] || { fail "a push left the fleet repository dirty"; git status --porcelain >&2; }
expect_exit 0 "$DAYBOOK" journal show --type intervention.begin --output json
python3 - "$WORK/out" "$(git rev-parse HEAD)" <<'PY' || fail "the begin record names the fleet commit"
import json, sys
begin = json.load(open(sys.argv[1]))["records"][-1]
assert begin["fleet"] == {"commit": sys.argv[2]}, begin
assert begin["manifest"]["commit"] == sys.argv[2], begin
PY

sessions() { cat "$WORK"/agent-*/log | grep -c 'session peer=' || true; }
records() { wc -l < journal/records.jsonl; }

# An uncommitted edit that widens the group: refused, named, nobody contacted.
v2=$(app_commit 2.0 5)
write_manifest v2.0 /srv/app none 2 group:worker
sed -i 's/hosts = \["agent-1"\]/hosts = ["agent-1", "agent-2"]/' inventory/groups.toml
before=$(sessions) journaled=$(records)
expect_exit 2 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/err" "the fleet's working tree differs from HEAD ("
expect_in "$WORK/err" "inventory/groups.toml (modified)"
expect_exit 2 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/err" "inventory/groups.toml (modified)"
expect_exit 2 "$DAYBOOK" rollback app --target group:worker --yes
expect_in "$WORK/err" "inventory/groups.toml (modified)"
[[ "$(sessions)" == "$before" ]] || fail "a host was contacted ($before sessions before, $(sessions) after)"
[[ "$(records)" == "$journaled" ]] || fail "something was journaled"
[[ -z "$(live 2)" ]] || fail "agent-2 got the release"
git checkout -q inventory/groups.toml

# An untracked inventory file and an edited daybook.toml: both named at once.
printf '[groups.extra]\nhosts = ["agent-2"]\n' > inventory/extra.toml
echo '# note' >> daybook.toml
expect_exit 2 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/err" "daybook.toml (modified), inventory/extra.toml (untracked)"
rm inventory/extra.toml && git checkout -q daybook.toml

# A re-pinned host key that was never committed: agent-2 gets a new key, the
# operator accepts it; ping says to commit it, and until then push refuses.
rm -f "$WORK/agent-2/state/host_key"
restart_agent 2
sed -i "/\]:${PORTS[2]} /d" inventory/known_hosts
expect_exit 0 "$DAYBOOK" ping --accept-new-host-keys --target agent-2
expect_in "$WORK/err" "1 new host key(s) pinned in inventory/known_hosts and journaled"
expect_in "$WORK/err" "Commit it now (git add inventory/known_hosts && git commit)"
before=$(sessions)
expect_exit 2 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/err" "inventory/known_hosts (modified)"
[[ "$(sessions)" == "$before" ]] || fail "a host was contacted with an uncommitted pin"
git add inventory/known_hosts && git commit -qm "re-pin agent-2"
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
[[ "$(live 1)" == "$v2" ]] || fail "agent-1 is not on v2"
expect_exit 0 "$DAYBOOK" journal verify

# A saved plan, then a commit that changes the inventory: the plan is stale
# (exit 2, both commits named, re-plan), nobody contacted, nothing journaled.
expect_exit 0 "$DAYBOOK" plan manifests/app.toml --save "$WORK/plan.json"
planned=$(git rev-parse --short=12 HEAD)
sed -i 's/hosts = \["agent-1"\]/hosts = ["agent-1", "agent-2"]/' inventory/groups.toml
git add inventory && git commit -qm "widen worker"
before=$(sessions) journaled=$(records)
expect_exit 2 "$DAYBOOK" push manifests/app.toml --plan "$WORK/plan.json" --yes
expect_in "$WORK/err" "the plan is stale: it was made at commit $planned, and HEAD ($(git rev-parse --short=12 HEAD)) has changed the fleet files since: inventory/groups.toml (modified)"
expect_in "$WORK/err" "Run \`daybook plan manifests/app.toml --save $WORK/plan.json\` again"
grep -q "working tree differs" "$WORK/err" && fail "a stale plan is reported as a working tree that differs"
[[ "$(sessions)" == "$before" ]] || fail "a host was contacted for a stale plan"
[[ "$(records)" == "$journaled" ]] || fail "something was journaled for a stale plan"
finish
