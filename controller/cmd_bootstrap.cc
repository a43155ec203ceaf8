// daybook bootstrap --package FILE [--target EXPR] [--become] [--yes]:
// enrolls hosts over their existing OpenSSH, with the operator's own ssh(1)
// (so ~/.ssh/config, bastions and ssh-agent work as they do for Ansible):
// installs or upgrades the agent package, writes authorized_operators from
// the fleet's allowed_signers, starts the service, reads the agent's host
// key over that already trusted channel and pins it (journaled, signed by
// the operator: no trust on first use of the agent port), then asks the
// agent itself, through the pinned key, for its signed facts. Journaled as
// an intervention. Idempotent: a host with the same version is only
// re-checked; a newer package upgrades it and its host key is kept.
#include <ostream>

#include "controller/bootstrap_remote.h"
#include "controller/commands.h"
#include "controller/fanout.h"
#include "controller/fanout_progress.h"
#include "controller/intervention.h"
#include "controller/output.h"
#include "core/base/strings.h"
#include "core/base/version.h"
#include "core/base/text.h"
#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/record.h"
#include "core/protocol/messages.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {
namespace {

using protocol::Json;

constexpr size_t kMaxPackageBytes = 256u << 20;

struct BootstrapOptions {
  std::string package;
  bool become = false;
  std::string ssh_command;  // "" = $DAYBOOK_SSH_COMMAND, else "ssh"
  std::string ticket;
  bool yes = false;
  ConnectFlags connect;
  OutputFormat format = OutputFormat::kText;
};

struct HostBootstrap {
  HostOutcome outcome;
  std::optional<crypto::Ed25519Public> agent_key;
  std::string action = "-";  // installed | upgraded | unchanged
  std::string from, to;      // package versions before and after
  std::string fingerprint;
  std::vector<std::string> apt;  // apt's last words when the install failed
};

// Package, Version and Architecture of the .deb, from dpkg-deb; its bytes
// and SHA-256.
Result<AgentPackage> ReadPackage(Env& env, const std::string& path) {
  AgentPackage package;
  Result<std::string> bytes = env.fs.ReadSmallRegularFile(path, kMaxPackageBytes);
  if (!bytes) return MakeError(ErrorCode::kInvalidInput, "--package: " + bytes.error().message);
  package.bytes = std::move(*bytes);
  crypto::Sha256Digest digest = crypto::Sha256(package.bytes);
  package.sha256 = crypto::HexEncode(digest.data(), digest.size());
  if (env.runner == nullptr) return MakeError(ErrorCode::kInternal, "no process runner");
  Result<exec::ProcessResult> fields =
      env.runner->Run(exec::ProcessSpec::Of({"dpkg-deb", "--field", path, "Package", "Version", "Architecture"}));
  if (!fields) return std::move(fields).error().WithContext("dpkg-deb (install dpkg to read the package)");
  if (!fields->ok()) {
    return MakeError(ErrorCode::kInvalidInput, "--package " + Quoted(path) + " is not a Debian package: " +
                                                   TerminalSafe(Utf8Head(std::string(Trim(fields->err)), 300)));
  }
  for (const std::string& line : Split(fields->out, '\n')) {
    size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon), value(Trim(line.substr(colon + 2)));
    if (key == "Package") package.name = value;
    if (key == "Version") package.version = value;
    if (key == "Architecture") package.architecture = value;
  }
  if (package.name != "daybook-agent") {
    return MakeError(ErrorCode::kInvalidInput, "--package " + Quoted(path) + " is " + Quoted(TerminalSafe(package.name)) +
                                                   ", not the daybook-agent package");
  }
  if (!IsDebianVersion(package.version) || !IsValidName(package.architecture)) {
    return MakeError(ErrorCode::kInvalidInput, "--package " + Quoted(path) + ": bad Version or Architecture");
  }
  return package;
}

// authorized_keys lines of every key allowed_signers lets act as an
// operator now ("ssh-ed25519 BASE64 principal").
std::string OperatorLines(const crypto::AllowedSigners& signers, TimePoint now) {
  std::string lines;
  std::vector<crypto::Ed25519Public> seen;
  for (const crypto::AllowedSigner& signer : signers.signers) {
    std::optional<std::string> principal =
        crypto::FindAllowedPrincipal(signers, signer.key, std::string(journal::kOperatorNamespace), now);
    if (!principal || std::find(seen.begin(), seen.end(), signer.key) != seen.end()) continue;
    seen.push_back(signer.key);
    std::string comment = TerminalSafe(*principal);
    std::replace_if(comment.begin(), comment.end(), [](char c) { return c == ' ' || c == '\t'; }, '_');
    lines += crypto::FormatSshPublicKey(signer.key) + " " + comment + "\n";
  }
  return lines;
}

// argv of one ssh(1) run of `command` on `destination`.
std::vector<std::string> SshArgv(const std::vector<std::string>& ssh, const std::string& destination,
                                 std::chrono::milliseconds connect_timeout, const std::string& command) {
  std::vector<std::string> argv = ssh;
  long seconds = std::max<long>(1, std::chrono::duration_cast<std::chrono::seconds>(connect_timeout).count());
  for (std::string option : {std::string("BatchMode=yes"), "ConnectTimeout=" + std::to_string(seconds)}) {
    argv.push_back("-o");
    argv.push_back(option);
  }
  argv.insert(argv.end(), {"-T", "--", destination, command});
  return argv;
}

std::string Failure(const exec::ProcessResult& run) {
  std::string err(Trim(run.err));
  if (size_t cut = err.rfind('\n'); cut != std::string::npos) err = err.substr(cut + 1);  // ssh's last word
  return run.Describe() + (err.empty() ? "" : ": " + TerminalSafe(Utf8Head(err, 400)));
}

struct BootstrapContext {
  Env& env;
  FleetSession& session;
  const BootstrapOptions& options;
  const AgentPackage& package;
  const std::vector<std::string>& ssh;
  const std::string& operators;
  std::chrono::milliseconds connect_timeout;
};

HostBootstrap BootstrapHost(const BootstrapContext& c, const inventory::Host& host, const AnswerBinding& binding) {
  HostBootstrap run;
  auto fail = [&run](std::string status, std::string error) {
    run.outcome = {std::move(status), std::move(error), Json::object(), std::nullopt};
    return run;
  };
  if (host.ssh.empty() || host.ssh.front() == '-') return fail("failed", "bad ssh destination " + Quoted(host.ssh));
  auto remote = [&](const std::string& command, std::string input, std::chrono::minutes timeout) {
    exec::ProcessSpec spec = exec::ProcessSpec::Of(
        SshArgv(c.ssh, host.ssh, c.connect_timeout, c.options.become ? Become(command) : command));
    spec.stdin_data = std::move(input);
    spec.timeout = timeout;
    spec.max_output = 1u << 20;
    return c.env.runner->Run(spec);
  };

  Result<exec::ProcessResult> probed = remote(ProbeCommand(c.package.version), "", std::chrono::minutes(2));
  if (!probed) return fail("failed", "ssh: " + probed.error().message);
  if (probed->exit_code == 255) {
    return fail("unreachable", "ssh " + host.ssh + ": " + Failure(*probed) +
                                   " (check that `ssh -o BatchMode=yes " + host.ssh + " true` works: a known host key, a key ssh can use)");
  }
  if (!probed->ok() && probed->out.empty()) {
    return fail("failed", "the probe failed on " + host.ssh + ": " + Failure(*probed) +
                              (c.options.become ? " (--become needs sudo without a password: sudo -n)" : ""));
  }
  Result<ProbeReport> probe = ParseProbe(probed->out);
  if (!probe) return fail("failed", probe.error().message);
  if (!probe->root) return fail("failed", "logged in as a user other than root: log in as root, or pass --become (sudo -n)");
  if (!probe->systemd) return fail("failed", "the host does not run systemd: the agent's service cannot be started");
  if (probe->architecture != c.package.architecture && c.package.architecture != "all") {
    return fail("failed", "the host is " + probe->architecture + ", the package " + c.package.architecture);
  }
  // An agent already there whose key known_hosts does not pin for this
  // host: refused before the host is changed.
  if (Result<crypto::Ed25519Public> before = crypto::ParseSshPublicKey(probe->host_key); before) {
    if (Status known = c.session.client->CheckCandidateKey(host, *before); !known) return fail("failed", known.error().message);
  }
  run.from = probe->installed;
  // A host with a newer agent keeps it (never downgraded) and is enrolled
  // all the same: operators rewritten, service started, key pinned.
  const bool install = probe->compare == "absent" || probe->compare == "newer";
  const std::string action = probe->compare == "absent" ? "installed"
                             : probe->compare == "newer" ? "upgraded"
                             : probe->compare == "same"  ? "unchanged"
                                                         : "kept-newer";

  uint8_t nonce[32];
  if (Status random = crypto::RandomBytes(nonce, sizeof nonce); !random) return fail("failed", random.error().message);
  const std::string challenge = crypto::HexEncode(nonce, sizeof nonce);
  Result<exec::ProcessResult> applied = remote(ApplyCommand(install, c.package.sha256, c.operators, challenge),
                                              install ? c.package.bytes : std::string(), std::chrono::minutes(30));
  if (!applied) return fail("failed", "ssh: " + applied.error().message);
  ApplyReport report = ParseApply(applied->out);
  run.apt = report.apt;
  if (!applied->ok() || !report.error.empty()) {
    return fail("failed", !report.error.empty() ? report.error : "ssh " + host.ssh + ": " + Failure(*applied));
  }
  run.to = report.installed;
  run.action = action;
  Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(report.host_key);
  if (!key) return fail("failed", "the host printed no agent host key: " + key.error().message);
  run.fingerprint = crypto::SshFingerprint(*key);
  // The host holds the private key, not a copy of another agent's public one.
  std::optional<crypto::Bytes> proof = crypto::Base64Decode(report.host_key_proof);
  if (!proof || !crypto::Ed25519Verify(*key, protocol::HostKeyProofMessage(challenge), *proof)) {
    return fail("failed", "the host did not prove it holds the agent key " + run.fingerprint + " it printed");
  }
  if (Status known = c.session.client->CheckCandidateKey(host, *key); !known) return fail("failed", known.error().message);

  // The agent itself, through that key: its signed word that it runs here.
  // Pinned (journaled first) only once it answered.
  Result<std::unique_ptr<transport::Connection>> connection = c.session.client->ConnectExpecting(host, *key);
  Result<protocol::Json> hello = connection ? AgentClient::Call(**connection, protocol::HelloRequest(std::string("daybook ") + kVersion))
                                            : Result<protocol::Json>(connection.error());
  if (!hello) {
    return fail("failed", "the agent does not answer on " + HostToken(host.address, host.port) + " (its agent.toml `listen` " +
                              "must match the inventory's address and port, and the controller must reach it): " +
                              hello.error().message);
  }
  Result<SignedAnswer> answer = AgentClient::CallSigned(**connection, BindRequest(protocol::FactsRequest(), binding, host.name));
  Status bound = answer ? CheckAnswerBinding(answer->body, binding, host.name) : Status(answer.error());
  if (!bound) return fail("failed", bound.error().message);
  if (Status pinned = c.session.client->PinTrustedKey(host, *key); !pinned) return fail("failed", pinned.error().message);
  run.agent_key = *key;
  run.outcome.details = {{"bootstrap", {{"action", run.action}, {"from", run.from.empty() ? Json(nullptr) : Json(run.from)},
                                        {"version", run.to}, {"host_key", run.fingerprint}}},
                         {"agent_version", schema::MemberOr(schema::MemberOr(answer->signed_body, "facts"), "agent_version")}};
  run.outcome.answer = std::move(*answer);
  return run;
}

int RunBootstrap(Env& env, const GlobalOptions& global, BootstrapOptions& options) {
  Result<AgentPackage> package = ReadPackage(env, options.package);
  if (!package) return ReportError(env.err, package.error());
  std::string ssh_text = !options.ssh_command.empty() ? options.ssh_command : !env.ssh_command.empty() ? env.ssh_command : "ssh";
  std::vector<std::string> ssh;
  for (const std::string& word : Split(ssh_text, ' ')) {
    if (!Trim(word).empty()) ssh.emplace_back(Trim(word));
  }
  if (ssh.empty()) return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "empty --ssh-command"));
  // The operator's ssh must run here before any host is journaled as failed.
  std::vector<std::string> version_argv = ssh;
  version_argv.push_back("-V");
  exec::ProcessSpec version_spec = exec::ProcessSpec::Of(version_argv);
  version_spec.timeout = std::chrono::seconds(10);
  if (Result<exec::ProcessResult> v = env.runner->Run(version_spec); !v) {
    return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "cannot run the ssh program " + Quoted(ssh.front()) + ": " +
                                                                        v.error().message));
  }

  Result<std::unique_ptr<FleetSession>> opened =
      OpenFleetSession(env, global, options.connect, options.connect.target.empty() ? "all" : options.connect.target, std::string("HEAD"));
  if (!opened) return ReportError(env.err, opened.error());
  FleetSession& session = **opened;
  if (!session.committed_signers) return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "the fleet commit has no allowed_signers"));
  const std::string operators = OperatorLines(*session.committed_signers, env.clock.Now());
  if (operators.empty()) {
    return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "allowed_signers lists no operator key: nobody could act on "
                                                                    "the hosts; add `NAME ssh-ed25519 ...` lines and commit them"));
  }
  // The agents know keys, not allowed_signers' validity windows.
  for (const crypto::AllowedSigner& signer : session.committed_signers->signers) {
    if (signer.valid_before && crypto::FindAllowedPrincipal(*session.committed_signers, signer.key,
                                                            std::string(journal::kOperatorNamespace), env.clock.Now())) {
      env.err << "daybook: warning: allowed_signers line " << signer.line << " expires (valid-before); the agents "
              << "cannot: run bootstrap again once it has, to take that key off the hosts\n";
    }
  }
  // Who acts is known before the operator is asked, and before any host is
  // contacted: an operator key allowed_signers lacks is said now.
  if (Result<journal::OperatorSigner*> op = SessionOperatorSigner(env, global, session); !op) {
    return ReportError(env.err, std::move(op).error().WithContext("nothing was done"));
  }
  if (!options.yes) {
    std::vector<std::string> names;
    for (const std::string& line : Split(operators, '\n')) {
      if (size_t space = line.rfind(' '); space != std::string::npos) names.push_back(line.substr(space + 1));
    }
    std::string what = "install daybook-agent " + package->version + " on " + std::to_string(session.hosts.size()) +
                       " host(s) over ssh (" + Join(session.hosts, ", ") + ") and let " + Join(names, ", ") + " act on them";
    if (Status s = Confirm(env, what); !s) return ReportError(env.err, s.error());
  }
  Json fields = {{"bootstrap", {{"package", package->name}, {"version", package->version},
                                {"architecture", package->architecture}, {"sha256", package->sha256}}},
                 {"targets", session.hosts}};
  if (!options.ticket.empty()) fields["ticket"] = options.ticket;
  Result<std::unique_ptr<Intervention>> intervention = Intervention::Begin(env, global, session, std::move(fields));
  if (!intervention) return ReportError(env.err, intervention.error());

  BootstrapContext context{env, session, options, *package, ssh, operators, session.fleet.config.connect_timeout};
  std::vector<HostBootstrap> runs(session.hosts.size());
  size_t failed = 0;
  FanOutProgress progress(env, "bootstrap", runs.size());
  Status journal = OkStatus();
  FanOut(
      session.hosts.size(), session.parallel,
      [&](size_t i) { runs[i] = BootstrapHost(context, session.Host(i), (*intervention)->binding()); },
      [&](size_t i) {
        if (runs[i].outcome.status != "ok") ++failed;
        progress.HostDone(session.hosts[i], runs[i].outcome.status != "ok",
                          runs[i].outcome.status + (runs[i].outcome.error.empty() ? " (" + runs[i].action + ")" : ": " + runs[i].outcome.error));
        if (Status s = (*intervention)->RecordHost(session.Host(i), runs[i].outcome, runs[i].agent_key); !s && journal) journal = s;
      },
      [&](size_t i, const std::string& crash) {
        runs[i] = HostBootstrap{};
        runs[i].outcome = {"failed", crash, Json::object(), std::nullopt};
      });
  progress.Finish();
  Json summary = {{"hosts", session.hosts.size()}, {"ok", session.hosts.size() - failed}, {"failed", failed}};
  if (Status s = (*intervention)->End(failed == 0 ? "completed" : "failed", summary); !s && journal) journal = s;

  auto nullable = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
  if (options.format == OutputFormat::kJson) {
    Json hosts = Json::array();
    for (size_t i = 0; i < runs.size(); ++i) {
      const HostBootstrap& r = runs[i];
      hosts.push_back({{"host", session.hosts[i]}, {"status", r.outcome.status}, {"action", r.action == "-" ? Json(nullptr) : Json(r.action)},
                       {"from", nullable(r.from)}, {"to", nullable(r.to)}, {"host_key", nullable(r.fingerprint)},
                       {"apt", r.apt}, {"error", nullable(r.outcome.error)}});
    }
    PrintJson(env.out, {{"intervention", (*intervention)->id()}, {"package", {{"version", package->version}, {"sha256", package->sha256}}},
                        {"hosts", hosts}, {"summary", summary}, {"accepted_host_keys", session.client->accepted_keys()}});
  } else {
    Table table({"HOST", "STATUS", "ACTION", "FROM", "TO", "HOST KEY", "ERROR"});
    for (size_t i = 0; i < runs.size(); ++i) {
      const HostBootstrap& r = runs[i];
      table.AddRow({session.hosts[i], r.outcome.status, r.action, r.from.empty() ? "-" : r.from, r.to.empty() ? "-" : r.to,
                    r.fingerprint.empty() ? "-" : r.fingerprint, r.outcome.error.empty() ? "-" : r.outcome.error});
    }
    table.Print(env.out);
    for (size_t i = 0; i < runs.size(); ++i) {
      for (const std::string& line : runs[i].apt) env.out << session.hosts[i] << ": apt: " << line << "\n";
    }
    env.out << "intervention " << (*intervention)->id() << ": " << session.hosts.size() - failed << " of "
            << session.hosts.size() << " host(s) enrolled with daybook-agent " << package->version << "\n";
  }
  AdviseCommitPins(env, session);
  if (!journal) env.err << "daybook: error: journal: " << journal.error().message << "\n";
  return failed == 0 && journal ? kExitOk : kExitFailed;
}

}  // namespace

void AddBootstrapCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("bootstrap", "Enroll hosts over their OpenSSH: install or upgrade the agent, pin its key");
  auto options = std::make_shared<BootstrapOptions>();
  command->add_option("TARGET", options->connect.target, "Target expression (default all)")->option_text("EXPR");
  command->add_option("--target,-t", options->connect.target, "The same, as other commands take it")->option_text("EXPR");
  command->add_option("--package,-p", options->package, "The daybook-agent .deb to install (make package builds it)")
      ->option_text("FILE")->required();
  command->add_flag("--become", options->become, "Run the remote steps through `sudo -n` (when ssh logs in as another user than root)");
  command->add_option("--ssh-command", options->ssh_command,
                      "The ssh program and its options, split at spaces (default $DAYBOOK_SSH_COMMAND, else ssh)")
      ->option_text("CMD");
  command->add_option("--ticket", options->ticket, "Change ticket recorded in the journal")->option_text("ID");
  command->add_flag("--yes,-y", options->yes, "Do not ask for confirmation (required when not on a terminal)");
  AddConnectFlags(*command, options->connect, false);
  // The key comes over ssh, which the operator trusts: no first-use flag.
  command->remove_option(command->get_option("--accept-new-host-keys"));
  AddOutputOption(*command, options->format);
  command->footer(
      "Logs in with the operator's own ssh (~/.ssh/config, ProxyJump, ssh-agent apply) at each host's inventory\n"
      "`ssh` destination (default its address), as root or with --become. Installs the package with apt-get\n"
      "(its dependencies from the host's repositories; an existing /etc/daybook/agent.toml is kept), writes\n"
      "authorized_operators from the committed allowed_signers, enables and starts the service, reads the\n"
      "agent's host key over ssh and pins it in inventory/known_hosts (journaled as host.key_pinned, signed by\n"
      "you), then asks the agent for its signed facts through that key. A host already on the package's\n"
      "version is re-checked and its operators rewritten (how to add or remove one); a newer package upgrades it\n"
      "(sessions in flight finish; the host key stays); a newer agent on a host is kept, never downgraded.\n"
      "Exit codes: 0 all hosts enrolled, 1 any host failed, 2 bad usage or input.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunBootstrap(env, global, *options); });
}

}  // namespace daybook::controller
