// SPDX-License-Identifier: Apache-2.0
// Stopping while a CA hangs: CertManager::stop() and `acmectl run` on SIGTERM return within a
// second while the order in hand waits on a CA that never answers newOrder, or that keeps the
// order "processing" (Retry-After: 1). The hanging CA is the ARI stand-in in front of Pebble
// (tests/support/ari_server.hpp), since Pebble itself cannot be made to hang or stall an order.
// (These tests use only API that existed before cancellation, so they can be run against the
// code before it to see them fail: stop() then waited for the request timeout or poll limit.)

#include <doctest/doctest.h>

#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/store.hpp"
#include "support/event_log.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/stalling_ca.hpp"

using namespace acmecpp;
using namespace acmecpp::testing;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

/// The stalling CA, with waits long enough that only a cancellation ends them within the bounds
/// checked: without one, stop() would wait this long.
ManagerConfig patient_config(const StallingCa& ca) {
  auto config = ca.manager_config();
  config.acme.request_timeout = 20s;
  config.acme.poll_timeout = 20s;
  return config;
}

/// Certificates stored under any resolver (the manager's "test", acmectl's "letsencrypt").
std::size_t stored_certificates(const StallingCa& ca) {
  try {
    const AcmeJsonStore store(ca.store_path());
    std::size_t count = 0;
    for (const auto& resolver : store.resolvers()) count += store.certificates(resolver).size();
    return count;
  } catch (const Error&) {
    return 0;  // not created yet
  }
}

double seconds_of(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string run_config(const StallingCa& ca, const std::string& name) {
  return "store: " + ca.store_path() + "\nserver: " + ca.ca.directory_url() +
         "\nca-bundle: " + ca.pebble.ca_bundle().string() +
         "\nagree-tos: true\naccount-key-type: ec256\nhttp-address: 127.0.0.1\nhttp-port: " +
         std::to_string(ca.pebble.http_port()) + "\ncertificates:\n  - names: [" + name + "]\n";
}

/// A manager for `name` at the stalling CA, its events into `events`, started.
std::unique_ptr<CertManager> started_manager(const StallingCa& ca, EventLog& events,
                                             const std::string& name) {
  auto config = patient_config(ca);
  config.on_event = events.callback();
  auto manager = std::make_unique<CertManager>(config);
  manager->manage({name});
  manager->start();
  return manager;
}

/// Stops `manager` while its order is stuck at the CA: within a second, with no failure
/// reported and nothing stored.
void check_prompt_stop(CertManager& manager, const StallingCa& ca, EventLog& events,
                       const std::string& stuck) {
  const auto started = Clock::now();
  manager.stop();
  const auto took = Clock::now() - started;
  MESSAGE("stop() took " << seconds_of(took) << " s while " << stuck);
  CHECK(took < 1s);
  CHECK(events.of_type(CertificateEventType::failed) == 0);
  CHECK(stored_certificates(ca) == 0);
}

/// Starts `acmectl run` on a configuration for `name` at the stalling CA, waits until `stalled`
/// says the order is stuck there, sends SIGTERM and returns how long the process took to exit
/// (nullopt when it had not within 20 s). `log` receives what it said.
template <typename Stalled>
std::optional<Clock::duration> run_until_sigterm(const StallingCa& ca, const std::string& name,
                                                 Stalled stalled, std::string& log) {
  const auto config = ca.dir / "acmectl.yaml";
  write_text_file(config, run_config(ca, name));
  ChildProcess run({ACMECPP_ACMECTL_PATH, "run", "--config", config.string(), "--interval", "3600"},
                   {}, ca.dir / "run.log");
  const bool reached = eventually(stalled);
  log = read_text_file(ca.dir / "run.log");
  REQUIRE_MESSAGE(reached, log);
  const auto started = Clock::now();
  run.kill(SIGTERM);
  const auto status = run.wait(20s);
  const auto took = Clock::now() - started;
  log = read_text_file(ca.dir / "run.log");
  if (!status) return std::nullopt;
  CHECK_MESSAGE(status->exit_code == 0, log);
  return took;
}

}  // namespace

TEST_CASE("CertManager::stop returns within a second while newOrder hangs, and start works again") {
  StallingCa ca;
  ca.ca.set_hang_new_orders(true);
  EventLog events;
  const auto manager = started_manager(ca, events, "hang.example.test");
  REQUIRE(eventually([&] { return !ca.ca.new_order_payloads().empty(); }));
  std::this_thread::sleep_for(200ms);  // well inside the request
  check_prompt_stop(*manager, ca, events, "newOrder hung");

  // A fresh start after stop() orders again, now that the CA answers.
  ca.ca.set_hang_new_orders(false);
  manager->start();
  CHECK(eventually([&] { return manager->certificates()->find("hang.example.test") != nullptr; }));
  manager->stop();
}

TEST_CASE("CertManager::stop returns within a second while the order stays processing") {
  StallingCa ca;
  ca.ca.set_hold_processing("1");
  EventLog events;
  const auto manager = started_manager(ca, events, "processing.example.test");
  // Two answers held: the manager is in its poll loop, waiting out a Retry-After.
  REQUIRE(eventually([&] { return ca.ca.held_processing_answers() >= 2; }));
  check_prompt_stop(*manager, ca, events, "the order was processing");
}

TEST_CASE("acmectl run exits within a second of SIGTERM while newOrder hangs") {
  StallingCa ca(false);  // acmectl answers HTTP-01 itself
  ca.ca.set_hang_new_orders(true);
  std::string log;
  const auto took = run_until_sigterm(
      ca, "run-hang.example.test", [&] { return !ca.ca.new_order_payloads().empty(); }, log);
  INFO("acmectl run said:\n" << log);
  REQUIRE(took.has_value());
  MESSAGE("acmectl run exited " << seconds_of(*took) << " s after SIGTERM (newOrder hanging)");
  CHECK(*took < 1s);
  CHECK(log.find("stopped") != std::string::npos);
  CHECK(stored_certificates(ca) == 0);
}

TEST_CASE("acmectl run exits within a second of SIGTERM while the order stays processing") {
  StallingCa ca(false);  // acmectl answers HTTP-01 itself
  ca.ca.set_hold_processing("1");
  std::string log;
  // Two answers held: acmectl is in its poll loop, waiting out a Retry-After.
  const auto took = run_until_sigterm(
      ca, "run-processing.example.test", [&] { return ca.ca.held_processing_answers() >= 2; }, log);
  INFO("acmectl run said:\n" << log);
  REQUIRE(took.has_value());
  MESSAGE("acmectl run exited " << seconds_of(*took) << " s after SIGTERM (order processing)");
  CHECK(*took < 1s);
  CHECK(log.find("stopped") != std::string::npos);
  // A stop is not a failed issuance: no error line, no backoff announced.
  CHECK(log.find("acmectl: error") == std::string::npos);
  CHECK(stored_certificates(ca) == 0);
}
