// Tools of the attacker, for tamper tests: rebuild the stored hashes of
// edited records and re-sign a checkpoint with the journal key.
#pragma once

#include "core/journal/lines.h"
#include "core/journal/note.h"
#include "core/journal/store.h"

namespace daybook::testing {

inline std::vector<std::string> Lines(const std::string& records) {
  std::vector<std::string> out;
  for (const journal::LineRef& ref : journal::SplitRecordLines(records).lines) out.emplace_back(ref.text);
  return out;
}

inline std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

inline journal::MemoryHashes Rehash(const std::string& records) {
  journal::MemoryHashes hashes;
  int64_t i = 0;
  for (const std::string& line : Lines(records)) (void)hashes.AppendRecord(i++, *journal::StoredLeafHash(line));
  return hashes;
}

// Replaces records, recomputes hashes and (when `signer`) re-signs the
// checkpoint for the new size, as someone holding the journal key could.
inline void Rewrite(journal::JournalFiles& files, const std::vector<std::string>& lines,
                    const journal::NoteSigner* signer) {
  files.records = JoinLines(lines);
  journal::MemoryHashes hashes = Rehash(files.records);
  files.hashes = hashes.Bytes(0);
  if (signer != nullptr) {
    auto n = static_cast<int64_t>(lines.size());
    files.checkpoint = journal::SignNote(journal::FormatCheckpoint({"example.org/daybook/test", n,
                                                                    *journal::TreeHash(n, hashes)}), *signer);
  }
}

}  // namespace daybook::testing
