#!/usr/bin/env bash
# Cost confinement (issue 13, third round): what the application's user
# plants in a release it was given, or what a commit's author writes,
# never makes the root agent hang, grow without bound, answer more than a
# frame, or trust what it cannot prove. A second, unprivileged user
# (created here, removed on exit) plays the application; a snapshot of
# everything outside the deploy roots must not change.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"

source "$E2E_DIR/confinement_lib.sh"
app_user dbk13b

make_fleet 1
ROOT=$WORK/agent-1/root
APP=$ROOT/srv/app
mkdir -p "$ROOT/srv" "$ROOT/etc/private"
chmod 755 "$WORK" "$WORK/agent-1" "$ROOT" "$ROOT/srv"
echo "root only" > "$ROOT/etc/private/secret" && chmod 600 "$ROOT/etc/private/secret"
agent_kib() { awk '/VmRSS/{print $2}' "/proc/${APIDS[1]}/status"; }

v1=$(app_commit 1.0 5)
write_manifest v1.0 /srv/app none 2
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
REL=$APP/releases/$v1
chown -R "$APPUSER" "$REL/src"   # as an `after` hook may do
SNAP=$(snapshot)

# 1. The parts the application may change are named by status; a push of
#    the same commit replaces the release instead of trusting a snapshot
#    (its owner could hide a file from the walk and put it back after).
expect_exit 0 "$DAYBOOK" status
expect_in "$WORK/out" "note: agent-1 app: src/ and"
expect_in "$WORK/out" "can be changed by a user other than root"
STASH=$WORK/appdata && mkdir -p "$STASH" && chown "$APPUSER" "$STASH"
as_app sh -c "echo '<?php system(\$_GET[\"c\"]); ?>' > '$REL/src/shell.php'"
as_app mv "$REL/src/shell.php" "$STASH/s"   # hidden while the walk runs...
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "repaired"
as_app mv "$STASH/s" "$REL/src/shell.php" 2> /dev/null && fail "the release the application could change was kept"
[[ "$(stat -c %U "$APP/current/src")" == root ]] || fail "the replaced release is not root's"
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "unchanged"
same_outside "writable release"

# 2. A sparse file of 15 TB planted by the application: status answers at
#    once (no byte of it is read), the repair removes it.
chown -R "$APPUSER" "$REL/src"
as_app truncate -s 15T "$REL/src/big.bin"
expect_exit 1 timeout 60 "$DAYBOOK" status --verbose
expect_in "$WORK/out" "+ src/big.bin"
expect_exit 0 timeout 60 "$DAYBOOK" push manifests/app.toml --yes
[[ -e "$APP/current/src/big.bin" ]] && fail "the sparse file survived the repair"
same_outside "sparse file"

# 3. Paths far past PATH_MAX and many entries, planted by descriptor: the
#    agent's memory stays bounded, the answer small, the repair complete.
chown -R "$APPUSER" "$REL/src"
before=$(agent_kib)
as_app python3 - "$REL/src" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
for i in range(200):
    name = ("d%04d" % i).ljust(250, "x")
    os.mkdir(name, dir_fd=fd)
    nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    os.close(fd); fd = nfd
for j in range(2000):
    os.close(os.open(("f%06d" % j).ljust(250, "y"), os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
EOF
mkdir "$REL/src/many" && (cd "$REL/src/many" && seq 1 20000 | xargs touch) && chown -R "$APPUSER" "$REL/src/many"
expect_exit 1 timeout 120 "$DAYBOOK" status --verbose --output json
[[ $(wc -c < "$WORK/out") -lt 300000 ]] || fail "the status answer grew with what was planted ($(wc -c < "$WORK/out") bytes)"
expect_in "$WORK/out" "the walk stopped at src/many/"
expect_exit 0 timeout 120 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "repaired"
after=$(agent_kib)
(( after - before < 65536 )) || fail "the agent grew by $(( after - before )) KiB reading the planted tree"
[[ -e "$APP/current/src/many" ]] && fail "the planted entries survived the repair"
expect_exit 0 "$DAYBOOK" status
same_outside "long paths"

# 4. A commit whose tree names one subtree many times (a million paths from
#    42 objects) or holds a path past PATH_MAX is refused by plan, naming
#    the limit, before any host is contacted.
blob=$(echo x | git -C "$WORK/app" hash-object -w --stdin)
tree=$(printf '100644 blob %s\tf\n' "$blob" | git -C "$WORK/app" mktree)
for _ in $(seq 20); do tree=$(printf '040000 tree %s\ta\n040000 tree %s\tb\n' "$tree" "$tree" | git -C "$WORK/app" mktree); done
bomb=$(git -C "$WORK/app" -c user.name=T -c user.email=t@e commit-tree "$tree" -m bomb)
git -C "$WORK/app" tag vbomb "$bomb"
write_manifest vbomb /srv/app none
expect_exit 2 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/err" "the tree holds more than 1000000 entries"
tree=$(printf '100644 blob %s\tf\n' "$blob" | git -C "$WORK/app" mktree)
for i in $(seq 17); do tree=$(printf '040000 tree %s\t%s\n' "$tree" "$(printf "%0250d" "$i")" | git -C "$WORK/app" mktree); done
long=$(git -C "$WORK/app" -c user.name=T -c user.email=t@e commit-tree "$tree" -m long)
git -C "$WORK/app" tag vlong "$long"
write_manifest vlong /srv/app none
expect_exit 2 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/err" "a path longer than 4096 bytes"
same_outside "refused commits"

# 5. A deploy name too long for the agent's own files is refused by validate.
write_manifest v1.0 /srv/app none 2 all "$(printf 'n%.0s' $(seq 201))"
expect_exit 2 "$DAYBOOK" validate
expect_in "$WORK/err" "at most 200 of them"

finish
