// The report's figures (report_model.h) from hand-made journal entries, and
// the page's escaping: patch latency from observations and results, updates
// applied outside daybook, open exposure, --since, and journal text that
// tries to be HTML.
#include <date/date.h>
#include <doctest/doctest.h>

#include "controller/report_html.h"
#include "controller/report_model.h"
#include "core/journal/record.h"

using namespace daybook;
using namespace daybook::controller;
using journal::Json;

namespace {

const TimePoint kDay0 = date::sys_days{date::year{2026} / 11 / 2};

std::string At(int hours) { return journal::FormatTimestamp(kDay0 + std::chrono::hours(hours)); }

journal::JournalEntry Entry(Json record, Json begin = nullptr) {
  journal::JournalEntry e;
  e.record = std::move(record);
  if (!begin.is_null()) e.begin = std::make_shared<const Json>(std::move(begin));
  return e;
}

Json Observation(const std::string& host, int hours, const std::vector<std::string>& pending) {
  Json changes = Json::array();
  for (const std::string& p : pending) changes.push_back({{"name", p}, {"to", "2"}, {"origin", "Debian-Security:bookworm-security"}, {"security", true}});
  Json plan = {{"type", "patch.plan"}, {"plan", {{"changes", changes}}}, {"observe", std::string(32, 'a')}, {"observed_at", At(hours)}};
  Json facts = {{"type", "facts"}, {"facts", {{"reboot_required", hours > 40}}}, {"observe", std::string(32, 'a')}, {"observed_at", At(hours)}};
  return {{"type", "host.observed"}, {"ts", At(hours)}, {"host", host}, {"source", "status"}, {"observe", std::string(32, 'a')},
          {"agent", {{"key", "k"}, {"answers", {{{"response", plan}, {"sig", "s"}}, {{"response", facts}, {"sig", "s"}}}}}}};
}

Json Begin(const std::string& id, int hours, const std::string& ticket) {
  return {{"type", "intervention.begin"}, {"ts", At(hours)}, {"intervention", id}, {"principal", "alice@devteam"},
          {"ticket", ticket}, {"manifest", {{"path", "manifests/security.toml"}, {"commit", "c"}}}, {"targets", {"web-01"}}};
}

Json Applied(const std::string& id, int hours, const std::string& package) {
  Json response = {{"type", "apply.result"}, {"status", "ok"}, {"reboot", "none"},
                   {"patch", {{"plan", {{"changes", Json::array()}}},
                              {"outcome", {{"versions", {{{"name", package}, {"before", "1"}, {"after", "2"}}}}}}}}};
  return {{"type", "host.result"}, {"ts", At(hours)}, {"intervention", id}, {"host", "web-01"}, {"status", "ok"},
          {"agent", {{"response", response}}}};
}

Json Build(const std::vector<journal::JournalEntry>& entries, std::optional<TimePoint> since = std::nullopt) {
  static journal::VerifyReport verified;
  return BuildReport({&entries, &verified, since, kDay0 + std::chrono::hours(24 * 10), kDay0 + std::chrono::hours(24 * 30)});
}

}  // namespace

TEST_CASE("report: exposure from first seen pending to applied, outside daybook, and still open") {
  Json begin = Begin("i-1", 48, "CHG-1");
  std::vector<journal::JournalEntry> entries = {
      Entry(Observation("web-01", 0, {"openssl", "curl", "zlib"})),  // all three first seen
      Entry(Observation("web-01", 24, {"openssl", "curl", "zlib"})),
      Entry(Observation("web-01", 36, {"openssl", "curl"})),  // zlib applied by hand
      Entry(begin), Entry(Applied("i-1", 48, "openssl"), begin),
      Entry({{"type", "intervention.end"}, {"ts", At(49)}, {"intervention", "i-1"}, {"outcome", "completed"}}),
  };
  Json r = Build(entries);
  const Json& lat = r["patch_latency"];
  REQUIRE(lat["applied"] == 2);
  REQUIRE(lat["open"] == 1);
  const Json& updates = lat["updates"];
  CHECK(updates[0]["package"] == "zlib");
  CHECK(updates[0]["applied_by"] == "observed (applied outside daybook)");
  CHECK(updates[0]["exposure_days"] == 1.5);
  CHECK(updates[1]["package"] == "openssl");
  CHECK(updates[1]["applied_by"] == "push i-1");
  CHECK(updates[1]["exposure_days"] == 2.0);
  CHECK(updates[2]["package"] == "curl");
  CHECK(updates[2]["open"] == true);
  CHECK(updates[2]["exposure_days"] == 10.0);  // up to --until
  CHECK(lat["median_days"] == 1.75);
  CHECK(lat["worst_days"] == 2.0);
  CHECK(r["interventions"][0]["ok"] == 1);
  CHECK(r["interventions"][0]["outcome"] == "completed");
  CHECK(r["hosts"][0]["pending_security"] == 2);
  CHECK(r["reboots_owed"] == Json::array());  // the last observation (36 h) said no

  SUBCASE("--since keeps the state, lists what falls after") {
    Json later = Build(entries, kDay0 + std::chrono::hours(47));
    CHECK(later["interventions"].size() == 1);
    CHECK(later["patch_latency"]["applied"] == 1);  // openssl at 48 h; zlib closed before
    Json none = Build(entries, kDay0 + std::chrono::hours(100));
    CHECK(none["interventions"].empty());
    CHECK(none["patch_latency"]["open"] == 1);
  }
}

TEST_CASE("report page: journal text is escaped, nothing is loaded from elsewhere") {
  Json begin = Begin("i-<b>", 1, "<script>alert(1)</script>\"'&");
  std::vector<journal::JournalEntry> entries = {Entry(Observation("web-01", 0, {"<img src=x>"})), Entry(begin)};
  std::string page = RenderReportHtml(Build(entries));
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;") != std::string::npos);
  CHECK(page.find("&lt;img src=x&gt;") != std::string::npos);
  CHECK(page.find("://") == std::string::npos);
  CHECK(page.find("default-src 'none'") != std::string::npos);  // the page's own CSP: it may load nothing
  CHECK(HtmlEscape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;");
}
