// SPDX-License-Identifier: Apache-2.0
#pragma once
// Waiting on a socket while staying stoppable: every wait also watches the listener's wake-up
// pipe, so stopping never has to wait for a slow or silent peer.

#include <chrono>

namespace acmecpp::tlsalpn01 {

enum class WaitResult { ready, stopped, timed_out };

/// Waits until `fd` has any of `events` (POLLIN, POLLOUT), `stop_fd` becomes readable, or
/// `deadline` passes (time_point::max(): no deadline). An error or hang-up on `fd` counts as
/// ready: the next read or write reports it.
WaitResult wait_ready(int fd, short events, int stop_fd,
                      std::chrono::steady_clock::time_point deadline);

}  // namespace acmecpp::tlsalpn01
