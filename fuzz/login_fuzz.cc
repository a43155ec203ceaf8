// Fuzz target: the host's login records as the agent reads them (journald
// entries and auth log lines are text any local user can shape: a user
// name, a sudo command line), into access log lines. The first byte picks
// the program the record claims, the rest is the message; the whole input
// is also read as an auth log line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/login_events.h"
#include "core/base/text.h"
#include "core/journal/canonical.h"

using namespace daybook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* programs[] = {"sshd", "sudo", "su", "login"};
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  agent::LoginRecord record{"cursor", TimePoint{}, programs[data[0] % 4], text};
  if (std::optional<journal::Json> event = agent::ReadLoginEvent(record)) {
    // What the access log writes: canonical JSON, valid UTF-8 throughout.
    std::string line = journal::Canonical(*event);
    if (!IsValidUtf8(line)) __builtin_trap();
  }
  std::string all(reinterpret_cast<const char*>(data), size);
  if (std::optional<agent::LoginRecord> parsed = agent::ParseSyslogLine(all, 2026)) (void)agent::ReadLoginEvent(*parsed);
  return 0;
}
