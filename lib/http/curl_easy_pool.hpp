#pragma once
// A small pool of curl easy handles. Each handle keeps its own connections alive, so handing the
// same handle to the next request is what makes keep-alive (and HTTP/2 reuse) work.

#include <cstddef>
#include <mutex>
#include <vector>

#include "http/curl_handles.hpp"

namespace acmecpp::http {

class CurlEasyPool {
 public:
  /// Borrowed use of one easy handle; gives it back to the pool when destroyed.
  class Lease {
   public:
    Lease(CurlEasyPool& pool, CurlEasyPtr easy) noexcept : pool_(&pool), easy_(std::move(easy)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    CURL* get() const noexcept { return easy_.get(); }

   private:
    CurlEasyPool* pool_;
    CurlEasyPtr easy_;
  };

  /// @param max_idle how many handles (and thus sets of live connections) to keep between
  ///                 requests; more may exist while that many requests run at once.
  explicit CurlEasyPool(std::size_t max_idle) : max_idle_(max_idle) {}

  /// An idle handle if there is one (most recently used first, as its connections are the most
  /// likely to still be open), otherwise a new one.
  Lease acquire();

 private:
  void give_back(CurlEasyPtr easy) noexcept;

  const std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<CurlEasyPtr> idle_;
};

}  // namespace acmecpp::http
