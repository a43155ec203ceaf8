#include "controller/fleet_session.h"

#include "controller/fleet_commit.h"
#include "controller/journal_context.h"
#include "controller/operator_signer.h"
#include "controller/output.h"
#include "core/base/duration.h"
#include "core/base/strings.h"
#include "core/base/version.h"
#include "core/crypto/ssh_key.h"
#include "core/inventory/target.h"
#include "core/journal/record.h"
#include "core/protocol/messages.h"

namespace daybook::controller {

// The operator's credentials: ssh-agent, and the key file when it is
// usable. With no agent, a key file that is missing, encrypted or not an
// Ed25519 OpenSSH key is one clear error, not a failure per host.
Result<AgentClientSettings> OperatorCredentials(Env& env, const FleetConfig& config) {
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

void AddConnectFlags(CLI::App& command, ConnectFlags& flags, bool with_target) {
  if (with_target) command.add_option("--target,-t", flags.target, "Target expression (docs/targets.md); default: the manifest's targets for plan and push, which it narrows; all hosts otherwise")->option_text("EXPR");
  command.add_flag("--accept-new-host-keys", flags.accept_new_host_keys,
                   "Pin host keys seen for the first time in inventory/known_hosts (journaled; a changed key is always refused)");
  command.add_option("--parallel", flags.parallel, "Hosts contacted at once (default: daybook.toml, 100)")
      ->check(CLI::Range(1, 10000));
  command.add_option("--connect-timeout", flags.connect_timeout, "Per host (default: daybook.toml, 10s)")->option_text("DURATION");
  command.add_option("--timeout", flags.timeout, "Per request (default 30s)")->option_text("DURATION");
}

namespace {

// The fleet and its pinned keys, from a commit or from the working tree.
Status LoadSessionFleet(Env& env, const std::filesystem::path& root, const std::optional<std::string>& rev,
                        FleetSession& session, SourceFile& known_hosts) {
  if (rev) {
    Result<CommittedFleet> committed = LoadCommittedFleet(env, root, *rev);
    if (!committed) return std::move(committed).error();
    session.fleet = std::move(committed->fleet);
    session.fleet_commit = committed->commit;
    session.committed_signers = std::move(committed->allowed_signers);
    known_hosts = std::move(committed->known_hosts);
    return OkStatus();
  }
  Result<Fleet> fleet = LoadFleet(env.fs, root);
  if (!fleet) return std::move(fleet).error();
  session.fleet = std::move(*fleet);
  std::filesystem::path known_path = root / kInventoryDir / "known_hosts";
  Result<std::string> known_text = env.fs.Exists(known_path) ? env.fs.ReadFile(known_path) : Result<std::string>(std::string());
  if (!known_text) return std::move(known_text).error();
  known_hosts = {DisplayPath(root, known_path), *known_text};
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<FleetSession>> OpenFleetSession(Env& env, const GlobalOptions& global, const ConnectFlags& flags,
                                                       const std::string& target, const std::optional<std::string>& rev) {
  Result<std::filesystem::path> root = LocateFleet(env, global);
  if (!root) return root.error();
  auto session = std::make_unique<FleetSession>();
  SourceFile known_file;
  if (Status loaded = LoadSessionFleet(env, *root, rev, *session, known_file); !loaded) return loaded.error();
  Diagnostics diags("--target");
  std::optional<std::vector<std::string>> names = inventory::SelectHosts(target, session->fleet.inventory, {1, 1}, diags);
  if (!names) return Error{ErrorCode::kInvalidInput, "bad target", diags.Take()};
  session->hosts = std::move(*names);
  session->parallel = flags.parallel > 0 ? flags.parallel : session->fleet.config.parallel;

  Result<AgentClientSettings> credentials = OperatorCredentials(env, session->fleet.config);
  if (!credentials) return credentials.error();
  AgentClientSettings settings = std::move(*credentials);
  settings.accept_new_host_keys = flags.accept_new_host_keys;
  settings.connect_timeout = session->fleet.config.connect_timeout;
  for (auto [text, into] : {std::pair{&flags.connect_timeout, &settings.connect_timeout}, std::pair{&flags.timeout, &settings.request_timeout}}) {
    if (text->empty()) continue;
    Result<Duration> d = ParseDuration(*text);
    if (!d || d->count() <= 0) return MakeError(ErrorCode::kInvalidInput, "bad timeout " + Quoted(*text));
    *into = *d;
  }
  // New pins go to the working tree's file: the operator commits them.
  std::filesystem::path known_path = *root / kInventoryDir / "known_hosts";
  Result<KnownHosts> known = KnownHosts::Parse(known_file);
  if (!known) return known.error();
  session->client = std::make_unique<AgentClient>(env.fs, known_path, *known, settings);
  // Trusting a key on first contact is an intervention of its own: it is
  // journaled before the key is pinned, and not pinned if that fails.
  FleetSession* raw = session.get();
  session->client->set_before_pin([&env, &global, raw](const inventory::Host& host, const crypto::Ed25519Public& key) -> Status {
    std::lock_guard lock(raw->journal_mu);
    return JournalHostKey(env, global, *raw, host, key, true);
  });
  return session;
}

namespace {

// The journal as the fleet names it; for a session read from a commit,
// with that commit's allowed_signers (the working tree's equal it, but the
// commit is what the journal records).
Result<JournalContext> SessionJournalContext(Env& env, const GlobalOptions& global, const FleetSession& session) {
  Result<JournalContext> context = ResolveJournal(env, global, {}, {true, false});
  if (context && !session.fleet_commit.empty()) context->allowed_signers = session.committed_signers;
  return context;
}

}  // namespace

Result<journal::OperatorSigner*> SessionOperatorSigner(Env& env, const GlobalOptions& global, FleetSession& session) {
  if (!session.operator_signer) {
    if (env.runner == nullptr) return MakeError(ErrorCode::kInternal, "no process runner for the operator signer");
    Result<JournalContext> context = SessionJournalContext(env, global, session);
    if (!context) return std::move(context).error();
    if (!context->allowed_signers) {
      return MakeError(ErrorCode::kInvalidInput, "no allowed_signers in the fleet: nobody may act on it");
    }
    Result<std::unique_ptr<journal::OperatorSigner>> signer =
        MakeOperatorSigner(*env.runner, env.fs, session.fleet.config, *context->allowed_signers,
                           {env.ssh_auth_sock, env.home, session.fleet.root / ".daybook"}, env.clock.Now());
    if (!signer) return std::move(signer).error();
    const crypto::Ed25519Public key = (*signer)->public_key();
    if (!crypto::FindAllowedPrincipal(*context->allowed_signers, key, std::string(journal::kOperatorNamespace), env.clock.Now())) {
      return MakeError(ErrorCode::kInvalidInput,
                       "operator key " + crypto::SshFingerprint(key) + " is not in allowed_signers: it cannot act on this "
                       "fleet; add a line `NAME " + crypto::FormatSshPublicKey(key) + "` to allowed_signers and commit it");
    }
    session.operator_signer = std::move(*signer);
  }
  return session.operator_signer.get();
}

Status JournalHostKey(Env& env, const GlobalOptions& global, FleetSession& session, const inventory::Host& host,
                      const crypto::Ed25519Public& key, bool explicit_pin) {
  Result<journal::JournalWriter*> writer = SessionJournal(env, global, session);
  if (!writer) return std::move(writer).error();
  const std::string text = crypto::FormatSshPublicKey(key);
  const std::optional<std::string> pinned = (*writer)->PinnedKey(host.name);
  if (pinned && *pinned == text) return OkStatus();
  if (!explicit_pin && pinned) {
    return MakeError(ErrorCode::kFailed, "the journal pinned another host key for " + host.name +
                                             " than the one inventory/known_hosts lists now (" + crypto::SshFingerprint(key) +
                                             "); a re-pin needs the operator: remove the known_hosts line, then run "
                                             "`daybook ping --accept-new-host-keys --target " + host.name + "`");
  }
  Result<journal::OperatorSigner*> signer = SessionOperatorSigner(env, global, session);
  if (!signer) return std::move(signer).error().WithContext("pinning the host key of " + host.name);
  Result<journal::Appended> appended = (*writer)->Append(
      journal::kHostKeyPinned,
      {{"host", host.name}, {"address", host.address}, {"port", host.port}, {"key", text},
       {"fingerprint", crypto::SshFingerprint(key)}},
      *signer);
  if (!appended) return std::move(appended).error();
  return OkStatus();
}

Result<journal::JournalWriter*> SessionJournal(Env& env, const GlobalOptions& global, FleetSession& session) {
  if (!session.journal) {
    Result<JournalContext> context = SessionJournalContext(env, global, session);
    if (!context) return std::move(context).error();
    Result<journal::NoteSigner> signer = LoadSigningKey(env, *context);
    if (!signer) return std::move(signer).error();
    journal::WriterOptions options{context->dir, *signer, context->origin,
                                   context->allowed_signers.value_or(crypto::AllowedSigners{})};
    Result<std::unique_ptr<journal::JournalWriter>> opened = journal::JournalWriter::Open(env.fs, env.clock, options);
    if (!opened) return std::move(opened).error();
    session.journal = std::move(opened).value();
  }
  return session.journal.get();
}

void AdviseCommitPins(Env& env, const FleetSession& session) {
  if (!session.client || session.client->accepted_keys() == 0) return;
  env.err << "daybook: " << session.client->accepted_keys()
          << " new host key(s) pinned in inventory/known_hosts and journaled (host.key_pinned, signed by you). "
             "Commit it now (git add inventory/known_hosts && git commit): push, plan and rollback read it "
             "from the commit and refuse to run while it differs\n";
}

Result<std::unique_ptr<transport::Connection>> ConnectAgent(AgentClient& client, const inventory::Host& host) {
  Result<std::unique_ptr<transport::Connection>> connection = client.Connect(host);
  if (!connection) return connection;
  Result<protocol::Json> hello = AgentClient::Call(**connection, protocol::HelloRequest(std::string("daybook ") + kVersion));
  if (!hello) return hello.error();
  return connection;
}

}  // namespace daybook::controller
