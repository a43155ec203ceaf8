// A manifest: one versioned intervention (security patches and/or code
// deployments, with targets and rollout settings), as DESIGN.md §3 states.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/diagnostic.h"
#include "core/base/duration.h"
#include "core/inventory/target.h"

namespace daybook::manifest {

enum class PatchPolicy { kSecurity, kAll, kNone };
enum class RebootPolicy { kNever, kIfRequired, kAlways };

std::string_view ToString(PatchPolicy policy);
std::string_view ToString(RebootPolicy policy);

// A count of hosts (`batch = 2`) or a share of the targets (`batch = "25%"`).
struct Quantity {
  enum class Kind { kCount, kPercent };
  Kind kind = Kind::kCount;
  int64_t value = 0;

  // Hosts out of `total`: percentages round up ("at least one host" for any
  // non-zero share), counts are capped at `total`.
  size_t Of(size_t total) const;
  std::string ToString() const;  // "2" or "25%"
};

struct PatchSpec {
  PatchPolicy policy = PatchPolicy::kSecurity;
  std::vector<std::string> exclude;      // package name globs
  RebootPolicy reboot = RebootPolicy::kNever;
  bool allow_other_origins = true;       // security fixes may pull dependencies from other origins
};

struct DeploySpec {
  std::string name;
  std::string repo;                  // git URL or path, read by the controller
  std::string ref;                   // tag, branch or commit id
  std::string path;                  // absolute; releases/<commit> and `current` live under it
  int64_t keep = 5;                  // releases kept on each host
  std::vector<std::string> after;    // argv run after the switch; empty = none
  bool lfs_pointers = false;         // lfs = "pointers": Git LFS pointer files deploy as committed
  SourcePos pos;                     // the [[deploy]] header
};

struct RolloutSpec {
  int64_t canary = 1;                                      // hosts that go first, alone
  Quantity batch{Quantity::Kind::kPercent, 25};
  Quantity max_failures{Quantity::Kind::kCount, 0};        // halt once failures exceed this
  Duration timeout = std::chrono::minutes(10);             // per host
};

struct Manifest {
  std::string path;  // as shown in diagnostics
  std::string name;
  std::string description;
  std::string ticket;  // may be empty
  std::string targets;
  SourcePos targets_pos;  // first character of the targets string
  inventory::TargetExpr target_expr;
  std::optional<PatchSpec> patch;
  std::vector<DeploySpec> deploys;
  RolloutSpec rollout;
};

}  // namespace daybook::manifest
