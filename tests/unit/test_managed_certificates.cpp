// SPDX-License-Identifier: Apache-2.0
// The bookkeeping of managed certificates and the backoff schedule of failed attempts to obtain
// one (1 min, 10 min, 100 min, then daily), with explicit times.

#include <doctest/doctest.h>

#include "acmecpp/error.hpp"
#include "manager/attempt_backoff.hpp"
#include "manager/certificate_upkeep.hpp"
#include "manager/managed_certificates.hpp"

using namespace acmecpp;
using namespace acmecpp::manager;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {
const SteadyClock::time_point kT0{hours(1000)};
}  // namespace

TEST_CASE("backoff schedule: 1 min, 10 min, 100 min, then a day per failure") {
  AttemptBackoff backoff;
  CHECK(backoff.allows(kT0));
  CHECK_FALSE(backoff.retry_at().has_value());

  const std::vector<std::chrono::seconds> expected{minutes(1), minutes(10), minutes(100), hours(24),
                                                   hours(24)};
  auto failed_at = kT0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    backoff.record_failure(failed_at);
    CHECK(backoff.failures() == static_cast<int>(i) + 1);
    REQUIRE(backoff.retry_at().has_value());
    CHECK(*backoff.retry_at() == failed_at + expected[i]);
    CHECK_FALSE(backoff.allows(failed_at + expected[i] - seconds(1)));
    CHECK(backoff.allows(failed_at + expected[i]));
    failed_at += expected[i];
  }
  backoff.record_success();
  CHECK(backoff.failures() == 0);
  CHECK(backoff.allows(failed_at));
}

TEST_CASE("managed set: names normalised, one entry per main name, replaced by a second call") {
  ManagedCertificates managed;
  CHECK(managed.manage({"Example.TEST", "www.example.test", "example.test."}) ==
        std::vector<std::string>{"example.test", "www.example.test"});
  managed.manage({"other.test"});
  CHECK(managed.size() == 2);
  CHECK(managed.names("www.example.test"));
  CHECK_FALSE(managed.names("api.example.test"));

  managed.manage({"example.test", "api.example.test"});
  const auto entries = managed.entries();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].names() == std::vector<std::string>{"example.test", "api.example.test"});
  CHECK(entries[1].main() == "other.test");
  CHECK(managed.names("api.example.test"));
  CHECK_FALSE(managed.names("www.example.test"));
}

TEST_CASE("managed set: a name in two entries stays known until neither names it") {
  ManagedCertificates managed;
  managed.manage({"a.test", "shared.test"});
  managed.manage({"b.test", "shared.test"});
  managed.manage({"a.test"});
  CHECK(managed.names("shared.test"));
  managed.manage({"b.test", "other.test"});
  CHECK_FALSE(managed.names("shared.test"));
  CHECK(managed.names("other.test"));
  CHECK(managed.names("a.test"));
}

TEST_CASE("managed set: invalid names are refused and change nothing") {
  ManagedCertificates managed;
  managed.manage({"keep.test"});
  CHECK_THROWS_AS(managed.manage({"good.test", "bad_name.test"}), Error);
  CHECK_THROWS_AS(managed.manage(std::vector<std::string>{}), Error);
  try {
    managed.manage({"-bad.test"});
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(std::string(e.what()).find("-bad.test") != std::string::npos);
  }
  CHECK(managed.size() == 1);
}

TEST_CASE("managed set: failures back off the entry, new names start over") {
  ManagedCertificates managed;
  const auto names = managed.manage({"a.test", "b.test"});
  managed.record_failure(names, kT0);
  managed.record_failure(names, kT0);
  REQUIRE(managed.entries().size() == 1);
  CHECK(managed.entries()[0].backoff.failures() == 2);
  CHECK(*managed.entries()[0].backoff.retry_at() == kT0 + minutes(10));

  // The same names again keep the count; an attempt for names since replaced is not counted.
  managed.manage({"a.test", "b.test"});
  CHECK(managed.entries()[0].backoff.failures() == 2);
  managed.manage({"a.test", "c.test"});
  CHECK(managed.entries()[0].backoff.failures() == 0);
  managed.record_failure(names, kT0);
  CHECK(managed.entries()[0].backoff.failures() == 0);

  managed.record_failure({"a.test", "c.test"}, kT0);
  managed.record_success({"a.test", "c.test"});
  CHECK(managed.entries()[0].backoff.failures() == 0);
}
TEST_CASE("upkeep: the wait before the next pass") {
  using std::chrono::milliseconds;
  CHECK(next_pass_delay(hours(12), hours(24)) == hours(12));
  CHECK(next_pass_delay(hours(12), minutes(1)) == minutes(1));
  // Never under a second, even for a moment already past.
  CHECK(next_pass_delay(hours(12), milliseconds(-5000)) == seconds(1));
  CHECK(next_pass_delay(milliseconds(0), hours(1)) == seconds(1));
  // A regular check comes at a random moment of the interval's second half (spread 0 to 1), so
  // clients started together drift apart; one that falls due sooner is not spread.
  CHECK(next_pass_delay(hours(12), hours(24), 0.0) == hours(6));
  CHECK(next_pass_delay(hours(12), hours(24), 0.5) == hours(9));
  CHECK(next_pass_delay(hours(12), hours(12), 0.0) == hours(6));
  CHECK(next_pass_delay(hours(12), minutes(1), 0.0) == minutes(1));
}

TEST_CASE("upkeep: the stored certificate for a managed entry matches all its names") {
  CertificateRecord a;
  a.main = "a.test";
  a.sans = {"www.a.test"};
  CertificateRecord b;
  b.main = "B.test";
  const std::vector<CertificateRecord> stored{a, b};
  CHECK(stored_for(stored, {"a.test", "www.a.test"})->main == "a.test");
  CHECK(stored_for(stored, {"a.test", "www.a.test", "a.test"})->main == "a.test");
  CHECK_FALSE(stored_for(stored, {"a.test"}).has_value());  // names changed: obtain anew
  CHECK_FALSE(stored_for(stored, {"www.a.test", "a.test"}).has_value());  // another main name
  CHECK(stored_for(stored, {"b.test"})->main == "B.test");
}
