// SPDX-License-Identifier: Apache-2.0
// install_tls_server's asynchronous client hello (on_unknown_name_async + on_handshake_ready) on
// an event loop of one thread (TlsEventLoop, non-blocking sockets and poll): a handshake for an
// unknown name pauses with SSL_ERROR_WANT_CLIENT_HELLO_CB, the same thread keeps serving other
// names, and the handshake resumes when its ready function is called. The lookup here is a
// stand-in the test completes by hand; CertManager's is tested against Pebble.

#include <doctest/doctest.h>

#include <openssl/ssl.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/tls_server.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "support/eventually.hpp"
#include "support/serving_certificates.hpp"
#include "support/tls_event_loop.hpp"
#include "support/tls_probe.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;
using tlsalpn01::SslCtxPtr;

namespace {

const LocalCa& async_ca() {
  static const LocalCa ca("async client hello test CA");
  return ca;
}

std::shared_ptr<const ServingCertificate> serving(const std::vector<std::string>& names) {
  return ServingCertificate::from_record(async_ca().issue(names));
}

/// A lookup that answers pending for every name and keeps the ready functions for the test.
class HeldLookup {
 public:
  AsyncUnknownNameFunction function() {
    return [this](std::string_view name, std::function<void()> ready) {
      std::lock_guard<std::mutex> lock(mutex_);
      asked_.emplace_back(name);
      ready_.push_back(std::move(ready));
      return UnknownNameAnswer{nullptr, true};
    };
  }
  std::size_t asked() {
    std::lock_guard<std::mutex> lock(mutex_);
    return asked_.size();
  }
  std::string name(std::size_t index) {
    std::lock_guard<std::mutex> lock(mutex_);
    return asked_.at(index);
  }
  /// Calls (from a thread of its own, as a manager's worker would) the ready functions so far.
  void release_all() {
    std::vector<std::function<void()>> ready;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready.swap(ready_);
    }
    std::async(std::launch::async, [&ready] {
      for (auto& function : ready) function();
    }).get();
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> asked_;
  std::vector<std::function<void()>> ready_;
};

struct AsyncServer {
  explicit AsyncServer(TlsServerOptions options) {
    REQUIRE(context);
    options.on_unknown_name_async = lookup.function();
    options.on_handshake_ready = loop.ready_function();
    install_tls_server(context.get(), options);
  }
  std::future<TlsProbeResult> probe_later(const std::string& name,
                                          std::chrono::milliseconds timeout = 20s) {
    TlsProbeOptions probe_options;
    probe_options.timeout = timeout;
    return std::async(std::launch::async, [this, name, probe_options] {
      return tls_probe(loop.port(), name, {}, probe_options);
    });
  }

  SslCtxPtr context{SSL_CTX_new(TLS_server_method())};
  HeldLookup lookup;
  TlsEventLoop loop{context.get()};
};

TlsServerOptions options_with(std::shared_ptr<const CertificateCache> cache) {
  TlsServerOptions options;
  options.certificates = std::move(cache);
  return options;
}

bool serves(const TlsProbeResult& result, const ServingCertificate& expected) {
  return result.completed && result.peer_certificate &&
         X509_cmp(result.peer_certificate.get(), expected.leaf.get()) == 0;
}

}  // namespace

TEST_CASE("async client hello: a paused handshake resumes with the certificate, others go on") {
  auto cache = std::make_shared<CertificateCache>();
  const auto known = serving({"known.example.test"});
  cache->put(known);
  AsyncServer server(options_with(cache));

  auto paused = server.probe_later("new.example.test");
  REQUIRE(eventually([&] { return server.loop.paused_now() == 1; }, 20s));
  CHECK(server.lookup.asked() == 1);
  CHECK(server.lookup.name(0) == "new.example.test");

  // The loop's only thread serves known names while the other handshake waits.
  for (int i = 0; i < 5; ++i) {
    const TlsProbeResult result = tls_probe(server.loop.port(), "known.example.test", {});
    REQUIRE_MESSAGE(result.completed, result.error);
    CHECK(serves(result, *known));
  }
  CHECK(server.loop.paused_now() == 1);
  CHECK(paused.wait_for(0s) == std::future_status::timeout);

  // The certificate arrives, then the ready call: the handshake gets it.
  const auto issued = serving({"new.example.test"});
  cache->put(issued);
  server.lookup.release_all();
  const TlsProbeResult resumed = paused.get();
  REQUIRE_MESSAGE(resumed.completed, resumed.error);
  CHECK(serves(resumed, *issued));
  CHECK(server.loop.resumed() == 1);
  CHECK(server.loop.paused_now() == 0);
  CHECK(server.lookup.asked() == 1);  // the second client hello callback did not ask again

  // From now on the name is known: no pause.
  CHECK(serves(tls_probe(server.loop.port(), "new.example.test", {}), *issued));
  CHECK(server.loop.paused() == 1);
}

TEST_CASE("async client hello: ready without a certificate ends the handshake cleanly") {
  auto cache = std::make_shared<CertificateCache>();
  AsyncServer server(options_with(cache));
  auto paused = server.probe_later("refused.example.test");
  REQUIRE(eventually([&] { return server.loop.paused_now() == 1; }, 20s));
  server.lookup.release_all();  // e.g. the issuance failed, its wait ended, or stop()
  const TlsProbeResult result = paused.get();
  CHECK_FALSE(result.completed);
  CHECK(result.error.find("unrecognized name") != std::string::npos);
  CHECK(server.lookup.asked() == 1);  // paused once, not again
  // Counted once the loop has sent the alert, a moment after the client read it.
  CHECK(eventually([&] { return server.loop.failed() == 1; }, 10s));
}

TEST_CASE("async client hello: a ready call for a connection that went away is ignored") {
  auto cache = std::make_shared<CertificateCache>();
  const auto known = serving({"known.example.test"});
  cache->put(known);
  AsyncServer server(options_with(cache));
  auto gone = server.probe_later("gone.example.test", 500ms);
  const TlsProbeResult given_up = gone.get();  // the client's read timeout ends it
  CHECK_FALSE(given_up.completed);
  REQUIRE(server.lookup.asked() == 1);
  // The loop notices the closed socket only once the handshake is resumed: then it fails.
  server.lookup.release_all();
  CHECK(eventually([&] { return server.loop.paused_now() == 0; }, 10s));
  server.lookup.release_all();  // nothing left; and a second call would find no connection
  CHECK(serves(tls_probe(server.loop.port(), "known.example.test", {}), *known));
}

TEST_CASE("async client hello: an answer with a certificate is served without a pause") {
  auto cache = std::make_shared<CertificateCache>();
  const auto at_once = serving({"at-once.example.test"});
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  TlsEventLoop loop(context.get());
  TlsServerOptions options = options_with(cache);
  options.on_unknown_name_async = [&](std::string_view, std::function<void()>) {
    return UnknownNameAnswer{at_once, false};
  };
  options.on_handshake_ready = loop.ready_function();
  install_tls_server(context.get(), options);
  CHECK(serves(tls_probe(loop.port(), "at-once.example.test", {}), *at_once));
  CHECK(loop.paused() == 0);
}

TEST_CASE("async client hello: options that do not go together are refused") {
  auto cache = std::make_shared<CertificateCache>();
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  const auto kind_of = [&](const TlsServerOptions& options) {
    try {
      install_tls_server(context.get(), options);
    } catch (const Error& e) {
      return e.kind();
    }
    FAIL("expected an acmecpp::Error");
    return ErrorKind::crypto;
  };
  TlsServerOptions options = options_with(cache);
  options.on_unknown_name_async = [](std::string_view, std::function<void()>) {
    return UnknownNameAnswer{};
  };
  CHECK(kind_of(options) == ErrorKind::invalid_input);  // no on_handshake_ready
  options.on_handshake_ready = [](SSL*) {};
  options.on_unknown_name = [](std::string_view) {
    return std::shared_ptr<const ServingCertificate>();
  };
  CHECK(kind_of(options) == ErrorKind::invalid_input);  // both forms
  options.on_unknown_name = nullptr;
  options.on_unknown_name_async = nullptr;
  CHECK(kind_of(options) == ErrorKind::invalid_input);  // on_handshake_ready alone
}
