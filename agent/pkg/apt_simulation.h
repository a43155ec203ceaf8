// What `apt-get -s` says it would do (LC_ALL=C), parsed: one line per
// package action, and the packages it keeps back. The format, checked on
// apt 2.6 (notes/apt-sandbox.md §4):
//   Inst NAME [INSTALLED] (CANDIDATE REL[, REL...] [ARCH])   (no [INSTALLED]: new)
//   Remv NAME [INSTALLED]
// where REL is "Label:Suite" or "Label:Version/Suite"; apt prints the Label,
// not the Origin (apt_origins.h finds it in `apt-cache policy`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace daybook::agent {

struct AptRelease {
  std::string label;  // may be empty (a Release without Label)
  std::string suite;  // "bookworm-security", "stable-security"...
};

struct AptChange {
  std::string name;
  std::string from;  // installed version; empty for a new package
  std::string to;    // candidate version
  std::vector<AptRelease> releases;  // where the candidate comes from
  std::string arch;
};

struct AptSimulation {
  std::vector<AptChange> installs;      // Inst lines, in apt's order
  std::vector<std::string> removals;    // Remv lines
  std::vector<std::string> kept_back;   // "have been kept back" list
  std::vector<std::string> skipped;     // "Skipping X, it is not installed..." lines
};

// kFailed when an Inst line cannot be read (the output format changed:
// better to stop than to guess).
Result<AptSimulation> ParseAptSimulation(std::string_view output);


}  // namespace daybook::agent
