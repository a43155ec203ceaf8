// Test tool: appends interventions to a journal with real keys, so CLI and
// crash tests have real journals before the rollout engine writes them.
// Each host's agent key is pinned (operator-signed) before its first result,
// and every result carries an agent answer bound to host, intervention and
// begin record, as the controller writes them.
//   journal_writer DIR JOURNAL_KEY_FILE OPERATOR_KEY_FILE ALLOWED_SIGNERS ORIGIN COUNT
// COUNT 0 = append until killed (the crash test's kill -9 target). COUNT
// "reseal" = what only the journal key holder can do: sign an intent naming
// every record after the checkpoint, then open (which seals them); tests use
// it to rewrite history as the key holder would. Exit 0 on success, 1 on any
// failure (printed). Not installed; tests only.
#include <chrono>
#include <iostream>
#include <string>

#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/agent_binding.h"
#include "core/journal/intent.h"
#include "core/journal/lines.h"
#include "core/journal/key_signer.h"
#include "core/journal/store.h"
#include "tests/tools/tool_keys.h"

using namespace daybook;

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: journal_writer DIR JOURNAL_KEY OPERATOR_KEY ALLOWED_SIGNERS ORIGIN COUNT\n";
    return 2;
  }
  auto fs = MakePosixFilesystem();
  auto clock = MakeSystemClock();
  auto fail = [](const std::string& what, const Error& e) {
    std::cerr << "journal_writer: " << what << ": " << e.message << "\n";
    return 1;
  };
  Result<testing::ToolKeys> given = testing::LoadToolKeys(*fs, argv[2], argv[3], argv[4]);
  if (!given) return fail("keys", given.error());
  journal::NoteSigner* signer = &given->journal_key;
  crypto::Ed25519Key* op = &given->op;
  crypto::AllowedSigners* allowed = &given->allowed;

  if (std::string(argv[6]) == "reseal") {
    journal::JournalFiles files = *journal::ReadJournalFiles(*fs, argv[1]);
    journal::Intent intent{argv[5], 0, {}};
    if (!files.checkpoint.empty()) {
      intent.from = journal::ParseCheckpoint(files.checkpoint.substr(0, files.checkpoint.find("\n\n") + 1))->size;
    }
    std::vector<journal::LineRef> lines = journal::SplitRecordLines(files.records).lines;
    for (size_t i = static_cast<size_t>(intent.from); i < lines.size(); ++i) {
      intent.leaves.push_back(*journal::StoredLeafHash(lines[i].text));
    }
    Status written = fs->WriteFileAtomic(journal::JournalPaths(argv[1]).intent, journal::SignIntent(intent, *signer), 0644);
    if (!written) return fail("intent", written.error());
  }
  auto writer = journal::JournalWriter::Open(*fs, *clock, {argv[1], *signer, argv[5], *allowed});
  if (!writer) return fail("open", writer.error());
  journal::KeyOperatorSigner op_signer(*op);
  crypto::Ed25519Key agent = *crypto::Ed25519Key::Generate();
  long count = std::string(argv[6]) == "reseal" ? -1 : std::stol(argv[6]);
  const char* hosts[] = {"web-01", "web-02", "db-01"};
  bool pinned = false;
  for (long i = 0; count >= 0 && (count == 0 || i < count); ++i) {
    std::string id = "i-" + std::to_string((*writer)->size());
    Result<journal::Appended> begin = (*writer)->Append(
        journal::kInterventionBegin,
        {{"intervention", id}, {"ticket", "INC-" + std::to_string(100 + i % 3)},
         {"manifest", {{"commit", std::string(40, 'c')}, {"path", "manifests/2026-11-security.toml"}}},
         {"targets", {hosts[0], hosts[1], hosts[2]}}},
        &op_signer);
    if (!begin) return fail("append", begin.error());
    for (const char* host : hosts) {
      if (!pinned) {
        Result<journal::Appended> pin = (*writer)->Append(
            journal::kHostKeyPinned,
            {{"host", host}, {"address", "127.0.0.1"}, {"port", 7022}, {"key", crypto::FormatSshPublicKey(agent.public_key())},
             {"fingerprint", crypto::SshFingerprint(agent.public_key())}},
            &op_signer);
        if (!pin) return fail("append", pin.error());
      }
      std::string status = i % 5 == 4 && host == hosts[2] ? "failed" : "ok";
      journal::Json response = {{"type", "apply.result"}, {"intervention", id}, {"host", host},
                                {"begin", journal::BeginHash(begin->line)}, {"status", status}};
      crypto::Ed25519Signature sig = agent.Sign(journal::Canonical(response));
      Result<journal::Appended> result = (*writer)->Append(
          journal::kHostResult,
          {{"intervention", id}, {"host", host}, {"status", status}, {"begin_seq", begin->seq},
           {"agent", {{"key", crypto::FormatSshPublicKey(agent.public_key())},
                      {"sig", crypto::Base64Encode(sig.data(), sig.size())}, {"response", response}}}});
      if (!result) return fail("append", result.error());
    }
    pinned = true;
    Result<journal::Appended> end =
        (*writer)->Append(journal::kInterventionEnd, {{"intervention", id}, {"outcome", "completed"}});
    if (!end) return fail("append", end.error());
  }
  std::cout << (*writer)->size() << "\n";
  return 0;
}
