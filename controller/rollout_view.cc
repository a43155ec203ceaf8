#include "controller/rollout_view.h"

#include <ostream>

namespace daybook::controller {

using protocol::Json;

RolloutView ViewRollout(const FleetSession& session, const manifest::RolloutSpec& spec, TimePoint now, bool override_window) {
  RolloutView view;
  view.spec = spec;
  view.batches = PlanBatches(session.hosts.size(), spec);
  view.threshold = FailureThreshold(session.hosts.size(), spec);
  view.batch_label.resize(session.hosts.size());
  for (size_t b = 0; b < view.batches.size(); ++b) {
    for (size_t h : view.batches[b].hosts) view.batch_label[h] = BatchLabel(view.batches, b);
  }
  for (size_t i = 0; i < session.hosts.size(); ++i) view.windows.push_back(CheckWindow(session.Host(i), now, override_window));
  return view;
}

Json RolloutJson(const RolloutView& view, const std::vector<std::string>& hosts) {
  Json batches = Json::array();
  for (const RolloutBatch& b : view.batches) {
    Json names = Json::array();
    for (size_t h : b.hosts) names.push_back(hosts[h]);
    batches.push_back(std::move(names));
  }
  return {{"canary", view.spec.canary}, {"batch", view.spec.batch.ToString()}, {"max_failures", view.spec.max_failures.ToString()},
          {"threshold", view.threshold}, {"timeout_ms", view.spec.timeout.count()}, {"batches", batches}};
}

void PrintRollout(std::ostream& out, const RolloutView& view, const std::vector<std::string>& hosts) {
  size_t regular = view.batches.size() - (!view.batches.empty() && view.batches.front().canary ? 1 : 0);
  bool canary = !view.batches.empty() && view.batches.front().canary;
  out << "rollout: ";
  if (canary) out << "canary " << view.batches.front().hosts.size() << (regular > 0 ? ", then " : "");
  if (regular > 0 || !canary) {
    out << "batches of " << view.spec.batch.ToString() << " (" << regular << " batch" << (regular == 1 ? "" : "es") << ")";
  }
  out << "; halts once more than " << view.threshold << " host(s) fail (max_failures " << view.spec.max_failures.ToString()
      << ")" << (canary ? " or a canary fails" : "") << "\n";
  for (size_t b = 0; b < view.batches.size(); ++b) {
    out << "  " << BatchLabel(view.batches, b) << ":";
    for (size_t h : view.batches[b].hosts) {
      const WindowCheck& w = view.windows[h];
      out << " " << hosts[h];
      if (!w.open) out << " [window " << WindowState(w) << ": " << w.text << "]";
    }
    out << "\n";
  }
}

size_t ClosedWindows(const RolloutView& view) {
  size_t closed = 0;
  for (const WindowCheck& w : view.windows) closed += w.allowed ? 0 : 1;
  return closed;
}

}  // namespace daybook::controller
