// What the agent's signed answer to a request that changes the host binds
// (issue 14, core/journal/agent_binding.h): the host the request names (the
// journal pins this agent's key for it, so the answer cannot be passed off
// as another host's), the intervention id, and the leaf hash of the
// intervention.begin record the request carries (so no answer can exist
// before its intervention). Kept apart from the session code so the request
// parsing there stays small.
#pragma once

#include <string>

#include "core/base/result.h"
#include "core/protocol/frame.h"

namespace daybook::agent {

struct AnswerBinding {
  std::string intervention;
  std::string host;
  std::string begin;  // hex leaf hash of the begin record
};

// Reads intervention, host and begin from an apply or deploy.rollback
// request. kInvalidInput when one is missing or malformed, or the begin
// record is not this intervention's intervention.begin.
Result<AnswerBinding> ReadAnswerBinding(const protocol::Json& request);

// `answer` with intervention, host and begin set.
protocol::Json BindAnswer(protocol::Json answer, const AnswerBinding& binding);

// An apply with no patch and no deploy: nothing to do, nothing to sign.
bool AsksForNothing(const protocol::Json& apply);

}  // namespace daybook::agent
