// Fuzz target: the strict TOML readers of every configuration file. The
// first byte picks the parser: a manifest (then resolved against a fixed
// inventory), the agent's agent.toml, or the fleet's daybook.toml.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/config.h"
#include "controller/fleet_config.h"
#include "core/inventory/parser.h"
#include "core/manifest/parser.h"

using namespace daybook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const inventory::Inventory inventory = *inventory::ParseInventory(
      {{"inventory/hosts.toml", "[groups.web]\nhosts = [\"web-01\", \"web-02\"]\n[hosts.web-01]\naddress = \"10.0.0.1\"\n"
                                "[hosts.web-02]\naddress = \"10.0.0.2\"\n[hosts.db-01]\naddress = \"10.0.0.3\"\n"}});
  SourceFile file{"fuzz.toml", std::string(reinterpret_cast<const char*>(data + 1), size - 1)};
  switch (data[0] % 3) {
    case 0:
      (void)manifest::ParseAndResolveManifest(file, inventory);
      break;
    case 1:
      (void)agent::ParseAgentConfig(file);
      break;
    default:
      (void)controller::ParseFleetConfig(file);
      break;
  }
  return 0;
}
