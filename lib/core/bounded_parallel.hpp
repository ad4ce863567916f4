// SPDX-License-Identifier: Apache-2.0
#pragma once
// Running independent jobs on a few threads: at most `bound` at once, so that a batch of orders
// stays within what the CA tolerates from one client. With a bound of one (or one job) the jobs
// run on the calling thread, in order.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace acmecpp::core {

/// Calls job(i) for every i in [0, count) on at most `bound` threads (at least one), each thread
/// taking the next index when it is done; returns when all have run. A job should report its
/// own failures; one that throws all the same does not end the program from its thread: the
/// other jobs still run, and the first exception is rethrown here, on the caller's thread.
template <typename Job>
void run_bounded(std::size_t count, unsigned bound, Job&& job) {
  if (bound <= 1 || count <= 1) {
    for (std::size_t n = 0; n < count; ++n) job(n);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr first_failure;
  const auto worker = [&] {
    for (std::size_t n; (n = next++) < count;) {
      try {
        job(n);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!first_failure) first_failure = std::current_exception();
      }
    }
  };
  const auto workers_wanted = std::max<std::size_t>(1, std::min<std::size_t>(bound, count));
  std::vector<std::thread> workers;
  workers.reserve(workers_wanted);
  try {
    for (std::size_t i = 0; i < workers_wanted; ++i) workers.emplace_back(worker);
  } catch (const std::system_error&) {
    // No more threads to be had: those started share the work, or this thread does it alone.
    if (workers.empty()) worker();
  }
  for (auto& thread : workers) thread.join();
  if (first_failure) std::rethrow_exception(first_failure);
}

}  // namespace acmecpp::core
