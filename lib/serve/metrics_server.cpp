// SPDX-License-Identifier: Apache-2.0
// MetricsServer: the HTTP listener answering GET /metrics with the caller's Prometheus text.

#include <memory>
#include <system_error>
#include <utility>

#include "acmecpp/error.hpp"
#include "acmecpp/metrics.hpp"
#include "http/http_listener.hpp"

namespace acmecpp {
namespace {

http::ServerReply answer(const std::function<std::string()>& render,
                         const http::ServerRequest& request) {
  if (request.path() != "/metrics") return {404, "text/plain", "not found\n"};
  return {200, kPrometheusContentType, render()};
}

std::unique_ptr<http::HttpListener> listen_for_metrics(const std::string& host, std::uint16_t port,
                                                       std::function<std::string()> render) {
  try {
    return std::make_unique<http::HttpListener>(
        host, port, [render = std::move(render)](const http::ServerRequest& request) {
          return answer(render, request);
        });
  } catch (const std::system_error& error) {
    throw Error(ErrorKind::config, "cannot serve metrics on " + host + " port " +
                                       std::to_string(port) + ": " + error.code().message());
  }
}

}  // namespace

struct MetricsServer::Impl {
  std::unique_ptr<http::HttpListener> listener;
};

MetricsServer::MetricsServer(const std::string& host, std::uint16_t port,
                             std::function<std::string()> render)
    : impl_(std::make_unique<Impl>(Impl{listen_for_metrics(host, port, std::move(render))})) {}

MetricsServer::~MetricsServer() = default;

std::uint16_t MetricsServer::port() const noexcept {
  return impl_->listener->port();
}

}  // namespace acmecpp
