// daybook access collect [--target EXPR]: takes what each agent's access log
// (its own sessions and requests, and the host's logins: agent/access_log.h)
// holds past what the journal has, and journals it as host.access records,
// as the agent signed it (core/journal/access_record.h). A gap in a host's
// log (lines edited, removed or cut before they were collected) is said in
// the record, in the output, and by the exit status.
// Exit 0 when every host was collected without a gap, 1 otherwise.
#include <ostream>

#include "controller/commands.h"
#include "controller/fanout.h"
#include "controller/fanout_progress.h"
#include "controller/fleet_session.h"
#include "controller/journal_context.h"
#include "controller/observations.h"
#include "controller/output.h"
#include "core/base/strings.h"
#include "core/base/text.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/access_chain.h"
#include "core/journal/access_record.h"
#include "core/journal/record.h"

namespace daybook::controller {
namespace {

using protocol::Json;

// Pages (of journal::kMaxAccessListEntries lines) taken from one host in
// one run: a log further behind is taken over by the next run.
constexpr int kMaxPages = 1000;

struct CollectOptions {
  ConnectFlags connect;
  OutputFormat format = OutputFormat::kText;
};

struct HostCollected {
  bool reached = false;
  int64_t entries = 0, logins = 0, records = 0;
  int64_t last_seq = -1;
  bool more = false;            // stopped at kMaxPages
  std::vector<std::string> gaps;
  std::string logins_note;      // the agent reads no login records
  std::string logins_error;     // it could not read them
  std::string error;
};

// A page holding nothing but the sessions of earlier collects (each collect
// leaves its own) and no gap is not journaled: an hourly collect of a quiet
// host would otherwise write a record an hour. Its lines stay in the
// agent's log and come with the next page that holds anything else (or
// fills up), so nothing is skipped.
bool OnlyCollectSessions(const Json& response) {
  const Json& entries = journal::MemberOr(response, "entries");
  if (!entries.is_array() || entries.empty() || entries.size() >= journal::kMaxAccessListEntries ||
      journal::MemberOr(response, "more") == Json(true)) {
    return false;
  }
  std::vector<journal::AccessEntry> read = journal::ReadAccessEntries({{"agent", {{"response", response}}}});
  for (const journal::AccessEntry& e : read) {
    if (e.event != "session") return false;
    for (const std::string& piece : Split(e.outcome, ',')) {
      if (piece != "hello" && piece != "access.list") return false;
    }
  }
  return read.size() == entries.size();  // an unreadable line is journaled, for the gap it is
}

std::string NewObserveId() {
  uint8_t random[16];
  if (!crypto::RandomBytes(random, sizeof random)) return "";
  return crypto::HexEncode(random, sizeof random);
}

class Collector {
 public:
  Collector(Env& env, const GlobalOptions& global, FleetSession& session, std::string origin)
      : env_(env), global_(global), session_(session), origin_(std::move(origin)) {}

  HostCollected Collect(size_t i) {
    HostCollected out;
    const inventory::Host& host = session_.Host(i);
    Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(*session_.client, host);
    if (!connection) {
      out.error = connection.error().message;
      return out;
    }
    out.reached = true;
    std::optional<std::string> pinned;
    journal::AccessCursor cursor;
    {
      std::lock_guard<std::mutex> lock(session_.journal_mu);
      Result<journal::JournalWriter*> w = writer();
      if (!w) {
        out.error = w.error().message;
        return out;
      }
      pinned = (*w)->PinnedKey(host.name);
      cursor = (*w)->AccessState(host.name);
    }
    if (!pinned || *pinned != crypto::FormatSshPublicKey((*connection)->host_key())) {
      out.error = "the journal pins no key, or another key, for this host: run `daybook ping --accept-new-host-keys` first";
      return out;
    }
    int64_t after = cursor.known ? cursor.last_seq : -1;
    for (int page = 0; page < kMaxPages; ++page) {
      Json request = {{"type", "access.list"}, {"after", after}, {"observe", NewObserveId()}, {"journal", origin_}};
      Result<SignedAnswer> answer = AgentClient::CallSigned(**connection, request);
      if (!answer) {
        out.error = answer.error().message;
        return out;
      }
      const Json& body = answer->signed_body;
      // The log holds fewer lines than the journal: it started over. Asked
      // again from its start, so what it holds now is kept (with the gap).
      if (after >= 0 && journal::IntField(body, "next_seq").value_or(0) - 1 < after && page == 0) {
        after = -1;
        --page;
        continue;
      }
      if (const Json& note = journal::MemberOr(body, "logins_error"); note.is_string()) {
        out.logins_error = "logins NOT read: " + note.get<std::string>();
      }
      if (const Json& reads = journal::MemberOr(body, "logins"); reads.is_boolean() && !reads.get<bool>()) {
        out.logins_note = "this agent reads no login records (login_records = none)";
      }
      Json fields = {{"host", host.name}, {"observe", request["observe"]}, {"after", after},
                     {"agent", {{"key", *pinned}, {"response", body}, {"sig", answer->sig}}}};
      const Json& entries = journal::MemberOr(body, "entries");
      if (Status kept = Journal(host.name, std::move(fields), out); !kept) {
        out.error = kept.error().message;
        return out;
      }
      const bool more = journal::MemberOr(body, "more") == Json(true);
      if (!entries.is_array() || (entries.size() < journal::kMaxAccessListEntries && !more)) return out;
      if (out.last_seq <= after) return out;  // held back: nothing further to ask
      after = out.last_seq;
    }
    out.more = true;
    return out;
  }

 private:
  Result<journal::JournalWriter*> writer() { return SessionJournal(env_, global_, session_); }

  // Appends one host.access record, its gap said against what the journal
  // holds (the same computation `journal verify` makes).
  Status Journal(const std::string& host, Json fields, HostCollected& out) {
    std::lock_guard<std::mutex> lock(session_.journal_mu);
    Result<journal::JournalWriter*> w = writer();
    if (!w) return std::move(w).error();
    const Json& response = fields["agent"]["response"];
    journal::AccessCursor before = (*w)->AccessState(host);
    std::string gap = journal::AccessGap(before, fields["after"].get<int64_t>(), response);
    if (!gap.empty()) fields["gap"] = gap;
    // What verify will check, checked first (an agent clock far off).
    Json as_recorded = fields;
    as_recorded["ts"] = journal::FormatTimestamp(env_.clock.Now());
    Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(fields["agent"]["key"].get<std::string>());
    if (!key) return key.error();
    if (Status sound = journal::CheckAccessAnswer(as_recorded, *key, origin_); !sound) return sound;
    bool empty = journal::MemberOr(response, "entries").empty();
    if (gap.empty() && (empty || OnlyCollectSessions(response))) return OkStatus();  // nothing new to keep
    Result<std::vector<journal::Appended>> appended = (*w)->AppendAll({{std::string(journal::kHostAccess), fields}});
    if (!appended) return std::move(appended).error();
    ++out.records;
    if (!gap.empty()) out.gaps.push_back(gap);
    for (const journal::AccessEntry& e : journal::ReadAccessEntries(fields)) {
      ++out.entries;
      if (e.event == "login") ++out.logins;
    }
    out.last_seq = (*w)->AccessState(host).last_seq;
    return OkStatus();
  }

  Env& env_;
  const GlobalOptions& global_;
  FleetSession& session_;
  std::string origin_;
};

int RunCollect(Env& env, const GlobalOptions& global, const CollectOptions& options) {
  Result<std::unique_ptr<FleetSession>> opened =
      OpenFleetSession(env, global, options.connect, options.connect.target.empty() ? "all" : options.connect.target);
  if (!opened) return ReportError(env.err, opened.error());
  FleetSession& session = **opened;
  const std::string origin = FleetJournalOrigin(env, global);
  if (origin.empty()) return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "no journal to collect into: run `daybook init` first"));
  {
    // The journal first: a collect that cannot write changes nothing.
    std::lock_guard<std::mutex> lock(session.journal_mu);
    if (Result<journal::JournalWriter*> w = SessionJournal(env, global, session); !w) return ReportError(env.err, w.error());
  }
  Collector collector(env, global, session, origin);
  std::vector<HostCollected> results(session.hosts.size());
  size_t bad = 0;
  FanOutProgress progress(env, "access collect", session.hosts.size(), "failed or with a gap");
  FanOut(
      session.hosts.size(), session.parallel, [&](size_t i) { results[i] = collector.Collect(i); },
      [&](size_t i) {
        const HostCollected& r = results[i];
        bool failed = !r.error.empty() || !r.gaps.empty() || !r.logins_error.empty();
        if (failed) ++bad;
        progress.HostDone(session.hosts[i], failed,
                          !r.error.empty() ? "failed: " + r.error
                                           : std::to_string(r.entries) + " new entries" + (r.gaps.empty() ? "" : ", GAP"));
      },
      [&](size_t i, const std::string& crash) { results[i].error = crash; });
  progress.Finish();

  if (options.format == OutputFormat::kJson) {
    Json hosts = Json::array();
    for (size_t i = 0; i < session.hosts.size(); ++i) {
      const HostCollected& r = results[i];
      hosts.push_back({{"host", session.hosts[i]}, {"reached", r.reached}, {"entries", r.entries}, {"logins", r.logins},
                       {"records", r.records}, {"last_seq", r.last_seq}, {"more", r.more}, {"gaps", r.gaps},
                       {"logins_note", r.logins_note.empty() ? Json(nullptr) : Json(r.logins_note)},
                       {"logins_error", r.logins_error.empty() ? Json(nullptr) : Json(r.logins_error)},
                       {"error", r.error.empty() ? Json(nullptr) : Json(r.error)}});
    }
    PrintJson(env.out, {{"hosts", hosts}, {"collected", session.hosts.size() - bad}, {"total", session.hosts.size()}});
  } else {
    Table table({"HOST", "NEW ENTRIES", "HOST LOGINS", "UP TO SEQ", "GAP OR ERROR"});
    for (size_t i = 0; i < session.hosts.size(); ++i) {
      const HostCollected& r = results[i];
      std::string problem = !r.error.empty() ? "failed: " + r.error : r.gaps.empty() ? "-" : "GAP: " + r.gaps.front();
      if (problem == "-" && !r.logins_error.empty()) problem = r.logins_error;
      if (problem == "-" && r.more) problem = "more to collect: run again";
      if (problem == "-" && !r.logins_note.empty()) problem = "note: " + r.logins_note;
      table.AddRow({session.hosts[i], r.reached ? std::to_string(r.entries) : "-", r.reached ? std::to_string(r.logins) : "-",
                    r.last_seq >= 0 ? std::to_string(r.last_seq) : "-", TerminalSafe(problem)});
    }
    table.Print(env.out);
    env.out << session.hosts.size() - bad << " of " << session.hosts.size() << " hosts collected without a gap"
            << (bad == session.hosts.size() ? "\n"
                                             : "; `daybook journal show --type host.access` lists the accesses, `daybook report` says "
                                               "which an intervention covered\n");
  }
  AdviseCommitPins(env, session);
  return bad == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddAccessCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* access = app.add_subcommand("access", "Who accessed the hosts: the agents' access logs, in the journal");
  access->require_subcommand(1);
  CLI::App* command = access->add_subcommand(
      "collect", "Journal what each agent's access log holds since the last collect (host.access records)");
  auto options = std::make_shared<CollectOptions>();
  AddConnectFlags(*command, options->connect);
  AddOutputOption(*command, options->format);
  command->footer(
      "Each agent keeps an append-only, hash-chained log of who spoke to it (operator key, request, result)\n"
      "and of the host's own login records (OpenSSH logins with their key fingerprint, sudo, su, console\n"
      "logins; login_records in agent.toml). collect journals the new lines as the agent signed them; a line\n"
      "edited, removed or cut before it was collected is a GAP, said here and kept in the journal.\n"
      "Exit codes: 0 every host collected without a gap, 1 a host failed, showed a gap or could not read its\n"
      "login records, 2 bad usage or input.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunCollect(env, global, *options); });
}

}  // namespace daybook::controller
