#include "agent/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <tuple>

#include "core/base/duration.h"
#include "core/base/strings.h"
#include "core/schema/toml_reader.h"

namespace daybook::agent {
namespace {

using schema::TableReader;

bool IsAbsoluteClean(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path == "/") return true;
  if (path.back() == '/') return false;
  for (const std::string& part : Split(path.substr(1), '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

// "127.0.0.1:7022", "[::1]:7022", "0.0.0.0:0".
bool ParseListen(const std::string& text, std::string& address, int& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  std::string digits = text.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  port = std::stoi(digits);
  unsigned char buf[16];
  bool ip = ::inet_pton(AF_INET, address.c_str(), buf) == 1 || ::inet_pton(AF_INET6, address.c_str(), buf) == 1;
  return ip && port <= 65535;
}

// "10:30:100" (or "10", OpenSSH's short form: start = full, no early drop).
bool ParseStartups(const std::string& text, AgentConfig& config) {
  std::vector<std::string> parts = Split(text, ':');
  if (parts.size() != 1 && parts.size() != 3) return false;
  std::vector<int> numbers;
  for (const std::string& part : parts) {
    if (part.empty() || part.size() > 5 || part.find_first_not_of("0123456789") != std::string::npos) return false;
    numbers.push_back(std::stoi(part));
  }
  if (numbers.size() == 1) numbers = {numbers[0], 100, numbers[0]};
  if (numbers[0] < 1 || numbers[0] > numbers[2] || numbers[1] < 1 || numbers[1] > 100) return false;
  config.startups_start = numbers[0];
  config.startups_rate = numbers[1];
  config.startups_full = numbers[2];
  return true;
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(const SourceFile& file) {
  Diagnostics diags(file.path);
  AgentConfig config;
  if (std::optional<toml::table> doc = schema::ParseDocument(file.text, diags)) {
    TableReader reader(*doc, file.path, diags);
    if (auto listen = reader.String("listen")) {
      if (!ParseListen(listen->value, config.listen_address, config.listen_port)) {
        diags.Error(listen->pos, "bad listen address " + Quoted(listen->value) +
                                     ": expected IP:PORT, like \"127.0.0.1:7022\" or \"[::1]:7022\" (port 0 = any)");
      }
    }
    for (auto [key, into] : {std::pair{"state_dir", &config.state_dir},
                             std::pair{"authorized_operators", &config.authorized_operators},
                             std::pair{"root", &config.root}}) {
      if (auto value = reader.String(key)) {
        if (!IsAbsoluteClean(value->value)) {
          diags.Error(value->pos, std::string(key) + " " + Quoted(value->value) + " must be an absolute, normalised path");
        }
        *into = value->value;
      }
    }
    if (auto roots = reader.StringArray("deploy_roots")) {
      config.deploy_roots.clear();
      for (const auto& root : *roots) {
        if (!IsAbsoluteClean(root.value) || root.value == "/") {
          diags.Error(root.pos, "deploy root " + Quoted(root.value) + " must be an absolute, normalised path other than /");
        }
        config.deploy_roots.push_back(root.value);
      }
    }
    if (auto backend = reader.String("package_backend")) {
      const std::vector<std::string> kBackends{"apt", "dnf", "none", "auto"};
      if (std::find(kBackends.begin(), kBackends.end(), backend->value) == kBackends.end()) {
        diags.Error(backend->pos, "bad package_backend " + Quoted(backend->value) + ": expected apt, dnf, none or auto");
      }
      config.package_backend = backend->value;
    }
    if (auto max = reader.Integer("max_sessions")) {
      if (max->value < 1 || max->value > 10000) diags.Error(max->pos, "max_sessions out of range 1-10000");
      config.max_sessions = static_cast<int>(max->value);
    }
    if (auto startups = reader.String("max_startups")) {
      if (!ParseStartups(startups->value, config)) {
        diags.Error(startups->pos, "bad max_startups " + Quoted(startups->value) +
                                       ": expected START:RATE:FULL with START <= FULL and RATE 1-100, like \"10:30:100\"");
      }
    }
    for (auto [key, into, low, high] : {std::tuple{"per_source_max_startups", &config.per_source_max_startups, 1, 10000},
                                        std::tuple{"max_auth_tries", &config.max_auth_tries, 1, 100}}) {
      if (auto n = reader.Integer(key)) {
        if (n->value < low || n->value > high) {
          diags.Error(n->pos, std::string(key) + " out of range " + std::to_string(low) + "-" + std::to_string(high));
        }
        *into = static_cast<int>(std::clamp<int64_t>(n->value, low, high));
      }
    }
    for (auto [key, into, low] : {std::tuple{"max_pack_size", &config.max_pack_size, int64_t{1} << 20},
                                  std::tuple{"max_object_size", &config.max_object_size, int64_t{1} << 10},
                                  std::tuple{"max_pack_inflated", &config.max_pack_inflated, int64_t{1} << 20},
                                  std::tuple{"max_pack_objects", &config.max_pack_objects, int64_t{1}}}) {
      if (auto n = reader.Integer(key)) {
        if (n->value < low || n->value > (int64_t{1} << 40)) {
          diags.Error(n->pos, std::string(key) + " out of range " + std::to_string(low) + "-1099511627776 bytes");
        }
        *into = static_cast<uint64_t>(std::clamp<int64_t>(n->value, low, int64_t{1} << 40));
      }
    }
    if (auto frame = reader.Integer("max_frame")) {
      if (frame->value < 1024 || frame->value > (int64_t{1} << 30)) diags.Error(frame->pos, "max_frame out of range 1024-1073741824 bytes");
      config.max_frame = static_cast<uint32_t>(frame->value);
    }
    for (auto [key, into] : {std::pair{"login_grace", &config.login_grace}, std::pair{"lock_timeout", &config.lock_timeout},
                             std::pair{"patch_timeout", &config.patch_timeout}}) {
      if (auto text = reader.String(key)) {
        Result<Duration> d = ParseDuration(text->value);
        if (!d || d->count() <= 0) {
          diags.Error(text->pos, d ? std::string(key) + " must be longer than 0s" : d.error().message);
        } else {
          *into = *d;
        }
      }
    }
    // These two may be "0s": off.
    for (auto [key, into] : {std::pair{"per_source_penalty", &config.per_source_penalty},
                             std::pair{"trust_authenticated_sources", &config.trust_authenticated_sources}}) {
      if (auto text = reader.String(key)) {
        Result<Duration> d = ParseDuration(text->value);
        if (!d) {
          diags.Error(text->pos, d.error().message);
        } else {
          *into = *d;
        }
      }
    }
    if (doc->contains("security_origins") && doc->contains("security_suites")) {
      diags.Error(schema::PosOf(*doc->get("security_suites")), "security_suites and security_origins both set: keep security_origins");
    }
    for (const char* key : {"security_origins", "security_suites"}) {
      auto patterns = reader.StringArray(key);
      if (!patterns) continue;
      bool suites_only = std::string(key) == "security_suites";
      config.security_origins.clear();
      for (const auto& pattern : *patterns) {
        std::string text = suites_only ? "suite=" + pattern.value : pattern.value;
        if (suites_only && pattern.value.empty()) {
          diags.Error(pattern.pos, "empty security suite pattern");
        } else if (Result<OriginPattern> parsed = ParseOriginPattern(text); !parsed) {
          diags.Error(pattern.pos, parsed.error().message);
        }
        config.security_origins.push_back(text);
      }
      if (patterns->empty()) diags.Error(schema::PosOf(*doc->get(key)), std::string(key) + " must name at least one pattern");
    }
    if (auto command = reader.StringArray("reboot_command")) {
      config.reboot_command.clear();
      config.reboot_command_set = true;
      for (const auto& arg : *command) config.reboot_command.push_back(arg.value);
      if (config.reboot_command.empty() || config.reboot_command[0].empty()) {
        diags.Error(schema::PosOf(*doc->get("reboot_command")), "reboot_command must name a command");
      }
    }
    if (auto records = reader.String("login_records")) {
      const std::vector<std::string> kSources{"auto", "journald", "auth-log", "none"};
      if (std::find(kSources.begin(), kSources.end(), records->value) == kSources.end()) {
        std::string message = "bad login_records " + Quoted(records->value) + ": expected auto, journald, auth-log or none";
        if (std::optional<std::string> close = ClosestMatch(records->value, kSources)) message += "; did you mean " + Quoted(*close) + "?";
        diags.Error(records->pos, message);
      } else {
        config.login_records = records->value;
      }
    }
    if (auto log = reader.String("auth_log")) {
      if (!IsAbsoluteClean(log->value)) diags.Error(log->pos, "auth_log " + Quoted(log->value) + " must be an absolute, normalised path");
      else config.auth_log = log->value;
    }
    if (auto boot = reader.String("boot_id_file")) {
      if (!IsAbsoluteClean(boot->value)) diags.Error(boot->pos, "boot_id_file " + Quoted(boot->value) + " must be an absolute, normalised path");
      config.boot_id_file = boot->value;
    }
    reader.RejectUnknownKeys();
  }
  if (diags.has_errors()) return Error{ErrorCode::kInvalidInput, "invalid " + file.path, diags.Take()};
  return config;
}

}  // namespace daybook::agent
