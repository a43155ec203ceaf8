#!/usr/bin/env bash
# Deploy benchmark: a generated repository of 10,000 files deployed by
# `daybook push` to 1 and to 20 fresh agents on loopback, side by side in the
# same run with `git clone --no-local` (which checks out) and with `rsync -a`
# of the tree, 1 and 20 copies at once; then an incremental deploy of a
# one-file change: bytes sent next to the raw size of the changed objects.
# Medians of 5 runs; `sync` before each timed command, so no tool pays for
# another's dirty pages (the agent flushes its release with syncfs before
# the switch; git and rsync leave theirs in the page cache). Usage: bench/deploy.sh [BUILD_DIR] [FILES]  (not run by CI)
source "$(dirname "$0")/lib.sh" "${1:-build}" deploy
files=${2:-10000}
need_peer rsync
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.org GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.org

# The application: FILES text files of ~1 KB in directories of 100.
git init -q -b main "$work/app"
python3 - "$work/app" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
words = "deploy release tree commit agent journal patch host fleet window batch canary".split()
rng = random.Random(7)
for i in range(n):
    d = os.path.join(root, "src", f"m{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.txt"), "w") as f:
        for line in range(16):
            f.write(" ".join(rng.choice(words) for _ in range(10)) + f" {i} {line}\n")
PY
git -C "$work/app" add -A && git -C "$work/app" commit -qm v1 && git -C "$work/app" tag v1
echo "repository: $files files, $(du -sh --exclude=.git "$work/app" | cut -f1) of tree, .git $(du -sh "$work/app/.git" | cut -f1)"

# 25 agents: 5 for the single-host runs, 20 for the fan-out run.
"$daybook" init "$work/fleet" > /dev/null
cd "$work/fleet"
sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$work/op\"|" daybook.toml
echo "ops@example $(cat "$work/op.pub")" >> allowed_signers
rm manifests/example.toml
{ echo '[groups.many]'; printf 'hosts = ['; for n in $(seq 6 25); do printf '"a%s",' "$n"; done; echo ']'; } > inventory/groups.toml
: > inventory/hosts.toml
for n in $(seq 1 25); do
  d="$work/a$n"; mkdir -p "$d/root/srv"
  printf 'listen = "127.0.0.1:0"\nstate_dir = "%s/state"\nauthorized_operators = "%s/authorized_operators"\nroot = "%s/root"\ndeploy_roots = ["/srv"]\n' \
    "$d" "$work" "$d" > "$d/agent.toml"
  "$agent" --config "$d/agent.toml" > "$d/out" 2> "$d/log" &
  pids+=($!)
done
for n in $(seq 1 25); do
  for _ in $(seq 1 200); do grep -q '^listening' "$work/a$n/out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/a$n/out")
  printf '[hosts.a%s]\naddress = "127.0.0.1"\nport = %s\n' "$n" "$port" >> inventory/hosts.toml
done
cat > manifests/app.toml <<TOML
[manifest]
name = "bench"
targets = "all"
[[deploy]]
name = "app"
repo = "$work/app"
ref = "v1"
path = "/srv/app"
keep = 3
[rollout]
canary = 0        # every host at once: the peers below have no canary either
batch = "100%"
TOML
git add -A && git commit -qm bench
"$daybook" ping --accept-new-host-keys > /dev/null || die "first ping"
git add inventory/known_hosts && git commit -qm "pin agents"  # push reads the pins from the commit

export BENCH_BASE="daybook push"
# Single host, 5 runs each, each on a fresh agent / directory.
push1=() clone1=() rsync1=()
for n in 1 2 3 4 5; do
  sync; t=$(now); "$daybook" push manifests/app.toml --yes --target "a$n" --output json > "$work/push$n.json" 2>> "$work/push.err" ||
    die "push to a$n: $(tail -2 "$work/push.err")"
  push1+=("$(elapsed "$t")")
  sync; t=$(now); git clone -q --no-local "$work/app" "$work/clone$n" || die "git clone"; clone1+=("$(elapsed "$t")")
  sync; t=$(now); rsync -a --exclude .git "$work/app/" "$work/rsync$n/" || die "rsync"; rsync1+=("$(elapsed "$t")")
done
sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hosts"][0]["shipped"][0]["bytes"])' "$work/push1.json")
p1=$(median "${push1[@]}"); c1=$(median "${clone1[@]}"); r1=$(median "${rsync1[@]}")
timed "first deploy, $files files, 1 host" "daybook push" "${push1[@]}"
timed "first deploy, $files files, 1 host" "git clone --no-local" "${clone1[@]}"
timed "first deploy, $files files, 1 host" "rsync -a" "${rsync1[@]}"

# 20 hosts at once; the peers run 20 copies in parallel.
sync; t=$(now); "$daybook" push manifests/app.toml --yes --target group:many > /dev/null 2>> "$work/push.err" || die "push to 20 hosts"
p20=$(elapsed "$t")
sync; t=$(now); seq 1 20 | xargs -P 20 -I{} git clone -q --no-local "$work/app" "$work/c20-{}" || die "git clone x20"; c20=$(elapsed "$t")
sync; t=$(now); seq 1 20 | xargs -P 20 -I{} rsync -a --exclude .git "$work/app/" "$work/r20-{}/" || die "rsync x20"; r20=$(elapsed "$t")
timed "first deploy, $files files, 20 hosts at once" "daybook push" "$p20"
timed "first deploy, $files files, 20 hosts at once" "git clone --no-local x20" "$c20"
timed "first deploy, $files files, 20 hosts at once" "rsync -a x20" "$r20"

# Incremental: one file changed, pushed to a1.
mid=$((files / 2)); dir=$(printf 'src/m%03d' $((mid / 100))); file=$(printf '%s/f%05d.txt' "$dir" "$mid")
echo "one more line" >> "$work/app/$file"
git -C "$work/app" commit -qam v2 && git -C "$work/app" tag v2
sed -i 's/^ref = "v1"/ref = "v2"/' manifests/app.toml && git commit -qam v2
sync; t=$(now); "$daybook" push manifests/app.toml --yes --target a1 --output json > "$work/inc.json" 2>> "$work/push.err" ||
  die "incremental push"
pinc=$(elapsed "$t")
inc_bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hosts"][0]["shipped"][0]["bytes"])' "$work/inc.json")
changed=0
for o in v2 "v2^{tree}" "v2^{tree}:src" "v2^{tree}:$dir" "v2:$file"; do
  changed=$((changed + $(git -C "$work/app" cat-file -s "$o")))
done
sync; t=$(now); git -C "$work/clone1" pull -q || die "git pull"; pull=$(elapsed "$t")
timed "one-file release, 1 host" "daybook push" "$pinc"
timed "one-file release, 1 host" "git pull" "$pull"

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
echo
printf '%-44s %10s %10s %10s\n' "first deploy, $files files" daybook "git clone" rsync
printf '%-44s %9ss %9ss %9ss   daybook/clone %s\n' "1 host (median of 5)" "$p1" "$c1" "$r1" "$(ratio "$p1" "$c1")"
printf '%-44s %9ss %9ss %9ss   daybook/clone %s\n' "20 hosts at once" "$p20" "$c20" "$r20" "$(ratio "$p20" "$c20")"
echo "pack sent to one host: $sent bytes"
python3 - "$work"/push[1-5].json <<'PY'
import json, sys
for f in sys.argv[1:]:
    h = json.load(open(f))["hosts"][0]
    s, t = h["shipped"][0], h["deploys"][0]["timings_ms"]
    print(f"  steps (ms): pack {s['build_ms']}, send+index {s['send_ms']}, checkout {t.get('checkout')}, "
          f"verify {t.get('verify')}, sync {t.get('sync')}")
PY
echo
echo "incremental deploy of a one-file change: ${pinc}s (git pull of the same change: ${pull}s)"
echo "bytes sent: $inc_bytes; raw size of the changed objects (commit, 3 trees, blob): $changed; ratio $(ratio "$inc_bytes" "$changed")"
