#include "controller/report_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <date/date.h>

#include "controller/report_access.h"
#include "core/crypto/encoding.h"
#include "core/journal/observation.h"
#include "core/journal/record.h"

namespace daybook::controller {
namespace {

using journal::Json;
using journal::MemberOr;

std::string Str(const Json& object, std::string_view key) { return journal::StringField(object, key).value_or(""); }

double Days(std::chrono::milliseconds span) {
  double days = static_cast<double>(span.count()) / (24.0 * 3600.0 * 1000.0);
  return std::round(days * 100.0) / 100.0;
}

std::string Monday(TimePoint t) {
  date::sys_days day = date::floor<date::days>(t);
  date::weekday wd{day};
  day -= date::days{(wd.c_encoding() + 6) % 7};  // back to Monday
  return date::format("%F", day);
}

struct OpenUpdate {
  std::string version, origin, seen_by;
  TimePoint first_seen;
};

struct HostTrack {
  std::map<std::string, OpenUpdate> open;  // package -> the update seen pending
  std::map<std::string, std::pair<std::string, TimePoint>> deploys;  // name -> tree, as of
  std::optional<bool> reboot_owed;
  std::optional<TimePoint> reboot_since;  // first said owed, without a "not owed" since
  std::optional<int64_t> pending_security;
  std::optional<TimePoint> as_of;  // the last observation of its packages

  void Reboot(bool owed, TimePoint at) {
    if (owed && reboot_owed != true) reboot_since = at;
    if (!owed) reboot_since.reset();
    reboot_owed = owed;
  }
};

class ReportBuilder {
 public:
  explicit ReportBuilder(const ReportInput& input) : in_(input) {}

  Json Build() {
    for (const journal::JournalEntry& e : *in_.entries) {
      if (journal::IsTombstone(e.record)) continue;
      std::optional<TimePoint> ts = journal::ParseTimestamp(Str(e.record, "ts"));
      if (!ts || (in_.until && *ts >= *in_.until)) continue;
      const std::string type = Str(e.record, "type");
      if (type == journal::kInterventionBegin) OnBegin(e.record, *ts);
      if (type == journal::kHostResult) OnResult(e, *ts);
      if (type == journal::kInterventionEnd) OnEnd(e.record);
      if (type == journal::kHostObserved) OnObserved(e.record);
    }
    return Document();
  }

 private:
  bool InRange(TimePoint t) const { return (!in_.since || t >= *in_.since) && (!in_.until || t < *in_.until); }
  TimePoint Until() const { return in_.until.value_or(in_.now); }

  void OnBegin(const Json& r, TimePoint ts) {
    if (!InRange(ts)) return;
    std::string kind = "push", what = Str(MemberOr(r, "manifest"), "path");
    if (MemberOr(r, "rollback").is_object()) {
      kind = "rollback";
      what = Str(r["rollback"], "deploy") + (Str(r["rollback"], "to").empty() ? "" : " to " + Str(r["rollback"], "to"));
    } else if (MemberOr(r, "bootstrap").is_object()) {
      kind = "bootstrap";
      what = Str(r["bootstrap"], "package") + " " + Str(r["bootstrap"], "version");
    }
    const Json& targets = MemberOr(r, "targets");
    index_[Str(r, "intervention")] = interventions_.size();
    interventions_.push_back({{"id", Str(r, "intervention")}, {"begun", Str(r, "ts")}, {"ended", nullptr},
                              {"outcome", nullptr}, {"reason", ""}, {"operator", Str(r, "operator")}, {"principal", Str(r, "principal")},
                              {"ticket", Str(r, "ticket")}, {"kind", kind}, {"what", what},
                              {"targets", targets.is_array() ? targets.size() : 0}, {"ok", 0}, {"failed", 0}, {"other", 0}});
  }

  void OnEnd(const Json& r) {
    auto it = index_.find(Str(r, "intervention"));
    if (it == index_.end()) return;
    interventions_[it->second]["ended"] = Str(r, "ts");
    interventions_[it->second]["outcome"] = Str(r, "outcome");
    interventions_[it->second]["reason"] = Str(r, "reason");
  }

  void OnResult(const journal::JournalEntry& e, TimePoint ts) {
    const Json& r = e.record;
    const std::string status = Str(r, "status");
    if (auto it = index_.find(Str(r, "intervention")); it != index_.end()) {
      Json& row = interventions_[it->second];
      const char* key = status == "ok" ? "ok" : status == "failed" ? "failed" : "other";
      row[key] = row[key].get<int64_t>() + 1;
    }
    // What the agent signed (verified before the report is built).
    const Json& response = MemberOr(MemberOr(r, "agent"), "response");
    HostTrack& host = hosts_[Str(r, "host")];
    const std::string id = Str(r, "intervention");
    std::optional<TimePoint> begun = journal::ParseTimestamp(Str(e.intervention(), "ts"));
    const Json& patch = MemberOr(response, "patch");
    if (patch.is_object()) {
      for (const Json& c : ArrayOr(MemberOr(MemberOr(patch, "plan"), "changes"))) {
        if (MemberOr(c, "security") != true || host.open.count(Str(c, "name"))) continue;
        host.open[Str(c, "name")] = {Str(c, "to"), Str(c, "origin"), "push " + id, begun.value_or(ts)};
      }
      const Json& outcome = MemberOr(patch, "outcome");
      for (const Json& v : ArrayOr(MemberOr(outcome, "versions"))) {
        if (!Str(v, "after").empty()) Close(Str(r, "host"), host, Str(v, "name"), ts, "push " + id);
      }
      if (MemberOr(outcome, "reboot_required") == true) host.Reboot(Str(response, "reboot") == "none", ts);
    }
    for (const Json& d : ArrayOr(MemberOr(response, "deploys"))) {
      if (Str(d, "status") == "ok" && !Str(d, "tree").empty()) host.deploys[Str(d, "name")] = {Str(d, "tree"), ts};
    }
    if (Str(response, "type") == "deploy.result" && Str(response, "status") == "ok" && !Str(response, "tree").empty()) {
      host.deploys[Str(response, "name")] = {Str(response, "tree"), ts};
    }
  }

  void OnObserved(const Json& r) {
    daybook::Result<journal::Observed> o = journal::ReadObservation(r);
    if (!o) return;
    HostTrack& host = hosts_[o->host];
    if (o->reboot_required) host.Reboot(*o->reboot_required, o->at);
    for (const auto& [deploy, tree] : o->live) host.deploys[deploy] = {tree, o->at};
    if (!o->patch_known) return;
    host.as_of = o->at;
    std::set<std::string> pending;
    for (const journal::PendingUpdate& p : o->pending) {
      if (!p.security) continue;
      pending.insert(p.name);
      auto it = host.open.find(p.name);
      if (it == host.open.end()) host.open[p.name] = {p.to, p.origin, o->source, o->at};
      if (it != host.open.end()) it->second.version = p.to;  // a newer fix of what was already pending
    }
    host.pending_security = static_cast<int64_t>(pending.size());
    std::vector<std::string> gone;
    for (const auto& [name, update] : host.open) {
      if (!pending.count(name)) gone.push_back(name);
    }
    for (const std::string& name : gone) Close(o->host, host, name, o->at, "observed (applied outside daybook)");
  }

  void Close(const std::string& host_name, HostTrack& host, const std::string& package, TimePoint at, const std::string& by) {
    auto it = host.open.find(package);
    if (it == host.open.end()) return;
    const OpenUpdate& u = it->second;
    // An agent's clock may stand minutes from the controller's: a result
    // journaled just after the observation never makes exposure negative.
    at = std::max(at, u.first_seen);
    if (!in_.since || at >= *in_.since) {
      applied_.push_back({{"host", host_name}, {"package", package}, {"version", u.version}, {"origin", u.origin},
                          {"first_seen", journal::FormatTimestamp(u.first_seen)}, {"seen_by", u.seen_by},
                          {"applied", journal::FormatTimestamp(at)}, {"applied_by", by},
                          {"exposure_days", Days(at - u.first_seen)}, {"open", false}});
    }
    host.open.erase(it);
  }

  static const Json& ArrayOr(const Json& value) {
    static const Json empty = Json::array();
    return value.is_array() ? value : empty;
  }

  static void Percentiles(std::vector<double> days, const char* median_key, const char* worst_key, Json& into) {
    std::sort(days.begin(), days.end());
    if (days.empty()) {
      into[median_key] = nullptr;
      into[worst_key] = nullptr;
      return;
    }
    size_t n = days.size();
    into[median_key] = n % 2 ? days[n / 2] : std::round((days[n / 2 - 1] + days[n / 2]) * 50.0) / 100.0;
    into[worst_key] = days.back();
  }

  Json Latency() {
    Json updates = Json::array();
    std::vector<double> applied_days, open_days;
    for (const Json& u : applied_) {
      updates.push_back(u);
      applied_days.push_back(u["exposure_days"].get<double>());
    }
    size_t open = 0;
    for (const auto& [name, host] : hosts_) {
      for (const auto& [package, u] : host.open) {
        double days = Days(Until() - u.first_seen);
        updates.push_back({{"host", name}, {"package", package}, {"version", u.version}, {"origin", u.origin},
                           {"first_seen", journal::FormatTimestamp(u.first_seen)}, {"seen_by", u.seen_by},
                           {"applied", nullptr}, {"applied_by", nullptr}, {"exposure_days", days}, {"open", true}});
        open_days.push_back(days);
        ++open;
      }
    }
    Json latency = {{"updates", updates}, {"applied", applied_.size()}, {"open", open}};
    Percentiles(applied_days, "median_days", "worst_days", latency);
    std::sort(open_days.begin(), open_days.end());
    latency["open_worst_days"] = open_days.empty() ? Json(nullptr) : Json(open_days.back());
    return latency;
  }

  Json Document() {
    const journal::VerifyReport& v = *in_.verification;
    Json checked = Json::array({"every record's leaf hash, and the Merkle root against the signed checkpoint (RFC 6962, C2SP signed-note)",
                                "operator signatures (SSHSIG) on " + std::to_string(v.operator_signatures) + " records" +
                                    (v.operators_checked ? ", each key in allowed_signers when it signed" : ", NOT against allowed_signers (none given)"),
                                "agent signatures (Ed25519): " + std::to_string(v.agent_signatures) +
                                    " answers, each by the key the journal pins for its host, bound to its intervention",
                                "record order, times and retention prunes (" + std::to_string(v.tombstones) + " payloads pruned)"});
    Json verification = {{"ok", v.ok()}, {"code", std::string(journal::CodeName(v.code))}, {"message", v.message},
                         {"records", v.records}, {"sealed", v.sealed}, {"operator_signatures", v.operator_signatures},
                         {"agent_signatures", v.agent_signatures}, {"tombstones", v.tombstones},
                         {"root", crypto::Base64Encode(v.root.data(), v.root.size())}, {"checkpoint_key", v.vkey},
                         {"operators_checked", v.operators_checked},
                         {"checked", checked}};
    std::map<std::string, int64_t> weeks;
    for (const Json& i : interventions_) ++weeks[Monday(*journal::ParseTimestamp(i["begun"].get<std::string>()))];
    Json weeks_json = Json::array();
    for (const auto& [week, n] : weeks) weeks_json.push_back({{"week", week}, {"interventions", n}});

    Json hosts = Json::array(), owed = Json::array();
    std::map<std::string, std::map<std::string, std::vector<std::string>>> trees;  // deploy -> tree -> hosts
    for (const auto& [name, h] : hosts_) {
      Json deploys = Json::array();
      for (const auto& [deploy, live] : h.deploys) {
        deploys.push_back({{"name", deploy}, {"tree", live.first}, {"as_of", journal::FormatTimestamp(live.second)}});
        trees[deploy][live.first].push_back(name);
      }
      if (h.reboot_owed == true) {
        owed.push_back({{"host", name}, {"since", h.reboot_since ? Json(journal::FormatTimestamp(*h.reboot_since)) : Json(nullptr)}});
      }
      hosts.push_back({{"host", name}, {"deploys", deploys},
                       {"pending_security", h.pending_security ? Json(*h.pending_security) : Json(nullptr)},
                       {"reboot_owed", h.reboot_owed ? Json(*h.reboot_owed) : Json(nullptr)},
                       {"as_of", h.as_of ? Json(journal::FormatTimestamp(*h.as_of)) : Json(nullptr)}});
    }
    Json deploys = Json::array();
    for (const auto& [deploy, by_tree] : trees) {
      Json list = Json::array();
      for (const auto& [tree, names] : by_tree) list.push_back({{"tree", tree}, {"hosts", names}});
      deploys.push_back({{"name", deploy}, {"identical", by_tree.size() == 1}, {"trees", list}});
    }
    auto time_or_null = [](const std::optional<TimePoint>& t) { return t ? Json(journal::FormatTimestamp(*t)) : Json(nullptr); };
    return {{"report", {{"origin", v.origin}, {"generated_at", journal::FormatTimestamp(in_.now)},
                        {"since", time_or_null(in_.since)}, {"until", time_or_null(in_.until)}}},
            {"verification", verification}, {"interventions", interventions_}, {"weeks", weeks_json},
            {"hosts", hosts}, {"deploys", deploys}, {"patch_latency", Latency()}, {"reboots_owed", owed},
            {"access", BuildAccessSection(*in_.entries, in_.since, in_.until)}};
  }

  const ReportInput& in_;
  Json interventions_ = Json::array();
  std::map<std::string, size_t> index_;  // intervention id -> row
  std::map<std::string, HostTrack> hosts_;
  std::vector<Json> applied_;
};

}  // namespace

journal::Json BuildReport(const ReportInput& input) { return ReportBuilder(input).Build(); }

}  // namespace daybook::controller
