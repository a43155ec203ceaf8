// OperatorSigner over an Ed25519 private key held in memory (an unencrypted
// OpenSSH key file): SSHSIG made in-process. Keys held by ssh-agent are
// signed through `ssh-keygen -Y sign` by the controller instead.
#pragma once

#include "core/crypto/sshsig.h"
#include "core/journal/record.h"
#include "core/journal/store.h"

namespace daybook::journal {

class KeyOperatorSigner final : public OperatorSigner {
 public:
  explicit KeyOperatorSigner(crypto::Ed25519Key key) : key_(std::move(key)) {}
  const crypto::Ed25519Public& public_key() const override { return key_.public_key(); }
  Result<std::string> Sign(std::string_view message) override {
    return crypto::SshsigSign(key_, kOperatorNamespace, message);
  }

 private:
  crypto::Ed25519Key key_;
};

}  // namespace daybook::journal
