// acmectl run's backoff for certificates it has never obtained (cli/obtain_backoff.hpp, a
// header-only part of the CLI so that its schedule can be checked here).

#include <doctest/doctest.h>

#include "../../cli/obtain_backoff.hpp"

using acmectl::ObtainBackoff;
using namespace std::chrono_literals;

namespace {
const ObtainBackoff::Clock::time_point kStart{std::chrono::hours(1000)};
}

TEST_CASE("a failing issuance is retried after 1 min, 10 min, 100 min, then daily") {
  ObtainBackoff backoff;
  const std::string key = "letsencrypt a.example.test";
  CHECK(backoff.may_try(key, kStart));
  CHECK_FALSE(backoff.next_try(key).has_value());

  auto now = kStart;
  const std::chrono::seconds expected[] = {1min, 10min, 100min, 24h, 24h, 24h};
  for (const auto delay : expected) {
    const auto next = backoff.failed(key, now);
    CHECK(next - now == delay);
    CHECK(backoff.next_try(key) == next);
    CHECK_FALSE(backoff.may_try(key, now));
    CHECK_FALSE(backoff.may_try(key, next - 1s));
    CHECK(backoff.may_try(key, next));
    now = next;
  }
}

TEST_CASE("a success forgets the failures, other certificates are not held back") {
  ObtainBackoff backoff;
  backoff.failed("r a.test", kStart);
  backoff.failed("r a.test", kStart + 1min);
  CHECK(backoff.may_try("r b.test", kStart));
  backoff.succeeded("r a.test");
  CHECK(backoff.may_try("r a.test", kStart + 1min));
  CHECK(backoff.failed("r a.test", kStart + 2min) == kStart + 3min);  // back to the first step
}

TEST_CASE("earliest_next_try is the soonest retry, retain_only drops unconfigured names") {
  ObtainBackoff backoff;
  CHECK_FALSE(backoff.earliest_next_try().has_value());
  backoff.failed("r a.test", kStart);  // next: +1 min
  backoff.failed("r b.test", kStart);
  backoff.failed("r b.test", kStart);  // next: +10 min
  CHECK(backoff.earliest_next_try() == kStart + 1min);
  backoff.retain_only({"r b.test"});
  CHECK(backoff.earliest_next_try() == kStart + 10min);
  CHECK(backoff.may_try("r a.test", kStart));
  backoff.retain_only({});
  CHECK_FALSE(backoff.earliest_next_try().has_value());
}
