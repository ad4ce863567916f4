// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a CertManager keeps and serves (the upkeep and serving half of cert_manager.hpp): the
// managed certificates, the maintenance engine (CertificateUpkeep) that maintain() and the
// background thread run, the cache handshakes read, and on-demand issuance. CertManager owns one
// and forwards manage/maintain/start/stop/certificates/certificate_for to it. It knows the
// manager only as an Issuer.

#include <memory>
#include <string>
#include <string_view>
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
};

}  // namespace acmecpp::manager
