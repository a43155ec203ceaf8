#include "controller/observations.h"

#include <ostream>

#include "controller/journal_context.h"
#include "core/base/text.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/observation.h"
#include "core/journal/record.h"

namespace daybook::controller {

using protocol::Json;

ObservationLog::ObservationLog(std::string source, std::string origin, size_t hosts)
    : source_(std::move(source)), origin_(std::move(origin)), hosts_(hosts) {
  if (origin_.empty()) return;  // no journal: nothing is asked as an observation
  for (Host& host : hosts_) {
    uint8_t random[16];
    // A failed draw leaves the id empty: that host's answers are not kept.
    if (crypto::RandomBytes(random, sizeof random)) host.observe = crypto::HexEncode(random, sizeof random);
  }
}

Json ObservationLog::Ask(size_t i, Json request) {
  if (hosts_[i].observe.empty()) return request;
  request["observe"] = hosts_[i].observe;
  request["journal"] = origin_;
  return request;
}

Result<Json> ObservationLog::Call(size_t i, transport::Connection& connection, const Json& request) {
  Result<SignedAnswer> answer = AgentClient::CallSigned(connection, Ask(i, request));
  if (!answer) return answer.error();
  Host& host = hosts_[i];
  std::string key = crypto::FormatSshPublicKey(connection.host_key());
  // One agent per observation: a host whose connection changed keys keeps
  // only the first agent's answers.
  if (host.key.empty()) host.key = key;
  if (host.key == key && !host.observe.empty()) host.answers.push_back({{"response", answer->signed_body}, {"sig", answer->sig}});
  // Readers see the answer as if unobserved: the ids are the journal's.
  for (const char* field : {"observe", "observed_at", "journal"}) answer->body.erase(field);
  return std::move(answer->body);
}

Result<size_t> ObservationLog::Journal(Env& env, const GlobalOptions& global, FleetSession& session) {
  std::vector<journal::JournalWriter::Pending> records;
  std::vector<size_t> with_answers;
  for (size_t i = 0; i < hosts_.size(); ++i) {
    if (!hosts_[i].answers.empty()) with_answers.push_back(i);
  }
  if (with_answers.empty()) return size_t{0};
  std::lock_guard<std::mutex> lock(session.journal_mu);
  Result<journal::JournalWriter*> writer = SessionJournal(env, global, session);
  if (!writer) return std::move(writer).error();
  const std::string now = journal::FormatTimestamp(env.clock.Now());
  for (size_t i : with_answers) {
    const std::string& name = session.hosts[i];
    Json fields = {{"host", name}, {"source", source_}, {"observe", hosts_[i].observe},
                   {"agent", {{"key", hosts_[i].key}, {"answers", hosts_[i].answers}}}};
    std::optional<std::string> pinned = (*writer)->PinnedKey(name);
    Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(pinned.value_or(""));
    if (!pinned || *pinned != hosts_[i].key || !key) {
      env.err << "daybook: warning: " << name << ": not journaled as observed: the journal pins no key, or another key, for it\n";
      continue;
    }
    // What `journal verify` will check, checked first (with the time the
    // record gets): an agent whose clock is far from ours is said here.
    Json as_recorded = fields;
    as_recorded["ts"] = now;
    if (Status sound = journal::CheckObservationAnswers(as_recorded, *key, origin_); !sound) {
      env.err << TerminalSafe("daybook: warning: " + name + ": not journaled as observed: " + sound.error().message) << "\n";
      continue;
    }
    records.push_back({std::string(journal::kHostObserved), std::move(fields)});
  }
  if (records.empty()) return size_t{0};
  size_t count = records.size();
  Result<std::vector<journal::Appended>> appended = (*writer)->AppendAll(std::move(records));
  if (!appended) return std::move(appended).error();
  return count;
}

std::string FleetJournalOrigin(Env& env, const GlobalOptions& global) {
  Result<JournalContext> context = ResolveJournal(env, global, {}, {true, false});
  return context ? context->origin : std::string();
}

void WarnUnjournaled(Env& env, const Result<size_t>& journaled) {
  if (journaled) return;
  env.err << TerminalSafe("daybook: warning: what the agents reported was not journaled: " + journaled.error().message) << "\n";
}

}  // namespace daybook::controller
