// daybook.toml: the controller's settings for one fleet repository.
#pragma once

#include <string>

#include "core/base/duration.h"
#include "core/base/result.h"

namespace daybook::controller {

struct FleetConfig {
  std::string operator_key = "~/.ssh/id_ed25519";  // used when no ssh-agent offers an allowed key
  std::string journal_dir = "journal";               // relative to the fleet repository
  std::string journal_signing_key = ".daybook/journal.key";
  std::string journal_origin;                        // checkpoint origin line; empty = derived
  int parallel = 100;
  Duration connect_timeout = std::chrono::seconds(10);
};

// Strict parse; kInvalidInput with positioned diagnostics on any problem.
Result<FleetConfig> ParseFleetConfig(const SourceFile& file);

}  // namespace daybook::controller
