#include "controller/intervention.h"

#include "controller/journal_context.h"
#include "controller/operator_signer.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
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

Result<std::unique_ptr<Intervention>> Intervention::Begin(Env& env, const GlobalOptions& global, FleetSession& session,
                                                          Json fields) {
  if (env.runner == nullptr) return MakeError(ErrorCode::kInternal, "no process runner for the operator signer");
  std::lock_guard lock(session.journal_mu);
  Result<journal::JournalWriter*> writer = SessionJournal(env, global, session);
  if (!writer) return std::move(writer).error().WithContext("journal (nothing was done)");
  Result<JournalContext> context = ResolveJournal(env, global, {}, {true, false});
  if (!context) return context.error();
  if (!context->allowed_signers) {
    return MakeError(ErrorCode::kInvalidInput, "no allowed_signers in the fleet: nobody may open an intervention");
  }
  Result<std::unique_ptr<journal::OperatorSigner>> signer =
      MakeOperatorSigner(*env.runner, env.fs, session.fleet.config, *context->allowed_signers,
                         {env.ssh_auth_sock, env.home, session.fleet.root / ".daybook"}, env.clock.Now());
  if (!signer) return signer.error();
  std::string id = NewInterventionId(env.clock);
  fields["intervention"] = id;
  Result<journal::Appended> appended = (*writer)->Append(journal::kInterventionBegin, std::move(fields), signer->get());
  if (!appended) return std::move(appended).error().WithContext("journal (nothing was done)");
  return std::unique_ptr<Intervention>(new Intervention(session, id));
}

Json Intervention::HostFields(const inventory::Host& host, const HostOutcome& outcome,
                              const std::optional<crypto::Ed25519Public>& agent_key) const {
  Json fields = outcome.details;
  fields["intervention"] = id_;
  fields["host"] = host.name;
  fields["status"] = outcome.status;
  if (!outcome.error.empty()) fields["error"] = outcome.error;
  if (outcome.answer && agent_key) {
    fields["agent"] = {{"key", crypto::FormatSshPublicKey(*agent_key)}, {"sig", outcome.answer->sig},
                       {"response", outcome.answer->signed_body}};
  }
  return fields;
}

Status Intervention::RecordHosts(std::vector<Json> results) {
  std::vector<journal::JournalWriter::Pending> records;
  for (Json& fields : results) records.push_back({std::string(journal::kHostResult), std::move(fields)});
  std::lock_guard lock(session_.journal_mu);
  Result<std::vector<journal::Appended>> appended = session_.journal->AppendAll(std::move(records));
  if (!appended) return std::move(appended).error();
  return OkStatus();
}

Status Intervention::End(const std::string& outcome, Json summary) {
  summary["intervention"] = id_;
  summary["outcome"] = outcome;
  std::lock_guard lock(session_.journal_mu);
  Result<journal::Appended> appended = session_.journal->Append(journal::kInterventionEnd, std::move(summary));
  if (!appended) return std::move(appended).error();
  return OkStatus();
}

}  // namespace daybook::controller
