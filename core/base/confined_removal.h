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

// Marks the directory `fd` as made by the agent in the checkout `token`
// names (16 hex digits, NewMarkToken; every directory of one checkout
// bears its token): the extended attribute trusted.daybook.made when the
// agent is root (only CAP_SYS_ADMIN sets trusted.*), user.daybook.made
// otherwise (only who may write the directory sets user.*). False where
// the filesystem has no such attributes: the directory goes unmarked.
bool MarkMadeByAgent(int fd, const std::string& token);
// The token the directory `fd` is marked with; "" when it has none.
std::string AgentMark(int fd);
std::string NewMarkToken();

// Removes `name` of the directory `dir` (`where` for messages), as
// ConfinedDir::Remove describes.
Status RemoveEntry(int dir, const std::string& name, const std::string& where, SetAside* aside);

}  // namespace daybook
