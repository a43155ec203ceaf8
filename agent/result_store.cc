#include "agent/result_store.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/journal/canonical.h"
#include "core/schema/json_reader.h"

namespace daybook::agent {
namespace {

using protocol::Json;

constexpr std::string_view kRunning = ".running";
constexpr std::string_view kCut = ".cut";  // a request the agent's restart cut short
constexpr std::string_view kTemporary = ".tmp-";  // Filesystem::WriteFileAtomic's temporary names

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
    // Made before the mark goes: a crash in between leaves one or the other.
    if (Status s = fs_.WriteFileAtomic(dir_ / (id + std::string(kCut)), "", 0600); !s) return s;
    if (Status s = fs_.RemoveFile(dir_ / (id + std::string(kRunning))); !s) return s;
  }
  return OkStatus();
}

Result<int> ResultStore::RemoveInterruptedWrites() {
  if (!fs_.Exists(dir_)) return 0;
  Result<std::vector<std::string>> names = fs_.ListDirectory(dir_);
  if (!names) return std::move(names).error();
  int removed = 0;
  for (const std::string& name : *names) {
    if (name.find(kTemporary) == std::string::npos) continue;
    if (Status s = fs_.RemoveFile(dir_ / name); !s) return std::move(s).error();
    ++removed;
  }
  return removed;
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
  std::sort(ids.begin(), ids.end());
  return ids;
}

Status ResultStore::Acknowledge(const std::string& intervention) {
  if (!IsResultId(intervention)) return MakeError(ErrorCode::kInvalidInput, "bad intervention id " + Quoted(intervention));
  if (Status s = fs_.RemoveFile(dir_ / (intervention + std::string(kCut))); !s) return s;
  return fs_.RemoveFile(PathOf(intervention));
}

// Too old first, then the oldest beyond the count or the byte budget;
// never the one just kept. "Oldest" is by the time each file says it was
// kept: intervention ids are only ordered per controller.
Status ResultStore::Prune(const std::string& keep) {
  Result<std::vector<std::string>> ids = List();
  if (!ids) return std::move(ids).error();
  const int64_t now = UnixMs(clock_.Now());
  std::vector<KeptFile> others;
  size_t count = 0;
  uint64_t bytes = 0;
  for (const std::string& id : *ids) {
    KeptFile file = ReadKept(id);
    if (id != keep && now - file.kept_at > limits_.max_age.count()) {
      if (Status removed = fs_.RemoveFile(PathOf(id)); !removed) return removed;
      continue;
    }
    ++count;
    bytes += file.bytes;
    if (id != keep) others.push_back(std::move(file));
  }
  std::sort(others.begin(), others.end(), [](const KeptFile& a, const KeptFile& b) {
    return a.kept_at != b.kept_at ? a.kept_at < b.kept_at : a.id < b.id;
  });
  for (const KeptFile& file : others) {
    if (count <= limits_.max_kept && bytes <= limits_.max_bytes) break;
    if (Status removed = fs_.RemoveFile(PathOf(file.id)); !removed) return removed;
    --count;
    bytes -= file.bytes;
  }
  return OkStatus();
}

// An unreadable file counts as kept at 0: as old as can be.
ResultStore::KeptFile ResultStore::ReadKept(const std::string& id) {
  Result<std::string> text = fs_.ReadFile(PathOf(id));
  if (!text) return {id, 0, 0};
  Result<Json> kept = journal::ParseCanonical(std::string(Trim(*text)));
  return {id, kept ? schema::IntOr(*kept, "kept_at", 0) : 0, text->size()};
}

}  // namespace daybook::agent
