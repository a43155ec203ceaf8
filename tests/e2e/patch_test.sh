#!/usr/bin/env bash
# Security patching end to end with real apt and dpkg in sandbox roots
# (tests/fixtures/apt_sandbox.sh; the agent runs apt chrooted in them):
# plan, push with a reboot that restarts the agent under a new boot id, the
# journal of before/after versions, a failing postinst, refusals, the
# broken package state it leaves (a finding: plan, status and push say what
# to do, push touches nothing), a reboot-only manifest (policy none, reboot
# always). The host's own dpkg database never changes (and ctest's
# host_package_state fixture checks its dpkg, debconf and apt state).
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"
host_status=$(md5sum /var/lib/dpkg/status)
ssh-keygen -q -t ed25519 -N '' -C operator -f "$WORK/op"
cp "$WORK/op.pub" "$WORK/authorized_operators"

# patch_agent N [broken]: agent-N on an apt sandbox root (rebootable_agent).
patch_agent() {
  bash "$SOURCE_DIR/tests/fixtures/apt_sandbox.sh" "$WORK/agent-$1/pkg" ${2:-} || fail "fixture for agent-$1"
  rebootable_agent "$1" "$WORK/agent-$1/pkg/root" $'package_backend = "apt"\nlock_timeout = "2s"'
}
patch_agent 1
patch_agent 2 broken
rebootable_fleet agent 2
patch_manifest() {  # TARGETS EXTRA_PATCH_LINES
  printf '[manifest]\nname = "security"\ntargets = "%s"\n\n[patch]\npolicy = "security"\nreboot = "if-required"\n%s\n\n[rollout]\ntimeout = "30s"\n' "$1" "${2:-}" \
    > manifests/security.toml
  git add -A && git commit -qm "security manifest" || fail "commit"
}
patch_manifest agent-1
expect_exit 0 "$DAYBOOK" ping --accept-new-host-keys
git commit -qm "pin agents" inventory/known_hosts

# Plan: every package of the transaction, why; what is left out, why.
expect_exit 0 "$DAYBOOK" plan manifests/security.toml
expect_in "$WORK/out" "patch: policy security, reboot if-required"
expect_in "$WORK/out" "libdemo      1.0-1  1.0-2  Demo-Security:bookworm-security  security"
expect_in "$WORK/out" "demo-newdep  (new)  1.0-1  Demo:bookworm                    dependency"
expect_in "$WORK/out" "skipped: not a security update (Demo:bookworm): o=Demo,l=Demo,a=bookworm,n=bookworm is not in the agent's security_origins"
expect_exit 0 "$DAYBOOK" status --target agent-1
expect_in "$WORK/out" " 3 "  # pending security updates: libdemo, demo-app, demo-reboot

# Refusals: a dependency from another origin when that is not allowed.
patch_manifest agent-1 'allow_other_origins = false'
expect_exit 1 "$DAYBOOK" plan manifests/security.toml
expect_in "$WORK/out" "allow_other_origins = false refuses: demo-newdep 1.0-1 (Demo:bookworm)"
expect_exit 1 "$DAYBOOK" push manifests/security.toml --yes
[[ "$(cat "$WORK/agent-1/boot_id")" == boot-1-of-agent-1 ]] || fail "a refused patch rebooted"
patch_manifest agent-1

# Push: upgrade, reboot (postinst flagged it), back with a new boot id.
expect_exit 0 "$DAYBOOK" push manifests/security.toml --yes
expect_in "$WORK/out" "ok: 4 upgraded, rebooted"
[[ "$(cat "$WORK/agent-1/boot_id")" != boot-1-of-agent-1 ]] || fail "agent-1 did not reboot"
v=$(dpkg-query --admindir="$WORK/agent-1/pkg/root/var/lib/dpkg" -W -f='${Version}' libdemo)
[[ "$v" == 1.0-2 ]] || fail "libdemo is $v in the sandbox"
expect_exit 0 "$DAYBOOK" journal show --type host.result --output json
python3 - "$WORK/out" <<'PY' || fail "journal of the patch"
import json, sys
r = json.load(open(sys.argv[1]))["records"][-1]
assert r["status"] == "ok", r
versions = {p["name"]: (p["before"], p["after"]) for p in r["packages"]}
assert versions["libdemo"] == ("1.0-1", "1.0-2") and versions["demo-newdep"] == (None, "1.0-1"), versions
assert r["reboot"]["boot_id_before"] == "boot-1-of-agent-1" and r["reboot"]["boot_id_after"] != "boot-1-of-agent-1", r
assert r["agent"]["response"]["patch"]["plan"]["skipped"][0]["name"] == "demo-tool", r
PY
expect_exit 0 "$DAYBOOK" journal verify --require-sealed
# The root's own apt hook ran in the root, not on the host.
hook=$(cat "$WORK/agent-1/pkg/hook-name")
[[ -e "$WORK/agent-1/pkg/root/tmp/$hook" ]] || fail "the root's apt hook did not run in the root"
[[ ! -e "/tmp/$hook" ]] || fail "the root's apt hook ran on the host"

# A package whose postinst fails: the host fails with dpkg's message; nothing reboots.
patch_manifest agent-2
expect_exit 1 "$DAYBOOK" push manifests/security.toml --yes
expect_in "$WORK/out" "demo-broken"
[[ "$(cat "$WORK/agent-2/boot_id")" == boot-1-of-agent-2 ]] || fail "a failed patch rebooted"
expect_exit 0 "$DAYBOOK" journal show --type intervention.end --output json
expect_in "$WORK/out" '"outcome":"halted"'
expect_in "$WORK/out" '"reason":"1 host(s) failed (agent-2), more than max_failures allows (0)"'

# That left demo-broken half-configured: plan and status say so and what to
# do; push refuses before anything runs, even with demo-broken excluded
# (apt would first finish configuring it, running its postinst).
expect_exit 1 "$DAYBOOK" plan manifests/security.toml
expect_in "$WORK/out" "packages not fully installed: demo-broken (half-configured)"
expect_in "$WORK/out" "dpkg --configure -a"
expect_exit 1 "$DAYBOOK" status --target agent-2
expect_in "$WORK/out" "BROKEN"
expect_in "$WORK/out" "agent-2: packages not fully installed: demo-broken (half-configured): run \`bwrap --bind $WORK/agent-2/pkg/root / --dev /dev --proc /proc --unshare-pid --unshare-net --die-with-parent dpkg --configure -a\`"
root2="$WORK/agent-2/pkg/root"
touched=$(md5sum "$root2/var/lib/dpkg/status" "$root2/var/log/dpkg.log" "$root2/var/lib/apt/extended_states" 2> /dev/null; ls -l --time-style=+%s.%N "$root2/var/lib/apt/lists")
patch_manifest agent-2 'exclude = ["demo-broken"]'
expect_exit 1 "$DAYBOOK" push manifests/security.toml --yes
expect_in "$WORK/out" "broken package state, nothing was changed"
[[ "$(md5sum "$root2/var/lib/dpkg/status" "$root2/var/log/dpkg.log" "$root2/var/lib/apt/extended_states" 2> /dev/null; ls -l --time-style=+%s.%N "$root2/var/lib/apt/lists")" == "$touched" ]] \
  || fail "a push refused for broken package state touched the root"
[[ "$(cat "$WORK/agent-2/boot_id")" == boot-1-of-agent-2 ]] || fail "a refused patch rebooted"

# A reboot-only manifest (a rolling reboot): policy none, reboot always.
printf '[manifest]\nname = "reboot"\ntargets = "agent-1"\n\n[patch]\npolicy = "none"\nreboot = "always"\n\n[rollout]\ntimeout = "30s"\n' > manifests/reboot.toml
git add -A && git commit -qm "reboot manifest" || fail "commit"
expect_exit 0 "$DAYBOOK" plan manifests/reboot.toml
booted=$(cat "$WORK/agent-1/boot_id")
expect_exit 0 "$DAYBOOK" push manifests/reboot.toml --yes
expect_in "$WORK/out" "ok: 0 upgraded, rebooted"
[[ "$(cat "$WORK/agent-1/boot_id")" != "$booted" ]] || fail "policy none with reboot always did not reboot"

# A sandbox agent whose configuration names no reboot_command never runs
# the default (systemctl reboot would reboot this machine): the host fails,
# saying why, and nothing reboots.
restart_agent1() {
  kill "$(cat "$WORK/agent-1/pid")"; while kill -0 "$(cat "$WORK/agent-1/pid")" 2> /dev/null; do sleep 0.1; done
  "$AGENT" --config "$WORK/agent-1/agent.toml" > "$WORK/agent-1/out" 2>> "$WORK/agent-1/log" &
  echo $! > "$WORK/agent-1/pid"
  for _ in $(seq 1 100); do grep -q '^listening on ' "$WORK/agent-1/out" 2> /dev/null && break; sleep 0.05; done
}
cp "$WORK/agent-1/agent.toml" "$WORK/agent-1/agent.toml.keep"
sed -i '/^reboot_command/d' "$WORK/agent-1/agent.toml"
restart_agent1
booted=$(cat "$WORK/agent-1/boot_id")
# plan says so first: the push would fail there.
expect_exit 1 "$DAYBOOK" plan manifests/reboot.toml
expect_in "$WORK/out" "REFUSED"
expect_in "$WORK/out" "note: agent-1: the push would fail here: not rebooting: this agent's root is a sandbox"
expect_exit 1 "$DAYBOOK" push manifests/reboot.toml --yes
expect_in "$WORK/out" "not rebooting: this agent's root is a sandbox"
[[ "$(cat "$WORK/agent-1/boot_id")" == "$booted" ]] || fail "a sandbox agent without reboot_command rebooted"
# Nor when its configuration names the host's default explicitly (a copy of
# the packaged agent.toml).
echo 'reboot_command = ["systemctl", "reboot"]' >> "$WORK/agent-1/agent.toml"
restart_agent1
expect_exit 1 "$DAYBOOK" push manifests/reboot.toml --yes
expect_in "$WORK/out" "its reboot_command is systemctl reboot, which would reboot this host: set a reboot_command of the sandbox's own"
[[ "$(cat "$WORK/agent-1/boot_id")" == "$booted" ]] || fail "a sandbox agent with reboot_command = systemctl reboot rebooted"

# A reboot command that fails after the answer announced the reboot: the
# agent keeps the failure and its facts carry it, so the host fails with
# the command's own words instead of waiting out the timeout for a boot
# that is not coming.
printf '#!/bin/sh\necho "no reboot here" >&2\nexit 3\n' > "$WORK/agent-1/fail-reboot.sh"
chmod +x "$WORK/agent-1/fail-reboot.sh"
sed -i '/^reboot_command/d' "$WORK/agent-1/agent.toml"
echo "reboot_command = [\"$WORK/agent-1/fail-reboot.sh\"]" >> "$WORK/agent-1/agent.toml"
restart_agent1
expect_exit 1 "$DAYBOOK" push manifests/reboot.toml --yes
expect_in "$WORK/out" "the host did not reboot: reboot command exit 3: no reboot here"
grep -q "did not come back" "$WORK/out" && fail "a failed reboot command was reported as a host that did not come back"
# The journal's detail joins its parts with one "; ", none dangling.
expect_exit 0 "$DAYBOOK" journal show --type host.result
grep -q ';;\|; *$' "$WORK/out" && fail "journal show details have an empty part"
expect_in "$WORK/out" "; the host did not reboot: reboot command exit 3: no reboot here"
# ...and status and ping show it until the host does reboot.
expect_exit 1 "$DAYBOOK" status --target agent-1
expect_in "$WORK/out" "asked for did not happen: reboot command exit 3: no reboot here"
expect_in "$WORK/out" "attention: failed reboots (1)"
expect_exit 0 "$DAYBOOK" ping --target agent-1
expect_in "$WORK/out" "FAILED"
[[ "$(cat "$WORK/agent-1/boot_id")" == "$booted" ]] || fail "the failed reboot command rebooted"
cp "$WORK/agent-1/agent.toml.keep" "$WORK/agent-1/agent.toml"
restart_agent1

# A host that comes back from its reboot with another host key fails at
# once with the host-key message, not after the whole timeout.
rm "$WORK/agent-1/state/host_key"   # the agent makes a new one when it starts again
expect_exit 1 "$DAYBOOK" push manifests/reboot.toml --yes
expect_in "$WORK/out" "after the reboot: host key: REMOTE HOST IDENTIFICATION HAS CHANGED for"
grep -q "did not come back" "$WORK/out" && fail "a changed host key was reported as a host that did not come back"

[[ "$(md5sum /var/lib/dpkg/status)" == "$host_status" ]] || fail "the host's dpkg status changed"
finish
