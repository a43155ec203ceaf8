#include "core/journal/intent.h"

#include "core/base/strings.h"
#include "core/crypto/encoding.h"

namespace daybook::journal {
namespace {

constexpr std::string_view kIntentHeader = "daybook-journal-intent/v1";

Error Bad(const std::string& why) { return MakeError(ErrorCode::kFailed, "journal intent: " + why); }

}  // namespace

std::string SignIntent(const Intent& intent, const NoteSigner& signer) {
  std::string text = std::string(kIntentHeader) + "\n" + intent.origin + "\nfrom " + std::to_string(intent.from) + "\n";
  for (const Hash& h : intent.leaves) text += crypto::HexEncode(h.data(), h.size()) + "\n";
  return SignNote(text, signer);
}

Result<Intent> OpenIntent(std::string_view log, const std::vector<NoteVerifier>& verifiers) {
  // The log holds intents one after the other; the last one counts.
  size_t last = log.rfind(std::string(kIntentHeader) + "\n");
  if (last == std::string_view::npos) return Bad("none");
  Result<std::string> text = OpenNote(log.substr(last), verifiers);
  if (!text) return Bad(text.error().message);
  std::vector<std::string> lines = Split(*text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() < 3 || lines[0] != kIntentHeader || !StartsWith(lines[2], "from ")) return Bad("malformed");
  Intent intent;
  intent.origin = lines[1];
  const std::string from = lines[2].substr(5);
  if (from.empty() || from.size() > 18 || from.find_first_not_of("0123456789") != std::string::npos) {
    return Bad("malformed size");
  }
  intent.from = std::stoll(from);
  for (size_t i = 3; i < lines.size(); ++i) {
    std::optional<crypto::Bytes> bytes = lines[i].size() == 64 ? crypto::HexDecode(lines[i]) : std::nullopt;
    if (!bytes || bytes->size() != 32) return Bad("malformed leaf hash");
    Hash h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    intent.leaves.push_back(h);
  }
  return intent;
}

int64_t IntendedPrefix(const Intent& intent, const std::string& origin, int64_t sealed, const std::vector<Hash>& tail) {
  if (intent.origin != origin || intent.from != sealed) return 0;
  size_t n = 0;
  while (n < tail.size() && n < intent.leaves.size() && tail[n] == intent.leaves[n]) ++n;
  return static_cast<int64_t>(n);
}

}  // namespace daybook::journal
