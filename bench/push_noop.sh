#!/usr/bin/env bash
# No-op push benchmark: `daybook push` of a manifest whose release every host
# already runs, to N agents on loopback (default 200). Each push is a full
# intervention: operator-signed begin (fsync), per host a pinned SSH session,
# deploy.status, a signed apply answer checked and journaled, then the end
# record and checkpoint. Side by side in the same run: Ansible
# (`-m command -a true`, forks=N) and parallel-ssh (`true`, -p N) against an
# OpenSSH sshd on loopback with N logins, one address per host (127.0.0.i)
# so that Ansible's default connection sharing (ControlPersist) works as on a
# real fleet. Medians; ratios.
# Usage: bench/push_noop.sh [BUILD_DIR] [N]   (not run by CI; installs pssh and
# ansible-core with apt-get when they are missing)
source "$(dirname "$0")/lib.sh" "${1:-build}" push-noop
n=${2:-200}
need_peer pssh ansible-core
start_sshd "$n"
start_fleet "$work/fleet" "$n" 'deploy_roots = ["/srv"]'
cd "$work/fleet"

# A small application, already deployed everywhere by a first push.
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.org GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.org
git init -q -b main "$work/app"
for i in $(seq 1 50); do echo "file $i" > "$work/app/f$i.txt"; done
git -C "$work/app" add -A && git -C "$work/app" commit -qm v1 && git -C "$work/app" tag v1
manifest() {  # NAME CANARY BATCH
  printf '[manifest]\nname = "%s"\ntargets = "all"\n[[deploy]]\nname = "app"\nrepo = "%s"\nref = "v1"\npath = "/srv/app"\n[rollout]\ncanary = %s\nbatch = "%s"\nmax_failures = "5%%"\n' \
    "$1" "$work/app" "$2" "$3" > "manifests/$1.toml"
}
manifest flat 0 100%
manifest staged 1 25%
git add -A && git commit -qm manifests
"$daybook" push manifests/flat.toml --yes > "$work/first.txt" || { tail -3 "$work/first.txt"; exit 1; }
records_before=$(wc -l < journal/records.jsonl)

ours=$(measure "daybook push, one batch" 5 "$daybook" push manifests/flat.toml --yes)
staged=$(measure "daybook push, canary + 4 batches" 5 "$daybook" push manifests/staged.toml --yes)
"$daybook" push manifests/flat.toml --yes --output json > "$work/noop.json" 2> /dev/null
python3 - "$work/noop.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
actions = {h["deploys"][0]["status"] for h in d["hosts"]}
print(f"  check: {d['summary']['ok']} of {d['summary']['hosts']} hosts ok, deploy results {sorted(actions)}, bytes sent {d['summary']['bytes_sent']}")
PY
records_after=$(wc -l < journal/records.jsonl)
verify=$(measure "daybook journal verify" 3 "$daybook" journal verify)

peer_inventories "$n" distinct
pssh=$(measure "parallel-ssh -p $n true" 5 parallel-ssh -p "$n" -h "$work/pssh-hosts-$n" -l root -t 120 -x "$(pssh_opts)" true)
ansible_args=(all -i "$work/ansible-$n" -f "$n" -u root --private-key "$work/op" -m command -a true)
# Warm: Ansible's default connection sharing keeps each host's SSH master for
# 60 s, so runs after the first reuse them. Cold: a fresh control directory
# per run, as for a push after a quiet minute (or a CI job).
ansible=$(ANSIBLE_HOST_KEY_CHECKING=False measure "ansible -f $n command true, warm" 3 ansible "${ansible_args[@]}")
ansible_cold=$(ANSIBLE_HOST_KEY_CHECKING=False measure "ansible -f $n command true, cold" 3 \
                 sh -c 'ANSIBLE_SSH_CONTROL_PATH_DIR=$(mktemp -d) exec ansible "$@"' ansible "${ansible_args[@]}")

echo
printf "%-36s %10s %14s\n" "$n hosts, nothing to change" "median s" "peak RSS KB"
for row in "$ours" "$staged" "$pssh" "$ansible" "$ansible_cold" "$verify"; do
  printf "%-36s %10s %14s\n" "$(cut -f1 <<< "$row")" "$(cut -f2 <<< "$row")" "$(cut -f3 <<< "$row")"
done
echo "journal: $((records_after - records_before)) records appended by 11 pushes ($((n + 2)) each)"
python3 - "$(cut -f2 <<< "$ours")" "$(cut -f2 <<< "$staged")" "$(cut -f2 <<< "$pssh")" "$(cut -f2 <<< "$ansible")" \
  "$(cut -f2 <<< "$ansible_cold")" <<'PY'
import sys
ours, staged, pssh, ansible, cold = map(float, sys.argv[1:])
print(f"ratio ansible / daybook: warm {ansible / ours:.1f}x, cold {cold / ours:.1f}x (one batch); "
      f"warm {ansible / staged:.1f}x, cold {cold / staged:.1f}x (canary + batches); target >= 30x")
print(f"ratio parallel-ssh / daybook: {pssh / ours:.1f}x")
PY
