// Inclusion proof files: one record, its audit path and the signed
// checkpoint it is proven against, checkable offline by anyone holding the
// journal's verifier key.
//
//   daybook-journal-proof/v1
//   index <seq>
//   record <the record's canonical line>
//   hash <base64>            (one per proof step, leaf to root)
//   <blank line>
//   <signed checkpoint note>
#pragma once

#include <string>
#include <vector>

#include "core/journal/note.h"
#include "core/journal/store.h"

namespace daybook::journal {

constexpr std::string_view kProofFormat = "daybook-journal-proof/v1";

// A proof of record `seq` against the journal's current checkpoint.
Result<std::string> MakeProof(const JournalFiles& files, int64_t seq);

struct ProvenRecord {
  int64_t seq = 0;
  std::string record;
  int64_t size = 0;  // tree size of the checkpoint
};

// kFailed with the reason when the proof does not hold.
Result<ProvenRecord> CheckProof(std::string_view text, const std::vector<NoteVerifier>& vkeys);

}  // namespace daybook::journal
