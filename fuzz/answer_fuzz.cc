// Fuzz target: what the controller does with an agent's answer (already
// signature-checked, so its bytes are the agent's choice): the shape check,
// then the readers that build saved-plan states and push summaries from it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "controller/answer_shapes.h"
#include "controller/saved_plan.h"
#include "core/journal/access_record.h"
#include "core/journal/observation.h"
#include "core/journal/summary.h"

using namespace daybook;
using protocol::Json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Json answer = Json::parse(std::string(reinterpret_cast<const char*>(data), size), nullptr, false);
  if (answer.is_discarded()) return 0;
  // Journal records reach these unchecked: a result's summary, an observation.
  (void)journal::PatchSummary(answer);
  (void)journal::HostResultSummary(answer);
  if (daybook::Result<journal::Observed> observed = journal::ReadObservation(answer); observed) {
    (void)journal::ObservationSummary(*observed);
  }
  // An access.list answer's lines (host.access records: the gap check, the
  // entries read for show and report), as any agent may shape them.
  Json access = {{"host", "h"}, {"agent", {{"response", answer}}}};
  (void)journal::AccessSummary(access);
  journal::AccessCursor fresh;
  fresh.last_hash = std::string(64, '0');
  (void)journal::AccessGap(fresh, -1, answer);
  (void)journal::AccessGap(journal::AccessCursorAfter(fresh, answer), 3, answer);
  if (!controller::CheckAnswer(answer)) return 0;
  (void)controller::HostState(answer, answer);
  (void)journal::PatchSummary(answer);
  return 0;
}
