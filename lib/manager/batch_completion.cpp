// SPDX-License-Identifier: Apache-2.0
#include "manager/batch_completion.hpp"

#include "acmecpp/error.hpp"

namespace acmecpp::manager {

BatchCompletion::BatchCompletion(Store& store, Logger log, std::chrono::seconds interval)
    : store_(store),
      log_(std::move(log)),
      interval_(interval),
      last_write_(std::chrono::steady_clock::now()) {}

void BatchCompletion::keep(std::unique_ptr<NameLock> lock) {
  std::lock_guard<std::mutex> guard(mutex_);
  locks_.push_back(std::move(lock));
}

void BatchCompletion::defer(std::function<void()> event) {
  std::lock_guard<std::mutex> guard(mutex_);
  events_.push_back(std::move(event));
}

void BatchCompletion::checkpoint() noexcept {
  try {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (std::chrono::steady_clock::now() - last_write_ < interval_) return;
    }
    write_and_finish();
  } catch (const std::exception& e) {
    log_(LogLevel::error, "writing the store failed (tried again at the end): {}", e.what());
  }
}

void BatchCompletion::finish() {
  write_and_finish();
}

void BatchCompletion::write_and_finish() {
  std::vector<std::unique_ptr<NameLock>> locks;
  std::vector<std::function<void()>> events;
  {
    // Under the mutex, so that whatever was kept by now was saved before this write: a lock is
    // kept only after its certificate went into the store's batch.
    std::lock_guard<std::mutex> guard(mutex_);
    store_.flush_batch();
    last_write_ = std::chrono::steady_clock::now();
    locks.swap(locks_);
    events.swap(events_);
  }
  locks.clear();
  for (const auto& event : events) event();
}

}  // namespace acmecpp::manager
