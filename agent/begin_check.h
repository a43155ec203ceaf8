// Who asks (issue 19): every request that changes a host (apply,
// deploy.rollback, a bootstrap's bound facts) carries the operator-signed
// intervention.begin record the journal holds. The agent checks that
// record's op_sig (SSHSIG, namespace daybook-journal@v1, over the canonical
// record without op_sig: core/journal/record.h) itself, against its own list
// of operators (authorized_operators, which bootstrap writes from the
// fleet's committed allowed_signers), and that the record is not older than
// kMaxBeginAge nor ahead of the agent's clock by more than kMaxBeginSkew:
// an SSH key alone, or a begin that was never signed by an operator (or was
// signed long ago), changes nothing.
#pragma once

#include <chrono>
#include <string>

#include "agent/operators.h"
#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/journal/canonical.h"

namespace daybook::agent {

// A rollout may run for days (a hook may be given a week): older begins are refused.
constexpr auto kMaxBeginAge = std::chrono::hours(24 * 8);
constexpr auto kMaxBeginSkew = std::chrono::minutes(15);

struct BeginSigner {
  std::string fingerprint;  // SHA256:... of the operator key that signed
  std::string principal;    // the record's principal (as allowed_signers named it), "" if none
};

// kFailed naming what is wrong: no op_sig, a signature that does
// not verify, a key not in `operators`, a begin too old or from the future.
Result<BeginSigner> CheckBeginSignature(const journal::Json& begin, AuthorizedOperators& operators, TimePoint now);

}  // namespace daybook::agent
