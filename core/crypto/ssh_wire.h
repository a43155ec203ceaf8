// The SSH wire encoding (RFC 4251 §5): uint32 big-endian and length-prefixed
// strings, used by key blobs, openssh-key-v1 and SSHSIG.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto/encoding.h"

namespace daybook::crypto {

class SshWriter {
 public:
  SshWriter& U32(uint32_t value);
  SshWriter& String(const uint8_t* data, size_t size);
  SshWriter& String(std::string_view text);
  SshWriter& String(const Bytes& bytes) { return String(bytes.data(), bytes.size()); }
  SshWriter& Raw(std::string_view text);
  const Bytes& bytes() const { return out_; }

 private:
  Bytes out_;
};

// Bounds-checked reader; every read fails (nullopt) past the end.
class SshReader {
 public:
  explicit SshReader(const Bytes& data) : data_(data) {}
  std::optional<uint32_t> U32();
  std::optional<Bytes> String();
  // Reads exactly `text` or fails.
  bool Expect(std::string_view text);
  bool AtEnd() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  const Bytes& data_;
  size_t pos_ = 0;
};

// "-----BEGIN <label>-----" armor around base64 at 70 columns, as OpenSSH
// writes private keys and signatures.
std::string Armor(std::string_view label, const Bytes& data);
// The bytes between the BEGIN and END lines of `label`; nullopt when the
// lines are missing or the base64 is bad.
std::optional<Bytes> Unarmor(std::string_view text, std::string_view label);

}  // namespace daybook::crypto
