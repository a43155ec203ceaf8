#include "core/journal/access_record.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/journal/access_chain.h"
#include "core/journal/observation.h"
#include "core/journal/record.h"

namespace daybook::journal {
namespace {

Error Bad(const std::string& message) { return MakeError(ErrorCode::kFailed, std::string(kHostAccess) + ": " + message); }

std::string Text(const Json& object, std::string_view key) { return StringField(object, key).value_or(""); }

const Json& Response(const Json& record) { return MemberOr(MemberOr(record, "agent"), "response"); }

std::vector<std::string> Lines(const Json& response) {
  std::vector<std::string> out;
  const Json& entries = MemberOr(response, "entries");
  for (size_t i = 0; entries.is_array() && i < entries.size(); ++i) {
    if (entries[i].is_string()) out.push_back(entries[i].get<std::string>());
  }
  return out;
}

std::string Seq(int64_t seq) { return std::to_string(seq); }

}  // namespace

void AccessCursors::Note(const Json& record) {
  if (StringField(record, "type") != kHostAccess) return;
  if (IsTombstone(record)) {
    pruned_ = true;
    return;
  }
  const std::string host = Text(record, "host");
  hosts_[host] = AccessCursorAfter(For(host), Response(record));
}

AccessCursor AccessCursors::For(const std::string& host) const {
  auto it = hosts_.find(host);
  if (it != hosts_.end()) return it->second;
  AccessCursor fresh;
  fresh.known = !pruned_;
  fresh.last_hash = kAccessChainStart;
  return fresh;
}

Status CheckAccessSchema(const Json& r) {
  std::optional<std::string> observe = StringField(r, "observe");
  if (!StringField(r, "host")) return Bad("missing host");
  if (!observe || !IsLowerHex(*observe, 32)) return Bad("observe must be 32 lowercase hex digits");
  std::optional<int64_t> after = IntField(r, "after");
  if (!after || *after < -1) return Bad("after must be an integer, -1 or more");
  if (r.contains("gap") && (!r["gap"].is_string() || r["gap"].get<std::string>().empty())) return Bad("gap must be text");
  const Json& agent = MemberOr(r, "agent");
  if (!StringField(agent, "key") || !MemberOr(agent, "response").is_object() || !StringField(agent, "sig")) {
    return Bad("agent needs key, response and sig");
  }
  return OkStatus();
}

Status CheckAccessAnswer(const Json& record, const crypto::Ed25519Public& pinned, const std::string& origin) {
  if (Status s = CheckAccessSchema(record); !s) return s;
  if (Status s = CheckPinnedAgent(record, pinned); !s) return Bad(s.error().message);
  const Json& response = Response(record);
  const std::string sig = Text(MemberOr(record, "agent"), "sig");
  if (Status s = CheckEchoedAnswer(response, sig, pinned, Text(record, "observe"), origin, Text(record, "ts")); !s) {
    return Bad(s.error().message);
  }
  if (Text(response, "type") != "access.list") return Bad("the answer is no access.list");
  const Json& entries = MemberOr(response, "entries");
  if (!entries.is_array() || entries.size() > kMaxAccessListEntries ||
      !std::all_of(entries.begin(), entries.end(), [](const Json& e) { return e.is_string(); })) {
    return Bad("entries must be at most " + std::to_string(kMaxAccessListEntries) + " lines of text");
  }
  if (!IntField(response, "next_seq")) return Bad("the answer has no next_seq");
  size_t bytes = 0;
  for (const Json& e : entries) bytes += e.get<std::string>().size();
  if (bytes > kMaxAccessListBytes + kMaxAccessLineBytes) return Bad("entries hold more bytes than an answer may");
  return OkStatus();
}

std::string AccessGap(const AccessCursor& before, int64_t after, const Json& response) {
  std::vector<std::string> problems;
  const std::vector<std::string> lines = Lines(response);
  const int64_t next_seq = IntField(response, "next_seq").value_or(0);
  if (before.known && after != before.last_seq && after != -1) {
    problems.push_back("asked after seq " + Seq(after) + ", but the journal holds up to seq " + Seq(before.last_seq));
  }
  int64_t last = after;  // the last seq this answer accounts for
  if (lines.empty()) {
    if (before.known && next_seq - 1 < before.last_seq) {
      problems.push_back((next_seq == 0 ? std::string("the agent's log is empty")
                                        : "the agent's log ends at seq " + Seq(next_seq - 1)) +
                         ", before the last line collected (seq " + Seq(before.last_seq) + "): its lines were removed or the log replaced");
    }
  } else {
    Result<Json> first = ParseCanonical(lines.front());
    const int64_t first_seq = first ? IntField(*first, "seq").value_or(-1) : -1;
    const std::string first_prev = first ? Text(*first, "prev") : "";
    if (before.known && first) {
      if (first_seq <= before.last_seq) {
        problems.push_back("the agent's log starts over at seq " + Seq(first_seq) + ", at or before the last line collected (seq " +
                           Seq(before.last_seq) + "): it was truncated or replaced");
      } else if (first_seq > before.last_seq + 1) {
        problems.push_back("lines seq " + Seq(before.last_seq + 1) + " to " + Seq(first_seq - 1) +
                           " were never collected: they were cut from the agent's log");
      } else if (first_prev != before.last_hash) {
        problems.push_back("seq " + Seq(first_seq) + " does not follow the last line collected (seq " + Seq(before.last_seq) +
                           "): that line was edited before it was collected (an earlier gap says so), or this one was");
      }
    } else if (first && after >= 0 && first_seq != after + 1) {
      problems.push_back("asked after seq " + Seq(after) + ", but the first line is seq " + Seq(first_seq));
    }
    if (Status chained = CheckAccessChain(lines, first_seq, first_prev); !chained) problems.push_back(chained.error().message);
    Result<Json> final_line = ParseCanonical(lines.back());
    last = final_line ? IntField(*final_line, "seq").value_or(last) : last;
  }
  // A short answer (not cut by size: "more") accounts for every line up to
  // next_seq - 1.
  const bool more = MemberOr(response, "more") == Json(true);
  if (!more && lines.size() < kMaxAccessListEntries && last < next_seq - 1) {
    problems.push_back("lines seq " + Seq(last + 1) + " to " + Seq(next_seq - 1) + " are missing from the agent's log");
  }
  std::string out;
  for (const std::string& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

AccessCursor AccessCursorAfter(const AccessCursor& before, const Json& response) {
  const std::vector<std::string> lines = Lines(response);
  if (lines.empty()) return before;
  AccessCursor after;
  Result<Json> last = ParseCanonical(lines.back());
  after.last_seq = last ? IntField(*last, "seq").value_or(before.last_seq) : before.last_seq;
  after.last_hash = AccessLineHash(lines.back());
  return after;
}

std::vector<AccessEntry> ReadAccessEntries(const Json& record) {
  std::vector<AccessEntry> out;
  for (const std::string& text : Lines(Response(record))) {
    Result<Json> line = ParseCanonical(text);
    if (!line) continue;
    AccessEntry e;
    e.seq = IntField(*line, "seq").value_or(-1);
    e.event = Text(*line, "event");
    std::optional<TimePoint> at = ParseTimestamp(Text(*line, e.event == "login" ? "at" : "ts"));
    if (!at) at = ParseTimestamp(Text(*line, "ts"));
    e.at = at.value_or(TimePoint{});
    if (e.event == "login") {
      e.how = Text(*line, "how");
      e.who = Text(*line, "user");
      e.outcome = Text(*line, "outcome");
      std::string detail;
      auto add = [&](const std::string& label, const std::string& key) {
        if (std::string v = Text(*line, key); !v.empty()) detail += (detail.empty() ? "" : " ") + label + v;
      };
      add("from ", "source");
      add("key ", "key");
      add("method ", "method");
      add("as ", "as");
      add("on ", "tty");
      add("command ", "command");
      add("reason ", "reason");
      e.detail = detail;
    } else {
      e.how = "daybook";
      e.who = Text(*line, "key");
      e.outcome = e.event == "request" ? Text(*line, "result") : Text(*line, "outcome");
      e.intervention = Text(*line, "intervention");
      e.type = Text(*line, "type");
      if (e.event == "request") e.detail = Text(*line, "type") + (Text(*line, "principal").empty() ? "" : " by " + Text(*line, "principal"));
      if (e.event == "session") {
        e.detail = "from " + Text(*line, "peer");
        e.duration = std::chrono::milliseconds(std::max<int64_t>(0, IntField(*line, "duration_ms").value_or(0)));
      }
      if (e.event == "start") {
        const std::string warning = Text(*line, "warning");
        e.detail = "agent started (" + Text(*line, "version") + ")" + (warning.empty() ? "" : ": WARNING " + warning);
        e.outcome = warning.empty() ? "ok" : "warning";
      }
      if (e.event == "unauthenticated") {
        e.detail = std::to_string(IntField(*line, "connections").value_or(0)) + " unauthenticated connection(s), last from " + Text(*line, "last_peer");
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string AccessSummary(const Json& record) {
  constexpr int kListed = 5;  // logins spelled out; -o json has every line
  std::vector<AccessEntry> entries = ReadAccessEntries(record);
  int64_t logins = 0;
  std::string listed;
  for (const AccessEntry& e : entries) {
    if (e.event != "login") continue;
    if (++logins > kListed) continue;
    listed += "; " + e.how + " " + e.who + (e.outcome == "refused" ? " REFUSED" : "") + (e.detail.empty() ? "" : " " + e.detail) +
              " at " + FormatTimestamp(e.at);
  }
  std::string out;
  if (std::optional<std::string> gap = StringField(record, "gap")) out = "GAP: " + *gap + "; ";
  out += std::to_string(entries.size()) + " entr" + (entries.size() == 1 ? "y" : "ies");
  if (entries.size() == 1) out += " (seq " + Seq(entries.front().seq) + ")";
  if (entries.size() > 1) out += " (seq " + Seq(entries.front().seq) + "-" + Seq(entries.back().seq) + ")";
  out += ": " + std::to_string(logins) + " host login(s), " + std::to_string(static_cast<int64_t>(entries.size()) - logins) +
         " daybook" + listed;
  if (logins > kListed) out += "; +" + std::to_string(logins - kListed) + " more logins (-o json)";
  for (const AccessEntry& e : entries) {
    if (e.event == "start" && e.outcome == "warning") out += "; " + e.detail;
  }
  return out;
}

}  // namespace daybook::journal
