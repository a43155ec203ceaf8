#include "core/base/text.h"

#include <cstdint>

namespace daybook {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

void AppendHexByte(std::string& out, uint8_t byte) {
  constexpr char kHex[] = "0123456789ABCDEF";
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xF];
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Shared walk: valid sequences go to `on_char`, invalid bytes to `on_bad`.
template <typename OnChar, typename OnBad>
void Walk(std::string_view bytes, OnChar on_char, OnBad on_bad) {
  size_t i = 0;
  while (i < bytes.size()) {
    size_t n = Utf8SequenceLength(bytes.substr(i));
    if (n == 0) {
      on_bad(static_cast<uint8_t>(bytes[i]));
      ++i;
    } else {
      on_char(bytes.substr(i, n));
      i += n;
    }
  }
}

// U+202A..U+202E and U+2066..U+2069: they reorder what follows on screen,
// so a name can read backwards ("Trojan Source", CVE-2021-42574). Also
// U+2028 and U+2029 (line and paragraph separators): some terminals and
// viewers break the line there, so one record could pass for two.
bool IsBidiControl(std::string_view c) {
  if (c.size() != 3 || static_cast<uint8_t>(c[0]) != 0xE2) return false;
  auto b1 = static_cast<uint8_t>(c[1]), b2 = static_cast<uint8_t>(c[2]);
  return (b1 == 0x80 && b2 >= 0xA8 && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9);
}

// "\u202e": the code point, as JSON and as a readable escape.
std::string BidiEscape(std::string_view c) {
  constexpr char kHex[] = "0123456789abcdef";
  unsigned code = (static_cast<unsigned>(static_cast<uint8_t>(c[0]) & 0x0F) << 12) |
                  (static_cast<unsigned>(static_cast<uint8_t>(c[1]) & 0x3F) << 6) |
                  static_cast<unsigned>(static_cast<uint8_t>(c[2]) & 0x3F);
  std::string out = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(code >> shift) & 0xF];
  return out;
}

}  // namespace

size_t Utf8SequenceLength(std::string_view bytes) {
  if (bytes.empty()) return 0;
  auto b = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  uint8_t lead = b(0);
  if (lead < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) lo = 0xA0;  // no overlong forms
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) lo = 0x90;  // no overlong forms
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (bytes.size() < n) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (b(i) < 0x80 || b(i) > 0xBF) return 0;
  }
  return n;
}

bool IsValidUtf8(std::string_view bytes) {
  bool valid = true;
  Walk(bytes, [](std::string_view) {}, [&](uint8_t) { valid = false; });
  return valid;
}

std::string EscapeBytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  Walk(
      bytes,
      [&](std::string_view c) {
        if (c == "\\") out += "\\\\";
        else out += c;
      },
      [&](uint8_t byte) { AppendHexByte(out, byte); });
  return out;
}

std::optional<std::string> UnescapeBytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      out += '\\';
      ++i;
      continue;
    }
    if (i + 3 < text.size() && text[i + 1] == 'x') {
      int hi = HexValue(text[i + 2]), lo = HexValue(text[i + 3]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi << 4 | lo);
      i += 3;
      continue;
    }
    return std::nullopt;
  }
  return out;
}

std::string ReadableText(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  Walk(
      bytes, [&](std::string_view c) { out += c; }, [&](uint8_t byte) { AppendHexByte(out, byte); });
  return out;
}

std::string Utf8Tail(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t start = text.size() - max_bytes;
  // Continuation bytes (10xxxxxx) never start a character.
  while (start < text.size() && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) ++start;
  return std::string(kEllipsis) + std::string(text.substr(start));
}

std::string Utf8Head(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + std::string(kEllipsis);
}

namespace {

// C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8; terminals act on them.
bool IsC1Control(std::string_view c) {
  return c.size() == 2 && static_cast<uint8_t>(c[0]) == 0xC2 && static_cast<uint8_t>(c[1]) <= 0x9F;
}

void AppendC1Escape(std::string& out, std::string_view c, const char* digits) {
  auto code = static_cast<uint8_t>(c[1]);
  out += "\\u00";
  out += digits[code >> 4];
  out += digits[code & 0xF];
}

}  // namespace

std::string TerminalSafe(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  Walk(
      text,
      [&](std::string_view c) {
        auto lead = static_cast<uint8_t>(c[0]);
        if (c.size() == 1 && (lead < 0x20 || lead == 0x7F)) {
          if (keep_newlines && lead == '\n') out += '\n';
          else if (keep_newlines && lead == '\t') out += '\t';
          else AppendHexByte(out, lead);
          return;
        }
        if (IsC1Control(c)) {
          AppendC1Escape(out, c, "0123456789ABCDEF");
          return;
        }
        if (IsBidiControl(c)) {
          out += BidiEscape(c);
          return;
        }
        out += c;
      },
      [&](uint8_t byte) { AppendHexByte(out, byte); });
  return out;
}

std::string JsonForTerminal(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  Walk(
      json,
      [&](std::string_view c) {
        if (IsC1Control(c)) {
          AppendC1Escape(out, c, "0123456789abcdef");  // JSON's own \u escape
        } else if (IsBidiControl(c)) {
          out += BidiEscape(c);
        } else {
          out += c;
        }
      },
      [&](uint8_t byte) { out += static_cast<char>(byte); });
  return out;
}

}  // namespace daybook
