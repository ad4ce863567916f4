// SPDX-License-Identifier: Apache-2.0
#pragma once
// One background thread that runs a pass at once and then again and again, waiting between
// passes as long as the pass asked. stop() interrupts the wait at once (a condition variable, not
// a sleep) but lets a pass under way finish; the pass can ask stop_requested() between steps.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "manager/logger.hpp"

namespace acmecpp::manager {

class BackgroundWorker {
 public:
  /// One pass; returns how long to wait before the next. An exception it lets escape is logged
  /// and the next pass follows after `after_failure`: the thread never ends by an exception.
  using Pass = std::function<std::chrono::milliseconds(const std::atomic<bool>& stop_requested)>;

  BackgroundWorker(Pass pass, Logger log,
                   std::chrono::milliseconds after_failure = std::chrono::minutes(1));
  /// stop()
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  /// Starts the thread. Throws Error(config) while it runs (start() after stop() is allowed).
  void start();
  /// Lets a pass under way finish, ends the thread and joins it; idempotent. Not to be called from
  /// the pass itself.
  void stop();
  /// Cuts the current wait short: the next pass starts now (or right after the one under way).
  void wake();
  bool running() const;

 private:
  void run() noexcept;
  /// One pass; the wait it asked for, or after_failure_ when it threw (logged, never passed on).
  std::chrono::milliseconds run_pass() noexcept;
  /// Waits `delay`, or less when woken or stopped; false when stopped.
  bool wait(std::chrono::milliseconds delay);

  Pass pass_;
  Logger log_;
  std::chrono::milliseconds after_failure_;
  std::mutex control_mutex_;  // serialises start() and stop(), held across the join
  mutable std::mutex mutex_;  // guards the flags the thread waits on, and thread_
  std::condition_variable changed_;
  std::atomic<bool> stop_requested_{false};
  bool wake_requested_ = false;
  std::thread thread_;
};

}  // namespace acmecpp::manager
