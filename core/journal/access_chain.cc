#include "core/journal/access_chain.h"

#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"
#include "core/journal/canonical.h"
#include "core/journal/record.h"

namespace daybook::journal {

std::string AccessLineHash(std::string_view line) {
  crypto::Sha256Digest digest = crypto::Sha256(line);
  return crypto::HexEncode(digest.data(), digest.size());
}

Status CheckAccessChain(const std::vector<std::string>& lines, int64_t first_seq, const std::string& prev) {
  std::string expected_prev = prev;
  int64_t expected_seq = first_seq;
  for (const std::string& line : lines) {
    Result<Json> record = ParseCanonical(line);
    std::string where = "access log line seq " + std::to_string(expected_seq);
    if (!record) return MakeError(ErrorCode::kFailed, where + ": not a canonical record");
    const int64_t seq = IntField(*record, "seq").value_or(-1);
    if (seq > expected_seq) {
      return MakeError(ErrorCode::kFailed, "access log line" + std::string(seq - expected_seq > 1 ? "s seq " : " seq ") +
                                               std::to_string(expected_seq) +
                                               (seq - expected_seq > 1 ? " to " + std::to_string(seq - 1) + " are" : " is") +
                                               " missing (removed): the next line is seq " + std::to_string(seq));
    }
    if (seq != expected_seq) {
      return MakeError(ErrorCode::kFailed, where + ": has seq " + std::to_string(seq) + " (a line was inserted or moved)");
    }
    if (StringField(*record, "prev") != expected_prev) {
      return MakeError(ErrorCode::kFailed, "access log line seq " + std::to_string(expected_seq - 1) +
                                               " was edited, or seq " + std::to_string(expected_seq) +
                                               " does not follow it (the chain breaks between them)");
    }
    expected_prev = AccessLineHash(line);
    ++expected_seq;
  }
  return OkStatus();
}

}  // namespace daybook::journal
