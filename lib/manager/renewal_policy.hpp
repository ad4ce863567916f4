// SPDX-License-Identifier: Apache-2.0
#pragma once
// The ARI half of the renewal policy (RFC 9773 section 4.2): when stored renewal information is
// stale, and the random moment inside a window. decide_renewal() is in acmecpp/renewal.hpp.

#include <chrono>
#include <optional>
#include <random>
#include <string>

#include "acmecpp/acme_client.hpp"
#include "acmecpp/renewal.hpp"

namespace acmecpp::manager {

using TimePoint = std::chrono::system_clock::time_point;

/// How long ARI stays fresh: the server's Retry-After clamped to between one minute and one day
/// (RFC 9773 section 4.3 lets clients bound it so), six hours when the server sent none.
std::chrono::seconds ari_refresh_interval(std::optional<std::chrono::seconds> retry_after);

/// True when `state` holds no ARI for `cert_id`, or it was fetched longer ago than its
/// refresh interval.
bool ari_is_stale(const RenewalState& state, const std::string& cert_id, TimePoint now);

/// A moment drawn uniformly from [start, end], to the second.
TimePoint pick_time_in_window(TimePoint start, TimePoint end, std::mt19937_64& random);

/// `state` with the ARI just fetched for `cert_id` at `now`. The chosen moment is kept while the
/// window stays the same, and drawn anew when the window changed (or none was chosen yet).
RenewalState with_renewal_info(RenewalState state, const std::string& cert_id,
                               const acme::RenewalInfo& info, TimePoint now,
                               std::mt19937_64& random);

/// `state` without any ARI fields (they belong to another certificate).
RenewalState without_ari(RenewalState state);

}  // namespace acmecpp::manager
