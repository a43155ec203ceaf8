// daybook inventory [--target EXPR]: the hosts of the fleet (or those a
// target expression selects) with address, port, groups and window.
#include <algorithm>
#include <ostream>

#include "controller/commands.h"
#include "controller/fleet.h"
#include "controller/output.h"
#include "core/base/strings.h"
#include "core/inventory/target.h"

namespace daybook::controller {
namespace {

struct InventoryOptions {
  std::string target = "all";
  OutputFormat format = OutputFormat::kText;
};

// Prints a --target problem in the uniform format, then the expression with
// a caret under the offending character.
int ReportTargetErrors(Env& env, const std::string& target, const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& d : diagnostics) {
    env.err << d.ToString() << "\n  " << target << "\n  " << std::string(static_cast<size_t>(std::max(d.pos.column - 1, 0)), ' ')
            << "^\n";
  }
  return kExitUsage;
}

int RunInventory(Env& env, const GlobalOptions& global, const InventoryOptions& options) {
  Result<std::filesystem::path> root = LocateFleet(env, global);
  if (!root) return ReportError(env.err, root.error());
  Result<Fleet> fleet = LoadFleet(env.fs, *root);
  if (!fleet) return ReportError(env.err, fleet.error());
  const inventory::Inventory& inv = fleet->inventory;

  Diagnostics diags("--target");
  std::optional<std::vector<std::string>> selected = inventory::SelectHosts(options.target, inv, {1, 1}, diags);
  if (!selected) return ReportTargetErrors(env, options.target, diags.all());

  TimePoint now = env.clock.Now();
  if (options.format == OutputFormat::kJson) {
    nlohmann::json hosts = nlohmann::json::array();
    for (const std::string& name : *selected) {
      const inventory::Host& host = *inv.FindHost(name);
      nlohmann::json window = nullptr;
      if (host.window) {
        window = {{"spec", host.window->text},
                  {"from", host.window_from},
                  {"open_now", inventory::WindowContains(*host.window, now)}};
      }
      hosts.push_back({{"name", host.name}, {"address", host.address}, {"port", host.port},
                       {"groups", host.groups}, {"window", window}});
    }
    PrintJson(env.out, {{"target", options.target}, {"hosts", hosts}});
    return kExitOk;
  }
  Table table({"HOST", "ADDRESS", "PORT", "GROUPS", "WINDOW", "OPEN NOW"});
  for (const std::string& name : *selected) {
    const inventory::Host& host = *inv.FindHost(name);
    std::string window = host.window ? host.window->text : "-";
    std::string open = host.window ? (inventory::WindowContains(*host.window, now) ? "yes" : "no") : "-";
    table.AddRow({host.name, host.address, std::to_string(host.port),
                  host.groups.empty() ? "-" : Join(host.groups, ","), window, open});
  }
  table.Print(env.out);
  env.out << selected->size() << " of " << inv.hosts.size() << " hosts match " << Quoted(options.target) << "\n";
  return kExitOk;
}

}  // namespace

void AddInventoryCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("inventory", "List the fleet's hosts, or those a target expression selects");
  auto options = std::make_shared<InventoryOptions>();
  command->add_option("--target,-t", options->target, "Target expression (default: all)")->option_text("EXPR");
  AddOutputOption(*command, options->format);
  command->footer(
      "Target expressions: all, web-01, web-*, group:web, group:web,group:db (union),\n"
      "group:web&group:dc-rbx (intersection), group:web,!web-02 (exclusion), parentheses.\n"
      "OPEN NOW tells whether the host's maintenance window is open at this moment.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunInventory(env, global, *options); });
}

}  // namespace daybook::controller
