# Shared by the confinement scenarios: a second, unprivileged user who plays
# the application (created here, removed on exit), and a snapshot of
# everything outside the deploy roots of $ROOT (names, types, modes, owners,
# contents) that must not change.
# app_user PREFIX: sets APPUSER (PREFIX + pid) and defines as_app CMD...
app_user() {
  APPUSER=$1$$
  useradd --system --no-create-home --shell /usr/sbin/nologin "$APPUSER" || { echo "cannot create user $APPUSER"; exit 1; }
  CLEANUP+=("userdel $APPUSER")
}
as_app() { runuser -u "$APPUSER" -- "$@"; }
snapshot() {
  (cd "$ROOT" && find . -path ./srv -prune -o -printf '%p %y %m %U %s %l\n' | sort
   find . -path ./srv -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
}
# same_outside WHAT: fails naming WHAT when the snapshot differs from $SNAP.
same_outside() { [[ "$(snapshot)" == "$SNAP" ]] || { fail "$1: something outside the deploy roots changed"; diff <(echo "$SNAP") <(snapshot) >&2 || true; }; }
