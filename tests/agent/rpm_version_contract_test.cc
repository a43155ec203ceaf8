// Contract: our rpmvercmp port agrees with the real rpm (rpm.vercmp() of
// rpm's embedded Lua, which calls librpm's rpmvercmp/rpmverCmp) on every
// vector, in one rpm run. Needs rpm (scripts/install-deps installs it).
#include <doctest/doctest.h>

#include <string>

#include "agent/pkg/rpm_version.h"
#include "core/base/strings.h"
#include "core/exec/process_runner.h"
#include "tests/agent/rpm_vectors.h"

namespace daybook::agent {
namespace {

template <size_t N>
void CheckAgainstRpm(const testing::VerCmpVector (&vectors)[N]) {
  std::string lua = "%{lua:";
  for (const testing::VerCmpVector& v : vectors) {
    lua += "print(rpm.vercmp(\"" + std::string(v.a) + "\", \"" + std::string(v.b) + "\")) print(\"\\n\") ";
  }
  lua += "}";
  std::unique_ptr<exec::ProcessRunner> runner = exec::MakeBoostProcessRunner();
  Result<exec::ProcessResult> ran = runner->Run(exec::ProcessSpec::Of({"rpm", "--eval", lua}));
  REQUIRE(ran);
  REQUIRE(ran->ok());
  std::vector<std::string> answers;
  for (const std::string& line : Split(ran->out, '\n')) {
    if (!line.empty()) answers.push_back(line);
  }
  REQUIRE(answers.size() == N);
  for (size_t i = 0; i < N; ++i) {
    INFO(vectors[i].a << " vs " << vectors[i].b);
    int real = std::stoi(answers[i]);
    CHECK(real == vectors[i].expected);
    CHECK(RpmEvrCompare(vectors[i].a, vectors[i].b) == real);
  }
}

TEST_CASE("rpm contract: rpm.vercmp agrees with the vectors and with RpmEvrCompare") {
  CheckAgainstRpm(testing::kRpmVerCmpVectors);
  CheckAgainstRpm(testing::kRpmEvrVectors);
}

}  // namespace
}  // namespace daybook::agent
