// SPDX-License-Identifier: Apache-2.0
// The renewal policy as pure functions of validity, recorded state and an injected "now".

#include <doctest/doctest.h>

#include "acmecpp/error.hpp"
#include "acmecpp/renewal.hpp"
#include "manager/order_options.hpp"
#include "manager/renewal_policy.hpp"

using namespace acmecpp;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

namespace {

constexpr auto kDay = hours(24);
const TimePoint kIssued = TimePoint(seconds(1735689600));  // 2025-01-01T00:00:00Z

/// Whether a certificate of `lifetime_days` is due when `days_left` remain.
bool due_with(int lifetime_days, double days_left, RenewalState state = {}) {
  const TimePoint not_after = kIssued + kDay * lifetime_days;
  const TimePoint now =
      not_after - std::chrono::duration_cast<TimePoint::duration>(kDay * days_left);
  return decide_renewal(kIssued, not_after, state, now).due;
}

RenewalState with_window(TimePoint start, TimePoint end) {
  RenewalState state;
  state.ari_cert_id = "id";
  state.ari_window_start = start;
  state.ari_window_end = end;
  return state;
}

}  // namespace

TEST_CASE("a 90-day certificate is due with fewer than 30 days left") {
  CHECK(due_with(90, 29));
  CHECK(due_with(90, 29.9));
  CHECK_FALSE(due_with(90, 31));
  CHECK_FALSE(due_with(90, 60));
  CHECK(due_with(90, 0));
}

TEST_CASE("short lifetimes keep a third (half below 10 days) of their lifetime as margin") {
  // 45 days: a third is 15 days (30 would renew after a third of the lifetime).
  CHECK(due_with(45, 14.9));
  CHECK_FALSE(due_with(45, 15.1));
  CHECK_FALSE(due_with(45, 29));
  // 6 days: half is 3 days.
  CHECK(due_with(6, 2.9));
  CHECK_FALSE(due_with(6, 3.1));
  // A year: 30 days, the configured ceiling.
  CHECK(due_with(365, 29));
  CHECK_FALSE(due_with(365, 31));
}

TEST_CASE("renewal_margin: the default rule takes a share of short lifetimes, given days win") {
  CHECK(renewal_margin(kDay * 90) == kDay * 30);
  CHECK(renewal_margin(kDay * 90, 10) == kDay * 10);
  CHECK(renewal_margin(kDay * 45) == kDay * 15);
  CHECK(renewal_margin(kDay * 6) == kDay * 3);
  CHECK(renewal_margin(kDay * 6, 1) == kDay * 1);
  CHECK(renewal_margin(seconds(0)) == seconds(0));
  CHECK_THROWS_AS(renewal_margin(kDay * 90, -1), Error);
  // Given days are what they say (issue 13): 45 on a 90-day certificate is 45, not 30, and
  // 2000 on a five-year one is 2000, not a third of it (608).
  CHECK(renewal_margin(kDay * 90, 45) == kDay * 45);
  CHECK(renewal_margin(kDay * 1826, 2000) == kDay * 1826);  // all of it: always due
  CHECK(renewal_margin(kDay * 3000, 2000) == kDay * 2000);
  CHECK(renewal_margin(kDay * 90, 30) == kDay * 30);
  CHECK(renewal_margin(kDay * 6, 30) == kDay * 6);
  CHECK(renewal_margin(kDay * 90, std::numeric_limits<int>::max()) == kDay * 90);
}

TEST_CASE("an ARI window wins over the expiry margin") {
  const TimePoint not_after = kIssued + kDay * 90;
  const TimePoint now = kIssued + kDay * 10;  // 80 days left: not due by the margin
  auto past = with_window(now - kDay, now - hours(1));
  auto decision = decide_renewal(kIssued, not_after, past, now);
  CHECK(decision.due);
  CHECK(decision.reason.find("ARI window") != std::string::npos);

  // A future window holds renewal back even when the margin says due.
  const TimePoint late = not_after - kDay * 5;
  auto future = with_window(late + kDay, late + kDay * 2);
  decision = decide_renewal(kIssued, not_after, future, late);
  CHECK_FALSE(decision.due);
  CHECK(decision.renew_at == late + kDay);  // no moment chosen yet: the window's start

  // The chosen moment inside the window decides.
  future.ari_selected_time = late + hours(30);
  CHECK_FALSE(decide_renewal(kIssued, not_after, future, late + hours(30) - seconds(1)).due);
  CHECK(decide_renewal(kIssued, not_after, future, late + hours(30)).due);
}

TEST_CASE("an expired certificate is due whatever the window says") {
  const TimePoint not_after = kIssued + kDay * 90;
  const auto future = with_window(not_after + kDay, not_after + kDay * 2);
  const auto decision = decide_renewal(kIssued, not_after, future, not_after + seconds(1));
  CHECK(decision.due);
  CHECK(decision.reason.find("expired") != std::string::npos);
}

TEST_CASE("failure backoff: 1 min, 10 min, 100 min, then daily") {
  CHECK(failure_backoff(0) == seconds(0));
  CHECK(failure_backoff(1) == minutes(1));
  CHECK(failure_backoff(2) == minutes(10));
  CHECK(failure_backoff(3) == minutes(100));
  CHECK(failure_backoff(4) == hours(24));
  CHECK(failure_backoff(40) == hours(24));
  CHECK(failure_backoff(-1) == seconds(0));
}

TEST_CASE("after failures a due certificate waits for the backoff") {
  const TimePoint not_after = kIssued + kDay * 90;
  const TimePoint failed_at = not_after - kDay * 10;
  RenewalState state;
  state.failed_attempts = 2;
  state.last_failure = failed_at;
  auto decision = decide_renewal(kIssued, not_after, state, failed_at + minutes(9));
  CHECK_FALSE(decision.due);
  CHECK(decision.renew_at == failed_at + minutes(10));
  CHECK(decision.reason.find("backing off after 2") != std::string::npos);
  CHECK(decide_renewal(kIssued, not_after, state, failed_at + minutes(10)).due);
  // Failures do not make a certificate due that is not.
  CHECK_FALSE(decide_renewal(kIssued, not_after, state, kIssued + kDay).due);
}

TEST_CASE("ARI goes stale after Retry-After, bounded to between a minute and a day") {
  using manager::ari_is_stale;
  using manager::ari_refresh_interval;
  CHECK(ari_refresh_interval(std::nullopt) == hours(6));
  CHECK(ari_refresh_interval(seconds(5)) == minutes(1));
  CHECK(ari_refresh_interval(hours(2)) == hours(2));
  CHECK(ari_refresh_interval(hours(200)) == hours(24));

  const TimePoint checked = kIssued;
  auto state = with_window(kIssued + kDay * 60, kIssued + kDay * 62);
  state.ari_checked_at = checked;
  state.ari_retry_after = hours(2);
  CHECK_FALSE(ari_is_stale(state, "id", checked + hours(2) - seconds(1)));
  CHECK(ari_is_stale(state, "id", checked + hours(2)));
  CHECK(ari_is_stale(state, "another certificate", checked));
  CHECK(ari_is_stale(RenewalState{}, "id", checked));
}

TEST_CASE("the moment in the window is kept while the window stays, drawn again when it moves") {
  std::mt19937_64 random(42);
  acme::RenewalInfo info;
  info.window_start = kIssued + kDay * 60;
  info.window_end = kIssued + kDay * 62;
  info.retry_after = hours(3);
  auto state = manager::with_renewal_info({}, "id", info, kIssued, random);
  REQUIRE(state.ari_selected_time.has_value());
  CHECK(*state.ari_selected_time >= info.window_start);
  CHECK(*state.ari_selected_time <= info.window_end);
  CHECK(state.ari_retry_after == hours(3));
  CHECK(state.ari_checked_at == kIssued);

  const auto again = manager::with_renewal_info(state, "id", info, kIssued + hours(4), random);
  CHECK(again.ari_selected_time == state.ari_selected_time);
  CHECK(again.ari_checked_at == kIssued + hours(4));

  info.window_start += kDay * 10;
  info.window_end += kDay * 10;
  const auto moved = manager::with_renewal_info(again, "id", info, kIssued + hours(8), random);
  CHECK(*moved.ari_selected_time >= info.window_start);
  CHECK(*moved.ari_selected_time <= info.window_end);
  CHECK(manager::without_ari(moved).ari_cert_id.empty());
  CHECK_FALSE(manager::without_ari(moved).ari_window_start.has_value());
}

TEST_CASE("picked moments spread over the whole window") {
  std::mt19937_64 random(7);
  const TimePoint start = kIssued;
  const TimePoint end = kIssued + hours(10);
  int early = 0, late = 0;
  for (int i = 0; i < 200; ++i) {
    const auto t = manager::pick_time_in_window(start, end, random);
    REQUIRE(t >= start);
    REQUIRE(t <= end);
    (t < start + hours(5) ? early : late)++;
  }
  CHECK(early > 50);
  CHECK(late > 50);
  CHECK(manager::pick_time_in_window(end, start, random) == end);
}

TEST_CASE("a profile is sent only when the directory offers it") {
  acme::Directory directory;
  CHECK_FALSE(manager::order_options_for(directory, "").profile.has_value());
  CHECK_THROWS_WITH_AS(manager::order_options_for(directory, "shortlived"),
                       doctest::Contains("offers no profiles"), Error);
  directory.profiles = {"classic", "tlsserver"};
  CHECK(manager::order_options_for(directory, "tlsserver").profile == "tlsserver");
  CHECK_THROWS_WITH_AS(manager::order_options_for(directory, "shortlived"),
                       doctest::Contains("\"shortlived\"; it offers: classic, tlsserver"), Error);
}
