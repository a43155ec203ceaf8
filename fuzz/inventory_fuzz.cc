// Fuzz target: inventory parsing and target expressions. The first line of
// the input is a target expression, the rest an inventory file; the
// expression is parsed alone and then resolved against the inventory.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/inventory/parser.h"
#include "core/inventory/target.h"

using namespace daybook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t newline = text.find('\n');
  std::string expression = text.substr(0, newline);
  std::string toml = newline == std::string::npos ? "" : text.substr(newline + 1);
  Diagnostics diags("target");
  std::optional<inventory::TargetExpr> target = inventory::ParseTarget(expression, SourcePos{1, 1}, diags);
  Result<inventory::Inventory> parsed = inventory::ParseInventory({{"inventory/hosts.toml", toml}});
  if (target && parsed) (void)inventory::ResolveTarget(*target, expression, *parsed, SourcePos{1, 1}, diags);
  return 0;
}
