#include "core/journal/proof.h"

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/journal/canonical.h"
#include "core/journal/lines.h"
#include "core/journal/record.h"

namespace daybook::journal {
namespace {

Error Bad(const std::string& why) { return MakeError(ErrorCode::kFailed, "proof rejected: " + why); }

}  // namespace

Result<std::string> MakeProof(const JournalFiles& files, int64_t seq) {
  if (files.checkpoint.empty()) return MakeError(ErrorCode::kFailed, "the journal has no checkpoint to prove against");
  Result<Checkpoint> checkpoint = UnverifiedCheckpoint(files.checkpoint);
  if (!checkpoint) return std::move(checkpoint).error();
  if (seq < 0 || seq >= checkpoint->size) {
    return MakeError(ErrorCode::kInvalidInput, "no sealed record " + std::to_string(seq) + " (the checkpoint covers " +
                                                   std::to_string(checkpoint->size) + ")");
  }
  SplitRecords lines = SplitRecordLines(files.records);
  if (static_cast<int64_t>(lines.lines.size()) < checkpoint->size) return MakeError(ErrorCode::kFailed, "journal shorter than its checkpoint");
  Result<Json> record = ParseCanonical(lines.lines[static_cast<size_t>(seq)].text);
  if (record && IsTombstone(*record)) {
    return MakeError(ErrorCode::kInvalidInput, "record " + std::to_string(seq) + " was pruned: only its leaf hash is left, "
                                                   "and a proof of it would prove no content");
  }
  MemoryHashes hashes;
  hashes.Load(files.hashes);
  Result<Proof> proof = InclusionProof(seq, checkpoint->size, hashes);
  if (!proof) return std::move(proof).error();
  std::string out = std::string(kProofFormat) + "\nindex " + std::to_string(seq) + "\nrecord " +
                    std::string(lines.lines[static_cast<size_t>(seq)].text) + "\n";
  for (const Hash& h : *proof) out += "hash " + crypto::Base64Encode(h.data(), h.size()) + "\n";
  return out + "\n" + files.checkpoint;
}

Result<ProvenRecord> CheckProof(std::string_view text, const std::vector<NoteVerifier>& vkeys) {
  size_t blank = text.find("\n\n");
  if (blank == std::string_view::npos) return Bad("no checkpoint");
  std::vector<std::string> lines = Split(text.substr(0, blank), '\n');
  if (lines.size() < 3 || lines[0] != kProofFormat || !StartsWith(lines[1], "index ") || !StartsWith(lines[2], "record ")) {
    return Bad("not a " + std::string(kProofFormat) + " file");
  }
  ProvenRecord proven;
  try {
    proven.seq = std::stoll(lines[1].substr(6));
  } catch (const std::exception&) {
    return Bad("bad index");
  }
  proven.record = lines[2].substr(7);
  Proof proof;
  for (size_t i = 3; i < lines.size(); ++i) {
    std::optional<crypto::Bytes> h = StartsWith(lines[i], "hash ") ? crypto::Base64Decode(lines[i].substr(5)) : std::nullopt;
    if (!h || h->size() != 32) return Bad("malformed hash line " + std::to_string(i + 1));
    Hash hash{};
    std::copy(h->begin(), h->end(), hash.begin());
    proof.push_back(hash);
  }
  Result<std::string> note = OpenNote(text.substr(blank + 2), vkeys);
  if (!note) return Bad(note.error().message);
  Result<Checkpoint> checkpoint = ParseCheckpoint(*note);
  if (!checkpoint) return Bad(checkpoint.error().message);
  Result<Hash> leaf = StoredLeafHash(proven.record);
  if (!leaf || !VerifyInclusion(proven.seq, checkpoint->size, *leaf, proof, checkpoint->root)) {
    return Bad("the record is not in the tree the checkpoint signs");
  }
  Result<Json> record = ParseCanonical(proven.record);
  if (!record || !record->contains("seq") || (*record)["seq"] != proven.seq) {
    return Bad("the record's seq is not the proven index");
  }
  // A tombstone's leaf hash is its own claim: its ts and type are covered by
  // nothing, so it proves no record, only that some leaf is there.
  if (IsTombstone(*record)) return Bad("the record's payload was pruned: a tombstone proves no content");
  proven.size = checkpoint->size;
  return proven;
}

}  // namespace daybook::journal
