# Real Debian 12 roots for the `realos` suite, on top of tests/e2e/lib.sh:
# a minbase root debootstrapped from the mirror this machine's apt sources
# name (cached as a tarball: the base changes only with point releases),
# then, at every run, bookworm + bookworm-security sources, `apt-get
# update`, and unattended-upgrades with a few packages installed at their
# point-release versions (-t bookworm), so that the ones with a newer
# version in bookworm-security are pending: state "S0". The mirror moves:
# what is pending is read at run time, never written down here.
#
# Runs as root. The test re-executes itself in a private mount namespace
# (realos_private_mounts), so the proc, sysfs and devpts mounts of a chroot
# end with it; /dev of a root is a tmpfs with the few nodes apt needs,
# never a bind of the host's (removing the root can never reach the host).
# Network: the configured Debian mirror only.

REALOS_CACHE=${DAYBOOK_REALOS_CACHE:-/var/cache/daybook-realos}
# Installed with unattended-upgrades at their point-release versions: cron
# brings a statoverride of a group the host may not have (crontab), which
# dpkg must resolve inside the root.
REALOS_PACKAGES=${DAYBOOK_REALOS_PACKAGES:-cron}

# The URI of SUITE in this machine's deb822 sources (debian.sources).
suite_uri() {
  awk -v want="$1" 'BEGIN { RS = ""; FS = "\n" } {
      uri = ""; suites = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/) { uri = $i; sub(/^URIs:[ \t]*/, "", uri) }
        if ($i ~ /^Suites:/) { suites = $i; sub(/^Suites:[ \t]*/, "", suites) }
      }
      n = split(suites, s, " ")
      for (j = 1; j <= n; j++) if (s[j] == want) { split(uri, u, " "); print u[1]; exit }
    }' /etc/apt/sources.list.d/*.sources 2> /dev/null
}
MIRROR=$(suite_uri bookworm)
SECURITY=$(suite_uri bookworm-security)

MOUNTED=()  # unmounted (reverse order) before the work directory is removed
CLEANUP+=('for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTED[$i]}" 2> /dev/null; done')

# What a chrooted apt, dpkg and maintainer scripts need: proc, sys, a /dev
# of its own, a private devpts (apt's log pty).
chroot_mounts() {
  local r=$1
  mount -t proc proc "$r/proc" && MOUNTED+=("$r/proc")
  mount -t sysfs sys "$r/sys" && MOUNTED+=("$r/sys")
  mount -t tmpfs -o mode=0755,size=1m dev "$r/dev" && MOUNTED+=("$r/dev")
  mknod -m 666 "$r/dev/null" c 1 3 && mknod -m 666 "$r/dev/zero" c 1 5 && mknod -m 666 "$r/dev/full" c 1 7
  mknod -m 666 "$r/dev/random" c 1 8 && mknod -m 666 "$r/dev/urandom" c 1 9 && mknod -m 666 "$r/dev/tty" c 5 0
  mkdir "$r/dev/pts" && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts" && MOUNTED+=("$r/dev/pts")
  ln -s pts/ptmx "$r/dev/ptmx"
}
chroot_umounts() {
  local r=$1 m keep=()
  # A mount that stays (busy) stays listed for the exit's lazy unmount,
  # before the work directory is removed.
  for m in "$r/dev/pts" "$r/dev" "$r/sys" "$r/proc"; do umount "$m" || return 1; done
  for m in "${MOUNTED[@]}"; do [[ "$m" == "$r/"* ]] || keep+=("$m"); done
  MOUNTED=(${keep[@]+"${keep[@]}"})
}
in_root() { local r=$1; shift; chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"; }

# realos_base DIR: the cached minbase root extracted into DIR (debootstrapped
# and cached first when the cache has none).
realos_base() {
  local dir=$1 tarball="$REALOS_CACHE/bookworm-minbase.tar.zst"
  mkdir -p "$dir"
  if [[ ! -f "$tarball" ]]; then
    local fresh="$WORK/debootstrap"
    echo "realos: debootstrap --variant=minbase bookworm from $MIRROR (cached in $tarball)"
    debootstrap --variant=minbase bookworm "$fresh" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 || {
      tail -20 "$WORK/debootstrap.log" >&2; echo "realos: debootstrap failed" >&2; exit 1; }
    mkdir -p "$REALOS_CACHE" && chmod 700 "$REALOS_CACHE"
    tar -C "$fresh" --numeric-owner --xattrs -cf - . | zstd -q -T0 -10 -o "$tarball.tmp" && mv "$tarball.tmp" "$tarball"
    rm -rf "$fresh"
  fi
  zstd -dc "$tarball" | tar -C "$dir" --numeric-owner --xattrs -xf -
}

# realos_sources ROOT SUITE...: ROOT's apt sources are this machine's
# mirror for each SUITE (deb822, the archive keyring), and nothing else.
realos_sources() {
  local r=$1 suite uri
  shift
  rm -f "$r/etc/apt/sources.list"
  : > "$r/etc/apt/sources.list.d/debian.sources"
  for suite in "$@"; do
    uri=$MIRROR
    [[ "$suite" == *-security ]] && uri=$SECURITY
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' \
      "$uri" "$suite" >> "$r/etc/apt/sources.list.d/debian.sources"
  done
}

# realos_s0 DIR: S0 in DIR; says how many updates are pending. Exit 77
# (skipped, with the reason) when bookworm-security has nothing newer than
# the point release: there is nothing to compare then.
realos_s0() {
  local r=$1
  realos_base "$r"
  realos_sources "$r" bookworm bookworm-security
  chroot_mounts "$r"
  in_root "$r" apt-get update -q > "$WORK/s0-update.log" 2>&1 || { cat "$WORK/s0-update.log" >&2; exit 1; }
  in_root "$r" apt-get install -y -q -t bookworm unattended-upgrades $REALOS_PACKAGES > "$WORK/s0-install.log" 2>&1 || {
    tail -20 "$WORK/s0-install.log" >&2; exit 1; }
  in_root "$r" apt-get clean
  local p
  for p in unattended-upgrades $REALOS_PACKAGES; do
    dpkg-query --admindir="$r/var/lib/dpkg" -W "$p" > /dev/null 2>&1 || { echo "realos: $p is not installed in S0" >&2; exit 1; }
  done
  in_root "$r" apt list --upgradable 2> /dev/null | tail -n +2 > "$WORK/s0-upgradable.txt" || true
  chroot_umounts "$r"
  local pending security
  pending=$(wc -l < "$WORK/s0-upgradable.txt")
  security=$(grep -c -- '-security ' "$WORK/s0-upgradable.txt" || true)
  echo "realos: S0 has $(dpkg-query --admindir="$r/var/lib/dpkg" -W | wc -l) packages, $pending upgradable, $security from bookworm-security"
  if [[ "$security" -eq 0 ]]; then
    echo "SKIPPED: bookworm-security has nothing newer than the point release today: nothing to compare" >&2
    exit 77
  fi
}

# uu_reference DIR: unattended-upgrades, Debian's own, in DIR (chroot):
# its dry run's package list in $WORK/uu-expected.txt, then the real run.
uu_reference() {
  local r=$1
  chroot_mounts "$r"
  local t=$SECONDS
  in_root "$r" unattended-upgrade --dry-run -d > "$WORK/uu-dryrun.log" 2>&1 || { tail -20 "$WORK/uu-dryrun.log" >&2; fail "unattended-upgrade --dry-run"; }
  sed -n 's/^Packages that will be upgraded: //p' "$WORK/uu-dryrun.log" | tr ' ' '\n' | sed '/^$/d' | sort -u > "$WORK/uu-expected.txt"
  echo "realos: unattended-upgrade --dry-run: $(wc -l < "$WORK/uu-expected.txt") packages in $((SECONDS - t)) s"
  [[ -s "$WORK/uu-expected.txt" ]] || fail "unattended-upgrade would upgrade nothing though bookworm-security has updates: its log is $WORK/uu-dryrun.log"
  t=$SECONDS
  in_root "$r" unattended-upgrade -d > "$WORK/uu-run.log" 2>&1 || { tail -20 "$WORK/uu-run.log" >&2; fail "unattended-upgrade"; }
  echo "realos: unattended-upgrade: $((SECONDS - t)) s"
  chroot_umounts "$r"
}

# plan_packages JSON: "name version" of every change a `plan --output json` lists.
plan_packages() {
  python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for host in doc.get("hosts", []):
    plan = ((host.get("patch") or {}).get("plan") or {})
    for c in plan.get("changes", []):
        print(c["name"], c["to"], c.get("reason", ""))
PY
}

# same_outcome DAYBOOK_ROOT UU_ROOT: the two roots end the same: versions,
# apt's auto marks, every package "ii", dpkg --audit clean, no security
# update left.
same_outcome() {
  local a=$1 b=$2
  diff <(dpkg-query --admindir="$a/var/lib/dpkg" -W) <(dpkg-query --admindir="$b/var/lib/dpkg" -W) > "$WORK/versions.diff" ||
    { fail "daybook and unattended-upgrades left different versions (< daybook, > u-u)"; cat "$WORK/versions.diff" >&2; }
  auto() { awk '/^Package:/ { p = $2 } /^Architecture:/ { a = $2 } /^Auto-Installed: 1/ { print p ":" a }' "$1/var/lib/apt/extended_states" | sort; }
  diff <(auto "$a") <(auto "$b") > "$WORK/auto.diff" ||
    { fail "apt's auto marks differ (< daybook, > u-u)"; cat "$WORK/auto.diff" >&2; }
  local notii
  notii=$(dpkg-query --admindir="$a/var/lib/dpkg" -W -f='${db:Status-Abbrev} ${Package}\n' | grep -v '^ii ' || true)
  [[ -z "$notii" ]] || fail "packages not installed cleanly after daybook: $notii"
  local audit
  audit=$(dpkg --root="$a" --audit 2>&1 || true)
  [[ -z "$audit" ]] || fail "dpkg --audit after daybook: $audit"
  chroot_mounts "$a"
  in_root "$a" apt list --upgradable 2> /dev/null | grep -- '-security ' > "$WORK/left.txt" && { fail "security updates left after daybook"; cat "$WORK/left.txt" >&2; }
  chroot_umounts "$a"
}

# realos_fleet PORT: a fleet repository at $WORK/fleet listing host-1 on
# 127.0.0.1:PORT (key pinned), the operator's key allowed, and a committed
# manifests/security.toml (policy security, no reboot); cd's into it.
realos_fleet() {
  "$DAYBOOK" init "$WORK/fleet" > /dev/null || fail "init"
  cd "$WORK/fleet"
  sed -i "s|key = \"~/.ssh/id_ed25519\"|key = \"$WORK/op\"|" daybook.toml
  echo "ops@example $(cat "$WORK/op.pub")" >> allowed_signers
  printf '[hosts.host-1]\naddress = "127.0.0.1"\nport = %s\n' "$1" > inventory/hosts.toml
  rm -f manifests/example.toml
  printf '[manifest]\nname = "security"\ntargets = "all"\nticket = "CHG-1"\n\n[patch]\npolicy = "security"\nreboot = "never"\n\n[rollout]\ntimeout = "30m"\n' \
    > manifests/security.toml
  git add -A && git commit -qm "fleet" || fail "fleet commit"
  expect_exit 0 "$DAYBOOK" ping --accept-new-host-keys
  git add inventory/known_hosts && git commit -qm "pin host-1" || fail "pin commit"
}

# wait_listening OUT: the port of the `listening on` line an agent writes to OUT.
wait_listening() {
  for _ in $(seq 1 200); do grep -q '^listening on ' "$1" 2> /dev/null && break; sleep 0.05; done
  sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$1"
}

# agent_libraries ROOT: installs in ROOT (at point-release versions, like
# the rest) the Debian packages that hold the libraries the agent binary
# needs and ROOT lacks, found by ldd inside ROOT and dpkg -S on this host.
agent_libraries() {
  local r=$1 lib pkgs=()
  cp "$AGENT" "$r/usr/local/sbin/daybook-agent"
  chroot_mounts "$r"
  for lib in $(in_root "$r" ldd /usr/local/sbin/daybook-agent | awk '/not found/ { print $1 }'); do
    pkgs+=("$(dpkg -S "*/$lib" | head -1 | cut -d: -f1)")
  done
  if [[ ${#pkgs[@]} -gt 0 ]]; then
    in_root "$r" apt-get install -y -q -t bookworm "${pkgs[@]}" > "$WORK/agent-libs.log" 2>&1 || { tail -20 "$WORK/agent-libs.log" >&2; exit 1; }
    in_root "$r" apt-get clean
  fi
  in_root "$r" /usr/local/sbin/daybook-agent --version > /dev/null || fail "the agent does not run inside the root"
  chroot_umounts "$r"
  echo "realos: agent libraries installed in the root: ${pkgs[*]:-none}"
}
