#!/usr/bin/env bash
# Deploys when things go wrong: kill -9 of the agent during checkout, a full
# disk during checkout, a failing after hook, paths that escape the deploy
# roots (directly or through a symlink). Each leaves `current` on a complete
# release, and the journal says what happened.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"
make_fleet 2

# A third agent whose deploy root is a 1 MiB tmpfs in its own mount namespace
# (mode 755: a tmpfs is 1777 by default, and a deploy root others may write
# to is refused).
mkdir -p "$WORK/agent-3/root/srv"
AGENT_WRAP=(unshare -m --propagation private sh -c 'mount -t tmpfs -o size=1m,mode=755 tmpfs "$0" && exec "$@"' "$WORK/agent-3/root/srv")
start_agent agent-3
unset AGENT_WRAP
pid3=$AGENT_PID port3=$AGENT_PORT
printf '[hosts.agent-3]\naddress = "127.0.0.1"\nport = %s\n' "$port3" >> inventory/hosts.toml
git commit -qam "agent-3"
# What agent-3 runs, seen from inside its mount namespace.
live3() { basename "$(nsenter -t "$pid3" -m readlink "$WORK/agent-3/root/srv/app/current")"; }
expect_exit 0 "$DAYBOOK" ping --accept-new-host-keys --target agent-3
git commit -qm "pin agent-3" inventory/known_hosts

v1=$(app_commit 1.0 20)
write_manifest v1.0
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
for n in 1 2; do [[ "$(live $n)" == "$v1" ]] || fail "agent-$n is not on v1"; done
[[ "$(live3)" == "$v1" ]] || fail "agent-3 is not on v1"

# Disk full during checkout: the release is discarded, current untouched.
python3 - "$WORK/app/big" <<'PY'
import os, sys
os.makedirs(sys.argv[1], exist_ok=True)
for i in range(300):
    open(os.path.join(sys.argv[1], f"blob{i}.bin"), "wb").write(os.urandom(8192))
PY
v2=$(app_commit 2.0 20)
write_manifest v2.0
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes --target agent-3
expect_in "$WORK/out" "No space left on device"
[[ "$(live3)" == "$v1" ]] || fail "agent-3 left v1 on a full disk"
kept=$(nsenter -t "$pid3" -m ls -A "$WORK/agent-3/root/srv/app/releases")
[[ "$kept" == "$v1" ]] || fail "agent-3 kept a partial release: $kept"
expect_exit 0 "$DAYBOOK" status --target agent-3

# A failing after hook: switched back to the previous release, the new one set aside, journaled as failed.
write_manifest v2.0 /srv/app '["sh", "-c", "echo reload failed >&2; exit 7"]'
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes --target agent-2
expect_in "$WORK/out" "after hook failed (exit 7): reload failed"
[[ "$(live 2)" == "$v1" ]] || fail "agent-2 did not switch back to v1"
[[ -f "$WORK/agent-2/root/srv/app/failed/$v2/VERSION" ]] || fail "agent-2 did not keep the failed release aside"
expect_exit 1 "$DAYBOOK" status --target agent-2
expect_in "$WORK/out" "note: agent-2 app: the release ${v2:0:12} failed its hook and is kept in failed/"
expect_in "$WORK/out" "attention: failed releases set aside (1)"
expect_exit 0 "$DAYBOOK" journal show --output json
python3 - "$WORK/out" <<'PY' || fail "journal of the failed hook"
import json, sys
r = json.load(open(sys.argv[1]))["records"]
# status journaled what agent-2 reported, signed by it: the failed release set aside
seen = r.pop()
assert seen["type"] == "host.observed" and seen["host"] == "agent-2" and seen["source"] == "status", seen
status = [a["response"] for a in seen["agent"]["answers"] if a["response"]["type"] == "deploy.status"][0]
assert status["deploys"][0]["failed"], status
assert r[-2]["type"] == "host.result" and r[-2]["status"] == "failed" and "exit 7" in r[-2]["error"], r[-2]
assert r[-2]["agent"]["response"]["deploys"][0]["rolled_back_to"] is not None, r[-2]
assert r[-2]["agent"]["response"]["deploys"][0]["hook"]["output"] == "reload failed\n", r[-2]
assert r[-1]["type"] == "intervention.end" and r[-1]["outcome"] == "halted", r[-1]
PY

# Paths outside the deploy roots, named directly or through a symlink: refused, nothing written.
mkdir -p "$WORK/agent-1/root/etc"
ln -s ../etc "$WORK/agent-1/root/srv/evil"
write_manifest v1.0 /etc/app none 2 agent-1 escape
expect_exit 1 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/out" "is outside the agent's deploy roots (/srv)"
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "refused"
write_manifest v1.0 /srv/evil/app none 2 agent-1 escape
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "srv/evil leads through a symbolic link"
[[ -z "$(ls -A "$WORK/agent-1/root/etc")" ]] || fail "a refused deploy wrote under /etc"

# kill -9 during checkout: current still names a complete release; after a restart the next push succeeds.
python3 - "$WORK/app/many" <<'PY'
import os, sys
for d in range(50):
    os.makedirs(os.path.join(sys.argv[1], f"d{d}"), exist_ok=True)
    for i in range(100):
        open(os.path.join(sys.argv[1], f"d{d}", f"f{i}.txt"), "w").write(f"{d}/{i}\n" * 20)
PY
v3=$(app_commit 3.0 20)
write_manifest v3.0 /srv/app none 2 agent-1
killed=no
for attempt in 1 2 3; do
  "$DAYBOOK" push manifests/app.toml --yes > "$WORK/push.out" 2>&1 &
  push=$!
  for _ in $(seq 1 6000); do
    if compgen -G "$WORK/agent-1/root/srv/app/releases/.partial-*" > /dev/null; then
      kill -9 "${APIDS[1]}"; killed=yes; break
    fi
    sleep 0.005
  done
  wait "$push" || true
  [[ $killed == yes ]] && break
  # The checkout finished before it could be caught: go back and try again.
  expect_exit 0 "$DAYBOOK" rollback app --target agent-1 --to "$v1" --yes
done
[[ $killed == yes ]] || fail "could not kill the agent during checkout"
grep -q "failed\|unreachable" "$WORK/push.out" || { fail "push did not report the dead agent"; cat "$WORK/push.out" >&2; }
[[ "$(live 1)" == "$v1" ]] || fail "current moved off v1 after kill -9: $(live 1)"
restart_agent 1
expect_exit 0 "$DAYBOOK" status --target agent-1
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
[[ "$(live 1)" == "$v3" ]] || fail "agent-1 not on v3 after restart and push"
! compgen -G "$WORK/agent-1/root/srv/app/releases/.partial-*" > /dev/null || fail "a partial release survived the next push"
expect_exit 0 "$DAYBOOK" status --target agent-1

expect_exit 0 "$DAYBOOK" journal verify --require-sealed
finish
