#include "controller/fanout.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace daybook::controller {

void FanOut(size_t count, int parallel, const std::function<void(size_t)>& work,
            const std::function<void(size_t)>& done) {
  std::atomic<size_t> next{0};
  std::mutex done_mu;
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) {
      work(i);
      std::lock_guard lock(done_mu);
      done(i);
    }
  };
  size_t threads = std::min(count, static_cast<size_t>(std::max(parallel, 1)));
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
}

}  // namespace daybook::controller
