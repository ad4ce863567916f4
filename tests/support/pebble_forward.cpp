// SPDX-License-Identifier: Apache-2.0
#include "support/pebble_forward.hpp"

#include <chrono>

#include "acmecpp/error.hpp"

namespace acmecpp::testing {
namespace {

// Response headers an ACME client reads, passed back from Pebble as they came.
constexpr const char* kForwardedHeaders[] = {"Replay-Nonce", "Location", "Link", "Retry-After",
                                             "Cache-Control"};

// Pebble derives every URL it returns, and the JWS "url" it expects, from the Host header.
httplib::Headers forwarded_request_headers(const httplib::Request& req) {
  httplib::Headers headers{{"Host", req.get_header_value("Host")}};
  for (const char* name : {"Accept"}) {
    if (req.has_header(name)) headers.emplace(name, req.get_header_value(name));
  }
  return headers;
}

void copy_response(const httplib::Result& result, httplib::Response& res) {
  if (!result) {
    res.status = 502;
    res.set_content("proxy: Pebble did not answer", "text/plain");
    return;
  }
  res.status = result->status;
  for (const char* name : kForwardedHeaders) {
    const auto range = result->headers.equal_range(name);
    for (auto it = range.first; it != range.second; ++it) res.headers.emplace(name, it->second);
  }
  res.set_content(result->body, result->get_header_value("Content-Type").c_str());
}

}  // namespace

std::string path_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto path_start = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  return path_start == std::string::npos ? "/" : url.substr(path_start);
}

void PebbleForwarder::forward(const httplib::Request& req, httplib::Response& res) const {
  httplib::SSLClient client("127.0.0.1", pebble_->ports().acme);
  client.set_ca_cert_path(pebble_->ca_bundle().c_str());
  client.enable_server_certificate_verification(true);
  const auto headers = forwarded_request_headers(req);
  if (req.method == "POST") {
    copy_response(client.Post(req.path.c_str(), headers, req.body,
                              req.get_header_value("Content-Type").c_str()),
                  res);
  } else if (req.method == "HEAD") {
    copy_response(client.Head(req.path.c_str(), headers), res);
  } else {
    copy_response(client.Get(req.path.c_str(), headers), res);
  }
}

PebbleFrontServer::PebbleFrontServer(const PebbleEnv& pebble, const Handler& get,
                                     const Handler& post, const char* what)
    : server_((pebble.state_dir() / "certs" / "cert.pem").c_str(),
              (pebble.state_dir() / "certs" / "key.pem").c_str()) {
  if (!server_.is_valid()) throw Error(ErrorKind::config, std::string(what) + ": TLS setup failed");
  server_.Get(".*", get);
  server_.Post(".*", post);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw Error(ErrorKind::config, std::string(what) + ": cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

PebbleFrontServer::~PebbleFrontServer() {
  server_.stop();
  thread_.join();
}

std::string PebbleFrontServer::origin() const {
  return "https://127.0.0.1:" + std::to_string(port_);
}

}  // namespace acmecpp::testing
