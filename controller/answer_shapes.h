// What the controller relies on in each agent answer, checked once when the
// answer arrives (AgentClient::CallSigned): a compromised or buggy agent
// that answers with missing or wrongly typed fields fails its own host with
// a clear error, and code past this point reads only fields these shapes
// promise (core/schema/json_shape.h; absent optional keys become null).
#pragma once

#include "core/base/result.h"
#include "core/protocol/frame.h"

namespace daybook::controller {

// Checks and normalises an answer body by its "type". Answer types the
// controller does not know are refused, and so are floating-point numbers
// anywhere (journal records hold integers only: one float would make the
// journal unreadable).
Status CheckAnswer(protocol::Json& body);

// The answer type a request expects ("facts" for facts, "pack.ready" for
// pack.begin...); "error" is always possible besides. Empty when unknown.
std::string ExpectedAnswer(const protocol::Json& request);

}  // namespace daybook::controller
