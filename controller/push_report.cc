#include "controller/push_report.h"

#include <ostream>

#include "controller/output.h"
#include "controller/patch_client.h"
#include "controller/prepared_manifest.h"
#include "core/base/text.h"
#include "core/journal/summary.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {
namespace {

using protocol::Json;

std::string Files(const Json& changes) {
  if (!changes.is_object()) return "-";
  return ChangeCounts(schema::IntOr(changes, "added"), schema::IntOr(changes, "changed"), schema::IntOr(changes, "removed"));
}

size_t Count(const PushReport& report, const std::string& status) {
  size_t n = 0;
  for (const PushedHost& h : report.hosts) n += h.run.outcome.status == status ? 1U : 0U;
  return n;
}

}  // namespace

Json PushSummary(const PushReport& report) {
  size_t ok = Count(report, "ok"), skipped = Count(report, "skipped");
  Json summary = {{"hosts", report.hosts.size()}, {"ok", ok}, {"skipped", skipped},
                  {"failed", report.hosts.size() - ok - skipped}, {"not_started", report.rollout.not_started},
                  {"batches_started", report.rollout.batches_started}, {"bytes_sent", report.bytes_sent}};
  if (report.rollout.outcome != "completed") summary["reason"] = report.rollout.reason;
  return summary;
}

void PrintPushTable(std::ostream& out, const PushReport& report) {
  Table table({"HOST", "BATCH", "STATUS", "PATCH", "DEPLOY", "FROM", "TO", "RESULT", "FILES", "SENT", "ERROR"});
  for (const PushedHost& h : report.hosts) {
    const HostOutcome& o = h.run.outcome;
    std::string sent = h.run.bytes_sent == 0 ? "-" : std::to_string(h.run.bytes_sent) + "B";
    std::string error = o.error.empty() ? "-" : o.error;
    std::string patched = journal::PatchSummary(o.details).empty() ? "-" : journal::PatchSummary(o.details);
    const Json& list = schema::MemberOr(o.details, "deploys");
    if (!list.is_array() || list.empty()) table.AddRow({h.host, h.batch, o.status, patched, "-", "-", "-", "-", "-", sent, error});
    for (size_t i = 0; list.is_array() && i < list.size(); ++i) {
      const Json& d = list[i];
      table.AddRow({h.host, h.batch, o.status, patched, schema::StringOr(d, "name"), Short(schema::StringOr(d, "from")),
                    Short(schema::StringOr(d, "to")), schema::StringOr(d, "status"), Files(schema::MemberOr(d, "changes")),
                    sent, error});
    }
  }
  table.Print(out);
  // A host that failed after its release went live (a refused reboot, a
  // later deploy): the fleet runs two releases now, and the table's "ok"
  // on that row would not say so.
  for (const PushedHost& h : report.hosts) {
    if (h.run.outcome.status != "failed") continue;
    const Json& list = schema::MemberOr(h.run.outcome.details, "deploys");
    for (size_t i = 0; list.is_array() && i < list.size(); ++i) {
      if (schema::StringOr(list[i], "status") != "ok" || schema::StringOr(list[i], "to").empty()) continue;
      const std::string name = schema::StringOr(list[i], "name");
      out << TerminalSafe("note: " + h.host + ": " + name + " " + Short(schema::StringOr(list[i], "to")) +
                          " is live there although the host failed: hosts now run different releases (daybook status; "
                          "push again, or daybook rollback " + name + " --target " + h.host + ")")
          << "\n";
    }
  }
  // What removals moved to quarantine/ instead of emptying: the
  // administrator has something to look at on that host.
  for (const PushedHost& h : report.hosts) {
    const Json& list = schema::MemberOr(h.run.outcome.details, "deploys");
    for (size_t i = 0; list.is_array() && i < list.size(); ++i) {
      const Json& notes = schema::MemberOr(list[i], "notes");
      for (size_t k = 0; notes.is_array() && k < notes.size(); ++k) {
        if (notes[k].is_string()) out << TerminalSafe("note: " + h.host + " " + schema::StringOr(list[i], "name") + ": " + notes[k].get<std::string>()) << "\n";
      }
      const Json& aside = schema::MemberOr(list[i], "set_aside");
      if (!aside.is_object()) continue;
      size_t count = schema::MemberOr(aside, "count").is_number_unsigned() ? aside["count"].get<size_t>() : 0;
      out << TerminalSafe("note: " + h.host + " " + schema::StringOr(list[i], "name") + ": " + std::to_string(count) +
                          (count == 1 ? " directory" : " directories") +
                          " moved to quarantine/ instead of being emptied (it may come from outside the deploy roots, "
                          "docs/deploy.md): look, then delete by hand")
          << "\n";
    }
  }
  Json summary = PushSummary(report);
  out << "intervention " << report.intervention << " " << report.rollout.outcome << ": " << summary["ok"].get<size_t>() << " of "
      << report.hosts.size() << " host(s) ok, " << summary["failed"].get<size_t>() << " failed, "
      << summary["skipped"].get<size_t>() << " skipped\n";
  if (report.rollout.outcome != "completed") out << report.rollout.outcome << ": " << report.rollout.reason << "\n";
}

void PrintPushJson(std::ostream& out, const PushReport& report) {
  Json hosts = Json::array();
  for (const PushedHost& h : report.hosts) {
    const HostOutcome& o = h.run.outcome;
    hosts.push_back({{"host", h.host}, {"batch", h.batch}, {"status", o.status}, {"error", o.error.empty() ? Json(nullptr) : Json(o.error)},
                     {"deploys", o.details.value("deploys", Json::array())}, {"shipped", o.details.value("shipped", Json::array())},
                     {"patch", o.details.value("patch", Json(nullptr))}, {"packages", o.details.value("packages", Json(nullptr))},
                     {"window", o.details.value("window", Json(nullptr))}, {"bytes_sent", h.run.bytes_sent}});
  }
  PrintJson(out, {{"intervention", report.intervention},
                  {"manifest", {{"path", report.manifest_path}, {"commit", report.manifest_commit}}},
                  {"outcome", report.rollout.outcome},
                  {"reason", report.rollout.reason.empty() ? Json(nullptr) : Json(report.rollout.reason)},
                  {"hosts", hosts},
                  {"summary", PushSummary(report)}});
}

}  // namespace daybook::controller
