#!/usr/bin/env bash
# Security patching end to end with REAL dnf 4 and rpm (Debian's packages)
# in --installroot sandboxes (tests/fixtures/dnf_sandbox.sh): plan with the
# newest advisory's versions and the new dependency, push installs exactly
# that, a fully patched host plans and pushes clean, policy "all" with
# obsoletes, and a reboot that `dnf needs-restarting -r` asks for (boot id
# changes). The host's dnf and rpm state never changes.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"
command -v dnf > /dev/null && command -v rpmbuild > /dev/null || { fail "dnf and rpm are missing: run scripts/install-deps"; finish; }

# What dnf or rpm could write on the host: configuration, state, caches,
# logs, and the rpm databases (Debian's is ~/.rpmdb).
host_dnf_state() {
  local d
  for d in /etc/dnf /var/lib/dnf /var/cache/dnf /var/lib/rpm /root/.rpmdb "$HOME/.rpmdb" /var/log/dnf.log \
           /var/log/dnf.librepo.log /var/log/dnf.rpm.log /var/log/hawkey.log; do
    [[ -e "$d" ]] || { echo "absent $d"; continue; }
    find "$d" -printf '%p %y %s %T@\n' | sort
    find "$d" -type f -exec md5sum {} + | sort
  done
}
host_before=$(host_dnf_state)

t0=$(date +%s%N)
bash "$SOURCE_DIR/tests/fixtures/dnf_sandbox.sh" "$WORK/pkg" both || { fail "fixture"; finish; }
echo "fixture: $(( ($(date +%s%N) - t0) / 1000000 )) ms"

ssh-keygen -q -t ed25519 -N '' -C operator -f "$WORK/op"
cp "$WORK/op.pub" "$WORK/authorized_operators"
# Agents whose HOME is not /root: the backend pins the rpm database's HOME
# itself (Debian's rpm keeps it at ~/.rpmdb).
mkdir -p "$WORK/home"
AGENT_HOME="$WORK/home"
dnf_agent() { rebootable_agent "$1" "$2" $'package_backend = "dnf"\npatch_timeout = "2m"'; }
dnf_agent 1 "$WORK/pkg/root"
dnf_agent 2 "$WORK/pkg/root-nokernel"
rebootable_fleet rhel 2
manifest() {  # NAME TARGETS POLICY REBOOT
  printf '[manifest]\nname = "%s"\ntargets = "%s"\n\n[patch]\npolicy = "%s"\nreboot = "%s"\n\n[rollout]\ntimeout = "60s"\n' \
    "$1" "$2" "$3" "$4" > "manifests/$1.toml"
  git add -A && git commit -qm "$1" || fail "commit $1"
}
manifest security rhel-1 security never
manifest everything rhel-2 all if-required
# rpmq ROOT NAMES...: "name E:V-R;" per installed version (rpm -q exits 1
# for a name not installed, which is an answer here).
rpmq() { { rpm -q --root="$1" --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\n' "${@:2}" || true; } | tr '\n' ';'; }
# expect_row CELL|CELL|...: $WORK/out has a table row with these adjacent
# cells (cells are two or more spaces apart; widths follow the longest name).
expect_row() { sed 's/  \+/|/g' "$WORK/out" > "$WORK/rows"; expect_in "$WORK/rows" "$1"; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

expect_exit 0 "$DAYBOOK" ping --accept-new-host-keys
expect_in "$WORK/out" "demo 9"
git commit -qm "pin agents" inventory/known_hosts || fail "pin commit"  # fleet files come from a commit

# Plan: the newest advisory (1.0-10 sorts after 1.0-2), the advisory's
# version (not demo-ssl's newer 1:3.0-3), the new dependency, the kernel.
t=$(date +%s%N)
expect_exit 0 "$DAYBOOK" plan manifests/security.toml
echo "plan: $(ms "$t") ms"
expect_row "rhel-1|demo-lib|1.0-1|1.0-10|DEMOSA-2026:1005 Moderate CVE-2026-1005, DEMOSA-2026:1001 Important CVE-2026-1001 CVE-2026-1002|security"
expect_row "rhel-1|demo-ssl|1:3.0-1|1:3.0-2|DEMOSA-2026:1003 Low CVE-2026-1004|security"
expect_row "rhel-1|demo-newdep|(new)|1.0-1|demo|dependency"
expect_row "rhel-1|kernel|5.14.0-1|5.14.0-2|DEMOSA-2026:1004 Critical CVE-2026-1006|security"
expect_row "rhel-1|demo-nosev|1.0-1|1.0-2|DEMOSA-2026:1006 Unknown|security"
grep -q demo-tool "$WORK/out" && fail "a bugfix update is in a security plan"

# Push installs exactly that; the journal has every package, the new
# dependency included, and what needs-restarting named.
t=$(date +%s%N)
expect_exit 0 "$DAYBOOK" push manifests/security.toml --yes
echo "push: $(ms "$t") ms"
expect_in "$WORK/out" "ok: 7 upgraded"
got=$(rpmq "$WORK/pkg/root" demo-lib demo-ssl demo-newdep kernel demo-tool)
[[ "$got" == "demo-lib 0:1.0-10;demo-ssl 1:3.0-2;demo-newdep 0:1.0-1;kernel 0:5.14.0-1;kernel 0:5.14.0-2;demo-tool 0:1.0-1;" ]] \
  || fail "installed in the root: $got"
expect_exit 0 "$DAYBOOK" journal show --type host.result --output json
python3 - "$WORK/out" <<'PY' || fail "journal of the security push"
import json, sys
r = json.load(open(sys.argv[1]))["records"][-1]
assert r["status"] == "ok", r
v = {p["name"]: (p["before"], p["after"]) for p in r["packages"]}
assert v["demo-newdep"] == (None, "1.0-1"), v
assert v["demo-ssl"] == ("1:3.0-1", "1:3.0-2"), v
assert v["demo-lib"] == ("1.0-1", "1.0-10"), v
assert v["kernel"] == ("5.14.0-1", "5.14.0-1, 5.14.0-2"), v
o = r["agent"]["response"]["patch"]["outcome"]
assert o["reboot_required"] is True and "kernel" in o["reboot_packages"], o
PY

# A fully patched host: every advisory is "i " now. Plan and push are clean.
expect_exit 0 "$DAYBOOK" plan manifests/security.toml
expect_in "$WORK/out" "nothing to do"
expect_exit 0 "$DAYBOOK" push manifests/security.toml --yes
expect_in "$WORK/out" "ok: 0 upgraded"

# Policy all on the kernel-less root: newest versions, `from` filled, the
# obsoleting package with its removal; the patch installs demo-newdep,
# which needs-restarting.d names, so the agent reboots: a new boot id.
# Before: nothing in needs-restarting's list installed (not "cannot tell").
expect_exit 0 "$DAYBOOK" ping --target rhel-2 --output json
python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))["hosts"][0]["facts"]; assert f["reboot_required"] is False, f' \
  "$WORK/out" || fail "rhel-2 needs a reboot before its patch"
expect_exit 0 "$DAYBOOK" plan manifests/everything.toml
expect_row "rhel-2|demo-tool|1.0-1|1.1-1|demo|update"
expect_row "rhel-2|demo-ssl|1:3.0-1|1:3.0-3|DEMOSA-2026:1003 Low CVE-2026-1004|security"
expect_row "rhel-2|demo-renamed|(new)|2.0-1|demo|update"
expect_row "rhel-2|demo-old|-|(removed)|-|removal"
expect_exit 0 "$DAYBOOK" push manifests/everything.toml --yes
expect_in "$WORK/out" "rebooted"
[[ "$(cat "$WORK/agent-2/boot_id")" != boot-1-of-agent-2 ]] || fail "rhel-2 did not reboot"
got=$(rpmq "$WORK/pkg/root-nokernel" demo-tool demo-ssl demo-renamed demo-old)
[[ "$got" == "demo-tool 0:1.1-1;demo-ssl 1:3.0-3;demo-renamed 0:2.0-1;package demo-old is not installed;" ]] \
  || fail "installed in the nokernel root: $got"
expect_exit 0 "$DAYBOOK" journal show --type host.result --output json
python3 - "$WORK/out" <<'PY' || fail "journal of the reboot push"
import json, sys
r = json.load(open(sys.argv[1]))["records"][-1]
assert r["status"] == "ok", r
assert r["reboot"]["boot_id_before"] == "boot-1-of-agent-2" != r["reboot"]["boot_id_after"], r
v = {p["name"]: (p["before"], p["after"]) for p in r["packages"]}
assert v["demo-old"] == ("1.0-1", None) and v["demo-renamed"] == (None, "2.0-1"), v
o = r["agent"]["response"]["patch"]["outcome"]
assert o["reboot_required"] is True and o["reboot_packages"] == ["demo-newdep"], o
PY
expect_exit 0 "$DAYBOOK" plan manifests/everything.toml
expect_in "$WORK/out" "nothing to do"

# Two versions of one package installed (what an interrupted transaction
# leaves): a finding for plan and status, and push refuses, touching nothing.
old_tool=$(ls "$WORK"/pkg/repo/demo-tool-1.0-1.*.rpm)
HOME=/root rpm --root="$WORK/pkg/root-nokernel" -i --oldpackage --replacefiles "$old_tool" 2> /dev/null || fail "installing a duplicate"
expect_exit 1 "$DAYBOOK" plan manifests/everything.toml
expect_in "$WORK/out" "two versions of a package are installed (an interrupted transaction): demo-tool-1.0-1.x86_64 is a duplicate with demo-tool-1.1-1.x86_64"
expect_in "$WORK/out" "remove --duplicates"
expect_exit 1 "$DAYBOOK" status --target rhel-2
expect_in "$WORK/out" "BROKEN"
before_push=$(rpmq "$WORK/pkg/root-nokernel" demo-tool)
expect_exit 1 "$DAYBOOK" push manifests/everything.toml --yes
expect_in "$WORK/out" "broken package state, nothing was changed"
[[ "$(rpmq "$WORK/pkg/root-nokernel" demo-tool)" == "$before_push" ]] || fail "a push refused for broken package state changed the root"
HOME=/root rpm --root="$WORK/pkg/root-nokernel" -e --nodeps --justdb demo-tool-1.0-1 || fail "removing the duplicate"
expect_exit 0 "$DAYBOOK" plan manifests/everything.toml
expect_in "$WORK/out" "nothing to do"
expect_exit 0 "$DAYBOOK" journal verify --require-sealed

[[ "$(host_dnf_state)" == "$host_before" ]] || { fail "the host's dnf/rpm state changed"; diff <(echo "$host_before") <(host_dnf_state) >&2; }
echo "scenario: $(ms "$t0") ms"
finish
