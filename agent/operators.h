// The operators an agent accepts: an OpenSSH authorized_keys file, read
// again on every authentication attempt, so adding or removing a key takes
// effect at once (SIGHUP also reloads and logs the count). Only plain
// ssh-ed25519 lines count: a line with options (from=, command=...) could
// not be honoured, so its key is not accepted.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/filesystem.h"
#include "core/crypto/ed25519.h"

namespace daybook::agent {

struct OperatorKeys {
  std::vector<crypto::Ed25519Public> keys;
  std::vector<std::string> skipped;  // "line 3: ..." for the log
};

OperatorKeys ParseAuthorizedKeys(std::string_view text);

class AuthorizedOperators {
 public:
  AuthorizedOperators(Filesystem& fs, std::filesystem::path path) : fs_(fs), path_(std::move(path)) {}
  // Thread-safe. A missing or unreadable file authorizes nobody.
  bool IsAuthorized(const crypto::Ed25519Public& key);
  // Reads the file now; for SIGHUP and start-up logging.
  Result<OperatorKeys> Load();

 private:
  Filesystem& fs_;
  std::filesystem::path path_;
  std::mutex mu_;
};

}  // namespace daybook::agent
