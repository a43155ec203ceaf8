// Reading a journal for people: records joined with their intervention
// (operator, ticket, manifest come from its begin record) and filtered by
// host, operator, ticket, time range and record type.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/journal/canonical.h"
#include "core/journal/store.h"

namespace daybook::journal {

struct JournalFilter {
  std::string host;
  std::string operator_fp;  // a key fingerprint (SHA256:...) or an allowed_signers principal
  std::string ticket;
  std::string type;
  std::optional<TimePoint> since;  // inclusive
  std::optional<TimePoint> until;  // exclusive
  std::string intervention;        // one intervention's records

  // "host=web-01 since=2026-01-01T00:00:00.000Z", or "none".
  std::string Describe() const;
  Json ToJson() const;
};

struct JournalEntry {
  int64_t seq = 0;
  std::string line;    // the leaf bytes
  Json record;         // parsed line (a tombstone for pruned records)
  // The begin record of its intervention, or none: one copy shared by all
  // of the intervention's entries (a begin names every target, and an
  // intervention has a record per target: a copy each would make reading
  // a journal cost the square of the fleet's size).
  std::shared_ptr<const Json> begin;
  Hash leaf_hash{};
  // Covered by the checkpoint's size. Read, not verified: `journal verify`
  // checks the signature; this only tells a reader what is not sealed yet.
  bool sealed = false;

  // The begin record of its intervention, or null.
  const Json& intervention() const {
    static const Json kNone;
    return begin ? *begin : kNone;
  }
};

// Every record, in order; fails on a line that does not parse (run verify).
Result<std::vector<JournalEntry>> ReadEntries(const JournalFiles& files);

// What the journal says of one intervention.
struct InterventionState {
  std::string id;
  int64_t begin_seq = -1;
  std::string begin_line;             // the canonical begin record
  std::vector<std::string> targets;
  std::set<std::string> reported;     // hosts with a host.result
  // Hosts whose host.result is the controller's word only, with no agent
  // answer in it (unreachable, skipped, abandoned as unknown): a signed
  // answer the agent still keeps is evidence the journal lacks.
  std::set<std::string> unanswered;
  bool ended = false;                 // has its intervention.end
};

// Every intervention whose begin record is readable (not pruned), by id.
std::map<std::string, InterventionState> InterventionStates(const std::vector<JournalEntry>& entries);

// The ids of interventions with no end record, in journal order: a
// controller that stopped before closing them (or one running now).
std::vector<std::string> UnfinishedInterventions(const std::vector<JournalEntry>& entries);

// Operator, ticket and intervention select the records of the
// interventions they name; a record an operator signs outside any
// intervention (a host key pin, a prune) matches its own operator.
bool Matches(const JournalFilter& filter, const JournalEntry& entry);

}  // namespace daybook::journal
