#!/usr/bin/env bash
# Patching benchmark: `daybook plan` and `daybook push` of a security patch
# (3 packages + 1 new dependency, plus PENDING more security updates, in a
# sandbox root built by tests/fixtures/apt_sandbox.sh, through a real agent
# on loopback), side by side in the same run with plain apt in an identical
# sandbox, chrooted as the agent runs it: `apt-get -s upgrade` (simulation
# only), `apt-get update` + `apt-get -y upgrade`, and the apt runs the
# agent's plan made before it planned in a fixed number of runs (one
# `apt-get -s install --only-upgrade X` probe per candidate). Medians of 5
# (RUNS), each run on a fresh copy of the sandbox.
# Usage: [PENDING=100] [RUNS=5] bench/patch.sh [BUILD_DIR]   (not run by CI; needs root, as dpkg does)
src=$(cd "$(dirname "$0")/.." && pwd)
source "$src/bench/lib.sh" "${1:-build}" patch-bench
pending=${PENDING:-0}
APT_SANDBOX_PENDING=$pending bash "$src/tests/fixtures/apt_sandbox.sh" "$work/template" > /dev/null

# fresh NAME: a copy of the sandbox (same repositories, 1.0 packages installed).
fresh() { rm -rf "$work/$1"; cp -a "$work/template" "$work/$1"; }
# in_root ROOT CMD...: CMD chrooted in ROOT with a private /proc and devpts, as the agent runs apt.
in_root() { local r=$1; shift; LC_ALL=C DEBIAN_FRONTEND=noninteractive unshare -m --propagation private \
  sh -c 'mount -t proc proc "$0/proc" && mount -t devpts devpts "$0/dev/pts" -o newinstance,ptmxmode=0666 && exec chroot "$0" "$@"' "$r" "$@"; }
# The plan as the agent made it before (update, showhold, -s upgrade, one
# probe per candidate, the exact transaction).
old_plan() {
  local r=$1 candidates
  in_root "$r" apt-get update -q > /dev/null
  in_root "$r" apt-mark showhold > /dev/null
  candidates=$(in_root "$r" apt-get -s -q upgrade | sed -n 's/^Inst \([^ ]*\) .*/\1/p; /kept back:/,/^[^ ]/{s/^  //p}' | tr ' ' '\n' | sed '/^$/d')
  for c in $candidates; do in_root "$r" apt-get -s -q install --only-upgrade "$c" > /dev/null || true; done
  in_root "$r" apt-get -s -q install --only-upgrade $candidates > /dev/null || true
}

sim=() real=() old=() plan=() push=()
for i in $(seq 1 "${RUNS:-5}"); do
  fresh "apt$i"
  r="$work/apt$i/root"
  in_root "$r" apt-get update -q > /dev/null
  t=$(now); in_root "$r" apt-get -s upgrade > /dev/null; sim+=("$(elapsed "$t")")
  t=$(now); old_plan "$r"; old+=("$(elapsed "$t")")
  t=$(now); in_root "$r" apt-get update -q > /dev/null && in_root "$r" apt-get -y -q upgrade > /dev/null; real+=("$(elapsed "$t")")

  fresh "agent$i"
  d="$work/agent$i"
  printf 'listen = "127.0.0.1:0"\nstate_dir = "%s/state"\nauthorized_operators = "%s/authorized_operators"\nroot = "%s/root"\npackage_backend = "apt"\nreboot_command = ["true"]\nsecurity_origins = ["origin=Demo,label=Demo-Security"]\n' \
    "$d" "$work" "$d" > "$d/agent.toml"
  "$agent" --config "$d/agent.toml" > "$d/out" 2> "$d/log" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '^listening' "$d/out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$d/out")
  rm -rf "$work/fleet"; "$daybook" init "$work/fleet" > /dev/null
  (cd "$work/fleet"
   sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$work/op\"|" daybook.toml
   echo "ops@example $(cat "$work/op.pub")" >> allowed_signers
   printf '[hosts.h]\naddress = "127.0.0.1"\nport = %s\n' "$port" > inventory/hosts.toml
   printf '[manifest]\nname = "security"\ntargets = "all"\n[patch]\npolicy = "security"\nreboot = "never"\n' > manifests/example.toml
   git add -A && git commit -qm bench
   "$daybook" ping --accept-new-host-keys > /dev/null
   git commit -qm pin inventory/known_hosts
   t=$(now); "$daybook" plan manifests/example.toml > /dev/null; echo "$(elapsed "$t")" > "$work/plan.t"
   t=$(now); "$daybook" push manifests/example.toml --yes > /dev/null 2>> "$work/push.err"; echo "$(elapsed "$t")" > "$work/push.t")
  plan+=("$(cat "$work/plan.t")"); push+=("$(cat "$work/push.t")")
done
echo "pending security updates: $((pending + 3)) (+1 new dependency), medians of ${RUNS:-5}"
printf '%-72s %8ss\n' "apt-get -s upgrade (simulation only)" "$(median "${sim[@]}")"
printf '%-72s %8ss\n' "apt-get update + apt-get -y upgrade" "$(median "${real[@]}")"
printf '%-72s %8ss\n' "the former plan's apt runs (update, -s upgrade, a probe per candidate)" "$(median "${old[@]}")"
printf '%-72s %8ss\n' "daybook plan (SSH, update, -s upgrade, kept-back probe, transaction)" "$(median "${plan[@]}")"
printf '%-72s %8ss\n' "daybook push (journal, plan again, apply, versions)" "$(median "${push[@]}")"
