// Small string helpers shared by the parsers and the CLI.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daybook {

std::vector<std::string> Split(std::string_view text, char separator);
std::string_view Trim(std::string_view text);
std::string Join(const std::vector<std::string>& parts, std::string_view separator);
bool StartsWith(std::string_view text, std::string_view prefix);

// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely
// typo (distance at most 2, and less than half the word), else nullopt.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

// `"word"` with quotes and control characters escaped, for messages.
std::string Quoted(std::string_view word);

// Names of hosts, groups, deploys: [A-Za-z0-9][A-Za-z0-9._-]*, at most 253 chars.
bool IsValidName(std::string_view name);

// Deploy names also name the agent's files ("<name>.json.tmp-XXXXXX",
// "<name>.lock" under its state dir), which a file system caps at 255
// bytes: a valid name of at most kMaxDeployName chars.
constexpr size_t kMaxDeployName = 200;
bool IsValidDeployName(std::string_view name);

}  // namespace daybook
