// SPDX-License-Identifier: Apache-2.0
#include "challenge/tlsalpn01/socket_wait.hpp"

#include <poll.h>

#include <cerrno>

namespace acmecpp::tlsalpn01 {
namespace {

int poll_timeout_ms(std::chrono::steady_clock::time_point deadline) {
  using namespace std::chrono;
  if (deadline == steady_clock::time_point::max()) return -1;
  const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left + 1);  // round up: never wake just before it
}

}  // namespace

WaitResult wait_ready(int fd, short events, int stop_fd,
                      std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    pollfd watched[2] = {{stop_fd, POLLIN, 0}, {fd, events, 0}};
    const int ready = poll(watched, 2, poll_timeout_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return WaitResult::stopped;  // poll itself failing (EINVAL, ENOMEM): give up
    if (watched[0].revents != 0) return WaitResult::stopped;
    if (watched[1].revents != 0) return WaitResult::ready;
    if (std::chrono::steady_clock::now() >= deadline) return WaitResult::timed_out;
  }
}

}  // namespace acmecpp::tlsalpn01
