#include "core/exec/sandbox_argv.h"

#include <sys/stat.h>
#include <unistd.h>

namespace daybook::exec {

namespace {

// Docker's default capability set (moby's oci/caps/defaults.go), which apt,
// dpkg and rpm run under in every container, without CAP_MKNOD (no device
// node: /dev is bwrap's) and CAP_NET_RAW (no raw packets on the host's
// network). Everything else is dropped from the effective, permitted,
// inheritable and ambient sets; the bounding set stays, but bwrap sets
// no_new_privs, so no exec (a set-user-ID file, file capabilities) can
// raise a capability again.
constexpr const char* kKeptCapabilities[] = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",           "CAP_FSETID",      "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID",       "CAP_SETPCAP",          "CAP_SETFCAP",     "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",  // rpm runs scriptlets chrooted into the root; dpkg --root likewise
    "CAP_AUDIT_WRITE",
};

// What of the host's /etc a host program sees (read-only): rpm's macros,
// name resolution, TLS trust, the dynamic loader, the time zone; nothing
// else (a scriptlet that climbs out of rpm's chroot finds no key, keytab,
// password or repository credential there). Not the host's dnf or yum
// configuration: with --installroot dnf reads the root's own, and the
// host's may hold proxy passwords and repository tokens. Found by tracing
// dnf 4.14 (`strace -e openat`) on Debian 12; absent entries are skipped.
constexpr const char* kHostEtc[] = {
    "rpm", "rpmrc", "pki/rpm-gpg", "pki/ca-trust", "pki/tls/certs", "pki/tls/cert.pem",
    "ssl/certs", "ca-certificates", "ca-certificates.conf", "crypto-policies", "gcrypt", "gnutls",
    "resolv.conf", "hosts", "host.conf", "gai.conf", "nsswitch.conf", "passwd", "group",
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "os-release", "alternatives",
};

bool IsSymlink(const std::string& path, std::string& target) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return false;
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return false;
  target.assign(buf, static_cast<size_t>(n));
  return true;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

void Add(std::vector<std::string>& argv, std::initializer_list<std::string> words) {
  argv.insert(argv.end(), words);
}

// The host's programs and libraries, read-only: /usr, and the top-level
// directories that merged-/usr makes links into it (or real directories
// where the host has them), then the few entries of /etc it needs.
void HostView(std::vector<std::string>& argv) {
  Add(argv, {"--ro-bind", "/usr", "/usr"});
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::string target;
    if (IsSymlink(top, target)) {
      Add(argv, {"--symlink", target, top});
    } else if (Exists(top)) {
      Add(argv, {"--ro-bind", top, top});
    }
  }
  Add(argv, {"--size", std::to_string(1u << 20), "--tmpfs", "/etc"});
  for (const char* entry : kHostEtc) {
    std::string path = std::string("/etc/") + entry;
    if (Exists(path)) Add(argv, {"--ro-bind", path, path});
  }
  // Empty and private: nothing of the host's /tmp, /run, /var or homes.
  // Sized (bwrap --size, bytes): they are memory, and a script that fills
  // them must not fill the host's RAM.
  for (const char* dir : {"/tmp", "/run", "/var", "/root", "/home"}) Add(argv, {"--size", std::to_string(256u << 20), "--tmpfs", dir});
}

}  // namespace

std::vector<std::string> SandboxArgv(SandboxKind kind, const std::string& root, const std::string& exe,
                                     const std::vector<std::string>& args, int seccomp_fd, bool network) {
  std::vector<std::string> argv;
  if (kind == SandboxKind::kRootAsSlash) {
    Add(argv, {"--bind", root, "/"});
  } else {
    HostView(argv);
    Add(argv, {"--bind", root, root});
    // Read-only once the root's mount point is made (a root may live
    // under /etc).
    Add(argv, {"--remount-ro", "/etc"});
  }
  Add(argv, {"--dev", "/dev"});
  Add(argv, {"--proc", "/proc"});
  // bwrap 0.8 covers /proc/irq and /proc/bus only; these two reach the
  // whole machine (sysctls such as kernel.core_pattern run a program on the
  // host; sysrq-trigger, where the kernel has it, reboots it): the host's
  // copies, read-only (its network namespace's net.* values, which a
  // sandbox without the network does not use).
  Add(argv, {"--ro-bind", "/proc/sys", "/proc/sys", "--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger"});
  Add(argv, {"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session"});
  if (!network) Add(argv, {"--unshare-net"});
  Add(argv, {"--cap-drop", "ALL"});
  for (const char* cap : kKeptCapabilities) Add(argv, {"--cap-add", cap});
  // bwrap's own top-level tmpfs, read-only once every mount point is made:
  // a host program writes only the root (and its empty /tmp).
  if (kind == SandboxKind::kHostProgram) Add(argv, {"--remount-ro", "/"});
  Add(argv, {"--seccomp", std::to_string(seccomp_fd)});
  Add(argv, {"--chdir", "/", "--", exe});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace daybook::exec
