// SPDX-License-Identifier: Apache-2.0
// examples/https-server against Pebble: it obtains certificates through its own listeners
// (TLS-ALPN-01 on its HTTPS port, HTTP-01 on its plain port), serves them to curl, swaps renewed
// certificates in while clients keep connecting, and issues on demand for allowed names only.

#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "acmecpp/error.hpp"
#include "acmecpp/store.hpp"
#include "crypto/openssl_ptr.hpp"
#include "support/example_server.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_probe.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using namespace std::chrono_literals;

namespace {

/// The example server as a child process, pointed at `pebble` with its HTTPS listener on
/// Pebble's TLS-ALPN-01 port and its plain listener on Pebble's HTTP-01 port.
class ExampleServer {
 public:
  ExampleServer(const PebbleEnv& pebble, const TempDir& dir, const std::vector<std::string>& extra)
      : log_(dir / "https-server.log"), store_((dir / "acme.json").string()) {
    auto argv = example_server_argv(pebble, store_, pebble.tls_port(), pebble.http_port());
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_.emplace(argv, ProcessOptions{}, log_);
  }

  std::string log() const { return read_text_file(log_); }
  const std::string& store() const { return store_; }
  ChildProcess& process() { return *process_; }

  /// Waits up to `limit` for the server's log to contain `text`.
  bool wait_for_log(const std::string& text, std::chrono::seconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

 private:
  std::filesystem::path log_;
  std::string store_;
  std::optional<ChildProcess> process_;
};

/// curl against the example with Pebble's root as the only trust anchor and NAME resolved to
/// 127.0.0.1, as the acceptance test of issue 5 asks.
ProcessResult curl_hello(const PebbleEnv& pebble, const TempDir& dir, const std::string& name) {
  const auto root = dir / "pebble-root.pem";
  write_text_file(root, pebble.root_pem());
  const std::string port = std::to_string(pebble.tls_port());
  ProcessOptions options;
  options.timeout = 30s;
  return run_process(
      {"curl", "--silent", "--show-error", "--max-time", "20", "--cacert", root.string(),
       "--resolve", name + ":" + port + ":127.0.0.1", "https://" + name + ":" + port + "/"},
      options);
}

std::string serial_of(X509* certificate) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(certificate);
  crypto::BignumPtr number(ASN1_INTEGER_to_BN(serial, nullptr));
  const crypto::OpenSslCharPtr hex(BN_bn2hex(number.get()));
  return hex.get();
}

void stop_cleanly(ExampleServer& server) {
  server.process().kill(SIGTERM);
  const auto status = server.process().wait(20s);
  REQUIRE(status.has_value());
  CHECK(status->exit_code == 0);
}

}  // namespace

TEST_CASE("the example server obtains a certificate through its own TLS-ALPN-01 listener") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  ExampleServer server(pebble, dir, {"alpn.example.test"});
  INFO("https-server said:\n" << server.log());
  REQUIRE(server.wait_for_log("event: issued alpn.example.test", 60s));

  const auto hello = curl_hello(pebble, dir, "alpn.example.test");
  INFO("curl said: " << hello.err);
  CHECK(hello.exit_code == 0);
  CHECK(hello.out == "hello\n");
  // Pebble validated through the server's HTTPS port (its TLS-ALPN-01 port): nothing else
  // listens there.
  CHECK(server.log().find("alpn.example.test: tls-alpn-01 validated") != std::string::npos);
  stop_cleanly(server);
}

TEST_CASE("the example server answers HTTP-01 on its own plain listener") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  ExampleServer server(pebble, dir, {"--challenge", "http-01", "plain.example.test"});
  INFO("https-server said:\n" << server.log());
  REQUIRE(server.wait_for_log("event: issued plain.example.test", 60s));
  const auto hello = curl_hello(pebble, dir, "plain.example.test");
  INFO("curl said: " << hello.err);
  CHECK(hello.exit_code == 0);
  CHECK(hello.out == "hello\n");
  stop_cleanly(server);
}

TEST_CASE("renewals are swapped in while clients keep connecting, and no handshake fails") {
  // Certificates that live 16 seconds are due after 8 (half of a short lifetime is kept as
  // margin), and the server checks every second: a renewal comes a few seconds after issuance.
  auto options = counting_pebble_options();
  options.validity_seconds = 16;
  PebbleEnv pebble(options);
  TempDir dir;
  ExampleServer server(pebble, dir, {"--check-interval", "1", "swap.example.test"});
  INFO("https-server said:\n" << server.log());
  REQUIRE(server.wait_for_log("event: issued swap.example.test", 60s));

  std::set<std::string> serials;
  std::size_t handshakes = 0;
  std::vector<std::string> failures;
  const auto deadline = std::chrono::steady_clock::now() + 8s;
  while (std::chrono::steady_clock::now() < deadline || serials.size() < 2) {
    const auto result = tls_probe(pebble.tls_port(), "swap.example.test", {"http/1.1"});
    ++handshakes;
    if (!result.completed || !result.peer_certificate) {
      failures.push_back(result.error);
    } else {
      serials.insert(serial_of(result.peer_certificate.get()));
    }
    if (std::chrono::steady_clock::now() > deadline + 30s) break;  // no renewal came: fail below
  }
  MESSAGE(handshakes << " handshakes saw " << serials.size() << " certificates");
  CHECK(failures.empty());
  CHECK(serials.size() >= 2);
  CHECK(server.log().find("event: renewed swap.example.test") != std::string::npos);
  stop_cleanly(server);
}

TEST_CASE(
    "on demand: an allowed unknown name gets a certificate, a refused one never reaches the CA") {
  PebbleEnv pebble(counting_pebble_options());
  TempDir dir;
  ExampleServer server(pebble, dir, {"--on-demand", ".ondemand.test"});
  INFO("https-server said:\n" << server.log());
  REQUIRE(server.wait_for_log("listening on", 30s));

  const auto refused = curl_hello(pebble, dir, "stranger.example.test");
  CHECK(refused.exit_code != 0);
  CHECK(pebble.new_order_requests() == 0);

  const auto allowed = curl_hello(pebble, dir, "first.ondemand.test");
  INFO("curl said: " << allowed.err);
  CHECK(allowed.exit_code == 0);
  CHECK(allowed.out == "hello\n");
  CHECK(pebble.new_order_requests() == 1);
  const auto again = curl_hello(pebble, dir, "first.ondemand.test");
  CHECK(again.exit_code == 0);
  CHECK(pebble.new_order_requests() == 1);
  stop_cleanly(server);
}
