// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parsing of the response headers ACME relies on: Link (RFC 8288) and Retry-After (RFC 9110).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace acmecpp::acme {

/// The targets of every link with relation `rel` among the given Link header values
/// (each value may hold several comma-separated links).
std::vector<std::string> links_with_rel(const std::vector<std::string>& link_headers,
                                        const std::string& rel);

/// Delay asked by a Retry-After value: delta-seconds or an HTTP-date (relative to `now`).
/// nullopt when the value is neither; a date in the past gives zero; at most
/// core::kLongestWait (999,999,999 s), so that adding it to the present cannot overflow.
std::optional<std::chrono::seconds> parse_retry_after(
    const std::string& value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace acmecpp::acme
