#!/usr/bin/env bash
# Confinement (issue 13): the root agent never reads, writes or deletes
# outside its deploy roots, whatever the application's user plants in its
# deploy directory. A second, unprivileged user (created here, removed on
# exit) plays the application and plants links where the tree has none; a
# snapshot of everything outside the deploy roots (names, types, modes,
# owners, contents) must not change. Also: planted .git directories and
# non-UTF-8 names are drift, a half-received pack is removed at start-up,
# and trees a host cannot reproduce (submodules, LFS pointers) are refused
# by plan, naming the path.
source "$(dirname "$0")/lib.sh" "$@"
source "$E2E_DIR/fleet_lib.sh"

source "$E2E_DIR/confinement_lib.sh"
app_user dbk13app

make_fleet 1
ROOT=$WORK/agent-1/root
APP=$ROOT/srv/app
mkdir -p "$ROOT/srv"
chmod 755 "$WORK" "$WORK/agent-1" "$ROOT" "$ROOT/srv"
# Outside the deploy roots: where the planted links lead. f1.txt has the
# name of a tracked file (src/f1.txt), so a write through a link would hit it.
OUT=$ROOT/etc/private
mkdir -p "$OUT/sub"
echo "root only" > "$OUT/shadow-copy" && chmod 600 "$OUT/shadow-copy"
echo "outside original" > "$OUT/f1.txt"
echo keep > "$OUT/sub/keep"

# fresh_app N: deploy appN at /srv/appN on v1; each case starts from its
# own clean deploy. The deploy directory stays root's (an application's
# user that owns it is refused, case 0); what the application may own is
# inside a release (an `after` hook may chown it).
fresh_app() {
  NAME=app$1 APP=$ROOT/srv/app$1
  write_manifest v1.0 "/srv/app$1" none 2 all "$NAME"
  expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
  SNAP=$(snapshot)
}
v1=$(app_commit 1.0 5)
fresh_app 1
[[ "$(stat -c %a "$WORK/agent-1/state")" == 700 ]] || fail "state dir is not 0700"

# 0. A deploy directory (or releases/) the application's user owns: it
#    could swap names between the agent's checks and its moves, so a push
#    is refused naming it, nothing changes, and status says why.
v2=$(app_commit 2.0 5)
chown "$APPUSER" "$APP"
write_manifest v2.0 "/srv/app1" none 2 all app1
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "srv/app1 is owned by uid $(id -u "$APPUSER")"
[[ ! -e "$APP/releases/$v2" && "$(readlink "$APP/current")" == "releases/$v1" ]] || fail "a refused push changed the deploy"
expect_exit 1 "$DAYBOOK" status
expect_in "$WORK/out" "srv/app1 is owned by uid"
chown root "$APP"
chown "$APPUSER" "$APP/releases"
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "srv/app1/releases is owned by uid"
chown root "$APP/releases"
same_outside "owned by the application"

# 1. releases replaced by a link to outside (as an application's user who
#    owned the directory could have done before): the next push writes
#    nothing there, names the path.
mv "$APP/releases" "$APP/releases.real"
ln -s "$OUT" "$APP/releases"
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "srv/app1/releases leads through a symbolic link"
same_outside "releases link"
rm "$APP/releases" && mv "$APP/releases.real" "$APP/releases"

# 2. The live release replaced by a link: status does not list the outside
#    files, and repairing deletes nothing there.
fresh_app 2
mv "$APP/releases/$v1" "$APP/releases/moved-away"
ln -s "$OUT" "$APP/releases/$v1"
expect_exit 1 "$DAYBOOK" status --verbose
grep -q "sub/keep\|shadow-copy\|f1.txt" "$WORK/out" && fail "status listed files outside the deploy roots"
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
same_outside "live release link"
[[ -d "$APP/releases/$v1" && ! -L "$APP/releases/$v1" ]] || fail "the live release is still a link"
expect_exit 0 "$DAYBOOK" status

# 3. A tracked directory of the live release replaced by a link (shared
#    storage): drift, and the repair never writes through it.
fresh_app 3
chown -R "$APPUSER" "$APP/releases/$v1"
as_app rm -rf "$APP/releases/$v1/src"
as_app ln -s "$OUT" "$APP/releases/$v1/src"
expect_exit 1 "$DAYBOOK" status --verbose
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
same_outside "tracked directory link"
[[ -L "$APP/current/src" ]] && fail "the link in place of src/ survived the repair"
[[ "$(cat "$APP/current/src/f1.txt")" != "outside original" ]] || fail "src/f1.txt is the outside file"
expect_exit 0 "$DAYBOOK" status

# 4. A planted .git directory at any depth and a name that is not UTF-8 are drift.
fresh_app 4
chown -R "$APPUSER" "$APP/releases/$v1"
as_app mkdir -p "$APP/current/src/.git"
as_app sh -c "echo '<?php system(\$_GET[\"c\"]);' > '$APP/current/src/.git/shell.php'"
as_app touch "$APP/current/caf$(printf '\351').txt"
expect_exit 1 "$DAYBOOK" status --verbose
expect_in "$WORK/out" "src/.git/shell.php"
expect_in "$WORK/out" 'caf\xE9.txt'
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
[[ -e "$APP/current/src/.git" ]] && fail "the planted .git survived the repair"
expect_exit 0 "$DAYBOOK" status
same_outside "planted .git"

# 5. A state directory others may write to (where a temp-file link could be
#    planted) is refused at start-up.
mkdir -m 777 "$WORK/open-state"
sed "s|^state_dir = .*|state_dir = \"$WORK/open-state\"|" "$WORK/agent-1/agent.toml" > "$WORK/open.toml"
expect_exit 2 timeout 10 "$AGENT" --config "$WORK/open.toml"
expect_in "$WORK/err" "writable by no one else"

# 6. Two deploy names that reach one directory through a link (above the
#    deploy roots, so the administrator's) are refused.
sed -i 's|^deploy_roots = .*|deploy_roots = ["/srv", "/data"]|' "$WORK/agent-1/agent.toml"
ln -s srv "$ROOT/data"
restart_agent 1
SNAP=$(snapshot)
write_manifest v1.0 /data/app1 none 2 all other
expect_exit 1 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "/data/app1 is the same directory as /srv/app1 of deploy app1"
same_outside "two names"

# 4b. A tree 12,000 levels deep planted by the application in its release,
#     read by an agent limited to 64 descriptors: drift, then repaired (no
#     crash, nothing hidden).
fresh_app 5
chown -R "$APPUSER" "$APP/releases/$v1"
as_app python3 -c '
import os, sys
os.chdir(sys.argv[1])
for _ in range(12000):
    os.mkdir("x"); os.chdir("x")
open("f", "w").close()' "$APP/current"
AGENT_NOFILE=64 restart_agent 1
[[ "$(awk '/Max open files/ {print $4}' "/proc/${APIDS[1]}/limits")" == 64 ]] || fail "the agent is not limited to 64 descriptors"
expect_exit 1 "$DAYBOOK" status --verbose
expect_in "$WORK/out" "+1"
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
[[ -e "$APP/current/x" ]] && fail "the planted deep tree survived the repair"
expect_exit 0 "$DAYBOOK" status
same_outside "deep tree"
restart_agent 1

# 7. Trees a host cannot reproduce are refused by plan and push, naming the path.
git -C "$WORK/app" update-index --add --cacheinfo "160000,$v1,vendor/lib"
git -C "$WORK/app" commit -qm submodule && git -C "$WORK/app" tag vsub
write_manifest vsub /srv/app none
expect_exit 2 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/err" "vendor/lib: a submodule"
expect_exit 2 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/err" "vendor/lib: a submodule"
git -C "$WORK/app" rm -q --cached vendor/lib
printf '*.bin filter=lfs diff=lfs merge=lfs -text\n' > "$WORK/app/.gitattributes"
mkdir -p "$WORK/app/assets"
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 4096\n' 0 > "$WORK/app/assets/logo.bin"
git -C "$WORK/app" add -A && git -C "$WORK/app" commit -qm lfs && git -C "$WORK/app" tag vlfs
write_manifest vlfs /srv/app none
expect_exit 2 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/err" "assets/logo.bin: a Git LFS pointer file"
sed -i 's|^path = .*|&\nlfs = "pointers"|' manifests/app.toml && git commit -qam "lfs pointers wanted"
expect_exit 0 "$DAYBOOK" plan manifests/app.toml
# Attributes that make a checkout write other bytes than the commit holds.
printf '*.php ident\n*.txt working-tree-encoding=UTF-16LE\n' > "$WORK/app/src/.gitattributes"
git -C "$WORK/app" add -A && git -C "$WORK/app" commit -qm attrs && git -C "$WORK/app" tag vattr
write_manifest vattr /srv/app none
expect_exit 2 "$DAYBOOK" plan manifests/app.toml
expect_in "$WORK/err" 'src/.gitattributes: declares ident ($Id$ is expanded on checkout)'
expect_in "$WORK/err" "src/.gitattributes: declares working-tree-encoding=UTF-16LE"
git -C "$WORK/app" rm -q src/.gitattributes && git -C "$WORK/app" commit -qm "no attrs"
same_outside "refused trees"

# 8. A half-received pack's temp file is removed when the agent starts again.
rm -r "$WORK/app/.gitattributes" "$WORK/app/assets"
PACKS=$WORK/agent-1/state/objects.git/objects/pack
caught=no
for attempt in 1 2 3; do
  head -c 16000000 /dev/urandom > "$WORK/app/big.bin"
  git -C "$WORK/app" add -A && git -C "$WORK/app" commit -qm "big $attempt" && git -C "$WORK/app" tag "vbig$attempt"
  write_manifest "vbig$attempt" /srv/app none
  "$DAYBOOK" push manifests/app.toml --yes > "$WORK/push.out" 2>&1 &
  push=$!
  while kill -0 "$push" 2> /dev/null; do
    if compgen -G "$PACKS/pack_git2_*" > /dev/null; then kill -9 "${APIDS[1]}"; caught=yes; break; fi
    sleep 0.005
  done
  wait "$push" || true
  [[ $caught == yes ]] && break
done
[[ $caught == yes ]] || fail "could not kill the agent during a pack transfer"
compgen -G "$PACKS/pack_git2_*" > /dev/null || fail "no temp pack left to clean (the kill came too late)"
restart_agent 1
! compgen -G "$PACKS/pack_git2_*" > /dev/null || fail "the half-received pack survived the restart"
expect_in "$WORK/agent-1/log" "removed 1 file(s) of an interrupted pack transfer"
same_outside "interrupted transfer"

# 9. A directory the application moves in from outside the roots (same
#    filesystem), carrying a root-owned directory it may not empty: the
#    repair moves that whole into quarantine/ (root's alone) instead of
#    deleting root's file as the application's deputy; status says so.
fresh_app 9
H=$ROOT/home/app9
mkdir -p "$H/conf/pinned" && echo "admin pinned" > "$H/conf/pinned/keep"
chown "$APPUSER" "$H" "$H/conf" && chmod 755 "$ROOT/home" "$H" "$H/conf" "$H/conf/pinned"
as_app rm -f "$H/conf/pinned/keep" 2> /dev/null && fail "the application could delete root's file itself: this case would prove nothing"
chown -R "$APPUSER" "$APP/releases/$v1/src"   # as an `after` hook may do
as_app mv "$H/conf" "$APP/releases/$v1/src/conf"
SNAP=$(snapshot)
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes --output json
expect_in "$WORK/out" '"status":"repaired"'
expect_in "$WORK/out" '"set_aside"'
expect_in "$WORK/out" "(as it was before the repair)/src/conf/pinned -> "
expect_exit 1 "$DAYBOOK" status
expect_in "$WORK/out" "quarantine holds 1 directory a removal would not empty"
# Once more (the same move, a plain push): the text output says it too.
mkdir -p "$H/conf2/pinned" && echo "admin pinned 2" > "$H/conf2/pinned/keep"
chown "$APPUSER" "$H/conf2"
chown -R "$APPUSER" "$APP/current/src"
as_app mv "$H/conf2" "$APP/current/src/conf2"
SNAP=$(snapshot)
expect_exit 0 "$DAYBOOK" push manifests/app.toml --yes
expect_in "$WORK/out" "note: agent-1 app9: 1 directory moved to quarantine/ instead of being emptied"
kept=$(find "$APP/quarantine" -name keep)
[[ "$(cat $kept | sort | tr '\n' ,)" == "admin pinned,admin pinned 2," ]] || fail "root's files the application moved in are not kept in quarantine/"
[[ "$(stat -c %a%U "$APP/quarantine")" == 700root ]] || fail "quarantine/ is not root's alone"
expect_exit 1 "$DAYBOOK" status
expect_in "$WORK/out" "quarantine holds 2 directories a removal would not empty"
same_outside "moved in"

finish
