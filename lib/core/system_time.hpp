// SPDX-License-Identifier: Apache-2.0
#pragma once
// The span of time the library works in. std::chrono::system_clock counts nanoseconds in a signed
// 64-bit integer (libstdc++), so it ends at 2262-04-11T23:47:16Z; times from outside may lie far
// beyond (RFC 5280's "no well-defined expiration" is notAfter 9999-12-31, and an ARI window, a
// Retry-After date or acme.json may name any year), and converting them wraps around into the
// past. Every time that comes from outside goes through time_from_unix_seconds, which clamps it:
//
// - times after 2262-01-01T00:00:00Z are treated as 2262-01-01T00:00:00Z, and times before
//   1970-01-01T00:00:00Z as 1970-01-01T00:00:00Z.
//
// Decisions stay right (a certificate valid until 9999 is, for the library, valid until 2262: not
// expired, not due), and arithmetic on clamped times cannot overflow: the difference of any two
// fits, and the latest leaves about 100 days of room for what is added to a time (a backoff, a
// refresh interval; a Retry-After, at most kLongestWait, is added to the present only).

#include <chrono>
#include <cstdint>

namespace acmecpp::core {

using SystemTime = std::chrono::system_clock::time_point;

/// 2262-01-01T00:00:00Z: later times from outside are read as this one.
constexpr std::int64_t kLatestUnixSeconds = 9214646400;
/// 1970-01-01T00:00:00Z: earlier times from outside are read as this one.
constexpr std::int64_t kEarliestUnixSeconds = 0;

/// The moment `unix_seconds` after 1970-01-01T00:00:00Z, clamped into
/// [kEarliestUnixSeconds, kLatestUnixSeconds].
SystemTime time_from_unix_seconds(std::int64_t unix_seconds) noexcept;

/// The longest wait a server may ask for (Retry-After, in seconds or as a date; acme.json's
/// retryAfterSeconds), about 31.7 years: longer ones are read as this one. Waits are added to
/// the present only, which this keeps far from system_clock's end.
constexpr std::chrono::seconds kLongestWait{999999999};

/// The latest time the library represents (kLatestUnixSeconds).
SystemTime latest_time() noexcept;

}  // namespace acmecpp::core
