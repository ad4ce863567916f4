#pragma once
// One pass of the manager's background work over its managed certificates: a certificate that is
// not stored is obtained, a stored one is renewed when due, and whatever is current is published
// to the serving cache (an atomic swap: handshakes never wait for any of this).

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "manager/logger.hpp"
#include "manager/managed_certificates.hpp"

namespace acmecpp::manager {

/// Everything a pass works with; the references outlive the pass.
struct UpkeepContext {
  CertManager& manager;
  Store& store;
  std::string resolver;
  CertificateCache& cache;
  ManagedCertificates& managed;
  std::chrono::seconds check_interval;
  int renewal_days;
  Logger log;
  /// Reports failures that obtain() and renew() do not report themselves (an unreadable stored
  /// certificate, a store that refuses a lock).
  CertificateEventCallback notify;
};

/// The stored certificate for exactly these names (main name equal, same set of names, case
/// ignored), if any.
std::optional<CertificateRecord> stored_for(const std::vector<CertificateRecord>& stored,
                                            const std::vector<std::string>& names);

/// The wait before the next pass: the check interval, shortened to when a backoff ends or a
/// certificate falls due, and never under a second (so a clock or policy quirk cannot spin).
std::chrono::milliseconds next_pass_delay(std::chrono::milliseconds check_interval,
                                          std::chrono::milliseconds earliest_due);

class CertificateUpkeep {
 public:
  explicit CertificateUpkeep(UpkeepContext context) : context_(std::move(context)) {}

  /// Keeps every managed certificate (stopping between entries when asked); returns the wait
  /// before the next pass. Failures of single entries are logged, reported and backed off; only
  /// a store that cannot be read at all throws.
  std::chrono::milliseconds pass(const std::atomic<bool>& stop_requested);

 private:
  using Delay = std::chrono::milliseconds;

  Delay keep(const ManagedEntry& entry, const std::vector<CertificateRecord>& stored);
  Delay obtain_missing(const ManagedEntry& entry);
  Delay renew_if_due(const ManagedEntry& entry, const CertificateRecord& record);
  Delay renew_locked(const ManagedEntry& entry, const CertificateRecord& record);
  /// Publishes `record` unless the cache already serves this certificate for its main name.
  void publish_if_changed(const CertificateRecord& record);
  void publish(const CertificateRecord& record);
  Delay after_failure(const ManagedEntry& entry, const std::string& message, bool reported);

  UpkeepContext context_;
};

}  // namespace acmecpp::manager
