// The fleet's pinned agent host keys: inventory/known_hosts, in OpenSSH
// known_hosts format (so `ssh-keygen -F '[10.0.0.11]:7022' -f
// inventory/known_hosts` works on it). Host tokens are "address" for port
// 22 and "[address]:port" otherwise; patterns with * and ?, negations (!)
// and hashed entries (|1|salt|hash) are understood; @revoked keys refuse.
// Only ssh-ed25519 lines count, as agents have Ed25519 keys.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/base/filesystem.h"
#include "core/crypto/ed25519.h"

namespace daybook::controller {

std::string HostToken(const std::string& address, int port);

struct KnownHostEntry {
  std::vector<std::string> patterns;
  crypto::Ed25519Public key{};
  bool revoked = false;
  int line = 0;
};

enum class HostKeyMatch { kKnown, kUnknown, kChanged, kRevoked };

struct HostKeyLookup {
  HostKeyMatch match = HostKeyMatch::kUnknown;
  int line = 0;  // the offending or matching line
};

// The parsed file plus the new keys accepted in this run. Thread-safe.
class KnownHosts {
 public:
  static Result<KnownHosts> Parse(const SourceFile& file);
  KnownHosts(const KnownHosts& other) : entries_(other.entries_) {}

  HostKeyLookup Find(const std::string& host_token, const crypto::Ed25519Public& key) const;
  // The first pattern of a line that lists `key` for a host other than
  // `host_token` (a key is one agent's: two hosts with one key are one
  // machine answering for two names), or nullopt.
  std::optional<std::string> OtherHostWith(const std::string& host_token, const crypto::Ed25519Public& key) const;
  // Remembers a newly accepted key (the caller appends the line to the file).
  void Add(const std::string& host_token, const crypto::Ed25519Public& key);

  // The OpenSSH-style refusal for a changed key.
  static std::string ChangedKeyMessage(const std::string& host_token, const crypto::Ed25519Public& key,
                                       const std::string& path, int line);

 private:
  KnownHosts() = default;
  std::vector<KnownHostEntry> entries_;
  mutable std::mutex mu_;
};

}  // namespace daybook::controller
