#!/usr/bin/env bash
# Agents on loopback and the controller's ping, over real SSH: pinning,
# operator keys, refusals (also with OpenSSH's own client), malformed
# frames, half-open connections, a killed agent, signals.
source "$(dirname "$0")/lib.sh" "$@"
ssh_opts=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR)
unset SSH_AUTH_SOCK

ssh-keygen -q -t ed25519 -N '' -C operator -f "$WORK/op"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$WORK/stranger"
cp "$WORK/op.pub" "$WORK/authorized_operators"

# Configuration is checked strictly.
printf 'listen = "localhost:7022"\nroot = "relative"\n' > "$WORK/bad.toml"
expect_exit 2 "$AGENT" --config "$WORK/bad.toml" --check-config
expect_in "$WORK/err" "bad.toml:1:10: error: bad listen address"
expect_in "$WORK/err" "bad.toml:2:8: error: root \"relative\" must be an absolute"

ports=()
for n in 1 2 3; do
  start_agent "agent-$n"
  ports+=("$AGENT_PORT")
  pids[$n]=$AGENT_PID
done
[[ $(stat -c %a "$WORK/agent-1/state/host_key") == 600 ]] || fail "host key is not 0600"
expect_in "$WORK/agent-1/log" "host key created fingerprint=SHA256:"

expect_exit 0 "$DAYBOOK" init fleet
cd fleet
sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$WORK/op\"|" daybook.toml
echo "ops@example $(cat "$WORK/op.pub")" >> allowed_signers  # pins are signed by the operator
{ echo '[defaults]'; echo 'port = 7022'
  for n in 1 2 3; do printf '[hosts.agent-%s]\naddress = "127.0.0.1"\nport = %s\n' "$n" "${ports[$((n-1))]}"; done
} > inventory/hosts.toml
expect_exit 0 "$DAYBOOK" validate

# Unknown host keys are refused, then pinned on request, then known.
expect_exit 1 "$DAYBOOK" ping
expect_in "$WORK/out" "unknown host key SHA256:"
expect_exit 0 "$DAYBOOK" ping --accept-new-host-keys
expect_in "$WORK/out" "3 of 3 hosts reachable; 3 new host key(s) pinned"
ssh-keygen -F "[127.0.0.1]:${ports[0]}" -f inventory/known_hosts > /dev/null || fail "ssh-keygen -F cannot find the pinned key"
# Each acceptance was journaled first, and the journal verifies.
expect_exit 0 "$DAYBOOK" journal show --type host.key_pinned
expect_in "$WORK/out" "3 of 3 records"
expect_exit 0 "$DAYBOOK" journal verify --require-sealed
# -v: a line per host on stderr even when piped; -q: nothing but results.
expect_exit 0 "$DAYBOOK" ping -v
[[ $(grep -c '^ping: agent-[0-9]* ok ([0-9]*ms)$' "$WORK/err") -eq $(grep -c '^agent-' "$WORK/out") ]] || fail "ping -v: not a line per host"
expect_exit 0 "$DAYBOOK" -q ping
[[ ! -s "$WORK/err" ]] || fail "ping -q wrote to stderr"
expect_exit 0 "$DAYBOOK" ping --output json
python3 - "$WORK/out" <<'PY' || fail "ping json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["reachable"] == 3 and d["total"] == 3, d
for h in d["hosts"]:
    f = h["facts"]
    assert h["reachable"] and h["latency_ms"] >= 0 and f["agent_version"] and f["kernel"] and f["boot_id"], h
    assert f["reboot_required"] is False and f["package_backend"] == "none", f
PY
expect_in "$WORK/agent-1/log" "requests: hello,facts"

# A changed host key is always refused, even with --accept-new-host-keys.
cp inventory/known_hosts "$WORK/known_hosts.good"
sed -i "s|^\[127.0.0.1\]:${ports[0]} .*|[127.0.0.1]:${ports[0]} $(cut -d' ' -f1,2 "$WORK/stranger.pub")|" inventory/known_hosts
expect_exit 1 "$DAYBOOK" ping --accept-new-host-keys --target agent-1
expect_in "$WORK/out" "REMOTE HOST IDENTIFICATION HAS CHANGED for [127.0.0.1]:${ports[0]}"
cp "$WORK/known_hosts.good" inventory/known_hosts

# An operator key the agents do not list is refused.
sed -i "s|key = \"$WORK/op\"|key = \"$WORK/stranger\"|" daybook.toml
expect_exit 1 "$DAYBOOK" ping --target agent-1
expect_in "$WORK/out" "permission denied (publickey)"
expect_in "$WORK/agent-1/log" "refused: key not authorized"
# Keys are read again at every login: adding one takes effect at once.
cat "$WORK/stranger.pub" >> "$WORK/authorized_operators"
expect_exit 0 "$DAYBOOK" ping --target agent-1
kill -HUP "${pids[1]}"
sed -i "s|key = \"$WORK/stranger\"|key = \"$WORK/op\"|" daybook.toml
cp "$WORK/op.pub" "$WORK/authorized_operators"

# An unusable operator key file (encrypted, no agent) is one clear error.
ssh-keygen -q -t ed25519 -N secret -f "$WORK/locked"
sed -i "s|key = \"$WORK/op\"|key = \"$WORK/locked\"|" daybook.toml
expect_exit 2 "$DAYBOOK" ping
expect_in "$WORK/err" "cannot be used: the private key is encrypted; load it into ssh-agent"
sed -i "s|key = \"$WORK/locked\"|key = \"$WORK/op\"|" daybook.toml

# OpenSSH's own client: no exec, no shell, no password, no none.
p=${ports[0]}
expect_exit 255 ssh "${ssh_opts[@]}" -i "$WORK/op" -p "$p" 127.0.0.1 id
expect_in "$WORK/err" "exec request failed"
expect_exit 255 ssh "${ssh_opts[@]}" -i "$WORK/op" -p "$p" -tt 127.0.0.1
expect_in "$WORK/err" "PTY allocation request failed"
expect_exit 255 ssh "${ssh_opts[@]}" -o PreferredAuthentications=password -p "$p" 127.0.0.1 true
expect_in "$WORK/err" "Permission denied (publickey)"
expect_exit 255 ssh "${ssh_opts[@]}" -o PreferredAuthentications=none -p "$p" 127.0.0.1 true
expect_exit 255 ssh "${ssh_opts[@]}" -i "$WORK/op" -p "$p" -N -L 127.0.0.1:0:127.0.0.1:22 -o ExitOnForwardFailure=yes 127.0.0.1
expect_in "$WORK/agent-1/log" "refused: exec"

# Oversize and malformed frames get a signed error frame; the agent serves on.
frames() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$1"; }
frames 7fffffff | ssh "${ssh_opts[@]}" -i "$WORK/op" -p "$p" -s 127.0.0.1 daybook > "$WORK/resp1" 2>/dev/null
frames 000000047b626164 | ssh "${ssh_opts[@]}" -i "$WORK/op" -p "$p" -s 127.0.0.1 daybook > "$WORK/resp2" 2>/dev/null
for r in resp1 resp2; do
  python3 -c 'import json,sys; d=open(sys.argv[1],"rb").read(); b=json.loads(d[4:])["body"]; assert b["code"]=="bad_frame", b; print(b["message"])' "$WORK/$r" \
    > "$WORK/$r.msg" || fail "no error frame in $r"
done
expect_in "$WORK/resp1.msg" "exceeds the limit"
expect_in "$WORK/resp2.msg" "malformed frame"
expect_exit 0 "$DAYBOOK" ping

# 60 half-open TCP connections from another address do not keep a ping
# out: they fill their own source's share of unauthenticated connections
# (per_source_max_startups), and the rest are dropped before key exchange.
python3 - "$p" "$WORK/halfopen.ready" > /dev/null 2>&1 <<'PY' &
import socket, sys, time
socks = []
for _ in range(60):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", int(sys.argv[1])))
    socks.append(s)
open(sys.argv[2], "w").close()
time.sleep(8)
PY
PIDS+=($!)
wait_for_file "$WORK/halfopen.ready"
expect_exit 0 "$DAYBOOK" ping --target agent-1 --timeout 5s
expect_in "$WORK/out" "1 of 1 hosts reachable"

# max_startups and the login grace: two idle connections fill an agent
# whose startup budget is 2; a first-time address is then turned away before
# key exchange, while the operator's address, which authenticated before,
# still gets in; the grace time cuts the idle ones.
start_agent capped $'max_sessions = 2\nmax_startups = "2"\nlogin_grace = "1s"'
capped_port=$AGENT_PORT
printf '[hosts.capped]\naddress = "127.0.0.1"\nport = %s\n' "$capped_port" >> inventory/hosts.toml
expect_exit 0 "$DAYBOOK" ping --target capped --accept-new-host-keys
python3 - "$capped_port" "$WORK/idle.ready" > /dev/null 2>&1 <<'PY' &
import socket, sys, time
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", int(sys.argv[1])))
    socks.append(s)
time.sleep(0.3)  # let the agent accept both before the file says so
open(sys.argv[2], "w").close()
time.sleep(6)
PY
PIDS+=($!)
wait_for_file "$WORK/idle.ready"
expect_exit 255 ssh -b 127.0.0.3 -p "$capped_port" -i "$WORK/op" "${ssh_opts[@]}" -s 127.0.0.1 daybook
expect_exit 0 "$DAYBOOK" ping --target capped --connect-timeout 2s
sleep 1.5
expect_exit 0 "$DAYBOOK" ping --target capped
expect_in "$WORK/capped/log" "login grace time expired"
expect_in "$WORK/capped/log" "unauthenticated connection(s) before key exchange: max_startups: 2"

# max_sessions counts authenticated sessions: two open ones fill the agent,
# a third operator session is refused (and says why in the log).
for n in 1 2; do
  sleep 5 | ssh -p "$capped_port" -i "$WORK/op" "${ssh_opts[@]}" -s 127.0.0.1 daybook > /dev/null 2>&1 &
  PIDS+=($!)
done
sleep 1  # both sessions authenticate in milliseconds; a generous wait, not a measurement
expect_exit 1 "$DAYBOOK" ping --target capped
expect_in "$WORK/capped/log" "2 sessions already open (max_sessions)"

# One agent killed: it is unreachable within the timeout, the others answer.
kill -9 "${pids[3]}"
# (timeout only guards against a hang; the ping's own timeouts bound it)
expect_exit 1 timeout 60 "$DAYBOOK" ping --connect-timeout 2s --target 'agent-*'
expect_in "$WORK/out" "2 of 3 hosts reachable"
grep -q '^agent-3  *NO ' "$WORK/out" || fail "agent-3 not reported unreachable"
expect_in "$WORK/out" "connect: 127.0.0.1:${ports[2]}: "   # the port is half of the answer

# SIGTERM: stop accepting, exit 0.
kill -TERM "${pids[2]}"
rc=0; wait "${pids[2]}" || rc=$?
[[ $rc -eq 0 ]] || fail "agent exited $rc on SIGTERM"
expect_in "$WORK/agent-2/log" "stopped"

finish
