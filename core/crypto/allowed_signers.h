// OpenSSH allowed_signers files (ssh-keygen(1) "ALLOWED SIGNERS"): who may
// sign, for which namespaces, and when. Ed25519 keys only; lines with other
// key types are kept out with a warning, so they can never authorize.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/crypto/ed25519.h"

namespace daybook::crypto {

struct AllowedSigner {
  std::vector<std::string> principals;  // patterns, as written
  std::vector<std::string> namespaces;  // empty = any namespace
  std::optional<TimePoint> valid_after;
  std::optional<TimePoint> valid_before;
  Ed25519Public key{};
  int line = 0;
};

struct AllowedSigners {
  std::vector<AllowedSigner> signers;
  std::vector<Diagnostic> warnings;
};

// Parses the whole file; malformed lines are positioned errors (all of them).
// cert-authority lines are refused: daybook checks plain keys only.
Result<AllowedSigners> ParseAllowedSigners(const SourceFile& file);

// The first principal allowed to sign with `key` in `name_space` at time
// `at`, or nullopt.
std::optional<std::string> FindAllowedPrincipal(const AllowedSigners& signers, const Ed25519Public& key,
                                                const std::string& name_space, TimePoint at);

}  // namespace daybook::crypto
