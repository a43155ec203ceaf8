#include "controller/report_access.h"

#include <algorithm>
#include <deque>
#include <map>

#include "core/journal/access_record.h"
#include "core/journal/record.h"

namespace daybook::controller {
namespace {

using journal::Json;
using journal::MemberOr;

std::string Str(const Json& object, std::string_view key) { return journal::StringField(object, key).value_or(""); }

struct Window {
  TimePoint from, to;
  std::string label;
};

struct HostAccess {
  int64_t logins = 0, refused = 0, sessions = 0, requests = 0, unexplained = 0, omitted = 0;
  std::vector<std::string> gaps;
  std::optional<TimePoint> last_collected;
  std::vector<std::pair<journal::AccessEntry, bool>> logins_seen;  // with "in a record with a gap"; until coverage is known
  std::vector<Window> requests_run;  // a change request, from "started" to its result
  std::map<std::pair<std::string, std::string>, TimePoint> started;  // (intervention, type) -> when
  std::string login_records = "read";  // as the last record says: read, off, or the error
};

}  // namespace

Json BuildAccessSection(const std::vector<journal::JournalEntry>& entries, std::optional<TimePoint> since,
                        std::optional<TimePoint> until) {
  std::map<std::string, std::vector<Window>> interventions;  // host -> windows
  std::map<std::string, std::pair<TimePoint, std::vector<std::string>>> open;  // intervention -> begun, targets
  std::map<std::string, HostAccess> hosts;
  auto in_range = [&](TimePoint t) { return (!since || t >= *since) && (!until || t < *until); };
  for (const journal::JournalEntry& e : entries) {
    const Json& r = e.record;
    if (journal::IsTombstone(r)) continue;
    std::optional<TimePoint> ts = journal::ParseTimestamp(Str(r, "ts"));
    if (!ts) continue;
    const std::string type = Str(r, "type");
    if (type == journal::kInterventionBegin) {
      std::vector<std::string> targets;
      for (const Json& t : MemberOr(r, "targets")) {
        if (t.is_string()) targets.push_back(t.get<std::string>());
      }
      open[Str(r, "intervention")] = {*ts, targets};
    } else if (type == journal::kInterventionEnd) {
      auto it = open.find(Str(r, "intervention"));
      if (it == open.end()) continue;
      for (const std::string& host : it->second.second) {
        interventions[host].push_back({it->second.first, *ts + kCoverSlack, "intervention " + it->first});
      }
      open.erase(it);
    } else if (type == journal::kHostAccess) {
      HostAccess& h = hosts[Str(r, "host")];
      h.last_collected = ts;
      const std::string gap = Str(r, "gap");
      if (!gap.empty()) h.gaps.push_back(Str(r, "ts") + ": " + gap);
      const Json& response = MemberOr(MemberOr(r, "agent"), "response");
      h.login_records = !Str(response, "logins_error").empty()      ? "error: " + Str(response, "logins_error")
                        : MemberOr(response, "logins") == Json(false) ? "off"
                                                                      : "read";
      for (journal::AccessEntry& a : journal::ReadAccessEntries(r)) {
        if (a.event == "login") {
          if (!in_range(a.at)) continue;
          ++h.logins;
          if (a.outcome == "refused") ++h.refused;
          h.logins_seen.emplace_back(std::move(a), !gap.empty());
        } else if (a.event == "session") {
          if (in_range(a.at)) ++h.sessions;
        } else if (a.event == "request") {
          if (in_range(a.at)) ++h.requests;
          // Only a change the agent carried out explains a login (its hook's
          // sudo, say): from its "started" line (written once the request's
          // signed begin held) to its result; a refused request has none,
          // and a reading (status) explains nothing.
          const std::pair<std::string, std::string> key{a.intervention, a.type};
          if (a.outcome == "started") {
            h.started[key] = a.at;
          } else if (auto it = h.started.find(key); it != h.started.end()) {
            TimePoint to = std::min(a.at, it->second + std::chrono::hours(24));
            h.requests_run.push_back({it->second, to, "daybook " + a.type + " of intervention " + a.intervention});
            h.started.erase(it);
          }
        }
      }
    }
  }
  // Interventions begun and never ended cover an hour.
  for (const auto& [id, begun] : open) {
    for (const std::string& host : begun.second) {
      interventions[host].push_back({begun.first, begun.first + std::chrono::hours(1), "intervention " + id});
    }
  }
  Json out_hosts = Json::array();
  int64_t logins = 0, unexplained = 0, gaps = 0, unread = 0;
  for (auto& [name, h] : hosts) {
    std::deque<Json> listed;
    for (const auto& [a, near_gap] : h.logins_seen) {
      Json covered = nullptr;
      for (const std::vector<Window>* windows : {&interventions[name], &h.requests_run}) {
        for (const Window& w : *windows) {
          if (covered.is_null() && a.at >= w.from && a.at <= w.to) covered = w.label;
        }
      }
      // A refused attempt is no access: listed, never unexplained.
      if (covered.is_null() && a.outcome != "refused") ++h.unexplained;
      listed.push_back({{"seq", a.seq}, {"at", journal::FormatTimestamp(a.at)}, {"how", a.how}, {"who", a.who},
                        {"detail", a.detail}, {"outcome", a.outcome}, {"covered_by", covered}, {"near_gap", near_gap}});
      if (listed.size() > kMaxListedAccesses) {
        listed.pop_front();
        ++h.omitted;
      }
    }
    logins += h.logins;
    unexplained += h.unexplained;
    if (h.login_records != "read") ++unread;
    gaps += static_cast<int64_t>(h.gaps.size());
    out_hosts.push_back({{"host", name}, {"login_records", h.login_records}, {"logins", h.logins}, {"refused", h.refused},
                         {"daybook_sessions", h.sessions},
                         {"daybook_requests", h.requests}, {"unexplained", h.unexplained}, {"gaps", h.gaps},
                         {"last_collected", h.last_collected ? Json(journal::FormatTimestamp(*h.last_collected)) : Json(nullptr)},
                         {"accesses", Json(std::vector<Json>(listed.begin(), listed.end()))}, {"accesses_omitted", h.omitted}});
  }
  return {{"hosts", out_hosts}, {"logins", logins}, {"unexplained", unexplained}, {"gaps", gaps},
          {"hosts_collected", hosts.size()}, {"unread", unread}};
}

}  // namespace daybook::controller
