// daybook ping [--target EXPR]: reachability, latency, agent version, OS,
// kernel, boot id and reboot-required of every targeted host, in parallel.
// Exit 0 when all are reachable, 1 otherwise.
#include <ostream>

#include "controller/agent_client.h"
#include "controller/commands.h"
#include "controller/fanout.h"
#include "controller/fleet.h"
#include "controller/journal_context.h"
#include "core/journal/record.h"
#include "controller/output.h"
#include "core/base/strings.h"
#include "core/crypto/ssh_key.h"
#include "core/inventory/target.h"
#include "core/protocol/messages.h"
#include "core/base/version.h"

namespace daybook::controller {
namespace {

using Steady = std::chrono::steady_clock;

struct PingOptions {
  std::string target = "all";
  OutputFormat format = OutputFormat::kText;
  bool accept_new_host_keys = false;
  int parallel = 0;              // 0 = daybook.toml's default
  std::string connect_timeout;   // "" = daybook.toml's default
  std::string timeout = "30s";
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
  Result<std::unique_ptr<transport::Connection>> connection = client.Connect(host);
  if (!connection) {
    result.error = connection.error().message;
    return result;
  }
  Result<protocol::Json> hello = AgentClient::Call(**connection, protocol::HelloRequest(std::string("daybook ") + kVersion));
  Result<protocol::Json> facts = hello ? AgentClient::Call(**connection, protocol::FactsRequest()) : hello;
  result.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start).count();
  if (!facts) {
    result.error = facts.error().message;
    return result;
  }
  result.reachable = true;
  result.facts = (*facts)["facts"];
  return result;
}

// The operator's credentials: ssh-agent, and the key file when it is
// usable. With no agent, a key file that is missing, encrypted or not an
// Ed25519 OpenSSH key is one clear error, not a failure per host.
Result<AgentClientSettings> Credentials(Env& env, const FleetConfig& config) {
  AgentClientSettings settings;
  settings.use_agent = !env.ssh_auth_sock.empty();
  std::string path = config.operator_key;
  if (StartsWith(path, "~/") && !env.home.empty()) path = env.home + path.substr(1);
  Result<std::string> pem = env.fs.ReadFile(path);
  Result<crypto::Ed25519Key> key = pem ? crypto::ParseOpenSshPrivateKey(*pem) : Result<crypto::Ed25519Key>(pem.error());
  if (key) {
    settings.key_pem = *pem;
  } else if (!settings.use_agent) {
    return MakeError(ErrorCode::kInvalidInput, "no operator key: $SSH_AUTH_SOCK is not set, and the [operator] key " +
                                                   path + " cannot be used: " + key.error().message);
  }
  return settings;
}

std::string Str(const nlohmann::json& facts, const char* key) {
  return facts.contains(key) && facts[key].is_string() ? facts[key].get<std::string>() : "-";
}

int RunPing(Env& env, const GlobalOptions& global, const PingOptions& options) {
  Result<std::filesystem::path> root = LocateFleet(env, global);
  if (!root) return ReportError(env.err, root.error());
  Result<Fleet> fleet = LoadFleet(env.fs, *root);
  if (!fleet) return ReportError(env.err, fleet.error());
  Diagnostics diags("--target");
  std::optional<std::vector<std::string>> names = inventory::SelectHosts(options.target, fleet->inventory, {1, 1}, diags);
  if (!names) return ReportError(env.err, Error{ErrorCode::kInvalidInput, "bad target", diags.Take()});

  Result<AgentClientSettings> credentials = Credentials(env, fleet->config);
  if (!credentials) return ReportError(env.err, credentials.error());
  AgentClientSettings settings = std::move(*credentials);
  settings.accept_new_host_keys = options.accept_new_host_keys;
  settings.connect_timeout = fleet->config.connect_timeout;
  for (auto [text, into] : {std::pair{&options.connect_timeout, &settings.connect_timeout}, std::pair{&options.timeout, &settings.request_timeout}}) {
    if (text->empty()) continue;
    Result<Duration> d = ParseDuration(*text);
    if (!d || d->count() <= 0) return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "bad timeout " + Quoted(*text)));
    *into = *d;
  }
  std::filesystem::path known_path = *root / kInventoryDir / "known_hosts";
  Result<std::string> known_text = env.fs.Exists(known_path) ? env.fs.ReadFile(known_path) : Result<std::string>(std::string());
  if (!known_text) return ReportError(env.err, known_text.error());
  Result<KnownHosts> known = KnownHosts::Parse({DisplayPath(*root, known_path), *known_text});
  if (!known) return ReportError(env.err, known.error());
  AgentClient client(env.fs, known_path, *known, settings);
  // Trusting a key on first contact is an intervention of its own: it is
  // journaled before the key is pinned, and not pinned if that fails.
  std::unique_ptr<journal::JournalWriter> journal_writer;
  client.set_before_pin([&](const inventory::Host& host, const crypto::Ed25519Public& key) -> Status {
    if (!journal_writer) {
      Result<JournalContext> context = ResolveJournal(env, global, {}, {true, false});
      if (!context) return std::move(context).error();
      Result<journal::NoteSigner> signer = LoadSigningKey(env, *context);
      if (!signer) return std::move(signer).error();
      journal::WriterOptions writer_options{context->dir, *signer, context->origin,
                                            context->allowed_signers.value_or(crypto::AllowedSigners{})};
      Result<std::unique_ptr<journal::JournalWriter>> opened = journal::JournalWriter::Open(env.fs, env.clock, writer_options);
      if (!opened) return std::move(opened).error();
      journal_writer = std::move(opened).value();
    }
    Result<journal::Appended> appended = journal_writer->Append(
        journal::kHostKeyPinned, {{"host", host.name}, {"address", host.address}, {"port", host.port},
                                  {"key", crypto::FormatSshPublicKey(key)}, {"fingerprint", crypto::SshFingerprint(key)}});
    if (!appended) return std::move(appended).error();
    return OkStatus();
  });

  std::vector<PingResult> results(names->size());
  size_t finished = 0, failed = 0;
  int parallel = options.parallel > 0 ? options.parallel : fleet->config.parallel;
  FanOut(
      names->size(), parallel, [&](size_t i) { results[i] = PingOne(client, *fleet->inventory.FindHost((*names)[i])); },
      [&](size_t i) {
        ++finished;
        if (!results[i].reachable) ++failed;
        if (env.err_is_terminal) env.err << "\rping: " << finished << "/" << names->size() << " done, " << failed << " unreachable" << std::flush;
      });
  if (env.err_is_terminal) env.err << "\n";

  if (options.format == OutputFormat::kJson) {
    nlohmann::json hosts = nlohmann::json::array();
    for (size_t i = 0; i < names->size(); ++i) {
      const inventory::Host& host = *fleet->inventory.FindHost((*names)[i]);
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
                    f.contains("reboot_required") ? (f["reboot_required"] == true ? "required" : "no") : "-",
                    r.error.empty() ? "-" : r.error});
    }
    table.Print(env.out);
    env.out << names->size() - failed << " of " << names->size() << " hosts reachable";
    if (client.accepted_keys() > 0) env.out << "; " << client.accepted_keys() << " new host key(s) pinned in inventory/known_hosts";
    env.out << "\n";
  }
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddPingCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("ping", "Reach the agents: latency, version, OS, kernel, boot id, reboot");
  auto options = std::make_shared<PingOptions>();
  command->add_option("--target,-t", options->target, "Target expression (default: all)")->option_text("EXPR");
  command->add_flag("--accept-new-host-keys", options->accept_new_host_keys,
                    "Pin host keys seen for the first time in inventory/known_hosts (a changed key is always refused)");
  command->add_option("--parallel", options->parallel, "Hosts contacted at once (default: daybook.toml, 100)")
      ->check(CLI::Range(1, 10000));
  command->add_option("--connect-timeout", options->connect_timeout, "Per host (default: daybook.toml, 10s)")->option_text("DURATION");
  command->add_option("--timeout", options->timeout, "Per request (default 30s)")->option_text("DURATION");
  AddOutputOption(*command, options->format);
  command->footer("Authenticates with ssh-agent ($SSH_AUTH_SOCK) first, then the [operator] key of daybook.toml.\n"
                  "Exit codes: 0 all hosts reachable, 1 any host unreachable, 2 bad usage or input.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunPing(env, global, *options); });
}

}  // namespace daybook::controller
