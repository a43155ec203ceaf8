// daybook ping [--target EXPR]: reachability, latency, agent version, OS,
// kernel, boot id and reboot-required of every targeted host, in parallel.
// Exit 0 when all are reachable, 1 otherwise.
#include <ostream>

#include "controller/commands.h"
#include "controller/fanout.h"
#include "controller/fanout_progress.h"
#include "controller/fleet_session.h"
#include "controller/output.h"
#include "core/base/version.h"
#include "core/protocol/messages.h"

namespace daybook::controller {
namespace {

using Steady = std::chrono::steady_clock;

struct PingOptions {
  ConnectFlags connect;
  OutputFormat format = OutputFormat::kText;
};

struct PingResult {
  bool reachable = false;
  int64_t latency_ms = 0;
  nlohmann::json facts = nlohmann::json::object();
  std::string error;
};

PingResult PingOne(AgentClient& client, const inventory::Host& host) {
  PingResult result;
  auto start = Steady::now();
  Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(client, host);
  Result<protocol::Json> facts = connection ? AgentClient::Call(**connection, protocol::FactsRequest()) : connection.error();
  result.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start).count();
  if (!facts) {
    result.error = facts.error().message;
    return result;
  }
  result.reachable = true;
  result.facts = (*facts)["facts"];
  return result;
}

std::string Str(const nlohmann::json& facts, const char* key) {
  return facts.contains(key) && facts[key].is_string() ? facts[key].get<std::string>() : "-";
}

int RunPing(Env& env, const GlobalOptions& global, const PingOptions& options) {
  Result<std::unique_ptr<FleetSession>> opened =
      OpenFleetSession(env, global, options.connect, options.connect.target.empty() ? "all" : options.connect.target);
  if (!opened) return ReportError(env.err, opened.error());
  FleetSession& session = **opened;
  const std::vector<std::string>* names = &session.hosts;
  AgentClient& client = *session.client;

  std::vector<PingResult> results(names->size());
  size_t failed = 0;
  FanOutProgress progress(env, "ping", names->size(), "unreachable");
  FanOut(
      names->size(), session.parallel, [&](size_t i) { results[i] = PingOne(client, session.Host(i)); },
      [&](size_t i) {
        if (!results[i].reachable) ++failed;
        progress.HostDone((*names)[i], !results[i].reachable,
                          results[i].reachable ? "ok (" + std::to_string(results[i].latency_ms) + "ms)"
                                               : "unreachable: " + results[i].error);
      },
      [&](size_t i, const std::string& crash) { results[i] = PingResult{false, 0, nlohmann::json::object(), crash}; });
  progress.Finish();

  if (options.format == OutputFormat::kJson) {
    nlohmann::json hosts = nlohmann::json::array();
    for (size_t i = 0; i < names->size(); ++i) {
      const inventory::Host& host = session.Host(i);
      const PingResult& r = results[i];
      hosts.push_back({{"host", host.name}, {"address", host.address}, {"port", host.port}, {"reachable", r.reachable},
                       {"latency_ms", r.reachable ? nlohmann::json(r.latency_ms) : nlohmann::json(nullptr)},
                       {"facts", r.facts}, {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)}});
    }
    PrintJson(env.out, {{"hosts", hosts}, {"reachable", names->size() - failed}, {"total", names->size()},
                        {"accepted_host_keys", client.accepted_keys()}});
  } else {
    Table table({"HOST", "REACHABLE", "LATENCY", "AGENT", "OS", "KERNEL", "BOOT ID", "REBOOT", "ERROR"});
    for (size_t i = 0; i < names->size(); ++i) {
      const PingResult& r = results[i];
      const nlohmann::json& f = r.facts;
      table.AddRow({(*names)[i], r.reachable ? "yes" : "NO", r.reachable ? std::to_string(r.latency_ms) + "ms" : "-",
                    Str(f, "agent_version"), f.contains("os_id") ? Str(f, "os_id") + " " + Str(f, "os_version") : "-",
                    Str(f, "kernel"), Str(f, "boot_id").substr(0, 8),
                    FactsRebootCell(f),
                    r.error.empty() ? "-" : r.error});
    }
    table.Print(env.out);
    env.out << names->size() - failed << " of " << names->size() << " hosts reachable";
    if (client.accepted_keys() > 0) env.out << "; " << client.accepted_keys() << " new host key(s) pinned in inventory/known_hosts";
    env.out << "\n";
  }
  AdviseCommitPins(env, session);
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddPingCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("ping", "Reach the agents: latency, version, OS, kernel, boot id, reboot");
  auto options = std::make_shared<PingOptions>();
  AddConnectFlags(*command, options->connect);
  AddOutputOption(*command, options->format);
  command->footer("Authenticates with ssh-agent ($SSH_AUTH_SOCK) first, then the [operator] key of daybook.toml.\n"
                  "Exit codes: 0 all hosts reachable, 1 any host unreachable, 2 bad usage or input.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunPing(env, global, *options); });
}

}  // namespace daybook::controller
