#include "agent/operators.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/crypto/ssh_key.h"

namespace daybook::agent {

OperatorKeys ParseAuthorizedKeys(std::string_view text) {
  OperatorKeys out;
  std::vector<std::string> lines = Split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = Trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(line);
    if (!key) {
      out.skipped.push_back("line " + std::to_string(i + 1) + ": " +
                            (StartsWith(line, "ssh-") ? key.error().message : "options are not supported"));
      continue;
    }
    out.keys.push_back(*key);
  }
  return out;
}

Result<OperatorKeys> AuthorizedOperators::Load() {
  std::lock_guard lock(mu_);
  Result<std::string> text = fs_.ReadFile(path_);
  if (!text) return std::move(text).error();
  return ParseAuthorizedKeys(*text);
}

bool AuthorizedOperators::IsAuthorized(const crypto::Ed25519Public& key) {
  Result<OperatorKeys> keys = Load();
  if (!keys) return false;
  return std::find(keys->keys.begin(), keys->keys.end(), key) != keys->keys.end();
}

}  // namespace daybook::agent
