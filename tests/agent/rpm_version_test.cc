// rpm's version order (agent/pkg/rpm_version.h) on rpm's own vectors.
#include <doctest/doctest.h>

#include <string>

#include "agent/pkg/rpm_version.h"
#include "tests/agent/rpm_vectors.h"

namespace daybook::agent {
namespace {

TEST_CASE("rpmvercmp: rpm's own vectors") {
  for (const testing::VerCmpVector& v : testing::kRpmVerCmpVectors) {
    INFO(v.a << " vs " << v.b);
    CHECK(RpmVerCmp(v.a, v.b) == v.expected);
  }
}

TEST_CASE("rpm EVR order: epoch first, then version, then release") {
  for (const testing::VerCmpVector& v : testing::kRpmEvrVectors) {
    INFO(v.a << " vs " << v.b);
    CHECK(RpmEvrCompare(v.a, v.b) == v.expected);
  }
  RpmEvr evr = RpmEvr::Parse("2:10.20.30-2.el9_4.demo");
  CHECK(evr.epoch == "2");
  CHECK(evr.version == "10.20.30");
  CHECK(evr.release == "2.el9_4.demo");
}

TEST_CASE("rpmvercmp: long digit runs compare as numbers without overflow") {
  CHECK(RpmVerCmp("1.123456789012345678901234567890", "1.123456789012345678901234567889") == 1);
  CHECK(RpmVerCmp("1.0000000000000000000000000000001", "1.1") == 0);
  CHECK(RpmVerCmp("", "") == 0);
  CHECK(RpmVerCmp("", "1") == -1);
}

}  // namespace
}  // namespace daybook::agent
