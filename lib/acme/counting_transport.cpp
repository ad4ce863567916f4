// SPDX-License-Identifier: Apache-2.0
#include "acme/counting_transport.hpp"

#include "acmecpp/error.hpp"

namespace acmecpp::acme {
namespace {

constexpr std::size_t kOtherStatus = 0;
constexpr std::size_t kNetworkError = 6;

std::size_t slot_for(long status) {
  return status >= 100 && status < 600 ? static_cast<std::size_t>(status / 100) : kOtherStatus;
}

std::string result_name(std::size_t slot) {
  if (slot == kNetworkError) return "network_error";
  if (slot == kOtherStatus) return "other";
  return std::to_string(slot) + "xx";
}

}  // namespace

CountingTransport::CountingTransport(std::shared_ptr<http::HttpClient> inner)
    : inner_(std::move(inner)) {}

template <typename Send>
http::Response CountingTransport::counted(Send send) {
  try {
    auto response = send();
    ++counts_[slot_for(response.status)];
    return response;
  } catch (const Error& e) {
    // Only a failure to get an answer counts: a transport's config errors are not requests.
    if (e.kind() == ErrorKind::network) ++counts_[kNetworkError];
    throw;
  }
}

http::Response CountingTransport::get(const std::string& url, const http::Headers& headers,
                                      const StopToken& stop) {
  return counted([&] { return inner_->get(url, headers, stop); });
}

http::Response CountingTransport::head(const std::string& url, const http::Headers& headers,
                                       const StopToken& stop) {
  return counted([&] { return inner_->head(url, headers, stop); });
}

http::Response CountingTransport::post(const std::string& url, const std::string& body,
                                       const http::Headers& headers, const StopToken& stop) {
  return counted([&] { return inner_->post(url, body, headers, stop); });
}

http::Response CountingTransport::del(const std::string& url, const http::Headers& headers,
                                      const StopToken& stop) {
  return counted([&] { return inner_->del(url, headers, stop); });
}

std::size_t CountingTransport::connections_opened() const {
  return inner_->connections_opened();
}

std::map<std::string, std::size_t> CountingTransport::by_result() const {
  std::map<std::string, std::size_t> out;
  for (std::size_t slot = 0; slot < counts_.size(); ++slot) {
    if (const auto n = counts_[slot].load()) out[result_name(slot)] = n;
  }
  return out;
}

}  // namespace acmecpp::acme
