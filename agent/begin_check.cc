#include "agent/begin_check.h"

#include "core/crypto/ssh_key.h"
#include "core/crypto/sshsig.h"
#include "core/journal/record.h"

namespace daybook::agent {

Result<BeginSigner> CheckBeginSignature(const journal::Json& begin, AuthorizedOperators& operators, TimePoint now) {
  auto refuse = [](const std::string& why) { return MakeError(ErrorCode::kFailed, "begin: " + why); };
  std::optional<std::string> op_sig = journal::StringField(begin, "op_sig");
  if (!op_sig) return refuse("no operator signature (op_sig): only an intervention an operator signed may change this host");
  journal::Json unsigned_record = begin;
  unsigned_record.erase("op_sig");
  Result<crypto::SshsigVerified> sig =
      crypto::SshsigVerify(*op_sig, journal::kOperatorNamespace, journal::Canonical(unsigned_record));
  if (!sig) return refuse("the operator signature does not verify: " + sig.error().message);
  if (journal::StringField(begin, "operator") != sig->fingerprint) return refuse("signed by " + sig->fingerprint + ", not by the operator it names");
  if (!operators.IsAuthorized(sig->key)) {
    return refuse("signed by " + sig->fingerprint + ", who is not in this agent's authorized_operators");
  }
  std::optional<TimePoint> ts = journal::ParseTimestamp(journal::StringField(begin, "ts").value_or(""));
  if (!ts) return refuse("no time");
  if (*ts > now + kMaxBeginSkew) return refuse("begun at " + *journal::StringField(begin, "ts") + ", ahead of this host's clock");
  if (*ts < now - kMaxBeginAge) return refuse("begun at " + *journal::StringField(begin, "ts") + ", more than 8 days ago");
  return BeginSigner{sig->fingerprint, journal::StringField(begin, "principal").value_or("")};
}

}  // namespace daybook::agent
