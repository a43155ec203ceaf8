#include "controller/answer_shapes.h"

#include <map>

#include "core/schema/json_shape.h"

namespace daybook::controller {
namespace {

using protocol::Json;

// The shapes, as the agent writes them (agent/session.cc, agent/facts.cc,
// agent/pkg/package_manager.cc, agent/deploy/deployer.cc, deploy_status.cc).
constexpr const char* kDrift = R"({"?": true, "identical": "boolean",
    "counts": {"modified": "integer", "added": "integer", "removed": "integer"},
    "modified": ["string"], "added": ["string"], "removed": ["string"],
    "incomplete": "string?", "writable": ["?", "string"]})";
constexpr const char* kPatchPlan = R"({"?": true,
    "changes": [{"name": "string", "from": "string?", "to": "string", "origin": "string?",
                 "reason": "string?", "security": "boolean?"}],
    "removals": ["?", "string"],
    "skipped": [{"name": "string", "why": "string"}]})";
constexpr const char* kPatchOutcome = R"({"?": true, "ok": "boolean", "error": "string?",
    "versions": [{"name": "string", "before": "string?", "after": "string?"}],
    "reboot_required": "boolean?", "reboot_packages": ["?", "string"]})";
// Broken package state the agent found (agent/pkg/dpkg_state.h); absent
// from older agents.
constexpr const char* kFindings = R"(["?", {"kind": "string", "message": "string", "fix": "string?"}])";
constexpr const char* kHook = R"({"?": true, "argv": ["string"], "result": "string", "output": "string?",
    "stderr": "string?", "duration_ms": "integer?"})";

Json DeployResultShape() {
  Json shape = Json::parse(R"({"type": "string", "action": "string?", "name": "string", "path": "string?",
      "status": "string", "from": "string?", "to": "string?", "tree": "string?", "verified": "boolean?",
      "rolled_back_to": "string?", "pruned": ["?", "string"], "error": "string?", "timings_ms": "object?",
      "intervention": "string?"})");
  shape["hook"] = Json::parse(kHook);
  shape["repaired"] = Json::parse(kDrift);
  // What removals moved to quarantine/ instead of emptying (absent when none).
  shape["set_aside"] = Json::parse(R"({"?": true, "count": "integer", "moved": ["string"]})");
  // What went wrong without stopping the deploy (absent when nothing did).
  shape["notes"] = Json::parse(R"(["?", "string"])");
  return shape;
}

const std::map<std::string, Json>& Shapes() {
  static const std::map<std::string, Json> shapes = [] {
    std::map<std::string, Json> s;
    s["hello"] = Json::parse(R"({"protocol": "integer", "agent": "string"})");
    s["error"] = Json::parse(R"({"code": "string", "message": "string"})");
    s["facts"] = Json::parse(R"({"facts": {"agent_version": "string?", "hostname": "string?", "os_id": "string?",
        "os_version": "string?", "os_name": "string?", "kernel": "string?", "boot_id": "string?",
        "uptime_s": "integer?", "package_backend": "string?", "reboot_required": "boolean?",
        "reboot_failure": {"?": true, "intervention": "string", "error": "string"}},
        "status": "string?", "intervention": "string?", "host": "string?", "begin": "string?"})");
    Json status_entry = Json::parse(R"({"name": "string", "path": "string?", "live": "string?", "tree": "string?",
        "last_good": "string?", "releases": ["?", "string"], "failed": ["?", "string"], "error": "string?"})");
    status_entry["drift"] = Json::parse(kDrift);
    s["deploy.status"] = {{"deploys", Json::array({status_entry})}, {"have", Json::parse(R"(["?", "string"])")}};
    s["patch.plan"] = Json::parse(R"({"backend": "string?", "error": "string?", "reboot_error": "string?"})");
    s["patch.plan"]["plan"] = Json::parse(kPatchPlan);
    s["patch.plan"]["findings"] = Json::parse(kFindings);
    s["pack.ready"] = Json::parse(R"({"max_chunk": "integer"})");
    s["pack.ack"] = Json::parse(R"({"bytes": "integer"})");
    s["pack.indexed"] = Json::parse(R"({"objects": "integer", "bytes": "integer"})");
    s["deploy.result"] = DeployResultShape();
    s["results.list"] = Json::parse(R"({"interventions": ["string"], "running": ["string"], "cut": ["?", "string"]})");
    s["results.acked"] = Json::parse(R"({"intervention": "string"})");
    Json patch_step = Json::parse(R"({"?": true, "status": "string", "backend": "string?", "error": "string?",
        "reboot": "string?"})");
    patch_step["plan"] = Json::parse(kPatchPlan);
    patch_step["outcome"] = Json::parse(kPatchOutcome);
    patch_step["findings"] = Json::parse(kFindings);
    s["apply.result"] = {{"intervention", "string"}, {"status", "string"}, {"reboot", "string?"},
                         {"reboot_error", "string?"}, {"patch", patch_step},
                         {"deploys", Json::array({DeployResultShape()})}};
    // The agent's access log (core/journal/access_record.h): its lines as
    // stored, read by the chain check, not here.
    s["access.list"] = Json::parse(R"({"entries": ["string"], "next_seq": "integer", "logins": "boolean?",
        "logins_error": "string?", "mark_error": "string?"})");
    // Asked as observations (core/journal/observation.h), these say when.
    for (const char* observed : {"facts", "deploy.status", "patch.plan", "access.list"}) {
      s[observed]["observe"] = "string?";
      s[observed]["observed_at"] = "string?";
      s[observed]["journal"] = "string?";
    }
    return s;
  }();
  return shapes;
}

}  // namespace

std::string ExpectedAnswer(const Json& request) {
  static const std::map<std::string, std::string> kExpected = {
      {"hello", "hello"},           {"facts", "facts"},         {"deploy.status", "deploy.status"},
      {"patch.plan", "patch.plan"}, {"pack.begin", "pack.ready"}, {"pack.data", "pack.ack"},
      {"pack.end", "pack.indexed"}, {"apply", "apply.result"}, {"deploy.rollback", "deploy.result"},
      {"results.list", "results.list"}, {"results.ack", "results.acked"}, {"access.list", "access.list"}};
  auto type = request.is_object() ? request.find("type") : request.end();
  if (type == request.end() || !type->is_string()) return "";
  auto found = kExpected.find(type->get<std::string>());
  return found == kExpected.end() ? "" : found->second;
}

Status CheckAnswer(Json& body) {
  if (!body.is_object()) return MakeError(ErrorCode::kFailed, "malformed answer from the agent: not an object");
  auto type = body.find("type");
  if (type == body.end() || !type->is_string()) {
    return MakeError(ErrorCode::kFailed, "malformed answer from the agent: no \"type\"");
  }
  std::string name = type->get<std::string>();
  if (schema::ContainsFloat(body)) return MakeError(ErrorCode::kFailed, "malformed answer from the agent: a floating-point number");
  auto shape = Shapes().find(name);
  if (shape == Shapes().end()) {
    return MakeError(ErrorCode::kFailed, "unexpected answer type " + protocol::Json(name).dump() + " from the agent");
  }
  if (Status s = schema::Normalize(body, shape->second, name); !s) {
    return MakeError(ErrorCode::kFailed, "malformed answer from the agent: " + s.error().message);
  }
  return OkStatus();
}

}  // namespace daybook::controller
