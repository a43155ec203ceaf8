#!/usr/bin/env bash
# Security patching on a real Debian 12 root, side by side in the same run
# with Debian's own unattended-upgrades on a twin of the same root:
#   daybook plan              over SSH to a real agent (root = the root):
#                             apt-get update, the fixed apt runs of a plan
#                             (docs/patch.md), the signed answer
#   unattended-upgrade --dry-run -d        on the twin (chroot), as Debian
#                             runs it: without an update of its own
#   apt-get update, then unattended-upgrade --dry-run -d   what daybook's
#                             plan does, in the peer's terms
#   daybook push / unattended-upgrade      one real run each (each changes
#                             its root), both checked to install the same
#                             packages (tests/realos/realos_lib.sh same_outcome)
# The root is the realos suite's S0 (tests/realos/realos_lib.sh) with a
# server's worth of packages installed at their point-release versions, so
# that about a hundred of them have a pending update in bookworm-security;
# the mirror moves, so the count is read at run time and named in the table.
# Every run is checked: the plan must list exactly unattended-upgrades'
# packages, the push must upgrade them all; a failure stops the benchmark.
# Usage: bench/patch.sh [BUILD_DIR]   RUNS=3, PATCH_PACKAGES="..." (root; the
# Debian mirror of this machine's apt sources; a few minutes and ~3 GB)
[[ -n "${BENCH_PATCH_NS:-}" ]] || exec env BENCH_PATCH_NS=1 unshare --mount --propagation private -- bash "$0" "$@"
src=$(cd "$(dirname "$0")/.." && pwd)
source "$src/bench/lib.sh" "${1:-build}" patch
runs=${RUNS:-3}
# realos_lib.sh's names for what bench/lib.sh has; a failure stops the bench.
WORK=$work DAYBOOK=$daybook AGENT=$agent SOURCE_DIR=$src
CLEANUP=()
on_exit 'for c in "${CLEANUP[@]}"; do eval "$c" || true; done'
fail() { die "$*"; }
expect_exit() {
  local want=$1 got=0
  shift
  "$@" > "$WORK/out" 2> "$WORK/err" || got=$?
  [[ $got -eq $want ]] || { tail -5 "$WORK/out" "$WORK/err" >&2; die "exit $got (wanted $want): $*"; }
}
# A server's packages, at point-release versions: web, PHP, databases, mail,
# DNS, proxy, antivirus, Java, and the tools of the realos notes' "big" root.
DAYBOOK_REALOS_PACKAGES=${PATCH_PACKAGES:-cron openssh-server curl wget git sudo rsync nginx apache2 libapache2-mod-php8.2
php8.2-cli php8.2-mysql mariadb-server postgresql-15 dovecot-imapd bind9 squid clamav tomcat10 rsyslog gnupg
iproute2 bind9-dnsutils python3-requests libxml2 vim-tiny openssl krb5-user imagemagick ghostscript ffmpeg}
DAYBOOK_REALOS_PACKAGES=$(echo $DAYBOOK_REALOS_PACKAGES)
source "$src/tests/realos/realos_lib.sh"
[[ -n "$MIRROR" && -n "$SECURITY" ]] || die "this machine's apt sources name no bookworm or bookworm-security URI"
need_peer debootstrap zstd

R=$work/daybook-root U=$work/uu-root
realos_s0 "$R" > "$work/s0.txt"  # not in a pipe: its mounts must stay known to the cleanup
cat "$work/s0.txt"
cp -a "$R" "$U"
pending=$(wc -l < "$work/s0-upgradable.txt")
export BENCH_GROUP="real Debian 12 root, $pending pending updates"

# The peer, warmed once (its dry run downloads the packages into the root's
# cache; later runs find them there), then measured; its list is the oracle.
chroot_mounts "$U"
uu=(chroot "$U" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive)
"${uu[@]}" unattended-upgrade --dry-run -d > "$work/uu-dryrun.log" 2>&1 || { tail -5 "$work/uu-dryrun.log" >&2; die "unattended-upgrade --dry-run"; }
sed -n 's/^Packages that will be upgraded: //p' "$work/uu-dryrun.log" | tr ' ' '\n' | sed '/^$/d' | sort -u > "$work/uu-expected.txt"
[[ -s "$work/uu-expected.txt" ]] || die "unattended-upgrade would upgrade nothing"
echo "unattended-upgrades would upgrade $(wc -l < "$work/uu-expected.txt") packages"
export BENCH_BASE="daybook plan"
measure "unattended-upgrade --dry-run -d" "$runs" "${uu[@]}" unattended-upgrade --dry-run -d
measure "apt-get update, then unattended-upgrade --dry-run -d" "$runs" \
  "${uu[@]}" sh -c 'apt-get update -q && unattended-upgrade --dry-run -d'

# daybook: a real agent on loopback patching the root (its apt runs chrooted).
mkdir -p "$work/agent"
printf 'listen = "127.0.0.1:0"\nstate_dir = "%s/agent/state"\nauthorized_operators = "%s/authorized_operators"\nroot = "%s"\npackage_backend = "apt"\nreboot_command = ["/bin/false"]\nboot_id_file = "%s/agent/boot_id"\n' \
  "$work" "$work" "$R" "$work" > "$work/agent/agent.toml"
echo boot-1 > "$work/agent/boot_id"
"$agent" --config "$work/agent/agent.toml" > "$work/agent/out" 2> "$work/agent/log" &
pids+=($!)
port=$(wait_listening "$work/agent/out")
[[ -n "$port" ]] || { cat "$work/agent/log" >&2; die "the agent did not start"; }
realos_fleet "$port"
expect_exit 0 "$daybook" plan manifests/security.toml --output json
plan_packages "$WORK/out" | cut -d' ' -f1 | sort -u > "$work/plan-names.txt"
diff "$work/plan-names.txt" "$work/uu-expected.txt" >&2 || die "daybook's plan and unattended-upgrades' differ (< daybook, > u-u)"
measure "daybook plan" "$runs" "$daybook" plan manifests/security.toml

# One real run each: the push and unattended-upgrade, then the two roots
# must hold the same versions and marks.
t=$(now)
expect_exit 0 "$daybook" push manifests/security.toml --yes
push_s=$(elapsed "$t")
grep -qF "ok: $(wc -l < "$work/uu-expected.txt") upgraded" "$WORK/out" || { cat "$WORK/out" >&2; die "the push did not upgrade every package"; }
t=$(now)
"${uu[@]}" unattended-upgrade -d > "$work/uu-run.log" 2>&1 || { tail -5 "$work/uu-run.log" >&2; die "unattended-upgrade"; }
uu_s=$(elapsed "$t")
chroot_umounts "$U"
same_outcome "$R" "$U"
timed "$BENCH_GROUP" "daybook push (plan again, journal, apply)" "$push_s"
export BENCH_BASE="daybook push (plan again, journal, apply)"
timed "$BENCH_GROUP" "unattended-upgrade -d (one real run)" "$uu_s"
