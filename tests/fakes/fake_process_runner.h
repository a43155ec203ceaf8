// ProcessRunner fake: answers each command line (argv joined by spaces,
// matched by prefix) with a scripted result, and records what was run.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/base/strings.h"
#include "core/exec/process_runner.h"

namespace daybook::testing {

class FakeProcessRunner final : public exec::ProcessRunner {
 public:
  // The first script whose prefix starts the command line answers it.
  void On(std::string prefix, int exit_code, std::string out, std::string err = "") {
    scripts.push_back({std::move(prefix), exec::ProcessResult{exit_code, 0, false, std::move(out), std::move(err)}});
  }

  Result<exec::ProcessResult> Run(const exec::ProcessSpec& spec) override {
    std::string line = Join(spec.argv, " ");
    ran.push_back(line);
    for (const auto& [prefix, result] : scripts) {
      if (StartsWith(line, prefix)) return result;
    }
    return MakeError(ErrorCode::kNotFound, "not scripted: " + line);
  }

  std::vector<std::pair<std::string, exec::ProcessResult>> scripts;
  std::vector<std::string> ran;
};

}  // namespace daybook::testing
