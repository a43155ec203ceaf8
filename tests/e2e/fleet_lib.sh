# A fleet for deploy scenarios, on top of lib.sh: an operator key, N agents
# on loopback with sandbox roots, a fleet repository that lists them (keys
# pinned, operator allowed to sign), and an application repository.
# Usage: source fleet_lib.sh after lib.sh.
unset SSH_AUTH_SOCK
export GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@example.org GIT_COMMITTER_NAME=Dev GIT_COMMITTER_EMAIL=dev@example.org

# make_fleet N: agents agent-1..agent-N; sets PORTS[1..N], APIDS[1..N]; cd's into $WORK/fleet.
# AGENT_TOML_EXTRA, when set, is added to each agent.toml, @DIR@ standing
# for the agent's directory.
make_fleet() {
  ssh-keygen -q -t ed25519 -N '' -C operator -f "$WORK/op"
  cp "$WORK/op.pub" "$WORK/authorized_operators"
  PORTS=() APIDS=()
  for n in $(seq 1 "$1"); do
    local extra=${AGENT_TOML_EXTRA:-}
    start_agent "agent-$n" "${extra//@DIR@/$WORK/agent-$n}"
    PORTS[$n]=$AGENT_PORT
    APIDS[$n]=$AGENT_PID
  done
  "$DAYBOOK" init "$WORK/fleet" > /dev/null || fail "init"
  cd "$WORK/fleet"
  sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$WORK/op\"|" daybook.toml
  echo "ops@example $(cat "$WORK/op.pub")" >> allowed_signers
  { echo '[defaults]'; echo 'port = 7022'
    for n in $(seq 1 "$1"); do printf '[hosts.agent-%s]\naddress = "127.0.0.1"\nport = %s\n' "$n" "${PORTS[$n]}"; done
  } > inventory/hosts.toml
  rm -f manifests/example.toml
  git add -A && git commit -qm "fleet" || fail "fleet commit"
  expect_exit 0 "$DAYBOOK" ping --accept-new-host-keys
  git add inventory/known_hosts && git commit -qm "pin agent host keys" || fail "pin commit"
}

# restart_agent N: kills agent-N (if alive) and starts it again on its port.
restart_agent() {
  local dir="$WORK/agent-$1"
  kill -9 "${APIDS[$1]}" 2>/dev/null || true
  wait "${APIDS[$1]}" 2>/dev/null || true
  sed -i "s|^listen = .*|listen = \"127.0.0.1:${PORTS[$1]}\"|" "$dir/agent.toml"
  # AGENT_NOFILE: a descriptor limit for this run of the agent.
  (if [[ -n "${AGENT_NOFILE:-}" ]]; then ulimit -n "$AGENT_NOFILE"; fi
   HOOK_LOG="$dir/hooks.log" exec "$AGENT" --config "$dir/agent.toml") > "$dir/out" 2>> "$dir/log" &
  APIDS[$1]=$!
  PIDS+=("${APIDS[$1]}")
  for _ in $(seq 1 100); do grep -q '^listening on ' "$dir/out" 2>/dev/null && return 0; sleep 0.05; done
  fail "agent-$1 did not restart"
}

# app_commit VERSION [FILES]: the application repository at $WORK/app, with
# FILES generated files (default 50), VERSION in ./VERSION, tagged vVERSION.
app_commit() {
  local files=${2:-50}
  if [[ ! -d "$WORK/app/.git" ]]; then git init -q -b main "$WORK/app"; fi
  mkdir -p "$WORK/app/src" "$WORK/app/bin"
  for i in $(seq 1 "$files"); do
    [[ -e "$WORK/app/src/f$i.txt" ]] || head -c 600 /dev/urandom | base64 > "$WORK/app/src/f$i.txt"
  done
  echo "$1" > "$WORK/app/VERSION"
  printf '#!/bin/sh\necho app %s\n' "$1" > "$WORK/app/bin/start" && chmod +x "$WORK/app/bin/start"
  git -C "$WORK/app" add -A && git -C "$WORK/app" commit -qm "v$1" && git -C "$WORK/app" tag "v$1"
  git -C "$WORK/app" rev-parse HEAD
}

# write_manifest REF [PATH] [AFTER|none] [KEEP] [TARGETS] [NAME]: manifests/app.toml, committed.
write_manifest() {
  # The default hook logs to $HOOK_LOG (root's, see start_agent).
  local after=${3:-'["sh", "-c", "echo $DAYBOOK_COMMIT >> \"$HOOK_LOG\""]'}
  [[ "$after" == none ]] && after='' || after="after = $after"
  cat > manifests/app.toml <<TOML
[manifest]
name = "app-$1"
targets = "${5:-all}"
ticket = "CHG-1"

[[deploy]]
name = "${6:-app}"
repo = "../app"
ref = "$1"
path = "${2:-/srv/app}"
keep = ${4:-2}
$after

[rollout]
timeout = "60s"
TOML
  git add manifests/app.toml && git commit -qm "manifest $1" || fail "manifest commit"
}

# live N: the commit agent-N's current points at ("" when none).
live() { basename "$(readlink "$WORK/agent-$1/root/srv/app/current" 2>/dev/null)" 2>/dev/null || true; }

# rebootable_agent N ROOT EXTRA_TOML: agent-N on package root ROOT, with a
# boot id file and a reboot command that restarts it (same port) under a new
# boot id, in a session of its own (what the agent runs is killed with its
# group). AGENT_HOME, when set, is the agent's HOME. Sets PORTS[N]; the
# agent's pid is in $WORK/agent-N/pid.
rebootable_agent() {
  local n=$1 dir="$WORK/agent-$1" home=${AGENT_HOME:-$HOME}
  mkdir -p "$dir"
  echo "boot-1-of-agent-$n" > "$dir/boot_id"
  cat > "$dir/reboot.sh" <<SH
#!/bin/sh
setsid sh -c '
  kill \$(cat "$dir/pid"); while kill -0 \$(cat "$dir/pid") 2>/dev/null; do sleep 0.1; done
  echo "boot-\$(date +%s%N)" > "$dir/boot_id"
  HOME="$home" "$AGENT" --config "$dir/agent.toml" > "$dir/out" 2>> "$dir/log" &
  echo \$! > "$dir/pid"
' > /dev/null 2>&1 < /dev/null &
SH
  chmod +x "$dir/reboot.sh"
  cat > "$dir/agent.toml" <<TOML
listen = "127.0.0.1:0"
state_dir = "$dir/state"
authorized_operators = "$WORK/authorized_operators"
root = "$2"
deploy_roots = ["/srv"]
reboot_command = ["$dir/reboot.sh"]
boot_id_file = "$dir/boot_id"
# the sandbox roots' security repository (tests/fixtures/apt_sandbox.sh)
security_origins = ["origin=Demo,label=Demo-Security"]
$3
TOML
  HOME="$home" "$AGENT" --config "$dir/agent.toml" > "$dir/out" 2> "$dir/log" &
  echo $! > "$dir/pid"
  for _ in $(seq 1 100); do grep -q '^listening on ' "$dir/out" 2>/dev/null && break; sleep 0.05; done
  PORTS[$n]=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/out")
  [[ -n "${PORTS[$n]}" ]] || { fail "agent-$n did not start"; cat "$dir/log" >&2; }
  sed -i "s|^listen = .*|listen = \"127.0.0.1:${PORTS[$n]}\"|" "$dir/agent.toml"  # a restart keeps the port
}

# rebootable_fleet PREFIX N: kills agent-1..N (by their pid files) on exit;
# a fleet repository at $WORK/fleet listing them as PREFIX-1..N on
# PORTS[1..N], with no manifest; cd's into it.
rebootable_fleet() {
  local n
  trap "for n in \$(seq 1 $2); do kill -9 \$(cat \"$WORK/agent-\$n/pid\") 2>/dev/null || true; done; rm -rf \"$WORK\"" EXIT
  "$DAYBOOK" init "$WORK/fleet" > /dev/null
  cd "$WORK/fleet"
  sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$WORK/op\"|" daybook.toml
  echo "ops@example $(cat "$WORK/op.pub")" >> allowed_signers
  { for n in $(seq 1 "$2"); do printf '[hosts.%s-%s]\naddress = "127.0.0.1"\nport = %s\n' "$1" "$n" "${PORTS[$n]}"; done; } > inventory/hosts.toml
  rm manifests/example.toml
}
