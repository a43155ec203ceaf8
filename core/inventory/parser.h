// Strict parser of the inventory files (inventory/*.toml): defaults, groups,
// hosts, windows. Files are merged into one Inventory.
#pragma once

#include <vector>

#include "core/base/result.h"
#include "core/inventory/model.h"

namespace daybook::inventory {

// Parses and merges `files`. On any problem returns kInvalidInput whose
// diagnostics list every problem of every file, positioned.
Result<Inventory> ParseInventory(const std::vector<SourceFile>& files);

}  // namespace daybook::inventory
