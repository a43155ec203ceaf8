// The removal behind ConfinedDir::Remove, and the mark that tells it a
// directory was made by the agent (ConfinedDir::MakeFresh). Internal to
// core/base: callers use ConfinedDir.
#pragma once

#include <dirent.h>

#include <string>

#include "core/base/confined_dir.h"
#include "core/base/result.h"

namespace daybook {

// A directory stream over a fresh descriptor of the directory `fd` (its
// own read position), closed by closedir. `where` names it in errors.
Result<DIR*> OpenDirStream(int fd, const std::string& where);

// Marks the directory `fd` as made by the agent: the extended attribute
// trusted.daybook.made when the agent is root (only CAP_SYS_ADMIN sets
// trusted.*), user.daybook.made otherwise (only who may write the
// directory sets user.*). False where the filesystem has no such
// attributes: the directory then goes unmarked.
bool MarkMadeByAgent(int fd);
bool MadeByAgent(int fd);

// Removes `name` of the directory `dir` (`where` for messages), as
// ConfinedDir::Remove describes.
Status RemoveEntry(int dir, const std::string& name, const std::string& where, SetAside* aside);

}  // namespace daybook
