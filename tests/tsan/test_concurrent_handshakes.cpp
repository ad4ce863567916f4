// SPDX-License-Identifier: Apache-2.0
// The acceptance test of the serving layer's thread safety: a hundred clients handshake at once
// against install_tls_server's SNI lookup while another thread keeps swapping the certificates they
// ask for. Built with -fsanitize=thread in build-tsan (scripts/test.sh), where a data race fails
// it; in the other build trees it still checks that every handshake succeeds.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/tls_server.hpp"
#include "challenge/tlsalpn01/handshake_listener.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "support/serving_certificates.hpp"
#include "support/tls_probe.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

constexpr int kClients = 100;
constexpr int kHandshakesPerClient = 3;
constexpr int kNames = 10;
// Under ThreadSanitizer on a busy two-core machine a handshake can take seconds.
constexpr std::chrono::seconds kPatience{60};

std::string exact_name(int index) {
  return "n" + std::to_string(index) + ".example.test";
}

/// Two certificates for each name (and for a wildcard), so a swap always changes something.
std::vector<std::shared_ptr<const ServingCertificate>> make_certificate_pool(const LocalCa& ca) {
  std::vector<std::shared_ptr<const ServingCertificate>> pool;
  for (int generation = 0; generation < 2; ++generation) {
    for (int i = 0; i < kNames; ++i) {
      pool.push_back(ServingCertificate::from_record(ca.issue({exact_name(i)})));
    }
    pool.push_back(ServingCertificate::from_record(ca.issue({"*.w.example.test"})));
  }
  return pool;
}

/// What client `client` asks for in its `round`-th handshake, and the leaf name that must answer.
struct Request {
  std::string server_name;
  std::string expected_leaf;
};

Request request_for(int client, int round) {
  if ((client + round) % 3 == 0) {
    const std::string label = "c" + std::to_string(client);
    return {label + ".W.example.test.", "*.w.example.test"};
  }
  const std::string name = exact_name((client * 7 + round) % kNames);
  return {name, name};
}

}  // namespace

TEST_CASE("a hundred concurrent handshakes while certificates are swapped") {
  const LocalCa ca("tsan test CA");
  const auto pool = make_certificate_pool(ca);
  auto cache = std::make_shared<CertificateCache>();
  for (const auto& certificate : pool) cache->put(certificate);

  tlsalpn01::SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  REQUIRE(context);
  TlsServerOptions options;
  options.certificates = cache;
  install_tls_server(context.get(), options);
  tlsalpn01::ListenerLimits limits;
  limits.handshake_timeout = kPatience;
  limits.max_connections = 2 * kClients;
  tlsalpn01::HandshakeListener listener("127.0.0.1", 0, std::move(context), limits);

  std::atomic<bool> clients_done{false};
  std::atomic<long> swaps{0};
  std::thread swapper([&] {
    for (std::size_t i = 0; !clients_done.load(); i = (i + 1) % pool.size()) {
      cache->put(pool[i]);
      swaps.fetch_add(1);
      // Often enough to land between the handshakes' lookups, not so often as to starve them.
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  });

  std::atomic<int> handshakes{0};
  std::atomic<int> failures{0};
  std::vector<std::string> first_failure(kClients);  // each client writes only its own slot
  TlsProbeOptions probe_options;
  probe_options.timeout = kPatience;
  // Every client waits at this gate, so the hundred first handshakes start together.
  std::promise<void> open_gate;
  const std::shared_future<void> gate = open_gate.get_future().share();
  std::vector<std::thread> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&, client] {
      gate.wait();
      for (int round = 0; round < kHandshakesPerClient; ++round) {
        const Request request = request_for(client, round);
        std::string problem;
        try {
          const TlsProbeResult result =
              tls_probe(listener.port(), request.server_name, {}, probe_options);
          if (!result.completed) {
            problem = "handshake failed: " + result.error;
          } else if (!result.peer_certificate ||
                     dns_names_of(result.peer_certificate.get()) !=
                         std::vector<std::string>{request.expected_leaf}) {
            problem = "wrong leaf";
          }
        } catch (const std::exception& e) {
          problem = e.what();
        }
        if (problem.empty()) {
          handshakes.fetch_add(1);
        } else {
          failures.fetch_add(1);
          if (first_failure[client].empty()) {
            first_failure[client] = request.server_name + ": " + problem;
          }
        }
      }
    });
  }
  open_gate.set_value();
  for (auto& client : clients) client.join();
  clients_done.store(true);
  swapper.join();

  for (const auto& failure : first_failure) CHECK_MESSAGE(failure.empty(), failure);
  CHECK(failures.load() == 0);
  CHECK(handshakes.load() == kClients * kHandshakesPerClient);
  CHECK(swaps.load() > 0);
  MESSAGE("handshakes: " << handshakes.load() << ", certificate swaps: " << swaps.load());
}
