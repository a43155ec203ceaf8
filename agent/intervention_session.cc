#include "agent/intervention_session.h"

#include <algorithm>

#include "core/journal/agent_binding.h"
#include "core/journal/canonical.h"

#include "agent/reboot_failure.h"

#include "agent/answer_binding.h"
#include "agent/requests.h"
#include "core/crypto/encoding.h"
#include "core/schema/json_reader.h"
#include "core/base/strings.h"
#include "core/base/text.h"
#include "core/protocol/messages.h"

namespace daybook::agent {
namespace {

using protocol::Json;

Json Bad(const std::string& message) { return protocol::ErrorMessage("bad_request", message); }

}  // namespace

// Runs the deploys in order; a failed or refused one stops the pipeline and
// the rest are reported as skipped.
Json InterventionSession::Apply(repo::ObjectStore& store, const AnswerBinding& binding, const ApplyRequest& request) {
  const std::string& intervention = binding.intervention;
  Json results = Json::array();
  bool stopped = false;
  bool reboot = false;
  Json patch = nullptr;
  if (request.patch) {
    patch = context_.patch->Apply(*request.patch, reboot);
    stopped = schema::StringOr(patch, "status") != "ok";
  }
  for (const DeployRequest& deploy : request.deploys) {
    if (stopped) {
      results.push_back({{"type", "deploy.result"}, {"action", "deploy"}, {"name", deploy.name}, {"path", deploy.path},
                         {"to", deploy.commit}, {"status", "skipped"}, {"error", "an earlier step failed"}});
      continue;
    }
    Json result = context_.deployer->Apply(store, deploy);
    const std::string status = schema::StringOr(result, "status");
    stopped = status == "failed" || status == "refused";
    results.push_back(std::move(result));
  }
  // The reboot is the pipeline's last step: only when everything before it succeeded.
  reboot = reboot && !stopped;
  std::string refused_reboot = reboot ? RebootRefusal(*context_.config) : "";
  if (!refused_reboot.empty()) reboot = false;
  Json answer = BindAnswer({{"type", "apply.result"}, {"status", stopped ? "failed" : "ok"}, {"patch", patch},
                            {"deploys", results}, {"reboot", reboot ? "scheduled" : "none"}},
                           binding);
  if (!refused_reboot.empty()) answer["reboot_error"] = refused_reboot;
  // Kept before it is sent, and before any reboot: a controller that dies
  // before journaling it can still fetch it (result_store.h).
  Status saved = context_.results->Keep(intervention, answer);
  if (!saved && reboot) {
    answer["reboot"] = "none";
    answer["reboot_error"] = "not rebooting: the result could not be written: " + saved.error().message;
    reboot = false;
  }
  reboot_pending_ = reboot;
  if (reboot) reboot_intervention_ = intervention;
  return answer;
}

std::string InterventionSession::AfterAnswer() {
  if (!reboot_pending_) return "";
  reboot_pending_ = false;
  const std::filesystem::path& state = context_.config->state_dir;
  Result<std::string> boot = context_.fs->ReadFile(context_.config->boot_id_file);
  std::string boot_id = boot ? std::string(Trim(*boot)) : "";
  ClearRebootFailure(*context_.fs, state);
  exec::ProcessSpec spec = exec::ProcessSpec::Of(context_.config->reboot_command);
  spec.timeout = std::chrono::minutes(1);
  spec.leave_descendants = true;  // what it starts must survive the agent going down
  Result<exec::ProcessResult> ran = context_.runner->Run(spec);
  std::string failure = !ran ? "reboot command did not start: " + ran.error().message
                        : ran->ok() ? ""
                                    : "reboot command " + ran->Describe() + ": " +
                                          Utf8Tail(ReadableText(Trim(ran->err.empty() ? ran->out : ran->err)), 2000);
  if (failure.empty()) return "reboot command " + ran->Describe();
  // The controller waits for a new boot id: tell it (through the facts) that none is coming.
  if (Status kept = RecordRebootFailure(*context_.fs, state, reboot_intervention_, boot_id, failure); !kept) {
    failure += " (not kept: " + kept.error().message + ")";
  }
  return failure;
}

Result<repo::ObjectStore*> InterventionSession::Store() {
  if (!store_) {
    Result<std::unique_ptr<repo::ObjectStore>> opened = repo::ObjectStore::Open(context_.object_store);
    if (!opened) return opened.error();
    store_ = std::move(opened).value();
  }
  return store_.get();
}

std::string RebootRefusal(const AgentConfig& config) {
  // A copy of the packaged agent.toml that names the default explicitly is
  // no more a sandbox's reboot than the default is.
  const std::vector<std::string> host_reboot = {"systemctl", "reboot"};
  if (config.root == "/" || (config.reboot_command_set && config.reboot_command != host_reboot)) return "";
  return "not rebooting: this agent's root is a sandbox (" + config.root + ") and its reboot_command is " +
         (config.reboot_command_set ? "" : "unset, so ") +
         "systemctl reboot, which would reboot this host: set a reboot_command of the sandbox's own in the "
         "agent's configuration, or use reboot = \"never\"";
}

Result<BeginSigner> CheckRequestBegin(const InterventionContext& context, const Json& request) {
  if (context.operators == nullptr) return MakeError(ErrorCode::kFailed, "this agent has no list of operators");
  Result<Json> begin = journal::ParseCanonical(schema::StringOr(request, "begin"));
  if (!begin) return MakeError(ErrorCode::kFailed, "begin: " + begin.error().message);
  std::unique_ptr<Clock> system = context.clock == nullptr ? MakeSystemClock() : nullptr;
  Result<BeginSigner> signer = CheckBeginSignature(*begin, *context.operators, (context.clock != nullptr ? *context.clock : *system).Now());
  if (!signer) return signer;
  // The host the request names is one the operator signed for.
  const Json& targets = schema::MemberOr(*begin, "targets");
  const std::string host = schema::StringOr(request, "host");
  bool targeted = targets.is_array() && std::any_of(targets.begin(), targets.end(), [&](const Json& t) { return t == host; });
  if (!targeted) return MakeError(ErrorCode::kFailed, "begin: host " + Quoted(host) + " is not among the targets the operator signed");
  // The begin's kind is the request's, and it names what is asked.
  const std::string type = schema::StringOr(request, "type");
  const std::string kind = journal::BeginAnswerType(*begin);
  if (type == "apply") {
    if (kind != "apply.result") return MakeError(ErrorCode::kFailed, "begin: not a push's: it opens no apply");
    if (schema::StringOr(*begin, "apply") != journal::ApplyContentHash(request)) {
      return MakeError(ErrorCode::kFailed, "begin: the deploys, hooks or patch asked differ from what the operator signed");
    }
  }
  if (type == "deploy.rollback") {
    const Json& rollback = schema::MemberOr(*begin, "rollback");
    if (kind != "deploy.result" || schema::StringOr(rollback, "deploy") != schema::StringOr(request, "name") ||
        schema::StringOr(rollback, "to") != schema::StringOr(request, "to")) {
      return MakeError(ErrorCode::kFailed, "begin: not the rollback the operator signed (deploy or release differ)");
    }
  }
  if (type == "facts" && kind != "facts") return MakeError(ErrorCode::kFailed, "begin: not a bootstrap's");
  if (schema::StringOr(request, "intervention") != schema::StringOr(*begin, "intervention")) {
    return MakeError(ErrorCode::kFailed, "begin: opens another intervention");
  }
  return signer;
}

std::optional<Json> InterventionSession::Answer(const Json& request) {
  const std::string type = schema::StringOr(request, "type");
  if (type != "deploy.status" && type != "apply" && type != "deploy.rollback" && type != "pack.begin" &&
      type != "pack.data" && type != "pack.end" && type != "patch.plan" && type != "results.list" &&
      type != "results.fetch" && type != "results.ack") {
    return std::nullopt;
  }
  if (type == "results.list" || type == "results.fetch" || type == "results.ack") return KeptResults(type, request);
  if (type == "patch.plan") {
    Result<PatchSpec> patch = ParsePatchSpec(schema::MemberOr(request, "patch"), "patch.plan.patch");
    if (!patch) return Bad(patch.error().message);
    Json plan = context_.patch->Plan(*patch);
    // What apply would refuse, said by the plan: a reboot this agent will not do.
    if (std::string refusal = patch->reboot != "never" ? RebootRefusal(*context_.config) : ""; !refusal.empty()) {
      if (schema::StringOr(plan, "type") == "patch.plan") plan["reboot_error"] = refusal;
    }
    return plan;
  }
  Result<repo::ObjectStore*> store = Store();
  if (!store) return protocol::ErrorMessage("object_store", store.error().message);

  if (type == "deploy.status") {
    Result<StatusRequest> status = ParseStatusRequest(request);
    if (!status) return Bad(status.error().message);
    return context_.deployer->Report(**store, status->deploys, status->drift);
  }
  if (type == "pack.begin") return BeginPack(**store);
  if (type == "pack.data") return PackData(schema::MemberOr(request, "data"));
  if (type == "pack.end") return EndPack();
  // Fields first (errors name them), then what the signed answer binds: the
  // host, the intervention and its begin record (answer_binding.h), so a
  // result cannot be replayed into another host's or another intervention's
  // journal records.
  if (type == "apply") {
    Result<ApplyRequest> apply = ParseApplyRequest(request);
    if (!apply) return Bad(apply.error().message);
    if (AsksForNothing(request)) return Bad("apply: asks for nothing (no patch, no deploy)");
    Result<AnswerBinding> binding = ReadAnswerBinding(request);
    if (!binding) return Bad(type + ": " + binding.error().message);
    if (Result<BeginSigner> signer = CheckRequestBegin(context_, request); !signer) {
      return protocol::ErrorMessage("refused", type + ": " + signer.error().message);
    }
    // Marked before the host changes: a controller that lost this session
    // waits for the answer rather than journal "nothing done".
    if (Status marked = context_.results->MarkRunning(binding->intervention); !marked) {
      return protocol::ErrorMessage("results", "not applying: cannot keep the result: " + marked.error().message);
    }
    return Apply(**store, *binding, *apply);
  }
  Result<RollbackRequest> rollback = ParseRollbackRequest(request);
  if (!rollback) return Bad(rollback.error().message);
  Result<AnswerBinding> binding = ReadAnswerBinding(request);
  if (!binding) return Bad(type + ": " + binding.error().message);
  if (Result<BeginSigner> signer = CheckRequestBegin(context_, request); !signer) {
    return protocol::ErrorMessage("refused", type + ": " + signer.error().message);
  }
  if (Status marked = context_.results->MarkRunning(binding->intervention); !marked) {
    return protocol::ErrorMessage("results", "not rolling back: cannot keep the result: " + marked.error().message);
  }
  Json answer = BindAnswer(context_.deployer->Rollback(**store, rollback->name, rollback->to), *binding);
  // Kept like an apply's; a failure to keep it does not undo the rollback,
  // and the controller that asked still gets the answer.
  (void)context_.results->Keep(binding->intervention, answer);
  return answer;
}

// Results kept for a controller that did not journal them (result_store.h).
Json InterventionSession::KeptResults(const std::string& type, const Json& request) {
  if (type == "results.list") {
    Result<std::vector<std::string>> ids = context_.results->List();
    Result<std::vector<std::string>> running = context_.results->List(".running");
    Result<std::vector<std::string>> cut = context_.results->List(".cut");
    if (!ids) return protocol::ErrorMessage("results", ids.error().message);
    if (!running) return protocol::ErrorMessage("results", running.error().message);
    if (!cut) return protocol::ErrorMessage("results", cut.error().message);
    return Json{{"type", "results.list"}, {"interventions", *ids}, {"running", *running}, {"cut", *cut}};
  }
  const std::string id = schema::StringOr(request, "intervention");
  if (!IsResultId(id)) return Bad(type + ".intervention: expected an intervention id");
  if (type == "results.ack") {
    // Forgetting a kept result is a change: only with the intervention's
    // own signed begin (a controller that journaled it has it).
    if (Result<BeginSigner> signer = CheckRequestBegin(context_, request); !signer) {
      return protocol::ErrorMessage("refused", "results.ack: " + signer.error().message);
    }
    if (Status s = context_.results->Acknowledge(id); !s) return protocol::ErrorMessage("results", s.error().message);
    return Json{{"type", "results.acked"}, {"intervention", id}};
  }
  Result<std::optional<Json>> kept = context_.results->Fetch(id);
  if (!kept) return protocol::ErrorMessage("results", kept.error().message);
  if (!*kept) return protocol::ErrorMessage("not_found", "no result kept for intervention " + Quoted(id));
  return **kept;
}

Json InterventionSession::BeginPack(repo::ObjectStore& store) {
  Result<std::unique_ptr<repo::PackSink>> sink = store.ReceivePack(
      {context_.config->max_object_size, context_.config->max_pack_inflated, context_.config->max_pack_objects});
  if (!sink) return protocol::ErrorMessage("object_store", sink.error().message);
  sink_ = std::move(sink).value();
  pack_bytes_ = 0;
  return Json{{"type", "pack.ready"}, {"max_chunk", kPackChunk}};
}

Json InterventionSession::PackData(const Json& data_field) {
  if (!sink_) return Bad("pack.data without pack.begin");
  if (!data_field.is_string()) return Bad("pack.data.data: expected a base64 string");
  std::optional<crypto::Bytes> data = crypto::Base64Decode(data_field.get_ref<const std::string&>());
  if (!data) return Bad("pack.data: bad base64");
  pack_bytes_ += data->size();
  if (pack_bytes_ > context_.config->max_pack_size) {
    sink_.reset();
    return protocol::ErrorMessage("pack_refused", "pack larger than " + std::to_string(context_.config->max_pack_size) +
                                                      " bytes (max_pack_size)");
  }
  Status appended = sink_->Append(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
  if (!appended) {
    sink_.reset();
    return protocol::ErrorMessage("pack_refused", appended.error().message);
  }
  return Json{{"type", "pack.ack"}, {"bytes", pack_bytes_}};
}

Json InterventionSession::EndPack() {
  if (!sink_) return Bad("pack.end without pack.begin");
  std::unique_ptr<repo::PackSink> sink = std::move(sink_);
  Result<size_t> objects = sink->Commit();
  if (!objects) return protocol::ErrorMessage("pack_refused", objects.error().message);
  return Json{{"type", "pack.indexed"}, {"objects", *objects}, {"bytes", pack_bytes_}};
}

}  // namespace daybook::agent
