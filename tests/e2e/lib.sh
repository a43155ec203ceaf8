# Helpers for end-to-end scenarios: run the built binaries as a user does,
# in a temp dir removed on exit. Usage: source lib.sh "$@" (daybook, agent, source dir).
set -euo pipefail

DAYBOOK=$1
AGENT=$2
SOURCE_DIR=$3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/daybook-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect_exit CODE CMD...: runs CMD, keeps stdout/stderr in $WORK/out, $WORK/err.
expect_exit() {
  local want=$1
  shift
  local got=0
  "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
  if [[ $got -ne $want ]]; then
    fail "exit $got (wanted $want): $*"
    sed 's/^/  stdout: /' "$WORK/out" >&2
    sed 's/^/  stderr: /' "$WORK/err" >&2
  fi
}

# expect_in FILE TEXT: FILE holds TEXT as a fixed string.
expect_in() {
  grep -qF -- "$2" "$1" || { fail "$(basename "$1") lacks: $2"; sed 's/^/  | /' "$1" >&2; }
}

finish() {
  if [[ $failures -gt 0 ]]; then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "all checks passed"
}
