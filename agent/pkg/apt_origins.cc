#include "agent/pkg/apt_origins.h"

#include <algorithm>

#include "core/base/glob.h"
#include "core/base/strings.h"

namespace daybook::agent {

namespace {

// u-u's short forms and our words for the same fields.
std::string CanonicalKey(std::string_view key) {
  if (key == "o" || key == "origin") return "origin";
  if (key == "l" || key == "label") return "label";
  if (key == "a" || key == "archive" || key == "suite") return "suite";
  if (key == "n" || key == "codename") return "codename";
  return "";
}

bool Matches(const OriginPattern& pattern, const AptSource& source) {
  for (const auto& [key, glob] : pattern.fields) {
    const std::string& value = key == "origin" ? source.origin
                               : key == "label" ? source.label
                               : key == "suite" ? source.archive
                                                : source.codename;
    if (!GlobMatch(glob, value)) return false;
  }
  return true;
}

}  // namespace

std::vector<AptSource> ParseAptPolicySources(std::string_view output) {
  std::vector<AptSource> sources;
  for (const std::string& raw : Split(output, '\n')) {
    std::string_view line = Trim(raw);
    if (!StartsWith(line, "release ")) continue;
    AptSource source;
    for (const std::string& part : Split(line.substr(8), ',')) {
      size_t eq = part.find('=');
      if (eq == std::string::npos) continue;
      std::string key = part.substr(0, eq), value = part.substr(eq + 1);
      if (key == "o") source.origin = value;
      if (key == "l") source.label = value;
      if (key == "a") source.archive = value;
      if (key == "n") source.codename = value;
    }
    sources.push_back(std::move(source));
  }
  return sources;
}

Result<OriginPattern> ParseOriginPattern(std::string_view text) {
  OriginPattern pattern;
  if (Trim(text).empty()) return MakeError(ErrorCode::kInvalidInput, "empty origin pattern");
  for (const std::string& part : Split(text, ',')) {
    size_t eq = part.find('=');
    if (eq == std::string::npos) {
      return MakeError(ErrorCode::kInvalidInput, "\"" + part + "\" is not key=value (keys: origin, label, suite, codename)");
    }
    std::string key = CanonicalKey(Trim(part.substr(0, eq)));
    if (key.empty()) {
      return MakeError(ErrorCode::kInvalidInput, "unknown key \"" + std::string(Trim(part.substr(0, eq))) +
                                                     "\" (keys: origin or o, label or l, suite or a, codename or n)");
    }
    pattern.fields.emplace_back(key, std::string(Trim(part.substr(eq + 1))));
  }
  return pattern;
}

namespace {

// The sources apt-cache policy lists for one release apt-get -s named.
bool IsSourceOf(const AptSource& source, const AptRelease& release) {
  return source.label == release.label && (source.archive == release.suite || source.codename == release.suite);
}

}  // namespace

std::string DescribeSources(const AptChange& change, const std::vector<AptSource>& sources) {
  std::vector<std::string> named;
  for (const AptRelease& release : change.releases) {
    for (const AptSource& source : sources) {
      if (!IsSourceOf(source, release)) continue;
      std::string text = "o=" + source.origin + ",l=" + source.label + ",a=" + source.archive + ",n=" + source.codename;
      if (std::find(named.begin(), named.end(), text) == named.end()) named.push_back(text);
    }
  }
  return named.empty() ? "a release apt-cache policy does not list" : Join(named, " or ");
}

bool IsFromOrigins(const AptChange& change, const std::vector<AptSource>& sources,
                   const std::vector<OriginPattern>& patterns) {
  for (const AptRelease& release : change.releases) {
    for (const AptSource& source : sources) {
      if (!IsSourceOf(source, release)) continue;
      for (const OriginPattern& pattern : patterns) {
        if (Matches(pattern, source)) return true;
      }
    }
  }
  return false;
}

}  // namespace daybook::agent
