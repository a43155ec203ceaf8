#include "core/exec/seccomp_filter.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <string>

namespace daybook::exec {

namespace {

// Calls a sandboxed maintainer script has no use for (see the header).
constexpr const char* kDenied[] = {
    "add_key", "keyctl", "request_key",
    "mount", "umount2", "pivot_root", "setns", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "open_by_handle_at", "name_to_handle_at", "ptrace", "process_vm_readv", "process_vm_writev",
    "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    "swapon", "swapoff", "acct", "syslog", "lookup_dcookie", "quotactl", "vhangup",
};

std::string Errno(const char* what, int rc) { return std::string(what) + ": " + std::to_string(-rc); }

// The filter as BPF bytes, or the reason it could not be built.
Result<std::string> BuildProgram() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return MakeError(ErrorCode::kFailed, "seccomp_init failed");
  struct Release {
    scmp_filter_ctx ctx;
    ~Release() { seccomp_release(ctx); }
  } release{ctx};
  int rc = 0;
#if defined(__x86_64__)
  // 32-bit and x32 programs of a multiarch root: the same rules for them.
  for (uint32_t arch : {static_cast<uint32_t>(SCMP_ARCH_X86), static_cast<uint32_t>(SCMP_ARCH_X32)}) {
    if ((rc = seccomp_arch_add(ctx, arch)) != 0 && rc != -EEXIST) return MakeError(ErrorCode::kFailed, Errno("seccomp_arch_add", rc));
  }
#endif
  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp: nothing to deny
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0)) != 0) return MakeError(ErrorCode::kFailed, Errno(name, rc));
  }
  const scmp_datum_t newuser = CLONE_NEWUSER;
  if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, newuser, newuser))) != 0) {
    return MakeError(ErrorCode::kFailed, Errno("unshare rule", rc));
  }
  // clone's flags are its first argument on every architecture Debian builds
  // daybook for but s390x, where they are the second.
#if defined(__s390x__)
  auto clone_flags = SCMP_A1(SCMP_CMP_MASKED_EQ, newuser, newuser);
#else
  auto clone_flags = SCMP_A0(SCMP_CMP_MASKED_EQ, newuser, newuser);
#endif
  if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, clone_flags)) != 0) {
    return MakeError(ErrorCode::kFailed, Errno("clone rule", rc));
  }
  // vsock is in no network namespace: a script could reach the hypervisor
  // (or the host, from a VM) even when the run has no network.
  constexpr scmp_datum_t kAfVsock = 40;  // AF_VSOCK, linux/socket.h
  for (const char* call : {"socket", "socketpair"}) {
    int nr = seccomp_syscall_resolve_name(call);
    if (nr == __NR_SCMP_ERROR) continue;
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1, SCMP_A0(SCMP_CMP_EQ, kAfVsock))) != 0) {
      return MakeError(ErrorCode::kFailed, Errno(call, rc));
    }
  }
  int clone3 = seccomp_syscall_resolve_name("clone3");
  if (clone3 != __NR_SCMP_ERROR && (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), clone3, 0)) != 0) {
    return MakeError(ErrorCode::kFailed, Errno("clone3 rule", rc));
  }
  int fd = ::memfd_create("daybook-seccomp", MFD_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kFailed, std::string("memfd_create: ") + std::strerror(errno));
  std::string program;
  if ((rc = seccomp_export_bpf(ctx, fd)) == 0) {
    off_t size = ::lseek(fd, 0, SEEK_END);
    program.resize(size > 0 ? static_cast<size_t>(size) : 0);
    if (size <= 0 || ::pread(fd, program.data(), program.size(), 0) != size) rc = -EIO;
  }
  ::close(fd);
  if (rc != 0) return MakeError(ErrorCode::kFailed, Errno("seccomp_export_bpf", rc));
  return program;
}

}  // namespace

Result<int> SandboxSeccompFd() {
  static std::once_flag once;
  static Result<std::string> program = MakeError(ErrorCode::kFailed, "not built");
  std::call_once(once, [] { program = BuildProgram(); });
  if (!program) return MakeError(ErrorCode::kFailed, "the sandbox's system-call filter: " + program.error().message);
  int fd = ::memfd_create("daybook-seccomp", MFD_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kFailed, std::string("memfd_create: ") + std::strerror(errno));
  if (::write(fd, program->data(), program->size()) != static_cast<ssize_t>(program->size()) || ::lseek(fd, 0, SEEK_SET) != 0) {
    ::close(fd);
    return MakeError(ErrorCode::kFailed, "writing the sandbox's system-call filter");
  }
  return fd;
}

}  // namespace daybook::exec
