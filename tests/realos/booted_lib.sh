# Booted Debian 12 systems for the `realos` suite, on top of realos_lib.sh:
# the cached minbase root plus systemd, dbus, OpenSSH and sudo (at their
# point-release versions, -t bookworm, so bookworm-security has real
# updates for them), booted with `systemd-nspawn --boot` (Debian's
# systemd-container). A container that reboots is booted again, with a new
# boot id, as systemd-nspawn@.service would (exit status 133 means reboot).
#
# Network: the containers share the host's network namespace, so their apt
# reaches the configured mirror and nothing else is set up on the host.
# Each listens on a loopback address of its own (127.0.0.1N): sshd on
# port 2222, the agent on its default 7022 (an agent.toml written before
# bootstrap, which the package keeps as the admin's conffile).
#
# Needs root, systemd-nspawn and the mirror. The host must not be running
# anything on those loopback addresses.

BOOTED_SSH_PORT=2222

# booted_image DIR: the image every container is copied from.
booted_image() {
  local r=$1
  realos_base "$r"
  realos_sources "$r" bookworm bookworm-security
  chroot_mounts "$r"
  in_root "$r" apt-get update -q > "$WORK/image-update.log" 2>&1 || { cat "$WORK/image-update.log" >&2; exit 1; }
  in_root "$r" apt-get install -y -q --no-install-recommends -t bookworm systemd systemd-sysv dbus openssh-server sudo \
    > "$WORK/image-install.log" 2>&1 || { tail -20 "$WORK/image-install.log" >&2; exit 1; }
  in_root "$r" apt-get clean
  chroot_umounts "$r"
  # The agent's unit (ProtectControlGroups) gets a /proc of its own, where
  # the kernel's boot id shows, not the one systemd-nspawn binds over it
  # for the container: the container's is copied at boot to a file the
  # agent's boot_id_file names (docs/install.md, "Containers").
  cat > "$r/etc/systemd/system/container-boot-id.service" <<'UNIT'
[Unit]
Description=Copy the container's boot id where the agent's sandbox reads it
DefaultDependencies=no
Before=sysinit.target daybook-agent.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'cat /proc/sys/kernel/random/boot_id > /run/container-boot-id'

[Install]
WantedBy=sysinit.target
UNIT
  mkdir -p "$r/etc/systemd/system/sysinit.target.wants"
  ln -s ../container-boot-id.service "$r/etc/systemd/system/sysinit.target.wants/container-boot-id.service"
  # Every container gets its own host keys and machine id.
  rm -f "$r"/etc/ssh/ssh_host_* "$r/etc/machine-id" "$r/var/lib/dbus/machine-id"
  : > "$r/etc/machine-id"
  echo "realos: booted image: $(dpkg-query --admindir="$r/var/lib/dpkg" -W | wc -l) packages, $(du -sh "$r" | cut -f1)"
}

# booted_container N IMAGE AGENT_TOML PUBKEY: container N in $WORK/cN, a copy
# of IMAGE: sshd on 127.0.0.1N:2222 taking PUBKEY for root, agent.toml
# listening on 127.0.0.1N:7022. Prints nothing; the sshd host key line for
# known_hosts is in $WORK/cN.known.
booted_container() {
  local n=$1 image=$2 toml=$3 pubkey=$4 r=$WORK/c$1 addr=127.0.0.1$1
  cp -a "$image" "$r"
  echo "dbk-c$n" > "$r/etc/hostname"
  printf 'Port %s\nListenAddress %s\nPasswordAuthentication no\n' "$BOOTED_SSH_PORT" "$addr" > "$r/etc/ssh/sshd_config.d/realos.conf"
  ssh-keygen -q -A -f "$r"
  install -d -m 0700 "$r/root/.ssh" && install -m 0600 "$pubkey" "$r/root/.ssh/authorized_keys"
  install -d -m 0755 "$r/etc/daybook"
  sed -e "s|^listen = .*|listen = \"$addr:7022\"|" -e 's|^boot_id_file = .*|boot_id_file = "/run/container-boot-id"|' \
    "$toml" > "$r/etc/daybook/agent.toml"
  echo "[$addr]:$BOOTED_SSH_PORT $(cut -d' ' -f1,2 "$r/etc/ssh/ssh_host_ed25519_key.pub")" > "$WORK/c$n.known"
}

# booted_start N: boots container N in the background, booting it again
# whenever it reboots, until $WORK/cN.stop exists.
booted_start() {
  local n=$1 r=$WORK/c$1
  setsid bash -c '
    while :; do
      systemd-nspawn -D "$1" --boot --register=no --keep-unit --console=passive --machine="dbk-c$2" >> "$1.console" 2>&1
      rc=$?
      echo "realos: container $2 exited $rc" >> "$1.console"
      [[ $rc -eq 133 && ! -e "$1.stop" ]] || break
    done' booted "$r" "$n" < /dev/null &
  PIDS+=($!)
  disown  # no "Killed" note when the exit trap kills it
  CLEANUP+=("booted_stop $n")
}

# booted_stop N: powers container N off (SIGTERM to systemd-nspawn is a
# clean shutdown), then kills what is left.
booted_stop() {
  local r=$WORK/c$1 pid
  touch "$r.stop"
  for pid in $(pgrep -f "systemd-nspawn -D $r " || true); do kill -TERM "$pid" 2> /dev/null || true; done
  for _ in $(seq 1 100); do pgrep -f "systemd-nspawn -D $r " > /dev/null || return 0; sleep 0.2; done
  pkill -9 -f "systemd-nspawn -D $r " || true
}

# booted_ssh N COMMAND...: COMMAND as root in container N, over its sshd.
booted_ssh() {
  local n=$1
  shift
  ssh -F "$WORK/ssh_config" -p "$BOOTED_SSH_PORT" "root@127.0.0.1$n" "$@"
}

# booted_wait N: until container N's sshd answers and systemd is up (60 s).
booted_wait() {
  local n=$1
  local state
  for _ in $(seq 1 120); do
    # "degraded": a unit of the minimal image failed (not ours; the test
    # checks the agent's own unit).
    state=$(booted_ssh "$n" 'systemctl is-system-running --wait' 2> /dev/null || true)
    [[ "$state" == running || "$state" == degraded ]] && return 0
    sleep 0.5
  done
  tail -20 "$WORK/c$n.console" >&2
  fail "container $n did not boot"
  return 1
}

# booted_ssh_config KEY: $WORK/ssh_config for the operator's ssh: KEY, the
# containers' host keys (pinned from the images, not learned), no agent.
booted_ssh_config() {
  cat "$WORK"/c*.known > "$WORK/ssh_known_hosts"
  cat > "$WORK/ssh_config" <<CFG
Host *
  IdentityFile $1
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile $WORK/ssh_known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
CFG
}

# booted_rss N: the agent's resident memory in container N, KiB.
booted_rss() {
  booted_ssh "$1" 'pid=$(systemctl show -p MainPID --value daybook-agent.service); awk "/^VmRSS:/ { print \$2 }" /proc/$pid/status'
}
