// SPDX-License-Identifier: Apache-2.0
// On-demand issuance between the handshake and the CA: refusal of junk and disallowed names,
// one issuance per name, the pending bound, the token bucket, the failure backoff, close/open.
// The issue function stands in for CertManager::obtain() (the real one runs against Pebble in
// integration/test_serving_manager.cpp): it counts calls and can be held at a gate.

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "acmecpp/error.hpp"
#include "manager/on_demand.hpp"
#include "support/log_lines.hpp"

using namespace acmecpp;
using namespace acmecpp::manager;
using acmecpp::testing::LogLines;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

struct ManualClock {
  std::atomic<SteadyClock::time_point> now{SteadyClock::time_point(seconds(1000))};
  SteadyNow function() {
    return [this] { return now.load(); };
  }
  void advance(SteadyClock::duration by) { now = now.load() + by; }
};

/// The stand-in for obtain(): records each name, waits at the gate while it is closed, fails
/// for names starting with "fail".
struct FakeIssuance {
  std::mutex mutex;
  std::condition_variable changed;
  bool gate_open = true;
  std::vector<std::string> calls;

  OnDemandIssuer::Issue function() {
    return [this](const std::string& name) {
      std::unique_lock<std::mutex> lock(mutex);
      calls.push_back(name);
      changed.notify_all();
      changed.wait(lock, [this] { return gate_open; });
      if (name.rfind("fail", 0) == 0) throw Error(ErrorKind::challenge, "no such luck");
      if (name.rfind("limited", 0) == 0) {
        Problem problem;
        problem.type = "urn:ietf:params:acme:error:rateLimited";
        problem.status = 429;
        throw AcmeError("new order", problem,
                        std::chrono::system_clock::now() + std::chrono::minutes(10));
      }
      auto certificate = std::make_shared<ServingCertificate>();
      certificate->names = {name};
      return std::shared_ptr<const ServingCertificate>(certificate);
    };
  }
  void close_gate() {
    std::lock_guard<std::mutex> lock(mutex);
    gate_open = false;
  }
  void open_gate() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      gate_open = true;
    }
    changed.notify_all();
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mutex);
    return calls.size();
  }
  /// Waits (bounded) until `n` calls were made.
  bool wait_for_calls(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, seconds(10), [&] { return calls.size() >= n; });
  }
};

OnDemandPolicy allow_all(milliseconds wait) {
  OnDemandPolicy policy;
  policy.allow = [](std::string_view) { return true; };
  policy.wait = wait;
  return policy;
}

}  // namespace

TEST_CASE("on-demand: without a policy, or for a refused name, nothing is issued") {
  FakeIssuance issuance;
  LogLines log;
  OnDemandIssuer unset({}, issuance.function(), nullptr, Logger(log.sink()));
  CHECK(unset.certificate_for("a.example.test").get() == nullptr);

  std::atomic<int> asked{0};
  OnDemandPolicy policy = allow_all(seconds(5));
  policy.allow = [&asked](std::string_view name) {
    ++asked;
    return name != "refused.example.test";
  };
  OnDemandIssuer issuer(policy, issuance.function(), nullptr, Logger(log.sink()));
  CHECK(issuer.certificate_for("refused.example.test").get() == nullptr);
  CHECK(asked == 1);
  // Junk is refused before the policy is asked.
  for (const char* junk : {"", "bad_name.test", "a..b.test", "-x.test", "*.example.test",
                           "\xff\xfe.test", "x.test\n"}) {
    CAPTURE(junk);
    CHECK(issuer.certificate_for(junk).get() == nullptr);
  }
  CHECK(asked == 1);
  CHECK(issuance.count() == 0);
  CHECK(issuer.issuances_started() == 0);
}

TEST_CASE("on-demand: an allowed name is issued once and handed to the waiting handshake") {
  FakeIssuance issuance;
  LogLines log;
  std::string asked_with;
  OnDemandPolicy policy = allow_all(seconds(5));
  policy.allow = [&asked_with](std::string_view name) {
    asked_with = std::string(name);
    return true;
  };
  OnDemandIssuer issuer(policy, issuance.function(), nullptr, Logger(log.sink()));
  const auto certificate = issuer.certificate_for("New.Example.TEST.");
  REQUIRE(certificate.get() != nullptr);
  CHECK(certificate->names == std::vector<std::string>{"new.example.test"});
  CHECK(asked_with == "new.example.test");  // the policy sees the normalised name
  CHECK(issuance.calls == std::vector<std::string>{"new.example.test"});
}

TEST_CASE("on-demand: names looked after elsewhere are left alone") {
  FakeIssuance issuance;
  LogLines log;
  OnDemandIssuer issuer(
      allow_all(seconds(5)), issuance.function(),
      [](const std::string& name) { return name == "managed.example.test"; }, Logger(log.sink()));
  CHECK(issuer.certificate_for("managed.example.test").get() == nullptr);
  CHECK(issuance.count() == 0);
}

TEST_CASE("on-demand: 50 handshakes asking for one name start one issuance and share it") {
  FakeIssuance issuance;
  issuance.close_gate();
  LogLines log;
  OnDemandIssuer issuer(allow_all(seconds(20)), issuance.function(), nullptr, Logger(log.sink()));
  std::vector<std::shared_ptr<const ServingCertificate>> results(50);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = issuer.certificate_for("shared.example.test"); });
  }
  REQUIRE(issuance.wait_for_calls(1));
  std::this_thread::sleep_for(milliseconds(200));  // let the others join the pending issuance
  issuance.open_gate();
  for (auto& thread : threads) thread.join();
  CHECK(issuance.count() == 1);
  CHECK(issuer.issuances_started() == 1);
  REQUIRE(results[0].get() != nullptr);
  for (const auto& result : results) CHECK(result.get() == results[0].get());
}

TEST_CASE("on-demand: beyond max_pending names are refused, and logged once per name") {
  FakeIssuance issuance;
  issuance.close_gate();
  LogLines log;
  OnDemandPolicy policy = allow_all(milliseconds(0));
  policy.max_pending = 2;
  OnDemandIssuer issuer(policy, issuance.function(), nullptr, Logger(log.sink()));
  CHECK(issuer.certificate_for("a.example.test").get() == nullptr);  // started, not waited for
  CHECK(issuer.certificate_for("b.example.test").get() == nullptr);
  CHECK(issuer.certificate_for("c.example.test").get() == nullptr);
  CHECK(issuer.certificate_for("c.example.test").get() == nullptr);
  REQUIRE(issuance.wait_for_calls(2));
  CHECK(issuer.issuances_started() == 2);
  CHECK(issuer.refusals_over_limit() == 2);
  CHECK(log.containing("c.example.test refused") == 1);
  issuance.open_gate();
  // Once the two are done, c gets its turn.
  const auto deadline = SteadyClock::now() + seconds(10);
  while (issuer.issuances_started() < 3 && SteadyClock::now() < deadline) {
    issuer.certificate_for("c.example.test");
    std::this_thread::sleep_for(milliseconds(10));
  }
  CHECK(issuer.issuances_started() == 3);
}

TEST_CASE("on-demand: the token bucket bounds new issuances, a refill lets one more through") {
  FakeIssuance issuance;
  LogLines log;
  ManualClock clock;
  OnDemandPolicy policy = allow_all(seconds(5));
  policy.burst = 2;
  policy.refill_interval = seconds(10);
  OnDemandIssuer issuer(policy, issuance.function(), nullptr, Logger(log.sink()), clock.function());
  CHECK(issuer.certificate_for("one.example.test").get() != nullptr);
  CHECK(issuer.certificate_for("two.example.test").get() != nullptr);
  const auto before = SteadyClock::now();
  CHECK(issuer.certificate_for("three.example.test").get() == nullptr);
  CHECK(issuer.certificate_for("three.example.test").get() == nullptr);
  // A refusal does not wait for anything.
  CHECK(SteadyClock::now() - before < seconds(1));
  CHECK(log.containing("three.example.test refused: too many new orders") == 1);
  CHECK(issuance.count() == 2);
  clock.advance(seconds(10));
  CHECK(issuer.certificate_for("three.example.test").get() != nullptr);
  CHECK(issuer.certificate_for("four.example.test").get() == nullptr);
  CHECK(issuance.count() == 3);
}

TEST_CASE("on-demand: a failed issuance backs the name off (1 min), then it is tried again") {
  FakeIssuance issuance;
  LogLines log;
  ManualClock clock;
  OnDemandIssuer issuer(allow_all(seconds(5)), issuance.function(), nullptr, Logger(log.sink()),
                        clock.function());
  CHECK(issuer.certificate_for("fail.example.test").get() == nullptr);
  CHECK(issuance.count() == 1);
  CHECK(log.containing("on-demand issuance for fail.example.test failed: no such luck") == 1);
  CHECK(issuer.certificate_for("fail.example.test").get() == nullptr);
  CHECK(issuance.count() == 1);  // backing off: not tried, no token spent
  clock.advance(seconds(59));
  CHECK(issuer.certificate_for("fail.example.test").get() == nullptr);
  CHECK(issuance.count() == 1);
  clock.advance(seconds(1));
  CHECK(issuer.certificate_for("fail.example.test").get() == nullptr);
  CHECK(issuance.count() == 2);
}

TEST_CASE("on-demand: a refusal with the CA's Retry-After backs the name off until then") {
  FakeIssuance issuance;
  LogLines log;
  ManualClock clock;
  OnDemandIssuer issuer(allow_all(seconds(5)), issuance.function(), nullptr, Logger(log.sink()),
                        clock.function());
  CHECK(issuer.certificate_for("limited.example.test").get() == nullptr);
  CHECK(issuance.count() == 1);
  clock.advance(seconds(60));  // the backoff's own first step: not enough, the CA said 10 min
  CHECK(issuer.certificate_for("limited.example.test").get() == nullptr);
  CHECK(issuance.count() == 1);
  clock.advance(std::chrono::minutes(9));
  CHECK(issuer.certificate_for("limited.example.test").get() == nullptr);
  CHECK(issuance.count() == 2);
}

TEST_CASE("on-demand: close() drops queued issuances, finishes running ones, open() resumes") {
  FakeIssuance issuance;
  issuance.close_gate();
  LogLines log;
  OnDemandIssuer issuer(allow_all(milliseconds(0)), issuance.function(), nullptr,
                        Logger(log.sink()));
  for (int i = 0; i < 6; ++i) issuer.certificate_for("n" + std::to_string(i) + ".example.test");
  REQUIRE(issuance.wait_for_calls(4));  // four pool threads are busy, two names queued
  std::thread closing([&] { issuer.close(); });
  std::this_thread::sleep_for(milliseconds(200));
  issuance.open_gate();
  closing.join();
  CHECK(issuance.count() == 4);
  CHECK(issuer.certificate_for("late.example.test").get() == nullptr);
  CHECK(issuance.count() == 4);
  issuer.open();
  issuer.certificate_for("late.example.test");  // wait 0: started, perhaps not yet done
  REQUIRE(issuance.wait_for_calls(5));
  std::lock_guard<std::mutex> lock(issuance.mutex);
  CHECK(issuance.calls.back() == "late.example.test");
}

namespace {

/// Counts the calls of the ready functions it hands out, and when they happened.
struct ReadyCalls {
  std::atomic<int> calls{0};
  std::function<void()> function() {
    return [this] { ++calls; };
  }
  bool eventually(int n, milliseconds within) {
    const auto deadline = SteadyClock::now() + within;
    while (calls.load() < n) {
      if (SteadyClock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return true;
  }
};

}  // namespace

TEST_CASE("on-demand async: pending while issuing, every waiter told once when it ends") {
  FakeIssuance issuance;
  issuance.close_gate();
  OnDemandIssuer issuer(allow_all(seconds(30)), issuance.function(), nullptr, Logger(nullptr));
  ReadyCalls ready;
  const auto first = issuer.certificate_async("a.example.test", ready.function());
  CHECK(first.pending);
  CHECK(first.certificate.get() == nullptr);
  const auto second = issuer.certificate_async("A.example.test.", ready.function());
  CHECK(second.pending);  // joins the same issuance
  REQUIRE(issuance.wait_for_calls(1));
  CHECK(ready.calls == 0);
  issuance.open_gate();
  CHECK(ready.eventually(2, milliseconds(5000)));
  std::this_thread::sleep_for(milliseconds(50));
  CHECK(ready.calls == 2);  // once each
  CHECK(issuance.count() == 1);
  // Refused names are neither pending nor told.
  OnDemandIssuer refusing(OnDemandPolicy{}, issuance.function(), nullptr, Logger(nullptr));
  const auto refused = refusing.certificate_async("b.example.test", ready.function());
  CHECK_FALSE(refused.pending);
  CHECK(refused.certificate.get() == nullptr);
}

TEST_CASE("on-demand async: a waiter is told when the wait is over, and at close()") {
  FakeIssuance issuance;
  issuance.close_gate();
  OnDemandIssuer issuer(allow_all(milliseconds(300)), issuance.function(), nullptr,
                        Logger(nullptr));
  ReadyCalls ready;
  const auto started = SteadyClock::now();
  REQUIRE(issuer.certificate_async("slow.example.test", ready.function()).pending);
  REQUIRE(ready.eventually(1, milliseconds(5000)));
  const auto waited = SteadyClock::now() - started;
  CHECK(waited >= milliseconds(290));
  CHECK(waited < milliseconds(3000));
  CHECK(issuance.count() == 1);  // still issuing: the waiter was let go, the issuance goes on

  // A new waiter for the issuance still under way, then close(): told at once.
  ReadyCalls at_close;
  OnDemandIssuer long_wait(allow_all(seconds(60)), issuance.function(), nullptr, Logger(nullptr));
  REQUIRE(long_wait.certificate_async("held.example.test", at_close.function()).pending);
  REQUIRE(issuance.wait_for_calls(2));
  std::thread closing([&] { long_wait.close(); });
  CHECK(at_close.eventually(1, milliseconds(5000)));  // before the running issuance ends
  issuance.open_gate();
  closing.join();
  CHECK(at_close.calls == 1);
  // Closed: nothing is pending any more.
  CHECK_FALSE(long_wait.certificate_async("other.example.test", at_close.function()).pending);
}

TEST_CASE("on-demand async: with wait zero the issuance starts but nothing waits") {
  FakeIssuance issuance;
  OnDemandIssuer issuer(allow_all(milliseconds(0)), issuance.function(), nullptr, Logger(nullptr));
  ReadyCalls ready;
  const auto answer = issuer.certificate_async("zero.example.test", ready.function());
  CHECK_FALSE(answer.pending);
  REQUIRE(issuance.wait_for_calls(1));
  // Once issued, the answer carries the certificate (the manager's cache would have it first).
  const auto later = [&] {
    return issuer.certificate_async("zero.example.test", ready.function());
  };
  std::this_thread::sleep_for(milliseconds(100));
  CHECK_FALSE(later().pending);
  CHECK(ready.calls == 0);
}

TEST_CASE("on-demand async: a ready function that throws is logged, the others still run") {
  FakeIssuance issuance;
  issuance.close_gate();
  LogLines log;
  OnDemandIssuer issuer(allow_all(seconds(30)), issuance.function(), nullptr, Logger(log.sink()));
  ReadyCalls ready;
  REQUIRE(
      issuer.certificate_async("t.example.test", [] { throw std::runtime_error("boom"); }).pending);
  REQUIRE(issuer.certificate_async("t.example.test", ready.function()).pending);
  issuance.open_gate();
  CHECK(ready.eventually(1, milliseconds(5000)));
  CHECK(log.containing("ready callback failed: boom") == 1);
}
