# Shared set-up for the benchmarks: a work dir cleaned on exit, peers
# installed when missing, medians, an OpenSSH sshd on loopback for the peers
# (parallel-ssh, Ansible), and N daybook agents on loopback listed in a fleet.
# Usage: source bench/lib.sh BUILD_DIR NAME; sets $daybook, $agent, $work.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
daybook="$build/bin/daybook"
agent="$build/bin/daybook-agent"
bench_name=$2
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export BENCH_DIR  # bench_row.py, for measure and timed
work=$(mktemp -d "${TMPDIR:-/tmp}/daybook-$2.XXXXXX")
pids=()
exit_steps=()
# on_exit CMD: run at exit, before the work dir goes (peers.sh's login user).
on_exit() { exit_steps+=("$1"); }
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for step in "${exit_steps[@]}"; do eval "$step" || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
# die MESSAGE: the benchmark stops, and no figure of it is printed.
die() { echo "bench $bench_name: FAILED: $*" >&2; exit 1; }
unset SSH_AUTH_SOCK
ssh-keygen -q -t ed25519 -N '' -f "$work/op"
cp "$work/op.pub" "$work/authorized_operators"

# need_peer PKG...: installs the Debian packages a comparison needs, without
# recommends, and without starting their services (policy-rc.d says no for
# the install): openssh-server must not start a system sshd on port 22; the
# benchmarks run their own on loopback.
need_peer() {
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && continue
    echo "installing $pkg (benchmark peer)"
    local policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      on_exit "rm -f /usr/sbin/policy-rc.d"  # also when the run is stopped during the install
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" > "$work/apt-$pkg.log" 2>&1 ||
      { [[ -z $policy ]] || rm -f /usr/sbin/policy-rc.d; tail -5 "$work/apt-$pkg.log"; die "cannot install $pkg"; }
    [[ -z $policy ]] || rm -f /usr/sbin/policy-rc.d
    # Installed, a server is also enabled to start at the next boot (sshd on
    # port 22 with Debian's defaults): the benchmarks run their own.
    if [[ $pkg == openssh-server ]] && command -v systemctl > /dev/null; then
      systemctl disable ssh.service ssh.socket > /dev/null 2>&1 || true
    fi
  done
}

# Timing by hand, for steps that are not one command: t=$(now); ...; elapsed "$t".
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$(now) - $1:.3f}')"; }
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }

# measure LABEL RUNS CMD...: runs CMD RUNS times and prints
# "LABEL<TAB>median wall seconds<TAB>peak RSS KB of the children". A run
# that fails (non-zero exit) stops the benchmark with its output's tail:
# no figure is ever printed from a failed run (measure exits 1, and a
# caller's `x=$(measure ...)` under set -e stops there). Each figure is also
# a JSON row in $BENCH_ROWS (when set; bench/bench_row.py says its fields;
# bench/table.py renders them), with the peak RSS of the largest child
# and cpu_s: user + system seconds of the command and its children, mean
# per run.
measure() {
  local label=$1 runs=$2; shift 2
  python3 - "$label" "$runs" "$bench_name" "${BENCH_GROUP:-}" "${BENCH_ROWS:-}" "$@" <<'PY'
import os, resource, subprocess, sys, time
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.environ["BENCH_DIR"])
import bench_row
label, runs, bench, group, rows, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    times.append(time.perf_counter() - start)
    if done.returncode != 0:
        tail = done.stdout.decode(errors="replace").strip().splitlines()[-5:]
        print(f"bench {bench}: FAILED: {label}: exit {done.returncode}: " + " | ".join(tail), file=sys.stderr)
        sys.exit(1)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
rss = usage.ru_maxrss
median = bench_row.record(rows, bench, group, label, times, rss, (usage.ru_utime + usage.ru_stime) / runs)
print(f"{label}\t{median:.3f}\t{rss}")
PY
}

# timed GROUP LABEL SECONDS...: a row of timings taken by hand (steps that
# are not one command, or need a fresh directory per run), each of which
# the caller checked; median and spread as measure gives them.
timed() {
  local group=$1 label=$2
  shift 2
  python3 - "$bench_name" "$group" "$label" "${BENCH_ROWS:-}" "$@" <<'PY'
import os, sys
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.environ["BENCH_DIR"])
import bench_row
bench, group, label, rows, times = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], [float(t) for t in sys.argv[5:]]
median = bench_row.record(rows, bench, group, label, times)
print(f"{label}\t{median:.3f}")
PY
}

# figure GROUP LABEL VALUE UNIT: a figure that is no timing (an RSS, a
# size), as a row in $BENCH_ROWS too.
figure() {
  [[ "$3" =~ ^[0-9.]+$ ]] || die "$2: no figure ('$3')"
  echo "$2: $3 $4"
  [[ -z "${BENCH_ROWS:-}" ]] || python3 -c 'import json,sys; print(json.dumps({"bench": sys.argv[1], "group": sys.argv[2], "label": sys.argv[3], "value": float(sys.argv[4]), "unit": sys.argv[5]}))' \
    "$bench_name" "$1" "$2" "$3" "$4" >> "$BENCH_ROWS"
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
    local waited=0
    until grep -q '^listening on' "$d/out" 2>/dev/null; do
      ((waited++ < 3000)) || die "agent h$i did not start: $(tail -2 "$d/log")"
      sleep 0.02
    done
    printf '[hosts.h%s]\naddress = "127.0.0.1"\nport = %s\n' "$i" "$(sed 's/.*://' "$d/out")" >> "$hosts"
  done
  (cd "$fleet" && git add -A && git -c user.name=b -c user.email=b@example.org commit -qm fleet &&
     "$daybook" ping --accept-new-host-keys > /dev/null) || { echo "fleet of $n: first ping failed"; exit 1; }
}
