// SPDX-License-Identifier: Apache-2.0
#include "core/rfc3339.hpp"

#include <cstdint>
#include <cstdio>

namespace acmecpp::core {
namespace {

using Seconds = std::chrono::seconds;
constexpr std::int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct CivilDate {
  std::int64_t year;
  unsigned month, day;
};

// The inverse (civil_from_days).
CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
  return {year, month, day};
}

bool is_leap(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Reads exactly `width` decimal digits at `pos`, advancing it.
std::optional<unsigned> digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + unsigned(c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, std::string_view allowed) {
  if (pos >= text.size() || allowed.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

// "Z" or "+HH:MM"/"-HH:MM": the offset east of UTC in seconds.
std::optional<std::int64_t> zone_offset(std::string_view text, std::size_t& pos) {
  if (expect(text, pos, "Zz")) return 0;
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
  const int sign = text[pos++] == '-' ? -1 : 1;
  const auto hours = digits(text, pos, 2);
  if (!hours || !expect(text, pos, ":")) return std::nullopt;
  const auto minutes = digits(text, pos, 2);
  if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return sign * (std::int64_t(*hours) * 3600 + std::int64_t(*minutes) * 60);
}

// Skips ".digits"; sub-second precision is not kept (windows and expiries are in seconds).
bool skip_fraction(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || text[pos] != '.') return true;
  const std::size_t first = ++pos;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  return pos > first;
}

}  // namespace

std::string format_rfc3339(SystemTime time) {
  return format_rfc3339(time, TimePrecision::seconds);
}

std::string format_rfc3339(SystemTime time, TimePrecision precision) {
  using std::chrono::milliseconds;
  const std::int64_t millis = std::chrono::floor<milliseconds>(time.time_since_epoch()).count();
  std::int64_t seconds = millis / 1000;
  std::int64_t millisecond = millis % 1000;
  if (millisecond < 0) {
    millisecond += 1000;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  const CivilDate date = civil_from_days(days);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(second_of_day / 3600),
                static_cast<long long>(second_of_day / 60 % 60),
                static_cast<long long>(second_of_day % 60));
  std::string text = buffer;
  if (precision == TimePrecision::milliseconds) {
    std::snprintf(buffer, sizeof buffer, ".%03lld", static_cast<long long>(millisecond));
    text += buffer;
  }
  return text + 'Z';
}

std::optional<SystemTime> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  const auto year = digits(text, pos, 4);
  if (!year || !expect(text, pos, "-")) return std::nullopt;
  const auto month = digits(text, pos, 2);
  if (!month || !expect(text, pos, "-")) return std::nullopt;
  const auto day = digits(text, pos, 2);
  if (!day || !expect(text, pos, "Tt ")) return std::nullopt;
  const auto hour = digits(text, pos, 2);
  if (!hour || !expect(text, pos, ":")) return std::nullopt;
  const auto minute = digits(text, pos, 2);
  if (!minute || !expect(text, pos, ":")) return std::nullopt;
  const auto second = digits(text, pos, 2);
  if (!second || !skip_fraction(text, pos)) return std::nullopt;
  const auto offset = zone_offset(text, pos);
  if (!offset || pos != text.size()) return std::nullopt;
  // 60 is a leap second; it is read as the first second of the next minute.
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  const std::int64_t seconds = days_from_civil(*year, *month, *day) * kSecondsPerDay +
                               std::int64_t(*hour) * 3600 + std::int64_t(*minute) * 60 +
                               std::int64_t(*second) - *offset;
  return time_from_unix_seconds(seconds);
}

}  // namespace acmecpp::core
