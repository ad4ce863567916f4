// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/handshake_connection.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include <cerrno>

#include "challenge/tlsalpn01/socket_wait.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

using Clock = std::chrono::steady_clock;

// How long to wait for the client to close after we are done (see close_politely).
constexpr std::chrono::seconds kLinger{2};

enum class Outcome { finished, abandoned };

/// Drives SSL_accept on a non-blocking socket. `finished` covers success and a handshake that
/// failed with an alert (both end the conversation normally); `abandoned` a stop or timeout.
Outcome accept_handshake(SSL* ssl, int fd, int stop_fd, Clock::time_point deadline) {
  for (;;) {
    ERR_clear_error();
    const int result = SSL_accept(ssl);
    if (result == 1) {
      SSL_shutdown(ssl);  // close_notify; the client's own close_notify is not waited for
      return Outcome::finished;
    }
    const int error = SSL_get_error(ssl, result);
    const short events = error == SSL_ERROR_WANT_READ    ? POLLIN
                         : error == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                         : 0;
    if (events == 0) return Outcome::finished;
    if (wait_ready(fd, events, stop_fd, deadline) != WaitResult::ready) return Outcome::abandoned;
  }
}

/// Lets the client close first. Closing a socket with unread input (a client's ChangeCipherSpec
/// or close_notify) sends a reset, and a reset can make the client drop the alert or the last
/// handshake bytes still in its buffer; reading until its EOF avoids that.
void close_politely(int fd, int stop_fd, Clock::time_point deadline) {
  shutdown(fd, SHUT_WR);
  char discard[512];
  while (wait_ready(fd, POLLIN, stop_fd, deadline) == WaitResult::ready) {
    const ssize_t n = recv(fd, discard, sizeof(discard), 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) return;
  }
}

}  // namespace

void serve_handshake(SSL_CTX* context, core::UniqueFd socket, int stop_fd,
                     Clock::time_point deadline) noexcept {
  SslPtr ssl(SSL_new(context));
  if (ssl && SSL_set_fd(ssl.get(), socket.get()) == 1 &&
      accept_handshake(ssl.get(), socket.get(), stop_fd, deadline) == Outcome::finished) {
    close_politely(socket.get(), stop_fd, Clock::now() + kLinger);
  }
  // This thread ends soon; leave nothing in its OpenSSL error queue.
  ERR_clear_error();
}

}  // namespace acmecpp::tlsalpn01
