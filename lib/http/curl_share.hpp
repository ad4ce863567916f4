// SPDX-License-Identifier: Apache-2.0
#pragma once
// A CURLSH that lets the pooled easy handles of one client share their DNS cache and TLS
// sessions across threads.

#include <array>
#include <mutex>

#include "http/curl_handles.hpp"

namespace acmecpp::http {

/// Shares the DNS cache and TLS session cache, each guarded by its own mutex.
///
/// The connection cache (CURL_LOCK_DATA_CONNECT) is deliberately NOT shared: libcurl's
/// documentation says "it is not supported to share connections between multiple concurrent
/// threads" (a known bug in 7.x), and this client is used from several threads. Instead every
/// pooled easy handle keeps its own live connections, in the multi handle it is performed on (see
/// CurlEasyPool).
class CurlShare {
 public:
  CurlShare();
  CurlShare(const CurlShare&) = delete;
  CurlShare& operator=(const CurlShare&) = delete;

  CURLSH* get() const noexcept { return share_.get(); }

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) noexcept;
  static void unlock(CURL*, curl_lock_data data, void* self) noexcept;
  std::mutex& mutex_for(curl_lock_data data) noexcept;

  // One mutex per kind of data, as CURLSHOPT_LOCKFUNC asks. Declared before share_ so that
  // they outlive it.
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
  CurlSharePtr share_;
};

}  // namespace acmecpp::http
