// C2SP signed-note (Ed25519, key type 0x01) and tlog-checkpoint: the signed
// tree heads of the journal. Key strings follow Go's sumdb/note:
//   verifier key  <name>+<hex key id>+<base64(0x01 || public key)>
//   signer key    PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>
// with key id = SHA-256(name || "\n" || 0x01 || public key)[:4].
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/crypto/ed25519.h"
#include "core/journal/merkle.h"

namespace daybook::journal {

struct NoteVerifier {
  std::string name;
  uint32_t key_id = 0;
  crypto::Ed25519Public key{};
};

struct NoteSigner {
  std::string name;
  uint32_t key_id = 0;
  crypto::Ed25519Key key;
};

// A new signer key named `name` (a note name: no spaces, '+' or newlines).
Result<NoteSigner> GenerateNoteSigner(const std::string& name);
std::string FormatSignerKey(const NoteSigner& signer);
std::string FormatVerifierKey(const NoteSigner& signer);
std::string FormatVerifierKey(const NoteVerifier& verifier);
Result<NoteSigner> ParseSignerKey(std::string_view text);
Result<NoteVerifier> ParseVerifierKey(std::string_view text);

// The note: `text` (must end in "\n"), a blank line, one signature line.
std::string SignNote(std::string_view text, const NoteSigner& signer);

// Checks `note` against `verifiers` under the signed-note rules: unknown
// keys are ignored, a known key with a bad signature rejects, at least one
// known key must verify, at most 100 signature lines. Returns the text, and
// in `verified_by` (when given) the index of the first key that verified it.
Result<std::string> OpenNote(std::string_view note, const std::vector<NoteVerifier>& verifiers,
                             size_t* verified_by = nullptr);

struct Checkpoint {
  std::string origin;
  int64_t size = 0;
  Hash root{};
};

std::string FormatCheckpoint(const Checkpoint& checkpoint);  // the note text
// Strict: origin line non-empty, decimal size without leading zeros and
// below 2^63, base64 of exactly 32 bytes; extension lines are allowed.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// The checkpoint a signed note carries, its signature NOT checked (the text
// before the blank line): for writers reading their own file and for
// readers that say what is unverified. kFailed when there is none.
Result<Checkpoint> UnverifiedCheckpoint(std::string_view note);

}  // namespace daybook::journal
