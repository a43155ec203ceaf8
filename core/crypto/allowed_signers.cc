#include "core/crypto/allowed_signers.h"

#include <date/date.h>

#include "core/base/glob.h"
#include "core/base/strings.h"
#include "core/crypto/ssh_key.h"

namespace daybook::crypto {
namespace {

struct Token {
  std::string text;
  int column;  // 1-based
};

// Splits on spaces and tabs outside double quotes.
std::vector<Token> Tokenize(std::string_view line) {
  std::vector<Token> tokens;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (!quoted && (c == ' ' || c == '\t')) continue;
    if (tokens.empty() || (i > 0 && !quoted && (line[i - 1] == ' ' || line[i - 1] == '\t'))) {
      tokens.push_back({"", static_cast<int>(i + 1)});
    }
    if (c == '"') quoted = !quoted;
    tokens.back().text += c;
  }
  return tokens;
}

bool IsKeyType(std::string_view word) {
  return StartsWith(word, "ssh-") || StartsWith(word, "ecdsa-") || StartsWith(word, "sk-");
}

// YYYYMMDD[HHMM[SS]][Z], read as UTC.
std::optional<TimePoint> ParseTime(std::string value) {
  if (!value.empty() && value.back() == 'Z') value.pop_back();
  if (value.size() != 8 && value.size() != 12 && value.size() != 14) return std::nullopt;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len) { return std::stoi(value.substr(pos, len)); };
  date::year_month_day ymd{date::year{num(0, 4)}, date::month{static_cast<unsigned>(num(4, 2))},
                           date::day{static_cast<unsigned>(num(6, 2))}};
  if (!ymd.ok()) return std::nullopt;
  int hh = value.size() >= 12 ? num(8, 2) : 0, mm = value.size() >= 12 ? num(10, 2) : 0;
  int ss = value.size() == 14 ? num(12, 2) : 0;
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  return TimePoint{date::sys_days{ymd} + std::chrono::hours{hh} + std::chrono::minutes{mm} +
                   std::chrono::seconds{ss}};
}

// Reads `opts` (comma-separated, quotes may hold commas) into `signer`.
void ReadOptions(const Token& opts, AllowedSigner& signer, int line, Diagnostics& diags) {
  std::vector<std::string> options{""};
  bool quoted = false;
  for (char c : opts.text) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      options.emplace_back();
    } else {
      options.back() += c;
    }
  }
  SourcePos pos{line, opts.column};
  for (const std::string& option : options) {
    size_t eq = option.find('=');
    std::string name = option.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : option.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (name == "namespaces" && !value.empty()) {
      signer.namespaces = Split(value, ',');
    } else if (name == "valid-after" || name == "valid-before") {
      std::optional<TimePoint> t = ParseTime(value);
      if (!t) {
        diags.Error(pos, "bad " + name + " time " + Quoted(value) + ": expected YYYYMMDD[HHMM[SS]][Z]");
      } else {
        (name == "valid-after" ? signer.valid_after : signer.valid_before) = t;
      }
    } else if (name == "cert-authority") {
      diags.Error(pos, "cert-authority is not supported: list operator keys themselves");
    } else {
      diags.Error(pos, "unknown option " + Quoted(option) + " (known: namespaces, valid-after, valid-before)");
    }
  }
}

}  // namespace

Result<AllowedSigners> ParseAllowedSigners(const SourceFile& file) {
  Diagnostics diags(file.path);
  AllowedSigners out;
  std::vector<std::string> lines = Split(file.text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    int line = static_cast<int>(i + 1);
    std::string_view text = Trim(lines[i]);
    if (text.empty() || text.front() == '#') continue;
    std::vector<Token> tokens = Tokenize(lines[i]);
    if (tokens.size() < 3) {
      diags.Error({line, tokens.empty() ? 1 : tokens[0].column},
                  "expected \"PRINCIPALS [OPTIONS] ssh-ed25519 KEY [COMMENT]\"");
      continue;
    }
    AllowedSigner signer;
    signer.line = line;
    signer.principals = Split(tokens[0].text, ',');
    size_t key_at = 1;
    if (!IsKeyType(tokens[1].text)) {
      ReadOptions(tokens[1], signer, line, diags);
      key_at = 2;
    }
    if (key_at + 1 >= tokens.size()) {
      diags.Error({line, tokens[1].column}, "missing key type or key after the options");
      continue;
    }
    const Token& type = tokens[key_at];
    if (type.text != kSshEd25519) {
      out.warnings.push_back({file.path, {line, type.column}, Severity::kWarning,
                              "key type " + Quoted(type.text) + " is not supported (only ssh-ed25519): line ignored"});
      continue;
    }
    Result<Ed25519Public> key = ParseSshPublicKey(type.text + " " + tokens[key_at + 1].text);
    if (!key) {
      diags.Error({line, tokens[key_at + 1].column}, key.error().message);
      continue;
    }
    signer.key = *key;
    out.signers.push_back(std::move(signer));
  }
  if (diags.has_errors()) return Error{ErrorCode::kInvalidInput, "invalid " + file.path, diags.Take()};
  return out;
}

std::optional<std::string> FindAllowedPrincipal(const AllowedSigners& signers, const Ed25519Public& key,
                                                const std::string& name_space, TimePoint at) {
  for (const AllowedSigner& signer : signers.signers) {
    if (signer.key != key) continue;
    if (!signer.namespaces.empty()) {
      bool allowed = false;
      for (const std::string& pattern : signer.namespaces) allowed = allowed || GlobMatch(pattern, name_space);
      if (!allowed) continue;
    }
    if (signer.valid_after && at < *signer.valid_after) continue;
    if (signer.valid_before && at >= *signer.valid_before) continue;
    return signer.principals.empty() ? std::string() : signer.principals.front();
  }
  return std::nullopt;
}

}  // namespace daybook::crypto
