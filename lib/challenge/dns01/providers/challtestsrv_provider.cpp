// SPDX-License-Identifier: Apache-2.0
// pebble-challtestsrv as a DnsProvider: its management API adds TXT values one at a time but
// can only clear a whole name, so the provider remembers what it presented at each name and puts
// the survivors back after a clear.

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "acmecpp/dns_providers.hpp"
#include "acmecpp/error.hpp"
#include "http/http_client.hpp"

namespace acmecpp {
namespace {

std::string absolute(const std::string& fqdn) {
  return (!fqdn.empty() && fqdn.back() == '.') ? fqdn : fqdn + ".";
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

/// Values presented through this provider at one name, with how often each was presented (a
/// value presented twice needs two cleanups before it goes away).
using ValueCounts = std::map<std::string, int>;

class ChalltestsrvProvider final : public DnsProvider {
 public:
  explicit ChalltestsrvProvider(std::string management_url)
      : management_url_(without_trailing_slash(std::move(management_url))),
        http_(http::make_curl_http_client(http::Options{})) {
    if (management_url_.empty()) {
      throw Error(ErrorKind::config, "challtestsrv DNS provider: no management URL given");
    }
  }

  std::string name() const override { return "challtestsrv"; }

  void present(const std::string& fqdn, const std::string& value) override {
    const std::string host = absolute(fqdn);
    // Held across the request: a concurrent cleanup of the same name must not clear and re-add
    // between our request and our bookkeeping.
    const std::lock_guard<std::mutex> lock(mutex_);
    set_txt(host, value);
    ++presented_[host][value];
  }

  void cleanup(const std::string& fqdn, const std::string& value) override {
    const std::string host = absolute(fqdn);
    const std::lock_guard<std::mutex> lock(mutex_);
    ValueCounts& values = presented_[host];
    forget_one(values, value);
    post("/clear-txt", host, nlohmann::json{{"host", host}});
    for (const auto& [remaining, count] : values) {
      for (int i = 0; i < count; ++i) set_txt(host, remaining);
    }
    if (values.empty()) presented_.erase(host);
  }

 private:
  static void forget_one(ValueCounts& values, const std::string& value) {
    const auto found = values.find(value);
    if (found == values.end()) return;  // not ours: clearing the name removes it all the same
    if (--found->second == 0) values.erase(found);
  }

  void set_txt(const std::string& host, const std::string& value) {
    post("/set-txt", host, nlohmann::json{{"host", host}, {"value", value}});
  }

  void post(const std::string& path, const std::string& host, const nlohmann::json& body) {
    const std::string url = management_url_ + path;
    http::Response response;
    try {
      response = http_->post(url, body.dump(), {{"Content-Type", "application/json"}});
    } catch (const Error& error) {
      throw ChallengeError("challtestsrv: " + path + " for " + host + ": " + error.what());
    }
    if (response.status != 200) {
      throw ChallengeError("challtestsrv: POST " + url + " for " + host + " answered HTTP " +
                           std::to_string(response.status) + ": " + response.body.substr(0, 200));
    }
  }

  const std::string management_url_;
  const std::shared_ptr<http::HttpClient> http_;
  std::mutex mutex_;
  std::map<std::string, ValueCounts> presented_;  ///< by absolute name
};

}  // namespace

std::shared_ptr<DnsProvider> make_challtestsrv_provider(std::string management_url) {
  return std::make_shared<ChalltestsrvProvider>(std::move(management_url));
}

}  // namespace acmecpp
