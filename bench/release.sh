#!/usr/bin/env bash
# Code release: one changed file released to N hosts (default 50) that run
# the previous release, side by side in the same run:
#   daybook push               the new commit's pack to every agent, checked
#                              out as releases/<commit>, verified against its
#                              tree id, `current` switched; journaled
#   ansible -m git             each host fetches the new commit from the
#                              origin and checks it out (forks N, pipelining,
#                              ControlPersist warm: the peer at its best)
#   Capistrano-style rsync     the new commit checked out on the controller,
#                              rsynced to each host's shared/cached-copy,
#                              copied to releases/<K> there and `current`
#                              switched (what capistrano-rsync does), N at once
# Each run releases the next commit of a chain (r2, r3, ...), each one file
# apart. Every run is checked: daybook's exit status; Ansible's CHANGED count;
# the rsync steps' exit status; and after the runs every host of every tool
# must hold the last release's file.
# Usage: bench/release.sh [BUILD_DIR] [N] [FILES]   (root: sshds and a login
# user for the peers, bench/peers.sh; installs ansible-core, rsync)
source "$(dirname "$0")/lib.sh" "${1:-build}" release
source "$(dirname "$0")/peers.sh"
n=${2:-50} files=${3:-2000} runs=${RUNS:-5}
need_peer ansible-core rsync
ulimit -n "$(ulimit -Hn)"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.org GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.org
export BENCH_GROUP="one-file release, $files files, $n hosts" BENCH_HOSTS=$n

# The application and its chain of releases r1 .. r(runs+1), one file apart.
app=$work/app
git init -q -b main "$app"
python3 - "$app" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "src", f"m{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.txt"), "w") as f:
        f.write(f"module {i}\n" * 40)
PY
git -C "$app" add -A && git -C "$app" commit -qm r1 && git -C "$app" tag r1
changed=src/m000/f00000.txt
for k in $(seq 2 $((runs + 1))); do
  echo "release $k" >> "$app/$changed"
  git -C "$app" commit -qam "r$k" && git -C "$app" tag "r$k"
done
last=$((runs + 1))
# holds_last TOOL DIR_FORMAT: every host's release (DIR_FORMAT, printf'd
# with the host's number) holds the last release's file, or the bench stops.
holds_last() {
  local i dir
  for i in $(seq 1 "$n"); do
    dir=$(printf "$2" "$i")
    cmp -s "$app/$changed" "$dir/$changed" || die "host $i does not run r$last after $1's releases"
  done
}

# daybook: N agents, a manifest per release, r1 deployed before timing.
start_fleet "$work/fleet" "$n" 'deploy_roots = ["/srv"]'
cd "$work/fleet"
for k in $(seq 1 "$last"); do
  printf '[manifest]\nname = "release"\ntargets = "all"\n[[deploy]]\nname = "app"\nrepo = "%s"\nref = "r%s"\npath = "/srv/app"\n[rollout]\nbatch = "100%%"\nmax_failures = "0%%"\n' \
    "$app" "$k" > "manifests/release-$k.toml"
done
git add -A && git commit -qm releases
"$daybook" push manifests/release-1.toml --yes > "$work/r1.txt" 2>&1 || { tail -5 "$work/r1.txt"; die "first release"; }
echo 1 > "$work/daybook.k"
cat > "$work/daybook.sh" <<SH
k=\$((\$(cat $work/daybook.k) + 1)); echo \$k > $work/daybook.k
cd $work/fleet && "$daybook" push manifests/release-\$k.toml --yes
SH
export BENCH_BASE="daybook push, one-file release"
measure "daybook push, one-file release" "$runs" bash "$work/daybook.sh"
holds_last daybook "$work/fleet.agents/h%03d/root/srv/app/current"
for p in "${agent_pids[@]}"; do kill "$p" 2> /dev/null || true; done
wait "${agent_pids[@]}" 2> /dev/null || true
pids=()

# The peers log in as the bench user; the origin is theirs to read.
cd "$work"
peer_sshds "$n"
peer_inventories "$n"
origin=$peer_home/origin.git
git clone -q --bare "$app" "$origin" && chown -R "$peer_user" "$origin"

# Ansible's git module, r1 checked out everywhere first.
ansible_git() {
  cat > "$work/ansible-git.sh" <<SH
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_SSH_CONTROL_PATH_DIR=$work/ansible-cp-git
k=\${1:-\$((\$(cat $work/ansible.k) + 1))}; echo \$k > $work/ansible.k
out=\$(ansible all -i $work/ansible-$n -u $peer_user --private-key $work/op -m git \
  -a "repo=$origin dest=~/app-{{ inventory_hostname }} version=r\$k") || { echo "\$out" | grep -v CHANGED | head -3; exit 1; }
[ "\$(echo "\$out" | grep -c 'CHANGED')" -eq $n ] || { echo "not all $n hosts changed"; exit 1; }
SH
}
ansible_git
bash "$work/ansible-git.sh" 1 > "$work/ansible-r1.txt" 2>&1 || { tail -5 "$work/ansible-r1.txt"; die "ansible git: first release"; }
measure "ansible -m git, forks $n, warm" "$runs" bash "$work/ansible-git.sh"
holds_last Ansible "$peer_home/app-h%d"

# Capistrano-style rsync: a local checkout, then per host rsync to the
# cached copy, copy to releases/K, switch `current`.
git clone -q "$app" "$work/cap-local"
# Connections shared per host (ControlPersist), as Capistrano's SSHKit
# keeps its connections: the rsync and the switch ride one login.
ssh_opts="-i $work/op -p $peer_port -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$work/peer_known_hosts -o BatchMode=yes -o LogLevel=ERROR -o ControlMaster=auto -o ControlPersist=120s -o ControlPath=$work/ansible-cp-cap-%h"
cat > "$work/cap-host.sh" <<SH
# cap-host.sh I K: release K to peer host I.
a=127.0.\$(( (\$1 - 1) / 250 + 1 )).\$(( (\$1 - 1) % 250 + 1 ))
d=cap-h\$1
rsync -a --delete --exclude .git -e "ssh $ssh_opts" $work/cap-local/ $peer_user@\$a:\$d/shared/cached-copy/ &&
ssh $ssh_opts $peer_user@\$a "cd \$d && cp -a shared/cached-copy releases/\$2 && ln -sfn releases/\$2 current.new && mv -T current.new current"
SH
cat > "$work/cap.sh" <<SH
k=\${1:-\$((\$(cat $work/cap.k) + 1))}; echo \$k > $work/cap.k
git -C $work/cap-local fetch -q origin && git -C $work/cap-local checkout -q r\$k || exit 1
seq 1 $n | xargs -P $n -I{} bash $work/cap-host.sh {} \$k
SH
for i in $(seq 1 "$n"); do
  ssh $ssh_opts "$peer_user@$(peer_address "$i")" "mkdir -p cap-h$i/shared/cached-copy cap-h$i/releases" || die "Capistrano-style set-up of host $i"
done
bash "$work/cap.sh" 1 > "$work/cap-r1.txt" 2>&1 || { tail -5 "$work/cap-r1.txt"; die "Capistrano-style rsync: first release"; }
measure "Capistrano-style rsync, $n at once" "$runs" bash "$work/cap.sh"
holds_last "the rsync" "$peer_home/cap-h%d/current"
