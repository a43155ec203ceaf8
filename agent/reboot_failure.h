// A reboot the agent announced ("reboot": "scheduled") whose command then
// failed (exit status, a signal, could not start). The answer is already
// sent, so the failure is kept in <state_dir>/reboot-failure.json, with the
// boot id it happened in, and the facts carry it while that boot lasts: a
// controller waiting for the new boot id sees at once that none is coming,
// rather than after its whole timeout.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/base/filesystem.h"
#include "core/protocol/frame.h"

namespace daybook::agent {

// <state_dir>/reboot-failure.json: {"intervention", "error", "boot_id"}.
std::filesystem::path RebootFailurePath(const std::filesystem::path& state_dir);

// Kept durably (written atomically, 0600); a failure to keep it is the
// caller's to log.
Status RecordRebootFailure(Filesystem& fs, const std::filesystem::path& state_dir, const std::string& intervention,
                           const std::string& boot_id, const std::string& error);

// Forgotten when a new reboot is tried.
void ClearRebootFailure(Filesystem& fs, const std::filesystem::path& state_dir);

// The failure recorded in this boot ({"intervention", "error"}), if any: one
// from an earlier boot is over (the host did reboot later), an unreadable
// file is none.
std::optional<protocol::Json> CurrentRebootFailure(Filesystem& fs, const std::filesystem::path& state_dir,
                                                   const std::string& boot_id);

}  // namespace daybook::agent
