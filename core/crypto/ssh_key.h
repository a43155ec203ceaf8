// OpenSSH key formats for Ed25519 keys: public key lines
// ("ssh-ed25519 AAAA... comment"), SHA256 fingerprints as `ssh-keygen -lf`
// prints them, and unencrypted openssh-key-v1 private key files.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/crypto/ed25519.h"

namespace daybook::crypto {

constexpr std::string_view kSshEd25519 = "ssh-ed25519";

// The SSH public key blob: string "ssh-ed25519", string pub32.
Bytes SshPublicBlob(const Ed25519Public& key);
// Only ssh-ed25519 blobs; anything else is kInvalidInput naming the type.
Result<Ed25519Public> ParseSshPublicBlob(const Bytes& blob);

// "SHA256:" + unpadded base64 of SHA-256(blob), as `ssh-keygen -lf`.
std::string SshFingerprint(const Ed25519Public& key);

// "ssh-ed25519 <base64 blob>" (plus " comment" when not empty).
std::string FormatSshPublicKey(const Ed25519Public& key, std::string_view comment = {});

// Parses "ssh-ed25519 <base64> [comment]". Surrounding spaces are ignored.
Result<Ed25519Public> ParseSshPublicKey(std::string_view line);

// openssh-key-v1 PEM ("-----BEGIN OPENSSH PRIVATE KEY-----"), unencrypted
// Ed25519 only: an encrypted key is kInvalidInput ("use ssh-agent").
Result<Ed25519Key> ParseOpenSshPrivateKey(std::string_view pem);
std::string FormatOpenSshPrivateKey(const Ed25519Key& key, std::string_view comment);

}  // namespace daybook::crypto
