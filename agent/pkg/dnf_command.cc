#include "agent/pkg/dnf_command.h"

#include "agent/pkg/dnf_output.h"
#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {

exec::ProcessSpec DnfSpec(const DnfSettings& settings, std::vector<std::string> args, bool quiet) {
  std::vector<std::string> argv = {"dnf"};
  if (quiet) argv.push_back("-q");
  if (settings.root != "/") argv.push_back("--installroot=" + settings.root);
  argv.insert(argv.end(), args.begin(), args.end());
  exec::ProcessSpec spec = exec::ProcessSpec::Of(std::move(argv));
  spec.env = {{"LC_ALL", "C"}, {"HOME", "/root"}};
  spec.timeout = settings.timeout;
  return spec;
}

exec::ProcessSpec RpmQuerySpec(const DnfSettings& settings, const std::vector<std::string>& names) {
  std::vector<std::string> argv = {"rpm", names.empty() ? "-qa" : "-q", "--qf", "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n"};
  if (settings.root != "/") argv.push_back("--root=" + settings.root);
  argv.insert(argv.end(), names.begin(), names.end());
  exec::ProcessSpec spec = exec::ProcessSpec::Of(std::move(argv));
  spec.env = {{"LC_ALL", "C"}, {"HOME", "/root"}};
  spec.timeout = std::chrono::minutes(2);
  return spec;
}

std::string ToolTail(const exec::ProcessResult& result) {
  std::string text(Trim(result.err).empty() ? result.out : result.err);
  return Utf8Tail(ReadableText(Trim(text)), 1500) + " (" + result.Describe() + ")";
}

Result<RebootCheck> CheckReboot(exec::ProcessRunner& runner, const DnfSettings& settings) {
  exec::ProcessSpec spec = DnfSpec(settings, {"needs-restarting", "-r"});
  spec.max_output = 1u << 20;
  Result<exec::ProcessResult> ran = runner.Run(spec);
  if (!ran) return ran.error();
  if (ran->ok()) return RebootCheck{};
  if (ran->exit_code == 1 && !ran->timed_out && ran->out.find("Reboot is required") != std::string::npos) {
    return RebootCheck{true, ParseNeedsRestartingPackages(ran->out)};
  }
  return MakeError(ErrorCode::kFailed, "dnf needs-restarting -r failed: " + ToolTail(*ran));
}

}  // namespace daybook::agent
