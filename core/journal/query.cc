#include "core/journal/query.h"

#include <algorithm>

#include "core/journal/lines.h"
#include "core/journal/note.h"
#include "core/journal/record.h"

namespace daybook::journal {
namespace {

std::string Field(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

std::string JournalFilter::Describe() const {
  std::vector<std::string> parts;
  if (!host.empty()) parts.push_back("host=" + host);
  if (!operator_fp.empty()) parts.push_back("operator=" + operator_fp);
  if (!ticket.empty()) parts.push_back("ticket=" + ticket);
  if (!type.empty()) parts.push_back("type=" + type);
  if (since) parts.push_back("since=" + FormatTimestamp(*since));
  if (until) parts.push_back("until=" + FormatTimestamp(*until));
  if (!intervention.empty()) parts.push_back("intervention=" + intervention);
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out.empty() ? "none" : out;
}

Json JournalFilter::ToJson() const {
  Json j = Json::object();
  if (!host.empty()) j["host"] = host;
  if (!operator_fp.empty()) j["operator"] = operator_fp;
  if (!ticket.empty()) j["ticket"] = ticket;
  if (!type.empty()) j["type"] = type;
  if (since) j["since"] = FormatTimestamp(*since);
  if (until) j["until"] = FormatTimestamp(*until);
  if (!intervention.empty()) j["intervention"] = intervention;
  return j;
}

Result<std::vector<JournalEntry>> ReadEntries(const JournalFiles& files) {
  Result<Checkpoint> claimed = UnverifiedCheckpoint(files.checkpoint);
  const int64_t sealed = claimed ? claimed->size : 0;  // as claimed: `journal show` says when unchecked
  std::vector<JournalEntry> entries;
  std::map<std::string, std::shared_ptr<const Json>> begins;  // intervention id -> its begin record
  for (const LineRef& ref : SplitRecordLines(files.records).lines) {
    Result<Json> record = ParseCanonical(ref.text);
    if (!record) {
      return MakeError(ErrorCode::kFailed, "record at byte " + std::to_string(ref.offset) + ": " +
                                               record.error().message + "; run `daybook journal verify`");
    }
    Result<Hash> leaf = StoredLeafHash(ref.text);
    if (!leaf) return std::move(leaf).error();
    JournalEntry entry{static_cast<int64_t>(entries.size()), std::string(ref.text), std::move(*record), nullptr, *leaf};
    std::string id = Field(entry.record, "intervention");
    if (Field(entry.record, "type") == kInterventionBegin && !id.empty()) {
      entry.begin = std::make_shared<const Json>(entry.record);
      begins[id] = entry.begin;
    } else if (auto it = begins.find(id); it != begins.end()) {
      entry.begin = it->second;
    }
    entry.sealed = entry.seq < sealed;
    entries.push_back(std::move(entry));
  }
  return entries;
}

bool Matches(const JournalFilter& f, const JournalEntry& e) {
  const Json& r = e.record;
  if (!f.type.empty() && Field(r, "type") != f.type) return false;
  std::optional<TimePoint> ts = ParseTimestamp(Field(r, "ts"));
  if (f.since && (!ts || *ts < *f.since)) return false;
  if (f.until && (!ts || *ts >= *f.until)) return false;
  if (!f.intervention.empty() && Field(r, "intervention") != f.intervention) return false;
  if (!f.operator_fp.empty()) {
    const Json& who = r.contains("op_sig") ? r : e.intervention();
    if (Field(who, "operator") != f.operator_fp && Field(who, "principal") != f.operator_fp) return false;
  }
  if (!f.ticket.empty() && Field(e.intervention(), "ticket") != f.ticket) return false;
  if (!f.host.empty()) {
    // A record about one host (result, pin, observation, access) names it;
    // an intervention's begin and end name their targets.
    if (!Field(r, "host").empty()) return Field(r, "host") == f.host;
    const Json& targets = r.contains("targets") ? r["targets"] : Json::array();
    return std::find(targets.begin(), targets.end(), f.host) != targets.end();
  }
  return true;
}

std::map<std::string, InterventionState> InterventionStates(const std::vector<JournalEntry>& entries) {
  std::map<std::string, InterventionState> states;
  for (const JournalEntry& e : entries) {
    const std::string type = Field(e.record, "type"), id = Field(e.record, "intervention");
    if (id.empty()) continue;
    if (type == kInterventionBegin) {
      InterventionState& state = states[id];
      state.id = id;
      state.begin_seq = e.seq;
      state.begin_line = e.line;
      const Json& targets = MemberOr(e.record, "targets");
      for (size_t i = 0; targets.is_array() && i < targets.size(); ++i) {
        if (targets[i].is_string()) state.targets.push_back(targets[i].get<std::string>());
      }
      continue;
    }
    auto it = states.find(id);
    if (it == states.end()) continue;
    if (type == kHostResult && !Field(e.record, "host").empty()) {
      it->second.reported.insert(Field(e.record, "host"));
      if (!MemberOr(e.record, "agent").is_object()) it->second.unanswered.insert(Field(e.record, "host"));
    }
    if (type == kInterventionEnd) it->second.ended = true;
  }
  return states;
}

std::vector<std::string> UnfinishedInterventions(const std::vector<JournalEntry>& entries) {
  std::map<std::string, InterventionState> states = InterventionStates(entries);
  std::vector<std::pair<int64_t, std::string>> open;
  for (const auto& [id, state] : states) {
    if (!state.ended) open.emplace_back(state.begin_seq, id);
  }
  std::sort(open.begin(), open.end());
  std::vector<std::string> ids;
  for (auto& [seq, id] : open) ids.push_back(std::move(id));
  return ids;
}

}  // namespace daybook::journal
