// Observations (issue 18): what an agent reported when `daybook status` or
// `daybook plan` asked, kept in the journal as the agent signed it, so the
// journal knows when each security update was first seen pending on each
// host and when it stopped being so, whether a reboot was owed, and drift.
//
// The controller sends each question with `observe`, 128 random bits in hex,
// and `journal`, the journal's checkpoint origin; the agent answers with both
// echoed and `observed_at`, its own UTC clock, inside what it signs
// (agent/session.cc). A host.observed record:
//
//   {"type":"host.observed", "host":H, "source":"status"|"plan",
//    "observe":HEX32, "agent":{"key":OPENSSH, "answers":[{"response":{...},"sig":B64}, ...]}}
//
// `journal verify` checks every answer against the key the journal pins for
// the host, that each echoes the record's `observe` (no answer is reused
// from another observation: an `observe` appears once per journal) and this
// journal's origin (none is copied from another fleet's journal), that
// `observed_at` is within kObservationSkew of the record's time (no answer
// kept back and journaled later as new), and that the record holds every
// answer its source asks for, once each (none left out to hide what it
// said): status: facts, deploy.status, and patch.plan unless the facts say
// the host has no package backend; plan: deploy.status, patch.plan at most.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/crypto/ed25519.h"
#include "core/journal/canonical.h"
#include "core/journal/record.h"

namespace daybook::journal {

// How far an agent's clock may stand from the controller's.
constexpr auto kObservationSkew = std::chrono::minutes(15);
// The answers an observation may carry.
constexpr const char* kObservedAnswerTypes[] = {"facts", "deploy.status", "patch.plan"};

// What every agent answer the journal keeps outside an intervention shares
// (observations here, access records in access_record.h). Messages name
// no record type: the caller's prefix does.
//
// The record's agent.key is `pinned`, the key the journal pins for its host.
Status CheckPinnedAgent(const Json& record, const crypto::Ed25519Public& pinned);
// `response` is signed by `pinned` (`sig`: base64 Ed25519 over its canonical
// bytes), echoes `observe` and the journal's `origin`, and its observed_at
// is within kObservationSkew of `journaled_at` (the record's ts).
Status CheckEchoedAnswer(const Json& response, const std::string& sig, const crypto::Ed25519Public& pinned,
                         const std::string& observe, const std::string& origin, const std::string& journaled_at);

// The record's own fields (host, source, observe, agent) are well formed.
Status CheckObservationSchema(const Json& record);

// Every answer signed by `pinned`, of an observed type, echoing the
// record's `observe` and `origin`, observed within kObservationSkew of the
// record's ts; the set of answers complete for its source.
Status CheckObservationAnswers(const Json& record, const crypto::Ed25519Public& pinned, const std::string& origin);

struct PendingUpdate {
  std::string name, from, to;
  std::string origin;  // apt: "Label:suite"; dnf: advisory ids and CVEs
  bool security = false;
};

struct DriftSeen {
  std::string deploy;
  int64_t added = 0, modified = 0, removed = 0;
};

// What one observation says, read from its (already verified) answers.
struct Observed {
  std::string host;
  std::string source;
  TimePoint at;                       // the agent's observed_at (the first answer's)
  bool patch_known = false;           // a patch.plan answer without findings was carried
  std::vector<PendingUpdate> pending; // from patch.plan
  std::optional<bool> reboot_required;  // from facts
  std::vector<DriftSeen> drift;       // from deploy.status, deploys that drifted
  std::vector<std::pair<std::string, std::string>> live;  // deploy -> live tree, from deploy.status
};

// kFailed when the record holds no readable answer.
Result<Observed> ReadObservation(const Json& record);

// "2 pending security updates, reboot required, drift app ~1 +0 -0".
std::string ObservationSummary(const Observed& observed);

}  // namespace daybook::journal
