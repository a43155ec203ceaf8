// The system-call filter every sandbox-root program runs under (bwrap
// --seccomp FD, see sandbox_argv.h), built with libseccomp (Debian's
// libseccomp-dev; seccomp_rule_add(3), seccomp_export_bpf(3)). Everything is
// allowed but what a package's maintainer script never needs and what
// reaches past the sandbox or widens the kernel's attack surface, after
// Docker's default profile (moby's profiles/seccomp/default.json):
//   - the kernel keyrings (add_key, keyctl, request_key): shared with every
//     root process of the host, Kerberos caches included;
//   - new user namespaces (unshare or clone with CLONE_NEWUSER; clone3,
//     whose flags a filter cannot read, answers ENOSYS so that glibc falls
//     back to clone): full capabilities there, netfilter and mounts;
//   - mounting (mount, umount2, pivot_root, the new mount API), setns;
//   - vsock sockets (AF_VSOCK is in no network namespace: the hypervisor);
//   - bpf, perf_event_open, userfaultfd, io_uring_*, kexec_*, *_module,
//     open_by_handle_at, ptrace, process_vm_readv/writev, pidfd_* (signals
//     and descriptors of other processes), swapon/swapoff, acct, syslog.
// Denied calls fail with EPERM (ENOSYS for clone3, EAFNOSUPPORT for vsock);
// the program goes on.
#pragma once

#include "core/base/result.h"

namespace daybook::exec {

// A new memfd holding the filter as a BPF program (the bytes are built once
// per process), positioned at its start, for bwrap --seccomp. The caller
// closes it. kFailed when libseccomp refuses (a kernel or libseccomp too
// old for a rule).
Result<int> SandboxSeccompFd();

}  // namespace daybook::exec
