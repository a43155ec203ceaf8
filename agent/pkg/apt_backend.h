// The apt backend of PackageManager: apt-get and dpkg run through the
// ProcessRunner with LC_ALL=C and DEBIAN_FRONTEND=noninteractive. With
// `root` other than "/", a generated APT_CONFIG relocates apt into that root
// and passes dpkg `--root` and `--log` (notes/apt-sandbox.md §3): host hooks
// are never read and the host's packages are never touched.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/pkg/package_manager.h"
#include "core/base/filesystem.h"
#include "core/exec/process_runner.h"

namespace daybook::agent {

struct AptSettings {
  std::string root = "/";
  std::filesystem::path state_dir;                              // holds apt/apt.conf when root != "/"
  std::vector<std::string> security_suites = {"*-security"};    // globs on the Release suite
  std::chrono::seconds lock_timeout{std::chrono::minutes(2)};   // waiting for the dpkg lock
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // one apt-get run
};

std::unique_ptr<PackageManager> MakeAptBackend(Filesystem& fs, exec::ProcessRunner& runner, AptSettings settings);

}  // namespace daybook::agent
