#include "agent/pkg/rpm_version.h"

namespace daybook::agent {
namespace {

// rpm's risalpha/risdigit: ASCII only, whatever the locale.
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }

int Sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

}  // namespace

// Segment by segment, as rpmvercmp.c walks two C strings; indexes past the
// end read as NUL, which is what the C code's terminators are.
int RpmVerCmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  auto at = [](std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; };
  size_t one = 0, two = 0;
  while (at(a, one) != '\0' || at(b, two) != '\0') {
    while (at(a, one) != '\0' && !IsAlnum(at(a, one)) && at(a, one) != '~' && at(a, one) != '^') ++one;
    while (at(b, two) != '\0' && !IsAlnum(at(b, two)) && at(b, two) != '~' && at(b, two) != '^') ++two;
    char c1 = at(a, one), c2 = at(b, two);
    // A tilde sorts before everything, the end of the string included.
    if (c1 == '~' || c2 == '~') {
      if (c1 != '~') return 1;
      if (c2 != '~') return -1;
      ++one, ++two;
      continue;
    }
    // A caret sorts after the end of the string, before anything else.
    if (c1 == '^' || c2 == '^') {
      if (c1 == '\0') return -1;
      if (c2 == '\0') return 1;
      if (c1 != '^') return 1;
      if (c2 != '^') return -1;
      ++one, ++two;
      continue;
    }
    if (c1 == '\0' || c2 == '\0') break;
    size_t end1 = one, end2 = two;
    bool numeric = IsDigit(c1);
    if (numeric) {
      while (IsDigit(at(a, end1))) ++end1;
      while (IsDigit(at(b, end2))) ++end2;
    } else {
      while (IsAlpha(at(a, end1))) ++end1;
      while (IsAlpha(at(b, end2))) ++end2;
    }
    // One numeric segment against an alpha one: numeric is newer.
    if (end2 == two) return numeric ? 1 : -1;
    std::string_view s1 = a.substr(one, end1 - one), s2 = b.substr(two, end2 - two);
    if (numeric) {
      // Digits of any length: leading zeros dropped, then the longer wins.
      while (!s1.empty() && s1.front() == '0') s1.remove_prefix(1);
      while (!s2.empty() && s2.front() == '0') s2.remove_prefix(1);
      if (s1.size() != s2.size()) return s1.size() > s2.size() ? 1 : -1;
    }
    if (int rc = s1.compare(s2); rc != 0) return Sign(rc);
    one = end1, two = end2;
  }
  // Equal segments; different separators only, or one has more left.
  if (at(a, one) == '\0' && at(b, two) == '\0') return 0;
  return at(a, one) == '\0' ? -1 : 1;
}

RpmEvr RpmEvr::Parse(std::string_view evr) {
  RpmEvr out;
  if (size_t colon = evr.find(':'); colon != std::string_view::npos) {
    out.epoch = std::string(evr.substr(0, colon));
    evr.remove_prefix(colon + 1);
  }
  if (size_t dash = evr.rfind('-'); dash != std::string_view::npos) {
    out.release = std::string(evr.substr(dash + 1));
    evr = evr.substr(0, dash);
  }
  out.version = std::string(evr);
  return out;
}

int RpmEvrCompare(std::string_view a, std::string_view b) {
  RpmEvr x = RpmEvr::Parse(a), y = RpmEvr::Parse(b);
  int rc = RpmVerCmp(x.epoch.empty() ? "0" : x.epoch, y.epoch.empty() ? "0" : y.epoch);
  if (rc == 0) rc = RpmVerCmp(x.version, y.version);
  if (rc == 0) rc = RpmVerCmp(x.release, y.release);
  return rc;
}

}  // namespace daybook::agent
