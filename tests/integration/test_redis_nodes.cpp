// SPDX-License-Identifier: Apache-2.0
// Several proxy nodes on one Redis (issue 15): three processes of examples/https-server, each
// with its own ports, asked for the same 20 names at the same moment. Only node 0 listens where
// Pebble validates (as a load balancer would send the CA to any one node): the orders the other
// nodes place are validated through node 0, which answers from Redis. Pebble must see exactly 20
// orders, and every node must serve all 20 certificates by SNI (the ones it did not order,
// through Redis' change notices).

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"
#include "support/eventually.hpp"
#include "support/example_server.hpp"
#include "support/free_port.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/serving_certificates.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_probe.hpp"
#include "support/tlsalpn01_checks.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

struct Node {
  std::uint16_t https_port = 0;
  std::filesystem::path log;
  std::optional<ChildProcess> process;
};

/// True when the node at `port` completes a handshake for `name` with a certificate naming it.
bool node_serves(std::uint16_t port, const std::string& name) {
  try {
    const auto probe = tls_probe(port, name, {"http/1.1"});
    if (!probe.completed || !probe.peer_certificate) return false;
    const auto names = dns_names_of(probe.peer_certificate.get());
    return std::find(names.begin(), names.end(), name) != names.end();
  } catch (const Error&) {
    return false;  // not listening yet
  }
}

}  // namespace

TEST_CASE(
    "three example servers on one Redis asked for the same 20 names at once: 20 orders, and "
    "every node serves all 20 certificates") {
  PebbleEnv pebble(counting_pebble_options());
  RedisServer server;
  TempDir dir;
  std::vector<std::string> names;
  for (int i = 1; i <= 20; ++i) names.push_back("node-" + std::to_string(i) + ".example.test");

  std::vector<Node> nodes(3);
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    Node& node = nodes[i];
    // Node 0 is the one the CA reaches; the others listen where it never connects.
    node.https_port = i == 0 ? pebble.tls_port() : free_tcp_port();
    const std::uint16_t http_port = i == 0 ? pebble.http_port() : free_tcp_port();
    node.log = dir / ("node-" + std::to_string(i) + ".log");
    auto argv =
        example_server_argv(pebble, server.url() + "?prefix=nodes", node.https_port, http_port);
    argv.insert(argv.end(), names.begin(), names.end());
    node.process.emplace(argv, ProcessOptions{}, node.log);
  }
  const auto logs = [&] {
    std::string text;
    for (const auto& node : nodes) text += node.log.string() + ":\n" + read_text_file(node.log);
    return text;
  };

  const bool all_served = eventually(
      [&] {
        for (const auto& node : nodes) {
          for (const auto& name : names) {
            if (!node_serves(node.https_port, name)) return false;
          }
        }
        return true;
      },
      180s);
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_MESSAGE(all_served, logs());
  MESSAGE("3 nodes, 20 names: every node served all 20 after "
          << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK_MESSAGE(pebble.new_order_requests() == 20, pebble.pebble_log());
  // Every name's certificate is the same on every node: one certificate per name, shared.
  for (const auto& name : names) {
    CAPTURE(name);
    std::string first_serial;
    for (const auto& node : nodes) {
      const auto probe = tls_probe(node.https_port, name, {"http/1.1"});
      REQUIRE(probe.peer_certificate);
      const auto serial =
          parse_certificate(certificate_pem(probe.peer_certificate.get())).serial_hex;
      if (first_serial.empty()) first_serial = serial;
      CHECK(serial == first_serial);
    }
  }
  for (auto& node : nodes) {
    node.process->kill(SIGTERM);
    const auto status = node.process->wait(30s);
    REQUIRE_MESSAGE(status, logs());
    CHECK_MESSAGE(status->exit_code == 0, logs());
  }
}
