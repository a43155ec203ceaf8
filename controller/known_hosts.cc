#include "controller/known_hosts.h"

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"
#include "core/crypto/ssh_key.h"

namespace daybook::controller {
namespace {

// OpenSSH host patterns know only '*' and '?' ("[10.0.0.1]:7022" is literal).
bool WildcardMatch(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (size_t skip = 0; skip <= text.size(); ++skip) {
      if (WildcardMatch(pattern.substr(1), text.substr(skip))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  return (pattern.front() == '?' || pattern.front() == text.front()) && WildcardMatch(pattern.substr(1), text.substr(1));
}

// One pattern against a host token: hashed, or with wildcards.
bool PatternMatches(const std::string& pattern, const std::string& host) {
  if (StartsWith(pattern, "|1|")) {
    std::vector<std::string> parts = Split(pattern.substr(3), '|');
    if (parts.size() != 2) return false;
    std::optional<crypto::Bytes> salt = crypto::Base64Decode(parts[0]), hash = crypto::Base64Decode(parts[1]);
    return salt && hash && crypto::HmacSha1(*salt, host) == *hash;
  }
  return WildcardMatch(pattern, host);
}

bool EntryMatches(const KnownHostEntry& entry, const std::string& host) {
  bool matched = false;
  for (const std::string& pattern : entry.patterns) {
    if (!pattern.empty() && pattern.front() == '!') {
      if (PatternMatches(pattern.substr(1), host)) return false;  // a negation wins
    } else if (PatternMatches(pattern, host)) {
      matched = true;
    }
  }
  return matched;
}

}  // namespace

std::string HostToken(const std::string& address, int port) {
  return port == 22 ? address : "[" + address + "]:" + std::to_string(port);
}

Result<KnownHosts> KnownHosts::Parse(const SourceFile& file) {
  KnownHosts hosts;
  Diagnostics diags(file.path);
  std::vector<std::string> lines = Split(file.text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = Trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> words;
    for (const std::string& w : Split(line, ' ')) {
      if (!w.empty()) words.push_back(w);
    }
    KnownHostEntry entry;
    entry.line = static_cast<int>(i + 1);
    if (!words.empty() && words[0].front() == '@') {
      if (words[0] != "@revoked") continue;  // @cert-authority: certificates are not used by daybook
      entry.revoked = true;
      words.erase(words.begin());
    }
    if (words.size() < 3) {
      diags.Error({entry.line, 1}, "expected \"HOSTS KEYTYPE KEY [COMMENT]\"");
      continue;
    }
    if (words[1] != crypto::kSshEd25519) continue;  // other key types cannot match an agent
    Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(words[1] + " " + words[2]);
    if (!key) {
      diags.Error({entry.line, 1}, key.error().message);
      continue;
    }
    entry.patterns = Split(words[0], ',');
    entry.key = *key;
    hosts.entries_.push_back(std::move(entry));
  }
  if (diags.has_errors()) return Error{ErrorCode::kInvalidInput, "invalid " + file.path, diags.Take()};
  return hosts;
}

HostKeyLookup KnownHosts::Find(const std::string& host, const crypto::Ed25519Public& key) const {
  std::lock_guard lock(mu_);
  HostKeyLookup result;
  for (const KnownHostEntry& entry : entries_) {
    if (entry.revoked && entry.key == key) return {HostKeyMatch::kRevoked, entry.line};
  }
  for (const KnownHostEntry& entry : entries_) {
    if (entry.revoked || !EntryMatches(entry, host)) continue;
    if (entry.key == key) return {HostKeyMatch::kKnown, entry.line};
    result = {HostKeyMatch::kChanged, entry.line};
  }
  return result;
}

std::optional<std::string> KnownHosts::OtherHostWith(const std::string& host, const crypto::Ed25519Public& key) const {
  std::lock_guard lock(mu_);
  for (const KnownHostEntry& entry : entries_) {
    if (entry.revoked || entry.key != key || EntryMatches(entry, host)) continue;
    return entry.patterns.empty() ? std::string("?") : entry.patterns.front();
  }
  return std::nullopt;
}

void KnownHosts::Add(const std::string& host, const crypto::Ed25519Public& key) {
  std::lock_guard lock(mu_);
  entries_.push_back({{host}, key, false, 0});
}

std::string KnownHosts::ChangedKeyMessage(const std::string& host, const crypto::Ed25519Public& key,
                                          const std::string& path, int line) {
  return "REMOTE HOST IDENTIFICATION HAS CHANGED for " + host +
         ": someone could be eavesdropping on you (man-in-the-middle), or the agent's host key was replaced. "
         "The key sent is " + crypto::SshFingerprint(key) + ". Offending key in " + path + ":" + std::to_string(line) +
         ". Remove that line (after checking the new key out of band) to accept it.";
}

}  // namespace daybook::controller
