#!/usr/bin/env bash
# The Debian packages (`make package`, cmake/Packaging.cmake) on a real
# Debian 12 root: lintian finds no error; apt installs both from the .deb
# files with their dependencies from the mirror; the agent package leaves
# its state directory 0700, an empty operators file 0600, its conffile and
# the unit enabled (no systemd runs in a chroot: the enable link is what
# deb-systemd-helper leaves); the installed agent accepts its packaged
# configuration; the man pages are there; a removal keeps configuration
# and state (dpkg's "rc"), a purge then removes them; the host is untouched.
#   deb_install_test.sh DAYBOOK AGENT SOURCE_DIR BUILD_DIR
# Label realos (ctest -L realos, `make realos`): needs root and the mirror.
[[ -n "${REALOS_NS:-}" ]] || exec env REALOS_NS=1 unshare --mount --propagation private -- bash "$0" "$@"
BUILD=$4
source "$(dirname "$0")/../e2e/lib.sh" "$1" "$2" "$3"
source "$SOURCE_DIR/tests/realos/realos_lib.sh"
[[ -n "$MIRROR" ]] || { echo "this machine's apt sources name no bookworm URI" >&2; exit 1; }
host_state=$SOURCE_DIR/tests/fixtures/host_package_state.sh
bash "$host_state" record "$WORK/host-before"

# The packages, built from this build's binaries into the work directory.
(cd "$WORK" && cpack --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" > "$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log" >&2; fail "cpack"; finish; }
agent_deb=$(ls "$WORK"/pkg/daybook-agent_*.deb) && controller_deb=$(ls "$WORK"/pkg/daybook_*.deb) || { fail "no .deb"; finish; }
lintian --tag-display-limit 0 "$agent_deb" "$controller_deb" > "$WORK/lintian.txt" 2>&1
grep '^E: ' "$WORK/lintian.txt" && fail "lintian errors"
[[ "$(dpkg-deb -f "$agent_deb" Package)" == daybook-agent ]] || fail "agent package name"
dpkg-deb -f "$agent_deb" Depends | grep -q 'libgit2' || fail "shlibdeps gave no libgit2 dependency"
dpkg-deb --ctrl-tarfile "$agent_deb" | tar -xO ./conffiles | grep -qx /etc/daybook/agent.toml || fail "agent.toml is not a conffile"

R=$WORK/root
realos_base "$R"
realos_sources "$R" bookworm
cp "$agent_deb" "$controller_deb" "$R/tmp/"
chroot_mounts "$R"
in_root "$R" apt-get update -q > "$WORK/update.log" 2>&1 || { cat "$WORK/update.log" >&2; fail "apt-get update"; finish; }
in_root "$R" apt-get install -y -q "/tmp/$(basename "$agent_deb")" "/tmp/$(basename "$controller_deb")" > "$WORK/install.log" 2>&1 \
  || { tail -30 "$WORK/install.log" >&2; fail "apt-get install of the packages"; finish; }

[[ "$(stat -c %a "$R/var/lib/daybook")" == 700 ]] || fail "state directory is not 0700"
[[ "$(stat -c %a "$R/etc/daybook/authorized_operators")" == 600 && ! -s "$R/etc/daybook/authorized_operators" ]] \
  || fail "authorized_operators is not an empty 0600 file"
[[ -L "$R/etc/systemd/system/multi-user.target.wants/daybook-agent.service" ]] || fail "the unit is not enabled"
expect_exit 0 in_root "$R" /usr/sbin/daybook-agent --config /etc/daybook/agent.toml --check-config
expect_exit 0 in_root "$R" /usr/bin/daybook --version
for page in man1/daybook.1.gz man8/daybook-agent.8.gz man5/daybook-manifest.5.gz man5/daybook-inventory.5.gz man5/daybook.toml.5.gz; do
  [[ -s "$R/usr/share/man/$page" ]] || fail "no $page"
done
grep -q '^ExecStart=/usr/sbin/daybook-agent ' "$R/lib/systemd/system/daybook-agent.service" || fail "unit ExecStart"

# An edited conffile survives reinstalling the same package (dpkg keeps it).
echo "# edited by the admin" >> "$R/etc/daybook/agent.toml"
in_root "$R" dpkg -i --force-confold "/tmp/$(basename "$agent_deb")" > "$WORK/reinstall.log" 2>&1 || fail "reinstall"
grep -q "edited by the admin" "$R/etc/daybook/agent.toml" || fail "the admin's edit of agent.toml was lost"

# A removal keeps the configuration and state (dpkg's "rc"); a purge then
# takes them.
in_root "$R" apt-get remove -y -q daybook-agent > "$WORK/remove.log" 2>&1 || { tail -20 "$WORK/remove.log" >&2; fail "remove"; }
[[ ! -e "$R/usr/sbin/daybook-agent" ]] || fail "remove left the agent"
grep -q "edited by the admin" "$R/etc/daybook/agent.toml" || fail "remove took the configuration"
[[ -d "$R/var/lib/daybook" ]] || fail "remove took the state directory (host key)"
[[ "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${db:Status-Abbrev}' daybook-agent)" == "rc " ]] || fail "not rc after remove"
in_root "$R" apt-get purge -y -q daybook-agent > "$WORK/purge.log" 2>&1 || { tail -20 "$WORK/purge.log" >&2; fail "purge"; }
[[ ! -e "$R/var/lib/daybook" ]] || fail "purge left /var/lib/daybook"
[[ ! -e "$R/etc/daybook" ]] || fail "purge left /etc/daybook"
[[ ! -e "$R/usr/sbin/daybook-agent" ]] || fail "purge left the agent"
[[ ! -e "$R/etc/systemd/system/multi-user.target.wants/daybook-agent.service" ]] || fail "purge left the unit enabled"
chroot_umounts "$R"

bash "$host_state" record "$WORK/host-after"
cmp -s "$WORK/host-before" "$WORK/host-after" || { diff "$WORK/host-before" "$WORK/host-after" >&2; fail "the host's package state changed"; }
echo "realos: packages $(du -k "$agent_deb" | cut -f1) KiB (agent), $(du -k "$controller_deb" | cut -f1) KiB (controller); lintian: $(grep -c '^W: ' "$WORK/lintian.txt") warning(s)"
finish
