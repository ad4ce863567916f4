// SPDX-License-Identifier: Apache-2.0
#pragma once
// The library's one maintenance engine: a pass over the managed certificates, as start()'s
// thread runs it periodically, maintain() runs it once (acmectl renew from cron, issue --batch),
// and acmectl run through start(). A certificate that is not stored is obtained, a stored one is
// renewed when due, each under the store's lock for its name and after reading the store again
// (another process or node may have done it meanwhile: the certificate then counts as done
// elsewhere when the stored certificate is no longer the one this pass looked at). While the
// manager serves (after start()), whatever is current is published to the serving cache (an
// atomic swap: handshakes never wait for any of this).

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "manager/batch_completion.hpp"
#include "manager/issuer.hpp"
#include "manager/logger.hpp"
#include "manager/managed_certificates.hpp"

namespace acmecpp::manager {

/// Everything a pass works with; the references outlive the engine.
struct UpkeepContext {
  Issuer& issuer;
  Store& store;
  std::string resolver;
  CertificateCache& cache;
  ManagedCertificates& managed;
  std::chrono::seconds check_interval;
  int renewal_days;
  std::chrono::milliseconds lock_wait;
  Logger log;
  /// Reports failures that obtain() and renew() do not report themselves (an unreadable stored
  /// certificate, a store that refuses a lock) to ManagerConfig::on_event.
  CertificateEventCallback notify;
};

/// The stored certificate for exactly these names (main name equal, same set of names, case
/// ignored), if any.
std::optional<CertificateRecord> stored_for(const std::vector<CertificateRecord>& stored,
                                            const std::vector<std::string>& names);

/// The wait before the next pass: the check interval, shortened to when a backoff ends or a
/// certificate falls due, and never under a second (so a clock or policy quirk cannot spin).
/// A regular check (nothing falls due sooner) comes at `spread` (0 to 1) of the interval's
/// second half: a random `spread` makes clients started together drift apart, as Let's Encrypt
/// asks of scheduled clients.
std::chrono::milliseconds next_pass_delay(std::chrono::milliseconds check_interval,
                                          std::chrono::milliseconds earliest_due,
                                          double spread = 1.0);

class CertificateUpkeep {
 public:
  explicit CertificateUpkeep(UpkeepContext context) : context_(std::move(context)) {}

  struct PassResult {
    std::vector<UpkeepOutcome> outcomes;  ///< one per managed certificate, by main name
    std::chrono::milliseconds next_pass;  ///< see next_pass_delay()
  };

  /// Keeps every managed certificate (those not yet handled when `stop_requested` turns true
  /// come back as stopped). Failures of single certificates are outcomes; only a store that
  /// cannot be read at all throws. With `publish`, current certificates go to the cache.
  PassResult pass(const MaintainOptions& options, const std::atomic<bool>& stop_requested,
                  bool publish);

 private:
  using Delay = std::chrono::milliseconds;
  struct Step;  // one certificate in one pass

  UpkeepOutcome keep(Step& step);
  UpkeepOutcome obtain(Step& step);
  UpkeepOutcome renew(Step& step, const CertificateRecord& record);
  UpkeepOutcome renew_locked(Step& step, const CertificateRecord& record);
  /// The certificate is stored: tells its own event sink (now, or once a batch was written) and
  /// releases its lock (now, or with the batch).
  void succeeded(Step& step, CertificateEventType type, const IssuedCertificate& issued,
                 std::unique_ptr<NameLock> lock);
  /// Tells the certificate's own event sink of a failure.
  void failed(Step& step, const std::string& message);
  UpkeepOutcome unexpected_failure(Step& step, const std::string& message);
  /// MaintainOptions::on_outcome, if set; what it throws is logged.
  void tell_outcome(const MaintainOptions& options, const UpkeepOutcome& outcome) const noexcept;
  /// stop() came: the certificate is left as it is, without a failure.
  UpkeepOutcome stopped(Step& step);
  /// The store's lock of `main`, waiting at most ManagerConfig::lock_wait; nullptr when another
  /// holder keeps it; Error(cancelled) when stop() comes meanwhile.
  std::unique_ptr<NameLock> lock_name(const std::string& main);
  /// Publishes `record` unless the cache already serves this certificate for its main name.
  void publish_if_changed(const Step& step, const CertificateRecord& record);
  void publish(const Step& step, const CertificateRecord& record);

  UpkeepContext context_;
};

}  // namespace acmecpp::manager
