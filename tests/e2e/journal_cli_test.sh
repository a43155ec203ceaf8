#!/usr/bin/env bash
# The journal as an operator and an auditor use it: show and filters,
# exports checked offline, verify with a state file, tampering caught with
# the right exit codes, proofs, retention, and the checkpoint signature
# checked by an independent Ed25519 implementation (the openssl CLI).
source "$(dirname "$0")/lib.sh" "$@"
WRITER=$(dirname "$DAYBOOK")/journal_writer

expect_exit 0 "$DAYBOOK" init fleet
cd fleet
[[ $(stat -c %a .daybook/journal.key) == 600 ]] || fail "journal key is not 0600"
grep -q PRIVATE .daybook/journal.key && ! git status --porcelain | grep -q journal.key || fail "journal key not ignored by git"
ssh-keygen -q -t ed25519 -N '' -C op -f "$WORK/op"
echo "ops@example $(cat "$WORK/op.pub")" >> allowed_signers
origin=$(sed -n 's/^origin = "\(.*\)".*/\1/p' daybook.toml)
"$WRITER" journal .daybook/journal.key "$WORK/op" allowed_signers "$origin" 5 > /dev/null || fail "journal_writer"

expect_exit 0 "$DAYBOOK" journal show --output table
expect_in "$WORK/out" "25 of 25 records (filters: none)"
expect_exit 0 "$DAYBOOK" journal show --host db-01 --type host.result --ticket INC-101
expect_in "$WORK/out" "2 of 25 records (filters: host=db-01 ticket=INC-101 type=host.result)"
expect_exit 0 "$DAYBOOK" journal show --since 2000-01-01 --until 2000-01-02 --output json
expect_in "$WORK/out" '"records":[]'
expect_exit 2 "$DAYBOOK" journal show --since yesterday
expect_in "$WORK/err" '--since "yesterday": expected 2026-11-01'

# Auditor: first verification records the state.
expect_exit 0 "$DAYBOOK" journal verify --state "$WORK/state"
expect_in "$WORK/out" "journal verified: 25 records, 25 sealed"
expect_in "$WORK/out" "5 operator signatures, 15 agent signatures"
[[ -s "$WORK/state" ]] || fail "no state written"

# Exports, checked offline; a removed CSV row is caught.
expect_exit 0 "$DAYBOOK" journal export --format csv --delimiter ';' --host web-02
cp "$WORK/out" "$WORK/export.csv"
expect_in "$WORK/export.csv" "# filters: host=web-02"
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/export.csv"
expect_in "$WORK/out" "export verified: 5 record(s) exported"
grep -v '^[0-9]*;.*;i-10;' "$WORK/export.csv" > "$WORK/cut.csv"
expect_exit 1 "$DAYBOOK" journal verify-export "$WORK/cut.csv"
expect_in "$WORK/err" "was removed from the export"
expect_exit 0 "$DAYBOOK" journal export --format jsonl --type intervention.begin
cp "$WORK/out" "$WORK/export.jsonl"
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/export.jsonl" --vkey "$(cat journal.vkey)"

# Proofs, checked by someone holding only the verifier key and the file.
expect_exit 0 "$DAYBOOK" journal prove --seq 7 --out "$WORK/proof"
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
sed -i '5s/"outcome":"completed"/"outcome":"failed"/' "$WORK/rewritten/records.jsonl"
rm "$WORK/rewritten/hashes" "$WORK/rewritten/checkpoint" "$WORK/rewritten/lock"
"$WRITER" "$WORK/rewritten" .daybook/journal.key "$WORK/op" allowed_signers "$origin" 0 > /dev/null 2>&1 &
writer=$!
sleep 0.3
kill -9 $writer 2>/dev/null; wait $writer 2>/dev/null || true
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

# An operator key not in allowed_signers fails verification of its records.
grep -v ops@example allowed_signers > "$WORK/nobody"
expect_exit 1 "$DAYBOOK" journal verify --allowed-signers "$WORK/nobody"
expect_in "$WORK/err" "BAD_OPERATOR_SIG at seq 0"

finish
