#!/usr/bin/env bash
# Fan-out benchmark: `daybook ping --target all` against N agents on
# loopback, side by side in the same run with `parallel-ssh -p N true`
# against an OpenSSH sshd on loopback (N connections), and Ansible
# (`-m command -a true`, forks=N) when it is installed. Medians of 5 runs,
# ratios, agent idle RSS and controller peak RSS.
# Usage: bench/fanout.sh [BUILD_DIR] [N...]   (default N: 10 50 200; not run by CI)
# Installs its peers (pssh, openssh-server) with apt-get when they are missing.
source "$(dirname "$0")/lib.sh" "${1:-build}" fanout
shift || true
sizes=("${@:-10 50 200}")
read -r -a sizes <<< "${sizes[*]}"
need_peer pssh
start_sshd

printf "%-6s %-28s %10s %12s\n" N tool "median s" "peak RSS KB"
for n in "${sizes[@]}"; do
  start_fleet "$work/fleet-$n" "$n"
  sleep 1
  rss=$(ps -o rss= -p "${agent_pids[0]}" | tr -d ' ')
  ours=$(cd "$work/fleet-$n" && measure daybook 5 "$daybook" ping --target all)
  # parallel-ssh: the same number of full SSH connections running `true`.
  peer_inventories "$n"
  peer=$(measure parallel-ssh 5 parallel-ssh -p "$n" -h "$work/pssh-hosts-$n" -l root -t 60 -x "$(pssh_opts)" true)
  printf "%-6s %-28s %10s %12s\n" "$n" "daybook ping" "$(cut -f2 <<< "$ours")" "$(cut -f3 <<< "$ours")"
  printf "%-6s %-28s %10s %12s\n" "$n" "parallel-ssh -p $n true" "$(cut -f2 <<< "$peer")" "$(cut -f3 <<< "$peer")"
  if command -v ansible > /dev/null; then
    ans=$(ANSIBLE_HOST_KEY_CHECKING=False measure ansible 5 ansible all -i "$work/ansible-$n" -f "$n" -u root \
            --private-key "$work/op" -m command -a true)
    printf "%-6s %-28s %10s %12s\n" "$n" "ansible -f $n command true" "$(cut -f2 <<< "$ans")" "$(cut -f3 <<< "$ans")"
  fi
  python3 -c "import sys; a=float('$(cut -f2 <<< "$ours")'); b=float('$(cut -f2 <<< "$peer")'); print(f'       ratio parallel-ssh / daybook: {b/a:.1f}x; agent idle RSS: $rss KB')"
  for p in "${agent_pids[@]}"; do kill "$p" 2>/dev/null || true; done
done
