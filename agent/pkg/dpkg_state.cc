#include "agent/pkg/dpkg_state.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;

bool AllDigits(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// dpkg's journal: files named by a number in updates/ are an unfinished
// run (dpkg itself says "dpkg was interrupted" when it sees one).
Result<std::optional<PackageFinding>> Interrupted(Filesystem& fs, const std::string& root, const std::string& fix_prefix) {
  Result<fs::path> updates = ResolveInRoot(fs, root, "/var/lib/dpkg/updates");
  if (!updates) return updates.error();
  Result<std::vector<std::string>> names = fs.ListDirectory(*updates);
  if (!names) {
    if (names.error().code == ErrorCode::kNotFound || !fs.Exists(*updates)) return std::optional<PackageFinding>();
    return names.error();
  }
  size_t entries = static_cast<size_t>(std::count_if(names->begin(), names->end(), AllDigits));
  if (entries == 0) return std::optional<PackageFinding>();
  return std::optional<PackageFinding>(PackageFinding{
      "dpkg-interrupted",
      "dpkg was interrupted (" + std::to_string(entries) + " unfinished " + (entries == 1 ? "entry" : "entries") + " in " +
          updates->string() + ")",
      "run `" + fix_prefix + "dpkg --configure -a` on the host and check that it succeeds, then plan again"});
}

Result<std::optional<PackageFinding>> Locked(Filesystem& fs, const std::string& root) {
  for (const char* name : {"lock-frontend", "lock"}) {
    Result<fs::path> lock = ResolveInRoot(fs, root, std::string("/var/lib/dpkg/") + name);
    if (!lock) return lock.error();
    Result<std::optional<int>> holder = fs.LockHolder(*lock);
    if (!holder) return holder.error();
    if (!holder->has_value()) continue;
    std::string who = "another process";
    if (**holder > 0) {
      who = "process " + std::to_string(**holder);
      Result<std::string> comm = fs.ReadFile("/proc/" + std::to_string(**holder) + "/comm");
      if (comm && !Trim(*comm).empty()) who += " (" + ReadableText(Utf8Head(std::string(Trim(*comm)), 64)) + ")";
    }
    return std::optional<PackageFinding>(PackageFinding{
        "dpkg-locked", "the dpkg lock " + lock->string() + " is held by " + who,
        "another package manager is running: wait for it to finish (or stop it), then plan again"});
  }
  return std::optional<PackageFinding>();
}

// Packages whose dpkg status is anything but installed (or gone, or only
// their configuration files left), or flagged for reinstallation.
std::optional<PackageFinding> NotFullyInstalled(std::string_view statuses, const std::string& fix_prefix) {
  std::vector<std::string> broken;
  for (const std::string& line : Split(statuses, '\n')) {
    std::vector<std::string> fields = Split(line, '\t');
    if (fields.size() < 2) continue;
    const std::string& status = fields[1];
    bool reinstreq = fields.size() > 2 && fields[2] == "reinstreq";
    if ((status == "installed" || status == "not-installed" || status == "config-files") && !reinstreq) continue;
    broken.push_back(ReadableText(Utf8Head(fields[0], 200)) + " (" + status + (reinstreq ? ", reinstall required" : "") + ")");
  }
  if (broken.empty()) return std::nullopt;
  return PackageFinding{"not-fully-installed", "packages not fully installed: " + Join(broken, ", "),
                        "run `" + fix_prefix + "dpkg --configure -a` (or `" + fix_prefix +
                            "apt-get install -f`) on the host and check that it succeeds, then plan again"};
}

}  // namespace

Result<std::vector<PackageFinding>> DpkgFindings(Filesystem& fs, const std::string& root, std::string_view statuses,
                                                 const std::string& fix_prefix) {
  std::vector<PackageFinding> findings;
  Result<std::optional<PackageFinding>> interrupted = Interrupted(fs, root, fix_prefix);
  if (!interrupted) return interrupted.error();
  if (*interrupted) findings.push_back(**interrupted);
  if (std::optional<PackageFinding> broken = NotFullyInstalled(statuses, fix_prefix)) findings.push_back(*broken);
  Result<std::optional<PackageFinding>> locked = Locked(fs, root);
  if (!locked) return locked.error();
  if (*locked) findings.push_back(**locked);
  return findings;
}

}  // namespace daybook::agent
