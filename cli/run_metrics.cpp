#include "run_metrics.hpp"

namespace acmectl {
namespace {

void add_counts(acmecpp::ResultCounts& into, const acmecpp::ResultCounts& from) {
  into.success += from.success;
  into.failure += from.failure;
}

}  // namespace

void RunMetrics::add(const std::string& resolver, const acmecpp::Metrics& from_manager) {
  std::lock_guard<std::mutex> lock(mutex_);
  certificates_[resolver] = from_manager.certificates;
  add_counts(totals_.issuances, from_manager.issuances);
  add_counts(totals_.renewals, from_manager.renewals);
  for (const auto& [result, count] : from_manager.acme_requests) {
    totals_.acme_requests[result] += count;
  }
  totals_.bad_nonce_retries += from_manager.bad_nonce_retries;
}

void RunMetrics::checked(std::chrono::system_clock::time_point when) {
  std::lock_guard<std::mutex> lock(mutex_);
  totals_.last_check = when;
}

acmecpp::Metrics RunMetrics::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  acmecpp::Metrics metrics = totals_;
  for (const auto& [resolver, list] : certificates_) {
    metrics.certificates.insert(metrics.certificates.end(), list.begin(), list.end());
  }
  return metrics;
}

}  // namespace acmectl
