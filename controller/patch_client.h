// The controller's half of patching (agent/pkg/patch_step.h): the
// manifest's [patch] as the agent takes it, planning, and waiting for a
// host to come back from a reboot with a new boot id.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "controller/agent_client.h"
#include "core/manifest/model.h"

namespace daybook::controller {

// {policy, exclude, reboot, allow_other_origins}; null when the manifest
// patches nothing.
protocol::Json PatchRequestJson(const manifest::Manifest& manifest);

// The host's boot id (facts), "" when it cannot be read.
std::string BootId(transport::Connection& connection);

// Polls the host until it answers with a boot id other than `before`.
// kFailed when `timeout` passes first, at once when the agent reports that
// the reboot command of `intervention` failed (facts.reboot_failure,
// agent/reboot_failure.h) or when it answers with a host key not pinned.
Result<std::string> WaitForReboot(AgentClient& client, const inventory::Host& host, const std::string& before,
                                  const std::string& intervention, std::chrono::milliseconds timeout);

}  // namespace daybook::controller
