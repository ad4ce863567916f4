// SPDX-License-Identifier: Apache-2.0
#include "acmecpp/store.hpp"

namespace acmecpp {

std::vector<std::string> CertificateRecord::names() const {
  std::vector<std::string> all;
  all.reserve(1 + sans.size());
  all.push_back(main);
  all.insert(all.end(), sans.begin(), sans.end());
  return all;
}

bool RenewalState::empty() const {
  return *this == RenewalState{};
}

bool RenewalState::operator==(const RenewalState& other) const {
  return ari_cert_id == other.ari_cert_id && ari_window_start == other.ari_window_start &&
         ari_window_end == other.ari_window_end && ari_selected_time == other.ari_selected_time &&
         ari_checked_at == other.ari_checked_at && ari_retry_after == other.ari_retry_after &&
         ari_explanation_url == other.ari_explanation_url &&
         failed_attempts == other.failed_attempts && last_failure == other.last_failure &&
         last_error == other.last_error && profile == other.profile && settings == other.settings &&
         retry_not_before == other.retry_not_before && account_url == other.account_url;
}

std::string PendingOrder::main() const {
  return names.empty() ? std::string() : names.front();
}

bool PendingOrder::operator==(const PendingOrder& other) const {
  return order_url == other.order_url && names == other.names && account_url == other.account_url &&
         key_pem == other.key_pem && profile == other.profile && replaces == other.replaces &&
         created == other.created && expires == other.expires;
}

}  // namespace acmecpp
