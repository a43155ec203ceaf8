# Access transparency (issue 19): each agent's access log (its sessions and
# requests, and the host's own logins, read here from an auth log fixture)
# is journaled by `daybook access collect` as the agent signed it; nothing
# is read twice or skipped; a line removed from an agent's log before it
# was collected is a GAP, said by collect, kept in the journal, recomputed
# by verify; and the report shows who accessed which host, and whether an
# intervention covered it.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"

now() { date -u +%Y-%m-%dT%H:%M:%S.000000+00:00; }
fp="SHA256:Ab3dEf9hIjKlMnOpQrStUvWxYz0123456789abcdefg"
for n in 1 2; do
  mkdir -p "$WORK/agent-$n"
  {
    echo "$(now) vm$n sshd[101]: Server listening on 0.0.0.0 port 22."
    echo "$(now) vm$n sshd[201]: Accepted publickey for alice from 192.0.2.7 port 50022 ssh2: ED25519 $fp"
    echo "$(now) vm$n sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart app"
    echo "$(now) vm$n sudo: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)"
    echo "$(now) vm$n su[301]: (to root) bob on pts/1"
    echo "$(now) vm$n sudo:  mallory : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh"
    echo "$(now) vm$n sshd[401]: Failed password for invalid user admin from 198.51.100.9 port 4242 ssh2"
  } > "$WORK/agent-$n/auth.log"
done
AGENT_TOML_EXTRA=$'login_records = "auth-log"\nauth_log = "@DIR@/auth.log"' make_fleet 2

# First collect: every host's log so far, the logins among it.
expect_exit 0 "$DAYBOOK" access collect --output json
python3 - "$WORK/out" <<'PY' || fail "first collect: 4 logins per host (one refused), no gap"
import json, sys
hosts = json.load(open(sys.argv[1]))["hosts"]
assert [h["logins"] for h in hosts] == [4, 4] and all(not h["gaps"] and h["error"] is None for h in hosts), hosts
PY
expect_exit 0 "$DAYBOOK" journal show --type host.access --host agent-1
expect_in "$WORK/out" "ssh alice from 192.0.2.7 key ED25519 $fp method publickey"
expect_in "$WORK/out" "sudo alice as root on pts/0 command /usr/bin/systemctl restart app"
expect_in "$WORK/out" "su bob as root on pts/1"
expect_in "$WORK/out" "sudo mallory REFUSED as root on pts/2 command /bin/sh reason user NOT in sudoers"
expect_exit 0 "$DAYBOOK" journal verify

# Nothing read twice: a new login is the only login of the next collect.
echo "$(now) vm1 sshd[501]: Accepted password for carol from 203.0.113.5 port 1022 ssh2" >> "$WORK/agent-1/auth.log"
expect_exit 0 "$DAYBOOK" access collect --output json
python3 - "$WORK/out" <<'PY' || fail "second collect: only carol's login is new"
import json, sys
hosts = json.load(open(sys.argv[1]))["hosts"]
assert [h["logins"] for h in hosts] == [1, 0], hosts
PY
expect_exit 0 "$DAYBOOK" journal show --type host.access --host agent-1 --output json
python3 - "$WORK/out" <<'PY' || fail "each login is journaled once"
import json, sys
lines = [json.loads(l) for r in json.load(open(sys.argv[1]))["records"] for l in r["agent"]["response"]["entries"]]
logins = [(l["user"], l["how"]) for l in lines if l["event"] == "login"]
assert sorted(logins) == [("alice", "ssh"), ("alice", "sudo"), ("bob", "su"), ("carol", "ssh"), ("mallory", "sudo")], logins
seqs = [l["seq"] for l in lines]
assert seqs == list(range(len(seqs))), seqs  # the chain, whole, from the first line on
PY

# A line removed from agent-2's log before anyone collected it: a gap.
expect_exit 0 "$DAYBOOK" ping --target agent-2
expect_exit 0 "$DAYBOOK" ping --target agent-2
log2="$WORK/agent-2/state/access.jsonl"
last=$(wc -l < "$log2")
sed -i "$((last - 1))d" "$log2"   # the first of the two ping sessions
expect_exit 1 "$DAYBOOK" access collect
expect_in "$WORK/out" "GAP: "
expect_in "$WORK/out" "1 of 2 hosts collected without a gap"
expect_exit 0 "$DAYBOOK" journal show --type host.access --host agent-2
expect_in "$WORK/out" "is missing (removed): the next line is seq"
# The journal is sound (the gap is the agent log's, said in it), and verify
# recomputes the gap from the lines: it says how many it saw.
expect_exit 0 "$DAYBOOK" journal verify
expect_in "$WORK/out" "1 access gap"

# The log replaced (emptied) under a running agent: said too.
: > "$log2"
expect_exit 0 "$DAYBOOK" ping --target agent-2
expect_exit 1 "$DAYBOOK" access collect --target agent-2
expect_in "$WORK/out" "GAP: "

# An agent whose login records cannot be read says so: collect exits 1
# and the report says "not read", never "nobody logged in".
sed -i "s|^auth_log = .*|auth_log = \"$WORK/agent-1/missing.log\"|" "$WORK/agent-1/agent.toml"
restart_agent 1
grep -q "login records: .*no such file" "$WORK/agent-1/log" || fail "the agent did not warn at start that it reads no logins"
expect_exit 1 "$DAYBOOK" access collect --target agent-1
expect_in "$WORK/out" "logins NOT read: "

# The report: who accessed which host, how, and whether an intervention
# covered it (none did here: every login is out of band).
expect_exit 0 "$DAYBOOK" report --output json
python3 - "$WORK/out" "$fp" <<'PY' || fail "the report lists each access per host"
import json, sys
report, fp = json.load(open(sys.argv[1])), sys.argv[2]
access = {h["host"]: h for h in report["access"]["hosts"]}
a1 = access["agent-1"]
logins = a1["accesses"]
assert {(e["how"], e["who"]) for e in logins} == {("ssh", "alice"), ("sudo", "alice"), ("su", "bob"), ("ssh", "carol"), ("sudo", "mallory")}, logins
assert all(e["covered_by"] is None for e in logins), logins
assert a1["refused"] == 1  # mallory's refused sudo: listed, not counted unexplained
assert any(fp in e["detail"] for e in logins), logins
assert a1["unexplained"] == 4 and len(access["agent-2"]["gaps"]) >= 2 and report["access"]["unexplained"] == 7, access
assert a1["login_records"].startswith("error: ") and access["agent-2"]["login_records"] == "read", access
assert report["access"]["unread"] == 1, report["access"]
PY
finish
