// SPDX-License-Identifier: Apache-2.0
// Requests of the ACME client counted by result (acme::RequestStats::by_result), through the real
// libcurl transport against a real local server.

#include <doctest/doctest.h>

#include "acme/counting_transport.hpp"
#include "acmecpp/acme_client.hpp"
#include "acmecpp/error.hpp"
#include "http/http_client.hpp"
#include "transport_test_support.hpp"

using namespace acmecpp;
using acmecpp::test::LocalHttpServer;

namespace {

http::Options quick() {
  http::Options options;
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.total_timeout = std::chrono::milliseconds(5000);
  return options;
}

void add_status_handlers(httplib::Server& server) {
  server.Get("/ok", [](const httplib::Request&, httplib::Response& r) { r.status = 200; });
  server.Get("/missing", [](const httplib::Request&, httplib::Response& r) { r.status = 404; });
  server.Post("/broken", [](const httplib::Request&, httplib::Response& r) { r.status = 503; });
}

}  // namespace

TEST_CASE("CountingTransport counts responses by status class and failures as network_error") {
  LocalHttpServer local;
  add_status_handlers(local.server());
  local.start();
  acme::CountingTransport transport(http::make_curl_http_client(quick()));

  CHECK(transport.get(local.url("/ok")).status == 200);
  CHECK(transport.get(local.url("/ok")).status == 200);
  CHECK(transport.get(local.url("/missing")).status == 404);
  CHECK(transport.post(local.url("/broken"), "x").status == 503);
  const auto refused = "http://127.0.0.1:" + std::to_string(test::unused_loopback_port()) + "/";
  CHECK_THROWS_AS(transport.get(refused), Error);

  const std::map<std::string, std::size_t> expected{
      {"2xx", 2}, {"4xx", 1}, {"5xx", 1}, {"network_error", 1}};
  CHECK(transport.by_result() == expected);
}

TEST_CASE("acme::Client::stats() reports requests by result") {
  test::TestPki pki;  // an ACME server is HTTPS (RFC 8555 section 6.1)
  LocalHttpServer local(
      std::make_unique<httplib::SSLServer>(pki.server_pem().c_str(), pki.server_key().c_str()),
      "https");
  REQUIRE(local.server().is_valid());
  local.server().Get("/directory",
                     [](const httplib::Request&, httplib::Response& r) { r.status = 500; });
  local.start();
  acme::ClientOptions options;
  options.directory_url = local.url("/directory");
  options.connect_timeout = quick().connect_timeout;
  options.request_timeout = quick().total_timeout;
  options.ca_bundle = pki.ca_pem();
  // A 500 is transient: asked twice more (without Retry-After: 10 ms, then 20 ms), then given up.
  options.transient_retries = 2;
  options.transient_initial_wait = std::chrono::milliseconds(10);
  acme::Client client(options);

  CHECK_THROWS_AS(client.directory(), Error);
  const auto stats = client.stats();
  CHECK(stats.requests == 3);
  CHECK(stats.transient_retries == 2);
  CHECK(stats.by_result == std::map<std::string, std::size_t>{{"5xx", 3}});
}
