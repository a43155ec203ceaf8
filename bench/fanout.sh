#!/usr/bin/env bash
# Fan-out benchmark: `daybook ping --target all` against N agents on
# loopback, side by side in the same run with `parallel-ssh -p N true`
# against an OpenSSH sshd on loopback (N connections), and Ansible
# (`-m command -a true`, forks=N) when it is installed. Medians of 5 runs,
# ratios, agent idle RSS and controller peak RSS.
# Usage: bench/fanout.sh [BUILD_DIR] [N...]   (default N: 10 50 200; not run by CI)
# Installs its peers (pssh, openssh-server) with apt-get when they are missing.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift || true
sizes=("${@:-10 50 200}")
read -r -a sizes <<< "${sizes[*]}"
daybook="$build/bin/daybook"
agent="$build/bin/daybook-agent"
work=$(mktemp -d "${TMPDIR:-/tmp}/daybook-fanout.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

for pkg in pssh openssh-server; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || {
    echo "installing $pkg (benchmark peer)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" > /dev/null; }
done
unset SSH_AUTH_SOCK
ssh-keygen -q -t ed25519 -N '' -f "$work/op"
cp "$work/op.pub" "$work/authorized_operators"

# measure LABEL CMD...: median wall time of 5 runs and the peak RSS of the command.
measure() {
  local label=$1; shift
  python3 - "$label" "$@" <<'PY'
import resource, statistics, subprocess, sys, time
times = []
for _ in range(5):
    start = time.perf_counter()
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{sys.argv[1]}\t{statistics.median(times):.3f}\t{rss}")
PY
}

# One sshd on loopback, allowing many concurrent logins, for parallel-ssh.
ssh-keygen -q -t ed25519 -N '' -f "$work/sshd_host"
sshd_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/home/.ssh" /run/sshd
cp "$work/op.pub" "$work/authorized_keys_sshd"
cat > "$work/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $sshd_port
HostKey $work/sshd_host
AuthorizedKeysFile $work/authorized_keys_sshd
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 2000
MaxSessions 2000
PidFile $work/sshd.pid
StrictModes no
CFG
/usr/sbin/sshd -f "$work/sshd_config" -D -E "$work/sshd.log" &
pids+=($!); disown
sleep 0.5

printf "%-6s %-28s %10s %12s\n" N tool "median s" "peak RSS KB"
for n in "${sizes[@]}"; do
  # N agents, each with its own state and root.
  "$daybook" init "$work/fleet-$n" > /dev/null
  sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$work/op\"|; s|parallel = 100|parallel = $n|" "$work/fleet-$n/daybook.toml"
  hosts="$work/fleet-$n/inventory/hosts.toml"
  echo '[defaults]' > "$hosts"; echo 'port = 7022' >> "$hosts"
  agent_pids=()
  for i in $(seq 1 "$n"); do
    d="$work/a$n-$i"; mkdir -p "$d/root"
    printf 'listen = "127.0.0.1:0"\nstate_dir = "%s/state"\nauthorized_operators = "%s/authorized_operators"\nroot = "%s/root"\n' "$d" "$work" "$d" > "$d/agent.toml"
    "$agent" --config "$d/agent.toml" > "$d/out" 2> "$d/log" &
    pids+=($!); agent_pids+=($!); disown
  done
  for i in $(seq 1 "$n"); do
    d="$work/a$n-$i"
    until grep -q '^listening on' "$d/out" 2>/dev/null; do sleep 0.02; done
    printf '[hosts.h%03d]\naddress = "127.0.0.1"\nport = %s\n' "$i" "$(sed 's/.*://' "$d/out")" >> "$hosts"
  done
  (cd "$work/fleet-$n" && "$daybook" ping --accept-new-host-keys > /dev/null) || { echo "first ping failed"; exit 1; }
  sleep 1
  rss=$(ps -o rss= -p "${agent_pids[0]}" | tr -d ' ')
  ours=$(cd "$work/fleet-$n" && measure daybook "$daybook" ping --target all)
  # parallel-ssh: the same number of full SSH connections running `true`.
  for i in $(seq 1 "$n"); do echo "127.0.0.1:$sshd_port"; done > "$work/pssh-hosts-$n"
  peer=$(measure parallel-ssh parallel-ssh -p "$n" -h "$work/pssh-hosts-$n" -l root -t 60 \
           -x "-i $work/op -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR" true)
  printf "%-6s %-28s %10s %12s\n" "$n" "daybook ping" "$(cut -f2 <<< "$ours")" "$(cut -f3 <<< "$ours")"
  printf "%-6s %-28s %10s %12s\n" "$n" "parallel-ssh -p $n true" "$(cut -f2 <<< "$peer")" "$(cut -f3 <<< "$peer")"
  if command -v ansible > /dev/null; then
    for i in $(seq 1 "$n"); do echo "h$i ansible_host=127.0.0.1 ansible_port=$sshd_port"; done > "$work/ansible-$n"
    ans=$(ANSIBLE_HOST_KEY_CHECKING=False measure ansible ansible all -i "$work/ansible-$n" -f "$n" -u root \
            --private-key "$work/op" -m command -a true)
    printf "%-6s %-28s %10s %12s\n" "$n" "ansible -f $n command true" "$(cut -f2 <<< "$ans")" "$(cut -f3 <<< "$ans")"
  fi
  python3 -c "import sys; a=float('$(cut -f2 <<< "$ours")'); b=float('$(cut -f2 <<< "$peer")'); print(f'       ratio parallel-ssh / daybook: {b/a:.1f}x; agent idle RSS: $rss KB')"
  for p in "${agent_pids[@]}"; do kill "$p" 2>/dev/null || true; done
done
