#include "controller/cli.h"

#include <algorithm>
#include <map>

#include "controller/commands.h"
#include "controller/output.h"
#include "controller/usage_error.h"
#include "core/base/version.h"

namespace daybook::controller {

void AddOutputOption(CLI::App& command, OutputFormat& format) {
  static const std::map<std::string, OutputFormat> kFormats{
      {"text", OutputFormat::kText}, {"table", OutputFormat::kText}, {"json", OutputFormat::kJson}};
  command.add_option("--output,-o", format, "Output format: text (default; also \"table\") or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->option_text("text|json");
}

int RunCli(const std::vector<std::string>& args, Env& env) {
  CLI::App app{
      "daybook: push versioned manifests (security patches, identical code deployments) to a fleet's\n"
      "resident agents over SSH, and keep a signed, verifiable journal of every intervention.",
      "daybook"};
  app.set_version_flag("--version", std::string("daybook ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // global flags are accepted after the subcommand too
  app.footer(
      "Exit codes: 0 success, 1 failed intervention or verification, 2 bad usage or input.\n"
      "Run `daybook COMMAND --help` for a command's flags. Documentation: docs/ in the source tree.");

  GlobalOptions global;
  app.add_option("--fleet", global.fleet, "Fleet repository (default: the git repository holding the current directory)")
      ->option_text("DIR");

  SetTableColour(env.colour);
  app.add_option_function<std::string>(
         "--color", [](const std::string& when) { if (when != "auto") SetTableColour(when == "always"); },
         "Colour verdicts in tables: auto (a terminal, unless $NO_COLOR is set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->option_text("WHEN");

  app.add_flag_callback("-q,--quiet", [&env] { env.verbosity = -1; },
                        "No progress on stderr (errors, warnings and results still print)");
  app.add_flag_callback("-v,--verbose", [&env] { env.verbosity = 1; },
                        "A progress line per host as it finishes, also when stderr is not a terminal");

  int exit_code = kExitOk;
  AddInitCommand(app, env, exit_code);
  AddValidateCommand(app, env, global, exit_code);
  AddInventoryCommand(app, env, global, exit_code);
  AddPingCommand(app, env, global, exit_code);
  AddPlanCommand(app, env, global, exit_code);
  AddPushCommand(app, env, global, exit_code);
  AddRollbackCommand(app, env, global, exit_code);
  AddStatusCommand(app, env, global, exit_code);
  AddBootstrapCommand(app, env, global, exit_code);
  AddJournalCommand(app, env, global, exit_code);
  AddReportCommand(app, env, global, exit_code);
  AddAccessCommand(app, env, global, exit_code);

  // CLI11 wants argv order reversed for its vector overload.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, env.out, env.err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, env.out, env.err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, env.out, env.err);
  } catch (const CLI::ParseError& e) {
    UsageError usage = DescribeUsageError(app, args, e);
    env.err << "daybook: error: " << usage.message << "\nRun `" << usage.command << " --help` for usage.\n";
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace daybook::controller
