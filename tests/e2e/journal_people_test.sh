# People, not hashes (issue 15): the principal allowed_signers gives the
# operator's key is recorded, under the signature, in every record an
# operator causes (intervention.begin and .end, host.key_pinned); show and
# the CSV export name the person; --operator takes a principal or a key;
# an unknown --operator, --type, --host or --intervention is an error with
# a suggestion; --intervention selects one intervention.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"

make_fleet 2
v1=$(app_commit 1.0 5)
write_manifest v1.0 /srv/app none 2 all
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
fp=$(ssh-keygen -l -f "$WORK/op.pub" | cut -d' ' -f2)

expect_exit 0 "$DAYBOOK" journal show --output json
python3 - "$WORK/out" "$fp" <<'PY' || fail "records an operator causes name them and carry their signature"
import json, sys
records, fp = json.load(open(sys.argv[1]))["records"], sys.argv[2]
by_type = {}
for r in records:
    by_type.setdefault(r["type"], []).append(r)
for t in ("host.key_pinned", "intervention.begin", "intervention.end"):
    for r in by_type[t]:
        assert r["principal"] == "ops@example" and r["operator"] == fp and r["op_sig"], r
for r in by_type["host.result"]:
    assert "op_sig" not in r and r["agent"]["sig"], r  # the agent's word, signed by the agent
PY
id=$("$DAYBOOK" journal show --type intervention.begin --output json | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][-1]["intervention"])')

expect_exit 0 "$DAYBOOK" journal show --type intervention.begin
expect_in "$WORK/out" "operator=ops@example ($fp) manifest=manifests/app.toml@"
expect_exit 0 "$DAYBOOK" journal show --type host.key_pinned
expect_in "$WORK/out" "by ops@example ($fp)"
for who in ops@example "$fp"; do
  expect_exit 0 "$DAYBOOK" journal show --operator "$who"
  expect_in "$WORK/out" "6 of 6 records (filters: operator=$who)"  # 2 pins, begin, 2 results, end
done
expect_exit 0 "$DAYBOOK" journal show --intervention "$id"
expect_in "$WORK/out" "4 of 6 records (filters: intervention=$id)"
expect_exit 0 "$DAYBOOK" journal show --intervention "$id" --host agent-2 --type host.result
expect_in "$WORK/out" "1 of 6 records"

# Unknown values: an error that says what the journal holds, not an empty table.
expect_exit 2 "$DAYBOOK" journal show --operator ops@exampel
expect_in "$WORK/err" 'daybook: error: --operator "ops@exampel": no record of this journal names that operator (principal or key fingerprint); did you mean "ops@example"?'
expect_exit 2 "$DAYBOOK" journal show --operator ops
expect_in "$WORK/err" 'did you mean "ops@example"?'
expect_exit 2 "$DAYBOOK" journal show --type host.reslt --host agent-9
expect_in "$WORK/err" '--type "host.reslt": no record of this journal names that type'
expect_in "$WORK/err" 'did you mean "host.result"?'
expect_in "$WORK/err" '--host "agent-9": no record of this journal names that host; did you mean "agent-1"?'
expect_exit 2 "$DAYBOOK" journal export --format csv --intervention nope --proof "$WORK/nope.proof"
expect_in "$WORK/err" '--intervention "nope": no record of this journal names that intervention'

# The CSV export names the person, and still verifies.
expect_exit 0 "$DAYBOOK" journal export --format csv --operator ops@example --proof "$WORK/export.proof"
cp "$WORK/out" "$WORK/export.csv"
expect_in "$WORK/export.csv" ",ops@example,$fp,"
expect_exit 0 "$DAYBOOK" journal verify-export "$WORK/export.csv" --proof "$WORK/export.proof"
expect_exit 0 "$DAYBOOK" journal verify

# An auditor whose allowed_signers names that key otherwise is told so.
sed "s/^ops@example /someone@else /" allowed_signers > "$WORK/renamed"
expect_exit 1 "$DAYBOOK" journal verify --allowed-signers "$WORK/renamed"
expect_in "$WORK/err" "signed as principal ops@example, but allowed_signers names that key someone@else"

# A second push while one runs is refused, naming who holds the journal:
# the intervention, its operator and since when (issue 18).
v2=$(app_commit 2.0 5)
write_manifest v2.0 /srv/app '["sleep", "4"]' 2 all
"$DAYBOOK" push manifests/app.toml --yes > "$WORK/first.out" 2>&1 &
first=$!
for _ in $(seq 1 100); do grep -q "^intervention " journal/lock 2> /dev/null && break; sleep 0.05; done
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/err" "is locked by another process: intervention 20"
expect_in "$WORK/err" " by ops@example, begun 20"
wait "$first" || fail "the first push failed: $(cat "$WORK/first.out")"
finish
