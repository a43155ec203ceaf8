#include "core/transport/host_key.h"

#include "core/crypto/ssh_key.h"

namespace daybook::transport {

Result<HostKey> LoadOrCreateHostKey(Filesystem& fs, const std::filesystem::path& path, bool& created) {
  created = false;
  if (!fs.Exists(path)) {
    Result<crypto::Ed25519Key> key = crypto::Ed25519Key::Generate();
    if (!key) return std::move(key).error();
    if (Status made = fs.CreateDirectories(path.parent_path()); !made) return std::move(made).error();
    if (Status s = fs.WriteFileAtomic(path, crypto::FormatOpenSshPrivateKey(*key, "daybook-agent"), 0600); !s) {
      return std::move(s).error();
    }
    created = true;
  }
  Result<unsigned> mode = fs.FileMode(path);
  if (!mode) return std::move(mode).error();
  if ((*mode & 077) != 0) {
    return MakeError(ErrorCode::kInvalidInput, "host key " + path.string() + " is readable by group or others; chmod 600 it");
  }
  Result<std::string> pem = fs.ReadFile(path);
  if (!pem) return std::move(pem).error();
  Result<crypto::Ed25519Key> key = crypto::ParseOpenSshPrivateKey(*pem);
  if (!key) return std::move(key).error().WithContext("host key " + path.string());
  return HostKey{*key, *pem};
}

}  // namespace daybook::transport
