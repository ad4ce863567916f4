// SPDX-License-Identifier: Apache-2.0
// The asynchronous client hello with a real CertManager: a proxy's event loop of one thread
// (TlsEventLoop) serves a listener with install_tls_server(), on_unknown_name_async =
// CertManager::certificate_async. A handshake for a new name pauses while the certificate is
// issued; Pebble's TLS-ALPN-01 validations arrive on the same listener and are answered by the
// same thread meanwhile (with a blocking lookup they would wait behind the paused handshake,
// issue 16), and the handshake resumes with the new certificate. With a CA that never answers
// (the ARI stand-in holding newOrder), known names are served during the pause and stop() ends it.

#include <doctest/doctest.h>

#include <openssl/ssl.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/certificate.hpp"
#include "acmecpp/tls_server.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "support/eventually.hpp"
#include "support/pebble_env.hpp"
#include "support/serving_certificates.hpp"
#include "support/stalling_ca.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_event_loop.hpp"
#include "support/tls_probe.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using tlsalpn01::SslCtxPtr;

namespace {

bool ends_with(std::string_view name, std::string_view suffix) {
  return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

void allow_on_demand(ManagerConfig& config, std::chrono::milliseconds wait) {
  config.on_demand.allow = [](std::string_view name) { return ends_with(name, ".ondemand.test"); };
  config.on_demand.wait = wait;
}

/// The proxy: one SSL_CTX on an event loop, unknown names asked of `manager` without blocking.
struct AsyncProxy {
  AsyncProxy(CertManager& manager, std::shared_ptr<const TlsAlpn01Responder> challenges,
             std::uint16_t port)
      : manager_(manager), loop(context.get(), port) {
    TlsServerOptions options;
    options.certificates = manager.certificates();
    options.challenges = std::move(challenges);
    options.on_unknown_name_async = [&manager](std::string_view name, std::function<void()> ready) {
      return manager.certificate_async(name, std::move(ready));
    };
    options.on_handshake_ready = loop.ready_function();
    install_tls_server(context.get(), options);
  }
  /// The manager's threads call the loop's ready function: they end first.
  ~AsyncProxy() { manager_.stop(); }
  AsyncProxy(const AsyncProxy&) = delete;
  AsyncProxy& operator=(const AsyncProxy&) = delete;

  std::future<TlsProbeResult> probe_later(const std::string& name) {
    TlsProbeOptions options;
    options.timeout = 60s;
    return std::async(std::launch::async,
                      [this, name, options] { return tls_probe(loop.port(), name, {}, options); });
  }

  CertManager& manager_;
  SslCtxPtr context{SSL_CTX_new(TLS_server_method())};
  TlsEventLoop loop;
};

bool names_exactly(const TlsProbeResult& result, const std::string& name) {
  if (!result.completed || !result.peer_certificate) return false;
  return dns_names_of(result.peer_certificate.get()) == std::vector<std::string>{name};
}

}  // namespace

TEST_CASE(
    "async on-demand: the paused handshake resumes with the certificate, TLS-ALPN-01 "
    "validated on the same listener and thread") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  auto alpn = std::make_shared<TlsAlpn01Responder>();
  ManagerConfig config;
  config.acme.directory_url = pebble.directory_url();
  config.acme.ca_bundle = pebble.ca_bundle().string();
  config.email = "async@example.test";
  config.agree_tos = true;
  config.store = std::make_shared<AcmeJsonStore>((dir / "acme.json").string());
  config.resolver = "async";
  config.solvers = {alpn};
  config.challenge_preference = {"tls-alpn-01"};
  // Long enough that only a resumed handshake, not one let go at the end of the wait, passes.
  allow_on_demand(config, 30s);
  CertManager manager(config);
  manager.start();
  AsyncProxy proxy(manager, alpn, pebble.tls_port());

  const auto started = SteadyClock::now();
  auto first = proxy.probe_later("shop.ondemand.test");
  const TlsProbeResult served = first.get();
  const auto took = SteadyClock::now() - started;
  MESSAGE("first handshake for an on-demand name: " << std::chrono::duration<double>(took).count()
                                                    << " s");
  REQUIRE_MESSAGE(served.completed, served.error);
  CHECK(names_exactly(served, "shop.ondemand.test"));
  CHECK(took < 20s);  // resumed on ready, well before the 30 s wait would have let it go
  CHECK(proxy.loop.paused() == 1);
  CHECK(proxy.loop.resumed() == 1);
  // Pebble's validation handshakes (it validates from several connections) completed on the
  // loop's thread while ours was paused.
  CHECK(proxy.loop.completed() >= 2);
  const auto cached = manager.certificates()->find("shop.ondemand.test");
  REQUIRE(cached);
  CHECK(X509_cmp(served.peer_certificate.get(), cached->leaf.get()) == 0);
  // A name the policy refuses is not paused: it fails at once.
  const TlsProbeResult refused = tls_probe(proxy.loop.port(), "elsewhere.example.test", {});
  CHECK_FALSE(refused.completed);
  CHECK(proxy.loop.paused() == 1);
  manager.stop();
}

TEST_CASE("async on-demand: known names are served during a pause, and stop() ends it") {
  StallingCa stalling;
  auto config = stalling.manager_config();
  config.resolver = "async";
  allow_on_demand(config, 60s);
  CertManager manager(config);
  manager.manage({"known.example.test"});
  manager.start();
  REQUIRE(
      eventually([&] { return manager.certificates()->find("known.example.test") != nullptr; }));
  const auto known = manager.certificates()->find("known.example.test");
  AsyncProxy proxy(manager, nullptr, 0);

  // The stand-in holds every new order from now on: the issuance stays pending.
  stalling.ca.set_hang_new_orders(true);
  auto paused = proxy.probe_later("held.ondemand.test");
  REQUIRE(eventually([&] { return proxy.loop.paused_now() == 1; }, 20s));
  for (int i = 0; i < 5; ++i) {
    const TlsProbeResult result = tls_probe(proxy.loop.port(), "known.example.test", {});
    REQUIRE_MESSAGE(result.completed, result.error);
    CHECK(X509_cmp(result.peer_certificate.get(), known->leaf.get()) == 0);
  }
  CHECK(proxy.loop.paused_now() == 1);

  const auto stopping = SteadyClock::now();
  manager.stop();
  const TlsProbeResult ended = paused.get();
  CHECK(SteadyClock::now() - stopping < 5s);
  CHECK_FALSE(ended.completed);
  CHECK(ended.error.find("unrecognized name") != std::string::npos);
  CHECK(proxy.loop.resumed() == 1);
  CHECK(proxy.loop.paused_now() == 0);
  stalling.ca.set_hang_new_orders(false);
}
