#include "controller/deploy_host.h"

#include "controller/patch_client.h"
#include "controller/saved_plan.h"

namespace daybook::controller {
namespace {

using protocol::Json;

std::string StrOr(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

const Json* FindDeploy(const Json& status, const std::string& name) {
  for (const Json& d : status["deploys"]) {
    if (d.value("name", "") == name) return &d;
  }
  return nullptr;
}

std::vector<std::string> Haves(const Json& status) {
  std::vector<std::string> haves;
  for (const Json& h : status["have"]) {
    if (h.is_string()) haves.push_back(h.get<std::string>());
  }
  return haves;
}

}  // namespace

Json DeployQueries(const std::vector<ResolvedDeploy>& deploys) {
  Json queries = Json::array();
  for (const ResolvedDeploy& d : deploys) queries.push_back({{"name", d.spec.name}, {"path", d.spec.path}});
  return queries;
}

HostPlan PlanHost(AgentClient& client, repo::Git& git, const inventory::Host& host, const Json& patch,
                  const std::vector<ResolvedDeploy>& deploys) {
  HostPlan plan;
  Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(client, host);
  if (!connection) {
    plan.error = connection.error().message;
    return plan;
  }
  Result<Json> status = QueryDeploys(**connection, DeployQueries(deploys), true);
  if (!status) {
    plan.error = status.error().message;
    return plan;
  }
  plan.reachable = true;
  if (!patch.is_null()) {
    Result<Json> packages = AgentClient::Call(**connection, {{"type", "patch.plan"}, {"patch", patch}});
    plan.patch = packages ? *packages : Json{{"error", packages.error().message}};
  }
  plan.state = HostState(*status, plan.patch);
  for (const ResolvedDeploy& deploy : deploys) {
    DeployPlan p{deploy.spec.name, "", deploy.target.commit, "", std::nullopt, ""};
    const Json* agent = FindDeploy(*status, deploy.spec.name);
    if (agent == nullptr) {
      p.action = "refused";
      p.note = "the agent did not report this deploy";
    } else if (!StrOr(*agent, "error").empty()) {
      p.action = "refused";
      p.note = StrOr(*agent, "error");
    } else {
      p.from = StrOr(*agent, "live");
      const Json& drift = (*agent)["drift"];
      if (p.from.empty()) {
        p.action = "install";
        if (Result<repo::ChangeCount> files = git.CountChanges(deploy.repo, "", p.to); files) p.changes = *files;
      } else if (p.from != p.to) {
        p.action = "update";
        Result<repo::ChangeCount> changes = git.CountChanges(deploy.repo, p.from, p.to);
        if (changes) {
          p.changes = *changes;
        } else {
          p.note = "live commit unknown to " + deploy.repo.string();
        }
      } else if (drift.is_object() && drift.value("identical", true) == false) {
        p.action = "repair";
        const Json& counts = drift["counts"];
        p.changes = repo::ChangeCount{counts.value("removed", 0), counts.value("modified", 0), counts.value("added", 0)};
        p.note = "drift in current";
      } else {
        p.action = "unchanged";
      }
    }
    plan.deploys.push_back(std::move(p));
  }
  return plan;
}

HostDeploy DeployToHost(AgentClient& client, PackCache& packs, const inventory::Host& host, const AnswerBinding& binding,
                        const Json& patch, const std::vector<ResolvedDeploy>& deploys, std::chrono::milliseconds timeout) {
  HostDeploy run;
  auto fail = [&](const std::string& status, const std::string& error) {
    run.outcome.status = status;
    run.outcome.error = error;
    return run;
  };
  Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(client, host);
  if (!connection) return fail("unreachable", connection.error().message);
  run.agent_key = (*connection)->host_key();
  Result<Json> status = QueryDeploys(**connection, DeployQueries(deploys), false);
  if (!status) return fail("failed", status.error().message);
  std::vector<std::string> haves = Haves(*status);
  Json shipped = Json::array();
  for (const ResolvedDeploy& deploy : deploys) {
    Result<Shipped> sent = ShipCommit(**connection, packs, deploy, haves);
    if (!sent) return fail("failed", "deploy " + deploy.spec.name + ": shipping " + deploy.target.commit.substr(0, 12) + ": " + sent.error().message);
    run.bytes_sent += sent->bytes;
    shipped.push_back({{"name", deploy.spec.name}, {"objects", sent->objects}, {"bytes", sent->bytes},
                       {"build_ms", sent->build_ms}, {"send_ms", sent->send_ms}});
    haves.push_back(deploy.target.commit);
  }
  run.outcome.details["shipped"] = shipped;
  bool may_reboot = !patch.is_null() && patch.value("reboot", "never") != "never";
  std::string boot_before = may_reboot ? BootId(**connection) : "";
  // The agent's own timeouts (hook) come first; this one only guards a hung agent.
  Json request = BindRequest(ApplyRequest(binding.intervention, patch, deploys, timeout), binding, host.name);
  Result<SignedAnswer> answer =
      AgentClient::CallSigned(**connection, request, timeout * static_cast<long>(deploys.size() + 1) + std::chrono::minutes(1));
  if (!answer) return fail("failed", answer.error().message);
  if (Status bound = CheckAnswerBinding(answer->body, binding, host.name); !bound) return fail("failed", bound.error().message);
  Json summary = Json::array();
  std::string error;
  for (const Json& d : answer->body["deploys"]) {
    Json entry = {{"name", d["name"]}, {"status", d["status"]}, {"from", d.value("from", Json(nullptr))},
                  {"to", d["to"]}, {"tree", d.value("tree", Json(nullptr))}, {"verified", d.value("verified", false)},
                  {"timings_ms", d.value("timings_ms", Json::object())}, {"changes", nullptr}};
    // Files changed, counted on the controller, which has both commits.
    for (const ResolvedDeploy& deploy : deploys) {
      if (deploy.spec.name != d.value("name", "") || entry["from"] == entry["to"]) continue;
      std::string from = entry["from"].is_string() ? entry["from"].get<std::string>() : "";
      if (Result<repo::ChangeCount> c = packs.git().CountChanges(deploy.repo, from, deploy.target.commit); c) {
        entry["changes"] = {{"added", c->added}, {"changed", c->changed}, {"removed", c->removed}};
      }
    }
    summary.push_back(std::move(entry));
    if (error.empty() && d["error"].is_string()) error = "deploy " + d["name"].get<std::string>() + ": " + d["error"].get<std::string>();
  }
  run.outcome.details["deploys"] = summary;
  const Json& patched = answer->body["patch"];
  if (patched.is_object()) {
    run.outcome.details["patch"] = {{"status", patched["status"]}, {"reboot", answer->body.value("reboot", "none")}};
    if (patched["outcome"].is_object()) run.outcome.details["packages"] = patched["outcome"]["versions"];
    if (patched["error"].is_string()) error = "patch: " + patched["error"].get<std::string>();
  }
  bool reboot = answer->body.value("reboot", "") == "scheduled";
  run.outcome.answer = std::move(*answer);
  if (run.outcome.answer->body.value("status", "") != "ok") return fail("failed", error.empty() ? "apply failed" : error);
  if (reboot) {
    connection->reset();  // the agent is going down
    Result<std::string> boot_after = WaitForReboot(client, host, boot_before, timeout);
    if (!boot_after) return fail("failed", boot_after.error().message);
    run.outcome.details["reboot"] = {{"boot_id_before", boot_before}, {"boot_id_after", *boot_after}};
  }
  return run;
}

}  // namespace daybook::controller
