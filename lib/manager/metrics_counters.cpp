// SPDX-License-Identifier: Apache-2.0
#include "manager/metrics_counters.hpp"

#include "acmecpp/certificate.hpp"
#include "acmecpp/error.hpp"

namespace acmecpp::manager {
namespace {

using Clock = std::chrono::system_clock;

/// The stored certificates with their expiry. An entry whose PEM does not parse is left out:
/// one damaged entry must not hide the figures of all others.
std::vector<CertificateMetrics> stored_certificates(const Store& store,
                                                    const std::string& resolver) {
  std::vector<CertificateMetrics> out;
  for (const auto& record : store.certificates(resolver)) {
    try {
      out.push_back({resolver, record.main, parse_certificate(record.certificate_pem).not_after,
                     record.renewal.retry_not_before});
    } catch (const Error&) {
      continue;
    }
  }
  return out;
}

}  // namespace

void MetricsCounters::count(CertificateEventType type, bool succeeded) {
  if (type == CertificateEventType::issued) {
    ++(succeeded ? issued_ : issue_failed_);
  } else if (type == CertificateEventType::renewed) {
    ++(succeeded ? renewed_ : renew_failed_);
  }
}

void MetricsCounters::checked(Clock::time_point when) {
  last_check_ = static_cast<std::int64_t>(when.time_since_epoch().count());
}

Metrics MetricsCounters::snapshot(const Store& store, const std::string& resolver,
                                  const acme::RequestStats& requests) const {
  Metrics metrics;
  metrics.certificates = stored_certificates(store, resolver);
  metrics.issuances = {issued_.load(), issue_failed_.load()};
  metrics.renewals = {renewed_.load(), renew_failed_.load()};
  if (const auto ticks = last_check_.load()) {
    metrics.last_check = Clock::time_point(Clock::duration(ticks));
  }
  metrics.acme_requests = requests.by_result;
  metrics.bad_nonce_retries = requests.bad_nonce_retries;
  metrics.transient_retries = requests.transient_retries;
  return metrics;
}

}  // namespace acmecpp::manager

namespace acmecpp {

Metrics merge_metrics(const std::vector<Metrics>& parts) {
  Metrics all;
  for (const auto& part : parts) {
    all.certificates.insert(all.certificates.end(), part.certificates.begin(),
                            part.certificates.end());
    all.issuances.success += part.issuances.success;
    all.issuances.failure += part.issuances.failure;
    all.renewals.success += part.renewals.success;
    all.renewals.failure += part.renewals.failure;
    if (part.last_check && (!all.last_check || *part.last_check > *all.last_check)) {
      all.last_check = part.last_check;
    }
    for (const auto& [result, count] : part.acme_requests) all.acme_requests[result] += count;
    all.bad_nonce_retries += part.bad_nonce_retries;
    all.transient_retries += part.transient_retries;
  }
  return all;
}

}  // namespace acmecpp
