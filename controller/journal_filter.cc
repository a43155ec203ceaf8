// The filters of `journal show` and `journal export`: flags, times, and the
// check that each value names something the journal holds. A typo in
// --type or an operator named differently used to select nothing, which an
// auditor reads as "nothing happened"; it is now an error that says what
// the journal does hold.
#include <set>
#include <tuple>

#include "controller/journal_commands.h"
#include "core/base/strings.h"
#include "core/journal/record.h"

namespace daybook::controller {
namespace {

std::string Str(const journal::Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// What the journal holds, per filter.
struct KnownValues {
  std::set<std::string> hosts, operators, interventions;
};

KnownValues Collect(const std::vector<journal::JournalEntry>& entries) {
  KnownValues known;
  for (const journal::JournalEntry& e : entries) {
    const journal::Json& r = e.record;
    if (!Str(r, "host").empty()) known.hosts.insert(Str(r, "host"));
    if (r.contains("targets") && r["targets"].is_array()) {
      for (const journal::Json& t : r["targets"]) {
        if (t.is_string()) known.hosts.insert(t.get<std::string>());
      }
    }
    for (const char* key : {"operator", "principal"}) {
      if (!Str(r, key).empty()) known.operators.insert(Str(r, key));
    }
    if (Str(r, "type") == journal::kInterventionBegin) known.interventions.insert(Str(r, "intervention"));
  }
  return known;
}

// A likely typo first, else a value that contains what was typed
// ("alice" → "alice@devteam").
std::optional<std::string> Suggest(const std::string& word, const std::vector<std::string>& candidates) {
  if (std::optional<std::string> close = ClosestMatch(word, candidates)) return close;
  for (const std::string& c : candidates) {
    if (c.find(word) != std::string::npos) return c;
  }
  return std::nullopt;
}

void CheckOne(Diagnostics& diags, const char* flag, const std::string& value, const std::set<std::string>& known,
              const std::string& what) {
  if (value.empty() || known.count(value) > 0) return;
  std::vector<std::string> candidates(known.begin(), known.end());
  std::string message = std::string(flag) + " " + Quoted(value) + ": no record of this journal names that " + what;
  if (std::optional<std::string> guess = Suggest(value, candidates)) message += "; did you mean " + Quoted(*guess) + "?";
  diags.Error({}, message);
}

}  // namespace

std::optional<TimePoint> ParseTimeArg(const std::string& text) {
  if (auto t = journal::ParseTimestamp(text)) return t;
  if (text.size() == 20 && text.back() == 'Z') return journal::ParseTimestamp(text.substr(0, 19) + ".000Z");
  if (text.size() == 10) return journal::ParseTimestamp(text + "T00:00:00.000Z");
  return std::nullopt;
}

void AddFilterFlags(CLI::App& command, FilterFlags& flags) {
  command.add_option("--host", flags.host, "Only records about this host")->option_text("HOST");
  command.add_option("--operator", flags.operator_fp,
                     "Only what this operator did: a principal of allowed_signers (alice@devteam) or a key (SHA256:...)")
      ->option_text("WHO");
  command.add_option("--ticket", flags.ticket, "Only interventions with this ticket")->option_text("ID");
  command.add_option("--intervention", flags.intervention, "Only the records of this intervention")->option_text("ID");
  command.add_option("--since", flags.since, "From this UTC time (2026-11-01 or 2026-11-01T08:00:00Z)")->option_text("TIME");
  command.add_option("--until", flags.until, "Before this UTC time")->option_text("TIME");
  command.add_option("--type", flags.type, "Only this record type (intervention.begin, host.result, ...)")->option_text("TYPE");
}

Result<journal::JournalFilter> MakeFilter(const FilterFlags& flags) {
  journal::JournalFilter filter{flags.host, flags.operator_fp, flags.ticket, flags.type, {}, {}, flags.intervention};
  for (auto [text, into, name] : {std::tuple{&flags.since, &filter.since, "--since"}, std::tuple{&flags.until, &filter.until, "--until"}}) {
    if (text->empty()) continue;
    *into = ParseTimeArg(*text);
    if (!*into) {
      return MakeError(ErrorCode::kInvalidInput, std::string(name) + " " + Quoted(*text) +
                                                     ": expected 2026-11-01 or 2026-11-01T08:00:00Z (UTC)");
    }
  }
  return filter;
}

Status CheckFilterValues(const journal::JournalFilter& filter, const std::vector<journal::JournalEntry>& entries) {
  static const std::set<std::string> kTypes = {
      std::string(journal::kInterventionBegin), std::string(journal::kHostResult),     std::string(journal::kInterventionEnd),
      std::string(journal::kHostKeyPinned),     std::string(journal::kKeyRotation),    std::string(journal::kRetentionPrune),
      std::string(journal::kHostObserved),      std::string(journal::kHostAccess)};
  KnownValues known = Collect(entries);
  Diagnostics diags("daybook");
  CheckOne(diags, "--type", filter.type, kTypes, "type (record types: " + [] {
    std::string list;
    for (const std::string& t : kTypes) list += (list.empty() ? "" : ", ") + t;
    return list;
  }() + ")");
  CheckOne(diags, "--host", filter.host, known.hosts, "host");
  CheckOne(diags, "--operator", filter.operator_fp, known.operators, "operator (principal or key fingerprint)");
  CheckOne(diags, "--intervention", filter.intervention, known.interventions, "intervention");
  if (diags.has_errors()) return Error{ErrorCode::kInvalidInput, "unknown filter value", diags.Take()};
  return OkStatus();
}

}  // namespace daybook::controller
