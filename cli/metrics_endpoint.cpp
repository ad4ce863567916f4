#include "metrics_endpoint.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "acmecpp/error.hpp"
#include "acmecpp/metrics.hpp"

namespace acmectl {
namespace {

[[noreturn]] void bad_address(const std::string& text, const std::string& why) {
  throw acmecpp::Error(acmecpp::ErrorKind::config,
                       "--metrics-listen \"" + text + "\": " + why +
                           " (expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464)");
}

std::uint16_t parse_port(const std::string& text, const std::string& digits) {
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    bad_address(text, "the port \"" + digits + "\" is not a number");
  }
  const unsigned long port = std::stoul(digits);
  if (port == 0 || port > 65535) bad_address(text, "the port must be 1-65535");
  return static_cast<std::uint16_t>(port);
}

}  // namespace

ListenAddress parse_listen_address(const std::string& text) {
  ListenAddress address;
  std::string::size_type colon;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      bad_address(text, "an IPv6 address needs the form [ADDRESS]:PORT");
    }
    address.host = text.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string::npos) bad_address(text, "no port");
    address.host = text.substr(0, colon);
    if (address.host.find(':') != std::string::npos) {
      bad_address(text, "write an IPv6 address in brackets");
    }
  }
  if (address.host.empty() && text.front() == '[') bad_address(text, "empty IPv6 address");
  if (address.host.empty()) address.host = "0.0.0.0";
  address.port = parse_port(text, text.substr(colon + 1));
  return address;
}

MetricsEndpoint::MetricsEndpoint(const ListenAddress& address, std::function<std::string()> render)
    : server_(std::make_unique<httplib::Server>()) {
  server_->Get("/metrics", [render](const httplib::Request&, httplib::Response& response) {
    response.set_content(render(), acmecpp::kPrometheusContentType);
  });
  server_->set_keep_alive_timeout(1);  // an idle scraper's connection must not delay stop()
  // Without cpp-httplib's default SO_REUSEPORT, so that a second daemon (or any server of the
  // same user) on this port makes the start fail instead of sharing the port unnoticed.
  server_->set_socket_options([](int socket) {
    const int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  errno = 0;
  if (!server_->bind_to_port(address.host.c_str(), address.port)) {
    const int error = errno;  // cpp-httplib leaves bind()'s errno in place
    throw acmecpp::Error(acmecpp::ErrorKind::config,
                         "cannot serve metrics on " + address.host + " port " +
                             std::to_string(address.port) + ": " +
                             (error ? std::strerror(error) : "cannot bind"));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // A stop() before the loop runs would be lost; wait until it does.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

MetricsEndpoint::~MetricsEndpoint() {
  server_->stop();
  thread_.join();
}

}  // namespace acmectl
