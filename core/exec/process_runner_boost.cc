// ProcessRunner over Boost.Process v1 (Boost 1.74), following
// notes/deps-debian12.md §4: asynchronous pipes (no deadlock on large
// output), a process group so a timeout kills grandchildren too, a checked
// working directory (bp::start_dir ignores chdir failures; a directory or
// program given by descriptor is entered or run by it), and an explicit
// search_path check (an empty bp::exe segfaults).
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74 uses std::exchange without including it in C++20

#include <boost/asio.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <array>
#include <cstdlib>
#include <string>
#include <optional>

#include "core/base/duration.h"
#include "core/exec/process_runner.h"
#include "core/exec/sandbox_argv.h"
#include "core/exec/seccomp_filter.h"

namespace daybook::exec {
#if defined(__SANITIZE_ADDRESS__)
// Boost.Process 1.74 finds a variable in an environment block with
// std::equal over "KEY=" against each entry, which libstdc++ turns into a
// memcmp that may read past a shorter entry's end (the bytes differ before
// that, so the result is right). ASan's strict memcmp check reports it;
// with strict_memcmp=0 it checks only up to the first difference, as the
// comparison really reads. Sanitizer builds only.
extern "C" const char* __asan_default_options() { return "strict_memcmp=0"; }
#endif

namespace {

namespace bp = boost::process;

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The last step in the child before the program starts: its working
// directory (by descriptor when given: fchdir, no path resolved), then,
// when the program was given by descriptor, execveat on it. A failure ends
// the child at once: Boost reports set_error to the parent but would go on
// to execve, running the program in the wrong place after "cannot start".
// Only system calls here (the child of a fork).
struct StartIn : bp::extend::handler {
  std::string dir;
  int dir_fd;
  int exe_fd;
  int keep_fd;  // stays open across exec (the sandbox's seccomp filter, for bwrap); -1: none
  StartIn(std::string d, int dfd, int efd, int kfd) : dir(std::move(d)), dir_fd(dfd), exe_fd(efd), keep_fd(kfd) {}
  template <class Executor>
  void on_exec_setup(Executor& e) const {
    if (dir_fd >= 0 ? ::fchdir(dir_fd) != 0 : !dir.empty() && ::chdir(dir.c_str()) != 0) Abort(e, "chdir");
    // Nothing the agent holds open (its listening socket, sessions, the
    // object store, deploy locks) leaks into a hook or a package manager's
    // scripts: every descriptor above stderr closes at exec, whoever forgot
    // O_CLOEXEC (libssh, libgit2). Boost's pipes are on 0-2 by now.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) Abort(e, "close_range");
    if (keep_fd >= 0 && ::fcntl(keep_fd, F_SETFD, 0) != 0) Abort(e, "fcntl");
    if (exe_fd < 0) return;
    // Kept open across exec: a script's interpreter reads it as /dev/fd/N.
    if (::fcntl(exe_fd, F_SETFD, 0) != 0) Abort(e, "fcntl");
    ::execveat(exe_fd, "", e.cmd_line, e.env, AT_EMPTY_PATH);
    Abort(e, "execveat");
  }
  template <class Executor>
  [[noreturn]] static void Abort(Executor& e, const char* what) {
    e.set_error(std::error_code(errno, std::system_category()), what);
    ::_exit(127);
  }
};

// Reads one of the child's output pipes as it comes, keeping at most the
// last `max` bytes.
class TailReader {
 public:
  TailReader(boost::asio::io_context& ioc, size_t max) : pipe(ioc), max_(max) {}

  void Start() {
    pipe.async_read_some(boost::asio::buffer(chunk_), [this](const boost::system::error_code& ec, std::size_t n) {
      if (n > 0) Keep(n);
      if (!ec) Start();
    });
  }

  // The kept bytes; sets `truncated` when some were dropped.
  std::string Take(bool& truncated) {
    if (data_.size() > max_) {
      data_.erase(0, data_.size() - max_);
      dropped_ = true;
    }
    truncated = dropped_;
    return std::move(data_);
  }

  bp::async_pipe pipe;

 private:
  void Keep(size_t n) {
    data_.append(chunk_.data(), n);
    // Trim in batches, so a long output costs amortised linear time.
    if (data_.size() > 2 * max_ + chunk_.size()) {
      data_.erase(0, data_.size() - max_);
      dropped_ = true;
    }
  }

  size_t max_;
  std::array<char, 1 << 16> chunk_{};
  std::string data_;
  bool dropped_ = false;
};

// PATH inside a sandbox root (Debian's default for root).
constexpr const char* kSandboxPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// `name` in the directories of the sandbox PATH as seen inside `root`: the path the
// program has there (links are not followed: they resolve inside the root
// once the child is in it). Empty when not found.
std::string SearchPathIn(const std::string& root, const std::string& name) {
  std::string path = kSandboxPath;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || dir.front() != '/') continue;
    struct stat st {};
    std::string inside = dir + "/" + name;
    if (::lstat((root + inside).c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) return inside;
  }
  return "";
}

// How long output is still read once the command has exited.
constexpr std::chrono::seconds kOutputGrace{2};

class BoostProcessRunner final : public ProcessRunner {
 public:
  Result<ProcessResult> Run(const ProcessSpec& spec) override {
    if (spec.argv.empty()) return MakeError(ErrorCode::kInvalidInput, "empty command");
    if (!spec.root_dir.empty() && (spec.root_dir.front() != '/' || !IsDir(spec.root_dir))) {
      return MakeError(ErrorCode::kNotFound, spec.argv[0] + ": cannot start: the root " + spec.root_dir + " is not a directory");
    }
    // A program by descriptor is exec'd directly (execveat), which would
    // step around bwrap: the two do not combine.
    if (spec.exe_fd >= 0 && !spec.root_dir.empty()) {
      return MakeError(ErrorCode::kInvalidInput, spec.argv[0] + ": a program given by descriptor cannot run in a sandbox root");
    }
    bool in_root = !spec.root_dir.empty() && !spec.host_program;
    boost::filesystem::path exe = spec.exe_fd >= 0 || spec.argv[0].find('/') != std::string::npos
                                      ? boost::filesystem::path(spec.argv[0])
                                      : in_root ? SearchPathIn(spec.root_dir, spec.argv[0]) : bp::search_path(spec.argv[0]);
    if (exe.empty()) {
      return MakeError(ErrorCode::kNotFound,
                       spec.argv[0] + ": command not found in PATH" + (in_root ? " inside " + spec.root_dir : ""));
    }
    std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
    int seccomp_fd = -1;
    if (!spec.root_dir.empty()) {
      if (::access(kBwrapPath, X_OK) != 0) {
        return MakeError(ErrorCode::kNotFound, spec.argv[0] + ": cannot start in the sandbox root " + spec.root_dir + ": " +
                                                   kBwrapPath + " is missing (Debian's bubblewrap package)");
      }
      Result<int> filter = SandboxSeccompFd();
      if (!filter) return MakeError(ErrorCode::kFailed, spec.argv[0] + ": cannot start in the sandbox root: " + filter.error().message);
      seccomp_fd = *filter;
      args = SandboxArgv(in_root ? SandboxKind::kRootAsSlash : SandboxKind::kHostProgram, spec.root_dir, exe.string(), args,
                         seccomp_fd, spec.network);
      exe = kBwrapPath;
    }

    // A sandbox root's programs get no variable of the agent's (a proxy
    // password, a cloud token in the unit's environment): PATH and what the
    // spec sets. Their proxy is the root's own apt or dnf configuration.
    bp::environment env = boost::this_process::environment();
    if (!spec.root_dir.empty()) {
      env.clear();
      env["PATH"] = kSandboxPath;
    }
    for (const std::string& name : spec.unset_env) env.erase(name);
    for (const auto& [name, value] : spec.env) env[name] = value;

    boost::asio::io_context ioc;
    TailReader out(ioc, spec.max_output), err(ioc, spec.max_output);
    bp::async_pipe input(ioc);
    bp::group group;
    std::error_code ec;
    bool exited = false;
    bp::child child(bp::exe = exe.string(), bp::args = args, bp::std_in < input, bp::std_out > out.pipe,
                    bp::std_err > err.pipe, env, group, ioc,
                    bp::on_exit([&exited](int, const std::error_code&) { exited = true; }),
                    // Last: its on_exec_setup may exec, after the others' (pipes, group).
                    StartIn(spec.cwd, spec.cwd_fd, spec.exe_fd, seccomp_fd), ec);
    if (seccomp_fd >= 0) ::close(seccomp_fd);  // the child has its copy
    if (ec) return MakeError(ErrorCode::kNotFound, spec.argv[0] + ": cannot start: " + ec.message());
    out.Start();
    err.Start();

    // Feed stdin asynchronously so a child that writes before it reads
    // cannot deadlock against us.
    boost::asio::async_write(input, boost::asio::buffer(spec.stdin_data),
                             [&input](const boost::system::error_code&, std::size_t) { input.close(); });
    // Until the command exits and its output ends, or the timeout. Once it
    // has exited, its output gets a short grace: a background process it
    // left (a daemon a hook started) may hold the pipes open for ever, and
    // must not make a finished command look hung.
    auto deadline = std::chrono::steady_clock::now() + spec.timeout;
    std::optional<std::chrono::steady_clock::time_point> drain_until;
    while (!ioc.stopped()) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      if (exited && !drain_until) drain_until = now + kOutputGrace;
      if (drain_until && now >= *drain_until) break;
      ioc.run_for(std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::milliseconds(100)));
    }
    ProcessResult result;
    result.timed_out = !exited;
    if (result.timed_out) {
      group.terminate(ec);  // SIGKILL to the whole group
      ioc.restart();
      ioc.run_for(std::chrono::seconds(2));
    }
    child.wait(ec);
    if (spec.leave_descendants && !result.timed_out) group.detach();  // else the group dies with `group`
    int status = child.native_exit_code();
    if (!result.timed_out) {
      if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    }
    result.out = out.Take(result.out_truncated);
    result.err = err.Take(result.err_truncated);
    return result;
  }
};

}  // namespace

std::string ProcessResult::Describe() const {
  if (timed_out) return "timed out";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit " + std::to_string(exit_code);
}

std::unique_ptr<ProcessRunner> MakeBoostProcessRunner() { return std::make_unique<BoostProcessRunner>(); }

}  // namespace daybook::exec
