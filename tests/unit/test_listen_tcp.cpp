// SPDX-License-Identifier: Apache-2.0
// core::listen_tcp, the listening socket of http::HttpListener and the standalone TLS-ALPN-01
// server (their own tests cover binding conflicts, IPv6 literals and names through them).

#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "core/listen_tcp.hpp"
#include "support/raw_http.hpp"

using namespace acmecpp;
using namespace acmecpp::core;

TEST_CASE("listen_tcp: port 0 gives the kernel's port, on a non-blocking close-on-exec socket") {
  const ListeningSocket listening = listen_tcp("127.0.0.1", 0, ListenHost::numeric);
  REQUIRE(listening.fd);
  CHECK(listening.port != 0);
  CHECK((::fcntl(listening.fd.get(), F_GETFL) & O_NONBLOCK) != 0);
  CHECK((::fcntl(listening.fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
  // Something listens there: a client connects.
  CHECK_NOTHROW(testing::connect_tcp(listening.port));
}

TEST_CASE("listen_tcp: ListenHost::numeric refuses a name without asking the resolver") {
  try {
    listen_tcp("localhost", 0, ListenHost::numeric);
    FAIL("a name was accepted as a numeric address");
  } catch (const ListenHostError& error) {
    CHECK(error.code().category() == resolver_category());
  }
}

TEST_CASE("listen_tcp: a port in use is EADDRINUSE, not ListenHostError") {
  const ListeningSocket first = listen_tcp("127.0.0.1", 0, ListenHost::numeric_or_name);
  try {
    listen_tcp("127.0.0.1", first.port, ListenHost::numeric_or_name);
    FAIL("bound a port in use");
  } catch (const ListenHostError&) {
    FAIL("reported as a host error");
  } catch (const std::system_error& error) {
    CHECK(error.code().category() == std::generic_category());
    CHECK(error.code().value() == EADDRINUSE);
  }
}

TEST_CASE("listen_tcp: \"::\" listens on IPv6 and IPv4 at once (IPV6_V6ONLY off)") {
  // The default of the standalone challenge servers: a CA validates over IPv6 first when a
  // name has an AAAA record, over IPv4 otherwise; one socket must answer both.
  const ListeningSocket listening = listen_tcp(kAnyAddress, 0, ListenHost::numeric);
  REQUIRE(listening.fd);
  CHECK_NOTHROW(testing::connect_tcp(listening.port, "127.0.0.1"));
  CHECK_NOTHROW(testing::connect_tcp(listening.port, "::1"));
  int v6only = -1;
  socklen_t length = sizeof v6only;
  REQUIRE(::getsockopt(listening.fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &length) == 0);
  CHECK(v6only == 0);
}

TEST_CASE("host_port brackets IPv6 addresses only") {
  CHECK(host_port("127.0.0.1", 80) == "127.0.0.1:80");
  CHECK(host_port("::1", 443) == "[::1]:443");
  CHECK(host_port("localhost", 0) == "localhost:0");
}
