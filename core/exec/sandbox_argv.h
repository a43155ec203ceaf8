// The command line that confines a program to a sandbox root, with
// bubblewrap (`bwrap`, Debian's `bubblewrap` package; see bwrap(1)). The
// agent is root and the root's packages are not to be trusted with the
// host: their maintainer scripts (dpkg) or scriptlets (rpm) run as root.
// Inside bwrap they get
//   - a mount namespace whose "/" is the root (pivot_root, the host tree
//     unmounted: no chroot to climb out of) or, for a host program, the host
//     read-only with only the root writable;
//   - every bound tree nosuid and nodev (a set-user-ID bit, a file
//     capability or a device node in the root grants nothing), a /dev of
//     its own (null, zero, full, random, urandom, tty, a new devpts), /proc
//     of its own PID namespace with /proc/sys and /proc/sysrq-trigger
//     read-only;
//   - PID, IPC and UTS namespaces of their own, a session of their own, and
//     death with the agent's child (the timeout's kill reaches them all);
//   - the capabilities Docker grants a container by default (what apt,
//     dpkg and rpm need) minus CAP_MKNOD and CAP_NET_RAW: no CAP_SYS_ADMIN
//     (no mount, no namespace entry), CAP_SYS_MODULE, CAP_SYS_BOOT,
//     CAP_SYS_RAWIO, CAP_SYS_PTRACE, CAP_NET_ADMIN or CAP_DAC_READ_SEARCH
//     (open_by_handle_at reaches files outside any mount namespace), and
//     no_new_privs (bwrap sets it: no exec raises a capability again);
//   - the system-call filter of seccomp_filter.h (no keyring, no new user
//     namespace, no mount, no bpf...).
// The network is the host's only for the runs that download (apt-get
// update and --download-only, dnf); every other run, apt's install whose
// maintainer scripts run included, gets a network namespace of its own.
#pragma once

#include <string>
#include <vector>

namespace daybook::exec {

// Where bwrap is expected (Debian's package installs it there).
inline constexpr const char* kBwrapPath = "/usr/bin/bwrap";

enum class SandboxKind {
  kRootAsSlash,  // the root's own program, with the root as "/" (apt, dpkg)
  kHostProgram,  // the host's program over the root (dnf --installroot, rpm --root)
};

// bwrap's arguments (without argv[0]) to run `exe` with `args` confined to
// `root` (absolute, normalised). With kRootAsSlash, `exe` is the program's
// path inside the root; with kHostProgram, on the host, which is mounted
// read-only but for `root` and a few emptied places (secrets, /tmp).
// `seccomp_fd` (open, not close-on-exec) holds the filter of
// seccomp_filter.h for bwrap's --seccomp. Without `network`, a network
// namespace of its own (loopback only).
std::vector<std::string> SandboxArgv(SandboxKind kind, const std::string& root, const std::string& exe,
                                     const std::vector<std::string>& args, int seccomp_fd, bool network);

}  // namespace daybook::exec
