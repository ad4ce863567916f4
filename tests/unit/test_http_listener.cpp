// SPDX-License-Identifier: Apache-2.0
// The library's small HTTP/1.1 responder (lib/http/http_listener.hpp) over real sockets on
// 127.0.0.1: replies checked byte for byte, malformed and oversized requests, a handler that
// throws, silent and slow clients, many clients at once, and binding and stopping.

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "http/http_listener.hpp"
#include "support/free_port.hpp"
#include "support/raw_http.hpp"

using acmecpp::http::HttpListener;
using acmecpp::http::ListenerLimits;
using acmecpp::http::ServerReply;
using acmecpp::http::ServerRequest;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

/// Answers every request with its method and target, and remembers what it saw.
class EchoHandler {
 public:
  ServerReply operator()(const ServerRequest& request) {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(request);
    return {200, "text/plain", request.method + " " + request.target};
  }
  std::vector<ServerRequest> seen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<ServerRequest> seen_;
};

/// An HttpListener on 127.0.0.1 and a port of the kernel's choice, answering with `echo`.
std::unique_ptr<HttpListener> echo_listener(EchoHandler& echo, ListenerLimits limits = {}) {
  return std::make_unique<HttpListener>(
      "127.0.0.1", 0, [&echo](const ServerRequest& request) { return echo(request); }, limits);
}

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

/// What the listener sends for `status` and a body (plus any header lines in `extra`).
std::string expected_reply(const std::string& status_line, const std::string& content_type,
                           const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + status_line + "\r\n" +
         (content_type.empty() ? "" : "Content-Type: " + content_type + "\r\n") + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

/// Waits until the listener has surely accepted a connection made just before.
void let_the_listener_accept() {
  std::this_thread::sleep_for(50ms);
}

}  // namespace

TEST_CASE("GET goes to the handler with its target as sent, and the reply comes back exactly") {
  EchoHandler echo;
  const auto listener = echo_listener(echo);
  const std::string reply =
      round_trip(listener->port(), "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
  CHECK(reply == expected_reply("200 OK", "text/plain", "GET /metrics?x=1"));
  const auto seen = echo.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/metrics?x=1");
  CHECK(seen[0].path() == "/metrics");
  // HTTP/1.0 is answered too (in HTTP/1.1, which a 1.0 client accepts).
  CHECK(round_trip(listener->port(), "GET /old HTTP/1.0\r\n\r\n") ==
        expected_reply("200 OK", "text/plain", "GET /old"));
}

TEST_CASE("HEAD gets the same status line and headers as GET, without the body") {
  EchoHandler echo;
  const auto listener = echo_listener(echo);
  const std::string reply = round_trip(listener->port(), "HEAD /a HTTP/1.1\r\nHost: a\r\n\r\n");
  // Content-Length is the size of the body a GET would get ("HEAD /a": 7 bytes).
  CHECK(reply ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n"
        "Connection: close\r\n\r\n");
  REQUIRE(echo.seen().size() == 1);
  CHECK(echo.seen()[0].method == "HEAD");
}

TEST_CASE("the handler's status, content type and body are sent as given") {
  HttpListener listener("127.0.0.1", 0, [](const ServerRequest& request) -> ServerReply {
    if (request.target == "/missing") return {404, "text/plain", "no such thing\n"};
    if (request.target == "/untyped") return {200, "", "raw"};
    if (request.target == "/busy") return {503, "application/json", "{}"};
    return {299, "text/plain", ""};  // a status without a reason phrase of its own
  });
  CHECK(round_trip(listener.port(), get("/missing")) ==
        expected_reply("404 Not Found", "text/plain", "no such thing\n"));
  CHECK(round_trip(listener.port(), get("/untyped")) == expected_reply("200 OK", "", "raw"));
  CHECK(round_trip(listener.port(), get("/busy")) ==
        expected_reply("503 Service Unavailable", "application/json", "{}"));
  CHECK(round_trip(listener.port(), get("/other")) == expected_reply("299 ", "text/plain", ""));
}

TEST_CASE("methods other than GET and HEAD get 405 with Allow, without reaching the handler") {
  EchoHandler echo;
  const auto listener = echo_listener(echo);
  const std::string allowed = "Allow: GET, HEAD\r\n";
  CHECK(round_trip(listener->port(), "POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi") ==
        expected_reply("405 Method Not Allowed", "text/plain", "Method Not Allowed\n", allowed));
  CHECK(round_trip(listener->port(), "OPTIONS * HTTP/1.1\r\n\r\n") ==
        expected_reply("405 Method Not Allowed", "text/plain", "Method Not Allowed\n", allowed));
  // Methods are case-sensitive (RFC 9110 section 9.1): "get" is not GET.
  CHECK(round_trip(listener->port(), "get / HTTP/1.1\r\n\r\n") ==
        expected_reply("405 Method Not Allowed", "text/plain", "Method Not Allowed\n", allowed));
  CHECK(echo.seen().empty());
}

TEST_CASE("a head longer than the limit gets 431, and one exactly at the limit is answered") {
  EchoHandler echo;
  ListenerLimits limits;
  limits.max_head_bytes = 64;
  const auto listener = echo_listener(echo, limits);
  const std::string too_large = expected_reply("431 Request Header Fields Too Large", "text/plain",
                                               "Request Header Fields Too Large\n");

  const std::string start = "GET / HTTP/1.1\r\nX: ";  // 19 bytes, and 4 for the final CRLFCRLF
  const std::string at_limit = start + std::string(64 - start.size() - 4, 'a') + "\r\n\r\n";
  REQUIRE(at_limit.size() == 64);
  CHECK(round_trip(listener->port(), at_limit) == expected_reply("200 OK", "text/plain", "GET /"));
  const std::string over_limit = start + std::string(64 - start.size() - 3, 'a') + "\r\n\r\n";
  CHECK(round_trip(listener->port(), over_limit) == too_large);
  // A head that never ends: answered as soon as the limit is passed, not at the timeout. The
  // client's unread bytes must not turn the close into a reset that loses the reply.
  const auto started = Clock::now();
  CHECK(round_trip(listener->port(), start + std::string(100000, 'a')) == too_large);
  CHECK(Clock::now() - started < 3s);
  CHECK(echo.seen().size() == 1);
}

TEST_CASE("the default head limit is 8192 bytes") {
  EchoHandler echo;
  const auto listener = echo_listener(echo);
  const std::string big_header = "GET / HTTP/1.1\r\nCookie: " + std::string(9000, 'c') + "\r\n\r\n";
  CHECK(round_trip(listener->port(), big_header).rfind("HTTP/1.1 431 ", 0) == 0);
  const std::string fits = "GET / HTTP/1.1\r\nCookie: " + std::string(8000, 'c') + "\r\n\r\n";
  CHECK(round_trip(listener->port(), fits) == expected_reply("200 OK", "text/plain", "GET /"));
}

TEST_CASE("a request line that is not METHOD SP TARGET SP HTTP/1.x gets 400") {
  EchoHandler echo;
  const auto listener = echo_listener(echo);
  const std::string bad_request = expected_reply("400 Bad Request", "text/plain", "Bad Request\n");
  for (const std::string line :
       {"hello", "GET /", "GET / HTTP/2.0", "GET / HTTP/1.", "GET / http/1.1", "GET  / HTTP/1.1",
        "GET /a b HTTP/1.1", "GET / HTTP/1.1 ", "G(T / HTTP/1.1", " GET / HTTP/1.1",
        "GET /\x01 HTTP/1.1", "GET /\xc3\xa9 HTTP/1.1", ""}) {
    INFO("request line: \"" << line << "\"");
    CHECK(round_trip(listener->port(), line + "\r\nHost: a\r\n\r\n") == bad_request);
  }
  CHECK(echo.seen().empty());
}

TEST_CASE("a handler that throws gives 500, and the body does not repeat the exception") {
  HttpListener listener("127.0.0.1", 0, [](const ServerRequest&) -> ServerReply {
    throw std::runtime_error("secret detail /etc/shadow");
  });
  CHECK(round_trip(listener.port(), get("/")) ==
        expected_reply("500 Internal Server Error", "text/plain", "Internal Server Error\n"));
  CHECK(round_trip(listener.port(), get("/")) ==  // and it keeps serving
        expected_reply("500 Internal Server Error", "text/plain", "Internal Server Error\n"));
}

TEST_CASE("a reply that cannot be sent as given becomes 500") {
  HttpListener listener("127.0.0.1", 0, [](const ServerRequest& request) -> ServerReply {
    if (request.target == "/injected") return {200, "text/plain\r\nSet-Cookie: x=1", "body"};
    return {100, "text/plain", "body"};  // not a final status
  });
  const std::string internal_error =
      expected_reply("500 Internal Server Error", "text/plain", "Internal Server Error\n");
  CHECK(round_trip(listener.port(), get("/injected")) == internal_error);
  CHECK(round_trip(listener.port(), get("/informational")) == internal_error);
}

TEST_CASE("a request arriving a few bytes at a time is answered once its head is complete") {
  EchoHandler echo;
  const auto listener = echo_listener(echo);
  const UniqueFd client = connect_tcp(listener->port());
  const std::string request = get("/slow");
  for (std::size_t at = 0; at < request.size(); at += 3) {
    send_all(client.get(), request.substr(at, 3));  // the final CRLFCRLF arrives split, too
    std::this_thread::sleep_for(2ms);
    if (at + 3 < request.size()) CHECK_FALSE(readable_within(client.get(), 0ms));
  }
  CHECK(read_until_closed(client.get()) == expected_reply("200 OK", "text/plain", "GET /slow"));
}

TEST_CASE("a silent client connected first does not delay a second client's answer") {
  EchoHandler echo;
  const auto listener = echo_listener(echo);  // request_timeout: 10 s
  const UniqueFd silent = connect_tcp(listener->port());
  send_all(silent.get(), "GET /never-finis");  // and not even a complete head
  let_the_listener_accept();

  const auto started = Clock::now();
  CHECK(round_trip(listener->port(), get("/second")) ==
        expected_reply("200 OK", "text/plain", "GET /second"));
  CHECK(Clock::now() - started < 1s);
  CHECK_FALSE(readable_within(silent.get(), 0ms));  // still waiting for its head
}

TEST_CASE("a request not complete within the timeout gets 408 and the connection is closed") {
  EchoHandler echo;
  ListenerLimits limits;
  limits.request_timeout = 200ms;
  const auto listener = echo_listener(echo, limits);
  const UniqueFd silent = connect_tcp(listener->port());
  const UniqueFd partial = connect_tcp(listener->port());
  send_all(partial.get(), "GET / HTTP/1.1\r\nHost:");

  const auto started = Clock::now();
  const std::string timed_out =
      expected_reply("408 Request Timeout", "text/plain", "Request Timeout\n");
  CHECK(read_until_closed(silent.get()) == timed_out);
  CHECK(read_until_closed(partial.get()) == timed_out);
  const auto took = Clock::now() - started;
  CHECK(took >= 150ms);
  CHECK(took < 3s);  // the read timeout is 5 s: the listener closed the connections itself
  CHECK(echo.seen().empty());
}

TEST_CASE("a large reply to a slow reader is written in parts while others are answered") {
  const std::string large(8 * 1024 * 1024, 'x');  // far beyond what the socket buffers hold
  HttpListener listener("127.0.0.1", 0, [&large](const ServerRequest& request) -> ServerReply {
    if (request.target == "/large") return {200, "application/octet-stream", large};
    return {200, "text/plain", "small"};
  });
  const UniqueFd slow = connect_tcp(listener.port());
  send_all(slow.get(), get("/large"));
  let_the_listener_accept();

  // The large reply cannot have been written in one go; meanwhile another client is answered.
  const auto started = Clock::now();
  CHECK(round_trip(listener.port(), get("/small")) ==
        expected_reply("200 OK", "text/plain", "small"));
  CHECK(Clock::now() - started < 1s);

  CHECK(read_until_closed(slow.get()) ==
        expected_reply("200 OK", "application/octet-stream", large));
}

TEST_CASE("a reply is delivered whole even when the client sends more after its head") {
  // Closing a socket with unread input makes the kernel reset the connection and throw away
  // the part of the reply it still holds; the listener must read and drop that input instead.
  const std::string large(4 * 1024 * 1024, 'y');
  HttpListener listener("127.0.0.1", 0, [&large](const ServerRequest&) {
    return ServerReply{200, "application/octet-stream", large};
  });
  const UniqueFd client = connect_tcp(listener.port());
  send_all(client.get(), get("/large"));
  REQUIRE(readable_within(client.get(), 2000ms));  // the reply has begun: the head was read
  send_all(client.get(), std::string(1000, 'z'));  // e.g. a body nobody asked for
  std::this_thread::sleep_for(100ms);
  CHECK(read_until_closed(client.get()) ==
        expected_reply("200 OK", "application/octet-stream", large));
}

TEST_CASE("200 concurrent connections are all answered, each with its own reply") {
  EchoHandler echo;
  const auto listener = echo_listener(echo);
  constexpr int kClients = 200;
  std::vector<UniqueFd> clients;
  // All connected before any request is sent: 200 connections open at once.
  for (int i = 0; i < kClients; ++i) clients.push_back(connect_tcp(listener->port()));
  for (int i = 0; i < kClients; ++i) send_all(clients[i].get(), get("/n/" + std::to_string(i)));
  int answered = 0;
  for (int i = 0; i < kClients; ++i) {
    const std::string expected =
        expected_reply("200 OK", "text/plain", "GET /n/" + std::to_string(i));
    if (read_until_closed(clients[i].get()) == expected) ++answered;
  }
  CHECK(answered == kClients);
  CHECK(echo.seen().size() == static_cast<std::size_t>(kClients));
}

TEST_CASE("at max_connections new clients wait in the backlog until a connection closes") {
  EchoHandler echo;
  ListenerLimits limits;
  limits.max_connections = 1;
  const auto listener = echo_listener(echo, limits);
  UniqueFd first = connect_tcp(listener->port());
  let_the_listener_accept();

  const UniqueFd second = connect_tcp(listener->port());  // the kernel completes the handshake
  send_all(second.get(), get("/second"));
  CHECK_FALSE(readable_within(second.get(), 300ms));  // but the listener does not take it yet

  first.reset();  // the slot is free once the listener sees the first one close
  CHECK(read_until_closed(second.get()) == expected_reply("200 OK", "text/plain", "GET /second"));
}

TEST_CASE("the destructor returns promptly and closes idle connections") {
  EchoHandler echo;
  auto listener = echo_listener(echo);
  const std::uint16_t port = listener->port();
  const UniqueFd idle = connect_tcp(port);
  const UniqueFd partial = connect_tcp(port);
  send_all(partial.get(), "GET / HTTP/1.1\r\n");
  let_the_listener_accept();

  const auto started = Clock::now();
  listener.reset();
  CHECK(Clock::now() - started < 500ms);
  // Closed, not abandoned: the clients see the end of the stream (no reply) at once.
  CHECK(readable_within(idle.get(), 100ms));
  CHECK(read_until_closed(idle.get()).empty());
  CHECK(read_until_closed(partial.get()).empty());
  CHECK_THROWS_AS(connect_tcp(port), std::runtime_error);  // nothing listens any more
}

TEST_CASE("a port another listener holds cannot be bound: std::system_error, EADDRINUSE") {
  EchoHandler echo;
  const auto first = echo_listener(echo);
  try {
    HttpListener second("127.0.0.1", first->port(), [](const ServerRequest&) {
      return ServerReply{200, "text/plain", "second"};
    });
    FAIL("the second listener bound a port in use");
  } catch (const std::system_error& error) {
    CHECK(error.code().category() == std::generic_category());
    CHECK(error.code().value() == EADDRINUSE);
    CHECK(error.code().message() == "Address already in use");
  }
  // The first one still has the port to itself.
  CHECK(round_trip(first->port(), get("/")) == expected_reply("200 OK", "text/plain", "GET /"));
}

TEST_CASE("a port held by a plain socket with SO_REUSEPORT cannot be shared either") {
  // Were the listener to set SO_REUSEPORT as well, both would bind and split the connections.
  const UniqueFd holder(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int yes = 1;
  REQUIRE(setsockopt(holder.get(), SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes) == 0);
  const std::uint16_t port = free_tcp_port();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(holder.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(holder.get(), 1) == 0);

  CHECK_THROWS_AS(
      HttpListener("127.0.0.1", port, [](const ServerRequest&) { return ServerReply{}; }),
      std::system_error);
}

TEST_CASE("port 0 gives a real port, the one answering") {
  EchoHandler echo;
  const auto a = echo_listener(echo);
  const auto b = echo_listener(echo);
  CHECK(a->port() != 0);
  CHECK(b->port() != 0);
  CHECK(a->port() != b->port());
  CHECK(round_trip(a->port(), get("/a")) == expected_reply("200 OK", "text/plain", "GET /a"));
  CHECK(round_trip(b->port(), get("/b")) == expected_reply("200 OK", "text/plain", "GET /b"));
}

namespace {

/// True when this machine has an IPv6 loopback address (some containers have none).
bool has_ipv6_loopback() {
  const UniqueFd probe(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  return static_cast<bool>(probe) &&
         ::bind(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

}  // namespace

TEST_CASE("an IPv6 literal is bound as given") {
  if (!has_ipv6_loopback()) {
    MESSAGE("no IPv6 loopback on this machine: nothing to test");
    return;
  }
  EchoHandler echo;
  HttpListener v6("::1", 0, [&echo](const ServerRequest& request) { return echo(request); });
  CHECK(round_trip(v6.port(), get("/v6"), "::1") ==
        expected_reply("200 OK", "text/plain", "GET /v6"));
  CHECK_THROWS_AS(connect_tcp(v6.port(), "127.0.0.1"), std::runtime_error);  // ::1 only
}

TEST_CASE("a host name is resolved, and one of its addresses is bound") {
  EchoHandler echo;
  HttpListener named("localhost", 0,
                     [&echo](const ServerRequest& request) { return echo(request); });
  std::string reply;
  for (const char* address : {"127.0.0.1", "::1"}) {
    try {
      reply = round_trip(named.port(), get("/named"), address);
      break;
    } catch (const std::runtime_error&) {
      // not bound on this one
    }
  }
  CHECK(reply == expected_reply("200 OK", "text/plain", "GET /named"));
}

TEST_CASE("an address that is not local cannot be bound") {
  // 192.0.2.1 (TEST-NET-1) is on no interface of this machine.
  try {
    HttpListener listener("192.0.2.1", 0, [](const ServerRequest&) { return ServerReply{}; });
    FAIL("bound an address that is not local");
  } catch (const std::system_error& error) {
    CHECK(error.code().category() == std::generic_category());
    CHECK(error.code().value() == EADDRNOTAVAIL);
  }
}
