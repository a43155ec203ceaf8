#!/usr/bin/env bash
# No input brings the agent or the controller down. Each case below killed
# one of them before: wrongly typed fields, an invalid UTF-8 byte, a hook
# printing accented text, a file name that is not UTF-8, an agent that
# answers like a compromised host, a flood of idle connections, too many
# keys on one connection, a huge timeout, a pack bomb, terminal escapes in
# remote text. After each, the agent still serves and the journal verifies.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"
HOSTILE=${DAYBOOK_HOSTILE_AGENT:?the hostile_agent test tool}
RAW="$E2E_DIR/rawframes.py"
make_fleet 2
port=${PORTS[1]}
agent_pid=${APIDS[1]}

alive() {
  kill -0 "$agent_pid" 2>/dev/null || fail "agent-1 died: $1"
  "$DAYBOOK" ping --target agent-1 > "$WORK/alive.out" 2>&1 || { fail "agent-1 does not answer after: $1"; cat "$WORK/alive.out" >&2; }
}

frame() { printf '%s' "$2" > "$WORK/$1"; }

# 1. Wrongly typed fields: an error answer naming the field; the session goes on.
frame hello.f '{"type":"hello","protocols":[1],"client":"raw"}'
frame drift.f '{"type":"deploy.status","drift":"yes"}'
frame keep.f '{"type":"apply","intervention":"01RAW","deploys":[{"name":"app","path":"/srv/app","commit":"abc","keep":"5","after":[],"timeout_ms":1000}]}'
frame timeout.f '{"type":"apply","intervention":"01RAW","deploys":[{"name":"app","path":"/srv/app","commit":"abc","keep":5,"after":["true"],"timeout_ms":18446744073709551615}]}'
frame patch.f '{"type":"patch.plan","patch":{"policy":["security"]}}'
frame deep.f '{"type":"deploy.status","deploys":[{"name":{"a":1}}]}'
frame facts.f '{"type":"facts"}'
python3 "$RAW" send "$port" "$WORK/op" "$WORK"/{hello,drift,keep,timeout,patch,deep,facts}.f > "$WORK/typed.out" || fail "rawframes"
expect_in "$WORK/typed.out" '"message":"deploy.status.drift: expected a boolean, got a string"'
expect_in "$WORK/typed.out" '"message":"apply.deploys[0].keep: expected an integer, got a string"'
expect_in "$WORK/typed.out" 'apply.deploys[0].timeout_ms: 18446744073709551615 is out of range'
expect_in "$WORK/typed.out" '"message":"patch.plan.patch.policy: expected a string, got an array"'
expect_in "$WORK/typed.out" '"message":"deploy.status.deploys[0].name: expected a string, got an object"'
expect_in "$WORK/typed.out" '"type":"facts"'   # the session went on after the errors
alive "wrongly typed fields"
[[ ! -e "$WORK/agent-1/root/srv/app" ]] || fail "a refused apply touched the deploy path"

# 2. One invalid UTF-8 byte in a frame: a bad_frame answer, the session ends, the agent lives.
printf '{"type":"hello","client":"caf\xe9"}' > "$WORK/utf8.f"
python3 "$RAW" send "$port" "$WORK/op" "$WORK/utf8.f" > "$WORK/utf8.out" || fail "rawframes utf8"
expect_in "$WORK/utf8.out" '"code":"bad_frame"'
expect_in "$WORK/utf8.out" 'session ended'
alive "an invalid UTF-8 byte"

# 3. A hook that prints a bit over 2,000 bytes of accented UTF-8 (and a
#    non-UTF-8 byte): the push succeeds and the journal shows the tail.
v1=$(app_commit 1.0 3)
write_manifest v1.0 /srv/app '["sh", "-c", "i=0; while [ $i -lt 700 ]; do printf \"é\"; i=$((i+1)); done; printf \"\\351 done\\n\"; printf \"FATAL: nothing really\\n\" >&2"]'
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes --output json
python3 - "$WORK/out" <<'PY' || fail "push with an accented hook"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"] == "completed", d["outcome"]
assert all(h["status"] == "ok" for h in d["hosts"]), [h["status"] for h in d["hosts"]]
PY
expect_exit 0 "$DAYBOOK" journal show --type host.result --output json
expect_in "$WORK/out" '\\xE9 done'
alive "an accented hook"

# 4. A file whose name is not UTF-8, in the deployed tree and stray on the host.
printf 'x' > "$WORK/app/caf$(printf '\xe9').txt"
git -C "$WORK/app" add -A && git -C "$WORK/app" commit -qm latin1 && git -C "$WORK/app" tag v1.1
write_manifest v1.1 /srv/app none
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
printf 'stray' > "$WORK/agent-1/root/srv/app/current/stray$(printf '\xff').bin"
expect_exit 1 "$DAYBOOK" status --verbose
expect_in "$WORK/out" 'stray\xFF.bin'
expect_exit 0 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/out" 'repair'
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
[[ ! -e "$WORK/agent-1/root/srv/app/current/stray$(printf '\xff').bin" ]] || fail "the stray file was not repaired away"
alive "a non-UTF-8 file name"

# 5. A compromised agent answers with wrong types, unknown types, a zero
#    chunk size, escape sequences: its host fails with a clear error, the
#    others carry on, the intervention closes, nothing escapes to the terminal.
mkdir -p "$WORK/hostile"
cp "$WORK/authorized_operators" "$WORK/hostile/"
start_hostile() {
  pkill -f "hostile_agent $WORK/hostile" 2>/dev/null || true
  rm -f "$WORK/hostile/host_key"
  "$HOSTILE" "$WORK/hostile" "$1" > "$WORK/hostile/out" 2> "$WORK/hostile/log" &
  PIDS+=("$!")
  for _ in $(seq 1 100); do grep -q '^listening on ' "$WORK/hostile/out" 2>/dev/null && break; sleep 0.05; done
  hport=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$WORK/hostile/out")
  sed -i '/^\[hosts.evil\]/,$d' inventory/hosts.toml
  printf '[hosts.evil]\naddress = "127.0.0.1"\nport = %s\n' "$hport" >> inventory/hosts.toml
  sed -i '/127.0.0.1\]:'"$hport"' /d' inventory/known_hosts
  git add -A && git commit -qm "hostile $1" > /dev/null
  "$DAYBOOK" ping --target evil --accept-new-host-keys > /dev/null 2>&1 || true
  git add -A && git commit -qm "pin hostile $1" > /dev/null
}
v2=$(app_commit 2.0 3)
write_manifest v2.0 /srv/app none 2 all
for mode in wrong-types unknown-type huge-chunk control-chars; do
  start_hostile "$mode"
  expect_exit 1 "$DAYBOOK" plan manifests/app.toml
  expect_exit 1 "$DAYBOOK" status
  expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes --output json
  python3 - "$WORK/out" "$mode" <<'PY' || fail "push against a $2 agent"
import json, sys
d = json.load(open(sys.argv[1]))
hosts = {h["host"]: h for h in d["hosts"]}
evil = hosts["evil"]
assert evil["status"] in ("failed", "unreachable"), evil
assert evil["error"], evil
for name in ("agent-1", "agent-2"):
    assert hosts[name]["status"] in ("ok", "skipped"), hosts[name]
PY
  expect_exit 0 "$DAYBOOK" journal verify
done
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes
if grep -q $'\x1b' "$WORK/out" "$WORK/err"; then fail "an escape sequence reached the terminal"; fi
expect_exit 0 "$DAYBOOK" ping
if grep -q $'\x1b' "$WORK/out" "$WORK/err"; then fail "ping printed an escape sequence"; fi
expect_in "$WORK/out" 'evil\x1B]0;pwned\x07'
start_hostile wrong-types
expect_exit 1 "$DAYBOOK" ping --target evil
expect_in "$WORK/out" 'facts.facts.boot_id: expected a string, got an integer'
start_hostile hostile-hello
expect_exit 1 "$DAYBOOK" ping --target evil
if grep -q $'\x1b' "$WORK/out" "$WORK/err"; then fail "a hostile hello reached the terminal"; fi
pkill -f "hostile_agent $WORK/hostile" 2>/dev/null || true
sed -i '/^\[hosts.evil\]/,$d' inventory/hosts.toml
git add -A && git commit -qm "no more hostile agent" > /dev/null
expect_exit 0 "$DAYBOOK" journal verify

# 6. 64 idle TCP connections from another address, no key, no bytes: the
#    operator still gets in, and the flood is dropped before key exchange.
python3 - "$port" > "$WORK/flood.out" <<'PY' &
import socket, sys, time
held = []
for _ in range(64):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    try:
        s.connect(("127.0.0.1", int(sys.argv[1])))
        held.append(s)
    except OSError:
        pass
print("holding", len(held), flush=True)
time.sleep(8)
PY
flood_pid=$!
PIDS+=("$flood_pid")
for _ in $(seq 1 100); do grep -q holding "$WORK/flood.out" 2>/dev/null && break; sleep 0.05; done
ok=0
for _ in $(seq 1 5); do "$DAYBOOK" ping --target agent-1 > /dev/null 2>&1 && ok=$((ok + 1)); done
[[ $ok == 5 ]] || fail "operator logins during a 64-connection flood: $ok of 5"
wait "$flood_pid" 2>/dev/null || true
expect_in "$WORK/agent-1/log" "unauthenticated connection(s) before key exchange: per-source limit of 8"
alive "a connection flood"

# 7. More keys than max_auth_tries on one connection: cut.
for k in 1 2 3 4 5 6 7; do ssh-keygen -q -t ed25519 -N '' -f "$WORK/k$k"; done
ssh -p "$port" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
  -o LogLevel=ERROR $(for k in 1 2 3 4 5 6 7; do printf -- '-i %s ' "$WORK/k$k"; done) -i "$WORK/op" \
  -s 127.0.0.1 daybook < /dev/null > /dev/null 2>&1 && fail "the 8th key got in after 7 failures"
expect_in "$WORK/agent-1/log" "too many authentication failures"
alive "too many keys"

# 8. A 1 GiB blob compressed into about a megabyte: refused from its header,
#    the agent never inflates it.
python3 - "$WORK" <<'PY' || fail "build the pack bomb"
import base64, hashlib, json, struct, sys, zlib
work = sys.argv[1]
size = 1 << 30
z = zlib.compressobj(9)
chunk = bytes(1 << 20)
data = b"".join(z.compress(chunk) for _ in range(size >> 20)) + z.flush()
header = bytes([0x80 | (3 << 4) | (size & 0xF)])
rest = size >> 4
while rest:
    b = rest & 0x7F
    rest >>= 7
    header += bytes([b | (0x80 if rest else 0)])
pack = b"PACK" + struct.pack(">II", 2, 1) + header + data
pack += hashlib.sha1(pack).digest()
frames = [{"type": "pack.begin"}]
for at in range(0, len(pack), 1 << 20):
    frames.append({"type": "pack.data", "data": base64.b64encode(pack[at:at + (1 << 20)]).decode()})
frames.append({"type": "pack.end"})
for i, f in enumerate(frames):
    open(f"{work}/bomb{i:03d}.f", "w").write(json.dumps(f))
print(len(pack), file=open(f"{work}/bomb.size", "w"))
PY
python3 "$RAW" send "$port" "$WORK/op" "$WORK"/bomb*.f > "$WORK/bomb.out" || fail "rawframes bomb"
expect_in "$WORK/bomb.out" 'inflates to 1073741824 bytes, more than the 268435456 bytes allowed (max_object_size)'
hwm_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$agent_pid/status")
echo "pack bomb: $(cat "$WORK/bomb.size") bytes on the wire; agent peak RSS ${hwm_kb} kB"
[[ ${hwm_kb:-0} -lt 262144 ]] || fail "the agent's peak RSS reached ${hwm_kb} kB"
alive "a pack bomb"

# An operator's SSH key alone changes nothing (issue 19): an apply whose
# begin record no operator signed, or one signed by a key the agent does
# not list, is refused; both are in the agent's access log, with who sent
# them, and the log's hash chain holds.
key_fp=$(ssh-keygen -lf "$WORK/op.pub" | awk '{print $2}')
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$WORK/stranger"
python3 - "$WORK" <<'PY'
import json, subprocess, sys, datetime
work = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
def canonical(o): return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
begin = {"type": "intervention.begin", "intervention": "01FORGEDA", "ts": now, "principal": "mallory",
         "manifest": {"commit": "c", "path": "m.toml"}, "targets": ["agent-1"]}
fp = subprocess.run(["ssh-keygen", "-lf", work + "/stranger.pub"], capture_output=True, text=True).stdout.split()[1]
signed = dict(begin, operator=fp, intervention="01FORGEDB")
sig = subprocess.run(["ssh-keygen", "-Y", "sign", "-f", work + "/stranger", "-n", "daybook-journal@v1"],
                     input=canonical(signed), capture_output=True, text=True).stdout
signed["op_sig"] = sig
deploy = [{"name": "app", "path": "/srv/app", "commit": "abc", "keep": 5, "after": [], "timeout_ms": 1000}]
for name, b in (("unsigned", begin), ("stranger", signed)):
    apply = {"type": "apply", "intervention": b["intervention"], "host": "agent-1", "begin": canonical(b), "deploys": deploy}
    open(f"{work}/{name}.f", "w").write(json.dumps(apply))
PY
snapshot() { find "$WORK/agent-1/root/srv" "$WORK/agent-1/state/results" "$WORK/agent-1/state/deploys" 2>/dev/null | sort; }
before=$(snapshot)
python3 "$RAW" send "$port" "$WORK/op" "$WORK/unsigned.f" "$WORK/stranger.f" > "$WORK/forged.out" || fail "rawframes forged"
expect_in "$WORK/forged.out" 'no operator signature (op_sig)'
expect_in "$WORK/forged.out" "who is not in this agent's authorized_operators"
[[ $(grep -c '"code":"refused"' "$WORK/forged.out") == 2 ]] || fail "the forged applies were not both refused"
[[ "$(snapshot)" == "$before" ]] || fail "a forged apply changed the deploy path, the deploy state or the kept results"
python3 - "$WORK/agent-1/state/access.jsonl" "$key_fp" <<'PY' || fail "the access log of the forged applies"
import hashlib, json, sys
lines = open(sys.argv[1], "rb").read().decode().splitlines()
prev = "0" * 64
for i, line in enumerate(lines):
    r = json.loads(line)
    assert r["seq"] == i and r["prev"] == prev, (i, r)
    prev = hashlib.sha256(line.encode()).hexdigest()
forged = [json.loads(l) for l in lines if '"01FORGED' in l]
# refused before they started: one line each, never "started"
assert [(r["result"], r["claimed_principal"]) for r in forged] == [("error:refused", "mallory")] * 2, forged
assert not any("principal" in r for r in forged), forged  # nobody signed: no principal, only a claim
assert all(r["key"] == sys.argv[2] and r["peer"].startswith("127.0.0.1:") for r in forged), forged
assert any(json.loads(l)["event"] == "session" for l in lines)
PY
alive "forged applies"

expect_exit 0 "$DAYBOOK" journal verify
finish
