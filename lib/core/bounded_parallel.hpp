#pragma once
// Running independent jobs on a few threads: at most `bound` at once, so that a batch of orders
// stays within what the CA tolerates from one client. With a bound of one (or one job) the jobs
// run on the calling thread, in order.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace acmecpp::core {

/// Calls job(i) for every i in [0, count) on at most `bound` threads (at least one), each thread
/// taking the next index when it is done; returns when all have run. `job` must not throw.
template <typename Job>
void run_bounded(std::size_t count, unsigned bound, Job&& job) {
  if (bound <= 1 || count <= 1) {
    for (std::size_t n = 0; n < count; ++n) job(n);
    return;
  }
  std::atomic<std::size_t> next{0};
  const auto workers_wanted = std::max<std::size_t>(1, std::min<std::size_t>(bound, count));
  std::vector<std::thread> workers;
  workers.reserve(workers_wanted);
  for (std::size_t i = 0; i < workers_wanted; ++i) {
    workers.emplace_back([&] {
      for (std::size_t n; (n = next++) < count;) job(n);
    });
  }
  for (auto& worker : workers) worker.join();
}

}  // namespace acmecpp::core
