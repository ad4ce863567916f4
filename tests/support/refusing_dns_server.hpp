// SPDX-License-Identifier: Apache-2.0
#pragma once
// A DNS server that refuses everything, for tests of the DNS-01 propagation check's waiting.
// Header-only: unit tests use it without the other support files.

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "core/unique_fd.hpp"

namespace acmecpp::testing {

/// A stand-in authoritative server on 127.0.0.1 (UDP) that answers every query at once with
/// REFUSED, so that a propagation check looks, finds nothing, and waits for its next look.
class RefusingDnsServer {
 public:
  RefusingDnsServer() : socket_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(socket_);
    REQUIRE(::bind(socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::getsockname(socket_.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RefusingDnsServer() {
    done_ = true;
    thread_.join();
  }
  RefusingDnsServer(const RefusingDnsServer&) = delete;
  RefusingDnsServer& operator=(const RefusingDnsServer&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int queries() const { return queries_; }

 private:
  void serve() {
    while (!done_) {
      pollfd watched{socket_.get(), POLLIN, 0};
      if (::poll(&watched, 1, 50) <= 0) continue;
      unsigned char packet[512];
      sockaddr_in peer{};
      socklen_t peer_length = sizeof peer;
      const auto n = ::recvfrom(socket_.get(), packet, sizeof packet, 0,
                                reinterpret_cast<sockaddr*>(&peer), &peer_length);
      if (n < 12) continue;
      packet[2] |= 0x80;                                               // QR: a response
      packet[3] = static_cast<unsigned char>((packet[3] & 0xF0) | 5);  // RCODE REFUSED
      ::sendto(socket_.get(), packet, static_cast<std::size_t>(n), 0,
               reinterpret_cast<sockaddr*>(&peer), peer_length);
      ++queries_;
    }
  }

  acmecpp::core::UniqueFd socket_;
  std::uint16_t port_ = 0;
  std::atomic<bool> done_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

}  // namespace acmecpp::testing
