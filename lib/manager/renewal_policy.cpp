// SPDX-License-Identifier: Apache-2.0
#include "manager/renewal_policy.hpp"

#include <algorithm>
#include <cstdio>

#include "acmecpp/error.hpp"
#include "core/rfc3339.hpp"

namespace acmecpp {
namespace {

using days = std::chrono::duration<long long, std::ratio<86400>>;  // std::chrono::days is C++20
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

// Below this lifetime half of it is kept as margin: a third of six days would leave two days,
// too little for a failed attempt, its backoff and a second try.
constexpr auto kShortLifetime = days(10);

struct Target {
  TimePoint at;
  std::string reason;
};

Target ari_target(const RenewalState& state) {
  const TimePoint at = state.ari_selected_time.value_or(*state.ari_window_start);
  return {at, "ARI window " + core::format_rfc3339(*state.ari_window_start) + " to " +
                  core::format_rfc3339(*state.ari_window_end) + ", renewing at " +
                  core::format_rfc3339(at)};
}

Target expiry_target(TimePoint not_before, TimePoint not_after, int days_before) {
  const auto lifetime = std::chrono::duration_cast<seconds>(not_after - not_before);
  const seconds margin = renewal_margin(lifetime, days_before);
  const auto margin_days = double(margin.count()) / 86400.0;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", margin_days);
  return {not_after - margin,
          std::string(text) + " days before expiry (" + core::format_rfc3339(not_after) + ")"};
}

}  // namespace

seconds renewal_margin(seconds lifetime, int days_before) {
  if (days_before < 0 && days_before != kAutomaticRenewalDays) {
    throw Error(ErrorKind::invalid_input,
                "renewal days must not be negative, got " + std::to_string(days_before));
  }
  if (lifetime <= seconds(0)) return seconds(0);
  // Given days are taken as they are; more than the lifetime is as good as all of it.
  if (days_before >= 0) return std::min<seconds>(days(days_before), lifetime);
  const seconds share = lifetime < kShortLifetime ? lifetime / 2 : lifetime / 3;
  return std::min<seconds>(days(kDefaultRenewalDays), share);
}

seconds failure_backoff(int failures) {
  switch (failures) {
    case 0:
      return seconds(0);
    case 1:
      return minutes(1);
    case 2:
      return minutes(10);
    case 3:
      return minutes(100);
    default:
      return failures < 0 ? seconds(0) : hours(24);
  }
}

RenewalDecision decide_renewal(TimePoint not_before, TimePoint not_after, const RenewalState& state,
                               TimePoint now, int days_before) {
  const bool has_window = state.ari_window_start && state.ari_window_end;
  Target target =
      has_window ? ari_target(state) : expiry_target(not_before, not_after, days_before);
  if (now >= not_after && target.at > not_after) {
    target = {not_after, "expired " + core::format_rfc3339(not_after)};
  }
  RenewalDecision decision{now >= target.at, target.at, target.reason};
  if (!decision.due) return decision;
  if (state.failed_attempts > 0 && state.last_failure) {
    const TimePoint retry_at = *state.last_failure + failure_backoff(state.failed_attempts);
    if (now < retry_at) {
      decision = {false, retry_at,
                  "backing off after " + std::to_string(state.failed_attempts) +
                      " failed attempt(s) until " + core::format_rfc3339(retry_at) +
                      "; due: " + target.reason};
    }
  }
  // The CA's own word (Retry-After of a rate limit) wins over the schedule when it is later.
  if (state.retry_not_before && now < *state.retry_not_before &&
      (decision.due || decision.renew_at < *state.retry_not_before)) {
    decision = {false, *state.retry_not_before,
                "the CA asked to wait until " + core::format_rfc3339(*state.retry_not_before) +
                    " (Retry-After); due: " + target.reason};
  }
  return decision;
}

namespace manager {

seconds ari_refresh_interval(std::optional<seconds> retry_after) {
  if (!retry_after) return hours(6);
  return std::clamp<seconds>(*retry_after, minutes(1), hours(24));
}

bool ari_is_stale(const RenewalState& state, const std::string& cert_id, TimePoint now) {
  if (state.ari_cert_id != cert_id || !state.ari_checked_at || !state.ari_window_start ||
      !state.ari_window_end) {
    return true;
  }
  return now >= *state.ari_checked_at + ari_refresh_interval(state.ari_retry_after);
}

TimePoint pick_time_in_window(TimePoint start, TimePoint end, std::mt19937_64& random) {
  const auto span = std::chrono::duration_cast<seconds>(end - start).count();
  if (span <= 0) return start;
  std::uniform_int_distribution<long long> offset(0, span);
  return std::chrono::time_point_cast<seconds>(start) + seconds(offset(random));
}

RenewalState with_renewal_info(RenewalState state, const std::string& cert_id,
                               const acme::RenewalInfo& info, TimePoint now,
                               std::mt19937_64& random) {
  const bool same_window = state.ari_cert_id == cert_id && state.ari_selected_time &&
                           state.ari_window_start == info.window_start &&
                           state.ari_window_end == info.window_end;
  state.ari_cert_id = cert_id;
  state.ari_window_start = info.window_start;
  state.ari_window_end = info.window_end;
  if (!same_window) {
    state.ari_selected_time = pick_time_in_window(info.window_start, info.window_end, random);
  }
  state.ari_checked_at = now;
  state.ari_retry_after = info.retry_after;
  state.ari_explanation_url = info.explanation_url.value_or("");
  return state;
}

RenewalState without_ari(RenewalState state) {
  state.ari_cert_id.clear();
  state.ari_window_start.reset();
  state.ari_window_end.reset();
  state.ari_selected_time.reset();
  state.ari_checked_at.reset();
  state.ari_retry_after.reset();
  state.ari_explanation_url.clear();
  return state;
}

}  // namespace manager
}  // namespace acmecpp
