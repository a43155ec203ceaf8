#!/usr/bin/env bash
# Fan-out: reach every host and change nothing, at N hosts on loopback (by
# default 10 50 200), side by side in the same run:
#   daybook ping               facts from every agent (one signed answer each)
#   daybook push (no-op)       a full intervention whose release every host
#                              already runs: operator-signed begin (fsync), per
#                              host deploy.status and a signed apply answer,
#                              checked and journaled, the end and checkpoint
#   parallel-ssh -p N true     one SSH login per host running `true`
#   ansible -m command true    forks N, pipelining, ControlPersist warm and cold
# The peers log in to OpenSSH sshds on loopback, one address per host, as a
# dedicated user with /bin/sh (bench/peers.sh, bench/README.md). Every run of
# every command is checked (exit status; the peers' answers counted) and the
# peers are checked once per host before anything is measured: a failure
# stops the benchmark and no figure of it is printed.
# Also: each agent's RSS idle and after the push, the controller's peak RSS
# and its CPU time per host. The agents are stopped before the peers run:
# each tool has the machine to itself.
# At 1,000 hosts: Ansible's forks are capped at ANSIBLE_FORKS_MAX (200):
# 1,000 forks are 1,000 Python processes of ~40 MiB each, more than this
# machine holds next to 1,000 logins; and the peers run PEER_RUNS_1000 (1)
# times each (an Ansible run there takes minutes).
# Usage: bench/fanout.sh [BUILD_DIR] [N...]   (root: it runs sshds and adds a
# login user for the peers; installs pssh, ansible-core, openssh-server)
source "$(dirname "$0")/lib.sh" "${1:-build}" fanout
source "$(dirname "$0")/peers.sh"
shift || true
read -r -a sizes <<< "${*:-10 50 200}"
need_peer pssh ansible-core
ulimit -n "$(ulimit -Hn)"  # the controller holds a connection per host
runs=${RUNS:-5}
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.org GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.org
git init -q -b main "$work/app"
for i in $(seq 1 50); do echo "file $i" > "$work/app/f$i.txt"; done
git -C "$work/app" add -A && git -C "$work/app" commit -qm v1 && git -C "$work/app" tag v1

# An agent's memory, KiB, from /proc/PID/smaps_rollup: Rss (every resident
# page it maps: library code and data read from disk included, shared with
# any process mapping the same libraries) or Private_Dirty (the pages only
# it has written: heap, stacks, libraries' relocated data).
mem_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/smaps_rollup"; }
median_mem() { local k=$1; shift; for p in "$@"; do mem_kb "$k" "$p"; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for n in "${sizes[@]}"; do
  export BENCH_GROUP="$n hosts" BENCH_HOSTS=$n BENCH_BASE="daybook push, nothing to change"
  peer_runs=$runs
  ((n < 1000)) || peer_runs=${PEER_RUNS_1000:-1}
  echo "== $n hosts"
  start_fleet "$work/fleet-$n" "$n" 'deploy_roots = ["/srv"]'
  cd "$work/fleet-$n"
  printf '[manifest]\nname = "noop"\ntargets = "all"\n[[deploy]]\nname = "app"\nrepo = "%s"\nref = "v1"\npath = "/srv/app"\n[rollout]\nbatch = "100%%"\nmax_failures = "0%%"\n' \
    "$work/app" > manifests/noop.toml
  git add -A && git commit -qm manifest
  sleep 1
  idle=$(median_mem Rss "${agent_pids[@]}")
  idle_dirty=$(median_mem Private_Dirty "${agent_pids[@]}")
  # The first deploy is set-up, not a figure: a host it fails on is said
  # (with the agent's reason) and gets one more push; the measured pushes
  # below must then find every host unchanged.
  if ! "$daybook" push manifests/noop.toml --yes > "$work/first-$n.txt" 2>&1; then
    echo "first push to $n hosts: not every host ok; the others, then one more push:" >&2
    grep -Ev '^h[0-9]+ +batch [0-9/]+ +ok ' "$work/first-$n.txt" | tail -20 >&2 || true
    "$daybook" push manifests/noop.toml --yes > "$work/first-$n.txt" 2>&1 || { tail -5 "$work/first-$n.txt"; die "first push to $n hosts"; }
  fi
  after_push=$(median_mem Rss "${agent_pids[@]}")
  after_dirty=$(median_mem Private_Dirty "${agent_pids[@]}")
  measure "daybook ping" "$runs" "$daybook" ping --target all
  measure "daybook push, nothing to change" "$runs" "$daybook" push manifests/noop.toml --yes
  "$daybook" push manifests/noop.toml --yes --output json > "$work/noop-$n.json" 2> /dev/null || die "no-op push to $n hosts"
  python3 - "$work/noop-$n.json" "$n" <<'PY' || die "the no-op push did not find every host unchanged"
import json, sys
d, n = json.load(open(sys.argv[1])), int(sys.argv[2])
assert d["summary"]["ok"] == n and d["summary"]["hosts"] == n, d["summary"]
assert {h["deploys"][0]["status"] for h in d["hosts"]} == {"unchanged"}, {h["deploys"][0]["status"] for h in d["hosts"]}
PY
  figure "$n hosts" "agent RSS idle (median)" "$idle" KiB
  figure "$n hosts" "agent RSS after a push (median)" "$after_push" KiB
  figure "$n hosts" "agent private dirty memory idle (median)" "$idle_dirty" KiB
  figure "$n hosts" "agent private dirty memory after a push (median)" "$after_dirty" KiB
  for p in "${agent_pids[@]}"; do kill "$p" 2> /dev/null || true; done
  wait "${agent_pids[@]}" 2> /dev/null || true  # gone before the peers run, and no stale pid is killed later
  pids=()
  cd "$work"
  peer_sshds "$n"
  peer_inventories "$n"
  peer_check "$n"
  forks=$(ansible_forks "$n")
  measure "parallel-ssh -p $n true" "$peer_runs" bash "$(pssh_script "$n")"
  measure "ansible, forks $forks, warm" "$peer_runs" bash "$(ansible_script "$n" warm)"
  measure "ansible, forks $forks, cold" "$peer_runs" bash "$(ansible_script "$n" cold)"
  peer_stop
  sleep 1
done
