// Builds real journals for tests: a journal key, an operator key listed in
// allowed_signers, a clock that advances a second per record, and helpers
// that write a realistic intervention (begin, host results, end), pinning
// the agent key of each host (operator-signed) before its first result, the
// way the controller does.
#pragma once

#include <date/date.h>
#include <doctest/doctest.h>

#include <set>

#include "core/base/filesystem.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/agent_binding.h"
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

  // The agent's signed apply answer for `host`, bound to the begin record.
  static journal::Json SignedAgent(const crypto::Ed25519Key& key, const std::string& id, const std::string& host,
                                   const std::string& begin_line, const std::string& status = "ok") {
    journal::Json response = {{"type", "apply.result"}, {"intervention", id}, {"host", host},
                              {"begin", journal::BeginHash(begin_line)}, {"status", status}, {"patch", nullptr},
                              {"reboot", "none"},
                              {"deploys", {{{"name", "app"}, {"status", status}, {"to", std::string(40, 'b')}}}}};
    crypto::Ed25519Signature sig = key.Sign(journal::Canonical(response));
    return {{"key", crypto::FormatSshPublicKey(key.public_key())},
            {"sig", crypto::Base64Encode(sig.data(), sig.size())},
            {"response", response}};
  }

  // A host.key_pinned record for `host` (the agent key), signed by the operator.
  void Pin(journal::JournalWriter& w, const std::string& host) {
    journal::KeyOperatorSigner signer(operator_key);
    Tick();
    REQUIRE(w.Append(journal::kHostKeyPinned,
                     {{"host", host}, {"address", "10.0.0.1"}, {"port", 7022},
                      {"key", crypto::FormatSshPublicKey(agent_key.public_key())},
                      {"fingerprint", crypto::SshFingerprint(agent_key.public_key())}},
                     &signer).ok());
    pinned.insert(host);
  }

  // One intervention: begin, one result per host (with a bound agent
  // signature; the host pinned first if it is not yet), end.
  void Intervention(journal::JournalWriter& w, const std::string& id, const std::vector<std::string>& hosts) {
    journal::KeyOperatorSigner signer(operator_key);
    Tick();
    Result<journal::Appended> begin =
        w.Append(journal::kInterventionBegin,
                 {{"intervention", id}, {"manifest", {{"commit", std::string(40, 'a')}, {"path", "manifests/x.toml"}}},
                  {"targets", hosts}, {"ticket", "INC-1"}},
                 &signer);
    REQUIRE(begin.ok());
    for (const std::string& host : hosts) {
      if (!pinned.count(host)) Pin(w, host);
      Tick();
      REQUIRE(w.Append(journal::kHostResult,
                       {{"intervention", id}, {"host", host}, {"status", "ok"}, {"begin_seq", begin->seq},
                        {"deploys", {{{"name", "app"}, {"status", "ok"}, {"to", std::string(40, 'b')}}}},
                        {"agent", SignedAgent(agent_key, id, host, begin->line)}})
                  .ok());
    }
    Tick();
    REQUIRE(w.Append(journal::kInterventionEnd, {{"intervention", id}, {"outcome", "completed"}}).ok());
  }

  std::set<std::string> pinned;

  void Tick() { clock.now += std::chrono::seconds(1); }

  journal::VerifyOptions VerifyWith() const {
    journal::VerifyOptions o;
    o.vkeys = {*journal::ParseVerifierKey(journal::FormatVerifierKey(journal_key))};
    o.allowed_signers = allowed;
    return o;
  }
};

}  // namespace daybook::testing
