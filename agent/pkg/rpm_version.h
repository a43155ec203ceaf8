// rpm's version order, so "the newest advisory" means what rpm and dnf mean
// by newest: 1.0-10 after 1.0-2, an epoch before everything, `~` before
// nothing and `^` after nothing. A faithful port of rpm 4.18's
// rpmio/rpmvercmp.c and rpmverCmp(); checked against the real rpm's
// rpm.vercmp() in tests/agent/dnf_real_test.cc. No librpm: the agent runs on
// Debian hosts too, where linking it would be a dependency for nothing.
#pragma once

#include <string>
#include <string_view>

namespace daybook::agent {

// rpmvercmp(): -1, 0 or 1 for one version or release string.
int RpmVerCmp(std::string_view a, std::string_view b);

// [EPOCH:]VERSION[-RELEASE], as dnf and rpm print it.
struct RpmEvr {
  std::string epoch;  // empty means 0
  std::string version;
  std::string release;  // empty when not given
  static RpmEvr Parse(std::string_view evr);
};

// rpm.vercmp() on EVR strings: epoch, then version, then release, each by
// RpmVerCmp; a missing release is empty ("1.0" < "1.0-5", as the real rpm
// 4.18 answers; the contract test holds it).
int RpmEvrCompare(std::string_view a, std::string_view b);

}  // namespace daybook::agent
