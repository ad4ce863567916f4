// SPDX-License-Identifier: Apache-2.0
// Orders survive a crash or a slow CA (issue 12, item 2): the order in flight is kept in the
// store from newOrder on, and the next run takes it up instead of ordering again. Pebble 2.4.0
// issues at once, so the STAND-IN of tests/support/ari_server.hpp (in front of real Pebble, for
// Let's Encrypt's production CA, whose orders may stay "processing") holds finalized orders
// "processing" as long as a test wants; it also counts newOrder and finalize requests.

#include <doctest/doctest.h>

#include <csignal>

#include "acmecpp/certificate.hpp"
#include "acmecpp/store.hpp"
#include "acmectl_runner.hpp"
#include "support/ari_server.hpp"
#include "support/eventually.hpp"
#include "support/pebble_env.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using std::chrono::seconds;

namespace {

constexpr const char* kResolver = "letsencrypt";  // acmectl's resolver in a new store

PebbleOptions quiet_pebble() {
  PebbleOptions options;
  options.nonce_reject_percent = 0;  // a badNonce retry would record one newOrder twice
  options.authz_reuse_percent = 0;
  return options;
}

/// acmectl issue NAME through the stand-in, HTTP-01 on Pebble's port, `extra` flags added.
std::vector<std::string> issue_argv(const PebbleEnv& pebble, const AriServer& ca,
                                    const std::string& store, const std::string& name,
                                    const std::vector<std::string>& extra = {}) {
  auto argv = acmectl_argv(pebble, store, issue_args(pebble, {name}, extra));
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "--server") argv[i + 1] = ca.directory_url();
  }
  return argv;
}

std::optional<PendingOrder> kept_order(const std::string& store, const std::string& name) {
  return AcmeJsonStore(store).load_pending_order(kResolver, name);
}

CertificateRecord stored_certificate(const std::string& store, const std::string& name) {
  const auto named = AcmeJsonStore(store).certificates_named(kResolver, name);
  REQUIRE(named.size() == 1);
  return named.front();
}

std::size_t finalizes(const AriServer& ca) {
  return ca.requests(CaRequest::finalize);
}

}  // namespace

TEST_CASE(
    "acmectl killed (SIGKILL) between finalize and download: the next issue stores the "
    "certificate of that order, and the CA sees no second newOrder") {
  PebbleEnv pebble{quiet_pebble()};
  AriServer ca{pebble};
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const std::string name = "killed.example.test";
  // Stand-in: the finalized order stays "processing" until acmectl is killed while it polls.
  ca.set_hold_processing("1");
  ChildProcess first(issue_argv(pebble, ca, store, name), {}, dir / "first.log");
  REQUIRE(eventually([&] { return ca.held_processing_answers() > 0; }));
  first.kill(SIGKILL);
  const auto killed = first.wait(seconds(10));
  REQUIRE(killed.has_value());
  CHECK(killed->term_signal == SIGKILL);
  CHECK(finalizes(ca) == 1);
  const auto kept = kept_order(store, name);
  REQUIRE(kept.has_value());
  CHECK(kept->names == std::vector<std::string>{name});
  CHECK_FALSE(kept->key_pem.empty());

  ca.set_hold_processing(std::nullopt);  // Pebble issued the certificate long ago
  const auto second = run_process(issue_argv(pebble, ca, store, name));
  REQUIRE_MESSAGE(second.exit_code == 0, describe(second));
  CHECK(ca.new_order_payloads().size() == 1);  // no second order
  CHECK(finalizes(ca) == 1);                   // so Pebble issued exactly one certificate
  const auto stored = stored_certificate(store, name);
  // The certificate of that one finalize: it carries the key the killed run generated and kept.
  CHECK(stored.key_pem == kept->key_pem);
  CHECK(parse_certificate(stored.certificate_pem).not_after > std::chrono::system_clock::now());
  CHECK_FALSE(kept_order(store, name).has_value());  // done: no longer kept
  CHECK(second.err.find("resuming the kept order") != std::string::npos);
}

TEST_CASE(
    "an order kept processing beyond --poll-timeout ends with exit 14 and is resumed by "
    "the next run, with no second newOrder") {
  PebbleEnv pebble{quiet_pebble()};
  AriServer ca{pebble};
  TempDir dir;
  const std::string store = (dir / "acme.json").string();
  const std::string name = "slow.example.test";
  ca.set_hold_processing("1");  // stand-in: a CA that keeps the order processing
  const auto slow = run_process(issue_argv(pebble, ca, store, name, {"--poll-timeout", "5s"}));
  CHECK_MESSAGE(slow.exit_code == 14, describe(slow));  // CA timeout
  CHECK(slow.err.find("poll_timeout") != std::string::npos);
  CHECK(slow.err.find("the order is kept in the store and the next run resumes it") !=
        std::string::npos);
  const auto kept = kept_order(store, name);
  REQUIRE(kept.has_value());
  CHECK(AcmeJsonStore(store).certificates_named(kResolver, name).empty());

  const auto refused = run_process(issue_argv(pebble, ca, store, name, {"--poll-timeout", "0"}));
  CHECK(refused.exit_code == 3);  // invalid input, before any request
  CHECK(refused.err.find("--poll-timeout") != std::string::npos);

  ca.set_hold_processing(std::nullopt);
  const auto next = run_process(issue_argv(pebble, ca, store, name));
  REQUIRE_MESSAGE(next.exit_code == 0, describe(next));
  CHECK(ca.new_order_payloads().size() == 1);
  CHECK(finalizes(ca) == 1);
  CHECK(stored_certificate(store, name).key_pem == kept->key_pem);
  CHECK_FALSE(kept_order(store, name).has_value());
}
