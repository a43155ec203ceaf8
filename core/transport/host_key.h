// The agent's Ed25519 host key: created on first start (mode 0600), used by
// the SSH server and to sign every response.
#pragma once

#include <filesystem>
#include <string>

#include "core/base/filesystem.h"
#include "core/crypto/ed25519.h"

namespace daybook::transport {

struct HostKey {
  crypto::Ed25519Key key;
  std::string pem;  // openssh-key-v1, what libssh imports
};

// Loads `path`, or creates it (0600) when missing. Refuses a key file that
// group or others can read.
Result<HostKey> LoadOrCreateHostKey(Filesystem& fs, const std::filesystem::path& path, bool& created);

}  // namespace daybook::transport
