// SPDX-License-Identifier: Apache-2.0
#include "support/tls_event_loop.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>

#include "core/listen_tcp.hpp"

namespace acmecpp::testing {

struct TlsEventLoop::Connection {
  core::UniqueFd fd;
  SSL* ssl = nullptr;  // owned; freed by close_connection()
  bool established = false;
  bool paused = false;
  short events = POLLIN;
};

TlsEventLoop::TlsEventLoop(SSL_CTX* context, std::uint16_t port) : context_(context) {
  auto listening = core::listen_tcp("127.0.0.1", port, core::ListenHost::numeric);
  listener_ = std::move(listening.fd);
  port_ = listening.port;
  wake_ = core::UniqueFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (wake_.get() < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  thread_ = std::thread([this] { run(); });
}

TlsEventLoop::~TlsEventLoop() {
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(wake_.get(), &one, sizeof one);
  thread_.join();
}

HandshakeReadyFunction TlsEventLoop::ready_function() {
  return [this](SSL* ssl) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.push_back(ssl);
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = write(wake_.get(), &one, sizeof one);
  };
}

void TlsEventLoop::run() noexcept {
  // OpenSSL writes with write(): a client gone away would raise SIGPIPE and end the tests.
  // SIGPIPE goes to the thread that wrote, so blocking it here is enough.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  std::vector<Connection> connections;
  std::vector<pollfd> polled;
  while (!stopping_.load()) {
    polled.clear();
    polled.push_back({listener_.get(), POLLIN, 0});
    polled.push_back({wake_.get(), POLLIN, 0});
    for (const auto& connection : connections) {
      polled.push_back({connection.fd.get(), connection.paused ? short{0} : connection.events, 0});
    }
    if (poll(polled.data(), polled.size(), 200) < 0 && errno != EINTR) break;
    if (polled[1].revents != 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto got = read(wake_.get(), &count, sizeof count);
      resume_ready(connections);
    }
    // Connections by position in `polled`; those added or removed above are looked at next turn.
    std::vector<bool> keep(connections.size(), true);
    for (std::size_t i = 0; i < connections.size() && i + 2 < polled.size(); ++i) {
      if (polled[i + 2].revents == 0 || connections[i].paused) continue;
      if (polled[i + 2].fd != connections[i].fd.get()) continue;
      keep[i] = drive(connections[i]);
    }
    for (std::size_t i = connections.size(); i-- > 0;) {
      if (keep[i]) continue;
      SSL_free(connections[i].ssl);
      connections.erase(connections.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (polled[0].revents != 0) accept_all(connections);
  }
  for (auto& connection : connections) {
    if (connection.paused) --paused_now_;
    SSL_free(connection.ssl);
  }
}

void TlsEventLoop::accept_all(std::vector<Connection>& connections) {
  for (;;) {
    const int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    Connection connection;
    connection.fd = core::UniqueFd(fd);
    connection.ssl = SSL_new(context_);
    if (connection.ssl == nullptr) continue;
    SSL_set_fd(connection.ssl, fd);
    SSL_set_accept_state(connection.ssl);
    if (drive(connection)) {
      connections.push_back(std::move(connection));
    } else {
      SSL_free(connection.ssl);
    }
  }
}

bool TlsEventLoop::drive(Connection& connection) {
  ERR_clear_error();
  int result = 1;
  if (!connection.established) {
    result = SSL_do_handshake(connection.ssl);
    if (result == 1) {
      connection.established = true;
      ++completed_;
    }
  }
  if (connection.established) {
    char buffer[4096];
    do {
      result = SSL_read(connection.ssl, buffer, sizeof buffer);
    } while (result > 0);
  }
  const int error = SSL_get_error(connection.ssl, result);
  switch (error) {
    case SSL_ERROR_WANT_READ:
      connection.events = POLLIN;
      return true;
    case SSL_ERROR_WANT_WRITE:
      connection.events = POLLOUT;
      return true;
    case SSL_ERROR_WANT_CLIENT_HELLO_CB:
      connection.paused = true;
      ++paused_;
      ++paused_now_;
      return true;
    default:
      if (!connection.established) ++failed_;
      ERR_clear_error();
      return false;  // closed by the client, or failed
  }
}

void TlsEventLoop::resume_ready(std::vector<Connection>& connections) {
  std::vector<SSL*> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ready.swap(ready_);
  }
  for (SSL* ssl : ready) {
    const auto it = std::find_if(connections.begin(), connections.end(),
                                 [ssl](const Connection& c) { return c.ssl == ssl; });
    if (it == connections.end()) continue;  // gone meanwhile
    if (it->paused) {
      it->paused = false;
      --paused_now_;
      ++resumed_;
    }
    if (!drive(*it)) {
      SSL_free(it->ssl);
      connections.erase(it);
    }
  }
}

}  // namespace acmecpp::testing
