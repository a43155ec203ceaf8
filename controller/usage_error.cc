// A command line CLI11 refused, said in the project's words: which
// command, flag or value was not understood, and the nearest one that
// exists ("did you mean"). CLI11's own messages ("A subcommand is
// required", "Check yaml value in {json->1,...} FAILED") name its
// internals, not what the operator typed.
#include "controller/usage_error.h"

#include <algorithm>
#include <optional>

#include "core/base/strings.h"

namespace daybook::controller {
namespace {

bool IsFlag(const std::string& word) { return word.size() > 1 && word[0] == '-'; }

// "--yes=1" → "--yes"; "-o" stays.
std::string FlagName(const std::string& word) { return word.substr(0, word.find('=')); }

// Every spelling of the flags of `command` and of the commands above it
// (global flags are accepted after a subcommand too): "--yes", "-y".
std::vector<std::string> FlagsOf(const CLI::App* command) {
  std::vector<std::string> flags;
  for (const CLI::App* at = command; at != nullptr; at = at->get_parent()) {
    for (const CLI::Option* option : at->get_options()) {
      for (const std::string& name : option->get_lnames()) flags.push_back("--" + name);
      for (const std::string& name : option->get_snames()) flags.push_back("-" + name);
    }
  }
  return flags;
}

// Whether the flag `word` ("--fleet", no "=value") takes the next word as
// its value, in `command` or a command above it.
bool TakesValue(const CLI::App* command, const std::string& word) {
  for (const CLI::App* at = command; at != nullptr; at = at->get_parent()) {
    if (const CLI::Option* option = at->get_option_no_throw(word)) return option->get_expected_min() > 0;
  }
  return false;
}

std::vector<std::string> CommandsOf(const CLI::App* command) {
  std::vector<std::string> names;
  for (const CLI::App* sub : command->get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

// "daybook journal show"
std::string PathOf(const CLI::App* command) {
  std::string path;
  for (const CLI::App* at = command; at != nullptr; at = at->get_parent()) {
    path = at->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

std::string Suggest(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> close = ClosestMatch(word, candidates);
  return close ? "; did you mean " + *close + "?" : "";
}

// What a flag that exists elsewhere is for, where the operator reached for
// it out of habit from other tools.
std::string Hint(const std::string& command, const std::string& flag) {
  if ((command == "push" || command == "rollback") && (flag == "--dry-run" || flag == "--check" || flag == "-n")) {
    return "; `daybook plan MANIFEST` shows what a push would do, contacting hosts but changing nothing";
  }
  return "";
}

// CLI11's CheckedTransformer message "Check yaml value in {json->1,table->0}
// OR {1,0} FAILED": the value, and the words it accepts.
std::optional<std::string> BadChoice(const std::string& what) {
  size_t check = what.find("Check ");
  size_t in = what.find(" value in {");
  if (check == std::string::npos || in == std::string::npos || in < check) return std::nullopt;
  std::string value = what.substr(check + 6, in - check - 6);
  std::string option = what.substr(0, check);
  while (!option.empty() && (option.back() == ' ' || option.back() == ':')) option.pop_back();
  std::vector<std::string> choices;
  size_t at = in + 11;
  size_t end = what.find('}', at);
  while (at < end) {
    size_t arrow = what.find("->", at);
    size_t comma = what.find(',', at);
    if (arrow == std::string::npos || arrow > end) break;
    choices.push_back(what.substr(at, arrow - at));
    if (comma == std::string::npos || comma > end) break;
    at = comma + 1;
  }
  std::string list;
  for (const std::string& c : choices) list += (list.empty() ? "" : ", ") + c;
  return option + ": " + Quoted(value) + " is not one of " + list + Suggest(value, choices);
}

}  // namespace

UsageError DescribeUsageError(const CLI::App& app, const std::vector<std::string>& args, const CLI::ParseError& e) {
  const CLI::App* command = &app;
  bool positional_seen = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") break;
    if (IsFlag(word)) {
      std::vector<std::string> flags = FlagsOf(command);
      if (std::find(flags.begin(), flags.end(), FlagName(word)) == flags.end()) {
        std::string where = command == &app ? "daybook" : "`" + PathOf(command) + "`";
        return {"unknown flag " + FlagName(word) + " for " + where + Suggest(FlagName(word), flags) +
                    Hint(command->get_name(), FlagName(word)),
                PathOf(command)};
      }
      continue;
    }
    std::vector<std::string> commands = CommandsOf(command);
    auto sub = std::find(commands.begin(), commands.end(), word);
    if (sub != commands.end()) {
      command = command->get_subcommand(word);
      positional_seen = false;
      continue;
    }
    // A word that is neither a command nor a flag: a value or an argument,
    // unless this command only takes subcommands.
    // The previous word may be a flag that takes this one as its value.
    if (i > 0 && IsFlag(args[i - 1]) && args[i - 1].find('=') == std::string::npos && TakesValue(command, args[i - 1])) {
      continue;
    }
    if (!commands.empty() && command->get_require_subcommand_min() > 0 && !positional_seen) {
      return {"unknown command " + Quoted(word) + Suggest(word, commands) + " (commands: " + Join(commands, ", ") + ")",
              PathOf(command)};
    }
    positional_seen = true;
  }
  std::string what = e.what();
  if (std::optional<std::string> choice = BadChoice(what)) return {*choice, PathOf(command)};
  if (what == "A subcommand is required") {
    return {"a command is needed after `" + PathOf(command) + "` (commands: " + Join(CommandsOf(command), ", ") + ")",
            PathOf(command)};
  }
  return {what, PathOf(command)};
}

}  // namespace daybook::controller
