// SPDX-License-Identifier: Apache-2.0
// The asynchronous client hello under ThreadSanitizer: forty clients at once against an event loop
// of one thread (TlsEventLoop), half for known names, half for names the on-demand issuer
// (OnDemandIssuer, the part of CertManager behind certificate_async) issues on its pool threads,
// which publish into the cache and call the ready functions while the loop reads the cache and
// resumes handshakes. In a TSan tree a data race fails it; elsewhere it checks every handshake
// gets its certificate. The issue function stands in for an order (a local CA, no Pebble).

#include <doctest/doctest.h>

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/tls_server.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "manager/on_demand.hpp"
#include "support/eventually.hpp"
#include "support/serving_certificates.hpp"
#include "support/tls_event_loop.hpp"
#include "support/tls_probe.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;

namespace {

constexpr int kClients = 40;
constexpr std::chrono::seconds kPatience{60};

std::string name_of(int client) {
  return (client % 2 == 0 ? "known" : "new") + std::to_string(client) + ".example.test";
}

}  // namespace

TEST_CASE("forty handshakes on one event loop while on-demand issuances resume half of them") {
  const LocalCa ca("tsan async CA");
  std::map<std::string, std::shared_ptr<const ServingCertificate>> made;
  for (int client = 0; client < kClients; ++client) {
    made[name_of(client)] = ServingCertificate::from_record(ca.issue({name_of(client)}));
  }
  auto cache = std::make_shared<CertificateCache>();
  for (int client = 0; client < kClients; client += 2) cache->put(made[name_of(client)]);

  OnDemandPolicy policy;
  policy.allow = [](std::string_view name) { return name.substr(0, 3) == "new"; };
  policy.wait = kPatience;
  policy.burst = kClients;
  policy.max_pending = kClients;
  manager::OnDemandIssuer issuer(
      policy,
      [&](const std::string& name) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // an order takes a while
        const auto certificate = made.at(name);
        cache->put(certificate);  // published before the waiters are told, as Serving does
        return certificate;
      },
      nullptr, manager::Logger(nullptr));

  tlsalpn01::SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  REQUIRE(context);
  TlsEventLoop loop(context.get());
  TlsServerOptions options;
  options.certificates = cache;
  options.on_unknown_name_async = [&](std::string_view name, std::function<void()> ready) {
    return issuer.certificate_async(name, std::move(ready));
  };
  options.on_handshake_ready = loop.ready_function();
  install_tls_server(context.get(), options);

  TlsProbeOptions probe_options;
  probe_options.timeout = kPatience;
  std::promise<void> open_gate;
  const std::shared_future<void> gate = open_gate.get_future().share();
  std::vector<std::future<std::string>> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.push_back(std::async(std::launch::async, [&, client]() -> std::string {
      gate.wait();
      const TlsProbeResult result = tls_probe(loop.port(), name_of(client), {}, probe_options);
      if (!result.completed) return name_of(client) + ": " + result.error;
      if (!result.peer_certificate || dns_names_of(result.peer_certificate.get()) !=
                                          std::vector<std::string>{name_of(client)}) {
        return name_of(client) + ": wrong leaf";
      }
      return "";
    }));
  }
  open_gate.set_value();
  for (auto& client : clients) {
    const std::string failure = client.get();
    CHECK_MESSAGE(failure.empty(), failure);
  }
  CHECK(loop.paused() == kClients / 2);
  CHECK(loop.resumed() == kClients / 2);
  // The server side completes on the client's Finished, a moment after the client returned.
  CHECK(eventually([&] { return loop.completed() == kClients; }, std::chrono::seconds(10)));
  issuer.close();
}
