#include "batch_completion.hpp"

namespace acmectl {

void BatchCompletion::keep(std::unique_ptr<acmecpp::NameLock> lock) {
  std::lock_guard<std::mutex> guard(mutex_);
  locks_.push_back(std::move(lock));
}

void BatchCompletion::defer(std::function<bool()> delivery) {
  std::lock_guard<std::mutex> guard(mutex_);
  deliveries_.push_back(std::move(delivery));
}

bool BatchCompletion::finish() {
  std::vector<std::function<bool()>> deliveries;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    locks_.clear();
    deliveries.swap(deliveries_);
  }
  bool all_ok = true;
  for (const auto& delivery : deliveries) all_ok = delivery() && all_ok;
  return all_ok;
}

}  // namespace acmectl
