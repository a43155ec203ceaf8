#include "core/crypto/ssh_wire.h"

namespace daybook::crypto {

SshWriter& SshWriter::U32(uint32_t value) {
  for (int shift : {24, 16, 8, 0}) out_.push_back(static_cast<uint8_t>(value >> shift));
  return *this;
}

SshWriter& SshWriter::String(const uint8_t* data, size_t size) {
  U32(static_cast<uint32_t>(size));
  out_.insert(out_.end(), data, data + size);
  return *this;
}

SshWriter& SshWriter::String(std::string_view text) {
  return String(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

SshWriter& SshWriter::Raw(std::string_view text) {
  out_.insert(out_.end(), text.begin(), text.end());
  return *this;
}

std::optional<uint32_t> SshReader::U32() {
  if (remaining() < 4) return std::nullopt;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | data_[pos_++];
  return v;
}

std::optional<Bytes> SshReader::String() {
  std::optional<uint32_t> size = U32();
  if (!size || *size > remaining()) return std::nullopt;
  Bytes out(data_.begin() + static_cast<long>(pos_), data_.begin() + static_cast<long>(pos_ + *size));
  pos_ += *size;
  return out;
}

bool SshReader::Expect(std::string_view text) {
  if (remaining() < text.size()) return false;
  if (std::string_view(reinterpret_cast<const char*>(data_.data() + pos_), text.size()) != text) return false;
  pos_ += text.size();
  return true;
}

std::string Armor(std::string_view label, const Bytes& data) {
  std::string b64 = Base64Encode(data);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 70) out += b64.substr(i, 70) + "\n";
  return out + "-----END " + std::string(label) + "-----\n";
}

std::optional<Bytes> Unarmor(std::string_view text, std::string_view label) {
  std::string begin_line = "-----BEGIN " + std::string(label) + "-----";
  std::string end_line = "-----END " + std::string(label) + "-----";
  size_t begin = text.find(begin_line);
  size_t end = text.find(end_line);
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) return std::nullopt;
  std::string body;
  for (char c : text.substr(begin + begin_line.size(), end - begin - begin_line.size())) {
    if (c != '\n' && c != '\r') body += c;
  }
  return Base64Decode(body);
}

}  // namespace daybook::crypto
