// The agent's configuration (/etc/daybook/agent.toml), parsed strictly.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "agent/pkg/apt_origins.h"
#include "core/base/result.h"

namespace daybook::agent {

struct AgentConfig {
  std::string listen_address = "127.0.0.1";
  int listen_port = 7022;                     // 0 = pick one and print it
  std::string state_dir = "/var/lib/daybook";
  std::string authorized_operators = "/etc/daybook/authorized_operators";
  std::string root = "/";                     // every path a manifest names is taken under it
  std::vector<std::string> deploy_roots = {"/srv"};
  std::string package_backend = "auto";       // apt | dnf | none | auto
  int max_sessions = 64;                      // authenticated sessions at once
  // Unauthenticated connections, as OpenSSH's MaxStartups start:rate:full
  // and PerSourceMaxStartups (core/transport/startup_gate.h).
  int startups_start = 10;
  int startups_rate = 30;
  int startups_full = 100;
  int per_source_max_startups = 8;
  std::chrono::milliseconds per_source_penalty{std::chrono::seconds(30)};  // after a login grace expiry or max_auth_tries
  std::chrono::milliseconds trust_authenticated_sources{std::chrono::hours(24)};  // admitted even when max_startups is full
  int max_auth_tries = 6;                     // public keys offered per connection
  std::chrono::milliseconds login_grace{std::chrono::seconds(20)};
  uint32_t max_frame = 8u << 20;   // a request frame (pack.data carries 1 MiB, base64)
  uint64_t max_pack_size = 2ull << 30;        // bytes of one received pack
  uint64_t max_object_size = 256ull << 20;    // inflated bytes of one object in it
  uint64_t max_pack_inflated = 2ull << 30;    // inflated bytes of all its objects and delta results
  uint64_t max_pack_objects = 1'000'000;      // objects in it
  // Package patching (agent/pkg).
  // apt: the releases that carry security fixes, as unattended-upgrades'
  // Origins-Pattern (agent/pkg/apt_origins.h); `security_suites` (older,
  // suite globs only) sets them to "suite=GLOB" patterns.
  std::vector<std::string> security_origins = kDefaultSecurityOrigins;
  std::chrono::milliseconds lock_timeout{std::chrono::minutes(2)};   // waiting for the dpkg / rpm lock
  std::chrono::milliseconds patch_timeout{std::chrono::minutes(30)}; // one package tool run
  // With a `root` other than "/" (a sandbox) there is no default: systemctl
  // reboot would reboot this host for what a sandbox's packages asked.
  std::vector<std::string> reboot_command = {"systemctl", "reboot"};
  bool reboot_command_set = false;  // reboot_command came from the file
  std::string boot_id_file = "/proc/sys/kernel/random/boot_id";     // tests point it into a sandbox
  // Where the host's own login records are read (login_sources.h): journald,
  // auth-log (the file `auth_log`), none, or auto: journald when the host
  // runs it, else the auth log when there is one. With a `root` other than
  // "/", auto is none: a sandbox has no logins of its own.
  std::string login_records = "auto";
  std::string auth_log = "/var/log/auth.log";
};

// kInvalidInput with every problem positioned.
Result<AgentConfig> ParseAgentConfig(const SourceFile& file);

}  // namespace daybook::agent
