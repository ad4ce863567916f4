// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "acmecpp/cert_manager.hpp"
#include "acmecpp/revocation.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "setup.hpp"

namespace acmectl {

int run_revoke(const SettingsSource& source, const RevokeOptions& options) {
  const auto context = open_ca_context(source);
  std::optional<acmecpp::CertificateRecord> record;
  for (auto& r : context.store->certificates(context.resolver)) {
    if (r.main == options.name) record = std::move(r);
  }
  if (!record) {
    throw acmecpp::Error(
        acmecpp::ErrorKind::invalid_input,
        "no certificate with main name " + options.name + " in resolver " + context.resolver);
  }
  std::optional<int> reason;
  if (!options.reason.empty()) {
    reason = static_cast<int>(acmecpp::parse_revocation_reason(options.reason));
  }
  acmecpp::CertManager manager(manager_config(context, false));
  manager.revoke(*record, reason,
                 options.use_certificate_key
                     ? acmecpp::CertManager::RevocationSigner::certificate_key
                     : acmecpp::CertManager::RevocationSigner::account);
  std::cout << "revoked " << record->main;
  if (options.remove) {
    context.store->remove_certificate(context.resolver, record->main);
    std::cout << " and removed it from the store";
  }
  std::cout << '\n';
  return kSuccess;
}

}  // namespace acmectl
