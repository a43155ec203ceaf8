#include "core/base/result.h"

#include <doctest/doctest.h>

using namespace daybook;

namespace {
Result<int> Half(int n) {
  if (n % 2 != 0) return MakeError(ErrorCode::kInvalidInput, std::to_string(n) + " is odd");
  return n / 2;
}
}  // namespace

TEST_CASE("result: value or error, with context added on the way up") {
  Result<int> ok = Half(4);
  REQUIRE(ok.ok());
  CHECK(*ok == 2);
  Result<int> bad = Half(3);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidInput);
  Error e = std::move(bad).error().WithContext("host web-03");
  CHECK(e.message == "host web-03: 3 is odd");
}

TEST_CASE("diagnostics: format and order") {
  Diagnostics diags("m.toml");
  diags.Error({12, 3}, "unknown key \"pakage\"");
  diags.Warning({2, 1}, "deprecated");
  diags.Error({}, "whole file");
  CHECK(diags.has_errors());
  std::vector<Diagnostic> all = diags.Take();
  CHECK(all[0].ToString() == "m.toml:12:3: error: unknown key \"pakage\"");
  CHECK(all[1].ToString() == "m.toml:2:1: warning: deprecated");
  CHECK(all[2].ToString() == "m.toml: error: whole file");
  SortDiagnostics(all);
  CHECK(all[0].pos.line == 0);
  CHECK(all[1].pos.line == 2);
  CHECK(all[2].pos.line == 12);
}
