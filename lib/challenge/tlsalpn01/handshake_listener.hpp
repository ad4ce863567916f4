// SPDX-License-Identifier: Apache-2.0
#pragma once
// The standalone TLS-ALPN-01 server's socket loop: one thread accepts, and every connection gets
// a short-lived thread of its own for its handshake, so the CA's concurrent validations (Pebble
// and Let's Encrypt connect several times per name, from several places) never wait in line.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <thread>

#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "core/listen_tcp.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::tlsalpn01 {

struct ListenerLimits {
  /// A connection that has not finished its handshake by then is dropped.
  std::chrono::milliseconds handshake_timeout{10000};
  /// Connections beyond this many at once are closed at once (a validator needs a handful).
  std::size_t max_connections = 64;
};

/// Serves TLS handshakes (see handshake_connection.hpp) with `context` on address:port from
/// construction until destruction.
class HandshakeListener {
 public:
  /// Binds and listens (ChallengeError naming address:port and the reason on failure), then
  /// starts accepting.
  HandshakeListener(const std::string& address, std::uint16_t port, SslCtxPtr context,
                    ListenerLimits limits = {});
  /// Stops accepting, abandons handshakes in progress and joins every thread; returns promptly.
  ~HandshakeListener();
  HandshakeListener(const HandshakeListener&) = delete;
  HandshakeListener& operator=(const HandshakeListener&) = delete;

  /// The port listened on (the kernel's choice when constructed with port 0).
  std::uint16_t port() const noexcept { return listening_.port; }

 private:
  struct Connection {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };

  void accept_loop() noexcept;
  void accept_pending();
  void start_connection(core::UniqueFd socket);
  void join_finished_connections();
  void join_all_connections();

  SslCtxPtr context_;
  ListenerLimits limits_;
  core::ListeningSocket listening_;
  core::UniqueFd wake_read_;  // readable once stopping: every wait in every thread watches it
  core::UniqueFd wake_write_;
  std::list<Connection> connections_;  // only the accept thread touches it
  std::thread acceptor_;
};

}  // namespace acmecpp::tlsalpn01
