# Shared set-up for the benchmarks: a work dir cleaned on exit, peers
# installed when missing, medians, an OpenSSH sshd on loopback for the peers
# (parallel-ssh, Ansible), and N daybook agents on loopback listed in a fleet.
# Usage: source bench/lib.sh BUILD_DIR NAME; sets $daybook, $agent, $work.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
daybook="$build/bin/daybook"
agent="$build/bin/daybook-agent"
work=$(mktemp -d "${TMPDIR:-/tmp}/daybook-$2.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
unset SSH_AUTH_SOCK
ssh-keygen -q -t ed25519 -N '' -f "$work/op"
cp "$work/op.pub" "$work/authorized_operators"

# need_peer PKG...: installs the Debian packages a comparison needs, without recommends.
need_peer() {
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || {
      echo "installing $pkg (benchmark peer)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" > /dev/null; }
  done
}

# Timing by hand, for steps that are not one command: t=$(now); ...; elapsed "$t".
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$(now) - $1:.3f}')"; }
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }

# measure LABEL RUNS CMD...: "LABEL<TAB>median wall seconds<TAB>peak RSS KB of the children".
measure() {
  local label=$1 runs=$2; shift 2
  python3 - "$label" "$runs" "$@" <<'PY'
import resource, statistics, subprocess, sys, time
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    done = subprocess.run(sys.argv[3:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
    if done.returncode != 0:
        print(f"{sys.argv[1]}: exit {done.returncode}", file=sys.stderr)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{sys.argv[1]}\t{statistics.median(times):.3f}\t{rss}")
PY
}

# start_sshd [N]: an sshd on 127.0.0.1 (and 127.0.0.2..N, so that each peer
# host has an address of its own, as Ansible's connection sharing expects),
# allowing many logins with the operator key; sets $sshd_port.
start_sshd() {
  local addresses=${1:-1}
  need_peer openssh-server
  ssh-keygen -q -t ed25519 -N '' -f "$work/sshd_host"
  sshd_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p /run/sshd
  cp "$work/op.pub" "$work/authorized_keys_sshd"
  for i in $(seq 1 "$addresses"); do echo "ListenAddress 127.0.0.$i"; done > "$work/sshd_config"
  cat >> "$work/sshd_config" <<CFG
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
  pids+=($!)
  sleep 0.5
}

# start_fleet DIR N [AGENT_TOML_EXTRA]: N agents h001..hN on loopback, and a
# fleet repository at DIR listing them with their keys pinned (parallel N).
start_fleet() {
  local fleet=$1 n=$2 extra=${3:-}
  "$daybook" init "$fleet" > /dev/null
  sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$work/op\"|; s|parallel = 100|parallel = $n|" "$fleet/daybook.toml"
  echo "ops@example $(cat "$work/op.pub")" >> "$fleet/allowed_signers"
  rm -f "$fleet/manifests/example.toml"
  local hosts="$fleet/inventory/hosts.toml"
  printf '[defaults]\nport = 7022\n' > "$hosts"
  agent_pids=()
  for i in $(seq -f '%03g' 1 "$n"); do
    local d="$fleet.agents/h$i"; mkdir -p "$d/root"
    printf 'listen = "127.0.0.1:0"\nstate_dir = "%s/state"\nauthorized_operators = "%s/authorized_operators"\nroot = "%s/root"\n%s\n' \
      "$d" "$work" "$d" "$extra" > "$d/agent.toml"
    "$agent" --config "$d/agent.toml" > "$d/out" 2> "$d/log" &
    pids+=($!); agent_pids+=($!)
  done
  for i in $(seq -f '%03g' 1 "$n"); do
    local d="$fleet.agents/h$i"
    until grep -q '^listening on' "$d/out" 2>/dev/null; do sleep 0.02; done
    printf '[hosts.h%s]\naddress = "127.0.0.1"\nport = %s\n' "$i" "$(sed 's/.*://' "$d/out")" >> "$hosts"
  done
  (cd "$fleet" && git add -A && git -c user.name=b -c user.email=b@example.org commit -qm fleet &&
     "$daybook" ping --accept-new-host-keys > /dev/null) || { echo "fleet of $n: first ping failed"; exit 1; }
}

# peer_inventories N [DISTINCT]: $work/pssh-hosts-N and $work/ansible-N, N
# logins to the sshd; with DISTINCT, host i is 127.0.0.i (start_sshd N).
peer_inventories() {
  local address=127.0.0.1
  for i in $(seq 1 "$1"); do [[ -n "${2:-}" ]] && address=127.0.0.$i; echo "$address:$sshd_port"; done > "$work/pssh-hosts-$1"
  for i in $(seq 1 "$1"); do [[ -n "${2:-}" ]] && address=127.0.0.$i; echo "h$i ansible_host=$address ansible_port=$sshd_port"; done > "$work/ansible-$1"
}
pssh_opts() { echo "-i $work/op -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"; }
