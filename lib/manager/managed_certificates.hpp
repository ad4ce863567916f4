#pragma once
// The certificates a CertManager keeps (CertManager::manage()): one entry per main name, with its
// names and the backoff of its failed attempts to obtain it. Read by the background worker, added
// to by manage() and by on-demand issuance, from any thread.

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "manager/attempt_backoff.hpp"

namespace acmecpp::manager {

struct ManagedEntry {
  std::vector<std::string> names;  ///< normalised (A-labels, lower case), main name first
  AttemptBackoff backoff;          ///< failed attempts to obtain it while it is not stored

  const std::string& main() const { return names.front(); }
};

/// Thread-safe.
class ManagedCertificates {
 public:
  /// Adds the entry for these names, or gives the entry with the same main name these names (its
  /// backoff starts over when they differ). Returns the normalised names. Throws
  /// Error(invalid_input) for an invalid name or an empty list, leaving the set as it was.
  std::vector<std::string> manage(const std::vector<std::string>& names);

  /// A copy of every entry, ordered by main name.
  std::vector<ManagedEntry> entries() const;
  /// Whether an entry names `normalized_name` (main or other).
  bool names(const std::string& normalized_name) const;
  std::size_t size() const;

  /// The outcome of an attempt to obtain the entry for `names`; ignored when that entry is no
  /// longer managed with these names (its names changed during the attempt).
  void record_failure(const std::vector<std::string>& names, SteadyClock::time_point now);
  void record_success(const std::vector<std::string>& names);

 private:
  ManagedEntry* find(const std::vector<std::string>& names);  // with mutex_ held

  mutable std::mutex mutex_;
  std::map<std::string, ManagedEntry> entries_;  // by main name
  // How many entries name each name: names() is asked on handshakes for unknown names, so it
  // must not scan every entry.
  std::map<std::string, int> name_uses_;
};

}  // namespace acmecpp::manager
