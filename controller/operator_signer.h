// How the operator signs an intervention (SSHSIG, namespace
// daybook-journal@v1): with the first key ssh-agent offers that
// allowed_signers lists, through `ssh-keygen -Y sign` (so FIDO and forwarded
// agents work); else with the key file named in daybook.toml, in-process.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "controller/fleet_config.h"
#include "core/base/filesystem.h"
#include "core/crypto/allowed_signers.h"
#include "core/exec/process_runner.h"
#include "core/journal/store.h"

namespace daybook::controller {

struct SignerInputs {
  std::string ssh_auth_sock;   // $SSH_AUTH_SOCK, empty when unset
  std::string home;            // $HOME, for "~/" in the key path
  std::filesystem::path work;  // where to keep the agent key's public half (.daybook/)
};

// The signer to use, and in the error the reason none could be found
// (no agent key listed in allowed_signers, key file missing or encrypted).
Result<std::unique_ptr<journal::OperatorSigner>> MakeOperatorSigner(exec::ProcessRunner& runner, Filesystem& fs,
                                                                    const FleetConfig& config,
                                                                    const crypto::AllowedSigners& allowed,
                                                                    const SignerInputs& inputs, TimePoint now);

}  // namespace daybook::controller
