#include "core/crypto/ed25519.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace daybook::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using CtxPtr = std::unique_ptr<EVP_MD_CTX, CtxFree>;

PkeyPtr PrivateKey(const Ed25519Seed& seed) {
  return PkeyPtr(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
}

}  // namespace

Status RandomBytes(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    return MakeError(ErrorCode::kIo, "the random generator failed");
  }
  return OkStatus();
}

Result<Ed25519Key> Ed25519Key::Generate() {
  Ed25519Seed seed{};
  if (Status random = RandomBytes(seed.data(), seed.size()); !random) return std::move(random).error();
  return FromSeed(seed);
}

Result<Ed25519Key> Ed25519Key::FromSeed(const Ed25519Seed& seed) {
  PkeyPtr pkey = PrivateKey(seed);
  Ed25519Key key;
  size_t len = key.public_.size();
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), key.public_.data(), &len) != 1 || len != 32) {
    return MakeError(ErrorCode::kInvalidInput, "not an Ed25519 seed");
  }
  key.seed_ = seed;
  return key;
}

Ed25519Signature Ed25519Key::Sign(const uint8_t* data, size_t size) const {
  PkeyPtr pkey = PrivateKey(seed_);
  CtxPtr ctx(EVP_MD_CTX_new());
  Ed25519Signature sig{};
  size_t len = sig.size();
  // Failures here are allocation failures on a key we already validated.
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, data, size) != 1 || len != sig.size()) {
    std::abort();
  }
  return sig;
}

Ed25519Signature Ed25519Key::Sign(std::string_view data) const {
  return Sign(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

bool Ed25519Verify(const Ed25519Public& key, const uint8_t* data, size_t size, const uint8_t* signature,
                   size_t signature_size) {
  if (signature_size != 64) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  CtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), signature, signature_size, data, size) == 1;
}

bool Ed25519Verify(const Ed25519Public& key, std::string_view data, const Bytes& signature) {
  return Ed25519Verify(key, reinterpret_cast<const uint8_t*>(data.data()), data.size(), signature.data(),
                       signature.size());
}

}  // namespace daybook::crypto
