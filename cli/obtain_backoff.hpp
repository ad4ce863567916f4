#pragma once
// `acmectl run`'s backoff for configured certificates it has never obtained (a stored
// certificate's renewals back off through its RenewalState instead). A name whose issuance keeps
// failing, say because its challenge cannot succeed, is tried again after 1 min, 10 min,
// 100 min, then once a day (acmecpp::failure_backoff), not at every check: each try costs an
// order at the CA, and CAs limit failed validations. Held in memory: a restarted daemon tries
// at once. Header-only so the unit tests can check the schedule without the CLI's sources.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "acmecpp/renewal.hpp"

namespace acmectl {

class ObtainBackoff {
 public:
  using Clock = std::chrono::steady_clock;

  /// Whether the certificate `key` (resolver and names) may be ordered at `now`.
  bool may_try(const std::string& key, Clock::time_point now) const {
    const auto found = entries_.find(key);
    return found == entries_.end() || now >= found->second.next_try;
  }
  /// An issuance of `key` failed at `now`; returns when the next one is allowed.
  Clock::time_point failed(const std::string& key, Clock::time_point now) {
    Entry& entry = entries_[key];
    ++entry.failures;
    entry.next_try = now + acmecpp::failure_backoff(entry.failures);
    return entry.next_try;
  }
  /// An issuance of `key` succeeded: its failures are forgotten.
  void succeeded(const std::string& key) { entries_.erase(key); }
  /// The earliest time a certificate that failed may be tried again, so the daemon can wake
  /// then rather than at its next regular check; nullopt when none failed.
  std::optional<Clock::time_point> earliest_next_try() const {
    std::optional<Clock::time_point> earliest;
    for (const auto& [key, entry] : entries_) {
      if (!earliest || entry.next_try < *earliest) earliest = entry.next_try;
    }
    return earliest;
  }
  /// Forgets the failures of certificates no longer configured.
  void retain_only(const std::set<std::string>& keys) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = keys.count(it->first) ? std::next(it) : entries_.erase(it);
    }
  }
  /// When `key` may be tried again; nullopt when it has no failure on record.
  std::optional<Clock::time_point> next_try(const std::string& key) const {
    const auto found = entries_.find(key);
    if (found == entries_.end()) return std::nullopt;
    return found->second.next_try;
  }

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point next_try;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace acmectl
