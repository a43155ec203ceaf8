#include "agent/result_store.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/journal/canonical.h"
#include "core/schema/json_reader.h"

namespace daybook::agent {
namespace {

using protocol::Json;

constexpr std::string_view kRunning = ".running";

int64_t UnixMs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

bool IsResultId(const std::string& id) { return IsValidName(id) && id.size() <= 128; }

Status ResultStore::Keep(const std::string& intervention, const Json& answer) {
  if (!IsResultId(intervention)) return MakeError(ErrorCode::kInvalidInput, "bad intervention id " + Quoted(intervention));
  if (Status made = fs_.CreateDirectories(dir_); !made) return made;
  Json kept = {{"answer", answer}, {"kept_at", UnixMs(clock_.Now())}};
  if (Status written = fs_.WriteFileAtomic(PathOf(intervention), journal::Canonical(kept) + "\n", 0600); !written) {
    return written;
  }
  if (Status cleared = fs_.RemoveFile(dir_ / (intervention + std::string(kRunning))); !cleared) return cleared;
  return Prune(intervention);
}

Status ResultStore::MarkRunning(const std::string& intervention) {
  if (!IsResultId(intervention)) return MakeError(ErrorCode::kInvalidInput, "bad intervention id " + Quoted(intervention));
  if (Status made = fs_.CreateDirectories(dir_); !made) return made;
  return fs_.WriteFileAtomic(dir_ / (intervention + std::string(kRunning)), "", 0600);
}

Status ResultStore::ClearRunning() {
  Result<std::vector<std::string>> running = List(kRunning);
  if (!running) return std::move(running).error();
  for (const std::string& id : *running) {
    if (Status s = fs_.RemoveFile(dir_ / (id + std::string(kRunning))); !s) return s;
  }
  return OkStatus();
}

Result<std::optional<Json>> ResultStore::Fetch(const std::string& intervention) {
  if (!IsResultId(intervention)) return MakeError(ErrorCode::kInvalidInput, "bad intervention id " + Quoted(intervention));
  if (!fs_.Exists(PathOf(intervention))) return std::optional<Json>();
  Result<std::string> text = fs_.ReadFile(PathOf(intervention));
  if (!text) return std::move(text).error();
  Result<Json> kept = journal::ParseCanonical(std::string(Trim(*text)));
  if (!kept || !schema::MemberOr(*kept, "answer").is_object()) {
    return MakeError(ErrorCode::kIo, "kept result " + PathOf(intervention).string() + " is unreadable");
  }
  return std::optional<Json>((*kept)["answer"]);
}

Result<std::vector<std::string>> ResultStore::List(std::string_view suffix) {
  std::vector<std::string> ids;
  if (!fs_.Exists(dir_)) return ids;
  Result<std::vector<std::string>> names = fs_.ListDirectory(dir_);
  if (!names) return std::move(names).error();
  for (const std::string& name : *names) {
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    std::string id = name.substr(0, name.size() - suffix.size());
    if (IsResultId(id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());  // ids start with their UTC time
  return ids;
}

Status ResultStore::Acknowledge(const std::string& intervention) {
  if (!IsResultId(intervention)) return MakeError(ErrorCode::kInvalidInput, "bad intervention id " + Quoted(intervention));
  return fs_.RemoveFile(PathOf(intervention));
}

// Too old first, then the oldest beyond the count; never the one just kept.
Status ResultStore::Prune(const std::string& keep) {
  Result<std::vector<std::string>> ids = List();
  if (!ids) return std::move(ids).error();
  const int64_t now = UnixMs(clock_.Now());
  std::vector<std::string> left;
  for (const std::string& id : *ids) {
    if (id == keep) {
      left.push_back(id);
      continue;
    }
    Result<std::string> text = fs_.ReadFile(PathOf(id));
    Result<Json> kept = text ? journal::ParseCanonical(std::string(Trim(*text))) : Result<Json>(text.error());
    int64_t at = kept ? schema::IntOr(*kept, "kept_at", 0) : 0;  // unreadable: as old as can be
    if (now - at > limits_.max_age.count()) {
      if (Status removed = fs_.RemoveFile(PathOf(id)); !removed) return removed;
      continue;
    }
    left.push_back(id);
  }
  size_t excess = left.size() > limits_.max_kept ? left.size() - limits_.max_kept : 0;
  for (const std::string& id : left) {
    if (excess == 0) break;
    if (id == keep) continue;
    if (Status removed = fs_.RemoveFile(PathOf(id)); !removed) return removed;
    --excess;
  }
  return OkStatus();
}

}  // namespace daybook::agent
