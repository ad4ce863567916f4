#include "http/curl_easy_pool.hpp"

namespace acmecpp::http {

CurlEasyPool::Lease::~Lease() {
  if (easy_) pool_->give_back(std::move(easy_));
}

CurlEasyPool::Lease CurlEasyPool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      CurlEasyPtr easy = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(easy));
    }
  }
  return Lease(*this, make_curl_easy());
}

void CurlEasyPool::give_back(CurlEasyPtr easy) noexcept {
  std::unique_lock<std::mutex> lock(mutex_);
  if (idle_.size() >= max_idle_) {
    // Dropped outside the lock: curl_easy_cleanup may close connections, which can take a while.
    lock.unlock();
    return;
  }
  try {
    idle_.push_back(std::move(easy));
  } catch (...) {
    // Out of memory for the vector: the handle is simply closed (easy still owns it).
  }
}

}  // namespace acmecpp::http
