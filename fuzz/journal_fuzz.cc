// Fuzz target: journal reading as `journal verify` and `verify-export` do
// it. The input is records.jsonl; the stored hashes and a checkpoint over
// every complete line are made honestly with a fixed key, so verification
// reaches the record checks (schemas, signatures, tombstones) instead of
// stopping at the first hash. The same bytes are also read as a verifier
// state file, a checkpoint and an export.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/journal/export.h"
#include "core/journal/lines.h"
#include "core/journal/note.h"
#include "core/journal/record.h"
#include "core/journal/store.h"
#include "core/journal/verify.h"

using namespace daybook;
using namespace daybook::journal;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const NoteSigner signer = *GenerateNoteSigner("fuzz.example/journal");
  static const NoteVerifier verifier = *ParseVerifierKey(FormatVerifierKey(signer));
  std::string_view text(reinterpret_cast<const char*>(data), size);

  SplitRecords split = SplitRecordLines(text);
  MemoryHashes hashes;
  int64_t n = 0;
  for (const LineRef& line : split.lines) {
    if (Result<Json> record = ParseCanonical(line.text); record) {
      (void)CheckRecordSchema(*record);
      (void)IsTombstone(*record);
    }
    Result<Hash> leaf = StoredLeafHash(line.text);
    if (!leaf) break;
    if (!hashes.AppendRecord(n, *leaf)) break;
    ++n;
  }
  JournalFiles files{std::string(text), hashes.Bytes(0), ""};
  if (Result<Hash> root = TreeHash(n, hashes); root) {
    files.checkpoint = SignNote(FormatCheckpoint({"fuzz.example/journal", n, *root}), signer);
  }
  VerifyOptions options;
  options.vkeys = {verifier};
  (void)VerifyJournal(files, options);

  (void)ParseState(text);
  (void)ParseCheckpoint(text);
  (void)OpenNote(text, {verifier});
  (void)CheckExport(text, {verifier});
  // A CSV export and its proof, split at the first NUL.
  size_t cut = text.find('\0');
  (void)CheckCsvExport(text.substr(0, cut), cut == std::string_view::npos ? std::string_view() : text.substr(cut + 1), {verifier});
  return 0;
}
