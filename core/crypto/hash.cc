#include "core/crypto/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cassert>
#include <cstdlib>

namespace daybook::crypto {
namespace {

template <size_t N>
std::array<uint8_t, N> Digest(const EVP_MD* md, const uint8_t* data, size_t size) {
  std::array<uint8_t, N> out{};
  unsigned int len = 0;
  // EVP_Digest fails only on allocation failure: treat as fatal.
  if (EVP_Digest(data, size, out.data(), &len, md, nullptr) != 1 || len != N) std::abort();
  return out;
}

}  // namespace

Sha256Digest Sha256(const uint8_t* data, size_t size) { return Digest<32>(EVP_sha256(), data, size); }
Sha256Digest Sha256(std::string_view data) {
  return Sha256(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}
Sha256Digest Sha256(const Bytes& data) { return Sha256(data.data(), data.size()); }
Sha512Digest Sha512(const uint8_t* data, size_t size) { return Digest<64>(EVP_sha512(), data, size); }

Bytes HmacSha1(const Bytes& key, std::string_view data) {
  Bytes out(20);
  unsigned int len = 0;
  if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out.data(), &len) == nullptr) {
    std::abort();
  }
  out.resize(len);
  return out;
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Hasher::Update(const uint8_t* data, size_t size) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

void Sha256Hasher::Update(std::string_view data) {
  Update(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  return out;
}

}  // namespace daybook::crypto
