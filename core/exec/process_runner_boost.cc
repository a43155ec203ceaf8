// ProcessRunner over Boost.Process v1 (Boost 1.74), following
// notes/deps-debian12.md §4: asynchronous pipes (no deadlock on large
// output), a process group so a timeout kills grandchildren too, a checked
// working directory (bp::start_dir ignores chdir failures), and an explicit
// search_path check (an empty bp::exe segfaults).
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74 uses std::exchange without including it in C++20

#include <boost/asio.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <future>

#include "core/base/duration.h"
#include "core/exec/process_runner.h"

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

// chdir in the child, failing the spawn (instead of silently running in the
// parent's directory) when it cannot.
struct CheckedStartDir : bp::extend::handler {
  std::string dir;
  explicit CheckedStartDir(std::string d) : dir(std::move(d)) {}
  template <class Executor>
  void on_exec_setup(Executor& e) const {
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) {
      e.set_error(std::error_code(errno, std::system_category()), "chdir");
    }
  }
};

class BoostProcessRunner final : public ProcessRunner {
 public:
  Result<ProcessResult> Run(const ProcessSpec& spec) override {
    if (spec.argv.empty()) return MakeError(ErrorCode::kInvalidInput, "empty command");
    boost::filesystem::path exe = spec.argv[0].find('/') == std::string::npos
                                      ? bp::search_path(spec.argv[0])
                                      : boost::filesystem::path(spec.argv[0]);
    if (exe.empty()) return MakeError(ErrorCode::kNotFound, spec.argv[0] + ": command not found in PATH");
    std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());

    bp::environment env = boost::this_process::environment();
    for (const std::string& name : spec.unset_env) env.erase(name);
    for (const auto& [name, value] : spec.env) env[name] = value;

    boost::asio::io_context ioc;
    std::future<std::string> out, err;
    bp::async_pipe input(ioc);
    bp::group group;
    std::error_code ec;
    bp::child child(bp::exe = exe.string(), bp::args = args, bp::std_in < input, bp::std_out > out,
                    bp::std_err > err, env, CheckedStartDir(spec.cwd), group, ioc, ec);
    if (ec) return MakeError(ErrorCode::kNotFound, spec.argv[0] + ": cannot start: " + ec.message());

    // Feed stdin asynchronously so a child that writes before it reads
    // cannot deadlock against us.
    boost::asio::async_write(input, boost::asio::buffer(spec.stdin_data),
                             [&input](const boost::system::error_code&, std::size_t) { input.close(); });
    ioc.run_for(spec.timeout);
    ProcessResult result;
    result.timed_out = !ioc.stopped();
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
    result.out = out.valid() && out.wait_for(std::chrono::seconds(0)) == std::future_status::ready ? out.get() : "";
    result.err = err.valid() && err.wait_for(std::chrono::seconds(0)) == std::future_status::ready ? err.get() : "";
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
