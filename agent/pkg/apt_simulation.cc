#include "agent/pkg/apt_simulation.h"

#include "core/base/strings.h"

namespace daybook::agent {
namespace {

AptRelease ParseRelease(std::string rel) {
  // "Label:Suite", "Label:Version/Suite", or a bare "Suite".
  AptRelease release;
  size_t colon = rel.rfind(':');
  if (colon != std::string::npos) {
    release.label = rel.substr(0, colon);
    rel = rel.substr(colon + 1);
  }
  size_t slash = rel.rfind('/');
  release.suite = slash == std::string::npos ? rel : rel.substr(slash + 1);
  return release;
}

// "Inst NAME [FROM] (TO REL, REL [ARCH])" with an optional trailing " [...]".
Result<AptChange> ParseInst(std::string_view line) {
  auto bad = [&] { return MakeError(ErrorCode::kFailed, "unreadable apt-get line: " + std::string(line)); };
  std::string_view rest = line.substr(5);
  AptChange change;
  size_t space = rest.find(' ');
  if (space == std::string_view::npos) return bad();
  change.name = std::string(rest.substr(0, space));
  rest.remove_prefix(space + 1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find("] ");
    if (close == std::string_view::npos) return bad();
    change.from = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 2);
  }
  if (rest.empty() || rest.front() != '(') return bad();
  size_t end = rest.find(')');
  if (end == std::string_view::npos) return bad();
  std::string_view inside = rest.substr(1, end - 1);  // "TO REL, REL [ARCH]"
  size_t arch_open = inside.rfind(" [");
  if (arch_open == std::string_view::npos || inside.back() != ']') return bad();
  change.arch = std::string(inside.substr(arch_open + 2, inside.size() - arch_open - 3));
  inside = inside.substr(0, arch_open);
  space = inside.find(' ');
  if (space == std::string_view::npos) return bad();
  change.to = std::string(inside.substr(0, space));
  for (const std::string& rel : Split(inside.substr(space + 1), ',')) {
    std::string trimmed(Trim(rel));
    if (!trimmed.empty()) change.releases.push_back(ParseRelease(trimmed));
  }
  // A name apt-get is given back later: never one that reads as an option.
  if (change.name.empty() || change.name.front() == '-' || change.to.empty() || change.releases.empty()) return bad();
  return change;
}

}  // namespace

Result<AptSimulation> ParseAptSimulation(std::string_view output) {
  AptSimulation sim;
  bool in_kept_back = false;
  for (const std::string& raw : Split(output, '\n')) {
    std::string_view line = raw;
    if (in_kept_back) {
      if (StartsWith(line, "  ")) {
        for (const std::string& name : Split(Trim(line), ' ')) {
          if (!name.empty()) sim.kept_back.push_back(name);
        }
        continue;
      }
      in_kept_back = false;
    }
    if (StartsWith(line, "The following packages have been kept back:")) {
      in_kept_back = true;
    } else if (StartsWith(line, "Inst ")) {
      Result<AptChange> change = ParseInst(line);
      if (!change) return change.error();
      sim.installs.push_back(std::move(*change));
    } else if (StartsWith(line, "Remv ")) {
      std::string_view rest = line.substr(5);
      sim.removals.emplace_back(rest.substr(0, rest.find(' ')));
    } else if (StartsWith(line, "Skipping ")) {
      std::string_view rest = line.substr(9);
      sim.skipped.emplace_back(rest.substr(0, rest.find(',')));
    }
  }
  return sim;
}

}  // namespace daybook::agent
