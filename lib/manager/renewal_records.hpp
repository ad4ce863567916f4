// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading and updating the renewal bookkeeping (RenewalState) of the stored entry of one
// certificate. The entry is identified by main name and certificate PEM, so bookkeeping for a
// certificate is never written onto the one that replaced it.

#include <optional>
#include <string>

#include "acmecpp/store.hpp"

namespace acmecpp::manager {

/// The stored entry holding this certificate (same main name ignoring case, same PEM), if any.
std::optional<CertificateRecord> stored_entry(const Store& store, const std::string& resolver,
                                              const CertificateRecord& certificate);

/// Gives the stored entry of this certificate `state`. False when the certificate is no longer
/// stored (it was replaced or removed meanwhile); nothing is written then, nor when the stored
/// state already equals `state`.
bool save_renewal_state(Store& store, const std::string& resolver,
                        const CertificateRecord& certificate, const RenewalState& state);

}  // namespace acmecpp::manager
