#include "controller/intervention.h"

#include "controller/journal_context.h"
#include "controller/operator_signer.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/agent_binding.h"
#include "core/journal/record.h"

namespace daybook::controller {

using protocol::Json;

std::string NewInterventionId(const Clock& clock) {
  std::string ts = journal::FormatTimestamp(clock.Now());  // 2026-11-28T06:53:12.123Z
  std::string compact;
  for (char c : ts.substr(0, 19)) {
    if (c != '-' && c != ':') compact += c;
  }
  std::array<uint8_t, 4> random{};
  (void)crypto::RandomBytes(random.data(), random.size());
  return compact + "Z-" + crypto::HexEncode(random.data(), random.size());
}

Json BindRequest(Json request, const AnswerBinding& binding, const std::string& host) {
  request["intervention"] = binding.intervention;
  request["host"] = host;
  request["begin"] = binding.begin_line;
  return request;
}

Status CheckAnswerBinding(const Json& body, const AnswerBinding& binding, const std::string& host) {
  if (journal::StringField(body, "intervention") != binding.intervention) {
    return MakeError(ErrorCode::kFailed, "the agent answered for another intervention");
  }
  if (journal::StringField(body, "host") != host) return MakeError(ErrorCode::kFailed, "the agent answered for another host");
  if (journal::StringField(body, "begin") != binding.begin_hash) {
    return MakeError(ErrorCode::kFailed, "the agent's answer is not bound to this intervention's begin record "
                                         "(an agent older than this controller?)");
  }
  return OkStatus();
}

Result<std::unique_ptr<Intervention>> Intervention::Begin(Env& env, const GlobalOptions& global, FleetSession& session,
                                                          Json fields) {
  std::lock_guard lock(session.journal_mu);
  Result<journal::JournalWriter*> writer = SessionJournal(env, global, session);
  if (!writer) return std::move(writer).error().WithContext("journal (nothing was done)");
  Result<journal::OperatorSigner*> signer = SessionOperatorSigner(env, global, session);
  if (!signer) return signer.error();
  std::string id = NewInterventionId(env.clock);
  fields["intervention"] = id;
  // The commit every fleet file was read from (fleet_commit.h).
  if (!session.fleet_commit.empty()) fields["fleet"] = {{"commit", session.fleet_commit}};
  Result<journal::Appended> appended = (*writer)->Append(journal::kInterventionBegin, std::move(fields), *signer);
  if (!appended) return std::move(appended).error().WithContext("journal (nothing was done)");
  AnswerBinding binding{id, appended->line, journal::BeginHash(appended->line)};
  return std::unique_ptr<Intervention>(new Intervention(env, global, session, id, std::move(binding), appended->seq));
}

std::unique_ptr<Intervention> Intervention::Resume(Env& env, const GlobalOptions& global, FleetSession& session,
                                                   const std::string& id, const std::string& begin_line, int64_t begin_seq) {
  AnswerBinding binding{id, begin_line, journal::BeginHash(begin_line)};
  return std::unique_ptr<Intervention>(new Intervention(env, global, session, id, std::move(binding), begin_seq));
}

Json Intervention::HostFields(const inventory::Host& host, const HostOutcome& outcome,
                              const std::optional<crypto::Ed25519Public>& agent_key) const {
  Json fields = outcome.details;
  fields["intervention"] = id_;
  fields["host"] = host.name;
  fields["status"] = outcome.status;
  fields["begin_seq"] = begin_seq_;
  if (!outcome.error.empty()) fields["error"] = outcome.error;
  if (outcome.answer && agent_key) {
    fields["agent"] = {{"key", crypto::FormatSshPublicKey(*agent_key)}, {"sig", outcome.answer->sig},
                       {"response", outcome.answer->signed_body}};
  }
  return fields;
}

Status Intervention::RecordHosts(std::vector<Json> results) {
  std::vector<journal::JournalWriter::Pending> records;
  std::lock_guard lock(session_.journal_mu);
  for (Json& fields : results) {
    // The key that signed the answer must be the journal's pin for the host.
    std::optional<std::string> host = journal::StringField(fields, "host");
    std::optional<std::string> key = journal::StringField(journal::MemberOr(fields, "agent"), "key");
    const inventory::Host* known = host ? session_.fleet.inventory.FindHost(*host) : nullptr;
    if (known != nullptr && key) {
      Result<crypto::Ed25519Public> parsed = crypto::ParseSshPublicKey(*key);
      if (!parsed) return std::move(parsed).error();
      if (Status pinned = JournalHostKey(env_, global_, session_, *known, *parsed, false); !pinned) {
        // The answer cannot be tied to the host's pinned key: journaled as
        // a failure that says why, without the unattributable answer.
        fields.erase("agent");
        fields["status"] = "failed";
        fields["error"] = pinned.error().message;
      }
    }
    records.push_back({std::string(journal::kHostResult), std::move(fields)});
  }
  Result<std::vector<journal::Appended>> appended = session_.journal->AppendAll(std::move(records));
  if (!appended) return std::move(appended).error();
  return OkStatus();
}

Status Intervention::End(const std::string& outcome, Json summary) {
  summary["intervention"] = id_;
  summary["outcome"] = outcome;
  std::lock_guard lock(session_.journal_mu);
  // Records an operator causes carry their signature (issue 15).
  Result<journal::OperatorSigner*> signer = SessionOperatorSigner(env_, global_, session_);
  if (!signer) return std::move(signer).error().WithContext("signing intervention.end");
  Result<journal::Appended> appended = session_.journal->Append(journal::kInterventionEnd, std::move(summary), *signer);
  if (!appended) return std::move(appended).error();
  return OkStatus();
}

}  // namespace daybook::controller
