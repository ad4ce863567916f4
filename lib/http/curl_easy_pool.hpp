// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small pool of curl easy handles, each with the multi handle it is performed on. The multi
// handle holds the connections its easy handle opened, so handing the same pair to the next
// request is what makes keep-alive (and HTTP/2 reuse) work; performing through a multi handle of
// our own (rather than curl_easy_perform) is what lets a stop request wake a transfer at once.

#include <cstddef>
#include <mutex>
#include <vector>

#include "http/curl_handles.hpp"

namespace acmecpp::http {

/// An easy handle and the multi handle that performs it (and keeps its live connections).
struct CurlTransferHandles {
  CurlEasyPtr easy;
  CurlMultiPtr multi;  // destroyed first: it closes the connections, the easy handle is detached
};

class CurlEasyPool {
 public:
  /// Borrowed use of one pair of handles; gives it back to the pool when destroyed.
  class Lease {
   public:
    Lease(CurlEasyPool& pool, CurlTransferHandles handles) noexcept
        : pool_(&pool), handles_(std::move(handles)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    CURL* easy() const noexcept { return handles_.easy.get(); }
    CURLM* multi() const noexcept { return handles_.multi.get(); }

   private:
    CurlEasyPool* pool_;
    CurlTransferHandles handles_;
  };

  /// @param max_idle how many pairs (and thus sets of live connections) to keep between
  ///                 requests; more may exist while that many requests run at once.
  explicit CurlEasyPool(std::size_t max_idle) : max_idle_(max_idle) {}

  /// An idle pair if there is one (most recently used first, as its connections are the most
  /// likely to still be open), otherwise a new one.
  Lease acquire();

 private:
  void give_back(CurlTransferHandles handles) noexcept;

  const std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<CurlTransferHandles> idle_;
};

}  // namespace acmecpp::http
