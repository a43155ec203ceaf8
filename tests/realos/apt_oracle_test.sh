#!/usr/bin/env bash
# daybook's security patching on a real Debian 12 root, held against
# Debian's own unattended-upgrades on a twin of the same root as the
# oracle: the same packages planned, the same versions after, apt's auto
# marks kept, every package installed cleanly, nothing left pending, and
# the host untouched (dpkg, debconf, apt and dpkg logs).
#   apt_oracle_test.sh DAYBOOK AGENT SOURCE_DIR MODE
# MODE outside: the agent runs on the host with root = <the root>.
# MODE inside:  the agent runs chrooted in the root with root = "/", as on
#               a real host (the root gets the agent's libraries first).
# Label realos (ctest -L realos, `make realos`): needs root and the mirror.
[[ -n "${REALOS_NS:-}" ]] || exec env REALOS_NS=1 unshare --mount --propagation private -- bash "$0" "$@"
MODE=$4
source "$(dirname "$0")/../e2e/lib.sh" "$1" "$2" "$3"
source "$E2E_DIR/fleet_lib.sh"
source "$SOURCE_DIR/tests/realos/realos_lib.sh"
[[ "$MODE" == outside || "$MODE" == inside ]] || { echo "MODE is outside or inside" >&2; exit 2; }
[[ -n "$MIRROR" && -n "$SECURITY" ]] || { echo "this machine's apt sources name no bookworm or bookworm-security URI" >&2; exit 1; }
host_state=$SOURCE_DIR/tests/fixtures/host_package_state.sh
bash "$host_state" record "$WORK/host-before"

R=$WORK/daybook-root
t=$SECONDS
realos_s0 "$R"
[[ "$MODE" == inside ]] && agent_libraries "$R"
cp -a "$R" "$WORK/uu-root"
echo "realos: roots ready in $((SECONDS - t)) s"
uu_reference "$WORK/uu-root"

ssh-keygen -q -t ed25519 -N '' -C operator -f "$WORK/op"
cp "$WORK/op.pub" "$WORK/authorized_operators"
mkdir -p "$WORK/agent-1"
if [[ "$MODE" == outside ]]; then
  cat > "$WORK/agent-1/agent.toml" <<TOML
listen = "127.0.0.1:0"
state_dir = "$WORK/agent-1/state"
authorized_operators = "$WORK/authorized_operators"
root = "$R"
deploy_roots = ["/srv"]
package_backend = "apt"
reboot_command = ["/bin/false"]
boot_id_file = "$WORK/agent-1/boot_id"
TOML
  echo boot-1 > "$WORK/agent-1/boot_id"
  "$AGENT" --config "$WORK/agent-1/agent.toml" > "$WORK/agent-1/out" 2> "$WORK/agent-1/log" &
else
  mkdir -p "$R/etc/daybook" "$R/var/lib/daybook-test"
  cp "$WORK/authorized_operators" "$R/etc/daybook/"
  echo boot-1 > "$R/var/lib/daybook-test/boot_id"
  cat > "$R/etc/daybook/agent.toml" <<TOML
listen = "127.0.0.1:0"
state_dir = "/var/lib/daybook"
authorized_operators = "/etc/daybook/authorized_operators"
root = "/"
deploy_roots = ["/srv"]
package_backend = "apt"
reboot_command = ["/bin/false"]
boot_id_file = "/var/lib/daybook-test/boot_id"
TOML
  chroot_mounts "$R"
  chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/local/sbin/daybook-agent --config /etc/daybook/agent.toml \
    > "$WORK/agent-1/out" 2> "$WORK/agent-1/log" &
fi
PIDS+=("$!")
port=$(wait_listening "$WORK/agent-1/out")
[[ -n "$port" ]] || { fail "the agent did not start"; cat "$WORK/agent-1/log" >&2; exit 1; }
realos_fleet "$port"

# The plan lists exactly what unattended-upgrades would upgrade, within the
# default answer limit.
t=$SECONDS
expect_exit 0 "$DAYBOOK" plan manifests/security.toml --output json
plan_s=$((SECONDS - t))
plan_packages "$WORK/out" > "$WORK/plan.txt"
cut -d' ' -f1 "$WORK/plan.txt" | sort -u > "$WORK/plan-names.txt"
diff "$WORK/plan-names.txt" "$WORK/uu-expected.txt" > "$WORK/plan.diff" ||
  { fail "daybook's plan and unattended-upgrades' differ (< daybook, > u-u)"; cat "$WORK/plan.diff" >&2; }
grep -v ' security$' "$WORK/plan.txt" | sed 's/^/  not a security reason: /' >&2 || true

t=$SECONDS
expect_exit 0 "$DAYBOOK" push manifests/security.toml --yes
push_s=$((SECONDS - t))
expect_in "$WORK/out" "ok: $(wc -l < "$WORK/uu-expected.txt") upgraded"
if [[ "$MODE" == inside ]]; then
  kill "${PIDS[-1]}" && wait "${PIDS[-1]}" 2> /dev/null || true
  chroot_umounts "$R"
fi
same_outcome "$R" "$WORK/uu-root"
expect_exit 0 "$DAYBOOK" journal verify

bash "$host_state" compare "$WORK/host-before" || fail "the host's package state changed"
echo "realos ($MODE): $(wc -l < "$WORK/uu-expected.txt") pending security updates: daybook plan ${plan_s} s, push ${push_s} s"
finish
