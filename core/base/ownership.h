// Who may change what the root agent writes in or runs (DESIGN.md §4-5,
// docs/deploy.md "who may own what"). Handles stop a link from steering
// the agent, but a directory another user may write to can still have its
// entries swapped between the agent's check and its use; so the directories
// the agent writes in, everything above them, and the programs it runs
// must be changeable by root only.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>

#include "core/base/confined_dir.h"
#include "core/base/result.h"

namespace daybook {

// Whether a sticky, world-writable directory (/tmp) is accepted. In one,
// others may add entries but not rename or remove root's: safe above the
// directories the agent writes in, never for those themselves.
enum class Sticky { kRefused, kAccepted };

// Why someone other than root (or the agent's own user, when it does not
// run as root) could change the file or directory `st` describes: "owned
// by uid 1001", "writable by group 0 or an ACL entry (mode 0775)"; nullopt when
// no one can. Group write counts whatever the group: it is also the mask
// of a POSIX ACL that lets a named user write.
std::optional<std::string> WritableByOthers(const struct stat& st, Sticky sticky);

// kFailed naming `dir` when WritableByOthers(dir, Sticky::kRefused).
Status RequireRootOnly(const ConfinedDir& dir);

// `dir` and every directory above it up to "/", found through ".." from its
// descriptor (the directories it is really in, whatever path reached it):
// kFailed naming the first that someone other than root could change, so
// nothing is done in it. Sticky directories are accepted above `dir`.
Status RequireRootOnlyUpToRoot(const ConfinedDir& dir);

// The program `rel` beneath `dir` (ConfinedDir::OpenProgram), to be run as
// root by descriptor; kFailed naming it when someone other than root could
// change its bytes, or `dir` or a directory on the way to it (an `after`
// hook may have chowned the release).
Result<UniqueFd> OpenRootOnlyProgram(const ConfinedDir& dir, const std::string& rel);

}  // namespace daybook
