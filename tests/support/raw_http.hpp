// SPDX-License-Identifier: Apache-2.0
#pragma once
// A plain TCP client for tests of the library's HTTP listeners: it sends bytes exactly as
// written (malformed requests too) and returns the response bytes exactly as received, so a
// test can check the status line and every header, and see the connection end.

#include <chrono>
#include <cstdint>
#include <string>

#include "core/unique_fd.hpp"

namespace acmecpp::testing {

using core::UniqueFd;

/// A blocking TCP connection to 127.0.0.1:port (or another numeric address) whose reads give
/// up after `read_timeout`, so that a server that never answers fails a test instead of
/// hanging it. Throws std::runtime_error when the connection cannot be made.
UniqueFd connect_tcp(std::uint16_t port, const std::string& address = "127.0.0.1",
                     std::chrono::milliseconds read_timeout = std::chrono::seconds(5));

/// Sends all of `data` (std::runtime_error on failure).
void send_all(int fd, const std::string& data);

/// Everything received until the peer closes, a read fails, or the read timeout passes.
std::string read_until_closed(int fd);

/// True when `fd` turns readable (data, end of stream or an error) within `limit`.
bool readable_within(int fd, std::chrono::milliseconds limit);

/// connect_tcp + send_all + read_until_closed.
std::string round_trip(std::uint16_t port, const std::string& request,
                       const std::string& address = "127.0.0.1");

}  // namespace acmecpp::testing
