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

}  // namespace daybook::crypto
