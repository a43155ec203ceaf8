// The intervention requests of protocol v1 (docs/agent.md), parsed from
// untrusted frames into typed values. Every field is checked for presence,
// type and range here, once; a bad request is an error naming the field
// ("apply.deploys[0].timeout_ms: ... is out of range"), never an exception.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/deploy/deployer.h"
#include "agent/pkg/package_manager.h"
#include "core/base/result.h"
#include "core/protocol/frame.h"

namespace daybook::agent {

// The longest a hook may be given (a manifest's rollout timeout): longer
// values are refused rather than overflowing a clock.
constexpr std::chrono::milliseconds kMaxHookTimeout = std::chrono::hours(24 * 7);
// The most releases a deploy may keep.
constexpr int64_t kMaxKeep = 1000;
// The most deploys one request may name (each costs a directory walk).
constexpr size_t kMaxDeploysPerRequest = 64;

struct StatusRequest {
  std::vector<DeployQuery> deploys;
  bool drift = false;
};

// The manifest's [patch] as the agent receives it.
struct PatchSpec {
  PatchRequest request;
  std::string reboot = "never";  // never | if-required | always
};

struct ApplyRequest {
  std::string intervention;
  std::optional<PatchSpec> patch;
  std::vector<DeployRequest> deploys;
};

struct RollbackRequest {
  std::string intervention;
  std::string name;
  std::string to;  // empty: the previous release
};

Result<StatusRequest> ParseStatusRequest(const protocol::Json& request);
Result<PatchSpec> ParsePatchSpec(const protocol::Json& patch, const std::string& where);
Result<ApplyRequest> ParseApplyRequest(const protocol::Json& request);
Result<RollbackRequest> ParseRollbackRequest(const protocol::Json& request);

}  // namespace daybook::agent
