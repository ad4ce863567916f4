// SPDX-License-Identifier: Apache-2.0
#pragma once
// The narrow view the maintenance engine and the serving code have of a CertManager: obtain,
// renew, and decide whether a certificate is due. They depend on this, not on the whole facade.

#include <chrono>
#include <string>
#include <vector>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/stop_token.hpp"

namespace acmecpp::manager {

class Issuer {
 public:
  virtual ~Issuer() = default;

  /// Orders, stores and returns a certificate for `names` with `choices`' solvers, key type and
  /// profile (unset ones: the manager's). Reported to ManagerConfig::on_event, not to
  /// choices.on_event (the engine tells that one, when the store holds the certificate).
  virtual IssuedCertificate obtain(const std::vector<std::string>& names,
                                   const ManagedCertificate& choices) = 0;
  /// Renews `current` in its place (CertManager::renew()) with `choices`' solvers and profile.
  virtual IssuedCertificate renew(const CertificateRecord& current,
                                  const ManagedCertificate& choices) = 0;
  /// CertManager::check_renewal().
  virtual RenewalDecision check_renewal(const CertificateRecord& certificate,
                                        std::chrono::system_clock::time_point now, int days) = 0;
  /// A pass over the managed certificates ended (for metrics' last check).
  virtual void pass_done() noexcept = 0;
  /// Requested by CertManager::stop(): the engine's own waits (for a name's lock) end too.
  virtual StopToken stop_token() const = 0;
};

}  // namespace acmecpp::manager
