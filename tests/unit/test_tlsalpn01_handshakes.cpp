// SPDX-License-Identifier: Apache-2.0
// TLS-ALPN-01 over real TLS on 127.0.0.1: the standalone solver and a proxy's context with the
// responder installed, reached with OpenSSL in C++ (tls_probe) and with `openssl s_client`.

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "acmecpp/error.hpp"
#include "acmecpp/tlsalpn01.hpp"
#include "challenge/tlsalpn01/handshake_listener.hpp"
#include "challenge/tlsalpn01/ssl_ptr.hpp"
#include "core/unique_fd.hpp"
#include "crypto/self_signed.hpp"
#include "support/free_port.hpp"
#include "support/process.hpp"
#include "support/tls_probe.hpp"
#include "support/tls_test_proxy.hpp"
#include "support/tlsalpn01_checks.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using acmecpp::core::UniqueFd;

namespace {

const std::vector<std::string> kAcmeOnly{"acme-tls/1"};

/// Checks that a handshake showed the challenge certificate of `task`.
void check_challenge_certificate(const TlsProbeResult& result, const ChallengeTask& task,
                                 const std::string& san) {
  REQUIRE(result.completed);
  CHECK(result.alpn == "acme-tls/1");
  REQUIRE(result.peer_certificate != nullptr);
  const auto extension = acme_identifier_extension(result.peer_certificate.get());
  REQUIRE(extension.has_value());
  CHECK(extension->critical);
  CHECK(extension->value == expected_acme_identifier_value(task.key_authorization));
  CHECK(subject_alt_names(result.peer_certificate.get()) == std::vector<std::string>{san});
  CHECK(result.peer_chain_length == 1);  // the challenge certificate alone
}

void check_challenge_certificate(const TlsProbeResult& result, const ChallengeTask& task) {
  check_challenge_certificate(result, task, "DNS:" + task.identifier);
}

/// Checks that a handshake completed normally with the proxy's own certificate.
void check_proxy_certificate(const TlsProbeResult& result, const TlsTestProxy& proxy,
                             const std::string& expected_alpn) {
  REQUIRE(result.completed);
  CHECK(result.alpn == expected_alpn);
  REQUIRE(result.peer_certificate != nullptr);
  CHECK(certificate_pem(result.peer_certificate.get()) == proxy.certificate_pem());
  CHECK_FALSE(acme_identifier_extension(result.peer_certificate.get()).has_value());
}

/// `openssl s_client` with stdin closed, so it quits right after the handshake.
ProcessResult s_client(std::uint16_t port, const std::string& server_name,
                       const std::string& alpn) {
  std::vector<std::string> argv{"openssl",     "s_client",
                                "-connect",    "127.0.0.1:" + std::to_string(port),
                                "-servername", server_name};
  if (!alpn.empty()) argv.insert(argv.end(), {"-alpn", alpn});
  ProcessOptions options;
  options.timeout = std::chrono::seconds(20);
  return run_process(argv, options);
}

/// The first PEM certificate in a text (s_client prints the server's).
std::string first_pem_certificate(const std::string& text) {
  const std::string begin = "-----BEGIN CERTIFICATE-----";
  const std::string end = "-----END CERTIFICATE-----";
  const auto from = text.find(begin);
  const auto to = text.find(end, from == std::string::npos ? 0 : from);
  if (from == std::string::npos || to == std::string::npos) return {};
  return text.substr(from, to + end.size() - from) + "\n";
}

/// `openssl x509 -text` of a PEM certificate, extensions parsed as ASN.1.
std::string x509_text(const std::string& pem) {
  ProcessOptions options;
  options.stdin_data = pem;
  options.timeout = std::chrono::seconds(20);
  const auto result =
      run_process({"openssl", "x509", "-noout", "-text", "-certopt", "ext_parse"}, options);
  REQUIRE(result.exit_code == 0);
  return result.out;
}

/// How `openssl x509 -certopt ext_parse` dumps the first 16 bytes of the digest.
std::string first_hex_dump_line(const std::string& key_authorization) {
  const std::string value = expected_acme_identifier_value(key_authorization).substr(2);
  std::string line = "0000 -";
  for (int i = 0; i < 16; ++i) {
    char byte[4];
    std::snprintf(byte, sizeof(byte), "%02x", static_cast<unsigned char>(value[i]));
    line += (i == 8 ? "-" : " ") + std::string(byte);
  }
  return line;
}

/// A plain TCP connection to 127.0.0.1:port that never says anything.
UniqueFd idle_connection(std::uint16_t port) {
  UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(socket);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
  return socket;
}

/// A socket listening on 127.0.0.1:port, keeping the port busy.
UniqueFd occupy(std::uint16_t port) {
  UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(socket);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(listen(socket.get(), 1) == 0);
  return socket;
}

/// Gives a server context a self-signed ECDSA certificate for `name`.
void give_certificate(SSL_CTX* context, const std::string& name) {
  const PrivateKey key = PrivateKey::generate(KeyType::ec256);
  crypto::CertificateOptions options;
  options.dns_names = {name};
  options.not_before = std::chrono::system_clock::now();
  options.not_after = options.not_before + std::chrono::hours(1);
  const std::string pem = crypto::make_certificate_pem(key, options);
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  crypto::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(certificate != nullptr);
  REQUIRE(SSL_CTX_use_certificate(context, certificate.get()) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey(context, key.native()) == 1);
}

}  // namespace

TEST_CASE("the standalone solver answers a validation handshake, and only while presented") {
  const std::uint16_t port = free_tcp_port();
  TlsAlpn01StandaloneSolver solver("127.0.0.1", port);
  CHECK(solver.type() == "tls-alpn-01");
  CHECK_FALSE(tcp_port_accepts(port));  // not listening before the first present()

  const ChallengeTask task = tls_alpn_task("standalone.example.test");
  solver.present(task);
  check_challenge_certificate(tls_probe(port, task.identifier, kAcmeOnly), task);
  check_challenge_certificate(tls_probe(port, "STANDALONE.example.test", kAcmeOnly), task);

  solver.cleanup(task);
  CHECK_FALSE(tcp_port_accepts(port));

  // Started again by the next present().
  const ChallengeTask again = tls_alpn_task("again.example.test", "2");
  solver.present(again);
  check_challenge_certificate(tls_probe(port, again.identifier, kAcmeOnly), again);
  solver.cleanup(again);
}

TEST_CASE("the standalone solver answers an IP address's validation by reverse-DNS SNI or none") {
  const std::uint16_t port = free_tcp_port();
  TlsAlpn01StandaloneSolver solver("127.0.0.1", port);
  const ChallengeTask task = tls_alpn_task("127.0.0.1");
  solver.present(task);
  check_challenge_certificate(tls_probe(port, "1.0.0.127.in-addr.arpa", kAcmeOnly), task,
                              "IP:127.0.0.1");
  check_challenge_certificate(tls_probe(port, "", kAcmeOnly), task, "IP:127.0.0.1");
  CHECK_FALSE(tls_probe(port, "2.0.0.127.in-addr.arpa", kAcmeOnly).completed);
  solver.cleanup(task);
}

TEST_CASE("the standalone solver refuses other protocols and unknown names with an alert") {
  const std::uint16_t port = free_tcp_port();
  TlsAlpn01StandaloneSolver solver("127.0.0.1", port);
  const ChallengeTask task = tls_alpn_task("refuse.example.test");
  solver.present(task);

  const auto unknown_name = tls_probe(port, "unknown.example.test", kAcmeOnly);
  CHECK_FALSE(unknown_name.completed);
  CHECK(unknown_name.error.find("unrecognized name") != std::string::npos);

  const auto other_protocol = tls_probe(port, task.identifier, {"http/1.1"});
  CHECK_FALSE(other_protocol.completed);
  CHECK(other_protocol.error.find("no application protocol") != std::string::npos);

  const auto no_alpn = tls_probe(port, task.identifier, {});
  CHECK_FALSE(no_alpn.completed);
  CHECK(no_alpn.error.find("no application protocol") != std::string::npos);

  const auto no_sni = tls_probe(port, "", kAcmeOnly);
  CHECK_FALSE(no_sni.completed);
  CHECK(no_sni.error.find("unrecognized name") != std::string::npos);

  // Refusals do not disturb the listener.
  check_challenge_certificate(tls_probe(port, task.identifier, kAcmeOnly), task);
  solver.cleanup(task);
}

TEST_CASE("the standalone solver serves several names to concurrent validators") {
  const std::uint16_t port = free_tcp_port();
  TlsAlpn01StandaloneSolver solver("127.0.0.1", port);
  std::vector<ChallengeTask> tasks;
  for (int i = 0; i < 4; ++i) {
    tasks.push_back(
        tls_alpn_task("multi" + std::to_string(i) + ".example.test", std::to_string(i)));
    solver.present(tasks.back());
  }
  // A silent client holding a connection must not hold up anyone else.
  UniqueFd silent = idle_connection(port);

  // Like Pebble: three validations per name, all at once.
  std::vector<std::pair<const ChallengeTask*, std::future<TlsProbeResult>>> probes;
  for (const auto& task : tasks) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      probes.emplace_back(&task, std::async(std::launch::async, [&task, port] {
        return tls_probe(port, task.identifier, kAcmeOnly);
      }));
    }
  }
  for (auto& [task, probe] : probes) check_challenge_certificate(probe.get(), *task);
  for (const auto& task : tasks) solver.cleanup(task);
  CHECK_FALSE(tcp_port_accepts(port));
}

TEST_CASE("stopping the standalone solver does not wait for a silent connection") {
  const std::uint16_t port = free_tcp_port();
  TlsAlpn01StandaloneSolver solver("127.0.0.1", port);
  const ChallengeTask task = tls_alpn_task("silent.example.test");
  solver.present(task);
  UniqueFd silent = idle_connection(port);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // accepted and waiting by now

  const auto started = std::chrono::steady_clock::now();
  solver.cleanup(task);
  const auto took = std::chrono::steady_clock::now() - started;
  // The handshake timeout is 10 s; stopping must not sit it out.
  CHECK(took < std::chrono::seconds(2));
}

TEST_CASE("the standalone solver names address, port and reason when it cannot listen") {
  const std::uint16_t port = free_tcp_port();
  const ChallengeTask task = tls_alpn_task("busy-port.example.test");
  {
    UniqueFd taken = occupy(port);
    TlsAlpn01StandaloneSolver solver("127.0.0.1", port);
    std::string message;
    try {
      solver.present(task);
      FAIL("expected a ChallengeError");
    } catch (const ChallengeError& error) {
      message = error.what();
    }
    CHECK(message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(message.find("Address already in use") != std::string::npos);
    solver.cleanup(task);  // after a failed present, as CertManager does

    // Nothing was left behind: once the port is free, the same task can be presented.
    taken.reset();
    solver.present(task);
    check_challenge_certificate(tls_probe(port, task.identifier, kAcmeOnly), task);
    solver.cleanup(task);
  }
  TlsAlpn01StandaloneSolver by_name("localhost", port);
  try {
    by_name.present(task);
    FAIL("expected a ChallengeError");
  } catch (const ChallengeError& error) {
    CHECK(std::string(error.what()).find("numeric") != std::string::npos);
  }
}

TEST_CASE("openssl s_client gets the challenge certificate from the standalone solver") {
  const std::uint16_t port = free_tcp_port();
  TlsAlpn01StandaloneSolver solver("127.0.0.1", port);
  const ChallengeTask task = tls_alpn_task("s-client.example.test");
  solver.present(task);

  const auto accepted = s_client(port, task.identifier, "acme-tls/1");
  CHECK_FALSE(accepted.timed_out);
  CHECK(accepted.out.find("ALPN protocol: acme-tls/1") != std::string::npos);
  const std::string pem = first_pem_certificate(accepted.out);
  REQUIRE_FALSE(pem.empty());
  const std::string text = x509_text(pem);
  CHECK(text.find("1.3.6.1.5.5.7.1.31: critical") != std::string::npos);
  CHECK(text.find("l=  32 prim: OCTET STRING") != std::string::npos);
  CHECK(text.find(first_hex_dump_line(task.key_authorization)) != std::string::npos);
  CHECK(text.find("DNS:s-client.example.test") != std::string::npos);

  const auto unknown = s_client(port, "unknown.example.test", "acme-tls/1");
  CHECK_FALSE(unknown.timed_out);
  CHECK(unknown.exit_code != 0);
  CHECK(unknown.err.find("unrecognized name") != std::string::npos);

  const auto http = s_client(port, task.identifier, "http/1.1");
  CHECK_FALSE(http.timed_out);
  CHECK(http.exit_code != 0);
  CHECK(http.err.find("no application protocol") != std::string::npos);
  solver.cleanup(task);
}

TEST_CASE("a proxy context with the responder installed shows challenges only to validators") {
  TlsAlpn01Responder responder;
  TlsTestProxy proxy(responder);
  const ChallengeTask task = tls_alpn_task("proxied.example.test");
  const std::string name = TlsTestProxy::kProxyName;

  // Before present(): a validator gets the normal certificate and no ALPN.
  check_proxy_certificate(tls_probe(proxy.port(), task.identifier, kAcmeOnly), proxy, "");

  responder.present(task);
  check_challenge_certificate(tls_probe(proxy.port(), task.identifier, kAcmeOnly), task);
  // Everything else is a normal handshake, with the proxy's certificate and ALPN choice.
  check_proxy_certificate(tls_probe(proxy.port(), name, {}), proxy, "");
  check_proxy_certificate(tls_probe(proxy.port(), name, {"h2", "http/1.1"}), proxy, "h2");
  check_proxy_certificate(tls_probe(proxy.port(), name, {"http/1.1"}), proxy, "http/1.1");
  check_proxy_certificate(tls_probe(proxy.port(), name, {"spdy/3"}), proxy, "");
  check_proxy_certificate(tls_probe(proxy.port(), task.identifier, {"h2"}), proxy, "h2");
  check_proxy_certificate(tls_probe(proxy.port(), task.identifier, {}), proxy, "");
  check_proxy_certificate(tls_probe(proxy.port(), "unknown.example.test", kAcmeOnly), proxy, "");

  responder.cleanup(task);
  check_proxy_certificate(tls_probe(proxy.port(), task.identifier, kAcmeOnly), proxy, "");
}

TEST_CASE("a proxy context answers an IP address's validation and serves others normally") {
  TlsAlpn01Responder responder;
  TlsTestProxy proxy(responder);
  const ChallengeTask task = tls_alpn_task("::1");
  const std::string sni =
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa";
  responder.present(task);
  check_challenge_certificate(tls_probe(proxy.port(), sni, kAcmeOnly), task, "IP:::1");
  check_challenge_certificate(tls_probe(proxy.port(), "", kAcmeOnly), task, "IP:::1");
  // A browser's handshake without SNI, or by the reverse name, still gets the proxy's own.
  check_proxy_certificate(tls_probe(proxy.port(), "", {"h2"}), proxy, "h2");
  check_proxy_certificate(tls_probe(proxy.port(), sni, {"http/1.1"}), proxy, "http/1.1");
  responder.cleanup(task);
  check_proxy_certificate(tls_probe(proxy.port(), sni, kAcmeOnly), proxy, "");
}

TEST_CASE("validations work over TLS 1.2 as well as TLS 1.3") {
  TlsProbeOptions tls12;
  tls12.max_version = TLS1_2_VERSION;
  const ChallengeTask task = tls_alpn_task("tls12.example.test");

  const std::uint16_t port = free_tcp_port();
  TlsAlpn01StandaloneSolver solver("127.0.0.1", port);
  solver.present(task);
  check_challenge_certificate(tls_probe(port, task.identifier, kAcmeOnly, tls12), task);
  CHECK_FALSE(tls_probe(port, task.identifier, {"h2"}, tls12).completed);
  solver.cleanup(task);

  TlsAlpn01Responder responder;
  TlsTestProxy proxy(responder);
  responder.present(task);
  check_challenge_certificate(tls_probe(proxy.port(), task.identifier, kAcmeOnly, tls12), task);
  check_proxy_certificate(tls_probe(proxy.port(), task.identifier, {"h2"}, tls12), proxy, "h2");
  responder.cleanup(task);
}

TEST_CASE("a validator preferring RSA signatures still gets the ECDSA challenge certificate") {
  // OpenSSL follows the client's signature preference among the certificates a connection has;
  // the proxy's RSA certificate must therefore be gone, not merely joined by the challenge's.
  TlsAlpn01Responder responder;
  TlsTestProxy proxy(responder);
  const ChallengeTask task = tls_alpn_task("rsa-first.example.test");
  responder.present(task);
  TlsProbeOptions rsa_first;
  rsa_first.signature_algorithms = "RSA-PSS+SHA256:RSA+SHA256:ECDSA+SHA256";
  check_challenge_certificate(tls_probe(proxy.port(), task.identifier, kAcmeOnly, rsa_first), task);
  check_proxy_certificate(tls_probe(proxy.port(), TlsTestProxy::kProxyName, {}, rsa_first), proxy,
                          "");
  responder.cleanup(task);
}

TEST_CASE("openssl s_client against the proxy: challenge certificate for acme-tls/1 only") {
  TlsAlpn01Responder responder;
  TlsTestProxy proxy(responder);
  const ChallengeTask task = tls_alpn_task("proxy-s-client.example.test");
  responder.present(task);

  const auto validation = s_client(proxy.port(), task.identifier, "acme-tls/1");
  CHECK(validation.out.find("ALPN protocol: acme-tls/1") != std::string::npos);
  const std::string challenge_text = x509_text(first_pem_certificate(validation.out));
  CHECK(challenge_text.find("1.3.6.1.5.5.7.1.31: critical") != std::string::npos);
  CHECK(challenge_text.find(first_hex_dump_line(task.key_authorization)) != std::string::npos);
  CHECK(challenge_text.find("DNS:proxy-s-client.example.test") != std::string::npos);

  for (const std::string alpn : {"", "h2"}) {
    CAPTURE(alpn);
    const auto normal = s_client(proxy.port(), task.identifier, alpn);
    CHECK(first_pem_certificate(normal.out) == proxy.certificate_pem());
    CHECK(normal.out.find(alpn.empty() ? "No ALPN negotiated" : "ALPN protocol: h2") !=
          std::string::npos);
  }
  responder.cleanup(task);
}

TEST_CASE("install defers normal ALPN choices to the caller's select function") {
  TlsAlpn01Responder responder;
  const ChallengeTask task = tls_alpn_task("select.example.test");
  responder.present(task);

  tlsalpn01::SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  REQUIRE(context != nullptr);
  std::atomic<int> calls{0};
  TlsAlpn01InstallOptions options;
  options.fallback_protocols = {"h2"};  // ignored: fallback_select wins
  options.fallback_select = [&calls](SSL*, const unsigned char** out, unsigned char* outlen,
                                     const unsigned char* in, unsigned int inlen) {
    ++calls;
    // Always the client's last protocol.
    unsigned int at = 0;
    while (at + 1 + in[at] < inlen) at += 1 + in[at];
    *out = in + at + 1;
    *outlen = in[at];
    return SSL_TLSEXT_ERR_OK;
  };
  give_certificate(context.get(), "normal.example.test");
  responder.install(context.get(), options);
  tlsalpn01::HandshakeListener listener("127.0.0.1", 0, std::move(context));

  check_challenge_certificate(tls_probe(listener.port(), task.identifier, kAcmeOnly), task);
  CHECK(calls == 0);
  const auto normal = tls_probe(listener.port(), "normal.example.test", {"h2", "http/1.1"});
  CHECK(normal.completed);
  CHECK(normal.alpn == "http/1.1");
  CHECK(calls == 1);
  responder.cleanup(task);
}

TEST_CASE("an SSL_CTX keeps the challenges alive after the responder is gone") {
  const ChallengeTask task = tls_alpn_task("outlived.example.test");
  auto responder = std::make_unique<TlsAlpn01Responder>();
  responder->present(task);
  TlsTestProxy proxy(*responder);
  responder.reset();
  check_challenge_certificate(tls_probe(proxy.port(), task.identifier, kAcmeOnly), task);
}
