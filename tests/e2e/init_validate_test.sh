#!/usr/bin/env bash
# A user creates a fleet, validates it, breaks a manifest and a host, and
# gets every problem positioned; init refuses a non-empty directory.
source "$(dirname "$0")/lib.sh" "$@"

expect_exit 0 "$DAYBOOK" --version
expect_in "$WORK/out" "daybook "
expect_exit 0 "$AGENT" --version
expect_in "$WORK/out" "daybook-agent "
expect_exit 0 "$AGENT" --help
expect_exit 2 "$AGENT" --no-such-flag

expect_exit 0 "$DAYBOOK" init fleet
[[ -d fleet/.git ]] || fail "init made no git repository"
[[ "$(git -C fleet symbolic-ref HEAD)" == refs/heads/main ]] || fail "HEAD is not main"
for f in daybook.toml inventory/hosts.toml inventory/known_hosts manifests/example.toml allowed_signers .gitignore; do
  [[ -f fleet/$f ]] || fail "init did not create $f"
done
expect_exit 2 "$DAYBOOK" init fleet
expect_in "$WORK/err" "fleet is not empty"

cd fleet
expect_exit 0 "$DAYBOOK" validate
expect_in "$WORK/out" "6 files checked: 6 valid, 0 invalid, 0 errors"
# What push would later refuse is said now, as warnings: no operator may
# sign yet, and no operator key can be used here.
expect_in "$WORK/err" "allowed_signers:1:1: warning: no operator key: push and rollback will refuse"
expect_in "$WORK/err" "daybook.toml: warning: no operator key:"
expect_in "$WORK/out" "journal verifier key daybook.local/fleet"
git add -A && git -c user.name=t -c user.email=t@example.org commit -qm "fleet" || fail "cannot commit the fleet"

# From a subdirectory, the fleet is found through git.
(cd manifests && expect_exit 0 "$DAYBOOK" validate example.toml)

cat > manifests/broken.toml <<'TOML'
[manifest]
name = "broken"
targets = "group:wbe"

[patch]
polcy = "security"
reboot = "sometimes"

[[deploy]]
name = "app"
repo = "../app.git"
ref = "v1"
path = "srv/app"

[rollout]
batch = "150%"
timeout = "10 minutes"
TOML
expect_exit 2 "$DAYBOOK" validate
expect_in "$WORK/err" 'manifests/broken.toml:3:12: error: unknown group "wbe"; did you mean "web"?'
expect_in "$WORK/err" 'manifests/broken.toml:6:1: error: unknown key "polcy" in [patch]; did you mean "policy"?'
expect_in "$WORK/err" 'manifests/broken.toml:7:10: error: bad reboot "sometimes"'
expect_in "$WORK/err" 'manifests/broken.toml:13:8: error: deploy path "srv/app" must be absolute'
expect_in "$WORK/err" 'manifests/broken.toml:16:9: error: percentage "150%" for "batch" out of range'
expect_in "$WORK/err" 'manifests/broken.toml:17:11: error: bad duration "10 minutes"'
expect_in "$WORK/out" "INVALID  manifests/broken.toml"

expect_exit 2 "$DAYBOOK" validate --output json manifests/broken.toml
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["valid"] is False and len([x for x in d["diagnostics"] if x["severity"] == "error"]) == 6, d' "$WORK/out" \
  || fail "json diagnostics"
rm manifests/broken.toml

# Deploys: what plan would refuse (a remote repository, a ref the
# repository lacks) is an error of validate too.
git init -q -b main "$WORK/app" && git -C "$WORK/app" -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m one
cat > manifests/deploys.toml <<'TOML'
[manifest]
name = "deploys"
targets = "all"

[[deploy]]
name = "remote"
repo = "https://git.example.org/app.git"
ref = "main"
path = "/srv/remote"

[[deploy]]
name = "noref"
repo = "../app"
ref = "v9.9"
path = "/srv/noref"
TOML
expect_exit 2 "$DAYBOOK" validate manifests/deploys.toml
expect_in "$WORK/err" 'deploy remote: repository "https://git.example.org/app.git" is remote'
expect_in "$WORK/err" 'deploy noref: '
expect_in "$WORK/out" "INVALID  manifests/deploys.toml"
rm manifests/deploys.toml

printf '[hosts.web-01]\n' > inventory/dup.toml
expect_exit 2 "$DAYBOOK" validate
expect_in "$WORK/err" 'inventory/hosts.toml:11:8: error: duplicate host "web-01" (first defined at inventory/dup.toml:1:8)'
rm inventory/dup.toml

# --fleet from anywhere.
cd "$WORK"
expect_exit 0 "$DAYBOOK" --fleet fleet validate
expect_exit 0 "$DAYBOOK" validate --fleet "$WORK/fleet"
expect_exit 2 "$DAYBOOK" validate
expect_in "$WORK/err" "not inside a fleet repository"

finish
