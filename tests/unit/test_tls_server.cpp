// SPDX-License-Identifier: Apache-2.0
// install_tls_server over real TLS on 127.0.0.1: an OpenSSL server context served by the
// TLS-ALPN-01 handshake listener, reached with OpenSSL client handshakes (tls_probe).

#include <doctest/doctest.h>

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acmecpp/certificate_cache.hpp"
#include "acmecpp/error.hpp"
#include "acmecpp/key.hpp"
#include "acmecpp/tls_server.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/handshake_listener.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "crypto/self_signed.hpp"
#include "support/serving_certificates.hpp"
#include "support/tls_probe.hpp"
#include "support/tlsalpn01_checks.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using tlsalpn01::HandshakeListener;
using tlsalpn01::SslCtxPtr;

namespace {

const LocalCa& test_ca() {
  static const LocalCa ca("tls server test CA");
  return ca;
}

std::shared_ptr<const ServingCertificate> serving(const std::vector<std::string>& names) {
  return ServingCertificate::from_record(test_ca().issue(names));
}

SslCtxPtr bare_context() {
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  REQUIRE(context);
  return context;
}

constexpr const char* kOwnName = "own.example.test";

/// A proxy's context that has a certificate of its own (RSA, so that an ECDSA certificate set per
/// connection must replace it rather than sit next to it) and an extra chain certificate that must
/// not follow the certificates served from the cache.
SslCtxPtr context_with_own_certificate() {
  SslCtxPtr context = bare_context();
  const PrivateKey key = PrivateKey::generate(KeyType::rsa2048);
  crypto::CertificateOptions options;
  options.dns_names = {kOwnName};
  options.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  options.not_after = options.not_before + std::chrono::hours(48);
  const auto own = ServingCertificate::from_record([&] {
    CertificateRecord record;
    record.main = kOwnName;
    record.certificate_pem =
        crypto::make_certificate_pem(key, options) + test_ca().certificate_pem();
    record.key_pem = key.to_pem();
    return record;
  }());
  REQUIRE(SSL_CTX_use_certificate(context.get(), own->leaf.get()) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey(context.get(), own->private_key.get()) == 1);
  REQUIRE(X509_up_ref(own->chain.front().get()) == 1);
  REQUIRE(SSL_CTX_add_extra_chain_cert(context.get(), own->chain.front().get()) == 1);
  return context;
}

/// Serves handshakes with `context` on a free loopback port while alive.
std::unique_ptr<HandshakeListener> serve(SslCtxPtr context) {
  return std::make_unique<HandshakeListener>("127.0.0.1", 0, std::move(context));
}

std::string leaf_name(const TlsProbeResult& result) {
  if (!result.peer_certificate) return "";
  const auto names = dns_names_of(result.peer_certificate.get());
  return names.empty() ? "(no dNSName)" : names.front();
}

/// The handshake completed with exactly `expected`'s leaf and chain.
void check_served(const TlsProbeResult& result, const ServingCertificate& expected) {
  REQUIRE_MESSAGE(result.completed, result.error);
  REQUIRE(result.peer_certificate);
  CHECK(X509_cmp(result.peer_certificate.get(), expected.leaf.get()) == 0);
  CHECK(result.peer_chain_length == static_cast<int>(1 + expected.chain.size()));
  CHECK_FALSE(acme_identifier_extension(result.peer_certificate.get()).has_value());
}

TlsServerOptions options_with(std::shared_ptr<const CertificateCache> cache) {
  TlsServerOptions options;
  options.certificates = std::move(cache);
  options.alpn_protocols = {"h2", "http/1.1"};
  return options;
}

ErrorKind error_kind_from(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("expected an acmecpp::Error");
  return ErrorKind::crypto;
}

}  // namespace

TEST_CASE("tls server: each SNI name gets its own leaf and chain, wildcards included") {
  auto cache = std::make_shared<CertificateCache>();
  const auto a = serving({"a.example.test"});
  const auto b = serving({"b.example.test", "b2.example.test"});
  const auto wildcard = serving({"*.w.example.test"});
  cache->put(a);
  cache->put(b);
  cache->put(wildcard);
  SslCtxPtr context = context_with_own_certificate();
  install_tls_server(context.get(), options_with(cache));
  const auto listener = serve(std::move(context));

  check_served(tls_probe(listener->port(), "a.example.test", {"http/1.1"}), *a);
  check_served(tls_probe(listener->port(), "B2.Example.Test", {"http/1.1"}), *b);
  check_served(tls_probe(listener->port(), "x.w.example.test", {"http/1.1"}), *wildcard);
  // TLS 1.2 sends the certificate message differently; the same certificates must go out.
  TlsProbeOptions tls12;
  tls12.max_version = TLS1_2_VERSION;
  check_served(tls_probe(listener->port(), "b.example.test", {}, tls12), *b);
  // Names the cache does not know get the context's own certificate.
  const TlsProbeResult unknown = tls_probe(listener->port(), "x.y.w.example.test", {});
  REQUIRE(unknown.completed);
  CHECK(leaf_name(unknown) == kOwnName);
}

TEST_CASE("tls server: ALPN takes the server's most preferred protocol the client offers") {
  auto cache = std::make_shared<CertificateCache>();
  cache->put(serving({"alpn.example.test"}));
  SslCtxPtr context = bare_context();
  install_tls_server(context.get(), options_with(cache));
  const auto listener = serve(std::move(context));
  const auto alpn_of = [&](const std::vector<std::string>& offered) {
    const TlsProbeResult result = tls_probe(listener->port(), "alpn.example.test", offered);
    REQUIRE_MESSAGE(result.completed, result.error);
    return result.alpn;
  };
  CHECK(alpn_of({"http/1.1", "h2"}) == "h2");
  CHECK(alpn_of({"http/1.1"}) == "http/1.1");
  CHECK(alpn_of({"spdy/3"}) == "");  // nothing in common: no ALPN, not a failure
  CHECK(alpn_of({}) == "");
  // A validator's offer for a name without a challenge is a normal handshake (no ALPN).
  CHECK(alpn_of({"acme-tls/1"}) == "");
}

TEST_CASE("tls server: unknown names get on_unknown_name's certificate or unrecognized_name") {
  auto cache = std::make_shared<CertificateCache>();
  cache->put(serving({"known.example.test"}));
  const auto on_demand = serving({"dynamic.example.test"});
  std::mutex asked_mutex;
  std::vector<std::string> asked;
  TlsServerOptions options = options_with(cache);
  options.on_unknown_name =
      [&](std::string_view name) -> std::shared_ptr<const ServingCertificate> {
    std::lock_guard<std::mutex> lock(asked_mutex);
    asked.emplace_back(name);
    return name == "dynamic.example.test" ? on_demand : nullptr;
  };

  SUBCASE("a context without a certificate of its own refuses") {
    SslCtxPtr context = bare_context();
    install_tls_server(context.get(), options);
    const auto listener = serve(std::move(context));
    check_served(tls_probe(listener->port(), "dynamic.example.test", {}), *on_demand);
    const TlsProbeResult refused = tls_probe(listener->port(), "nobody.example.test", {});
    CHECK_FALSE(refused.completed);
    CHECK(refused.error.find("unrecognized name") != std::string::npos);
    const TlsProbeResult known = tls_probe(listener->port(), "known.example.test", {});
    CHECK(known.completed);
    std::lock_guard<std::mutex> lock(asked_mutex);
    // Asked only for the names the cache did not know.
    CHECK(asked == std::vector<std::string>{"dynamic.example.test", "nobody.example.test"});
  }
  SUBCASE("a context with a certificate of its own falls back to it") {
    SslCtxPtr context = context_with_own_certificate();
    install_tls_server(context.get(), options);
    const auto listener = serve(std::move(context));
    check_served(tls_probe(listener->port(), "dynamic.example.test", {}), *on_demand);
    const TlsProbeResult fallback = tls_probe(listener->port(), "nobody.example.test", {});
    REQUIRE_MESSAGE(fallback.completed, fallback.error);
    CHECK(leaf_name(fallback) == kOwnName);
  }
  SUBCASE("without on_unknown_name, the alert") {
    options.on_unknown_name = nullptr;
    SslCtxPtr context = bare_context();
    install_tls_server(context.get(), options);
    const auto listener = serve(std::move(context));
    const TlsProbeResult refused = tls_probe(listener->port(), "dynamic.example.test", {});
    CHECK_FALSE(refused.completed);
    CHECK(refused.error.find("unrecognized name") != std::string::npos);
  }
}

TEST_CASE("tls server: a client without SNI gets default_server_name's certificate") {
  auto cache = std::make_shared<CertificateCache>();
  const auto main_site = serving({"example.test", "www.example.test"});
  cache->put(main_site);
  TlsServerOptions options = options_with(cache);

  SUBCASE("default name set") {
    options.default_server_name = "www.example.test";
    SslCtxPtr context = bare_context();
    install_tls_server(context.get(), options);
    const auto listener = serve(std::move(context));
    check_served(tls_probe(listener->port(), "", {"h2"}), *main_site);
  }
  SUBCASE("no default name, no certificate of its own") {
    SslCtxPtr context = bare_context();
    install_tls_server(context.get(), options);
    const auto listener = serve(std::move(context));
    const TlsProbeResult refused = tls_probe(listener->port(), "", {});
    CHECK_FALSE(refused.completed);
    CHECK(refused.error.find("unrecognized name") != std::string::npos);
  }
  SUBCASE("no default name, the context's own certificate") {
    SslCtxPtr context = context_with_own_certificate();
    install_tls_server(context.get(), options);
    const auto listener = serve(std::move(context));
    const TlsProbeResult own = tls_probe(listener->port(), "", {});
    REQUIRE_MESSAGE(own.completed, own.error);
    CHECK(leaf_name(own) == kOwnName);
  }
}

TEST_CASE("tls server: an IP certificate is served without SNI when it is the default name") {
  // Clients that connect to an address send no SNI (RFC 6066 section 3 allows no address there).
  auto cache = std::make_shared<CertificateCache>();
  const auto by_address = serving({"192.0.2.10", "2001:db8::10"});
  const auto by_name = serving({"example.test"});
  cache->put(by_address);
  cache->put(by_name);
  TlsServerOptions options = options_with(cache);
  options.default_server_name = "192.0.2.10";
  SslCtxPtr context = bare_context();
  install_tls_server(context.get(), options);
  const auto listener = serve(std::move(context));
  check_served(tls_probe(listener->port(), "", {"h2"}), *by_address);
  // Names are looked up as before.
  check_served(tls_probe(listener->port(), "example.test", {"h2"}), *by_name);
  CHECK(cache->find("2001:db8::10").get() == by_address.get());
}

TEST_CASE("tls server: a certificate put in the cache is served from the next handshake on") {
  auto cache = std::make_shared<CertificateCache>();
  const auto first = serving({"swap.example.test"});
  cache->put(first);
  SslCtxPtr context = bare_context();
  install_tls_server(context.get(), options_with(cache));
  const auto listener = serve(std::move(context));
  check_served(tls_probe(listener->port(), "swap.example.test", {}), *first);
  const auto renewed = serving({"swap.example.test"});
  cache->put(renewed);
  check_served(tls_probe(listener->port(), "swap.example.test", {}), *renewed);
  cache->remove({"swap.example.test"});
  CHECK_FALSE(tls_probe(listener->port(), "swap.example.test", {}).completed);
}

TEST_CASE("tls server: acme-tls/1 validations are answered on the same context") {
  auto cache = std::make_shared<CertificateCache>();
  const auto normal = serving({"validated.example.test"});
  cache->put(normal);
  auto responder = std::make_shared<TlsAlpn01Responder>();
  const ChallengeTask task = tls_alpn_task("validated.example.test", "serve");
  responder->present(task);
  TlsServerOptions options = options_with(cache);
  options.challenges = responder;
  SslCtxPtr context = context_with_own_certificate();
  install_tls_server(context.get(), options);
  const auto listener = serve(std::move(context));

  const TlsProbeResult validation =
      tls_probe(listener->port(), "Validated.Example.Test", {"acme-tls/1"});
  REQUIRE_MESSAGE(validation.completed, validation.error);
  CHECK(validation.alpn == "acme-tls/1");
  REQUIRE(validation.peer_certificate);
  const auto extension = acme_identifier_extension(validation.peer_certificate.get());
  REQUIRE(extension.has_value());
  CHECK(extension->critical);
  CHECK(extension->value == expected_acme_identifier_value(task.key_authorization));
  CHECK(subject_alt_names(validation.peer_certificate.get()) ==
        std::vector<std::string>{"DNS:validated.example.test"});
  CHECK(validation.peer_chain_length == 1);  // the challenge certificate alone

  // The same name without "acme-tls/1" is a normal visitor.
  const TlsProbeResult visitor = tls_probe(listener->port(), "validated.example.test", {"h2"});
  check_served(visitor, *normal);
  CHECK(visitor.alpn == "h2");

  responder->cleanup(task);
  const TlsProbeResult after =
      tls_probe(listener->port(), "validated.example.test", {"acme-tls/1"});
  check_served(after, *normal);
  CHECK(after.alpn == "");
}

TEST_CASE("tls server: install_tls_server refuses options it cannot serve") {
  SslCtxPtr context = bare_context();
  TlsServerOptions options = options_with(std::make_shared<CertificateCache>());
  CHECK(error_kind_from([&] { install_tls_server(nullptr, options); }) == ErrorKind::invalid_input);
  options.alpn_protocols = {"h2", "acme-tls/1"};
  CHECK(error_kind_from([&] { install_tls_server(context.get(), options); }) ==
        ErrorKind::invalid_input);
  options.alpn_protocols = {""};
  CHECK(error_kind_from([&] { install_tls_server(context.get(), options); }) ==
        ErrorKind::invalid_input);
  options.alpn_protocols = {std::string(256, 'x')};
  CHECK(error_kind_from([&] { install_tls_server(context.get(), options); }) ==
        ErrorKind::invalid_input);
  options = TlsServerOptions{};
  CHECK(error_kind_from([&] { install_tls_server(context.get(), options); }) ==
        ErrorKind::invalid_input);
}
