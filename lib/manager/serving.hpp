// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a CertManager keeps and serves (the upkeep and serving half of cert_manager.hpp): the
// managed certificates, the maintenance engine (CertificateUpkeep) that maintain() and the
// background thread run, the cache handshakes read, and on-demand issuance. CertManager owns one
// and forwards manage/maintain/start/stop/certificates/certificate_for to it. It knows the
// manager only as an Issuer.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "manager/background_worker.hpp"
#include "manager/certificate_upkeep.hpp"
#include "manager/issuer.hpp"
#include "manager/logger.hpp"
#include "manager/managed_certificates.hpp"
#include "manager/on_demand.hpp"

namespace acmecpp::manager {

class Serving {
 public:
  /// `issuer` obtains and renews; it must outlive this object (its owner stops this first).
  Serving(Issuer& issuer, const ManagerConfig& config, Logger log, CertificateEventCallback notify);
  /// stop()
  ~Serving();
  Serving(const Serving&) = delete;
  Serving& operator=(const Serving&) = delete;

  void manage(ManagedCertificate certificate);
  void set_managed(const std::vector<ManagedCertificate>& certificates);
  void retry_now();
  std::vector<UpkeepOutcome> maintain(const MaintainOptions& options);
  void start();
  void stop();
  std::shared_ptr<const CertificateCache> certificates() const { return cache_; }
  std::shared_ptr<const ServingCertificate> certificate_for(std::string_view server_name);
  UnknownNameAnswer certificate_async(std::string_view server_name, std::function<void()> ready);

 private:
  /// Fills the cache from the store, and adopts stored certificates the on-demand policy
  /// allows (issued on demand before a restart), so that they are renewed too.
  void load_store();
  /// Runs on an on-demand pool thread: the stored certificate when another process (or an
  /// earlier run) has one, else a new one; published and managed from then on.
  std::shared_ptr<const ServingCertificate> issue_on_demand(const std::string& name);
  std::shared_ptr<const ServingCertificate> publish(const CertificateRecord& record,
                                                    const std::vector<std::string>& names);
  /// A store's change notice (Store::watch_certificates), on the store's thread: the certificate
  /// as stored now goes into the cache (or out, when it was removed); empty names: the whole
  /// store is read again. Never throws: a failure is logged.
  void take_up_change(const std::string& resolver, const std::string& main) noexcept;
  /// take_up_change's work; throws what the store throws.
  void take_up(const std::string& resolver, const std::string& main);
  void log_take_up_failure(const std::string& main, const std::exception& e) const noexcept;
  /// Empty names: every certificate of the resolver the store holds goes into the cache, parsed
  /// only when it differs from what this did last (taken_up_).
  void take_up_store();
  /// Notes the PEM hash of each record in taken_up_; returns the records whose hash was new.
  std::vector<CertificateRecord> remember_taken_up(const std::vector<CertificateRecord>& records);
  void log_skipped(const std::vector<std::string>& skipped) const;
  /// One pass of the background thread: the outcomes go to on_pass, or to the log without one.
  std::chrono::milliseconds background_pass(const std::atomic<bool>& stop_requested);
  void log_outcome(const UpkeepOutcome& outcome) const;

  Issuer& issuer_;
  const std::shared_ptr<Store> store_;
  const std::string resolver_;
  const OnDemandPolicy policy_;
  const std::chrono::milliseconds lock_wait_;
  const PassCallback on_pass_;
  const std::function<void(const UpkeepOutcome&)> on_outcome_;
  const Logger log_;
  const std::shared_ptr<CertificateCache> cache_ = std::make_shared<CertificateCache>();
  ManagedCertificates managed_;
  CertificateUpkeep upkeep_;
  // The threads last, so that they are stopped before what they use is destroyed.
  OnDemandIssuer on_demand_;
  BackgroundWorker worker_;
  /// Lower-case main name -> hash of the certificate PEM load_store() or take_up_store() put into
  /// the cache.
  std::mutex taken_up_mutex_;
  std::unordered_map<std::string, std::size_t> taken_up_;
  // Last of all: destroyed first, so that no notice comes while the rest goes.
  std::unique_ptr<StoreWatch> watch_;
};

}  // namespace acmecpp::manager
