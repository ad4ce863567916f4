// SPDX-License-Identifier: Apache-2.0
#include "manager/renewal_records.hpp"

namespace acmecpp::manager {

std::optional<CertificateRecord> stored_entry(const Store& store, const std::string& resolver,
                                              const CertificateRecord& certificate) {
  for (auto& entry : store.certificates_named(resolver, certificate.main)) {
    if (entry.certificate_pem == certificate.certificate_pem) {
      return std::move(entry);
    }
  }
  return std::nullopt;
}

bool save_renewal_state(Store& store, const std::string& resolver,
                        const CertificateRecord& certificate, const RenewalState& state) {
  auto entry = stored_entry(store, resolver, certificate);
  if (!entry) return false;
  if (entry->renewal == state) return true;
  entry->renewal = state;
  store.save_certificate(resolver, *entry);
  return true;
}

}  // namespace acmecpp::manager
