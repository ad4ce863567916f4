// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the stand-ins in front of Pebble (ari_server.hpp, hostile_ca.hpp) share: an HTTPS server
// on 127.0.0.1 with Pebble's own TLS certificate (clients trust it with PebbleEnv::ca_bundle()),
// and requests forwarded to Pebble with their Host header, so that Pebble builds every URL it
// returns (and checks every JWS "url") against the stand-in's address.

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "support/pebble_env.hpp"

namespace acmecpp::testing {

/// "/path?query" of a URL.
std::string path_of(const std::string& url);

/// The request as Pebble's answer to it, passed back with the headers an ACME client reads.
class PebbleForwarder {
 public:
  explicit PebbleForwarder(const PebbleEnv& pebble) : pebble_(&pebble) {}
  /// Forwards a GET, HEAD or POST; a Pebble that does not answer gives 502.
  void forward(const httplib::Request& req, httplib::Response& res) const;

 private:
  const PebbleEnv* pebble_;
};

/// A cpp-httplib SSLServer with Pebble's certificate on a free port of 127.0.0.1, run on its own
/// thread until destroyed; `get` answers every GET and HEAD, `post` every POST.
class PebbleFrontServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  PebbleFrontServer(const PebbleEnv& pebble, const Handler& get, const Handler& post,
                    const char* what);
  ~PebbleFrontServer();
  PebbleFrontServer(const PebbleFrontServer&) = delete;
  PebbleFrontServer& operator=(const PebbleFrontServer&) = delete;

  /// "https://127.0.0.1:<port>"
  std::string origin() const;

 private:
  httplib::SSLServer server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace acmecpp::testing
