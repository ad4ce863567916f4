// SPDX-License-Identifier: Apache-2.0
#include "http/curl_easy_pool.hpp"

namespace acmecpp::http {

CurlEasyPool::Lease::~Lease() {
  if (handles_.easy && handles_.multi) pool_->give_back(std::move(handles_));
}

CurlEasyPool::Lease CurlEasyPool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      CurlTransferHandles handles = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(handles));
    }
  }
  CurlTransferHandles handles{make_curl_easy(), make_curl_multi()};
  return Lease(*this, std::move(handles));
}

void CurlEasyPool::give_back(CurlTransferHandles handles) noexcept {
  std::unique_lock<std::mutex> lock(mutex_);
  if (idle_.size() >= max_idle_) {
    // Dropped outside the lock: curl_multi_cleanup may close connections, which can take a while.
    lock.unlock();
    return;
  }
  try {
    idle_.push_back(std::move(handles));
  } catch (...) {
    // Out of memory for the vector: the handles are simply closed (`handles` still owns them).
  }
}

}  // namespace acmecpp::http
