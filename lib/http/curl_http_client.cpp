// SPDX-License-Identifier: Apache-2.0
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "acmecpp/error.hpp"
#include "acmecpp/version.hpp"
#include "http/curl_easy_pool.hpp"
#include "http/curl_share.hpp"
#include "http/curl_transfer.hpp"
#include "http/http_client.hpp"

namespace acmecpp::http {

namespace {

/// Idle easy handles kept between requests. An ACME client talks to one server, mostly one
/// request at a time, with a few authorizations polled in parallel: four covers that without
/// holding many idle connections open.
constexpr std::size_t kMaxIdleHandles = 4;

Options checked(Options options) {
  if (options.connect_timeout.count() <= 0) {
    throw Error(ErrorKind::config, "HTTP connect timeout must be positive, got " +
                                       std::to_string(options.connect_timeout.count()) + " ms");
  }
  if (options.total_timeout.count() <= 0) {
    throw Error(ErrorKind::config, "HTTP total timeout must be positive, got " +
                                       std::to_string(options.total_timeout.count()) + " ms");
  }
  if (options.user_agent.empty()) options.user_agent = acmecpp::user_agent();
  return options;
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(const Options& options)
      : options_(checked(options)), pool_(kMaxIdleHandles) {}

  Response get(const std::string& url, const Headers& headers, const StopToken& stop) override {
    return perform({Method::get, url, kNoBody, headers}, stop);
  }

  Response head(const std::string& url, const Headers& headers, const StopToken& stop) override {
    return perform({Method::head, url, kNoBody, headers}, stop);
  }

  Response post(const std::string& url, const std::string& body, const Headers& headers,
                const StopToken& stop) override {
    return perform({Method::post, url, body, headers}, stop);
  }

  Response del(const std::string& url, const Headers& headers, const StopToken& stop) override {
    return perform({Method::del, url, kNoBody, headers}, stop);
  }

  std::size_t connections_opened() const override { return connections_opened_.load(); }

 private:
  inline static const std::string kNoBody;

  Response perform(const Request& request, const StopToken& stop) {
    const CurlEasyPool::Lease handles = pool_.acquire();
    return perform_transfer(handles.easy(), handles.multi(),
                            {options_, share_.get(), &connections_opened_}, request, stop);
  }

  const Options options_;
  // Declared before pool_: the easy handles detach from the share when they are destroyed.
  CurlShare share_;
  CurlEasyPool pool_;
  std::atomic<std::size_t> connections_opened_{0};
};

}  // namespace

std::shared_ptr<HttpClient> make_curl_http_client(const Options& options) {
  return std::make_shared<CurlHttpClient>(options);
}

}  // namespace acmecpp::http
