# Helpers for end-to-end scenarios: run the built binaries as a user does,
# in a temp dir removed on exit. Usage: source lib.sh "$@" (daybook, agent, source dir).
set -euo pipefail

# Absolute: scenarios cd into their work directory.
DAYBOOK=$(realpath -m "$1")
AGENT=$(realpath -m "$2")
SOURCE_DIR=$(realpath -m "$3")
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/daybook-e2e.XXXXXX")
PIDS=()  # background processes a scenario starts; killed on exit
CLEANUP=()  # commands (strings) a scenario adds, run on exit after the kills (userdel...)
# DAYBOOK_E2E_KEEP=1 keeps the work directory for a look after the run.
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; for c in "${CLEANUP[@]}"; do eval "$c" || true; done; [[ -n "${DAYBOOK_E2E_KEEP:-}" ]] && echo "kept $WORK" || rm -rf "$WORK"' EXIT
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

# start_agent NAME [EXTRA_TOML]: an agent on 127.0.0.1, port 0, own state and
# root under $WORK/NAME; sets AGENT_PORT and AGENT_PID once it listens.
# With AGENT_WRAP set (an array), the agent runs as "${AGENT_WRAP[@]}" AGENT ARGS.
# HOOK_LOG in its environment names $WORK/NAME/hooks.log, a file beside its
# state that only root writes: what test hooks write to (never the deploy
# directory, which a hook running as root must not write in by path).
start_agent() {
  local name=$1 dir="$WORK/$1" grace='login_grace = "3s"'
  [[ "${2:-}" == *login_grace* ]] && grace=''
  mkdir -p "$dir/root"
  cat > "$dir/agent.toml" <<TOML
listen = "127.0.0.1:0"
state_dir = "$dir/state"
authorized_operators = "$WORK/authorized_operators"
root = "$dir/root"
deploy_roots = ["/srv"]
# the sandbox roots' security repository (tests/fixtures/apt_sandbox.sh)
security_origins = ["origin=Demo,label=Demo-Security"]
$grace
${2:-}
TOML
  HOOK_LOG="$dir/hooks.log" ${AGENT_WRAP+"${AGENT_WRAP[@]}"} "$AGENT" --config "$dir/agent.toml" > "$dir/out" 2> "$dir/log" &
  AGENT_PID=$!
  PIDS+=("$AGENT_PID")
  for _ in $(seq 1 100); do
    grep -q '^listening on ' "$dir/out" 2>/dev/null && break
    sleep 0.05
  done
  AGENT_PORT=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/out")
  [[ -n "$AGENT_PORT" ]] || { fail "agent $name did not start"; cat "$dir/log" >&2; }
}

# wait_for_file PATH: up to 20 s (a hang guard, not a timing assertion).
wait_for_file() {
  for _ in $(seq 1 400); do [[ -e "$1" ]] && return 0; sleep 0.05; done
  fail "timed out waiting for $1"
}

finish() {
  if [[ $failures -gt 0 ]]; then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "all checks passed"
}
