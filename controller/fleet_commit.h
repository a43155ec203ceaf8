// One commit for everything (issue 15): push, plan and rollback act on the
// fleet as one commit of the fleet repository has it. The manifest, the
// inventory, inventory/known_hosts, allowed_signers and daybook.toml are all
// read from that commit, which intervention.begin records, so an auditor
// can rebuild from the journal alone who was targeted, which host keys were
// trusted and who was allowed to sign. A working tree that holds any of
// those files differently (an uncommitted edit, a staged or untracked file)
// is refused before anything is contacted: nobody acts on a state nobody
// reviewed, and nobody believes an edit is in force when it is not.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "controller/env.h"
#include "controller/fleet.h"
#include "core/crypto/allowed_signers.h"

namespace daybook::controller {

// The files, besides manifests, that must be committed (git pathspecs).
const std::vector<std::string>& FleetStatePathspecs();

struct CommittedFleet {
  std::string commit;  // 40 hex digits
  Fleet fleet;
  SourceFile known_hosts;  // inventory/known_hosts at the commit; empty text when it has none
  std::optional<crypto::AllowedSigners> allowed_signers;  // nullopt when the commit has none
};

// Reads the fleet state at `rev` of the repository at `root`. kInvalidInput
// (exit 2), naming every file and what differs, when the index or the
// working tree does not hold exactly what that commit holds for one of
// FleetStatePathspecs(); parse errors as for the working tree.
Result<CommittedFleet> LoadCommittedFleet(Env& env, const std::filesystem::path& root, const std::string& rev);

}  // namespace daybook::controller
