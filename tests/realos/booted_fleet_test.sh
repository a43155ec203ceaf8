#!/usr/bin/env bash
# Day 0 on booted Debian 12 systems: three containers booted with
# systemd-nspawn (systemd, journald, OpenSSH inside), enrolled by `daybook
# bootstrap` from the built .deb over the operator's own ssh; then a real
# security patch from bookworm-security, a code release with a canary, a
# rolling reboot that really restarts each container (a new boot id) with
# the agent back under systemd, an upgrade of the agent package through
# bootstrap (host keys kept), and `journal verify` at the end. The host's
# package state is checked untouched.
#   booted_fleet_test.sh DAYBOOK AGENT SOURCE_DIR BUILD_DIR
# Label realos (ctest -L realos, `make realos`): needs root, the mirror,
# systemd-nspawn (scripts/install-deps installs systemd-container).
[[ -n "${REALOS_NS:-}" ]] || exec env REALOS_NS=1 unshare --mount --propagation private -- bash "$0" "$@"
BUILD=$4
source "$(dirname "$0")/../e2e/lib.sh" "$1" "$2" "$3"
source "$SOURCE_DIR/tests/realos/realos_lib.sh"
source "$SOURCE_DIR/tests/realos/booted_lib.sh"
[[ -n "$MIRROR" ]] || { echo "this machine's apt sources name no bookworm URI" >&2; exit 1; }
command -v systemd-nspawn > /dev/null || { echo "no systemd-nspawn: run scripts/install-deps" >&2; exit 1; }
host_state=$SOURCE_DIR/tests/fixtures/host_package_state.sh
bash "$host_state" record "$WORK/host-before"
started=$SECONDS

# The packages: this build's, and the same with Debian revision 2 (an upgrade).
for rev in 1 2; do
  (cd "$WORK" && cpack --config "$BUILD/CPackConfig.cmake" -D CPACK_DEBIAN_PACKAGE_RELEASE=$rev -B "$WORK/pkg$rev" \
    > "$WORK/cpack$rev.log" 2>&1) || { cat "$WORK/cpack$rev.log" >&2; fail "cpack"; finish; }
done
deb1=$(ls "$WORK"/pkg1/daybook-agent_*-1_*.deb) && deb2=$(ls "$WORK"/pkg2/daybook-agent_*-2_*.deb) || { fail "no .deb"; finish; }
v1=$(dpkg-deb -f "$deb1" Version) v2=$(dpkg-deb -f "$deb2" Version)
dpkg-deb --fsys-tarfile "$deb1" | tar -xO ./etc/daybook/agent.toml > "$WORK/agent.toml"

ssh-keygen -q -t ed25519 -N '' -C ops@example -f "$WORK/op"
booted_image "$WORK/image"
for n in 1 2 3; do booted_container "$n" "$WORK/image" "$WORK/agent.toml" "$WORK/op.pub"; done
rm -rf "$WORK/image"
booted_ssh_config "$WORK/op"
for n in 1 2 3; do booted_start "$n"; done
for n in 1 2 3; do booted_wait "$n" || finish; done
echo "realos: 3 containers booted ($((SECONDS - started)) s since the start, $(du -sh "$WORK" | cut -f1) in the work directory)"
boot_id() { booted_ssh "$1" cat /proc/sys/kernel/random/boot_id; }
for n in 1 2 3; do echo "$(boot_id $n)" > "$WORK/boot$n"; done

# The fleet: hosts c1-c3 with their ssh destinations, the operator allowed.
"$DAYBOOK" init "$WORK/fleet" > /dev/null || fail "init"
cd "$WORK/fleet"
sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$WORK/op\"|" daybook.toml
echo "ops@example $(cat "$WORK/op.pub")" >> allowed_signers
for n in 1 2 3; do
  printf '[hosts.c%s]\naddress = "127.0.0.1%s"\nssh = "ssh://root@127.0.0.1%s:%s"\n\n' "$n" "$n" "$n" "$BOOTED_SSH_PORT"
done > inventory/hosts.toml
rm -f manifests/example.toml
git add -A && git commit -qm "fleet" || fail "fleet commit"
export DAYBOOK_SSH_COMMAND="ssh -F $WORK/ssh_config"
unset SSH_AUTH_SOCK

# 1. Enroll the three hosts.
t=$SECONDS
expect_exit 0 "$DAYBOOK" bootstrap --package "$deb1" --yes --output json
echo "realos: bootstrap of 3 hosts: $((SECONDS - t)) s"
cp "$WORK/out" "$WORK/bootstrap1.json"
python3 - "$WORK/bootstrap1.json" "$v1" <<'PY' || fail "bootstrap report"
import json, sys
doc = json.load(open(sys.argv[1]))
hosts = doc["hosts"]
assert len(hosts) == 3 and all(h["status"] == "ok" and h["action"] == "installed" and h["to"] == sys.argv[2] for h in hosts), hosts
assert all(h["host_key"].startswith("SHA256:") for h in hosts) and doc["accepted_host_keys"] == 3, doc
PY
[[ $(grep -c ssh-ed25519 inventory/known_hosts) -eq 3 ]] || fail "known_hosts does not pin 3 agent keys"
for n in 1 2 3; do
  grep -qF "[127.0.0.1$n]:7022 $(booted_ssh $n daybook-agent --print-host-key | cut -d' ' -f1,2)" inventory/known_hosts ||
    fail "c$n: the pinned key is not the agent's"
  [[ "$(booted_ssh $n systemctl is-active daybook-agent)" == active ]] || fail "c$n: the agent is not active under systemd"
  [[ "$(booted_ssh $n systemctl is-enabled daybook-agent)" == enabled ]] || fail "c$n: the agent is not enabled"
  booted_ssh $n cat /etc/daybook/authorized_operators | grep -q "$(cut -d' ' -f2 "$WORK/op.pub")" || fail "c$n: operator not authorized"
  booted_ssh $n journalctl -u daybook-agent --no-pager | grep -q 'listening on 127.0.0.1' || fail "c$n: no listening line in journald"
done
git add inventory/known_hosts && git commit -qm "pin the agents" || fail "pin commit"
rss_idle=$(booted_rss 1)

# 2. Idempotent: nothing to install, nothing new pinned.
expect_exit 0 "$DAYBOOK" bootstrap --package "$deb1" --yes --output json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(h["action"]=="unchanged" for h in d["hosts"]) and d["accepted_host_keys"]==0, d' \
  "$WORK/out" || fail "a second bootstrap was not a no-op"
git diff --quiet -- inventory/known_hosts || fail "a second bootstrap changed inventory/known_hosts"

# 3. A real security patch from bookworm-security.
pending=$(booted_ssh 1 'apt list --upgradable 2>/dev/null | grep -c -- -security' || true)
printf '[manifest]\nname = "security"\ntargets = "all"\nticket = "CHG-1"\n\n[patch]\npolicy = "security"\nreboot = "never"\n\n[rollout]\ncanary = 1\nbatch = 2\ntimeout = "30m"\n' \
  > manifests/security.toml
git add -A && git commit -qm "security" || fail "commit"
t=$SECONDS
expect_exit 0 "$DAYBOOK" push manifests/security.toml --yes --output json
echo "realos: security push, $pending pending per host: $((SECONDS - t)) s"
for n in 1 2 3; do
  left=$(booted_ssh $n 'apt list --upgradable 2>/dev/null | grep -c -- -security' || true)
  [[ "$left" -eq 0 ]] || fail "c$n: $left security updates left after the push"
  [[ -z "$(booted_ssh $n "dpkg-query -W -f='\${db:Status-Abbrev}\n' | grep -v '^ii'")" ]] || fail "c$n: packages not ii"
done
rss_push=$(booted_rss 1)

# 4. A code release with a canary: the same tree on every host.
git init -q "$WORK/app" && echo "v1" > "$WORK/app/VERSION" && git -C "$WORK/app" add -A && git -C "$WORK/app" commit -qm v1
printf '[manifest]\nname = "app"\ntargets = "all"\n\n[[deploy]]\nname = "app"\nrepo = "%s"\nref = "HEAD"\npath = "/srv/app"\nkeep = 3\n\n[rollout]\ncanary = 1\nbatch = 2\ntimeout = "5m"\n' \
  "$WORK/app" > manifests/app.toml
git add -A && git commit -qm "app" || fail "commit"
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
for n in 1 2 3; do [[ "$(booted_ssh $n cat /srv/app/current/VERSION)" == v1 ]] || fail "c$n: release not live"; done
expect_exit 0 "$DAYBOOK" status --output json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["hosts"]) == 3, d' "$WORK/out" || fail "status"

# 5. A rolling reboot: each container really restarts (new boot id), the
# agent comes back under systemd.
sed -e 's/name = "security"/name = "reboot"/' -e 's/reboot = "never"/reboot = "always"/' manifests/security.toml > manifests/reboot.toml
git add -A && git commit -qm "reboot" || fail "commit"
t=$SECONDS
expect_exit 0 "$DAYBOOK" push manifests/reboot.toml --yes
echo "realos: rolling reboot of 3 hosts: $((SECONDS - t)) s"
for n in 1 2 3; do
  booted_wait "$n"
  [[ "$(boot_id $n)" != "$(cat "$WORK/boot$n")" ]] || fail "c$n: same boot id after the reboot"
  [[ "$(booted_ssh $n systemctl is-active daybook-agent)" == active ]] || fail "c$n: the agent did not come back"
done
grep -q "exited 133" "$WORK/c1.console" || fail "c1 never rebooted (no exit 133)"
expect_exit 0 "$DAYBOOK" ping

# 6. The package's upgrade while a release is in flight on c1 (its after
# hook sleeps): the old agent finishes that session before it stops
# (systemctl restart, SIGTERM drains), the new one starts with the same key.
# Done with apt on c1 itself: a bootstrap would wait for the push's journal
# lock. Then bootstrap upgrades c2 and c3 and finds c1 current.
echo "v2" > "$WORK/app/VERSION" && git -C "$WORK/app" commit -qam v2
sed -e 's/^targets = "all"/targets = "c1"/' -e 's|^keep = 3|keep = 3\nafter = ["/bin/sleep", "6"]|' manifests/app.toml > manifests/app-slow.toml
git add -A && git commit -qm "app v2, slow hook" || fail "commit"
"$DAYBOOK" push manifests/app-slow.toml --yes > "$WORK/slow.out" 2>&1 &
slow=$!
for _ in $(seq 1 150); do booted_ssh 1 'pgrep -x sleep' > /dev/null 2>&1 && break; sleep 0.2; done
booted_ssh 1 'pgrep -x sleep' > /dev/null 2>&1 || fail "the release's after hook never ran on c1"
booted_ssh 1 'cat > /tmp/agent.deb && DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confold /tmp/agent.deb' \
  < "$deb2" > "$WORK/c1-upgrade.log" 2>&1 || { tail -20 "$WORK/c1-upgrade.log" >&2; fail "apt upgrade of c1's agent"; }
wait "$slow" || { fail "the release in flight during the upgrade failed"; cat "$WORK/slow.out" >&2; }
[[ "$(booted_ssh 1 cat /srv/app/current/VERSION)" == v2 ]] || fail "c1: the release in flight did not land"
expect_exit 0 "$DAYBOOK" bootstrap --package "$deb2" --yes --output json
python3 - "$WORK/out" "$v1" "$v2" <<'PY' || fail "upgrade report"
import json, sys
doc = json.load(open(sys.argv[1]))
hosts = {h["host"]: h for h in doc["hosts"]}
assert hosts["c1"]["status"] == "ok" and hosts["c1"]["action"] == "unchanged" and hosts["c1"]["to"] == sys.argv[3], doc
assert all(hosts[c]["status"] == "ok" and hosts[c]["action"] == "upgraded" and hosts[c]["from"] == sys.argv[2] and
           hosts[c]["to"] == sys.argv[3] for c in ("c2", "c3")), doc
assert doc["accepted_host_keys"] == 0, doc
PY
git diff --quiet -- inventory/known_hosts || fail "the upgrade re-pinned a key (known_hosts changed)"
for n in 1 2 3; do [[ "$(booted_ssh $n dpkg-query -W -f='\${Version}' daybook-agent)" == "$v2" ]] || fail "c$n: not upgraded"; done
expect_exit 0 "$DAYBOOK" ping

# An older package never downgrades: the hosts keep theirs, still enrolled.
expect_exit 0 "$DAYBOOK" bootstrap --package "$deb1" --yes --output json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(h["status"]=="ok" and h["action"]=="kept-newer" and h["to"]==sys.argv[2] for h in d["hosts"]), d' \
  "$WORK/out" "$v2" || fail "an older package downgraded or failed"

# 7. Out-of-band access (issue 19): a plain ssh login with a key, as a user
# of the host, then sudo, both outside daybook. The agent reads them from
# journald; `access collect` journals them with the user and the key's
# fingerprint, and the report calls them unexplained (no intervention open).
ssh-keygen -q -t ed25519 -N '' -C alice@laptop -f "$WORK/alice"
alice_fp=$(ssh-keygen -l -f "$WORK/alice.pub" | cut -d' ' -f2)
booted_ssh 1 'useradd -m -s /bin/bash alice && install -d -o alice -m 0700 ~alice/.ssh &&
  cat > ~alice/.ssh/authorized_keys && chown alice ~alice/.ssh/authorized_keys &&
  echo "alice ALL=(root) NOPASSWD: /usr/bin/id" > /etc/sudoers.d/alice' < "$WORK/alice.pub" || fail "c1: user alice"
[[ "$(ssh -F "$WORK/ssh_config" -i "$WORK/alice" -p "$BOOTED_SSH_PORT" alice@127.0.0.11 sudo -n /usr/bin/id -u)" == 0 ]] ||
  fail "c1: alice's ssh login and sudo"
# journald stores what it is sent a moment later, and the agent reads it
# within its polling interval (10 s): collect takes what is there by then.
for _ in $(seq 1 60); do
  booted_ssh 1 "grep -q '\"how\":\"sudo\"' /var/lib/daybook/access.jsonl" && break
  sleep 0.5
done
booted_ssh 1 "grep -q '\"how\":\"sudo\"' /var/lib/daybook/access.jsonl" ||
  { booted_ssh 1 'journalctl -o verbose --no-pager _COMM=sudo | grep -E "_UID|_EXE|_COMM|MESSAGE" | tail -8' >&2
    fail "c1: the agent did not read alice's sudo from journald in 30 s"; }
expect_exit 0 "$DAYBOOK" access collect --output json
python3 - "$WORK/out" <<'PY' || fail "access collect: every host, no gap, logins read from journald"
import json, sys
hosts = json.load(open(sys.argv[1]))["hosts"]
assert len(hosts) == 3 and all(h["error"] is None and not h["gaps"] and h["logins_note"] is None for h in hosts), hosts
PY
expect_exit 0 "$DAYBOOK" journal show --type host.access --host c1 --output json
python3 - "$WORK/out" "$alice_fp" <<'PY' || fail "alice's ssh login (with her key) and her sudo are in the journal"
import json, sys
fp = sys.argv[2]
lines = [json.loads(l) for r in json.load(open(sys.argv[1]))["records"] for l in r["agent"]["response"]["entries"]]
logins = [l for l in lines if l["event"] == "login"]
ssh = [l for l in logins if l["how"] == "ssh" and l["user"] == "alice"]
assert ssh and ssh[0]["key"] == "ED25519 " + fp and ssh[0]["source"].startswith("127.") and ssh[0]["method"] == "publickey", logins
sudo = [l for l in logins if l["how"] == "sudo" and l["user"] == "alice"]
assert sudo and sudo[0]["as"] == "root" and sudo[0]["command"] == "/usr/bin/id -u" and sudo[0]["outcome"] == "accepted", logins
assert any(l["how"] == "ssh" and l["user"] == "root" for l in logins), logins  # the operator's own root logins (bootstrap)
PY
expect_exit 0 "$DAYBOOK" report --output json
python3 - "$WORK/out" <<'PY' || fail "the report lists alice's accesses as unexplained"
import json, sys
c1 = {h["host"]: h for h in json.load(open(sys.argv[1]))["access"]["hosts"]}["c1"]
alice = [a for a in c1["accesses"] if a["who"] == "alice"]
assert len(alice) == 2 and all(a["covered_by"] is None for a in alice), c1
PY

# 8. The journal holds it all and verifies.
expect_exit 0 "$DAYBOOK" journal verify
expect_exit 0 "$DAYBOOK" journal show --output json
python3 - "$WORK/out" <<'PY' || fail "journal content"
import json, sys
records = json.load(open(sys.argv[1]))["records"]
types = [r["type"] for r in records]
assert types.count("host.key_pinned") == 3, types
begins = [r for r in records if r["type"] == "intervention.begin"]
assert sum(1 for r in begins if "bootstrap" in r) == 4, begins
ok = [r for r in records if r["type"] == "host.result" and r.get("bootstrap")]
assert len(ok) == 12 and all(r["status"] == "ok" and r.get("agent") for r in ok), ok
PY

for n in 1 2 3; do booted_stop "$n"; done
bash "$host_state" record "$WORK/host-after"
cmp -s "$WORK/host-before" "$WORK/host-after" || { diff "$WORK/host-before" "$WORK/host-after" >&2; fail "the host's package state changed"; }
echo "realos: agent RSS under systemd: ${rss_idle} KiB idle, ${rss_push} KiB after a push; whole test $((SECONDS - started)) s"
finish
