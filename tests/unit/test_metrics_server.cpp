// SPDX-License-Identifier: Apache-2.0
// acmecpp::MetricsServer over real sockets on 127.0.0.1: GET /metrics renders at each request,
// other paths get 404, and an address it cannot bind is a config error naming it.

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "acmecpp/error.hpp"
#include "acmecpp/metrics.hpp"
#include "support/raw_http.hpp"

using acmecpp::MetricsServer;
using namespace acmecpp::testing;

namespace {

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

std::string metrics_reply(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

const std::string kNotFound =
    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n"
    "Connection: close\r\n\r\nnot found\n";

}  // namespace

TEST_CASE("MetricsServer answers GET /metrics with the text rendered at the time of the request") {
  std::atomic<int> renders{0};
  MetricsServer server("127.0.0.1", 0, [&renders] {
    return "acmecpp_scrapes_total " + std::to_string(++renders) + "\n";
  });
  REQUIRE(server.port() != 0);
  CHECK(round_trip(server.port(), get("/metrics")) == metrics_reply("acmecpp_scrapes_total 1\n"));
  CHECK(round_trip(server.port(), get("/metrics?name[]=x")) ==
        metrics_reply("acmecpp_scrapes_total 2\n"));
  CHECK(round_trip(server.port(), get("/")) == kNotFound);
  CHECK(round_trip(server.port(), get("/metrics/")) == kNotFound);
  CHECK(round_trip(server.port(), get("/other")) == kNotFound);
  CHECK(round_trip(server.port(), "POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405 ", 0) == 0);
  CHECK(renders == 2);  // only the two scrapes of /metrics rendered
}

TEST_CASE("MetricsServer answers 500 when rendering fails, without the exception's text") {
  MetricsServer server("127.0.0.1", 0, []() -> std::string {
    throw std::runtime_error("cannot read /secret/store.json");
  });
  const std::string reply = round_trip(server.port(), get("/metrics"));
  CHECK(reply.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0) == 0);
  CHECK(reply.find("secret") == std::string::npos);
}

TEST_CASE("MetricsServer names the address when it cannot bind, as a config error") {
  MetricsServer first("127.0.0.1", 0, [] { return std::string(); });
  const std::string port = std::to_string(first.port());
  try {
    MetricsServer second("127.0.0.1", first.port(), [] { return std::string(); });
    FAIL("bound a port in use");
  } catch (const acmecpp::Error& error) {
    CHECK(error.kind() == acmecpp::ErrorKind::config);
    CHECK(std::string(error.what()) ==
          "cannot serve metrics on 127.0.0.1 port " + port + ": Address already in use");
  }
  CHECK_THROWS_WITH_AS(MetricsServer("192.0.2.1", 9464, [] { return std::string(); }),
                       "cannot serve metrics on 192.0.2.1 port 9464: Cannot assign requested "
                       "address",
                       acmecpp::Error);
}

TEST_CASE("MetricsServer stops serving when destroyed") {
  auto server = std::make_unique<MetricsServer>("127.0.0.1", 0, [] { return std::string("x\n"); });
  const auto port = server->port();
  CHECK(round_trip(port, get("/metrics")) == metrics_reply("x\n"));
  server.reset();
  CHECK_THROWS_AS(round_trip(port, get("/metrics")), std::runtime_error);
}
