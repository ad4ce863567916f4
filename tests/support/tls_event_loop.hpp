// SPDX-License-Identifier: Apache-2.0
#pragma once
// A proxy's event loop in miniature, for the asynchronous client hello: one thread serves every
// connection of a listener with non-blocking sockets and poll(), and resumes handshakes paused in
// the client-hello callback (SSL_ERROR_WANT_CLIENT_HELLO_CB) when TlsServerOptions::
// on_handshake_ready names them. After a handshake it reads until the client closes.

#include <openssl/ssl.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "acmecpp/tls_server.hpp"
#include "core/unique_fd.hpp"

namespace acmecpp::testing {

class TlsEventLoop {
 public:
  /// Listens on 127.0.0.1:port (0: a free port) and serves `context` (not owned; it must outlive
  /// the loop) on one thread. Install the context's hooks with ready_function() before clients
  /// connect.
  TlsEventLoop(SSL_CTX* context, std::uint16_t port = 0);
  /// Stops the thread and closes every connection.
  ~TlsEventLoop();
  TlsEventLoop(const TlsEventLoop&) = delete;
  TlsEventLoop& operator=(const TlsEventLoop&) = delete;

  std::uint16_t port() const { return port_; }
  /// For TlsServerOptions::on_handshake_ready: queues `ssl` for the loop's thread (thread-safe;
  /// an `ssl` that is no longer a connection of the loop is ignored there).
  HandshakeReadyFunction ready_function();

  /// Handshakes that paused, were resumed by a ready call, completed, or failed, so far.
  std::size_t paused() const { return paused_.load(); }
  std::size_t resumed() const { return resumed_.load(); }
  std::size_t completed() const { return completed_.load(); }
  std::size_t failed() const { return failed_.load(); }
  /// Connections whose handshake is paused right now.
  std::size_t paused_now() const { return paused_now_.load(); }
  /// The loop's thread, to check that handshakes ran on it.
  std::thread::id thread_id() const { return thread_.get_id(); }

 private:
  struct Connection;
  void run() noexcept;
  void accept_all(std::vector<Connection>& connections);
  /// Drives one connection as far as it goes; false when it is over.
  bool drive(Connection& connection);
  void resume_ready(std::vector<Connection>& connections);

  SSL_CTX* context_;
  core::UniqueFd listener_;
  core::UniqueFd wake_;  // an eventfd: ready calls and the destructor wake poll()
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<SSL*> ready_;  // guarded by mutex_
  std::atomic<std::size_t> paused_{0}, resumed_{0}, completed_{0}, failed_{0}, paused_now_{0};
  std::thread thread_;
};

}  // namespace acmecpp::testing
