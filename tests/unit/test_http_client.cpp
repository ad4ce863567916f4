// SPDX-License-Identifier: Apache-2.0
// The libcurl client against real servers on 127.0.0.1 (cpp-httplib, and a raw socket for
// responses httplib cannot produce).

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "acmecpp/error.hpp"
#include "acmecpp/version.hpp"
#include "http/http_client.hpp"
#include "support/process.hpp"
#include "transport_test_support.hpp"

using acmecpp::Error;
using acmecpp::ErrorKind;
using acmecpp::http::make_curl_http_client;
using acmecpp::http::Options;
using acmecpp::test::LocalHttpServer;
using acmecpp::test::TestPki;

namespace {

Options fast_options() {
  Options options;
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.total_timeout = std::chrono::milliseconds(5000);
  return options;
}

/// Echoes what the server received, so tests can check what the client sent.
void add_echo_handlers(httplib::Server& server) {
  server.Get("/echo", [](const httplib::Request& request, httplib::Response& response) {
    response.set_header("X-Seen-User-Agent", request.get_header_value("User-Agent"));
    response.set_header("X-Seen-Accept-Language", request.get_header_value("Accept-Language"));
    response.set_content("hello", "text/plain");
  });
  server.Post("/echo", [](const httplib::Request& request, httplib::Response& response) {
    response.set_header("X-Seen-Content-Type", request.has_header("Content-Type")
                                                   ? request.get_header_value("Content-Type")
                                                   : "(none)");
    response.set_header("X-Seen-Expect", request.has_header("Expect")
                                             ? request.get_header_value("Expect")
                                             : "(none)");
    response.set_header("X-Seen-Length", std::to_string(request.body.size()));
    response.set_content(request.body.substr(0, 100), "text/plain");
  });
}

template <typename Call>
Error capture_error(Call call) {
  try {
    call();
  } catch (const Error& error) {
    return error;
  }
  FAIL("expected an acmecpp::Error");
  return Error(ErrorKind::config, "unreachable");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("GET returns status, body and headers, and sends the default User-Agent") {
  LocalHttpServer local;
  add_echo_handlers(local.server());
  local.start();
  const auto client = make_curl_http_client(fast_options());

  const auto response = client->get(local.url("/echo"), {{"Accept-Language", "de"}});
  CHECK(response.status == 200);
  CHECK(response.body == "hello");
  CHECK(response.header("content-type") == "text/plain");
  CHECK(response.header("X-Seen-User-Agent") == acmecpp::user_agent());
  CHECK(response.header("X-Seen-Accept-Language") == "de");
  CHECK_FALSE(response.header("X-Not-There").has_value());
}

TEST_CASE("the User-Agent can be overridden") {
  LocalHttpServer local;
  add_echo_handlers(local.server());
  local.start();
  Options options = fast_options();
  options.user_agent = "custom-agent/1.0";
  const auto client = make_curl_http_client(options);

  CHECK(client->get(local.url("/echo")).header("X-Seen-User-Agent") == "custom-agent/1.0");
}

TEST_CASE("HEAD returns headers without a body") {
  LocalHttpServer local;
  add_echo_handlers(local.server());
  local.start();
  const auto client = make_curl_http_client(fast_options());

  const auto response = client->head(local.url("/echo"));
  CHECK(response.status == 200);
  CHECK(response.body.empty());
  CHECK(response.header("Content-Length") == "5");
}

TEST_CASE("POST sends the body with exactly the Content-Type the caller gives") {
  LocalHttpServer local;
  add_echo_handlers(local.server());
  local.start();
  const auto client = make_curl_http_client(fast_options());

  const auto jose = client->post(local.url("/echo"), R"({"protected":"x"})",
                                 {{"Content-Type", "application/jose+json"}});
  CHECK(jose.status == 200);
  CHECK(jose.body == R"({"protected":"x"})");
  CHECK(jose.header("X-Seen-Content-Type") == "application/jose+json");

  // Without one, curl's default form type must not sneak in.
  CHECK(client->post(local.url("/echo"), "abc").header("X-Seen-Content-Type") == "(none)");

  // A large body goes out at once, without "Expect: 100-continue" and its extra round trip.
  const std::string large(1536 * 1024, 'x');
  const auto big = client->post(local.url("/echo"), large);
  CHECK(big.header("X-Seen-Length") == std::to_string(large.size()));
  CHECK(big.header("X-Seen-Expect") == "(none)");
}

TEST_CASE("status codes are passed through, redirects are not followed") {
  LocalHttpServer local;
  local.server().Get("/missing", [](const httplib::Request&, httplib::Response& response) {
    response.status = 404;
    response.set_content(R"({"type":"urn:ietf:params:acme:error:malformed"})",
                         "application/problem+json");
  });
  local.server().Get("/broken", [](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
  });
  local.server().Get("/moved", [](const httplib::Request&, httplib::Response& response) {
    response.set_redirect("/elsewhere", 302);
  });
  local.start();
  const auto client = make_curl_http_client(fast_options());

  const auto missing = client->get(local.url("/missing"));
  CHECK(missing.status == 404);
  CHECK(contains(missing.body, "malformed"));
  CHECK(client->get(local.url("/broken")).status == 500);
  const auto moved = client->get(local.url("/moved"));
  CHECK(moved.status == 302);
  CHECK(moved.header("Location") == "/elsewhere");
}

TEST_CASE("repeated headers are all kept, in order, found case-insensitively") {
  LocalHttpServer local;
  local.server().Get("/links", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Link", R"(<https://example.com/dir>;rel="index")");
    response.set_header("Link", R"(<https://example.com/cert/1>;rel="alternate")");
    response.set_content("", "text/plain");
  });
  local.start();
  const auto client = make_curl_http_client(fast_options());

  const auto response = client->get(local.url("/links"));
  const auto links = response.headers_named("LINK");
  REQUIRE(links.size() == 2);
  CHECK(links[0] == R"(<https://example.com/dir>;rel="index")");
  CHECK(links[1] == R"(<https://example.com/cert/1>;rel="alternate")");
  CHECK(response.header("link") == links[0]);
}

TEST_CASE("the body cap is enforced with and without Content-Length") {
  LocalHttpServer local;
  local.server().Get("/sized", [](const httplib::Request& request, httplib::Response& response) {
    response.set_content(std::string(std::stoul(request.get_param_value("n")), 'a'), "text/plain");
  });
  local.server().Get("/chunked", [](const httplib::Request&, httplib::Response& response) {
    response.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
      const std::string chunk(400, 'b');
      for (int i = 0; i < 5; ++i) sink.write(chunk.data(), chunk.size());
      sink.done();
      return true;
    });
  });
  local.start();
  Options options = fast_options();
  options.max_body_bytes = 1000;
  const auto client = make_curl_http_client(options);

  CHECK(client->get(local.url("/sized?n=1000")).body.size() == 1000);
  // HEAD announces the size of a body it does not send: that is no reason to fail.
  CHECK(client->head(local.url("/sized?n=5000")).header("Content-Length") == "5000");
  const std::string too_large = local.url("/sized?n=1001");
  const Error announced = capture_error([&] { client->get(too_large); });
  CHECK(announced.kind() == ErrorKind::network);
  CHECK(std::string(announced.what()) == "response from " + too_large + " exceeds 1000 bytes");

  const Error streamed = capture_error([&] { client->get(local.url("/chunked")); });
  CHECK(streamed.kind() == ErrorKind::network);
  CHECK(std::string(streamed.what()) ==
        "response from " + local.url("/chunked") + " exceeds 1000 bytes");
}

TEST_CASE("the total timeout is enforced") {
  // The handler waits until released (or 5 s), so the server can stop quickly afterwards.
  acmecpp::test::HeldRoute slow;
  LocalHttpServer local;
  slow.install(local.server(), "/slow", std::chrono::seconds(5));
  local.start();
  Options options = fast_options();
  options.total_timeout = std::chrono::milliseconds(300);
  const auto client = make_curl_http_client(options);

  const auto started = std::chrono::steady_clock::now();
  bool reported_as_not_sent = false;
  const Error error = capture_error([&] {
    try {
      client->get(local.url("/slow"));
    } catch (const acmecpp::http::NotSentError&) {
      reported_as_not_sent = true;
      throw;
    }
  });
  const auto elapsed = std::chrono::steady_clock::now() - started;
  slow.release();

  CHECK(error.kind() == ErrorKind::network);
  CHECK(contains(error.what(), "GET " + local.url("/slow") + " failed: "));
  CHECK(contains(error.what(), "timed out"));
  CHECK(elapsed < std::chrono::milliseconds(2000));
  // The server had the request: sending it again could make it act twice.
  CHECK_FALSE(reported_as_not_sent);
}

TEST_CASE("an unreachable server is a network error naming method and URL") {
  const std::string url =
      "http://127.0.0.1:" + std::to_string(acmecpp::test::unused_loopback_port()) + "/directory";
  const auto client = make_curl_http_client(fast_options());

  const Error error = capture_error([&] { client->post(url, "{}"); });
  CHECK(error.kind() == ErrorKind::network);
  CHECK(contains(error.what(), "POST " + url + " failed: "));
  CHECK(contains(error.what(), "onnect"));  // curl: "Failed to connect ..." / "Couldn't connect"
  // Nothing reached a server, so the ACME client may safely send it again.
  CHECK_THROWS_AS(client->post(url, "{}"), acmecpp::http::NotSentError);
}

TEST_CASE("only http and https URLs are fetched") {
  const auto client = make_curl_http_client(fast_options());
  const Error error = capture_error([&] { client->get("file:///etc/hostname"); });
  CHECK(error.kind() == ErrorKind::network);
  CHECK(contains(error.what(), "GET file:///etc/hostname failed: "));
}

TEST_CASE("non-positive timeouts are refused") {
  Options options = fast_options();
  options.total_timeout = std::chrono::milliseconds(0);
  CHECK_THROWS_WITH_AS(make_curl_http_client(options),
                       "HTTP total timeout must be positive, got 0 ms", Error);
  options = fast_options();
  options.connect_timeout = std::chrono::milliseconds(-1);
  CHECK_THROWS_WITH_AS(make_curl_http_client(options),
                       "HTTP connect timeout must be positive, got -1 ms", Error);
}

TEST_CASE("sequential requests reuse one connection") {
  LocalHttpServer local;
  add_echo_handlers(local.server());
  local.start();
  const auto client = make_curl_http_client(fast_options());

  CHECK(client->connections_opened() == 0);
  for (int i = 0; i < 20; ++i) REQUIRE(client->get(local.url("/echo")).status == 200);
  CHECK(client->connections_opened() == 1);
}

TEST_CASE("the client can be used from several threads at once") {
  LocalHttpServer local;
  local.server().Get(R"(/n/(\d+))",
                     [](const httplib::Request& request, httplib::Response& response) {
                       response.set_content("value " + request.matches[1].str(), "text/plain");
                     });
  local.start();
  const auto client = make_curl_http_client(fast_options());

  constexpr int kThreads = 4;
  constexpr int kRequestsEach = 15;
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequestsEach; ++i) {
        const int n = t * 100 + i;
        const auto response = client->get(local.url("/n/" + std::to_string(n)));
        if (response.status == 200 && response.body == "value " + std::to_string(n)) ++correct;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(correct == kThreads * kRequestsEach);
  // Each pooled handle keeps its connection: at most one per thread that ran at the same time.
  CHECK(client->connections_opened() <= static_cast<std::size_t>(kThreads));
}

namespace {

/// Accepts one connection on 127.0.0.1, reads the request head and answers with fixed bytes:
/// for responses cpp-httplib cannot produce (interim 1xx with headers, folded header lines).
class CannedResponseServer {
 public:
  explicit CannedResponseServer(std::string reply) : reply_(std::move(reply)) {
    thread_ = std::thread([this] { serve_one(); });
  }
  ~CannedResponseServer() {
    shutdown(listener_.fd(), SHUT_RDWR);  // unblocks accept() if no client came
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(listener_.port()) + "/"; }

 private:
  void serve_one() {
    const int connection = accept(listener_.fd(), nullptr, nullptr);
    if (connection < 0) return;
    std::string request;
    char buffer[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = read(connection, buffer, sizeof buffer);
      if (n <= 0) break;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    (void)!write(connection, reply_.data(), reply_.size());
    close(connection);
  }

  acmecpp::test::LoopbackListener listener_;
  std::string reply_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("only the final response's headers are kept, folded lines are joined") {
  CannedResponseServer server(
      "HTTP/1.1 103 Early Hints\r\n"
      "Link: </style.css>; rel=preload\r\n"
      "\r\n"
      "HTTP/1.1 201 Created\r\n"
      "Location: https://acme.example/order/1\r\n"
      "X-Folded: first\r\n"
      "  second\r\n"
      "Content-Length: 2\r\n"
      "Connection: close\r\n"
      "\r\n"
      "ok");
  const auto client = make_curl_http_client(fast_options());

  const auto response = client->get(server.url());
  CHECK(response.status == 201);
  CHECK(response.body == "ok");
  CHECK(response.headers_named("Link").empty());
  CHECK(response.header("Location") == "https://acme.example/order/1");
  CHECK(response.header("X-Folded") == "first second");
}

namespace {}  // namespace

TEST_CASE("HTTPS is verified against the configured CA bundle") {
  TestPki pki;
  LocalHttpServer local(
      std::make_unique<httplib::SSLServer>(pki.server_pem().c_str(), pki.server_key().c_str()),
      "https");
  REQUIRE(local.server().is_valid());
  add_echo_handlers(local.server());
  local.start();

  SUBCASE("trusted through ca_bundle") {
    Options options = fast_options();
    options.ca_bundle = pki.ca_pem();
    const auto client = make_curl_http_client(options);
    const auto response = client->get(local.url("/echo"));
    CHECK(response.status == 200);
    CHECK(response.body == "hello");
  }
  SUBCASE("unknown to the system store") {
    const auto client = make_curl_http_client(fast_options());
    const Error error = capture_error([&] { client->get(local.url("/echo")); });
    CHECK(error.kind() == ErrorKind::network);
    CHECK(contains(error.what(), "GET " + local.url("/echo") + " failed: "));
    CHECK(contains(error.what(), "certificate"));
  }
  SUBCASE("a missing bundle file") {
    Options options = fast_options();
    options.ca_bundle = pki.directory.path().string() + "/absent.pem";
    const auto client = make_curl_http_client(options);
    const Error error = capture_error([&] { client->get(local.url("/echo")); });
    CHECK(error.kind() == ErrorKind::network);
    CHECK(contains(error.what(), "absent.pem"));
  }
}
