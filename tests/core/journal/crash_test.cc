// Crash safety, by injecting the crash: a real writer process (tests/tools/
// journal_writer) appends as fast as it can and is killed with SIGKILL at a
// random moment, 200 times. After every kill: the journal verifies as it is
// (a torn tail or unsealed records are allowed, nothing else), no record a
// checkpoint ever covered is lost, and reopening it repairs and seals it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <random>
#include <thread>

#include "core/crypto/ssh_key.h"
#include "core/journal/note.h"
#include "tests/core/journal/fixture.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using namespace daybook::testing;

namespace {

pid_t Spawn(const std::vector<std::string>& argv) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int64_t CheckpointSize(const std::string& note) {
  if (note.empty()) return 0;
  return ParseCheckpoint(note.substr(0, note.find("\n\n") + 1))->size;
}

}  // namespace

TEST_CASE("crash: kill -9 a writer 200 times, every checkpointed record survives and verifies") {
  TempDir tmp;
  JournalFixture f(tmp.path / "journal");
  WriteAll(tmp.path / "journal.key", FormatSignerKey(f.journal_key));
  WriteAll(tmp.path / "op", crypto::FormatOpenSshPrivateKey(f.operator_key, "op"));
  WriteAll(tmp.path / "allowed", "ops@example " + crypto::FormatSshPublicKey(f.operator_key.public_key()) + "\n");
  auto fs = MakePosixFilesystem();
  std::mt19937 random(20261128);  // fixed seed: a failure replays
  std::uniform_int_distribution<int> delay_us(2'000, 40'000);

  int64_t sealed_before = 0, torn = 0, unsealed = 0, max_size = 0;
  for (int round = 0; round < 200; ++round) {
    CAPTURE(round);
    if (round % 25 == 0) {  // a fresh journal now and then keeps each verify small
      std::filesystem::remove_all(f.dir);
      sealed_before = 0;
    }
    pid_t pid = Spawn({DAYBOOK_JOURNAL_WRITER, f.dir.string(), (tmp.path / "journal.key").string(),
                       (tmp.path / "op").string(), (tmp.path / "allowed").string(), "example.org/daybook/test", "0"});
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);

    // As the crash left it: verifies, and nothing sealed before is gone.
    if (!fs->Exists(f.dir)) continue;  // killed before it made the directory
    JournalFiles files = *ReadJournalFiles(*fs, f.dir);
    VerifyOptions as_crashed = f.VerifyWith();
    as_crashed.crashed = true;  // records after the checkpoint must be ones the writer's intent names
    VerifyReport report = VerifyJournal(files, as_crashed);
    // Killed before its first checkpoint: records no key has sealed yet never pass.
    bool never_sealed = files.checkpoint.empty() && report.code == VerifyCode::kUnsealedTail;
    REQUIRE_MESSAGE((report.ok() || never_sealed), CodeName(report.code), ": ", report.message);
    int64_t sealed = CheckpointSize(files.checkpoint);
    CHECK(sealed >= sealed_before);
    if (!files.records.empty() && files.records.back() != '\n') ++torn;
    if (report.records > report.sealed) ++unsealed;

    // Reopened by the next writer: repaired and sealed.
    { auto writer = f.Open(*fs); }
    VerifyReport after = VerifyJournal(*ReadJournalFiles(*fs, f.dir), f.VerifyWith());  // sealed, all of it
    REQUIRE_MESSAGE(after.ok(), CodeName(after.code), ": ", after.message);
    CHECK(after.sealed >= sealed);
    sealed_before = after.sealed;
    max_size = std::max(max_size, after.sealed);
  }
  MESSAGE("200 kills: " << torn << " left a torn line, " << unsealed << " left unsealed records; largest journal "
                        << max_size << " records");
}
