// What an agent's signed answer binds (issue 14): the host the answering key
// is pinned for, the intervention, the hash of that intervention's begin
// record (so no answer can exist before its intervention), and the outcome
// the journal reports (status and changes). The agent adds host, intervention
// and begin to every answer that changes a host (agent/answer_binding.h);
// the controller checks them before it journals a result, and `journal
// verify` checks them again against the record and the journal itself.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/journal/canonical.h"

namespace daybook::journal {

// The hex RFC 6962 leaf hash of a begin record's line: what answers name in
// "begin". A tombstone keeps it, so the binding survives retention.
std::string BeginHash(std::string_view begin_line);

// The answer type that proves a host's "ok" in the intervention `begin`
// opens: "apply.result" (manifest), "deploy.result" (rollback), "facts"
// (bootstrap); "" for none of these.
std::string BeginAnswerType(const Json& begin);

// What an apply asks of every host, as the begin record binds it (issue 19:
// the agent carries out only what the operator signed): the hex SHA-256 of
// the canonical {"deploys": ..., "patch": ...} of an apply request (its
// deploys with name, path, commit, keep, after hook and timeout; its patch
// or null). The controller puts it in the begin as "apply"; the agent
// recomputes it from the request it receives.
std::string ApplyContentHash(const Json& apply_request);

// Checks a version 2 host.result `record` against the agent's `response`
// (whose signature the caller verified) and `begin_hash`, the leaf hash of
// the record at the result's begin_seq. kFailed naming the first field that
// differs.
Status CheckBoundAnswer(const Json& record, const Json& response, const std::string& begin_hash);

}  // namespace daybook::journal
