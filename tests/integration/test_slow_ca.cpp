// SPDX-License-Identifier: Apache-2.0
// A CA that does not finish: the ARI stand-in in front of Pebble (tests/support/ari_server.hpp)
// keeps finalized orders "processing" with a Retry-After of the test's choosing, which Pebble
// itself cannot do. acme::Client's polls can be cancelled from another thread (Error(cancelled)
// within a second), and when the CA never finishes, or asks to wait beyond the poll limit, the
// error says which, as Error(ca_timeout) (acmectl exit 14), not as a failed challenge.

#include <doctest/doctest.h>

#include <optional>
#include <thread>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/cert_manager.hpp"
#include "acmecpp/stop_token.hpp"
#include "core/rfc3339.hpp"
#include "crypto/jose.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/stalling_ca.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double seconds_of(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

/// Through `client` (account registered): an order for `name`, its HTTP-01 challenges answered
/// through `handler`, finalized. Returns the order as finalize() answered it.
acme::Order finalized_order(acme::Client& client, Http01Handler& handler, const std::string& name) {
  client.new_account(PrivateKey::generate(KeyType::ec256), {}, true);
  auto order = client.new_order({acme::Identifier{"dns", name}});
  for (const auto& url : order.authorizations) {
    const auto authz = client.get_authorization(url);
    if (authz.status == "valid") continue;
    const auto* challenge = authz.find_challenge("http-01");
    REQUIRE(challenge != nullptr);
    handler.present(ChallengeTask{"http-01",
                                  authz.identifier.value,
                                  false,
                                  challenge->token,
                                  client.key_authorization(challenge->token),
                                  {}});
    client.answer_challenge(challenge->url);
  }
  order = client.wait_order(order.url);
  REQUIRE(order.status == "ready");
  return client.finalize(order, crypto::make_csr_der(PrivateKey::generate(KeyType::ec256), {name}));
}

}  // namespace

TEST_CASE("acme::Client's poll of an order kept processing ends when stop is requested") {
  StallingCa slow;
  slow.ca.set_hold_processing("1");
  acme::ClientOptions options;
  options.directory_url = slow.ca.directory_url();
  options.ca_bundle = slow.pebble.ca_bundle().string();
  StopSource source;
  options.stop = source.token();
  acme::Client client(options);
  const auto order = finalized_order(client, *slow.handler, "poll.example.test");
  REQUIRE(order.status == "processing");

  std::optional<ErrorKind> kind;
  std::string message;
  Clock::time_point ended;
  std::thread poller([&] {
    try {
      client.wait_order(order.url);
    } catch (const Error& e) {
      ended = Clock::now();
      kind = e.kind();
      message = e.what();
    }
  });
  const auto held_before = slow.ca.held_processing_answers();
  // Stopped in any case, so that the thread ends before a failed check ends the test.
  const bool polling =
      eventually([&] { return slow.ca.held_processing_answers() >= held_before + 2; });
  const auto stopped = Clock::now();
  source.request_stop();
  poller.join();
  REQUIRE(polling);
  MESSAGE("wait_order() ended " << seconds_of(ended - stopped) << " s after the stop request");
  CHECK(kind == ErrorKind::cancelled);
  // Stopped in the wait ("polling order URL") or in the poll request under way ("POST URL").
  CHECK(message.rfind("cancelled: ", 0) == 0);
  CHECK(message.find(order.url) != std::string::npos);
  CHECK(ended - stopped < 1s);
}

TEST_CASE("an order that never leaves processing is a CA timeout saying so") {
  StallingCa slow;
  slow.ca.set_hold_processing("1");
  auto config = slow.manager_config();
  config.acme.poll_timeout = 3s;
  CertManager manager(config);
  const auto started = Clock::now();
  try {
    manager.obtain({"stuck.example.test"});
    FAIL("expected Error(ca_timeout)");
  } catch (const Error& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(e.kind() == ErrorKind::ca_timeout);
    CHECK(what.find("never left \"processing\" within 3 s (poll_timeout)") != std::string::npos);
    CHECK(what.find("challenge") == std::string::npos);
  }
  CHECK(Clock::now() - started >= 2s);  // it did poll for (nearly) the whole limit
}

TEST_CASE("acmectl says when a CA's huge Retry-After passes the poll limit, and exits 14") {
  StallingCa slow(false);  // acmectl answers HTTP-01 itself
  slow.ca.set_hold_processing("999999");
  const auto asked_until = std::chrono::system_clock::now() + std::chrono::seconds(999999);
  ProcessOptions options;
  options.timeout = 120s;
  const auto started = Clock::now();
  const auto result = run_process(
      {ACMECPP_ACMECTL_PATH, "issue", "huge.example.test", "--server", slow.ca.directory_url(),
       "--ca-bundle", slow.pebble.ca_bundle().string(), "--store", slow.store_path(), "--agree-tos",
       "--account-key-type", "ec256", "--http-address", "127.0.0.1", "--http-port",
       std::to_string(slow.pebble.http_port())},
      options);
  const auto took = Clock::now() - started;
  INFO("exit " << result.exit_code << "\n" << result.err);
  CHECK(result.exit_code == 14);
  // At once, not after the 180 s the message used to claim.
  CHECK(took < 60s);
  const std::string marker = "the CA asked (Retry-After) to wait until ";
  const auto at = result.err.find(marker);
  REQUIRE(at != std::string::npos);
  CHECK(result.err.find("is still \"processing\"") != std::string::npos);
  CHECK(result.err.find("beyond the poll limit of 180 s (poll_timeout)") != std::string::npos);
  CHECK(result.err.find("after 180 s of polling") == std::string::npos);
  const auto until = core::parse_rfc3339(result.err.substr(at + marker.size(), 20));
  REQUIRE(until.has_value());
  CHECK(*until > asked_until - std::chrono::minutes(5));
  CHECK(*until < asked_until + std::chrono::minutes(5));
}
