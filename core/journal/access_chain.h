// The hash chain of an agent's access log (agent/access_log.h): each line's
// "prev" is the SHA-256 (hex) of the line before it, and "seq" counts up by
// one. Shared by the agent that writes it and the controller and auditors
// that check what it hands over.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace daybook::journal {

// Lines in one access.list answer, at most, and their bytes (so the answer,
// escaped, fits a frame: protocol::kDefaultMaxFrame is 8 MiB); a longer
// answer says "more". A stored line longer than kMaxAccessLineBytes (the
// agent writes none: its fields are capped) is handed over as a stand-in
// naming its size and hash, which no chain check accepts.
constexpr size_t kMaxAccessListEntries = 1000;
constexpr size_t kMaxAccessListBytes = 2u << 20;
constexpr size_t kMaxAccessLineBytes = 64u << 10;

// The first line's prev in a log nothing was cut from.
inline const std::string kAccessChainStart(64, '0');

// The hex SHA-256 of one stored line (what the next line's prev names).
std::string AccessLineHash(std::string_view line);

// Checks that `lines` are canonical records chaining from `prev`, their seq
// consecutive from `first_seq`. kFailed naming the first break.
Status CheckAccessChain(const std::vector<std::string>& lines, int64_t first_seq, const std::string& prev);

}  // namespace daybook::journal
