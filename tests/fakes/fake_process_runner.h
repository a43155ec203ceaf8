// ProcessRunner fake: answers each command line (argv joined by spaces,
// matched by prefix) with a scripted result, and records what was run.
// A script added with OnOnce answers once, then the next match answers
// (the same query before and after a change).
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
    uses.push_back(-1);
  }
  void OnOnce(std::string prefix, int exit_code, std::string out, std::string err = "") {
    On(std::move(prefix), exit_code, std::move(out), std::move(err));
    uses.back() = 1;
  }

  Result<exec::ProcessResult> Run(const exec::ProcessSpec& spec) override {
    std::string line = Join(spec.argv, " ");
    ran.push_back(line);
    specs.push_back(spec);
    for (size_t i = 0; i < scripts.size(); ++i) {
      if (uses[i] == 0 || !StartsWith(line, scripts[i].first)) continue;
      if (uses[i] > 0) --uses[i];
      return scripts[i].second;
    }
    return MakeError(ErrorCode::kNotFound, "not scripted: " + line);
  }

  std::vector<std::pair<std::string, exec::ProcessResult>> scripts;
  std::vector<int> uses;  // per script: answers left, -1 for any number
  std::vector<std::string> ran;
  std::vector<exec::ProcessSpec> specs;  // what was run, environment included
};

}  // namespace daybook::testing
