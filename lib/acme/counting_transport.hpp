// SPDX-License-Identifier: Apache-2.0
#pragma once
// A transport that passes every request on and counts how it ended: by HTTP status class, or as
// a network error. Every request of the ACME client goes through it, so the counts cannot miss
// a path (GET, HEAD for nonces, signed POST, retries).

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "http/http_client.hpp"

namespace acmecpp::acme {

class CountingTransport : public http::HttpClient {
 public:
  explicit CountingTransport(std::shared_ptr<http::HttpClient> inner);

  http::Response get(const std::string& url, const http::Headers& headers = {},
                     const StopToken& stop = {}) override;
  http::Response head(const std::string& url, const http::Headers& headers = {},
                      const StopToken& stop = {}) override;
  http::Response post(const std::string& url, const std::string& body,
                      const http::Headers& headers = {}, const StopToken& stop = {}) override;
  http::Response del(const std::string& url, const http::Headers& headers = {},
                     const StopToken& stop = {}) override;
  std::size_t connections_opened() const override;

  /// "1xx" ... "5xx" and "network_error", only those seen at least once.
  std::map<std::string, std::size_t> by_result() const;

 private:
  template <typename Send>
  http::Response counted(Send send);

  std::shared_ptr<http::HttpClient> inner_;
  /// Index 1..5: status class; 0: a status outside 100..599; 6: no response at all.
  std::array<std::atomic<std::size_t>, 7> counts_{};
};

}  // namespace acmecpp::acme
