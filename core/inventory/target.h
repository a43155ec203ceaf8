// Target expressions select hosts of the inventory. The same grammar serves
// `--target` and manifest `targets`:
//
//   expr   := term (',' term)*          union
//   term   := factor ('&' factor)*      intersection
//   factor := '!' factor | '(' expr ')' | atom
//   atom   := 'all' | 'group:' NAME | HOST-NAME | GLOB   (web-*, db-0[1-3])
//
// In a comma list, a term that is only `!x` is an exclusion: it is taken out
// of the union of the other terms (or of `all` when there is none), so
// `group:web,!web-02` means "web except web-02", as an operator reads it.
// Inside `&`, `!x` is the complement: `group:web&!web-02` means the same.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/diagnostic.h"
#include "core/inventory/model.h"

namespace daybook::inventory {

struct TargetExpr {
  enum class Kind { kAll, kHost, kGlob, kGroup, kNot, kAnd, kOr };
  Kind kind = Kind::kAll;
  std::string name;                // host, glob or group name
  int offset = 0;                  // character offset in the expression text
  std::vector<TargetExpr> operands;  // kNot: 1, kAnd/kOr: 2 or more
};

// Parses `text`; reports every syntax problem at `value_pos` shifted to the
// offending character, returns nullopt on error.
std::optional<TargetExpr> ParseTarget(std::string_view text, SourcePos value_pos, Diagnostics& diags);

// The hosts selected by `expr`, in inventory order. Names, groups and globs
// that match nothing in `inventory` are errors (a typo must not silently
// shrink a rollout), and so is an expression selecting no host at all.
std::optional<std::vector<std::string>> ResolveTarget(const TargetExpr& expr, std::string_view text,
                                                      const Inventory& inventory, SourcePos value_pos,
                                                      Diagnostics& diags);

// Parse + resolve in one call, for the CLI's --target.
std::optional<std::vector<std::string>> SelectHosts(std::string_view text, const Inventory& inventory,
                                                    SourcePos value_pos, Diagnostics& diags);

}  // namespace daybook::inventory
