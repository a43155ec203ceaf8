#include "agent/reboot_failure.h"

#include "core/base/text.h"

namespace daybook::agent {

using protocol::Json;

std::filesystem::path RebootFailurePath(const std::filesystem::path& state_dir) {
  return state_dir / "reboot-failure.json";
}

Status RecordRebootFailure(Filesystem& fs, const std::filesystem::path& state_dir, const std::string& intervention,
                           const std::string& boot_id, const std::string& error) {
  Json record = {{"intervention", intervention}, {"error", Utf8Head(ReadableText(error), 2000)}, {"boot_id", boot_id}};
  return fs.WriteFileAtomic(RebootFailurePath(state_dir), record.dump() + "\n", 0600);
}

void ClearRebootFailure(Filesystem& fs, const std::filesystem::path& state_dir) {
  (void)fs.RemoveFile(RebootFailurePath(state_dir));  // absent is fine
}

std::optional<Json> CurrentRebootFailure(Filesystem& fs, const std::filesystem::path& state_dir, const std::string& boot_id) {
  Result<std::string> text = fs.ReadSmallRegularFile(RebootFailurePath(state_dir), 16u << 10);
  if (!text) return std::nullopt;
  Json record = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object()) return std::nullopt;
  auto field = [&](const char* key) {
    const auto it = record.find(key);
    return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (boot_id.empty() || field("boot_id") != boot_id || field("intervention").empty()) return std::nullopt;
  return Json{{"intervention", field("intervention")}, {"error", field("error")}};
}

}  // namespace daybook::agent
