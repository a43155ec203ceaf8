// Test tool: writes a year of a fleet's journal for `daybook report` tests
// and figures, with real keys and every signature sound, as the controller
// and agents write them:
//   report_journal DIR JOURNAL_KEY OPERATOR_KEY ALLOWED_SIGNERS ORIGIN INTERVENTIONS HOSTS
// The year ends now. Each step (INTERVENTIONS steps, evenly spread) may
// publish a security update for some hosts; every host is observed
// (host.observed, source status: facts, patch.plan and deploy.status signed
// by its agent);
// then one intervention runs: every 4th a security push that installs what
// is pending (its signed plan and outcome), the others an app release (a
// new tree). Host 0 is never rebooted, and keeps its updates pending for
// the last third of the year, so the report has reboots owed and open
// exposure. Deterministic. Exit 0 and the record count on success, 1 on
// failure. Not installed; tests only.
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/agent_binding.h"
#include "core/journal/key_signer.h"
#include "core/journal/record.h"
#include "core/journal/store.h"
#include "tests/tools/tool_keys.h"

using namespace daybook;
using journal::Json;

namespace {

class StepClock final : public Clock {
 public:
  TimePoint Now() const override { return now; }
  TimePoint now;
};

Json Signed(const crypto::Ed25519Key& key, const Json& response) {
  crypto::Ed25519Signature sig = key.Sign(journal::Canonical(response));
  return {{"response", response}, {"sig", crypto::Base64Encode(sig.data(), sig.size())}};
}

std::string Hex(uint64_t value, size_t width) {
  static const char* digits = "0123456789abcdef";
  std::string out(width, '0');
  for (size_t i = width; i-- > 0; value >>= 4) out[i] = digits[value & 15];
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr << "usage: report_journal DIR JOURNAL_KEY OPERATOR_KEY ALLOWED_SIGNERS ORIGIN INTERVENTIONS HOSTS\n";
    return 2;
  }
  auto fs = MakePosixFilesystem();
  auto fail = [](const std::string& what, const Error& e) {
    std::cerr << "report_journal: " << what << ": " << e.message << "\n";
    return 1;
  };
  Result<testing::ToolKeys> given = testing::LoadToolKeys(*fs, argv[2], argv[3], argv[4]);
  if (!given) return fail("keys", given.error());
  journal::NoteSigner* signer = &given->journal_key;
  crypto::Ed25519Key* op = &given->op;
  crypto::AllowedSigners* allowed = &given->allowed;
  const long steps = std::stol(argv[6]);
  const int host_count = std::stoi(argv[7]);

  StepClock clock;
  const TimePoint end = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const TimePoint start = end - std::chrono::days(365);
  const auto step = (end - start) / (steps + 1);
  clock.now = start;
  auto writer = journal::JournalWriter::Open(*fs, clock, {argv[1], *signer, argv[5], *allowed});
  if (!writer) return fail("open", writer.error());
  journal::KeyOperatorSigner op_signer(*op);

  std::vector<std::string> hosts;
  std::vector<crypto::Ed25519Key> keys;
  for (int h = 0; h < host_count; ++h) {
    hosts.push_back("host-" + std::to_string(100 + h));
    keys.push_back(*crypto::Ed25519Key::Generate());
    clock.now += std::chrono::seconds(1);
    Result<journal::Appended> pin = (*writer)->Append(
        journal::kHostKeyPinned,
        {{"host", hosts.back()}, {"address", "10.0.0." + std::to_string(h + 1)}, {"port", 7022},
         {"key", crypto::FormatSshPublicKey(keys.back().public_key())}, {"fingerprint", crypto::SshFingerprint(keys.back().public_key())}},
        &op_signer);
    if (!pin) return fail("pin", pin.error());
  }
  std::vector<std::map<std::string, std::string>> pending(hosts.size());  // package -> fixed version
  std::vector<bool> reboot_owed(hosts.size(), false);
  uint64_t random = 0x9e3779b97f4a7c15ULL, observe = 0;
  auto next = [&random] {
    random ^= random << 13;
    random ^= random >> 7;
    random ^= random << 17;
    return random;
  };
  int advisory = 0;
  std::string tree = std::string(40, 'a');
  for (long s = 0; s < steps; ++s) {
    clock.now = start + step * (s + 1);
    if (next() % 3 == 0) {  // an advisory for some hosts
      ++advisory;
      std::string package = "pkg-" + std::to_string(advisory % 40);
      for (size_t h = 0; h < hosts.size(); ++h) {
        if (next() % 2 == 0) pending[h][package] = "1." + std::to_string(advisory);
      }
    }
    std::vector<journal::JournalWriter::Pending> observations;
    for (size_t h = 0; h < hosts.size(); ++h) {
      std::string id = Hex(++observe, 32), at = journal::FormatTimestamp(clock.now);
      Json changes = Json::array();
      for (const auto& [package, version] : pending[h]) {
        changes.push_back({{"name", package}, {"from", "0.9"}, {"to", version}, {"origin", "Debian-Security:bookworm-security"},
                           {"reason", "security"}, {"security", true}});
      }
      const Json asked = {{"observe", id}, {"journal", argv[5]}, {"observed_at", at}};
      Json facts = {{"type", "facts"}, {"facts", {{"reboot_required", static_cast<bool>(reboot_owed[h])}, {"package_backend", "apt"}}}};
      Json plan = {{"type", "patch.plan"}, {"backend", "apt"},
                   {"plan", {{"changes", changes}, {"removals", Json::array()}, {"skipped", Json::array()}}},
                   {"findings", Json::array()}};
      Json status = {{"type", "deploy.status"}, {"deploys", {{{"name", "app"}, {"tree", tree}, {"drift", nullptr}}}}};
      for (Json* answer : {&facts, &plan, &status}) answer->update(asked);
      observations.push_back({std::string(journal::kHostObserved),
                              {{"host", hosts[h]}, {"source", "status"}, {"observe", id},
                               {"agent", {{"key", crypto::FormatSshPublicKey(keys[h].public_key())},
                                          {"answers", {Signed(keys[h], facts), Signed(keys[h], plan), Signed(keys[h], status)}}}}}});
    }
    if (Result<std::vector<journal::Appended>> seen = (*writer)->AppendAll(std::move(observations)); !seen) return fail("observe", seen.error());

    clock.now += std::chrono::minutes(5);
    const bool security = s % 4 == 0;
    const std::string id = "i-" + std::to_string(s);
    if (!security) tree = Hex(next(), 16) + Hex(next(), 16) + Hex(next(), 8);
    Json begin_fields = {{"intervention", id}, {"ticket", "CHG-" + std::to_string(1000 + s)},
                         {"manifest", {{"commit", std::string(40, 'c')}, {"path", security ? "manifests/security.toml" : "manifests/app.toml"}}},
                         {"targets", hosts}};
    Result<journal::Appended> begin = (*writer)->Append(journal::kInterventionBegin, begin_fields, &op_signer);
    if (!begin) return fail("begin", begin.error());
    std::vector<journal::JournalWriter::Pending> results;
    for (size_t h = 0; h < hosts.size(); ++h) {
      Json response = {{"type", "apply.result"}, {"intervention", id}, {"host", hosts[h]},
                       {"begin", journal::BeginHash(begin->line)}, {"status", "ok"}, {"reboot", "none"},
                       {"patch", nullptr}, {"deploys", Json::array()}};
      Json fields = {{"intervention", id}, {"host", hosts[h]}, {"status", "ok"}, {"begin_seq", begin->seq}};
      if (security) {
        Json changes = Json::array(), versions = Json::array();
        for (const auto& [package, version] : pending[h]) {
          changes.push_back({{"name", package}, {"from", "0.9"}, {"to", version}, {"origin", "Debian-Security:bookworm-security"},
                             {"reason", "security"}, {"security", true}});
          versions.push_back({{"name", package}, {"before", "0.9"}, {"after", version}});
        }
        // Host 0 keeps its updates pending after the last third of the year.
        if (h == 0 && s > steps * 2 / 3) changes = versions = Json::array();
        if (!versions.empty()) pending[h].clear();
        // Host 0 needs a reboot after its first updates and never gets one.
        reboot_owed[h] = h == 0 && (reboot_owed[h] || !versions.empty());
        response["patch"] = {{"status", "ok"}, {"backend", "apt"},
                             {"plan", {{"changes", changes}, {"removals", Json::array()}, {"skipped", Json::array()}}},
                             {"outcome", {{"ok", true}, {"versions", versions}, {"reboot_required", static_cast<bool>(reboot_owed[h])}}},
                             {"findings", Json::array()}};
        fields["packages"] = versions;
      } else {
        response["deploys"] = {{{"name", "app"}, {"status", "ok"}, {"to", std::string(40, 'd')}, {"tree", tree}}};
        fields["deploys"] = response["deploys"];
      }
      crypto::Ed25519Signature sig = keys[h].Sign(journal::Canonical(response));
      fields["agent"] = {{"key", crypto::FormatSshPublicKey(keys[h].public_key())},
                         {"sig", crypto::Base64Encode(sig.data(), sig.size())}, {"response", response}};
      results.push_back({std::string(journal::kHostResult), fields});
    }
    clock.now += std::chrono::minutes(1);
    if (Result<std::vector<journal::Appended>> done = (*writer)->AppendAll(std::move(results)); !done) return fail("results", done.error());
    Result<journal::Appended> closed = (*writer)->Append(journal::kInterventionEnd, {{"intervention", id}, {"outcome", "completed"}}, &op_signer);
    if (!closed) return fail("end", closed.error());
  }
  std::cout << (*writer)->size() << "\n";
  return 0;
}
