// Splitting records.jsonl into leaf lines, and a line's leaf hash (the hash
// of the line itself, or the one a tombstone keeps).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/journal/merkle.h"

namespace daybook::journal {

struct LineRef {
  uint64_t offset = 0;  // byte offset of the line in the file
  std::string_view text;  // without the newline
};

struct SplitRecords {
  std::vector<LineRef> lines;  // complete lines
  uint64_t complete_bytes = 0;  // bytes up to and including the last newline
  bool torn = false;            // bytes follow the last newline
};

SplitRecords SplitRecordLines(std::string_view records);

// The leaf hash a stored line stands for: LeafHash(line), or for a tombstone
// the hash it keeps. kFailed when a tombstone's hash is malformed.
Result<Hash> StoredLeafHash(std::string_view line);

}  // namespace daybook::journal
