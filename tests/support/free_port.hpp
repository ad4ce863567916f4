// SPDX-License-Identifier: Apache-2.0
#pragma once
// Free loopback ports for test servers. The kernel picks them (bind to port 0), so parallel tests
// do not collide on fixed numbers. A port is only known to have been free at the moment of the
// check: whoever binds it later should be ready to retry (PebbleEnv does).

#include <cstdint>

namespace acmecpp::testing {

/// A TCP port on 127.0.0.1 that nothing listens on right now.
std::uint16_t free_tcp_port();
/// A UDP port on 127.0.0.1 that nothing is bound to right now.
std::uint16_t free_udp_port();
/// A port free for both TCP and UDP on 127.0.0.1, as a DNS server needs.
std::uint16_t free_tcp_and_udp_port();

}  // namespace acmecpp::testing
