#include "agent/daemon.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <thread>

#include "agent/deploy/deployer.h"
#include "agent/login_watch.h"
#include "agent/operators.h"
#include "core/exec/process_runner.h"
#include "core/repo/object_store.h"
#include "agent/session.h"
#include "core/base/text.h"
#include "core/base/version.h"
#include "core/journal/canonical.h"
#include "core/crypto/ssh_key.h"
#include "core/transport/host_key.h"
#include "core/transport/ssh_server.h"

namespace daybook::agent {
namespace {

// Waits for signals on a dedicated thread (they are blocked everywhere else).
void HandleSignals(sigset_t set, transport::SshServer& server, AuthorizedOperators& operators, spdlog::logger& log) {
  for (;;) {
    int sig = 0;
    if (::sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      Result<OperatorKeys> keys = operators.Load();
      if (keys) {
        log.info("reload authorized_operators keys={} skipped={}", keys->keys.size(), keys->skipped.size());
      } else {
        log.warn("reload authorized_operators failed: {}", keys.error().message);
      }
      continue;
    }
    log.info("stop signal={} sessions_in_flight={}", sig, server.active_sessions());
    server.Stop(std::chrono::seconds(10));
    return;
  }
}

// Everything the agent keeps (object store, temp files, deploy state) lives
// in a directory only it can write: created 0700, refused when another user
// owns it or may write to it.
// How often the host's login records are read between access.list requests
// (which read them first anyway): what an intruder with root has to erase
// them before the agent has them chained.
constexpr std::chrono::seconds kLoginPollInterval{10};

// The source login_records names (config.h); null, said in the log, when
// there is none to read.
std::unique_ptr<LoginSource> OpenLoginSource(const AgentConfig& config, Filesystem& fs, const Clock& clock,
                                             spdlog::logger& log) {
  std::string kind = config.login_records;
  if (kind == "auto") {
    if (config.root != "/") kind = "none";
    else if (fs.Exists("/run/systemd/journal/socket")) kind = "journald";
    else kind = fs.Exists(config.auth_log) ? "auth-log" : "none";
  }
  std::unique_ptr<LoginSource> source;
  if (kind == "journald") {
    Result<std::unique_ptr<LoginSource>> journal = OpenJournald();
    if (journal) source = std::move(*journal);
    else source = UnavailableSource("journald", journal.error());
  } else if (kind == "auth-log") {
    source = OpenAuthLog(config.auth_log, clock);
  }
  log.info("login records: {}", source ? source->name() : std::string("none (login_records = " + config.login_records + ")"));
  if (source) {
    // Said at once, not at the first poll: a source that cannot be read
    // leaves the host's logins unseen.
    if (Result<std::vector<LoginRecord>> probe = source->Read("", 0); !probe) {
      log.warn("login records: {}: this host's logins are NOT read until this is fixed", TerminalSafe(probe.error().message));
    }
  }
  return source;
}

Status SecureStateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return MakeError(ErrorCode::kIo, "cannot create state_dir " + dir + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return MakeError(ErrorCode::kIo, "cannot stat state_dir " + dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return MakeError(ErrorCode::kInvalidInput, "state_dir " + dir + " is not a directory (a link?)");
  if (st.st_uid != ::geteuid() || (st.st_mode & 022) != 0) {
    return MakeError(ErrorCode::kInvalidInput, "state_dir " + dir + " must be owned by the agent's user and writable by no one else");
  }
  return OkStatus();
}

}  // namespace

int RunDaemon(const AgentConfig& config, Filesystem& fs, const Uname& uname, std::ostream& out,
              std::shared_ptr<spdlog::logger> log) {
  // Signals are blocked before any thread starts, so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);

  if (Status s = SecureStateDir(config.state_dir); !s) {
    log->error("{}", s.error().message);
    return 2;
  }
  bool created = false;
  Result<transport::HostKey> host_key = transport::LoadOrCreateHostKey(fs, std::filesystem::path(config.state_dir) / "host_key", created);
  if (!host_key) {
    log->error("host key: {}", host_key.error().message);
    return 2;
  }
  log->info("host key {} fingerprint={}", created ? "created" : "loaded", crypto::SshFingerprint(host_key->key.public_key()));

  AuthorizedOperators operators(fs, config.authorized_operators);
  if (Result<OperatorKeys> keys = operators.Load(); keys) {
    log->info("authorized_operators path={} keys={}", config.authorized_operators, keys->keys.size());
    for (const std::string& skipped : keys->skipped) log->warn("authorized_operators skipped {}", skipped);
  } else {
    log->warn("authorized_operators: {}: no operator can connect until it exists", keys.error().message);
  }

  // Created now, so sessions never race to create it; what a transfer cut
  // by a crash or kill -9 left is removed first (no session runs yet).
  std::filesystem::path object_store = std::filesystem::path(config.state_dir) / "objects.git";
  if (Result<int> removed = repo::ObjectStore::RemoveInterruptedTransfers(object_store); !removed) {
    log->warn("object store: {}", removed.error().message);
  } else if (*removed > 0) {
    log->info("object store: removed {} file(s) of an interrupted pack transfer", *removed);
  }
  if (Result<std::unique_ptr<repo::ObjectStore>> store = repo::ObjectStore::Open(object_store); !store) {
    log->error("{}", store.error().message);
    return 2;
  }
  std::unique_ptr<exec::ProcessRunner> runner = exec::MakeBoostProcessRunner();
  std::unique_ptr<Clock> clock = MakeSystemClock();
  Deployer deployer(config, fs, *runner, *clock);
  PatchStep patch(config, fs, *runner);
  ResultStore results(fs, *clock, std::filesystem::path(config.state_dir) / "results");
  // No session runs yet: a request marked running was cut by a crash, and
  // so was a write that left its temporary file.
  if (Status cleared = results.ClearRunning(); !cleared) log->warn("results: {}", cleared.error().message);
  if (Result<int> removed = results.RemoveInterruptedWrites(); !removed) {
    log->warn("results: {}", removed.error().message);
  } else if (*removed > 0) {
    log->info("results: removed {} temporary file(s) of an interrupted write", *removed);
  }
  InterventionContext interventions{&config, &fs, runner.get(), &deployer, &patch, object_store, &results, &operators, clock.get()};
  // Who spoke to this agent (access_log.h), beside its other state.
  Result<std::unique_ptr<AccessLog>> access = AccessLog::Open(fs, *clock, std::filesystem::path(config.state_dir) / "access.jsonl");
  if (!access) {
    log->error("access log: {}", access.error().message);
    return 2;
  }
  if (!(*access)->warning().empty()) log->warn("access log: {}", TerminalSafe((*access)->warning()));
  // Each start is in the log, with what was found wrong: a log replaced
  // while the agent was stopped shows there, and in the next collect.
  journal::Json started = {{"version", kVersion}};
  if (!(*access)->warning().empty()) started["warning"] = Utf8Head(TerminalSafe((*access)->warning()), 1024);
  if (Status noted = (*access)->Append("start", std::move(started)); !noted) {
    log->error("access log: {}", noted.error().message);
    return 2;
  }
  UnauthenticatedTally unauthenticated;
  // The host's own login records, read into the access log (login_watch.h).
  std::unique_ptr<LoginSource> login_source = OpenLoginSource(config, fs, *clock, *log);
  std::unique_ptr<LoginWatch> logins;
  if (login_source) {
    logins = std::make_unique<LoginWatch>(*login_source, **access, fs, std::filesystem::path(config.state_dir) / "access.cursor");
  }
  SessionContext context{&host_key->key, config.max_frame, std::chrono::minutes(5),
                         [&] { return CollectFacts(fs, *runner, config, uname); }, &interventions, clock.get(),
                         access->get(), logins.get()};
  transport::ServerOptions options;
  options.address = config.listen_address;
  options.port = config.listen_port;
  options.max_sessions = config.max_sessions;
  options.startups = {config.startups_start,
                      config.startups_rate,
                      config.startups_full,
                      config.per_source_max_startups,
                      std::chrono::duration_cast<std::chrono::seconds>(config.trust_authenticated_sources),
                      std::chrono::duration_cast<std::chrono::seconds>(config.per_source_penalty)};
  options.max_auth_tries = config.max_auth_tries;
  options.login_grace = config.login_grace;
  options.authorize = [&](const crypto::Ed25519Public& key) { return operators.IsAuthorized(key); };
  options.serve = [&](const transport::SessionInfo& info, transport::Stream& stream) {
    return ServeSession(
        context, stream,
        [&](const std::string& what) { log->error("session peer={} internal error: {}", info.peer, TerminalSafe(what)); },
        Peer{info.peer, info.operator_fingerprint});
  };
  options.log_dropped = [&](int dropped, const std::string& reason) {
    log->warn("dropped {} unauthenticated connection(s) before key exchange: {}", dropped, TerminalSafe(reason));
  };
  options.log = [&](const transport::SessionInfo& info, const std::string& outcome, std::chrono::milliseconds took) {
    // The outcome quotes what the client sent (algorithm lists, subsystem
    // names, request types): escaped, so no client can forge a log line.
    log->info("session peer={} operator={} {} duration_ms={}", info.peer,
              info.operator_fingerprint.empty() ? "-" : info.operator_fingerprint, TerminalSafe(outcome), took.count());
    // In the access log: an operator's session, one line; connections that
    // never authenticated are counted, one line a minute at most (a flood of
    // them must neither fill the log nor pile up threads behind its writes).
    Status kept = info.operator_fingerprint.empty()
                      ? unauthenticated.Note(**access, info.peer, clock->Now())
                      : (*access)->Append("session", {{"peer", info.peer}, {"key", info.operator_fingerprint},
                                                      {"outcome", Utf8Head(TerminalSafe(outcome), 1024)}, {"duration_ms", took.count()}});
    if (!kept) log->error("access log: {}", kept.error().message);
  };

  Result<std::unique_ptr<transport::SshServer>> server = transport::SshServer::Listen(*host_key, options);
  if (!server) {
    log->error("{}", server.error().message);
    return 2;
  }
  bool v6 = config.listen_address.find(':') != std::string::npos;
  out << "listening on " << (v6 ? "[" + config.listen_address + "]" : config.listen_address) << ":" << (*server)->port()
      << std::endl;
  log->info("listening address={} port={} max_sessions={} max_startups={}:{}:{} per_source_max_startups={} max_auth_tries={}",
            config.listen_address, (*server)->port(), config.max_sessions, config.startups_start, config.startups_rate,
            config.startups_full, config.per_source_max_startups, config.max_auth_tries);

  std::thread signals(HandleSignals, set, std::ref(**server), std::ref(operators), std::ref(*log));
  std::thread watching;
  if (logins) {
    watching = std::thread([&] {
      logins->Run(kLoginPollInterval, [&](const std::string& what) { log->warn("login records: {}", TerminalSafe(what)); });
    });
  }
  (*server)->Run();
  signals.join();
  if (logins) {
    logins->Stop();
    watching.join();
  }
  (void)unauthenticated.Flush(**access, clock->Now());
  log->info("stopped");
  return 0;
}

}  // namespace daybook::agent
