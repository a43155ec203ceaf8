// Contract tests of the sandbox root (ProcessSpec::root_dir, bubblewrap as
// core/exec/sandbox_argv.h sets it up) against real programs: what a
// root's program can see, write and do, and what it cannot.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/base/strings.h"
#include "core/exec/process_runner.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::exec;

namespace {

// A root with a static busybox as its sh: needs no library inside.
std::filesystem::path BusyboxRoot(const std::filesystem::path& dir) {
  std::filesystem::path root = dir / "root";
  for (const char* sub : {"bin", "proc", "dev", "tmp"}) std::filesystem::create_directories(root / sub);
  std::filesystem::copy_file("/bin/busybox", root / "bin/busybox");
  std::filesystem::create_symlink("busybox", root / "bin/sh");
  return root;
}

Result<ProcessResult> RunIn(const std::filesystem::path& root, const std::string& script, bool host_program = false) {
  ProcessSpec spec = ProcessSpec::Of({"sh", "-c", script});
  spec.root_dir = root.string();
  spec.host_program = host_program;
  return MakeBoostProcessRunner()->Run(spec);
}

// The effective capability mask of the shell, from its /proc/self/status.
uint64_t EffectiveCapabilities(const std::string& out) {
  size_t at = out.find("CapEff:");
  REQUIRE(at != std::string::npos);
  return std::stoull(std::string(Trim(out.substr(at + 7, out.find('\n', at) - at - 7))), nullptr, 16);
}

}  // namespace

TEST_CASE("sandbox root: the program runs with the root as its slash, its writes land in the root") {
  testing::TempDir tmp;
  std::filesystem::path root = BusyboxRoot(tmp.path);
  Result<ProcessResult> ran = RunIn(root, "echo in > /tmp/marker; busybox ls /; busybox ls /dev/pts > /dev/null && echo pts");
  REQUIRE_MESSAGE(ran, (ran ? "" : ran.error().message));
  CHECK_MESSAGE(ran->ok(), ran->err);
  CHECK(testing::ReadAll(root / "tmp/marker") == "in\n");
  // Only the root's own top level: no host tree to climb back to.
  std::vector<std::string> top = Split(std::string(Trim(ran->out)), '\n');
  CHECK(std::find(top.begin(), top.end(), "usr") == top.end());
  CHECK(std::find(top.begin(), top.end(), "etc") == top.end());
  CHECK(std::find(top.begin(), top.end(), "pts") != top.end());  // a devpts of its own
  // Nothing mounted on the host.
  CHECK(testing::ReadAll("/proc/self/mounts").find(root.string()) == std::string::npos);
}

TEST_CASE("sandbox root: a PID namespace of its own, and the exit status comes through") {
  testing::TempDir tmp;
  std::filesystem::path root = BusyboxRoot(tmp.path);
  Result<ProcessResult> ran = RunIn(root, "busybox ls /proc | busybox grep -c '^[0-9]'; exit 7");
  REQUIRE_MESSAGE(ran, (ran ? "" : ran.error().message));
  CHECK(ran->exit_code == 7);
  CHECK(std::stoi(ran->out) <= 4);  // bwrap's init, the shell, ls, grep: no host process
}

TEST_CASE("sandbox root: no capability to mount, make devices, load modules or reboot, and the machine's knobs read-only") {
  testing::TempDir tmp;
  std::filesystem::path root = BusyboxRoot(tmp.path);
  // `: >` opens for writing and writes nothing: harmless if it were allowed.
  Result<ProcessResult> ran = RunIn(root,
                                    "busybox cat /proc/self/status | busybox grep CapEff;"
                                    "busybox mknod /tmp/disk b 8 0 2>/dev/null && echo MKNOD;"
                                    "busybox mkdir -p /mnt; busybox mount -t tmpfs none /mnt 2>/dev/null && echo MOUNT;"
                                    "(: > /proc/sys/kernel/core_pattern) 2>/dev/null && echo SYSCTL;"
                                    "(: > /proc/sysrq-trigger) 2>/dev/null && echo SYSRQ;"
                                    "busybox grep -v nosuid /proc/self/mounts | busybox grep -v ' proc ' ; true");
  REQUIRE_MESSAGE(ran, (ran ? "" : ran.error().message));
  CHECK_MESSAGE(ran->ok(), ran->err);
  for (const char* escaped : {"MKNOD", "MOUNT", "SYSCTL", "SYSRQ"}) CHECK_MESSAGE(ran->out.find(escaped) == std::string::npos, escaped);
  uint64_t caps = EffectiveCapabilities(ran->out);
  // linux/capability.h numbers
  for (int dropped : {2 /*DAC_READ_SEARCH*/, 12 /*NET_ADMIN*/, 13 /*NET_RAW*/, 16 /*SYS_MODULE*/, 17 /*SYS_RAWIO*/,
                      19 /*SYS_PTRACE*/, 21 /*SYS_ADMIN*/, 22 /*SYS_BOOT*/, 27 /*MKNOD*/}) {
    CHECK_MESSAGE((caps >> dropped & 1) == 0, "capability " << dropped);
  }
  for (int kept : {0 /*CHOWN*/, 1 /*DAC_OVERRIDE*/, 3 /*FOWNER*/, 6 /*SETGID*/, 7 /*SETUID*/, 18 /*SYS_CHROOT*/}) {
    CHECK_MESSAGE((caps >> kept & 1) == 1, "capability " << kept);
  }
  // Every mount but proc's own is nosuid: a set-user-ID file or a file
  // capability in the root raises nothing.
  CHECK(ran->out.find("CapEff") == 0);
  CHECK(Split(std::string(Trim(ran->out)), '\n').size() == 1);
}

TEST_CASE("sandbox root: a program the root does not have is not taken from the host") {
  testing::TempDir tmp;
  std::filesystem::path root = BusyboxRoot(tmp.path);
  ProcessSpec missing = ProcessSpec::Of({"apt-get", "--version"});
  missing.root_dir = root.string();
  Result<ProcessResult> none = MakeBoostProcessRunner()->Run(missing);
  REQUIRE_FALSE(none);
  CHECK(none.error().message == "apt-get: command not found in PATH inside " + root.string());
}

TEST_CASE("sandbox root: a host program over the root sees the host read-only, its secrets hidden, and writes only the root") {
  testing::TempDir tmp;
  std::filesystem::path root = tmp.path / "root";
  std::filesystem::create_directories(root / "var/lib");
  std::ofstream(tmp.path / "beside") << "host file\n";
  std::string script = "echo in > '" + root.string() + "/var/lib/marker'; "
                       "test -e '" + (tmp.path / "beside").string() + "' && echo SEES_HOST_TMP; "
                       "echo x > /etc/daybook-sandbox-probe 2>/dev/null && echo WRITES_ETC; "
                       "test -e /etc/shadow && echo SEES_SHADOW; test -e /etc/hostname && echo SEES_ETC; "
                       "echo x > /probe 2>/dev/null && echo WRITES_SLASH; "
                       "ls /root /home /var | grep -v ':$' | grep . && echo SEES_HOMES; "
                       "/usr/bin/true && echo runs";
  Result<ProcessResult> ran = RunIn(root, script, /*host_program=*/true);
  REQUIRE_MESSAGE(ran, (ran ? "" : ran.error().message));
  CHECK_MESSAGE(ran->ok(), ran->err);
  CHECK(testing::ReadAll(root / "var/lib/marker") == "in\n");
  CHECK(ran->out == "runs\n");
  CHECK_FALSE(std::filesystem::exists("/etc/daybook-sandbox-probe"));
}

TEST_CASE("sandbox root: no keyring, no new user namespace, no vsock, no new privileges, none of the agent's environment") {
  testing::TempDir tmp;
  std::filesystem::path root = tmp.path / "root";
  std::filesystem::create_directories(root);
  ::setenv("DAYBOOK_TEST_SECRET", "hunter2", 1);
  // keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING) by number: x86_64's 250.
  std::string keyring = "perl -e 'exit(syscall(250, 0, -4) < 0 ? 0 : 1)' || echo KEYRING; ";
#if !defined(__x86_64__)
  keyring = "";
#endif
  ProcessSpec spec = ProcessSpec::Of({"sh", "-c", keyring +
                                                      "unshare -U true 2>/dev/null && echo USERNS; "
                                                      "python3 -c 'import socket; socket.socket(40, socket.SOCK_STREAM)' 2>/dev/null && echo VSOCK; "
                                                      "grep NoNewPrivs /proc/self/status; env | grep -c DAYBOOK_TEST_SECRET; true"});
  spec.root_dir = root.string();
  spec.host_program = true;
  Result<ProcessResult> ran = MakeBoostProcessRunner()->Run(spec);
  ::unsetenv("DAYBOOK_TEST_SECRET");
  REQUIRE_MESSAGE(ran, (ran ? "" : ran.error().message));
  CHECK_MESSAGE(ran->ok(), ran->err);
  CHECK(ran->out.find("KEYRING") == std::string::npos);
  CHECK(ran->out.find("USERNS") == std::string::npos);
  CHECK(ran->out.find("VSOCK") == std::string::npos);
  CHECK(ran->out.find("NoNewPrivs:\t1") != std::string::npos);
  CHECK(ran->out.find("\n0\n") != std::string::npos);  // no DAYBOOK_TEST_SECRET
}

TEST_CASE("sandbox root: without network, a network namespace of its own with only loopback") {
  testing::TempDir tmp;
  std::filesystem::path root = tmp.path / "root";
  std::filesystem::create_directories(root);
  ProcessSpec spec = ProcessSpec::Of({"sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"});
  spec.root_dir = root.string();
  spec.host_program = true;
  Result<ProcessResult> offline = MakeBoostProcessRunner()->Run(spec);
  REQUIRE_MESSAGE(offline, (offline ? "" : offline.error().message));
  CHECK_MESSAGE(offline->ok(), offline->err);
  CHECK(offline->out == "lo\n");
  // With network: the host's interfaces (the same list the test sees).
  spec.network = true;
  Result<ProcessResult> online = MakeBoostProcessRunner()->Run(spec);
  REQUIRE(online);
  auto [rc, host] = testing::RunShell("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
  CHECK(online->out == host);
}

TEST_CASE("sandbox root: a program given by descriptor is refused, it would be exec'd around bwrap") {
  testing::TempDir tmp;
  std::filesystem::path root = BusyboxRoot(tmp.path);
  int fd = ::open("/bin/true", O_PATH | O_CLOEXEC);
  REQUIRE(fd >= 0);
  ProcessSpec spec = ProcessSpec::Of({"true"});
  spec.exe_fd = fd;
  spec.root_dir = root.string();
  Result<ProcessResult> ran = MakeBoostProcessRunner()->Run(spec);
  ::close(fd);
  REQUIRE_FALSE(ran);
  CHECK(ran.error().message == "true: a program given by descriptor cannot run in a sandbox root");
}
