// Fuzz target: the agent's request dispatch, a whole session without SSH.
// Each line of the input is one frame body (so the fuzzer mutates JSON
// text, not length prefixes), answered by the real session code with a
// real object store and deployer in a temp dir. No command ever runs: the
// process runner refuses everything, so a hook or package tool the input
// names is an error, not an effect.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/session.h"
#include "core/base/clock.h"
#include "core/base/strings.h"
#include "core/exec/process_runner.h"
#include "core/protocol/messages.h"
#include "core/repo/object_store.h"

using namespace daybook;

namespace {

class RefusingRunner final : public exec::ProcessRunner {
 public:
  Result<exec::ProcessResult> Run(const exec::ProcessSpec& spec) override {
    return MakeError(ErrorCode::kNotFound, (spec.argv.empty() ? std::string("?") : spec.argv[0]) + ": not run while fuzzing");
  }
};

class BytesStream final : public transport::Stream {
 public:
  explicit BytesStream(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<std::string> Read(size_t max, std::chrono::milliseconds) override {
    std::string out = bytes_.substr(at_, max);
    at_ += out.size();
    return out;
  }
  Status Write(std::string_view) override { return OkStatus(); }

 private:
  std::string bytes_;
  size_t at_ = 0;
};

struct Agent {
  std::filesystem::path dir;
  agent::AgentConfig config;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  RefusingRunner runner;
  std::unique_ptr<Clock> clock = MakeSystemClock();
  std::unique_ptr<agent::Deployer> deployer;
  std::unique_ptr<agent::PatchStep> patch;
  std::unique_ptr<agent::ResultStore> results;
  agent::InterventionContext interventions;
  std::unique_ptr<agent::AuthorizedOperators> operators;
  std::unique_ptr<agent::AccessLog> access;
  crypto::Ed25519Key key = *crypto::Ed25519Key::Generate();
  agent::SessionContext session;

  Agent() {
    char tmpl[] = "/tmp/daybook-fuzz-agent.XXXXXX";
    dir = ::mkdtemp(tmpl);
    config.state_dir = (dir / "state").string();
    config.root = (dir / "root").string();
    config.deploy_roots = {"/srv"};
    config.package_backend = "none";
    std::filesystem::create_directories(dir / "root" / "srv");
    (void)repo::ObjectStore::Open(dir / "state" / "objects.git");
    deployer = std::make_unique<agent::Deployer>(config, *fs, runner, *clock);
    patch = std::make_unique<agent::PatchStep>(config, *fs, runner);
    results = std::make_unique<agent::ResultStore>(*fs, *clock, dir / "state" / "results");
    // Nobody is an operator (changes are refused after their begin record
    // is read and checked); the access log is small, so cutting it runs too.
    operators = std::make_unique<agent::AuthorizedOperators>(*fs, dir / "authorized_operators");
    Result<std::unique_ptr<agent::AccessLog>> opened = agent::AccessLog::Open(*fs, *clock, dir / "state" / "access.jsonl", 256 << 10);
    if (opened) access = std::move(*opened);
    interventions = {&config, fs.get(), &runner, deployer.get(), patch.get(), dir / "state" / "objects.git", results.get(),
                     operators.get(), clock.get()};
    session = {&key, 1u << 20, std::chrono::milliseconds(10), [] { return protocol::Json{{"hostname", "fuzz"}}; },
               &interventions, clock.get(), access.get()};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Agent* agent = new Agent();  // one agent for the whole run, as a daemon is
  std::string framed;
  for (const std::string& body : Split(std::string_view(reinterpret_cast<const char*>(data), size), '\n')) {
    auto n = static_cast<uint32_t>(body.size());
    framed += std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                          static_cast<char>(n)};
    framed += body;
  }
  BytesStream stream(std::move(framed));
  (void)agent::ServeSession(agent->session, stream, [](const std::string& what) {
    // An exception that reached the last-resort catch is a bug to fix:
    // report it as a crash so the fuzzer keeps the input.
    std::fprintf(stderr, "internal error escaped: %s\n", what.c_str());
    std::abort();
  });
  return 0;
}
