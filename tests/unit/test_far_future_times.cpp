// SPDX-License-Identifier: Apache-2.0
// Times beyond what std::chrono::system_clock holds (signed 64-bit nanoseconds: it ends in
// 2262): a certificate valid until 9999-12-31 (RFC 5280's "no well-defined expiration"), ARI
// windows, Retry-After dates, RFC 3339 strings and acme.json's renewal state naming such times.
// They are read as 2262-01-01T00:00:00Z (core/system_time.hpp), never wrapped into the past.

#include <doctest/doctest.h>

#include <climits>
#include <random>

#include "acme/http_headers.hpp"
#include "acme/resources.hpp"
#include "acmecpp/certificate.hpp"
#include "acmecpp/renewal.hpp"
#include "acmecpp/store.hpp"
#include "core/rfc3339.hpp"
#include "core/system_time.hpp"
#include "crypto/self_signed.hpp"
#include "key_fixtures.hpp"
#include "manager/renewal_policy.hpp"
#include "support/store_test_files.hpp"

using namespace acmecpp;
using acmecpp::test::shared_key;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {

const system_clock::time_point kLatest = system_clock::time_point(seconds(9214646400));

std::string certificate_without_expiration() {
  crypto::CertificateOptions options;
  options.dns_names = {"forever.example.test"};
  options.not_before = system_clock::now() - hours(1);
  options.no_expiration = true;
  return crypto::make_certificate_pem(shared_key(KeyType::ec256), options);
}

}  // namespace

TEST_CASE("the latest time is 2262-01-01 and leaves room before system_clock's end") {
  CHECK(core::latest_time() == kLatest);
  CHECK(core::format_rfc3339(kLatest) == "2262-01-01T00:00:00Z");
  CHECK(system_clock::time_point::max() - kLatest > hours(24 * 100));
  CHECK(core::time_from_unix_seconds(LLONG_MAX) == kLatest);
  CHECK(core::time_from_unix_seconds(LLONG_MIN) == system_clock::time_point{});
  CHECK(core::time_from_unix_seconds(1735790400) == system_clock::time_point(seconds(1735790400)));
}

TEST_CASE("RFC 3339 times after 2262 read as 2262-01-01, before 1970 as 1970-01-01") {
  CHECK(core::parse_rfc3339("9999-12-31T23:59:59Z") == kLatest);
  CHECK(core::parse_rfc3339("2262-04-12T00:00:00Z") == kLatest);
  CHECK(core::parse_rfc3339("2261-12-31T23:59:59Z") == kLatest - seconds(1));
  CHECK(core::parse_rfc3339("0000-01-01T00:00:00Z") == system_clock::time_point{});
  CHECK(core::parse_rfc3339("1969-12-31T23:59:59Z") == system_clock::time_point{});
}

TEST_CASE(
    "a certificate valid until 9999-12-31 expires, for the library, in 2262, and is not due") {
  const std::string pem = certificate_without_expiration();
  const CertificateInfo info = parse_certificate(pem);
  CHECK(info.not_after == kLatest);
  CHECK(info.not_after > system_clock::now());
  const auto now = system_clock::now();
  const RenewalDecision decision = decide_renewal(info.not_before, info.not_after, {}, now);
  CHECK_FALSE(decision.due);
  CHECK(decision.renew_at > now + hours(24 * 365 * 200));
  // Even with failures recorded, the backoff arithmetic on top of it does not wrap.
  RenewalState failing;
  failing.failed_attempts = 5;
  failing.last_failure = kLatest;
  CHECK_FALSE(decide_renewal(info.not_before, info.not_after, failing, now).due);
}

TEST_CASE("an ARI window beyond 2262 holds renewal back instead of wrapping into the past") {
  const auto info = acme::parse_renewal_info(nlohmann::json::parse(R"({
    "suggestedWindow": {"start": "9998-01-01T00:00:00Z", "end": "9999-01-01T00:00:00Z"}})"),
                                             "renewal information");
  CHECK(info.window_start == kLatest);
  CHECK(info.window_end == kLatest);
  const auto now = system_clock::now();
  std::mt19937_64 random(7);
  const RenewalState state = manager::with_renewal_info({}, "id", info, now, random);
  CHECK(state.ari_selected_time == kLatest);
  CHECK_FALSE(decide_renewal(now - hours(24), now + hours(24 * 60), state, now).due);

  // From now to 9999: a moment is picked inside the representable part.
  const auto wide = acme::parse_renewal_info(
      nlohmann::json::parse(R"({"suggestedWindow": {"start": ")" + core::format_rfc3339(now) +
                            R"(", "end": "9999-12-31T23:59:59Z"}})"),
      "renewal information");
  const auto picked = manager::pick_time_in_window(wide.window_start, wide.window_end, random);
  CHECK(picked >= wide.window_start - seconds(1));
  CHECK(picked <= kLatest);
}

TEST_CASE("a Retry-After date beyond 2262 asks for the longest wait, not zero seconds") {
  const auto now = system_clock::now();
  CHECK(acme::parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) == seconds(999999999));
  CHECK(acme::parse_retry_after("Sat, 01 Jan 2261 00:00:00 GMT", now) == seconds(999999999));
  CHECK(acme::parse_retry_after("99999999999999999999", now) == seconds(999999999));
  // Added to the present, as the client does: no overflow (UBSan would say so).
  CHECK(now + *acme::parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) > now);
}

TEST_CASE("acme.json renewal state with far-future times and huge numbers is read clamped") {
  store_test::TempDir dir;
  const std::string path = dir.file("acme.json");
  store_test::write_file(path, R"({"le": {"Account": null, "Certificates": [{
    "domain": {"main": "far.example.test"}, "certificate": "eA==", "key": "eQ==",
    "acmecpp": {
      "ari": {"certID": "id", "windowStart": "9999-01-01T00:00:00Z",
              "windowEnd": "9999-12-31T23:59:59Z", "checkedAt": "9999-12-31T23:59:59Z",
              "retryAfterSeconds": 18446744073709551615},
      "failures": {"count": 99999999999, "last": "9999-12-31T23:59:59Z"}}}]}})");
  const auto records = AcmeJsonStore(path).certificates("le");
  REQUIRE(records.size() == 1);
  const RenewalState& state = records[0].renewal;
  CHECK(state.ari_window_start == kLatest);
  CHECK(state.ari_window_end == kLatest);
  CHECK(state.ari_checked_at == kLatest);
  CHECK(state.ari_retry_after == seconds(999999999));
  CHECK(state.failed_attempts == INT_MAX);
  CHECK(state.last_failure == kLatest);
  const auto now = system_clock::now();
  CHECK_FALSE(manager::ari_is_stale(state, "id", now));
  CHECK_FALSE(decide_renewal(now - hours(24), now + hours(24 * 60), state, now).due);
}
