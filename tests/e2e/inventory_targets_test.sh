#!/usr/bin/env bash
# The sample fleet of the source tree, listed by target expressions.
source "$(dirname "$0")/lib.sh" "$@"

expect_exit 0 "$DAYBOOK" init fleet
rm fleet/inventory/hosts.toml fleet/manifests/example.toml
cp "$SOURCE_DIR"/inventory/*.toml fleet/inventory/
cp "$SOURCE_DIR"/manifests/*.toml fleet/manifests/
cd fleet

expect_exit 0 "$DAYBOOK" validate
expect_exit 0 "$DAYBOOK" inventory
expect_in "$WORK/out" "8 of 8 hosts match \"all\""
expect_in "$WORK/out" "HOST"

expect_exit 0 "$DAYBOOK" inventory --target 'group:web&group:dc-rbx'
expect_in "$WORK/out" "2 of 8 hosts match"
expect_in "$WORK/out" "web-01"

expect_exit 0 "$DAYBOOK" inventory --target 'group:web,!web-04' --output json
python3 - "$WORK/out" <<'PY' || fail "json inventory"
import json, sys
d = json.load(open(sys.argv[1]))
names = [h["name"] for h in d["hosts"]]
assert names == ["web-01", "web-02", "web-03"], names
assert all(h["port"] == 7022 for h in d["hosts"])
assert d["hosts"][0]["window"]["spec"] == "Sun 02:00-04:00 Europe/Paris"
PY

expect_exit 2 "$DAYBOOK" inventory --target 'group:wbe'
expect_in "$WORK/err" '--target:1:1: error: unknown group "wbe"; did you mean "web"?'
expect_exit 2 "$DAYBOOK" inventory --target 'group:web&'
expect_in "$WORK/err" "--target:1:11: error: target expression ends"

# Piped output is plain: no escape sequences.
"$DAYBOOK" inventory | grep -q $'\e' && fail "escape sequences in piped output"

finish
