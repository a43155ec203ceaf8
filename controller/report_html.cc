#include "controller/report_html.h"

#include <algorithm>
#include <cstdio>

#include "core/base/text.h"

namespace daybook::controller {
namespace {

using journal::Json;

std::string Str(const Json& object, const char* key) {
  const Json& v = object.is_object() && object.contains(key) ? object[key] : Json(nullptr);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// Control characters too (as TerminalSafe shows them): the page is also
// read with cat and less.
std::string E(const std::string& text) { return HtmlEscape(TerminalSafe(text, true)); }

// "2026-11-30T06:14:16.123Z" -> "2026-11-30 06:14 UTC"
std::string When(const std::string& ts) {
  if (ts.size() < 16) return ts.empty() ? "-" : ts;
  return ts.substr(0, 10) + " " + ts.substr(11, 5) + " UTC";
}

std::string Num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

std::string DaysText(const Json& value) { return value.is_number() ? Num(value.get<double>()) + " d" : "-"; }

std::string Figure(const std::string& name, const std::string& text) {
  return "<span data-figure=\"" + E(name) + "\">" + E(text) + "</span>";
}

constexpr const char* kStyle = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#1b1f24;margin:2em auto;max-width:68em;padding:0 1em;font-size:14px}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:2px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
.sub{color:#57606a}.verdict{padding:.8em 1em;border-radius:6px;margin:1em 0;border:2px solid}
.ok{background:#dafbe1;border-color:#1a7f37}.bad{background:#ffebe9;border-color:#cf222e}
.verdict b{font-size:1.2em}.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6em .9em;min-width:9em}
.card .v{font-size:1.5em;font-weight:bold;display:block}.card .k{color:#57606a;font-size:.85em}
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border-bottom:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em}
.open{color:#cf222e;font-weight:bold}.warn{color:#9a6700}svg text{font-family:"DejaVu Sans",Arial,sans-serif;font-size:11px}
@media print{body{margin:0;max-width:none;font-size:11px}h2{page-break-after:avoid}tr,svg,.verdict{page-break-inside:avoid}}
)";

std::string VerdictSection(const Json& v) {
  bool ok = v.value("ok", false);
  std::string html = "<div class=\"verdict " + std::string(ok ? "ok" : "bad") + "\" data-figure=\"verdict\" data-ok=\"" +
                     (ok ? "true" : "false") + "\"><b>" + (ok ? "Journal verified" : "Journal verification FAILED") +
                     "</b>: " + Figure("records", Str(v, "records")) + " records, " + Figure("sealed", Str(v, "sealed")) +
                     " sealed by the signed checkpoint" + (ok ? "" : " &mdash; " + E(Str(v, "code")) + ": " + E(Str(v, "message"))) +
                     "<br><span class=\"sub\">Root <code>" + E(Str(v, "root")) + "</code>, key <code>" +
                     E(Str(v, "checkpoint_key")) + "</code></span></div>\n<p>What was checked:</p><ul>";
  for (const Json& c : v.value("checked", Json::array())) html += "<li>" + E(c.is_string() ? c.get<std::string>() : "") + "</li>";
  return html + "</ul>\n";
}

std::string Cards(const Json& report) {
  const Json& lat = report["patch_latency"];
  auto card = [](const std::string& figure, const std::string& value, const std::string& label) {
    return "<div class=\"card\"><span class=\"v\" data-figure=\"" + E(figure) + "\">" + E(value) + "</span><span class=\"k\">" +
           E(label) + "</span></div>";
  };
  size_t identical = 0;
  for (const Json& d : report["deploys"]) identical += d.value("identical", false) ? 1u : 0u;
  return "<div class=\"cards\">" + card("interventions", std::to_string(report["interventions"].size()), "interventions") +
         card("hosts", std::to_string(std::max(report["hosts"].size(), report["access"]["hosts"].size())), "hosts on record") +
         card("median-exposure-days", DaysText(lat["median_days"]), "median exposure (applied)") +
         card("worst-exposure-days", DaysText(lat["worst_days"]), "worst exposure (applied)") +
         card("open-updates", Str(lat, "open"), "security updates still pending") +
         card("reboots-owed", std::to_string(report["reboots_owed"].size()), "reboots owed") +
         card("deploys-identical", std::to_string(identical) + " of " + std::to_string(report["deploys"].size()),
              "deploys identical on every host") +
         card("unexplained-logins", Str(report["access"], "unexplained"), "unexplained host logins") +
         card("access-gaps", Str(report["access"], "gaps"), "gaps in the agents' access logs") +
         "</div>\n";
}

// Vertical bars: interventions per week.
std::string WeeksChart(const Json& weeks) {
  if (weeks.empty()) return "<p class=\"sub\">No interventions in this period.</p>\n";
  const int width = 720, height = 200, left = 36, bottom = 40, top = 10;
  int64_t most = 1;
  for (const Json& w : weeks) most = std::max<int64_t>(most, w["interventions"].get<int64_t>());
  double slot = static_cast<double>(width - left - 10) / static_cast<double>(weeks.size());
  std::string svg = "<svg role=\"img\" aria-label=\"Interventions per week\" data-figure=\"chart-weeks\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) +
                    " " + std::to_string(height) + "\">";
  svg += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(height - bottom) + "\" x2=\"" + std::to_string(width) +
         "\" y2=\"" + std::to_string(height - bottom) + "\" stroke=\"#57606a\"/>";
  svg += "<text x=\"2\" y=\"" + std::to_string(top + 10) + "\">" + std::to_string(most) + "</text>";
  size_t every = std::max<size_t>(1, weeks.size() / 12);  // at most ~12 labels
  for (size_t i = 0; i < weeks.size(); ++i) {
    int64_t n = weeks[i]["interventions"].get<int64_t>();
    double h = static_cast<double>(height - bottom - top) * static_cast<double>(n) / static_cast<double>(most);
    double bar = std::min(slot * 0.7, 48.0);  // one week is a bar, not the whole chart
    double x = left + slot * static_cast<double>(i) + (slot - bar) / 2;
    svg += "<rect data-week=\"" + E(Str(weeks[i], "week")) + "\" data-count=\"" + std::to_string(n) + "\" x=\"" + Num(x) +
           "\" y=\"" + Num(height - bottom - h) + "\" width=\"" + Num(bar) + "\" height=\"" + Num(h) +
           "\" fill=\"#0969da\"><title>week of " + E(Str(weeks[i], "week")) + ": " + std::to_string(n) + "</title></rect>";
    if (i % every == 0 && x < width - 40) {
      svg += "<text x=\"" + Num(x) + "\" y=\"" + std::to_string(height - bottom + 14) + "\">" + E(Str(weeks[i], "week").substr(5)) + "</text>";
    }
  }
  return svg + "<text x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(height - 6) +
         "\">week of (Monday, UTC)</text></svg>\n";
}

// Horizontal bars: exposure per update, worst first (at most 30).
std::string ExposureChart(const Json& updates) {
  std::vector<const Json*> sorted;
  for (const Json& u : updates) sorted.push_back(&u);
  if (sorted.empty()) return "<p class=\"sub\">No security update was seen pending in this period.</p>\n";
  std::stable_sort(sorted.begin(), sorted.end(), [](const Json* a, const Json* b) {
    return (*a)["exposure_days"].get<double>() > (*b)["exposure_days"].get<double>();
  });
  size_t shown = std::min<size_t>(sorted.size(), 30);
  double worst = std::max(0.01, (*sorted[0])["exposure_days"].get<double>());
  const int width = 720, row = 18, label = 260;
  int height = static_cast<int>(shown) * row + 24;
  std::string svg = "<svg role=\"img\" aria-label=\"Exposure per security update\" data-figure=\"chart-exposure\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(width) + " " + std::to_string(height) + "\">";
  for (size_t i = 0; i < shown; ++i) {
    const Json& u = *sorted[i];
    double days = u["exposure_days"].get<double>();
    double w = (width - label - 120) * days / worst;  // room for "121.42 d (open)"
    int y = static_cast<int>(i) * row + 4;
    bool open = u.value("open", false);
    svg += "<text x=\"0\" y=\"" + std::to_string(y + 12) + "\">" + E((Str(u, "host") + " " + Str(u, "package")).substr(0, 40)) + "</text>";
    svg += "<rect x=\"" + std::to_string(label) + "\" y=\"" + std::to_string(y) + "\" width=\"" + Num(std::max(1.0, w)) +
           "\" height=\"" + std::to_string(row - 5) + "\" fill=\"" + (open ? "#cf222e" : "#1a7f37") + "\"/>";
    svg += "<text x=\"" + Num(label + std::max(1.0, w) + 4) + "\" y=\"" + std::to_string(y + 12) + "\">" + Num(days) + " d" +
           (open ? " (open)" : "") + "</text>";
  }
  svg += "<text x=\"0\" y=\"" + std::to_string(height - 4) + "\">green: applied, red: still pending" +
         (sorted.size() > shown ? std::string(" (the ") + std::to_string(shown) + " longest of " + std::to_string(sorted.size()) + ")" : "") +
         "</text></svg>\n";
  return svg;
}

std::string InterventionsTable(const Json& interventions) {
  std::string html = "<table data-figure=\"interventions-table\"><tr><th>Begun</th><th>Intervention</th><th>Operator</th>"
                     "<th>Ticket</th><th>What</th><th>Hosts ok / failed / other</th><th>Outcome</th></tr>";
  for (const Json& i : interventions) {
    std::string who = Str(i, "principal").empty() ? Str(i, "operator") : Str(i, "principal");
    std::string outcome = Str(i, "outcome").empty() ? "<span class=\"warn\">unfinished</span>" : E(Str(i, "outcome"));
    if (!Str(i, "reason").empty()) outcome += "<br><span class=\"sub\">" + E(Str(i, "reason")) + "</span>";
    html += "<tr data-intervention=\"" + E(Str(i, "id")) + "\"><td>" + E(When(Str(i, "begun"))) + "</td><td><code>" +
            E(Str(i, "id")) + "</code></td><td>" + E(who) + "</td><td>" + E(Str(i, "ticket").empty() ? "-" : Str(i, "ticket")) +
            "</td><td>" + E(Str(i, "kind") + " " + Str(i, "what")) + "</td><td class=\"n\">" + E(Str(i, "ok")) + " / " +
            E(Str(i, "failed")) + " / " + E(Str(i, "other")) + "</td><td>" + outcome + "</td></tr>";
  }
  return html + "</table>\n";
}

std::string HostsSection(const Json& report) {
  std::string html;
  for (const Json& d : report["deploys"]) {
    bool identical = d.value("identical", false);
    html += "<p data-figure=\"deploy-identical\" data-deploy=\"" + E(Str(d, "name")) + "\" data-identical=\"" +
            (identical ? "true" : "false") + "\">Deploy <b>" + E(Str(d, "name")) + "</b>: " +
            (identical ? "the same tree on every host on record" : "<span class=\"open\">hosts run different trees</span>");
    for (const Json& t : d["trees"]) html += " &mdash; <code>" + E(Str(t, "tree").substr(0, 12)) + "</code> on " + std::to_string(t["hosts"].size());
    html += "</p>\n";
  }
  html += "<table data-figure=\"hosts-table\"><tr><th>Host</th><th>Live release (tree)</th><th>Security updates pending</th>"
          "<th>Reboot owed</th><th>Packages last observed</th></tr>";
  for (const Json& h : report["hosts"]) {
    std::string deploys;
    for (const Json& d : h["deploys"]) deploys += (deploys.empty() ? "" : "<br>") + E(Str(d, "name")) + " <code>" + E(Str(d, "tree").substr(0, 12)) + "</code>";
    const Json& owed = h["reboot_owed"];
    html += "<tr data-host=\"" + E(Str(h, "host")) + "\"><td>" + E(Str(h, "host")) + "</td><td>" + (deploys.empty() ? "-" : deploys) +
            "</td><td class=\"n\">" + (h["pending_security"].is_null() ? "?" : E(Str(h, "pending_security"))) + "</td><td>" +
            (owed.is_null() ? "?" : owed == true ? "<span class=\"open\">yes</span>" : "no") + "</td><td>" +
            E(When(Str(h, "as_of"))) + "</td></tr>";
  }
  return html + "</table>\n";
}

std::string LatencyTable(const Json& updates) {
  std::string html = "<table data-figure=\"latency-table\"><tr><th>Host</th><th>Package</th><th>Fixed in</th><th>Origin</th>"
                     "<th>First seen pending</th><th>Applied</th><th>Exposure</th></tr>";
  for (const Json& u : updates) {
    bool open = u.value("open", false);
    html += "<tr data-open=\"" + std::string(open ? "true" : "false") + "\"><td>" + E(Str(u, "host")) + "</td><td>" +
            E(Str(u, "package")) + "</td><td>" + E(Str(u, "version")) + "</td><td>" + E(Str(u, "origin")) + "</td><td>" +
            E(When(Str(u, "first_seen"))) + " <span class=\"sub\">(" + E(Str(u, "seen_by")) + ")</span></td><td>" +
            (open ? "<span class=\"open\">still pending</span>"
                  : E(When(Str(u, "applied"))) + " <span class=\"sub\">(" + E(Str(u, "applied_by")) + ")</span>") +
            "</td><td class=\"n\">" + E(Num(u["exposure_days"].get<double>())) + " d</td></tr>";
  }
  return html + "</table>\n";
}

// Who accessed each host (report_access.h): per host the counts, the gaps,
// then each login with what covered it, the unexplained ones marked.
std::string AccessSection(const Json& access) {
  if (access["hosts"].empty()) {
    return "<p data-figure=\"access-none\">No access log was collected in this journal (<code>daybook access collect</code>).</p>\n";
  }
  std::string html = "<p>Every access an agent saw: the host's own logins (OpenSSH, sudo, su, console) and daybook's "
                     "sessions. A login is covered when an intervention on the host was open (from its begin to its end) or the agent was carrying out a change on it; otherwise it is <span class=\"open\">unexplained</span>. "
                     "Coverage is by time, not by person.</p>\n";
  html += "<table data-figure=\"access-hosts\"><tr><th>Host</th><th>Login records</th><th>Host logins</th><th>Refused</th><th>Unexplained</th>"
          "<th>daybook sessions</th><th>Gaps in its log</th><th>Last collected</th></tr>";
  std::string rows;
  for (const Json& h : access["hosts"]) {
    std::string gaps;
    for (const Json& g : h["gaps"]) {
      const std::string text = g.get<std::string>();
      gaps += (gaps.empty() ? "" : "<br>") + E(When(text.substr(0, text.find(": "))) + text.substr(std::min(text.find(": "), text.size())));
    }
    int64_t unexplained = h["unexplained"].get<int64_t>();
    html += "<tr data-host=\"" + E(Str(h, "host")) + "\" data-unexplained=\"" + std::to_string(unexplained) + "\"><td>" +
            E(Str(h, "host")) + "</td><td>" +
            (Str(h, "login_records") == "read" ? "read" : "<span class=\"open\">NOT read: " + E(Str(h, "login_records")) + "</span>") +
            "</td><td class=\"n\">" + E(Str(h, "logins")) + "</td><td class=\"n\">" + E(Str(h, "refused")) +
            "</td><td class=\"n\">" + (unexplained > 0 ? "<span class=\"open\">" + std::to_string(unexplained) + "</span>" : "0") +
            "</td><td class=\"n\">" + E(Str(h, "daybook_sessions")) + "</td><td>" +
            (gaps.empty() ? "none" : "<span class=\"open\">" + gaps + "</span>") + "</td><td>" + E(When(Str(h, "last_collected"))) +
            "</td></tr>";
    for (const Json& a : h["accesses"]) {
      bool covered = !a["covered_by"].is_null();
      rows += "<tr data-covered=\"" + std::string(covered ? "true" : "false") + "\"><td>" + E(Str(h, "host")) + "</td><td>" +
              E(When(Str(a, "at"))) + "</td><td>" + E(Str(a, "how")) + "</td><td>" + E(Str(a, "who")) + "</td><td>" +
              E(Str(a, "outcome")) + "</td><td>" + E(Str(a, "detail")) + "</td><td>" +
              (covered ? E(a["covered_by"].get<std::string>())
                       : Str(a, "outcome") == "refused" ? "- (refused)" : "<span class=\"open\">unexplained</span>") +
              (a.value("near_gap", false) ? " <span class=\"open\">(in a record with a gap: may be edited)</span>" : "") + "</td></tr>";
    }
    if (h["accesses_omitted"].get<int64_t>() > 0) {
      rows += "<tr><td>" + E(Str(h, "host")) + "</td><td colspan=\"6\" class=\"sub\">" + E(Str(h, "accesses_omitted")) +
              " older logins counted above, not listed (daybook journal show --type host.access --host " + E(Str(h, "host")) + ")</td></tr>";
    }
  }
  html += "</table>\n<table data-figure=\"access-logins\"><tr><th>Host</th><th>When</th><th>How</th><th>Who</th><th>Outcome</th>"
          "<th>Detail</th><th>Covered by</th></tr>" + rows + "</table>\n";
  return html;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderReportHtml(const Json& report) {
  const Json& meta = report["report"];
  std::string period = (Str(meta, "since").empty() ? "the journal's start" : When(Str(meta, "since"))) + " to " +
                       (Str(meta, "until").empty() ? "now" : When(Str(meta, "until")));
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
                     "<title>daybook report: " + E(Str(meta, "origin")) + "</title><style>" + kStyle + "</style></head><body>\n";
  html += "<h1>Intervention report: " + E(Str(meta, "origin")) + "</h1>\n<p class=\"sub\">Period: " + E(period) +
          ". Generated " + E(When(Str(meta, "generated_at"))) + " by daybook from the intervention journal.</p>\n";
  html += "<h2 id=\"verification\">Verification</h2>\n" + VerdictSection(report["verification"]);
  if (meta.value("counted_records", Json(0)) != report["verification"]["records"]) {
    html += "<p class=\"open\" data-figure=\"counted-records\">The figures below are read from the first " +
            E(Str(meta, "counted_records")) + " records only: those sealed by the checkpoint, before anything that failed.</p>\n";
  }
  html += "<h2 id=\"summary\">Summary</h2>\n" + Cards(report) + "<p>Interventions per week:</p>\n" + WeeksChart(report["weeks"]);
  html += "<h2 id=\"hosts\">Hosts and releases</h2>\n" + HostsSection(report);
  const Json& lat = report["patch_latency"];
  html += "<h2 id=\"latency\">Security patch latency</h2>\n<p>From when each security update was first seen pending on a host "
          "(reported and signed by its agent) to when it was applied: median " + Figure("median-days", DaysText(lat["median_days"])) +
          ", worst " + Figure("worst-days", DaysText(lat["worst_days"])) + " over " + Figure("applied-count", Str(lat, "applied")) +
          " applied; " + Figure("open-count", Str(lat, "open")) + " still pending (longest " + DaysText(lat["open_worst_days"]) + ").</p>\n"
          "<p class=\"sub\">Exposure counts from the first time an agent reported the update pending (a <code>daybook status</code> "
          "or <code>plan</code>, or the push that installed it), not from the advisory's publication: an update nobody looked "
          "for is first seen when someone does. Run <code>daybook status</code> from a timer to bound that gap.</p>\n";
  html += ExposureChart(lat["updates"]) + LatencyTable(lat["updates"]);
  html += "<h2 id=\"reboots\">Reboots owed</h2>\n";
  std::string owed;
  for (const Json& h : report["reboots_owed"]) {
    owed += (owed.empty() ? "" : ", ") + E(Str(h, "host")) + " (since " + E(When(Str(h, "since"))) + ")";
  }
  html += "<p data-figure=\"reboots-owed-list\">" + (owed.empty() ? std::string("None.") : owed) + "</p>\n";
  html += "<h2 id=\"access\">Access to the hosts</h2>\n" + AccessSection(report["access"]);
  html += "<h2 id=\"interventions\">Interventions</h2>\n" + InterventionsTable(report["interventions"]);
  html += "<h2 id=\"check\">Check it yourself</h2>\n<p>This page is a reading of the journal. To verify the journal "
          "itself, offline: <code>daybook journal verify --journal DIR --vkey journal.vkey --allowed-signers allowed_signers</code> "
          "(docs/journal.md says what each check means).</p>\n</body></html>\n";
  return html;
}

}  // namespace daybook::controller
