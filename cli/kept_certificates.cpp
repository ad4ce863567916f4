// SPDX-License-Identifier: Apache-2.0
#include "kept_certificates.hpp"

#include "upkeep_report.hpp"

namespace acmectl {

KeptCertificates::KeptCertificates(const SettingsSource& source, const Context& context,
                                   std::atomic<bool>& hooks_ok)
    : source_(source),
      context_(context),
      hooks_ok_(hooks_ok),
      resolver_kept_(kept_settings(context.settings)) {}

acmecpp::ManagedCertificate KeptCertificates::make(const std::vector<std::string>& names,
                                                   const acmecpp::CertificateRecord* record,
                                                   const std::string& challenge) {
  // As it was obtained (its kept settings over the configuration file), flags winning.
  Settings own = context_.settings;
  if (record != nullptr) {
    own = source_.resolve(context_.resolver, record->renewal.settings,
                          "the settings kept with " + record->main);
    // A dry run's changes to the settings (server, hooks, exports) stay in force.
    own.server = context_.settings.server;
    own.staging = context_.settings.staging;
    own.agree_tos = context_.settings.agree_tos;
    own.deploy_hook = context_.settings.deploy_hook;
    own.failure_hook = context_.settings.failure_hook;
    own.export_dir = context_.settings.export_dir;
  }
  auto certificate = managed_certificate(names, own, context_.store, hooks_ok_);
  if (!challenge.empty()) {
    use_challenge(certificate, own, challenge);
  } else if (certificate.kept_settings != resolver_kept_) {
    use_challenge(certificate, own, own.challenge.empty() ? "http-01" : own.challenge);
  } else {
    return certificate;  // the resolver's own solvers
  }
  const auto [known, added] = solvers_of_.emplace(
      std::make_pair(certificate.kept_settings, challenge), certificate.solvers);
  if (!added) certificate.solvers = known->second;
  return certificate;
}

std::optional<acmecpp::CertificateRecord> KeptCertificates::stored(const std::string& main) const {
  auto named = context_.store->certificates_named(context_.resolver, main);
  if (named.empty()) return std::nullopt;
  return named.front();
}

}  // namespace acmectl
