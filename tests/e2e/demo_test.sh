#!/usr/bin/env bash
# `make demo` as a test: the demo script runs start to end against the built
# binaries, and what it shows a newcomer is what happened.
source "$(dirname "$0")/lib.sh" "$@"
build=$(dirname "$(dirname "$DAYBOOK")")
host_status=$(md5sum /var/lib/dpkg/status)
code=0
TMPDIR="$WORK" bash "$SOURCE_DIR/scripts/demo" "$build" > "$WORK/demo.out" 2>&1 || code=$?
[[ $code == 0 ]] || { fail "demo exit $code"; tail -40 "$WORK/demo.out" >&2; }
out="$WORK/demo.out"
expect_in "$out" "3 of 3 hosts reachable; 3 new host key(s) pinned"
expect_in "$out" "vm1   libdemo      1.0-1  1.0-2  Demo-Security:bookworm-security  security"
expect_in "$out" "  canary: vm1"
expect_in "$out" "vm1   canary     ok      ok: 4 upgraded  app"
expect_in "$out" "completed: 3 of 3 host(s) ok, 0 failed, 0 skipped"
expect_in "$out" "app 1.0 up"
[[ $(grep -c "all hosts identical, no drift" "$out") == 3 ]] || fail "status after push, release and rollback"
expect_in "$out" 'reboot required: vm1, vm2, vm3 (a push with reboot = "if-required" reboots them' 
[[ $(grep -Ec '^vm[123] +ok +[0-9a-f]{12} +[0-9a-f]{12} +ok +-$' "$out") == 3 ]] || fail "rollback: 3 hosts back on 1.0"
expect_in "$out" "rollback=app to=last-good targets=3 ticket=INC-4242"
expect_in "$out" "journal verified: 33 records"
[[ $(grep -c "agent stopped" "$out") == 3 ]] || fail "agents did not stop cleanly"
# The journal is left to explore; the agents are gone.
lab=$(sed -n 's/^The fleet repository and its journal are kept in \(.*\):$/\1/p' "$out")
[[ -s "$lab/journal/records.jsonl" ]] || fail "the demo's journal was not kept ($lab)"
(cd "$lab" && "$DAYBOOK" journal verify > /dev/null) || fail "the kept journal does not verify"
[[ "$(md5sum /var/lib/dpkg/status)" == "$host_status" ]] || fail "the demo changed the host's dpkg status"
finish
