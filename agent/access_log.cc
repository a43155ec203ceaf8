#include "agent/access_log.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/journal/record.h"

namespace daybook::agent {
namespace {

std::vector<std::string> CompleteLines(const std::string& text) {
  std::vector<std::string> lines = Split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// The intervention an apply or rollback line started, "" for any other line.
std::string StartedIntervention(const journal::Json& line) {
  const std::string type = journal::StringField(line, "type").value_or("");
  if (journal::StringField(line, "event") != "request" || journal::StringField(line, "result") != "started") return "";
  if (type != "apply" && type != "deploy.rollback") return "";
  return journal::StringField(line, "intervention").value_or("");
}

}  // namespace

Result<std::unique_ptr<AccessLog>> AccessLog::Open(Filesystem& fs, const Clock& clock, std::filesystem::path path,
                                                   uint64_t max_bytes) {
  std::unique_ptr<AccessLog> log(new AccessLog(fs, clock, std::move(path), max_bytes));
  if (Result<std::string> mark = fs.ReadSmallRegularFile(log->CollectedPath(), 64); mark) {
    log->collected_ = std::strtoll(mark->c_str(), nullptr, 10);
  }
  if (!fs.Exists(log->path_)) {
    log->NoteCollectedPastEnd();
    return log;
  }
  Result<std::string> text = fs.ReadFile(log->path_);
  if (!text) return std::move(text).error();
  // A crash mid-append leaves a line without its newline: never answered
  // for, so cut (durably) before anything follows it.
  if (!text->empty() && text->back() != '\n') {
    size_t keep = text->rfind('\n') == std::string::npos ? 0 : text->rfind('\n') + 1;
    if (Status cut = fs.TruncateFile(log->path_, keep); !cut) return std::move(cut).error();
    text->resize(keep);
  }
  std::vector<std::string> lines = CompleteLines(*text);
  log->bytes_ = text->size();
  if (lines.empty()) {
    log->NoteCollectedPastEnd();
    return log;
  }
  for (const std::string& line : lines) {
    if (Result<journal::Json> parsed = journal::ParseCanonical(line); parsed) {
      if (std::string id = StartedIntervention(*parsed); !id.empty()) log->started_.insert(id);
      log->NoteLogin(*parsed);
    }
  }
  Result<journal::Json> first = journal::ParseCanonical(lines.front());
  Result<journal::Json> last = journal::ParseCanonical(lines.back());
  int64_t first_seq = first ? journal::IntField(*first, "seq").value_or(0) : 0;
  std::string prev = first ? journal::StringField(*first, "prev").value_or("") : "";
  // Only this agent writes here. A chain that does not hold (someone edited
  // or cut the file) is said at start-up and left as it is, for collect to
  // report; the agent goes on from the last line, and never refuses to start
  // over it (that would hand whoever edits the file a way to stop it).
  if (Status chained = journal::CheckAccessChain(lines, first_seq, prev); !chained) log->warning_ = chained.error().message;
  int64_t last_seq = last ? journal::IntField(*last, "seq").value_or(-1) : -1;
  log->next_seq_ = std::max(last_seq + 1, first_seq + static_cast<int64_t>(lines.size()));
  log->first_seq_ = first_seq;
  log->NoteCollectedPastEnd();
  log->last_hash_ = journal::AccessLineHash(lines.back());
  return log;
}

Status AccessLog::AppendStartOnce(const std::string& intervention, journal::Json fields) {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_.count(intervention)) {
    return MakeError(ErrorCode::kInvalidInput, "intervention " + intervention + " was already carried out on this host");
  }
  Status appended = AppendLocked("request", std::move(fields));
  if (appended) started_.insert(intervention);
  return appended;
}

Status AccessLog::Append(const std::string& event, journal::Json fields) {
  std::lock_guard<std::mutex> lock(mu_);
  return AppendLocked(event, std::move(fields));
}

Status AccessLog::AppendLocked(const std::string& event, journal::Json fields) {
  fields["seq"] = next_seq_;
  fields["ts"] = journal::FormatTimestamp(clock_.Now());
  fields["prev"] = last_hash_;
  fields["event"] = event;
  std::string line = journal::Canonical(fields);
  // Past the bound, and something can go: collected lines, or any once the
  // file is twice the bound (so it is not read back on every append).
  uint64_t after = bytes_ + line.size() + 1;
  if (after > max_bytes_ && (collected_ >= first_seq_ || after > 2 * max_bytes_)) {
    Result<std::string> text = fs_.ReadFile(path_);
    if (!text) return std::move(text).error();
    if (Status cut = CutOldest(*text); !cut) return cut;
  }
  if (Status written = fs_.AppendFile(path_, line + "\n", 0600); !written) {
    // Whatever part of the line went in is cut: the chain stays whole.
    (void)fs_.TruncateFile(path_, bytes_);
    return written;
  }
  bytes_ += line.size() + 1;
  ++next_seq_;
  last_hash_ = journal::AccessLineHash(line);
  if (event == "login") NoteLogin(fields);
  return OkStatus();
}

// Collected past the log's end: the log was cut or replaced since. Said,
// and the mark goes back to the end, so retention spares what is there now.
void AccessLog::NoteCollectedPastEnd() {
  if (collected_ < next_seq_) return;
  warning_ += std::string(warning_.empty() ? "" : "; ") + "lines up to seq " + std::to_string(collected_) +
              " were collected, but the log " + (next_seq_ == 0 ? std::string("is empty") : "ends at seq " + std::to_string(next_seq_ - 1)) +
              ": it was cut or replaced";
  collected_ = next_seq_ - 1;
  (void)fs_.WriteFileAtomic(CollectedPath(), std::to_string(collected_) + "\n", 0600);
}

void AccessLog::NoteLogin(const journal::Json& line) {
  if (journal::StringField(line, "event") != "login") return;
  std::optional<std::string> cursor = journal::StringField(line, "cursor");
  if (cursor) last_login_ = {journal::IntField(line, "seq").value_or(-1), *cursor};
}

// Cuts the oldest collected lines, up to the older half of the file; the
// first kept line's prev still names the last cut line's hash, so the chain
// is whole from there on. Uncollected lines go only past twice max_bytes.
Status AccessLog::CutOldest(const std::string& text) {
  size_t half = text.find('\n', text.size() / 2);
  size_t cut = 0;  // bytes of whole collected lines from the start, at most `half`
  for (size_t start = 0; start < text.size() && start <= half;) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) break;
    Result<journal::Json> line = journal::ParseCanonical(std::string_view(text).substr(start, end - start));
    if (!line || journal::IntField(*line, "seq").value_or(INT64_MAX) > collected_) break;
    cut = end + 1;
    start = end + 1;
  }
  if (cut == 0 && text.size() < 2 * max_bytes_) return OkStatus();
  if (cut == 0) cut = half == std::string::npos ? text.size() : half + 1;
  std::string kept = text.substr(cut);
  if (Status written = fs_.WriteFileAtomic(path_, kept, 0600); !written) return written;
  bytes_ = kept.size();
  Result<journal::Json> first = journal::ParseCanonical(std::string_view(kept).substr(0, kept.find('\n')));
  first_seq_ = first ? journal::IntField(*first, "seq").value_or(next_seq_) : next_seq_;
  return OkStatus();
}

Status AccessLog::MarkCollected(int64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  seq = std::min(seq, next_seq_ - 1);
  if (seq <= collected_) return OkStatus();
  if (Status written = fs_.WriteFileAtomic(CollectedPath(), std::to_string(seq) + "\n", 0600); !written) return written;
  collected_ = seq;
  return OkStatus();
}

std::pair<int64_t, std::string> AccessLog::last_login() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_login_;
}

Result<AccessLog::Lines> AccessLog::After(int64_t after_seq) {
  std::lock_guard<std::mutex> lock(mu_);
  Lines out;
  out.next_seq = next_seq_;
  if (!fs_.Exists(path_)) return out;
  Result<std::string> text = fs_.ReadFile(path_);
  if (!text) return std::move(text).error();
  size_t bytes = 0;
  for (std::string& line : CompleteLines(*text)) {
    // A line the agent did not write is handed over as it is (the chain
    // check of whoever collects it says where it breaks), but a huge one
    // only by its size and hash: it would not fit an answer.
    if (line.size() > journal::kMaxAccessLineBytes) {
      line = "line of " + std::to_string(line.size()) + " bytes, sha256 " + journal::AccessLineHash(line) + ": not handed over";
    }
    Result<journal::Json> record = journal::ParseCanonical(line);
    int64_t seq = record ? journal::IntField(*record, "seq").value_or(-1) : -1;
    if (seq >= 0 && seq <= after_seq) continue;
    // The answer must fit a frame, escaped (at most twice the bytes): past
    // the budget, the rest is for the next page.
    if (!out.lines.empty() && bytes + line.size() > journal::kMaxAccessListBytes) {
      out.more = true;
      break;
    }
    bytes += line.size();
    out.lines.push_back(std::move(line));
    if (out.lines.size() >= journal::kMaxAccessListEntries) break;
  }
  return out;
}

Status UnauthenticatedTally::Note(AccessLog& log, const std::string& peer, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (count_++ == 0) since_ = now;
  last_peer_ = peer;
  if (last_line_ && now - *last_line_ < std::chrono::minutes(1)) return OkStatus();
  return FlushLocked(log, now);
}

Status UnauthenticatedTally::Flush(AccessLog& log, TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  return FlushLocked(log, now);
}

Status UnauthenticatedTally::FlushLocked(AccessLog& log, TimePoint now) {
  last_line_ = now;
  if (count_ == 0) return OkStatus();
  Status written = log.Append("unauthenticated", {{"connections", count_}, {"last_peer", last_peer_},
                                                  {"since", journal::FormatTimestamp(since_.value_or(now))}});
  count_ = 0;
  return written;
}

int64_t AccessLog::next_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_seq_;
}

}  // namespace daybook::agent
