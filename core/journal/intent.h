// The writer's intent: before it appends, the journal writer records durably
// what it is about to append (the sealed size it starts from and the leaf
// hashes of the pending lines), in a note signed with the journal key. After
// a crash, records past the checkpoint are sealed only if they are exactly
// (a prefix of) what the intent names; anything else was written by someone
// without the key ("foreign") and is never sealed. The intent is signed
// because the journal directory is writable by people who hold no key.
//
// The intent file is a log of such notes, appended one after the other (one
// fdatasync each) and compacted now and then; only the last one counts.
//
// Note text (never a checkpoint: its second line is not a size):
//   daybook-journal-intent/v1
//   <origin>
//   from <sealed size>
//   <hex leaf hash>        one per pending record, in order
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/journal/merkle.h"
#include "core/journal/note.h"

namespace daybook::journal {

struct Intent {
  std::string origin;
  int64_t from = 0;           // the sealed size the pending records follow
  std::vector<Hash> leaves;   // their leaf hashes, in order
};

std::string SignIntent(const Intent& intent, const NoteSigner& signer);

// The last intent of `log`. kFailed when there is none, or it is malformed
// or no trusted key signed it.
Result<Intent> OpenIntent(std::string_view log, const std::vector<NoteVerifier>& verifiers);

// How many of the records after the checkpoint (`tail`, their leaf hashes,
// starting at seq `sealed`) the intent vouches for: the longest prefix of
// `tail` equal to the intent's leaves. Zero when the intent is for another
// size or origin.
int64_t IntendedPrefix(const Intent& intent, const std::string& origin, int64_t sealed, const std::vector<Hash>& tail);

}  // namespace daybook::journal
