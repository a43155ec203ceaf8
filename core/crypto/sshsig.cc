#include "core/crypto/sshsig.h"

#include "core/crypto/hash.h"
#include "core/crypto/ssh_key.h"
#include "core/crypto/ssh_wire.h"

namespace daybook::crypto {
namespace {

constexpr std::string_view kMagic = "SSHSIG";
constexpr std::string_view kArmorLabel = "SSH SIGNATURE";

Bytes HashMessage(std::string_view algorithm, std::string_view message) {
  const auto* data = reinterpret_cast<const uint8_t*>(message.data());
  if (algorithm == "sha256") {
    Sha256Digest d = Sha256(data, message.size());
    return Bytes(d.begin(), d.end());
  }
  Sha512Digest d = Sha512(data, message.size());
  return Bytes(d.begin(), d.end());
}

// The bytes the Ed25519 signature covers.
Bytes SignedData(std::string_view name_space, std::string_view algorithm, std::string_view message) {
  return SshWriter().Raw(kMagic).String(name_space).String("").String(algorithm)
      .String(HashMessage(algorithm, message)).bytes();
}

Error Bad(const std::string& why) { return MakeError(ErrorCode::kFailed, "bad SSH signature: " + why); }

}  // namespace

std::string SshsigSign(const Ed25519Key& key, std::string_view name_space, std::string_view message) {
  Bytes data = SignedData(name_space, "sha512", message);
  Ed25519Signature sig = key.Sign(data.data(), data.size());
  Bytes sig_blob = SshWriter().String(kSshEd25519).String(sig.data(), sig.size()).bytes();
  Bytes envelope = SshWriter().Raw(kMagic).U32(1).String(SshPublicBlob(key.public_key())).String(name_space)
                       .String("").String("sha512").String(sig_blob).bytes();
  return Armor(kArmorLabel, envelope);
}

Result<SshsigVerified> SshsigVerify(std::string_view armored, std::string_view name_space, std::string_view message) {
  std::optional<Bytes> envelope = Unarmor(armored, kArmorLabel);
  if (!envelope) return Bad("no SSH SIGNATURE armor, or bad base64");
  SshReader reader(*envelope);
  if (!reader.Expect(kMagic)) return Bad("no SSHSIG magic");
  std::optional<uint32_t> version = reader.U32();
  std::optional<Bytes> public_blob = reader.String(), ns = reader.String(), reserved = reader.String(),
                       algorithm = reader.String(), sig_blob = reader.String();
  if (!version || !public_blob || !ns || !reserved || !algorithm || !sig_blob || !reader.AtEnd()) {
    return Bad("truncated or trailing data");
  }
  if (*version != 1) return Bad("unsupported version " + std::to_string(*version));
  if (ToString(*ns) != name_space) {
    return Bad("namespace " + ToString(*ns) + " where " + std::string(name_space) + " was expected");
  }
  std::string hash = ToString(*algorithm);
  if (hash != "sha256" && hash != "sha512") return Bad("unsupported hash " + hash);
  Result<Ed25519Public> key = ParseSshPublicBlob(*public_blob);
  if (!key) return Bad(key.error().message);
  SshReader sig_reader(*sig_blob);
  std::optional<Bytes> sig_type = sig_reader.String(), sig = sig_reader.String();
  if (!sig_type || ToString(*sig_type) != kSshEd25519 || !sig || !sig_reader.AtEnd()) {
    return Bad("malformed ssh-ed25519 signature");
  }
  Bytes data = SignedData(ToString(*ns), hash, message);
  if (!Ed25519Verify(*key, data.data(), data.size(), sig->data(), sig->size())) {
    return Bad("the signature does not match the data");
  }
  return SshsigVerified{*key, SshFingerprint(*key)};
}

}  // namespace daybook::crypto
