// What the journal-writing test tools are given on their command line: the
// journal key, an operator's private key and the allowed_signers that lists
// it, read and parsed, or the first that cannot be, named.
#pragma once

#include <string>

#include "core/base/filesystem.h"
#include "core/crypto/allowed_signers.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/note.h"

namespace daybook::testing {

struct ToolKeys {
  journal::NoteSigner journal_key;
  crypto::Ed25519Key op;
  crypto::AllowedSigners allowed;
};

inline Result<ToolKeys> LoadToolKeys(Filesystem& fs, const std::string& journal_key, const std::string& operator_key,
                                     const std::string& allowed_signers) {
  Result<std::string> key_text = fs.ReadFile(journal_key);
  if (!key_text) return std::move(key_text).error().WithContext("journal key");
  Result<journal::NoteSigner> signer = journal::ParseSignerKey(*key_text);
  if (!signer) return std::move(signer).error().WithContext("journal key");
  Result<std::string> op_text = fs.ReadFile(operator_key);
  if (!op_text) return std::move(op_text).error().WithContext("operator key");
  Result<crypto::Ed25519Key> op = crypto::ParseOpenSshPrivateKey(*op_text);
  if (!op) return std::move(op).error().WithContext("operator key");
  Result<std::string> allowed_text = fs.ReadFile(allowed_signers);
  if (!allowed_text) return std::move(allowed_text).error().WithContext("allowed_signers");
  Result<crypto::AllowedSigners> allowed = crypto::ParseAllowedSigners({allowed_signers, *allowed_text});
  if (!allowed) return std::move(allowed).error().WithContext("allowed_signers");
  return ToolKeys{std::move(*signer), std::move(*op), std::move(*allowed)};
}

}  // namespace daybook::testing
