#include "agent/intervention_session.h"

#include "agent/answer_binding.h"
#include "core/crypto/encoding.h"
#include "core/base/strings.h"
#include "core/protocol/messages.h"

namespace daybook::agent {
namespace {

using protocol::Json;

Json Bad(const std::string& message) { return protocol::ErrorMessage("bad_request", message); }

std::string Str(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Result<DeployRequest> ParseDeploy(const Json& r) {
  DeployRequest request;
  request.name = Str(r, "name");
  request.path = Str(r, "path");
  request.commit = Str(r, "commit");
  if (!r.contains("keep") || !r["keep"].is_number_integer()) return MakeError(ErrorCode::kInvalidInput, "keep: integer expected");
  request.keep = r["keep"].get<int>();
  if (!r.contains("after") || !r["after"].is_array()) return MakeError(ErrorCode::kInvalidInput, "after: array expected");
  for (const Json& arg : r["after"]) {
    if (!arg.is_string()) return MakeError(ErrorCode::kInvalidInput, "after: strings expected");
    request.after.push_back(arg.get<std::string>());
  }
  if (!r.contains("timeout_ms") || !r["timeout_ms"].is_number_integer() || r["timeout_ms"].get<int64_t>() <= 0) {
    return MakeError(ErrorCode::kInvalidInput, "timeout_ms: positive integer expected");
  }
  request.timeout = std::chrono::milliseconds(r["timeout_ms"].get<int64_t>());
  return request;
}

}  // namespace

// Runs the deploys in order; a failed or refused one stops the pipeline and
// the rest are reported as skipped.
Json InterventionSession::Apply(repo::ObjectStore& store, const AnswerBinding& binding, const Json& request) {
  const std::string& intervention = binding.intervention;
  if (!request.contains("deploys") || !request["deploys"].is_array()) return Bad("apply: deploys: array expected");
  if (!IsValidName(intervention)) return Bad("apply: bad intervention id");
  std::vector<DeployRequest> deploys;
  for (const Json& d : request["deploys"]) {
    Result<DeployRequest> parsed = ParseDeploy(d);
    if (!parsed) return Bad("apply: " + parsed.error().message);
    deploys.push_back(std::move(*parsed));
  }
  Json results = Json::array();
  bool stopped = false;
  bool reboot = false;
  Json patch = nullptr;
  if (request.contains("patch") && request["patch"].is_object()) {
    patch = context_.patch->Apply(request["patch"], reboot);
    stopped = patch["status"] != "ok";
  }
  for (const DeployRequest& deploy : deploys) {
    if (stopped) {
      results.push_back({{"type", "deploy.result"}, {"action", "deploy"}, {"name", deploy.name}, {"path", deploy.path},
                         {"to", deploy.commit}, {"status", "skipped"}, {"error", "an earlier step failed"}});
      continue;
    }
    Json result = context_.deployer->Apply(store, deploy);
    const std::string status = result["status"];
    stopped = status == "failed" || status == "refused";
    results.push_back(std::move(result));
  }
  // The reboot is the pipeline's last step: only when everything before it succeeded.
  reboot = reboot && !stopped;
  Json answer = BindAnswer({{"type", "apply.result"}, {"status", stopped ? "failed" : "ok"}, {"patch", patch},
                            {"deploys", results}, {"reboot", reboot ? "scheduled" : "none"}},
                           binding);
  // Durable before it is sent, and before any reboot.
  std::filesystem::path results_dir = std::filesystem::path(context_.config->state_dir) / "results";
  Status saved = context_.fs->CreateDirectories(results_dir);
  if (saved) saved = context_.fs->WriteFileAtomic(results_dir / (intervention + ".json"), answer.dump() + "\n", 0600);
  if (!saved && reboot) {
    answer["reboot"] = "none";
    answer["reboot_error"] = "not rebooting: the result could not be written: " + saved.error().message;
    reboot = false;
  }
  reboot_pending_ = reboot;
  return answer;
}

std::string InterventionSession::AfterAnswer() {
  if (!reboot_pending_) return "";
  reboot_pending_ = false;
  exec::ProcessSpec spec = exec::ProcessSpec::Of(context_.config->reboot_command);
  spec.timeout = std::chrono::minutes(1);
  spec.leave_descendants = true;  // what it starts must survive the agent going down
  Result<exec::ProcessResult> ran = context_.runner->Run(spec);
  if (!ran) return "reboot command did not start: " + ran.error().message;
  return "reboot command " + ran->Describe();
}

Result<repo::ObjectStore*> InterventionSession::Store() {
  if (!store_) {
    Result<std::unique_ptr<repo::ObjectStore>> opened = repo::ObjectStore::Open(context_.object_store);
    if (!opened) return opened.error();
    store_ = std::move(opened).value();
  }
  return store_.get();
}

std::optional<Json> InterventionSession::Answer(const Json& request) {
  const std::string type = Str(request, "type");
  if (type != "deploy.status" && type != "apply" && type != "deploy.rollback" && type != "pack.begin" &&
      type != "pack.data" && type != "pack.end" && type != "patch.plan") {
    return std::nullopt;
  }
  if (type == "patch.plan") {
    if (!request.contains("patch") || !request["patch"].is_object()) return Bad("patch.plan: patch: object expected");
    return context_.patch->Plan(request["patch"]);
  }
  Result<repo::ObjectStore*> store = Store();
  if (!store) return protocol::ErrorMessage("object_store", store.error().message);

  if (type == "deploy.status") {
    std::vector<DeployQuery> queries;
    if (request.contains("deploys") && request["deploys"].is_array()) {
      for (const Json& d : request["deploys"]) queries.push_back({Str(d, "name"), Str(d, "path")});
    }
    return context_.deployer->Report(**store, queries, request.value("drift", false));
  }
  if (type == "pack.begin") {
    Result<std::unique_ptr<repo::PackSink>> sink = (*store)->ReceivePack();
    if (!sink) return protocol::ErrorMessage("object_store", sink.error().message);
    sink_ = std::move(sink).value();
    pack_bytes_ = 0;
    return Json{{"type", "pack.ready"}, {"max_chunk", kPackChunk}};
  }
  if (type == "pack.data") {
    if (!sink_) return Bad("pack.data without pack.begin");
    std::optional<crypto::Bytes> data = crypto::Base64Decode(Str(request, "data"));
    if (!data) return Bad("pack.data: bad base64");
    pack_bytes_ += data->size();
    if (pack_bytes_ > kMaxPackBytes) {
      sink_.reset();
      return protocol::ErrorMessage("pack_refused", "pack larger than " + std::to_string(kMaxPackBytes) + " bytes");
    }
    Status appended = sink_->Append(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));
    if (!appended) {
      sink_.reset();
      return protocol::ErrorMessage("pack_refused", appended.error().message);
    }
    return Json{{"type", "pack.ack"}, {"bytes", pack_bytes_}};
  }
  if (type == "pack.end") {
    if (!sink_) return Bad("pack.end without pack.begin");
    std::unique_ptr<repo::PackSink> sink = std::move(sink_);
    Result<size_t> objects = sink->Commit();
    if (!objects) return protocol::ErrorMessage("pack_refused", objects.error().message);
    return Json{{"type", "pack.indexed"}, {"objects", *objects}, {"bytes", pack_bytes_}};
  }
  // The signed answer binds the host, the intervention and its begin record
  // (answer_binding.h), so a result cannot be replayed into another host's
  // or another intervention's journal records.
  Result<AnswerBinding> binding = ReadAnswerBinding(request);
  if (!binding) return Bad(type + ": " + binding.error().message);
  if (type == "apply") {
    if (AsksForNothing(request)) return Bad("apply: asks for nothing (no patch, no deploy)");
    return Apply(**store, *binding, request);
  }
  return BindAnswer(context_.deployer->Rollback(**store, Str(request, "name"), Str(request, "to")), *binding);
}

}  // namespace daybook::agent
