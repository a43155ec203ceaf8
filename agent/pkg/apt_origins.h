// Which apt releases carry security fixes, decided the way Debian's
// unattended-upgrades decides (its Unattended-Upgrade::Origins-Pattern,
// see unattended-upgrades(8) and 50unattended-upgrades): a pattern is
// "key=value,key=value..." over a release's Origin, Label, Suite (archive)
// and Codename, every key must match, and values are globs. Keys, with
// u-u's short forms: origin (o), label (l), suite or archive (a),
// codename (n).
//
// `apt-get -s` names a candidate's release by Label and Suite only
// ("Debian-Security:12/stable-security"); the Origin comes from `apt-cache
// policy` (no argument), whose "release" lines give every source's
//   release v=12,o=Debian,a=stable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/pkg/apt_simulation.h"
#include "core/base/result.h"

namespace daybook::agent {

// The default: Debian's security archive and Ubuntu's security pockets.
// A third-party repository whose suite merely ends in "-security" is not
// one of them.
inline const std::vector<std::string> kDefaultSecurityOrigins = {
    "origin=Debian,label=Debian-Security",
    "origin=Ubuntu,suite=*-security",
};

// One source's Release fields, from `apt-cache policy`.
struct AptSource {
  std::string origin, label, archive, codename;
};

// The "release" lines of `apt-cache policy` (unknown fields ignored).
std::vector<AptSource> ParseAptPolicySources(std::string_view output);

struct OriginPattern {
  std::vector<std::pair<std::string, std::string>> fields;  // canonical key ("origin"...), glob
};

// kInvalidInput naming the part that is wrong: an unknown key, a part
// without '=', an empty pattern.
Result<OriginPattern> ParseOriginPattern(std::string_view text);

// The releases of `change` as a pattern would name them, for a message
// that says what to write in security_origins:
// "o=Demo,l=Demo,a=bookworm,n=bookworm" (several joined by " or ").
std::string DescribeSources(const AptChange& change, const std::vector<AptSource>& sources);

// Whether a release of `change` matches one of `patterns`: the sources
// with the release's label whose archive or codename is the release's
// suite give its origin and codename.
bool IsFromOrigins(const AptChange& change, const std::vector<AptSource>& sources,
                   const std::vector<OriginPattern>& patterns);

}  // namespace daybook::agent
