#include "core/exec/sandbox_argv.h"

#include <sys/stat.h>
#include <unistd.h>

namespace daybook::exec {

namespace {

// Docker's default capability set (moby's oci/caps/defaults.go), which apt,
// dpkg and rpm run under in every container, without CAP_MKNOD (no device
// node: /dev is bwrap's) and CAP_NET_RAW (no raw packets on the host's
// network). Everything else is dropped, bounding set aside: every mount in
// the sandbox is nosuid, so no exec can raise a capability again.
constexpr const char* kKeptCapabilities[] = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",           "CAP_FSETID",      "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID",       "CAP_SETPCAP",          "CAP_SETFCAP",     "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",  // rpm runs scriptlets chrooted into the root; dpkg --root likewise
    "CAP_AUDIT_WRITE",
};

// The host's secrets a host program never needs, hidden under the
// read-only host view (a scriptlet that escapes its chroot sees nothing).
constexpr const char* kHiddenHostFiles[] = {"/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-"};
constexpr const char* kHiddenHostDirs[] = {"/etc/ssh", "/etc/daybook", "/etc/ssl/private"};

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
// where the host has them), then /etc without its secrets.
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
  Add(argv, {"--ro-bind", "/etc", "/etc"});
  for (const char* file : kHiddenHostFiles) {
    if (Exists(file)) Add(argv, {"--ro-bind", "/dev/null", file});
  }
  for (const char* dir : kHiddenHostDirs) {
    if (Exists(dir)) Add(argv, {"--tmpfs", dir});
  }
  // Empty and private: nothing of the host's /tmp, /run, /var or homes.
  for (const char* dir : {"/tmp", "/run", "/var", "/root", "/home"}) Add(argv, {"--tmpfs", dir});
}

}  // namespace

std::vector<std::string> SandboxArgv(SandboxKind kind, const std::string& root, const std::string& exe,
                                     const std::vector<std::string>& args, bool host_processes) {
  host_processes = host_processes && kind == SandboxKind::kHostProgram;
  std::vector<std::string> argv;
  if (kind == SandboxKind::kRootAsSlash) {
    Add(argv, {"--bind", root, "/"});
  } else {
    HostView(argv);
    Add(argv, {"--bind", root, root});
  }
  Add(argv, {"--dev", "/dev"});
  Add(argv, host_processes ? std::initializer_list<std::string>{"--ro-bind", "/proc", "/proc"}
                           : std::initializer_list<std::string>{"--proc", "/proc"});
  // bwrap 0.8 covers /proc/irq and /proc/bus only; these two reach the
  // whole machine (sysctls such as kernel.core_pattern run a program on the
  // host; sysrq-trigger, where the kernel has it, reboots it). The host's copies, read-only: the
  // sandbox shares its network namespace, so they are the same settings.
  Add(argv, {"--ro-bind", "/proc/sys", "/proc/sys", "--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger"});
  if (!host_processes) Add(argv, {"--unshare-pid"});
  Add(argv, {"--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session"});
  Add(argv, {"--cap-drop", "ALL"});
  if (!host_processes) {
    for (const char* cap : kKeptCapabilities) Add(argv, {"--cap-add", cap});
  }
  Add(argv, {"--chdir", "/", "--", exe});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace daybook::exec
