// Ed25519 keys, signatures and verification through OpenSSL 3 EVP
// (one-shot EVP_DigestSign/Verify with a NULL digest, as Ed25519 requires).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/base/result.h"
#include "core/crypto/encoding.h"

namespace daybook::crypto {

using Ed25519Public = std::array<uint8_t, 32>;
using Ed25519Seed = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;

// A private key: the 32-byte seed and the public key derived from it.
// Copyable value; callers must not log it.
class Ed25519Key {
 public:
  // A new key from the OS random generator.
  static Result<Ed25519Key> Generate();
  static Result<Ed25519Key> FromSeed(const Ed25519Seed& seed);

  const Ed25519Public& public_key() const { return public_; }
  const Ed25519Seed& seed() const { return seed_; }
  Ed25519Signature Sign(const uint8_t* data, size_t size) const;
  Ed25519Signature Sign(std::string_view data) const;

 private:
  Ed25519Seed seed_{};
  Ed25519Public public_{};
};

// True when `signature` is a valid Ed25519 signature of `data` by `key`.
// Rejects non-canonical S (OpenSSL checks S < L).
bool Ed25519Verify(const Ed25519Public& key, const uint8_t* data, size_t size, const uint8_t* signature,
                   size_t signature_size);
bool Ed25519Verify(const Ed25519Public& key, std::string_view data, const Bytes& signature);

// Fills `out` from the OS random generator (OpenSSL RAND_bytes).
Status RandomBytes(uint8_t* out, size_t size);

}  // namespace daybook::crypto
