// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/handshake_listener.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <system_error>
#include <utility>

#include "acmecpp/error.hpp"
#include "challenge/tlsalpn01/handshake_connection.hpp"
#include "challenge/tlsalpn01/socket_wait.hpp"
#include "core/listen_tcp.hpp"

namespace acmecpp::tlsalpn01 {
namespace {

// After accept() fails for want of resources (EMFILE, ENOBUFS), poll() reports the listening
// socket ready again at once; a pause keeps that from spinning.
constexpr std::chrono::milliseconds kAcceptFailurePause{50};

/// OpenSSL writes to sockets with write(), so a client that resets the connection would raise
/// SIGPIPE and end the whole process. SIGPIPE goes to the thread that wrote: blocking it in the
/// server's threads (connection threads inherit the mask of the accept thread) is enough, and
/// leaves the application's own handling alone.
void block_sigpipe_in_this_thread() {
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
}

std::pair<core::UniqueFd, core::UniqueFd> make_wake_pipe() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw ChallengeError("cannot start the TLS-ALPN-01 server: pipe: " +
                         std::generic_category().message(errno));
  }
  return {core::UniqueFd(ends[0]), core::UniqueFd(ends[1])};
}

/// core::listen_tcp on a numeric address (never a name, which would need the resolver), its
/// failures as ChallengeError naming address:port and the reason, e.g. "Address already in use".
core::ListeningSocket listen_for_challenges(const std::string& address, std::uint16_t port) {
  const auto fail = [&](const std::string& reason) {
    return ChallengeError("cannot listen for TLS-ALPN-01 on " + core::host_port(address, port) +
                          ": " + reason);
  };
  try {
    return core::listen_tcp(address, port, core::ListenHost::numeric);
  } catch (const core::ListenHostError&) {
    throw fail("the address must be a numeric IPv4 or IPv6 address");
  } catch (const std::system_error& error) {
    throw fail(error.code().message());
  }
}

bool is_transient_accept_error(int error) {
  return error == EINTR || error == ECONNABORTED || error == EPROTO;
}

}  // namespace

HandshakeListener::HandshakeListener(const std::string& address, std::uint16_t port,
                                     SslCtxPtr context, ListenerLimits limits)
    : context_(std::move(context)),
      limits_(limits),
      listening_(listen_for_challenges(address, port)) {
  auto [wake_read, wake_write] = make_wake_pipe();
  wake_read_ = std::move(wake_read);
  wake_write_ = std::move(wake_write);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HandshakeListener::~HandshakeListener() {
  const char stop = 1;
  // The pipe is new and never read, so this one byte always fits.
  while (write(wake_write_.get(), &stop, 1) < 0 && errno == EINTR) {
  }
  acceptor_.join();
}

void HandshakeListener::accept_loop() noexcept {
  block_sigpipe_in_this_thread();
  while (wait_ready(listening_.fd.get(), POLLIN, wake_read_.get(),
                    std::chrono::steady_clock::time_point::max()) == WaitResult::ready) {
    join_finished_connections();
    try {
      accept_pending();
    } catch (...) {
      // Memory ran out for a connection's bookkeeping: it is dropped (the validator retries);
      // the exception must not reach std::terminate from this thread.
      std::this_thread::sleep_for(kAcceptFailurePause);
    }
  }
  join_all_connections();
}

void HandshakeListener::accept_pending() {
  for (;;) {
    core::UniqueFd client(
        accept4(listening_.fd.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!client) {
      if (is_transient_accept_error(errno)) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) std::this_thread::sleep_for(kAcceptFailurePause);
      return;
    }
    if (connections_.size() >= limits_.max_connections) {
      join_finished_connections();
      if (connections_.size() >= limits_.max_connections) continue;  // dropped: closes `client`
    }
    start_connection(std::move(client));
  }
}

void HandshakeListener::start_connection(core::UniqueFd socket) {
  const auto deadline = std::chrono::steady_clock::now() + limits_.handshake_timeout;
  auto finished = std::make_shared<std::atomic<bool>>(false);
  // The entry first (it may throw for want of memory): once the thread runs it must be kept,
  // or its std::thread would end the program when destroyed unjoined.
  connections_.push_back({std::thread(), finished});
  try {
    connections_.back().thread =
        std::thread([context = context_.get(), socket = std::move(socket),
                     stop_fd = wake_read_.get(), deadline, finished]() mutable {
          serve_handshake(context, std::move(socket), stop_fd, deadline);
          *finished = true;
        });
  } catch (const std::system_error&) {
    connections_.pop_back();
    // No thread to be had right now: this connection is dropped, the validator retries.
  }
}

void HandshakeListener::join_finished_connections() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (*it->finished) {
      it->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void HandshakeListener::join_all_connections() {
  for (auto& connection : connections_) connection.thread.join();
  connections_.clear();
}

}  // namespace acmecpp::tlsalpn01
