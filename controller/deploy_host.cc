#include "controller/deploy_host.h"

#include "controller/patch_client.h"
#include "controller/saved_plan.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {
namespace {

using protocol::Json;

using schema::IntOr;
using schema::MemberOr;
using schema::StringOr;

const Json* FindDeploy(const Json& status, const std::string& name) {
  const Json& deploys = MemberOr(status, "deploys");
  for (size_t i = 0; deploys.is_array() && i < deploys.size(); ++i) {
    if (StringOr(deploys[i], "name") == name) return &deploys[i];
  }
  return nullptr;
}

std::vector<std::string> Haves(const Json& status) {
  std::vector<std::string> haves;
  const Json& have = MemberOr(status, "have");
  for (size_t i = 0; have.is_array() && i < have.size(); ++i) {
    if (have[i].is_string()) haves.push_back(have[i].get<std::string>());
  }
  return haves;
}

}  // namespace

void ReadApplyResult(const Json& body, HostOutcome& outcome) {
  Json summary = Json::array();
  std::string error;
  const Json& results = MemberOr(body, "deploys");
  for (size_t i = 0; results.is_array() && i < results.size(); ++i) {
    const Json& d = results[i];
    summary.push_back({{"name", StringOr(d, "name")}, {"status", StringOr(d, "status")}, {"from", MemberOr(d, "from")},
                       {"to", MemberOr(d, "to")}, {"tree", MemberOr(d, "tree")}, {"verified", schema::BoolOr(d, "verified")},
                       {"timings_ms", MemberOr(d, "timings_ms").is_object() ? MemberOr(d, "timings_ms") : Json::object()},
                       {"changes", nullptr}});
    for (const char* key : {"set_aside", "notes"}) {
      if (!MemberOr(d, key).is_null()) summary.back()[key] = MemberOr(d, key);
    }
    if (error.empty() && MemberOr(d, "error").is_string()) error = "deploy " + StringOr(d, "name") + ": " + StringOr(d, "error");
  }
  outcome.details["deploys"] = summary;
  const Json& patched = MemberOr(body, "patch");
  if (patched.is_object()) {
    outcome.details["patch"] = {{"status", StringOr(patched, "status")}, {"reboot", StringOr(body, "reboot", "none")}};
    const Json& versions = MemberOr(MemberOr(patched, "outcome"), "versions");
    if (versions.is_array()) outcome.details["packages"] = versions;
    if (MemberOr(patched, "error").is_string()) error = "patch: " + StringOr(patched, "error");
  }
  if (StringOr(body, "status") == "ok") return;
  outcome.status = "failed";
  outcome.error = error.empty() ? "apply failed" : error;
}

void ReadRollbackResult(const Json& body, HostOutcome& outcome) {
  const std::string status = StringOr(body, "status");
  outcome.status = status == "ok" || status == "unchanged" ? "ok" : "failed";
  outcome.error = StringOr(body, "error");
  outcome.details["deploys"] = Json::array({{{"name", StringOr(body, "name")}, {"status", status}, {"from", MemberOr(body, "from")},
                                             {"to", MemberOr(body, "to")}, {"tree", MemberOr(body, "tree")}}});
}

Json DeployQueries(const std::vector<ResolvedDeploy>& deploys) {
  Json queries = Json::array();
  for (const ResolvedDeploy& d : deploys) queries.push_back({{"name", d.spec.name}, {"path", d.spec.path}});
  return queries;
}

HostPlan PlanHost(AgentClient& client, repo::Git& git, const inventory::Host& host, const Json& patch,
                  const std::vector<ResolvedDeploy>& deploys, ObservationLog* observations, size_t index) {
  HostPlan plan;
  Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(client, host);
  if (!connection) {
    plan.error = connection.error().message;
    return plan;
  }
  // Asked as observations when `observations` is given: the same answers,
  // kept as the agent signed them for the journal.
  auto call = [&](const Json& request) {
    return observations != nullptr ? observations->Call(index, **connection, request) : AgentClient::Call(**connection, request);
  };
  Result<Json> status = call(DeployStatusRequest(DeployQueries(deploys), true));
  if (!status) {
    plan.error = status.error().message;
    return plan;
  }
  plan.reachable = true;
  if (!patch.is_null()) {
    Result<Json> packages = call({{"type", "patch.plan"}, {"patch", patch}});
    plan.patch = packages ? *packages : Json{{"error", packages.error().message}};
  }
  plan.state = HostState(*status, plan.patch);
  for (const ResolvedDeploy& deploy : deploys) {
    DeployPlan p{deploy.spec.name, "", deploy.target.commit, "", std::nullopt, ""};
    const Json* agent = FindDeploy(*status, deploy.spec.name);
    if (agent == nullptr) {
      p.action = "refused";
      p.note = "the agent did not report this deploy";
    } else if (!StringOr(*agent, "error").empty()) {
      p.action = "refused";
      p.note = StringOr(*agent, "error");
    } else {
      p.from = StringOr(*agent, "live");
      const Json& drift = MemberOr(*agent, "drift");
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
      } else if (drift.is_object() && !schema::BoolOr(drift, "identical", true)) {
        p.action = "repair";
        const Json& counts = MemberOr(drift, "counts");
        p.changes = repo::ChangeCount{static_cast<int>(IntOr(counts, "removed")), static_cast<int>(IntOr(counts, "modified")),
                                      static_cast<int>(IntOr(counts, "added"))};
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
  bool may_reboot = !patch.is_null() && StringOr(patch, "reboot", "never") != "never";
  std::string boot_before = may_reboot ? BootId(**connection) : "";
  // The agent's own timeouts (hook) come first; this one only guards a hung agent.
  Json request = BindRequest(ApplyRequest(binding.intervention, patch, deploys, timeout), binding, host.name);
  Result<SignedAnswer> answer =
      AgentClient::CallSigned(**connection, request, timeout * static_cast<long>(deploys.size() + 1) + std::chrono::minutes(1));
  if (!answer) return fail("failed", answer.error().message);
  const Json& body = answer->body;
  if (Status bound = CheckAnswerBinding(answer->body, binding, host.name); !bound) return fail("failed", bound.error().message);
  ReadApplyResult(body, run.outcome);
  // Files changed, counted on the controller, which has both commits.
  for (Json& entry : run.outcome.details["deploys"]) {
    for (const ResolvedDeploy& deploy : deploys) {
      if (deploy.spec.name != StringOr(entry, "name") || entry["from"] == entry["to"]) continue;
      if (Result<repo::ChangeCount> c = packs.git().CountChanges(deploy.repo, StringOr(entry, "from"), deploy.target.commit); c) {
        entry["changes"] = {{"added", c->added}, {"changed", c->changed}, {"removed", c->removed}};
      }
    }
  }
  bool reboot = StringOr(body, "reboot") == "scheduled";
  bool ok = run.outcome.status == "ok";
  std::string reboot_error = StringOr(body, "reboot_error");
  run.outcome.answer = std::move(*answer);
  if (!ok) return run;
  // A reboot the manifest asked for that the agent did not start: the
  // host is not in the state the operator asked for.
  if (!reboot_error.empty()) return fail("failed", reboot_error);
  if (reboot) {
    connection->reset();  // the agent is going down
    Result<std::string> boot_after = WaitForReboot(client, host, boot_before, binding.intervention, timeout);
    if (!boot_after) return fail("failed", boot_after.error().message);
    run.outcome.details["reboot"] = {{"boot_id_before", boot_before}, {"boot_id_after", *boot_after}};
  }
  return run;
}

}  // namespace daybook::controller
