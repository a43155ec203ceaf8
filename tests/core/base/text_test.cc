#include "core/base/text.h"

#include <doctest/doctest.h>

namespace daybook {
namespace {

TEST_CASE("IsValidUtf8 follows RFC 3629") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(IsValidUtf8("caf\xE9.txt"));          // Latin-1
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));             // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));         // surrogate
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));     // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xC3"));                 // cut sequence
}

TEST_CASE("EscapeBytes is lossless and always valid UTF-8") {
  CHECK(EscapeBytes("caf\xE9.txt") == "caf\\xE9.txt");
  CHECK(EscapeBytes("a\\b") == "a\\\\b");
  CHECK(EscapeBytes("caf\xC3\xA9") == "caf\xC3\xA9");
  for (std::string bytes : {std::string("caf\xE9.txt"), std::string("a\\xE9"), std::string("\\\\x"),
                            std::string("\xFF\xFE\x00\x01", 4), std::string("\xC3\xA9\xC3")}) {
    std::string escaped = EscapeBytes(bytes);
    CHECK(IsValidUtf8(escaped));
    REQUIRE(UnescapeBytes(escaped).has_value());
    CHECK(*UnescapeBytes(escaped) == bytes);
  }
  // Every single byte value round-trips.
  for (int b = 0; b < 256; ++b) {
    std::string one(1, static_cast<char>(b));
    CHECK(UnescapeBytes(EscapeBytes(one)) == one);
  }
  CHECK_FALSE(UnescapeBytes("bad\\q").has_value());
  CHECK_FALSE(UnescapeBytes("bad\\x4").has_value());
  CHECK_FALSE(UnescapeBytes("bad\\xZZ").has_value());
}

TEST_CASE("Utf8Tail and Utf8Head never cut inside a character") {
  std::string accented;
  for (int i = 0; i < 1500; ++i) accented += "\xC3\xA9";  // 3000 bytes of é
  for (size_t max : {1u, 2u, 3u, 1999u, 2000u, 2001u}) {
    CHECK(IsValidUtf8(Utf8Tail(accented, max)));
    CHECK(IsValidUtf8(Utf8Head(accented, max)));
    CHECK(Utf8Tail(accented, max).size() <= max + 3);  // + the ellipsis
  }
  CHECK(Utf8Tail("short", 10) == "short");
  CHECK(Utf8Tail("0123456789", 3) == "\xE2\x80\xA6" "789");
  CHECK(Utf8Head("0123456789", 3) == "012\xE2\x80\xA6");
}

TEST_CASE("TerminalSafe neutralises control sequences") {
  CHECK(TerminalSafe("web-01") == "web-01");
  CHECK(TerminalSafe("evil\x1B]0;pwned\x07") == "evil\\x1B]0;pwned\\x07");
  CHECK(TerminalSafe("a\r\nb") == "a\\x0D\\x0Ab");
  CHECK(TerminalSafe("a\nb\tc", true) == "a\nb\tc");
  CHECK(TerminalSafe("csi\xC2\x9B" "2J") == "csi\\u009B2J");
  CHECK(TerminalSafe("del\x7F") == "del\\x7F");
  CHECK(TerminalSafe("caf\xE9") == "caf\\xE9");
  CHECK(TerminalSafe("caf\xC3\xA9") == "caf\xC3\xA9");
}

}  // namespace
}  // namespace daybook

namespace daybook {
namespace {

TEST_CASE("TerminalSafe and JsonForTerminal: bidirectional controls cannot reorder a name on screen") {
  std::string name = "bidi\xE2\x80\xAEtxt.exe";  // U+202E RIGHT-TO-LEFT OVERRIDE
  CHECK(TerminalSafe(name) == "bidi\\u202etxt.exe");
  CHECK(TerminalSafe("a\xE2\x81\xA6" "b") == "a\\u2066b");
  CHECK(TerminalSafe("caf\xC3\xA9 \xE2\x80\x94 ok") == "caf\xC3\xA9 \xE2\x80\x94 ok");  // an em dash stays
  CHECK(JsonForTerminal("{\"n\":\"bidi\xE2\x80\xAEtxt\",\"c\":\"x\xC2\x9B" "2J\"}") ==
        "{\"n\":\"bidi\\u202etxt\",\"c\":\"x\\u009b2J\"}");
  CHECK(JsonForTerminal("{\"ok\":\"caf\xC3\xA9\"}") == "{\"ok\":\"caf\xC3\xA9\"}");
  // Line and paragraph separators: one record must not pass for two lines.
  CHECK(TerminalSafe("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c") == "a\\u2028b\\u2029c");
  CHECK(JsonForTerminal("\"a\xE2\x80\xA8" "b\"") == "\"a\\u2028b\"");
}

}  // namespace
}  // namespace daybook
