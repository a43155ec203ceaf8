#!/usr/bin/env bash
# Operator logins during a pre-authentication flood. One agent (defaults:
# max_startups 10:30:100, per_source_max_startups 8, login_grace 20s); a
# flooder holds idle TCP connections (no key, no bytes) and opens new ones
# as the agent drops them, from FLOOD_SOURCES addresses (127.0.0.2...);
# meanwhile the operator, from 127.0.0.1, runs `daybook ping` once a second.
# Prints how many logins succeeded, and their median time. Every ping is
# checked: a failed one counts as a refused login, never as a time.
# With "untrusted" last, the agent trusts no address (trust_authenticated_sources
# = "0s"): the operator is then a first-time address, as with OpenSSH.
#   bench/preauth_flood.sh BUILD_DIR [SECONDS] [FLOOD_SOURCES] [CONNECTIONS_PER_SOURCE] [untrusted]
source "$(dirname "$0")/lib.sh" "${1:-build}" preauth-flood
seconds=${2:-30}
sources=${3:-1}
per_source=${4:-64}
trust=""
[[ "${5:-}" == untrusted ]] && trust='trust_authenticated_sources = "0s"'

mkdir -p "$work/agent/root"
cat > "$work/agent/agent.toml" <<TOML
listen = "127.0.0.1:0"
state_dir = "$work/agent/state"
authorized_operators = "$work/authorized_operators"
root = "$work/agent/root"
$trust
TOML
"$agent" --config "$work/agent/agent.toml" > "$work/agent/out" 2> "$work/agent/log" &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/agent/out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/agent/out")
[[ -n "$port" ]] || { echo "the agent did not start" >&2; exit 1; }

"$daybook" init "$work/fleet" > /dev/null
cd "$work/fleet"
sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$work/op\"|" daybook.toml
printf '[hosts.agent]\naddress = "127.0.0.1"\nport = %s\n' "$port" > inventory/hosts.toml
"$daybook" ping --accept-new-host-keys > /dev/null || { echo "baseline ping failed: the agent does not serve" >&2; exit 1; }

python3 - "$port" "$sources" "$per_source" "$((seconds + 2))" > "$work/flood.log" 2>&1 <<'PY' &
import selectors, socket, sys, time
port, sources, per_source, until = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), time.time() + float(sys.argv[4])
held, opened = {}, 0
def connect(src):
    global opened
    s = socket.socket()
    s.setblocking(False)
    s.bind((f"127.0.0.{2 + src}", 0))
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    held[s] = src
    opened += 1
sel = selectors.DefaultSelector()
for src in range(sources):
    for _ in range(per_source):
        connect(src)
while time.time() < until:
    # Reopen whatever the agent closed, so the flood never lets up.
    for s, src in list(held.items()):
        try:
            if s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b"":
                raise ConnectionResetError
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            pass
        s.close()
        del held[s]
        connect(src)
    time.sleep(0.05)
print("connections opened", opened)
PY
flood=$!
pids+=($flood)
sleep 1
ok=0 total=0 times=()
end=$(( $(date +%s) + seconds ))
while [[ $(date +%s) -lt $end ]]; do
  t=$(now)
  total=$((total + 1))
  if "$daybook" ping --connect-timeout 5s > /dev/null 2>&1; then
    ok=$((ok + 1))
    times+=("$(elapsed "$t")")
  fi
  sleep 1
done
wait "$flood" 2>/dev/null || true
opened=$(sed -n 's/^connections opened //p' "$work/flood.log")
echo "flood: ${sources} source(s) x ${per_source} idle connections, ${opened:-?} opened in ${seconds}s"
echo "operator logins that succeeded: $ok of $total"
[[ $ok -gt 0 ]] && echo "median login (ping) time: $(median "${times[@]}") s"
grep -o 'dropped [0-9]* unauthenticated connection(s) before key exchange: [a-z_-]*' "$work/agent/log" | head -3
