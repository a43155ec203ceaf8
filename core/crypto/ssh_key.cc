#include "core/crypto/ssh_key.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/crypto/hash.h"
#include "core/crypto/ssh_wire.h"

namespace daybook::crypto {
namespace {

constexpr std::string_view kPemLabel = "OPENSSH PRIVATE KEY";
constexpr std::string_view kMagic{"openssh-key-v1\0", 15};

Error BadKey(const std::string& why) { return MakeError(ErrorCode::kInvalidInput, why); }

}  // namespace

Bytes SshPublicBlob(const Ed25519Public& key) {
  return SshWriter().String(kSshEd25519).String(key.data(), key.size()).bytes();
}

Result<Ed25519Public> ParseSshPublicBlob(const Bytes& blob) {
  SshReader reader(blob);
  std::optional<Bytes> type = reader.String();
  if (!type) return BadKey("malformed SSH public key blob");
  if (ToString(*type) != kSshEd25519) return BadKey("unsupported key type " + Quoted(ToString(*type)) + " (only ssh-ed25519)");
  std::optional<Bytes> pub = reader.String();
  if (!pub || pub->size() != 32 || !reader.AtEnd()) return BadKey("malformed ssh-ed25519 public key blob");
  Ed25519Public out{};
  std::copy(pub->begin(), pub->end(), out.begin());
  return out;
}

std::string SshFingerprint(const Ed25519Public& key) {
  Sha256Digest digest = Sha256(SshPublicBlob(key));
  return "SHA256:" + Base64Encode(digest.data(), digest.size(), /*pad=*/false);
}

std::string FormatSshPublicKey(const Ed25519Public& key, std::string_view comment) {
  std::string out = std::string(kSshEd25519) + " " + Base64Encode(SshPublicBlob(key));
  if (!comment.empty()) out += " " + std::string(comment);
  return out;
}

Result<Ed25519Public> ParseSshPublicKey(std::string_view line) {
  std::vector<std::string> words;
  for (const std::string& word : Split(Trim(line), ' ')) {
    if (!word.empty()) words.push_back(word);
  }
  if (words.size() < 2) return BadKey("expected \"ssh-ed25519 <base64 key> [comment]\"");
  if (words[0] != kSshEd25519) return BadKey("unsupported key type " + Quoted(words[0]) + " (only ssh-ed25519)");
  std::optional<Bytes> blob = Base64Decode(words[1]);
  if (!blob) return BadKey("the key is not valid base64");
  return ParseSshPublicBlob(*blob);
}

Result<Ed25519Key> ParseOpenSshPrivateKey(std::string_view pem) {
  std::optional<Bytes> data = Unarmor(pem, kPemLabel);
  if (!data) return BadKey("not an OpenSSH private key (no BEGIN/END OPENSSH PRIVATE KEY lines, or bad base64)");
  SshReader reader(*data);
  if (!reader.Expect(kMagic)) return BadKey("OpenSSH private key: not openssh-key-v1");
  std::optional<Bytes> cipher = reader.String(), kdf = reader.String(), kdf_options = reader.String();
  std::optional<uint32_t> count = reader.U32();
  if (!cipher || !kdf || !kdf_options || !count) return BadKey("OpenSSH private key: truncated");
  if (ToString(*cipher) != "none") {
    return BadKey("the private key is encrypted; load it into ssh-agent (ssh-add) instead");
  }
  if (*count != 1) return BadKey("OpenSSH private key: expected exactly one key");
  std::optional<Bytes> public_blob = reader.String(), section = reader.String();
  if (!public_blob || !section) return BadKey("OpenSSH private key: truncated");
  Result<Ed25519Public> pub = ParseSshPublicBlob(*public_blob);
  if (!pub) return std::move(pub).error();

  SshReader priv(*section);
  std::optional<uint32_t> check1 = priv.U32(), check2 = priv.U32();
  std::optional<Bytes> type = priv.String(), pub32 = priv.String(), secret = priv.String();
  if (!check1 || !check2 || *check1 != *check2) return BadKey("OpenSSH private key: corrupt (check words differ)");
  if (!type || ToString(*type) != kSshEd25519 || !pub32 || !secret || secret->size() != 64) {
    return BadKey("OpenSSH private key: not an ssh-ed25519 key");
  }
  Ed25519Seed seed{};
  std::copy(secret->begin(), secret->begin() + 32, seed.begin());
  Result<Ed25519Key> key = Ed25519Key::FromSeed(seed);
  if (!key) return key;
  if (key->public_key() != *pub || !std::equal(pub32->begin(), pub32->end(), pub->begin())) {
    return BadKey("OpenSSH private key: public and private halves do not match");
  }
  return key;
}

std::string FormatOpenSshPrivateKey(const Ed25519Key& key, std::string_view comment) {
  const Ed25519Public& pub = key.public_key();
  Bytes secret(key.seed().begin(), key.seed().end());
  secret.insert(secret.end(), pub.begin(), pub.end());
  uint32_t check = 0;
  (void)RandomBytes(reinterpret_cast<uint8_t*>(&check), sizeof check);
  SshWriter section;
  section.U32(check).U32(check).String(kSshEd25519).String(pub.data(), pub.size()).String(secret).String(comment);
  Bytes padded = section.bytes();
  for (uint8_t pad = 1; padded.size() % 8 != 0; ++pad) padded.push_back(pad);
  SshWriter file;
  file.Raw(kMagic).String("none").String("none").String("").U32(1).String(SshPublicBlob(pub)).String(padded);
  return Armor(kPemLabel, file.bytes());
}

}  // namespace daybook::crypto
