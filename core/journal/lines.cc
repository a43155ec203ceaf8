#include "core/journal/lines.h"

#include "core/crypto/encoding.h"
#include "core/journal/canonical.h"
#include "core/journal/record.h"

namespace daybook::journal {

SplitRecords SplitRecordLines(std::string_view records) {
  SplitRecords out;
  size_t start = 0;
  while (start < records.size()) {
    size_t end = records.find('\n', start);
    if (end == std::string_view::npos) {
      out.torn = true;
      break;
    }
    out.lines.push_back({start, records.substr(start, end - start)});
    start = end + 1;
    out.complete_bytes = start;
  }
  return out;
}

Result<Hash> StoredLeafHash(std::string_view line) {
  // Tombstones are rare and recognisable by their key; parse only those.
  if (line.find("\"pruned\":true") == std::string_view::npos) return LeafHash(line);
  Result<Json> record = ParseCanonical(line);
  if (!record || !IsTombstone(*record)) return LeafHash(line);
  const Json& hex = (*record)["leaf_hash"];
  std::optional<crypto::Bytes> bytes = hex.is_string() ? crypto::HexDecode(hex.get<std::string>()) : std::nullopt;
  if (!bytes || bytes->size() != 32) return MakeError(ErrorCode::kFailed, "tombstone with a malformed leaf_hash");
  Hash h{};
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

}  // namespace daybook::journal
