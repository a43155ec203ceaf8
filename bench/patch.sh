#!/usr/bin/env bash
# Patching benchmark: `daybook plan` and `daybook push` of a security patch
# (3 packages + 1 new dependency, in a sandbox root built by
# tests/fixtures/apt_sandbox.sh, through a real agent on loopback), side by
# side in the same run with plain apt in an identical sandbox:
# `apt-get -s upgrade` (simulation only) and `apt-get update` + `apt-get -y
# upgrade`. Medians of 5, each run on a fresh copy of the sandbox.
# Usage: bench/patch.sh [BUILD_DIR]   (not run by CI; needs root, as dpkg does)
src=$(cd "$(dirname "$0")/.." && pwd)
source "$src/bench/lib.sh" "${1:-build}" patch-bench
bash "$src/tests/fixtures/apt_sandbox.sh" "$work/template" > /dev/null

# fresh NAME: a copy of the sandbox (same repositories, 1.0 packages installed).
fresh() { rm -rf "$work/$1"; cp -a "$work/template" "$work/$1"; sed -i "s|$work/template|$work/$1|g" "$work/$1/root/etc/apt/sources.list"; }
aptconf() {  # the APT_CONFIG of a copy, as the agent writes it
  printf 'Dir "%s/";\nDir::State::status "%s/var/lib/dpkg/status";\nDir::Etc::main "/dev/null";\nDir::Etc::parts "%s/etc/apt/apt.conf.d";\nDir::Log "%s/var/log/apt";\nAPT::Sandbox::User "root";\nDPkg::Options { "--root=%s"; "--log=%s/var/log/dpkg.log"; };\n' \
    "$1" "$1" "$1" "$1" "$1" "$1" > "$1/../apt.conf"
}

sim=() real=() plan=() push=()
for i in 1 2 3 4 5; do
  fresh "apt$i"; aptconf "$work/apt$i/root"
  export APT_CONFIG="$work/apt$i/apt.conf" LC_ALL=C
  apt-get update -q > /dev/null
  t=$(now); apt-get -s upgrade > /dev/null; sim+=("$(elapsed "$t")")
  t=$(now); apt-get update -q > /dev/null && apt-get -y -q upgrade > /dev/null; real+=("$(elapsed "$t")")
  unset APT_CONFIG

  fresh "agent$i"
  d="$work/agent$i"
  printf 'listen = "127.0.0.1:0"\nstate_dir = "%s/state"\nauthorized_operators = "%s/authorized_operators"\nroot = "%s/root"\npackage_backend = "apt"\nreboot_command = ["true"]\n' \
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
   t=$(now); "$daybook" plan manifests/example.toml > /dev/null; echo "$(elapsed "$t")" > "$work/plan.t"
   t=$(now); "$daybook" push manifests/example.toml --yes > /dev/null 2>> "$work/push.err"; echo "$(elapsed "$t")" > "$work/push.t")
  plan+=("$(cat "$work/plan.t")"); push+=("$(cat "$work/push.t")")
done
printf '%-64s %8ss\n' "apt-get -s upgrade (simulation only)" "$(median "${sim[@]}")"
printf '%-64s %8ss\n' "apt-get update + apt-get -y upgrade (3 packages)" "$(median "${real[@]}")"
printf '%-64s %8ss\n' "daybook plan (SSH, update, probes, exact transaction)" "$(median "${plan[@]}")"
printf '%-64s %8ss\n' "daybook push (journal, plan again, apply 4 packages, versions)" "$(median "${push[@]}")"
