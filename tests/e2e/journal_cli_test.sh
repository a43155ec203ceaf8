#!/usr/bin/env bash
# The journal as an operator and an auditor use it: show and filters,
# exports checked offline, verify with a state file, tampering caught with
# the right exit codes, proofs, retention, and the checkpoint signature
# checked by an independent Ed25519 implementation (the openssl CLI). Then
# the attacks of issue 14, with write access to the fleet repository and no
# key: a hand-appended record, an export with a row and its mark removed,
# rewritten filters, a key change against the auditor's state.
source "$(dirname "$0")/lib.sh" "$@"
WRITER=$(dirname "$DAYBOOK")/journal_writer

expect_exit 0 "$DAYBOOK" init fleet
cd fleet
[[ $(stat -c %a .daybook/journal.key) == 600 ]] || fail "journal key is not 0600"
grep -q PRIVATE .daybook/journal.key && ! git status --porcelain | grep -q journal.key || fail "journal key not ignored by git"
unset SSH_AUTH_SOCK
ssh-keygen -q -t ed25519 -N '' -C op -f "$WORK/op"
echo "ops@example $(cat "$WORK/op.pub")" >> allowed_signers
sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$WORK/op\"|" daybook.toml  # the operator signs prunes
origin=$(sed -n 's/^origin = "\(.*\)".*/\1/p' daybook.toml)
"$WRITER" journal .daybook/journal.key "$WORK/op" allowed_signers "$origin" 5 > /dev/null || fail "journal_writer"

expect_exit 0 "$DAYBOOK" journal show --output table
expect_in "$WORK/out" "28 of 28 records (filters: none)"
expect_exit 0 "$DAYBOOK" journal show --host db-01 --type host.result --ticket INC-101
expect_in "$WORK/out" "2 of 28 records (filters: host=db-01 ticket=INC-101 type=host.result)"
expect_exit 0 "$DAYBOOK" journal show --since 2000-01-01 --until 2000-01-02 --output json
expect_in "$WORK/out" '"records":[]'
expect_exit 2 "$DAYBOOK" journal show --since yesterday
expect_in "$WORK/err" '--since "yesterday": expected 2026-11-01'

# Auditor: first verification records the state.
expect_exit 0 "$DAYBOOK" journal verify --state "$WORK/state"
expect_in "$WORK/out" "journal verified: 28 records, 28 sealed"
expect_in "$WORK/out" "8 operator signatures, 15 agent signatures"
grep -q "NOT checked" "$WORK/out" && fail "inside the fleet, operator identities are checked"
[[ -s "$WORK/state" ]] || fail "no state written"

# Exports, checked offline; a removed CSV row is caught. The CSV is plain
# rows for a spreadsheet (header first, no framing, no record JSON, short
# lines); its JSONL proof is written beside it.
expect_exit 2 "$DAYBOOK" journal export --format csv
expect_in "$WORK/err" "--format csv needs --proof FILE"
expect_exit 0 "$DAYBOOK" journal export --format csv --delimiter ';' --host web-02 --proof "$WORK/export.proof"
cp "$WORK/out" "$WORK/export.csv"
head -1 "$WORK/export.csv" | grep -q '^seq;time;intervention;operator;operator_key;ticket;manifest;host;status;summary;error;leaf_hash.$' ||
  fail "the CSV does not start with its header row"
python3 - "$WORK/export.csv" <<'PY' || fail "the CSV is not spreadsheet-friendly"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline=""), delimiter=";"))
assert len(rows) == 6 and all(len(r) == 12 for r in rows), rows
assert all(r[7] == "web-02" for r in rows[1:]), rows
assert max(len(l) for l in open(sys.argv[1])) < 400
assert not any(c.startswith("{") for r in rows for c in r), "a JSON cell"
PY
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/export.csv" --proof "$WORK/export.proof"
expect_in "$WORK/out" "export verified: 5 record(s) exported"
expect_exit 2 "$DAYBOOK" journal verify-export "$WORK/export.csv"
expect_in "$WORK/err" "a CSV export is checked against the proof written with it: --proof FILE"
grep -v '^[0-9]*;.*;i-13;' "$WORK/export.csv" > "$WORK/cut.csv"
expect_exit 1 "$DAYBOOK" journal verify-export "$WORK/cut.csv" --proof "$WORK/export.proof"
expect_in "$WORK/err" "is in the proof but not in the CSV (a row was removed)"
# The proof is a JSONL export: checked on its own too.
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/export.proof"
expect_exit 0 "$DAYBOOK" journal export --format jsonl --type intervention.begin
cp "$WORK/out" "$WORK/export.jsonl"
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/export.jsonl" --vkey "$(cat journal.vkey)"

# Proofs, checked by someone holding only the verifier key and the file.
expect_exit 0 "$DAYBOOK" journal prove --seq 9 --out "$WORK/proof"
(cd "$WORK" && expect_exit 0 "$DAYBOOK" journal verify-proof proof --vkey "$WORK/fleet/journal.vkey")
sed 's/"status":"ok"/"status":"no"/' "$WORK/proof" > "$WORK/proof.bad"
(cd "$WORK" && expect_exit 1 "$DAYBOOK" journal verify-proof proof.bad --vkey "$WORK/fleet/journal.vkey")

# The checkpoint signature, checked by openssl (an independent Ed25519).
python3 - "$WORK/fleet/journal/checkpoint" "$WORK/fleet/journal.vkey" "$WORK" <<'PY' || fail "openssl inputs"
import base64, sys
note = open(sys.argv[1], "rb").read()
text, sigs = note.split(b"\n\n", 1)
sig = base64.b64decode(sigs.split(b" ")[2])[4:]
pub = base64.b64decode(open(sys.argv[2]).read().strip().split("+", 2)[2])[1:]
open(sys.argv[3] + "/cp.txt", "wb").write(text + b"\n")
open(sys.argv[3] + "/cp.sig", "wb").write(sig)
open(sys.argv[3] + "/pub.der", "wb").write(bytes.fromhex("302a300506032b6570032100") + pub)
PY
openssl pkeyutl -verify -pubin -inkey "$WORK/pub.der" -keyform DER -rawin -in "$WORK/cp.txt" -sigfile "$WORK/cp.sig" \
  > "$WORK/openssl.out" 2>&1 || fail "openssl rejects our checkpoint signature: $(cat "$WORK/openssl.out")"
echo "x" >> "$WORK/cp.txt"
openssl pkeyutl -verify -pubin -inkey "$WORK/pub.der" -keyform DER -rawin -in "$WORK/cp.txt" -sigfile "$WORK/cp.sig" \
  > /dev/null 2>&1 && fail "openssl accepts an altered checkpoint"

# An operator signature, re-checked by stock OpenSSH as docs/journal.md shows.
line=$(sed -n 1p journal/records.jsonl)
(cd "$WORK" && python3 -c 'import json,sys; r=json.loads(sys.argv[1]); open("sig","w").write(r.pop("op_sig"));
sys.stdout.write(json.dumps(r, sort_keys=True, separators=(",",":"), ensure_ascii=False))' "$line" > msg) || fail "extract op_sig"
ssh-keygen -Y verify -f allowed_signers -I ops@example -n daybook-journal@v1 -s "$WORK/sig" < "$WORK/msg" \
  > "$WORK/sshsig.out" 2>&1 || fail "ssh-keygen rejects an operator signature: $(cat "$WORK/sshsig.out")"

# Tampering: an edited record is caught (exit 1) with its code and seq.
cp -a journal "$WORK/journal.bak"
sed -i '12s/"status":"ok"/"status":"failed"/' journal/records.jsonl
expect_exit 1 "$DAYBOOK" journal verify
expect_in "$WORK/err" "TAMPERED: LEAF_MISMATCH at seq 11"
rm -rf journal && cp -a "$WORK/journal.bak" journal

# The key holder rewrites history and re-signs: only the state catches it (exit 3).
cp -a journal "$WORK/rewritten"
sed -i '8s/"outcome":"completed"/"outcome":"failed"/' "$WORK/rewritten/records.jsonl"
rm "$WORK/rewritten/hashes" "$WORK/rewritten/checkpoint" "$WORK/rewritten/lock" "$WORK/rewritten/intent"
"$WRITER" "$WORK/rewritten" .daybook/journal.key "$WORK/op" allowed_signers "$origin" reseal > /dev/null || fail "reseal"
expect_exit 0 "$DAYBOOK" journal verify --journal "$WORK/rewritten"
expect_exit 3 "$DAYBOOK" journal verify --journal "$WORK/rewritten" --state "$WORK/state"
expect_in "$WORK/err" "HISTORY CHANGED: FORK"
expect_in "$WORK/err" "Checkpoint verified before (from the state file):"

# Rollback: an older, validly signed journal against the newer state.
"$WRITER" journal .daybook/journal.key "$WORK/op" allowed_signers "$origin" 1 > /dev/null
expect_exit 0 "$DAYBOOK" journal verify --state "$WORK/state"
expect_exit 3 "$DAYBOOK" journal verify --journal "$WORK/journal.bak" --state "$WORK/state"
expect_in "$WORK/err" "ROLLBACK"

# Retention: nothing inside the window is pruned.
expect_exit 2 "$DAYBOOK" journal prune --before 2099-01-01
expect_in "$WORK/err" "inside the retention window"
expect_exit 0 "$DAYBOOK" journal prune
expect_in "$WORK/out" "pruned payloads of records up to seq -1"
expect_exit 0 "$DAYBOOK" journal verify --state "$WORK/state" --require-sealed

# An operator key not in allowed_signers: its own verdict, not "tampered".
grep -v ops@example allowed_signers > "$WORK/nobody"
expect_exit 1 "$DAYBOOK" journal verify --allowed-signers "$WORK/nobody"
expect_in "$WORK/err" "journal SIGNER NOT ALLOWED: SIGNER_NOT_ALLOWED at seq 0"

# An auditor outside the fleet, as docs/journal.md shows: without
# --allowed-signers the output says operator identities were not checked.
(cd "$WORK" && expect_exit 0 "$DAYBOOK" journal verify --journal fleet/journal --vkey fleet/journal.vkey)
expect_in "$WORK/out" "operator identities were NOT checked"
# Without --vkey, the error says what to pass (not "run daybook init").
(cd "$WORK" && expect_exit 2 "$DAYBOOK" journal verify --journal fleet/journal)
expect_in "$WORK/err" "not inside a fleet repository: pass --vkey KEY (the journal's verifier key"
(cd "$WORK" && expect_exit 2 "$DAYBOOK" report --journal fleet/journal)
expect_in "$WORK/err" "pass --vkey KEY"
(cd "$WORK" && expect_exit 0 "$DAYBOOK" journal verify --journal fleet/journal --vkey fleet/journal.vkey \
  --allowed-signers fleet/allowed_signers)
grep -q "NOT checked" "$WORK/out" && fail "operator identities were checked with --allowed-signers"
(cd "$WORK" && expect_exit 1 "$DAYBOOK" journal verify --journal fleet/journal --vkey fleet/journal.vkey \
  --allowed-signers "$WORK/nobody")
expect_in "$WORK/err" "SIGNER_NOT_ALLOWED"

# Attack: a canonical host.result appended by hand, no key. Once this passed
# ("unsealed") and the next write sealed it. Now verify names it, and the
# next ordinary write (prune) refuses to write until an operator looks.
cp journal/records.jsonl "$WORK/records.before"
n=$(wc -l < journal/records.jsonl)
python3 - "$n" >> journal/records.jsonl <<'PY'
import json, sys
lines = open("journal/records.jsonl").read().splitlines()
r = json.loads(next(l for l in reversed(lines) if '"host.result"' in l))
r["seq"] = int(sys.argv[1]); r["host"] = "db-01"; r["ts"] = json.loads(lines[-1])["ts"]
print(json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
PY
expect_exit 0 "$DAYBOOK" journal show --host db-01
expect_in "$WORK/out" "UNSEALED"
expect_in "$WORK/out" "not sealed by the journal key (seq $n)"
expect_exit 0 "$DAYBOOK" journal show --output json
expect_in "$WORK/out" "\"unsealed_seqs\":[$n]"
expect_exit 1 "$DAYBOOK" journal verify --require-sealed --state "$WORK/state"
expect_in "$WORK/err" "FOREIGN_RECORDS at seq $n"
expect_exit 1 "$DAYBOOK" journal verify --crashed
expect_in "$WORK/err" "were not written by the journal writer"
expect_exit 1 "$DAYBOOK" journal prune
expect_in "$WORK/err" "that this writer did not write (from seq $n,"
expect_exit 1 "$DAYBOOK" journal verify --state "$WORK/state"
cp "$WORK/records.before" journal/records.jsonl
expect_exit 0 "$DAYBOOK" journal verify --state "$WORK/state"

# Attack on a CSV: a cell edited, a row added twice, a status changed in the
# proof; a spreadsheet's CRLF and byte order mark are the same export.
expect_exit 0 "$DAYBOOK" journal export --format csv --host web-02 --proof "$WORK/sel.proof"
cp "$WORK/out" "$WORK/sel.csv"
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/sel.csv" --proof "$WORK/sel.proof"
expect_in "$WORK/out" "record(s) not exported"
sed '2s/,ok,/,failed,/' "$WORK/sel.csv" > "$WORK/sel-edit.csv"
expect_exit 1 "$DAYBOOK" journal verify-export "$WORK/sel-edit.csv" --proof "$WORK/sel.proof"
expect_in "$WORK/err" "status differs from the record"
{ cat "$WORK/sel.csv"; sed -n 2p "$WORK/sel.csv"; } > "$WORK/sel-extra.csv"
expect_exit 1 "$DAYBOOK" journal verify-export "$WORK/sel-extra.csv" --proof "$WORK/sel.proof"
expect_in "$WORK/err" "appears twice"
sed '2s/"status":"ok"/"status":"failed"/' "$WORK/sel.proof" > "$WORK/sel-bad.proof"
expect_exit 1 "$DAYBOOK" journal verify-export "$WORK/sel.csv" --proof "$WORK/sel-bad.proof"
expect_in "$WORK/err" "the proof: export check failed"
{ printf '\xEF\xBB\xBF'; sed 's/\r*$/\r/' "$WORK/sel.csv"; } > "$WORK/sel-crlf.csv"
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/sel-crlf.csv" --proof "$WORK/sel.proof"
sed 's/\r$//' "$WORK/sel.csv" > "$WORK/sel-lf.csv"
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/sel-lf.csv" --proof "$WORK/sel.proof"

# Attack: the journal re-signed under a new key, the new vkey handed to the
# auditor. The state file pinned the key: reported like a fork (exit 3).
"$DAYBOOK" init "$WORK/other" > /dev/null
cp -a journal "$WORK/resigned"
rm "$WORK/resigned/hashes" "$WORK/resigned/checkpoint" "$WORK/resigned/lock" "$WORK/resigned/intent"
"$WRITER" "$WORK/resigned" "$WORK/other/.daybook/journal.key" "$WORK/op" allowed_signers "$origin" reseal > /dev/null \
  || fail "re-sign"
expect_exit 0 "$DAYBOOK" journal verify --journal "$WORK/resigned" --vkey "$WORK/other/journal.vkey"
expect_exit 3 "$DAYBOOK" journal verify --journal "$WORK/resigned" --vkey "$WORK/other/journal.vkey" --state "$WORK/state"
expect_in "$WORK/err" "HISTORY CHANGED: KEY_CHANGED"
expect_in "$WORK/err" "Checkpoint verified before (from the state file):"

finish
