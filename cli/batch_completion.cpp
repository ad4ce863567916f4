#include "batch_completion.hpp"

#include <iostream>

#include "acmecpp/error.hpp"
#include "renewal_runner.hpp"

namespace acmectl {

BatchCompletion::BatchCompletion(std::function<void()> write_store, std::chrono::seconds interval)
    : write_store_(std::move(write_store)),
      interval_(interval),
      last_write_(std::chrono::steady_clock::now()) {}

void BatchCompletion::keep(std::unique_ptr<acmecpp::NameLock> lock) {
  std::lock_guard<std::mutex> guard(mutex_);
  locks_.push_back(std::move(lock));
}

void BatchCompletion::defer(std::function<bool()> delivery) {
  std::lock_guard<std::mutex> guard(mutex_);
  deliveries_.push_back(std::move(delivery));
}

void BatchCompletion::checkpoint() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (std::chrono::steady_clock::now() - last_write_ < interval_) return;
  }
  try {
    write_and_finish();
  } catch (const acmecpp::Error& e) {
    say(std::cerr, std::string("acmectl: error: writing the store failed (tried again at the "
                               "end): ") +
                       e.what());
  }
}

bool BatchCompletion::finish() {
  write_and_finish();
  std::lock_guard<std::mutex> guard(mutex_);
  return deliveries_ok_;
}

void BatchCompletion::write_and_finish() {
  std::vector<std::unique_ptr<acmecpp::NameLock>> locks;
  std::vector<std::function<bool()>> deliveries;
  {
    // Under the mutex, so that whatever was kept by now was saved before this write: a lock is
    // kept only after its certificate went into the store's batch.
    std::lock_guard<std::mutex> guard(mutex_);
    write_store_();
    last_write_ = std::chrono::steady_clock::now();
    locks.swap(locks_);
    deliveries.swap(deliveries_);
  }
  locks.clear();
  bool all_ok = true;
  for (const auto& delivery : deliveries) all_ok = delivery() && all_ok;
  std::lock_guard<std::mutex> guard(mutex_);
  deliveries_ok_ = deliveries_ok_ && all_ok;
}

}  // namespace acmectl
