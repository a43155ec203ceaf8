#include "core/journal/note.h"

#include <doctest/doctest.h>

#include "core/base/strings.h"
#include "core/crypto/encoding.h"

using namespace daybook;
using namespace daybook::journal;

namespace {
NoteSigner Signer(const std::string& name = "example.org/daybook") {
  Result<NoteSigner> s = GenerateNoteSigner(name);
  REQUIRE(s.ok());
  return *s;
}
NoteVerifier VerifierOf(const NoteSigner& s) { return *ParseVerifierKey(FormatVerifierKey(s)); }
}  // namespace

TEST_CASE("notes: keys round-trip in Go sumdb/note format") {
  NoteSigner s = Signer();
  std::string skey = FormatSignerKey(s), vkey = FormatVerifierKey(s);
  CHECK(skey.rfind("PRIVATE+KEY+example.org/daybook+", 0) == 0);
  CHECK(vkey.rfind("example.org/daybook+", 0) == 0);
  NoteSigner back = *ParseSignerKey(skey);
  CHECK(back.key.public_key() == s.key.public_key());
  CHECK(back.key_id == s.key_id);
  CHECK(VerifierOf(s).key == s.key.public_key());
  std::string wrong_id = vkey;
  wrong_id[vkey.find('+') + 1] = wrong_id[vkey.find('+') + 1] == '0' ? '1' : '0';
  CHECK_FALSE(ParseVerifierKey(wrong_id).ok());
  CHECK_FALSE(ParseVerifierKey("a+b").ok());
  CHECK_FALSE(GenerateNoteSigner("has space").ok());
}

TEST_CASE("notes: sign and open, signed-note rules") {
  NoteSigner s = Signer(), other = Signer("other.example/log");
  std::string text = FormatCheckpoint({"example.org/daybook", 7, LeafHash("x")});
  std::string note = SignNote(text, s);
  CHECK(note.find("\n\n\xE2\x80\x94 example.org/daybook ") != std::string::npos);
  CHECK(*OpenNote(note, {VerifierOf(s)}) == text);
  // Unknown keys are ignored, but one known key must verify.
  CHECK(*OpenNote(note, {VerifierOf(other), VerifierOf(s)}) == text);
  CHECK_FALSE(OpenNote(note, {VerifierOf(other)}).ok());
  // A second signature by an unknown key is ignored.
  std::string cosigned = note + SignNote(text, other).substr(text.size() + 1);
  CHECK(*OpenNote(cosigned, {VerifierOf(s)}) == text);
  // A known key with a bad signature rejects, even if another verifies.
  std::string tampered = SignNote(text + "x\n", s);
  std::string mixed = note + tampered.substr(tampered.rfind("\xE2\x80\x94"));
  CHECK_FALSE(OpenNote(mixed, {VerifierOf(s)}).ok());
}

TEST_CASE("notes: malformed notes and checkpoints are rejected") {
  NoteSigner s = Signer();
  std::vector<NoteVerifier> v{VerifierOf(s)};
  std::string text = FormatCheckpoint({"example.org/daybook", 7, LeafHash("x")});
  std::string note = SignNote(text, s);
  CHECK_FALSE(OpenNote(text, v).ok());                                           // no signature
  CHECK_FALSE(OpenNote(note.substr(0, note.size() - 1), v).ok());                // no final newline
  std::string crlf = note;
  crlf.insert(crlf.find('\n'), "\r");
  CHECK_FALSE(OpenNote(crlf, v).ok());                                           // CR
  std::string ascii_dash = note;
  ascii_dash.replace(ascii_dash.find("\xE2\x80\x94"), 3, "-");
  CHECK_FALSE(OpenNote(ascii_dash, v).ok());                                     // '-' for the em dash
  std::string short_sig = note.substr(0, note.rfind(' ') + 1) + "AAAA\n";
  CHECK_FALSE(OpenNote(short_sig, v).ok());
  std::string many = note;
  std::string line = note.substr(note.rfind("\xE2\x80\x94"));
  for (int i = 0; i < 100; ++i) many += line;
  CHECK_FALSE(OpenNote(many, v).ok());                                           // > 100 signatures
  std::string sixteen = note;
  for (int i = 0; i < 15; ++i) sixteen += SignNote(text, Signer("w" + std::to_string(i))).substr(text.size() + 1);
  CHECK(OpenNote(sixteen, v).ok());                                              // 16 accepted

  CHECK(ParseCheckpoint(text)->size == 7);
  std::string root = crypto::Base64Encode(LeafHash("x").data(), 32);
  for (const std::string& bad : {std::string("o\n7\n"), "\n7\n" + root + "\n", "o\n007\n" + root + "\n",
                                 "o\n-1\n" + root + "\n", "o\n9223372036854775808\n" + root + "\n",
                                 std::string("o\n7\nAAAA\n"), "o\n7\n" + root, "o\n7\n" + root + "\n\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseCheckpoint(bad).ok());
  }
  CHECK(ParseCheckpoint("o\n0\n" + root + "\n").ok());
  CHECK(ParseCheckpoint("o\n7\n" + root + "\nextension line\n").ok());
}
