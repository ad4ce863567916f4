// SPDX-License-Identifier: Apache-2.0
#include "manager/background_worker.hpp"

#include <algorithm>

#include "acmecpp/error.hpp"

namespace acmecpp::manager {

BackgroundWorker::BackgroundWorker(Pass pass, Logger log, std::chrono::milliseconds after_failure)
    : pass_(std::move(pass)), log_(std::move(log)), after_failure_(after_failure) {}

BackgroundWorker::~BackgroundWorker() {
  stop();
}

void BackgroundWorker::start() {
  std::lock_guard<std::mutex> control(control_mutex_);
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) throw Error(ErrorKind::config, "the background work is already running");
  stop_requested_ = false;
  wake_requested_ = false;
  thread_ = std::thread([this] { run(); });
}

void BackgroundWorker::stop() {
  std::lock_guard<std::mutex> control(control_mutex_);
  std::thread finishing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) return;
    stop_requested_ = true;
    finishing = std::move(thread_);
  }
  changed_.notify_all();
  finishing.join();  // outside the lock: the thread takes it to wait
}

void BackgroundWorker::wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_requested_ = true;
  }
  changed_.notify_all();
}

bool BackgroundWorker::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return thread_.joinable();
}

void BackgroundWorker::run() noexcept {
  // run_pass() catches what a pass throws; this catches the rest (a wait that fails), so that
  // nothing reaches std::terminate from this thread. The work stops, and says so.
  try {
    while (wait(run_pass())) {
    }
  } catch (const std::exception& e) {
    log_(LogLevel::error, "background certificate checks stopped: {}", e.what());
  } catch (...) {
    log_(LogLevel::error, "background certificate checks stopped on a non-standard exception");
  }
}

std::chrono::milliseconds BackgroundWorker::run_pass() noexcept {
  try {
    return pass_(stop_requested_);
  } catch (const std::exception& e) {
    log_(LogLevel::error, "background certificate check failed: {}", e.what());
  } catch (...) {
    log_(LogLevel::error, "background certificate check failed with a non-standard exception");
  }
  return after_failure_;
}

bool BackgroundWorker::wait(std::chrono::milliseconds delay) {
  // Bounded so that the deadline cannot overflow the clock; a pass that finds nothing to do
  // once a year costs nothing.
  delay = std::min<std::chrono::milliseconds>(delay, std::chrono::hours(24 * 365));
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, delay, [this] { return stop_requested_.load() || wake_requested_; });
  wake_requested_ = false;
  return !stop_requested_;
}

}  // namespace acmecpp::manager
