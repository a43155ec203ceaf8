// Builds real journals for tests: a journal key, an operator key listed in
// allowed_signers, a clock that advances a second per record, and helpers
// that write a realistic intervention (begin, host results, end).
#pragma once

#include <date/date.h>
#include <doctest/doctest.h>

#include "core/base/filesystem.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/key_signer.h"
#include "core/journal/record.h"
#include "core/journal/store.h"
#include "core/journal/verify.h"
#include "tests/fakes/fake_clock.h"

namespace daybook::testing {

struct JournalFixture {
  std::filesystem::path dir;
  journal::NoteSigner journal_key = *journal::GenerateNoteSigner("example.org/daybook/test");
  crypto::Ed25519Key operator_key = *crypto::Ed25519Key::Generate();
  crypto::Ed25519Key agent_key = *crypto::Ed25519Key::Generate();
  FixedClock clock{date::sys_days{date::year{2026} / 11 / 1}};
  crypto::AllowedSigners allowed;

  explicit JournalFixture(std::filesystem::path d) : dir(std::move(d)) {
    allowed = *crypto::ParseAllowedSigners({"allowed_signers", "ops@example " +
                                                                  crypto::FormatSshPublicKey(operator_key.public_key()) + "\n"});
  }

  journal::WriterOptions Options() const { return {dir, journal_key, "example.org/daybook/test", allowed}; }

  std::unique_ptr<journal::JournalWriter> Open(Filesystem& fs) {
    auto writer = journal::JournalWriter::Open(fs, clock, Options());
    REQUIRE(writer.ok());
    return std::move(*writer);
  }

  // One intervention: begin, one result per host (with an agent signature), end.
  void Intervention(journal::JournalWriter& w, const std::string& id, const std::vector<std::string>& hosts) {
    journal::KeyOperatorSigner signer(operator_key);
    Tick();
    REQUIRE(w.Append(journal::kInterventionBegin,
                     {{"intervention", id}, {"manifest", {{"commit", std::string(40, 'a')}, {"path", "manifests/x.toml"}}},
                      {"targets", hosts}, {"ticket", "INC-1"}},
                     &signer).ok());
    for (const std::string& host : hosts) {
      Tick();
      journal::Json response = {{"host", host}, {"status", "ok"}, {"tree", std::string(40, 'b')}};
      crypto::Ed25519Signature sig = agent_key.Sign(journal::Canonical(response));
      REQUIRE(w.Append(journal::kHostResult,
                       {{"intervention", id}, {"host", host}, {"status", "ok"},
                        {"agent", {{"key", crypto::FormatSshPublicKey(agent_key.public_key())},
                                   {"sig", crypto::Base64Encode(sig.data(), sig.size())},
                                   {"response", response}}}})
                  .ok());
    }
    Tick();
    REQUIRE(w.Append(journal::kInterventionEnd, {{"intervention", id}, {"outcome", "completed"}}).ok());
  }

  void Tick() { clock.now += std::chrono::seconds(1); }

  journal::VerifyOptions VerifyWith() const {
    journal::VerifyOptions o;
    o.vkeys = {*journal::ParseVerifierKey(journal::FormatVerifierKey(journal_key))};
    o.allowed_signers = allowed;
    return o;
  }
};

}  // namespace daybook::testing
