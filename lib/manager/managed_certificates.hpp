// SPDX-License-Identifier: Apache-2.0
#pragma once
// The certificates a CertManager keeps (CertManager::manage()): one entry per main name, with its
// names and choices and the backoff of its failed attempts to obtain it. Read by the background
// worker, added to by manage() and by on-demand issuance, from any thread.

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "manager/attempt_backoff.hpp"

namespace acmecpp::manager {

struct ManagedEntry {
  /// Its choices; names and the names in challenge_for_name normalised (A-labels, lower case),
  /// main name first.
  ManagedCertificate spec;
  AttemptBackoff backoff;  ///< failed attempts to obtain it while it is not stored

  const std::vector<std::string>& names() const { return spec.names; }
  const std::string& main() const { return spec.names.front(); }
};

/// Thread-safe.
class ManagedCertificates {
 public:
  /// Adds the entry for these names, or gives the entry with the same main name these names (its
  /// backoff starts over when they differ). Returns the normalised names. Throws
  /// Error(invalid_input) for an invalid name or an empty list, leaving the set as it was.
  std::vector<std::string> manage(const std::vector<std::string>& names);
  /// The same with the certificate's own choices (which replace the entry's).
  std::vector<std::string> manage(ManagedCertificate spec);
  /// Replaces every entry by these; an entry whose names stay keeps its backoff. Validates all
  /// first (Error(invalid_input)), changing nothing when one is invalid.
  void replace_all(const std::vector<ManagedCertificate>& specs);
  /// Forgets every entry's failures.
  void forget_failures();

  /// A copy of every entry, ordered by main name.
  std::vector<ManagedEntry> entries() const;
  /// Whether an entry names `normalized_name` (main or other).
  bool names(const std::string& normalized_name) const;
  std::size_t size() const;

  /// The outcome of an attempt to obtain the entry for `names`; ignored when that entry is no
  /// longer managed with these names (its names changed during the attempt).
  void record_failure(const std::vector<std::string>& names, SteadyClock::time_point now,
                      std::optional<SteadyClock::time_point> not_before = std::nullopt);
  void record_success(const std::vector<std::string>& names);

 private:
  ManagedEntry* find(const std::vector<std::string>& names);  // with mutex_ held
  void put(ManagedCertificate spec);                          // normalised; with mutex_ held

  mutable std::mutex mutex_;
  std::map<std::string, ManagedEntry> entries_;  // by main name
  // How many entries name each name: names() is asked on handshakes for unknown names, so it
  // must not scan every entry.
  std::map<std::string, int> name_uses_;
};

}  // namespace acmecpp::manager
