// SPDX-License-Identifier: Apache-2.0
#pragma once
// RFC 3339 timestamps ("2025-01-02T04:00:00Z"), as ARI windows, acme.json's acmecpp member and
// hook environments use them. No timegm()/gmtime(): the civil-date arithmetic is done here, so
// the result never depends on the process's TZ or locale.

#include <optional>
#include <string>
#include <string_view>

#include "core/system_time.hpp"

namespace acmecpp::core {

/// UTC with whole seconds, e.g. "2025-01-02T04:00:00Z" (fractions are truncated).
std::string format_rfc3339(SystemTime time);

enum class TimePrecision { seconds, milliseconds };
/// The same with milliseconds when asked, e.g. "2025-01-02T04:00:00.123Z" (log lines; the
/// fraction is truncated, never rounded up into the next second).
std::string format_rfc3339(SystemTime time, TimePrecision precision);

/// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" ('t'/'z' and a space for 'T' accepted).
/// nullopt when `text` is not such a timestamp (or names an impossible date). A time outside
/// 1970 to 2262 is clamped as core/system_time.hpp says (9999-12-31 reads as 2262-01-01).
std::optional<SystemTime> parse_rfc3339(std::string_view text);

}  // namespace acmecpp::core
