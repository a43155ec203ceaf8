// SSHSIG, the signature format of `ssh-keygen -Y sign` (OpenSSH PROTOCOL.sshsig),
// for Ed25519 keys: made with our own key or parsed from ssh-keygen's output,
// and verified with OpenSSL, so auditors can re-check with stock OpenSSH.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/crypto/ed25519.h"

namespace daybook::crypto {

// The armored signature ("-----BEGIN SSH SIGNATURE-----" ...), hash sha512.
std::string SshsigSign(const Ed25519Key& key, std::string_view name_space, std::string_view message);

struct SshsigVerified {
  Ed25519Public key;        // the signer's key, from the signature itself
  std::string fingerprint;  // SHA256:...
};

// Checks the armor, version, namespace, hash (sha256 or sha512) and the
// Ed25519 signature over `message`. Who the key belongs to is the caller's
// question (see allowed_signers.h). kFailed with the reason otherwise.
Result<SshsigVerified> SshsigVerify(std::string_view armored, std::string_view name_space, std::string_view message);

}  // namespace daybook::crypto
