// Byte strings and their text encodings (hex, base64), strict on decode:
// a journal or a signature that decodes "leniently" is a tampering vector.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daybook::crypto {

using Bytes = std::vector<uint8_t>;

Bytes ToBytes(std::string_view text);
std::string ToString(const Bytes& bytes);

std::string HexEncode(const uint8_t* data, size_t size);
std::string HexEncode(const Bytes& bytes);
// Lower- or upper-case hex, even length; nullopt otherwise.
std::optional<Bytes> HexDecode(std::string_view hex);

// Standard alphabet (RFC 4648 §4), with '=' padding unless `pad` is false.
std::string Base64Encode(const uint8_t* data, size_t size, bool pad = true);
std::string Base64Encode(const Bytes& bytes, bool pad = true);
// Strict: standard alphabet only, no whitespace, canonical padding and
// trailing bits. `padded` says whether '=' padding is required (true) or
// forbidden (false).
std::optional<Bytes> Base64Decode(std::string_view text, bool padded = true);

}  // namespace daybook::crypto
