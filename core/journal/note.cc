#include "core/journal/note.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/crypto/hash.h"

namespace daybook::journal {
namespace {

constexpr std::string_view kEmDash = "\xE2\x80\x94";  // U+2014, the signature line prefix
constexpr uint8_t kEd25519Type = 0x01;

Error Bad(const std::string& why) { return MakeError(ErrorCode::kFailed, why); }

uint32_t KeyId(const std::string& name, const crypto::Ed25519Public& key) {
  std::string data = name + "\n";
  data += static_cast<char>(kEd25519Type);
  data.append(reinterpret_cast<const char*>(key.data()), key.size());
  crypto::Sha256Digest d = crypto::Sha256(data);
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | d[3];
}

bool IsNoteName(std::string_view name) {
  return !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
    return c == '+' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
}

std::string HexId(uint32_t id) {
  uint8_t b[4] = {static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16), static_cast<uint8_t>(id >> 8),
                  static_cast<uint8_t>(id)};
  return crypto::HexEncode(b, 4);
}

// Splits "name+id+key" at its first two '+' (base64 keys may hold '+').
std::vector<std::string> SplitKey(std::string_view text) {
  size_t first = text.find('+');
  size_t second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) return {};
  return {std::string(text.substr(0, first)), std::string(text.substr(first + 1, second - first - 1)),
          std::string(text.substr(second + 1))};
}

// name, hex id, base64(0x01 || 32 bytes) → the 32 bytes, after checks.
Result<crypto::Ed25519Public> KeyMaterial(const std::vector<std::string>& p, std::string_view what) {
  std::optional<crypto::Bytes> id = crypto::HexDecode(p[1]);
  std::optional<crypto::Bytes> raw = crypto::Base64Decode(p[2]);
  if (!IsNoteName(p[0]) || !id || id->size() != 4 || !raw || raw->size() != 33 || (*raw)[0] != kEd25519Type) {
    return Bad("malformed " + std::string(what));
  }
  crypto::Ed25519Public out{};
  std::copy(raw->begin() + 1, raw->end(), out.begin());
  return out;
}

}  // namespace

Result<NoteSigner> GenerateNoteSigner(const std::string& name) {
  if (!IsNoteName(name)) return MakeError(ErrorCode::kInvalidInput, "bad key name " + Quoted(name));
  Result<crypto::Ed25519Key> key = crypto::Ed25519Key::Generate();
  if (!key) return std::move(key).error();
  return NoteSigner{name, KeyId(name, key->public_key()), *key};
}

std::string FormatSignerKey(const NoteSigner& signer) {
  crypto::Bytes raw{kEd25519Type};
  raw.insert(raw.end(), signer.key.seed().begin(), signer.key.seed().end());
  return "PRIVATE+KEY+" + signer.name + "+" + HexId(signer.key_id) + "+" + crypto::Base64Encode(raw);
}

std::string FormatVerifierKey(const NoteSigner& signer) {
  return FormatVerifierKey(NoteVerifier{signer.name, signer.key_id, signer.key.public_key()});
}

std::string FormatVerifierKey(const NoteVerifier& verifier) {
  crypto::Bytes raw{kEd25519Type};
  raw.insert(raw.end(), verifier.key.begin(), verifier.key.end());
  return verifier.name + "+" + HexId(verifier.key_id) + "+" + crypto::Base64Encode(raw);
}

Result<NoteSigner> ParseSignerKey(std::string_view text) {
  text = Trim(text);
  if (!StartsWith(text, "PRIVATE+KEY+")) return Bad("malformed signer key (expected PRIVATE+KEY+...)");
  std::vector<std::string> p = SplitKey(text.substr(12));
  if (p.empty()) return Bad("malformed signer key");
  Result<crypto::Ed25519Public> seed_bytes = KeyMaterial(p, "signer key");
  if (!seed_bytes) return std::move(seed_bytes).error();
  crypto::Ed25519Seed seed{};
  std::copy(seed_bytes->begin(), seed_bytes->end(), seed.begin());
  Result<crypto::Ed25519Key> key = crypto::Ed25519Key::FromSeed(seed);
  if (!key) return std::move(key).error();
  uint32_t id = KeyId(p[0], key->public_key());
  if (HexId(id) != p[1]) return Bad("signer key id does not match its key");
  return NoteSigner{p[0], id, *key};
}

Result<NoteVerifier> ParseVerifierKey(std::string_view text) {
  std::vector<std::string> p = SplitKey(Trim(text));
  if (p.empty()) return Bad("malformed verifier key (expected name+hexid+base64)");
  Result<crypto::Ed25519Public> key = KeyMaterial(p, "verifier key");
  if (!key) return std::move(key).error();
  uint32_t id = KeyId(p[0], *key);
  if (HexId(id) != p[1]) return Bad("verifier key id does not match its key");
  return NoteVerifier{p[0], id, *key};
}

std::string SignNote(std::string_view text, const NoteSigner& signer) {
  crypto::Ed25519Signature sig = signer.key.Sign(text);
  uint8_t blob[4 + 64];
  for (int i = 0; i < 4; ++i) blob[i] = static_cast<uint8_t>(signer.key_id >> (24 - 8 * i));
  std::copy(sig.begin(), sig.end(), blob + 4);
  return std::string(text) + "\n" + std::string(kEmDash) + " " + signer.name + " " + crypto::Base64Encode(blob, sizeof blob) + "\n";
}

Result<std::string> OpenNote(std::string_view note, const std::vector<NoteVerifier>& verifiers, size_t* verified_by) {
  for (char c : note) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) return Bad("note holds a control character");
  }
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos || note.empty() || note.back() != '\n') return Bad("malformed note");
  std::string_view text = note.substr(0, split + 1);
  std::vector<std::string> lines = Split(note.substr(split + 2, note.size() - split - 3), '\n');
  if (lines.size() > 100) return Bad("too many signatures on the note");
  bool verified = false;
  for (const std::string& line : lines) {
    std::vector<std::string> words = Split(line, ' ');
    if (words.size() != 3 || words[0] != kEmDash || !IsNoteName(words[1])) return Bad("malformed note signature line");
    std::optional<crypto::Bytes> blob = crypto::Base64Decode(words[2]);
    if (!blob || blob->size() < 5) return Bad("malformed note signature");
    uint32_t id = uint32_t{(*blob)[0]} << 24 | uint32_t{(*blob)[1]} << 16 | uint32_t{(*blob)[2]} << 8 | (*blob)[3];
    for (const NoteVerifier& v : verifiers) {
      if (v.name != words[1] || v.key_id != id) continue;  // unknown keys are ignored
      if (!crypto::Ed25519Verify(v.key, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                 blob->data() + 4, blob->size() - 4)) {
        return Bad("note signature by " + v.name + " does not verify");
      }
      if (!verified && verified_by != nullptr) *verified_by = static_cast<size_t>(&v - verifiers.data());
      verified = true;
    }
  }
  if (!verified) return Bad("no known key signed the note");
  return std::string(text);
}

std::string FormatCheckpoint(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.size) + "\n" + crypto::Base64Encode(c.root.data(), c.root.size()) + "\n";
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Bad("checkpoint: must end with a newline");
  std::vector<std::string> lines = Split(text.substr(0, text.size() - 1), '\n');
  if (lines.size() < 3) return Bad("checkpoint: fewer than 3 lines");
  Checkpoint c;
  c.origin = lines[0];
  if (c.origin.empty()) return Bad("checkpoint: empty origin");
  const std::string& size = lines[1];
  bool digits = !size.empty() && size.size() <= 19 &&
                std::all_of(size.begin(), size.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits || (size.size() > 1 && size[0] == '0')) return Bad("checkpoint: bad tree size " + Quoted(size));
  uint64_t value = std::stoull(size);
  if (value >= (uint64_t{1} << 63)) return Bad("checkpoint: tree size too large");
  c.size = static_cast<int64_t>(value);
  std::optional<crypto::Bytes> root = crypto::Base64Decode(lines[2]);
  if (!root || root->size() != 32) return Bad("checkpoint: root hash is not base64 of 32 bytes");
  std::copy(root->begin(), root->end(), c.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Bad("checkpoint: empty extension line");
  }
  return c;
}

Result<Checkpoint> UnverifiedCheckpoint(std::string_view note) {
  size_t split = note.rfind("\n\n");
  if (note.empty() || split == std::string_view::npos) return MakeError(ErrorCode::kFailed, "no checkpoint");
  return ParseCheckpoint(note.substr(0, split + 1));
}

}  // namespace daybook::journal
