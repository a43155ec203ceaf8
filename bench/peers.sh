# The peers of the fan-out benchmarks, configured at their best as their own
# docs advise (bench/README.md says why each setting), on top of lib.sh:
#
#   peer_sshds N    OpenSSH sshds on loopback for N peer hosts, each host an
#                   address of its own (127.0.1.i), at most 16 addresses per
#                   sshd (OpenSSH's MAX_LISTEN_SOCKS), MaxStartups and
#                   MaxSessions sized so none refuses a connection; logins
#                   as a dedicated user with /bin/sh and no start-up files.
#   peer_inventories N   $work/pssh-hosts-N, $work/ansible-N
#   pssh_run N           parallel-ssh -p N true on every host
#   ansible_run N warm|cold   ansible -m command -a true, forks N, pipelining,
#                        an explicit interpreter, ControlPersist (cold: a fresh
#                        control directory, so every connection is new)
#   peer_check N         one run of each peer on every host must succeed before
#                        anything is measured
#
# The login user: `daybook-bench`, created for the run with useradd --system
# (shell /bin/sh, a home of its own holding only .ssh/authorized_keys),
# removed at exit. The benchmark changes the host this much, and installs its
# peers (need_peer): run it on a machine meant for it, never from a test.

peer_user=daybook-bench
peer_sshd_ports=()

peer_user_create() {
  id "$peer_user" > /dev/null 2>&1 && { pkill -9 -u "$peer_user"; userdel -f "$peer_user"; } 2> /dev/null || true
  # At exit: the SSH masters of the run (their command line names their
  # socket in $work), the user's processes and the user, then its home.
  on_exit "pkill -f '$work/' 2> /dev/null; pkill -9 -u $peer_user 2> /dev/null; sleep 0.5; userdel -f $peer_user 2> /dev/null || true"
  # Its home outside $work (0700, root's): the user must be able to enter it.
  peer_home=$(mktemp -d /tmp/daybook-bench-home.XXXXXX)
  on_exit "rm -rf --one-file-system $peer_home"
  mkdir -p "$peer_home/.ssh"
  useradd --system --shell /bin/sh --home-dir "$peer_home" --no-create-home "$peer_user"
  # A system user's password is locked ("!"), which sshd without PAM takes
  # for a locked account; "*" is no password, and no lock.
  usermod -p '*' "$peer_user"
  cp "$work/op.pub" "$peer_home/.ssh/authorized_keys"
  chown -R "$peer_user" "$peer_home"
  chmod 755 "$peer_home"
  chmod 700 "$peer_home/.ssh"
}

# peer_address I: the loopback address of peer host I (1-based): 127.0.1.1 ...
peer_address() { echo "127.0.$(( ($1 - 1) / 250 + 1 )).$(( ($1 - 1) % 250 + 1 ))"; }

peer_sshds() {
  local n=$1 group=16
  need_peer openssh-server
  [[ -f "$work/sshd_host" ]] || ssh-keygen -q -t ed25519 -N '' -f "$work/sshd_host"
  [[ -n "${peer_home:-}" ]] || peer_user_create  # (re)made once per run, a leftover of a killed run replaced
  mkdir -p /run/sshd
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  peer_port=$port
  for ((first = 1; first <= n; first += group)); do
    local cfg="$work/sshd-$first.conf" last=$((first + group - 1))
    ((last > n)) && last=$n
    for ((i = first; i <= last; i++)); do echo "ListenAddress $(peer_address "$i"):$port"; done > "$cfg"
    # Every connection of a run may arrive at once: no random early drop
    # (MaxStartups start = full = all of them), one session each.
    cat >> "$cfg" <<CFG
HostKey $work/sshd_host
AuthorizedKeysFile $peer_home/.ssh/authorized_keys
AllowUsers $peer_user
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups $((n + 10)):30:$((n + 10))
PerSourceMaxStartups none
MaxSessions $((n + 10))
PidFile $work/sshd-$first.pid
StrictModes no
LogLevel ERROR
CFG
    /usr/sbin/sshd -f "$cfg" -D -E "$work/sshd-$first.log" &
    pids+=($!)
  done
  # Ready when every address answers; the peers trust only this host key
  # (an address another process took would fail their logins).
  : > "$work/peer_known_hosts"
  for ((i = 1; i <= n; i++)); do
    local a ready=""
    a=$(peer_address "$i")
    for _ in $(seq 1 100); do
      python3 -c "import socket,sys; socket.create_connection(('$a', $port), 1).close()" 2> /dev/null && { ready=1; break; }
      sleep 0.05
    done
    [[ -n $ready ]] || die "no sshd answers on $a:$port: $(cat "$work"/sshd-*.log | tail -3)"
    echo "[$a]:$port $(cat "$work/sshd_host.pub")" >> "$work/peer_known_hosts"
  done
}

# ansible_forks N: N, capped at ANSIBLE_FORKS_MAX (default 200; fanout.sh says why).
ansible_forks() { local cap=${ANSIBLE_FORKS_MAX:-200}; echo $(($1 < cap ? $1 : cap)); }

peer_inventories() {
  local n=$1
  for ((i = 1; i <= n; i++)); do echo "$(peer_address "$i"):$peer_port"; done > "$work/pssh-hosts-$n"
  for ((i = 1; i <= n; i++)); do echo "h$i ansible_host=$(peer_address "$i") ansible_port=$peer_port"; done > "$work/ansible-$n"
  cat > "$work/ansible.cfg" <<CFG
[defaults]
host_key_checking = True
interpreter_python = /usr/bin/python3
gathering = explicit
forks = $(ansible_forks "$n")
timeout = 60
[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=120s -o PreferredAuthentications=publickey -o UserKnownHostsFile=$work/peer_known_hosts -o StrictHostKeyChecking=yes
CFG
}

pssh_opts() { echo "-i $work/op -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$work/peer_known_hosts -o BatchMode=yes -o LogLevel=ERROR"; }

# The commands, as scripts measure runs: every host must answer (both tools
# exit non-zero when one does not; the scripts also count the answers).
pssh_script() {
  local n=$1 s="$work/pssh-$1.sh"
  cat > "$s" <<SH
out=\$(parallel-ssh -p $n -h $work/pssh-hosts-$n -l $peer_user -t 120 -x "$(pssh_opts)" true) || { echo "\$out" | grep -v SUCCESS | head -3; exit 1; }
[ "\$(echo "\$out" | grep -c '\[SUCCESS\]')" -eq $n ] || { echo "not all $n hosts said SUCCESS"; exit 1; }
SH
  echo "$s"
}
# ansible_script N warm|cold: warm keeps each host's SSH master between runs
# (ControlPersist); cold makes every connection new and keeps none
# (ControlMaster=no: within one run a host has one task, so a master would
# only outlive the run and weigh on the next).
ansible_script() {
  local n=$1 mode=$2 s="$work/ansible-$1-$2.sh" cold=""
  [[ $mode == cold ]] && cold="ANSIBLE_SSH_ARGS='-o ControlMaster=no -o PreferredAuthentications=publickey -o UserKnownHostsFile=$work/peer_known_hosts -o StrictHostKeyChecking=yes'"
  cat > "$s" <<SH
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_SSH_CONTROL_PATH_DIR=$work/ansible-cp-$n $cold
out=\$(ansible all -i $work/ansible-$n -u $peer_user --private-key $work/op -m command -a true) || { echo "\$out" | grep -v CHANGED | head -3; exit 1; }
[ "\$(echo "\$out" | grep -c 'CHANGED')" -eq $n ] || { echo "not all $n hosts answered"; exit 1; }
SH
  echo "$s"
}

# peer_check N: one run of each peer against every host succeeds, or the
# benchmark stops here with what failed.
peer_check() {
  local n=$1
  bash "$(pssh_script "$n")" || die "parallel-ssh does not reach all $n hosts (above)"
  bash "$(ansible_script "$n" warm)" || die "ansible does not reach all $n hosts (above)"
}

# peer_stop: the sshds of this size and the SSH masters of its warm runs
# (their command line names their socket in $work), waited for.
peer_stop() {
  pkill -f "$work/ansible-cp" 2> /dev/null || true
  local f
  for f in "$work"/sshd-*.pid; do
    [[ -f $f ]] || continue
    kill "$(cat "$f")" 2> /dev/null || true
    rm -f "$f"
  done
  pkill -f "sshd -f $work/" 2> /dev/null || true
  wait 2> /dev/null || true
  pids=()
}
