// SHA-256 and SHA-512 through OpenSSL 3 (EVP).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/crypto/encoding.h"

namespace daybook::crypto {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha512Digest = std::array<uint8_t, 64>;

Sha256Digest Sha256(const uint8_t* data, size_t size);
Sha256Digest Sha256(std::string_view data);
Sha256Digest Sha256(const Bytes& data);
Sha512Digest Sha512(const uint8_t* data, size_t size);
// HMAC-SHA1, as OpenSSH's hashed known_hosts entries use it.
Bytes HmacSha1(const Bytes& key, std::string_view data);

// Incremental SHA-256 for large inputs and prefixed hashes (Merkle leaves).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(const uint8_t* data, size_t size);
  void Update(std::string_view data);
  Sha256Digest Finish();  // resets for reuse

 private:
  void* ctx_;  // EVP_MD_CTX
};

}  // namespace daybook::crypto
